/* proc_cache.c - see proc_cache.h. */
#include <stdlib.h>
#include <string.h>

#include "live/proc_cache.h"
#include "kern/dnsvis.h"

static unsigned bucket_of(const struct proc_cache *c, uint32_t tgid)
{
	return (tgid * 2654435761u) & (c->nbuckets - 1);
}

int proc_cache_init(struct proc_cache *c, unsigned nbuckets)
{
	unsigned n = 1;

	memset(c, 0, sizeof(*c));
	while (n < nbuckets)
		n <<= 1;
	c->ent = calloc((size_t)n * PROC_CACHE_WAYS, sizeof(*c->ent));
	if (!c->ent)
		return -1;
	c->nbuckets = n;
	return 0;
}

static void drop(struct proc_cache *c, struct proc_cache_ent *e)
{
	c->bytes -= e->len;
	c->count--;
	free(e->rec);
	memset(e, 0, sizeof(*e));
}

void proc_cache_free(struct proc_cache *c)
{
	for (size_t i = 0; c->ent && i < (size_t)c->nbuckets * PROC_CACHE_WAYS; i++)
		free(c->ent[i].rec);
	free(c->ent);
	memset(c, 0, sizeof(*c));
}

const struct dv_proc *proc_cache_get(struct proc_cache *c, uint32_t tgid, uint64_t proc_id)
{
	struct proc_cache_ent *b = &c->ent[(size_t)bucket_of(c, tgid) * PROC_CACHE_WAYS];

	for (unsigned w = 0; w < PROC_CACHE_WAYS; w++) {
		if (b[w].rec && b[w].rec->tgid == tgid && b[w].rec->proc_id == proc_id) {
			b[w].last_use = ++c->tick;
			return b[w].rec;
		}
	}
	return NULL;
}

/* The way for a new record in bucket b: a free one, else the least
 * recently used (evicted). */
static struct proc_cache_ent *make_room(struct proc_cache *c, struct proc_cache_ent *b)
{
	struct proc_cache_ent *victim = &b[0];

	for (unsigned w = 0; w < PROC_CACHE_WAYS; w++) {
		if (!b[w].rec)
			return &b[w];
		if (b[w].last_use < victim->last_use)
			victim = &b[w];
	}
	c->evictions++;
	if (c->evict)
		c->evict(c->evict_arg, victim->rec->tgid, victim->rec->proc_id);
	drop(c, victim);
	return victim;
}

int proc_cache_put(struct proc_cache *c, const struct dv_proc *p, size_t len)
{
	struct proc_cache_ent *b = &c->ent[(size_t)bucket_of(c, p->tgid) * PROC_CACHE_WAYS];
	struct proc_cache_ent *e;
	struct dv_proc *copy;

	if (proc_cache_get(c, p->tgid, p->proc_id))
		return 0;
	copy = malloc(len);
	if (!copy)
		return -1;
	memcpy(copy, p, len);
	e = make_room(c, b);
	e->rec = copy;
	e->len = (uint32_t)len;
	e->last_use = ++c->tick;
	e->stale = 0;
	c->count++;
	c->bytes += len;
	c->inserts++;
	return 0;
}

/* A newer record of e's tgid in the same bucket? */
static int superseded(const struct proc_cache_ent *b, const struct proc_cache_ent *e)
{
	for (unsigned w = 0; w < PROC_CACHE_WAYS; w++)
		if (b[w].rec && b[w].rec->tgid == e->rec->tgid &&
		    b[w].rec->proc_id > e->rec->proc_id)
			return 1;
	return 0;
}

void proc_cache_gc(struct proc_cache *c, int (*alive)(uint32_t tgid))
{
	for (unsigned i = 0; i < c->nbuckets; i++) {
		struct proc_cache_ent *b = &c->ent[(size_t)i * PROC_CACHE_WAYS];

		for (unsigned w = 0; w < PROC_CACHE_WAYS; w++) {
			struct proc_cache_ent *e = &b[w];

			if (!e->rec)
				continue;
			if (!superseded(b, e) && alive(e->rec->tgid)) {
				e->stale = 0;
				continue;
			}
			if (e->stale)
				drop(c, e);
			else
				e->stale = 1;
		}
	}
}
