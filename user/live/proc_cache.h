/* proc_cache.h - the process records (kern/dnsvis.h struct dv_proc) the
 * kernel sent, kept so that each message record, which names its sender by
 * (tgid, proc_id), can be described.
 *
 * Bounded: PROC_CACHE_WAYS entries per bucket, the bucket chosen by tgid;
 * a full bucket gives up its least recently used entry (the evict callback
 * hears of it, so the loader can make the kernel describe that process
 * again).  A record is copied at its own length.  Entries of processes that
 * are gone, and older descriptions of a process described anew, go at the
 * second proc_cache_gc() that finds them so, so that messages still in
 * flight when a process exits or execs find their description. */
#ifndef DNSVIS_LIVE_PROC_CACHE_H
#define DNSVIS_LIVE_PROC_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct dv_proc;

#define PROC_CACHE_WAYS 8

struct proc_cache_ent {
	struct dv_proc *rec; /* NULL: free */
	uint64_t last_use;   /* proc_cache tick of the last lookup or insert */
	uint32_t len;	     /* bytes of rec */
	uint8_t stale;	     /* gc found it gone or superseded once */
};

typedef void (*proc_cache_evict_fn)(void *arg, uint32_t tgid, uint64_t proc_id);

struct proc_cache {
	struct proc_cache_ent *ent; /* nbuckets * PROC_CACHE_WAYS */
	unsigned nbuckets;	    /* a power of two */
	uint64_t tick;
	size_t count, bytes;		       /* entries and record bytes held */
	unsigned long long inserts, evictions; /* evictions: for room, not by gc */
	proc_cache_evict_fn evict;
	void *evict_arg;
};

/* An empty cache of nbuckets (rounded up to a power of two) buckets.
 * 0, or -1 without memory. */
int proc_cache_init(struct proc_cache *c, unsigned nbuckets);

/* Free everything. */
void proc_cache_free(struct proc_cache *c);

/* The record of (tgid, proc_id), or NULL. */
const struct dv_proc *proc_cache_get(struct proc_cache *c, uint32_t tgid, uint64_t proc_id);

/* Keep a copy of the len bytes of record p (a struct dv_proc read from its
 * perf_size field, len counted from there).  A record already held is kept
 * as it is.  0, or -1 without memory. */
int proc_cache_put(struct proc_cache *c, const struct dv_proc *p, size_t len);

/* Drop what was found gone (alive(tgid) == 0) or superseded (a newer record
 * of the same tgid is held) at the previous call and still is. */
void proc_cache_gc(struct proc_cache *c, int (*alive)(uint32_t tgid));

#endif
