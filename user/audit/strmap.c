/* strmap.c - the audit's string-keyed hash map (see strmap.h): FNV-1a
 * hashes, linear probing, the table doubled when it gets half full. */
#include "audit/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of key in e (cap slots), or the free slot where it would go. */
static size_t slot_of(const struct strmap_entry *e, size_t cap, const char *key)
{
	size_t i;

	for (i = (size_t)hash_str(key) & (cap - 1); e[i].key; i = (i + 1) & (cap - 1))
		if (strcmp(e[i].key, key) == 0)
			break;
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = slot_of(m->e, m->cap, key);
	return m->e[i].key ? m->e[i].val : NULL;
}

/* Move every entry to a table twice as large.  0 or -1. */
static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct strmap_entry *e = calloc(cap, sizeof(*e));

	if (!e)
		return -1;
	for (size_t j = 0; j < m->cap; j++)
		if (m->e[j].key)
			e[slot_of(e, cap, m->e[j].key)] = m->e[j];
	free(m->e);
	m->e = e;
	m->cap = cap;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	i = slot_of(m->e, m->cap, key);
	m->e[i].key = strdup(key);
	if (!m->e[i].key)
		return -1;
	m->e[i].val = val;
	m->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct strmap_entry *)a)->key, ((const struct strmap_entry *)b)->key);
}

struct strmap_entry *strmap_sorted(const struct strmap *m)
{
	struct strmap_entry *v = calloc(m->n ? m->n : 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key)
			v[k++] = m->e[i];
	qsort(v, k, sizeof(*v), cmp_entry);
	return v;
}

void strmap_free(struct strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key) {
			free(m->e[i].key);
			if (free_val)
				free_val(m->e[i].val);
		}
	free(m->e);
	memset(m, 0, sizeof(*m));
}
