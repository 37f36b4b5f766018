/* test_proc_cache.c - the process record cache of the live reader
 * (user/live/proc_cache.c): lookups by (tgid, proc_id), records copied at
 * their length, a full bucket giving up its least recently used entry (and
 * saying so), and the two-step forgetting of gone or superseded records. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live/proc_cache.h"
#include "kern/dnsvis.h"

static uint32_t evicted_tgid;
static uint64_t evicted_id;
static int nevicted;

static void on_evict(void *arg, uint32_t tgid, uint64_t proc_id)
{
	(void)arg;
	evicted_tgid = tgid;
	evicted_id = proc_id;
	nevicted++;
}

/* A record of tgid/proc_id with a command line of len bytes; its length. */
static size_t make(struct dv_proc *p, uint32_t tgid, uint64_t proc_id, unsigned len)
{
	memset(p, 0, sizeof(*p));
	p->h.type = DV_REC_PROC;
	p->tgid = tgid;
	p->proc_id = proc_id;
	p->cmdline_len = (unsigned short)len;
	memset(p->str, 'x', len);
	p->h.len = (unsigned short)(DV_PROC_FIXED - DV_REC_SKIP + len);
	return DV_PROC_FIXED + len;
}

static int alive_set[8];

static int alive(uint32_t tgid)
{
	return tgid < 8 && alive_set[tgid];
}

static void test_get_put(void)
{
	static struct dv_proc p;
	struct proc_cache c;
	const struct dv_proc *got;
	size_t len;

	CHECK_INT(proc_cache_init(&c, 3), 0);
	CHECK_INT(c.nbuckets, 4);
	len = make(&p, 7, 100, 5);
	CHECK_INT(proc_cache_put(&c, &p, len), 0);
	CHECK_INT(proc_cache_put(&c, &p, len), 0); /* already held: kept once */
	CHECK_INT(c.count, 1);
	CHECK_INT(c.bytes, len);
	p.str[0] = 'y'; /* the cache has its own copy */
	got = proc_cache_get(&c, 7, 100);
	CHECK(got && got->str[0] == 'x' && got->cmdline_len == 5);
	CHECK(proc_cache_get(&c, 7, 101) == NULL);
	CHECK(proc_cache_get(&c, 8, 100) == NULL);
	proc_cache_free(&c);
}

/* One bucket: PROC_CACHE_WAYS records fit, the next one evicts the least
 * recently used. */
static void test_evict(void)
{
	static struct dv_proc p;
	struct proc_cache c;

	CHECK_INT(proc_cache_init(&c, 1), 0);
	c.evict = on_evict;
	for (unsigned i = 0; i < PROC_CACHE_WAYS; i++)
		proc_cache_put(&c, &p, make(&p, 1 + i, 10 + i, 3));
	CHECK_INT(nevicted, 0);
	CHECK(proc_cache_get(&c, 1, 10) != NULL); /* 1 used recently; 2 is the oldest */
	proc_cache_put(&c, &p, make(&p, 99, 1, 3));
	CHECK_INT(nevicted, 1);
	CHECK_INT(evicted_tgid, 2);
	CHECK_INT(evicted_id, 11);
	CHECK_INT(c.evictions, 1);
	CHECK_INT(c.count, PROC_CACHE_WAYS);
	CHECK(proc_cache_get(&c, 2, 11) == NULL);
	CHECK(proc_cache_get(&c, 99, 1) != NULL);
	proc_cache_free(&c);
}

/* Gone or superseded: kept through one gc (messages still in flight),
 * dropped at the second; a live current record stays. */
static void test_gc(void)
{
	static struct dv_proc p;
	struct proc_cache c;

	CHECK_INT(proc_cache_init(&c, 1), 0);
	alive_set[1] = alive_set[2] = 1;
	proc_cache_put(&c, &p, make(&p, 1, 10, 3)); /* superseded by 1/20 */
	proc_cache_put(&c, &p, make(&p, 1, 20, 3));
	proc_cache_put(&c, &p, make(&p, 2, 30, 3));
	proc_cache_put(&c, &p, make(&p, 3, 40, 3)); /* gone */
	proc_cache_gc(&c, alive);
	CHECK_INT(c.count, 4);
	CHECK(proc_cache_get(&c, 1, 10) && proc_cache_get(&c, 3, 40));
	proc_cache_gc(&c, alive);
	CHECK_INT(c.count, 2);
	CHECK(proc_cache_get(&c, 1, 10) == NULL && proc_cache_get(&c, 3, 40) == NULL);
	CHECK(proc_cache_get(&c, 1, 20) && proc_cache_get(&c, 2, 30));
	/* gone once, back (not gone) at the next gc: kept */
	alive_set[2] = 0;
	proc_cache_gc(&c, alive);
	alive_set[2] = 1;
	proc_cache_gc(&c, alive);
	proc_cache_gc(&c, alive);
	CHECK(proc_cache_get(&c, 2, 30) != NULL);
	CHECK_INT(c.bytes, 2 * (DV_PROC_FIXED + 3));
	proc_cache_free(&c);
}

int main(void)
{
	test_get_put();
	test_evict();
	test_gc();
	return check_report("proc_cache");
}
