/* strmap.h - the audit's string-keyed hash map (open addressing, keys
 * copied, values owned by the caller): workloads, domains, violations and
 * the resolv.conf caches are all kept in one. */
#ifndef DNSVIS_AUDIT_STRMAP_H
#define DNSVIS_AUDIT_STRMAP_H

#include <stddef.h>

struct strmap_entry {
	char *key;
	void *val;
};

/* All zero is an empty map. */
struct strmap {
	struct strmap_entry *e;
	size_t cap, n; /* cap is 0 or a power of two */
};

/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);

/* Store val under a copy of key, which must not be in m yet.  0, or -1
 * when out of memory. */
int strmap_put(struct strmap *m, const char *key, void *val);

/* The m->n entries in key order, in a malloc'd array (NULL when out of
 * memory).  The keys and values are m's own. */
struct strmap_entry *strmap_sorted(const struct strmap *m);

/* Free the keys, each value with free_val (when not NULL), and the table;
 * m is empty again. */
void strmap_free(struct strmap *m, void (*free_val)(void *));

#endif
