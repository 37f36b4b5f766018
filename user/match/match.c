/* match.c - see match.h.
 *
 * Entries live in one pool array that grows by doubling up to max_pending
 * and are linked by index, so growing moves no link.  Two chained hash
 * indexes find them: by (socket, question), for retries and for responses
 * with a question, and by (socket, first txid), for responses without one.
 * An age list orders them by deadline: a new or retried query gets a
 * deadline no earlier than any before it (its base time is the latest of
 * its own time, the clock and every earlier base), so it goes to the young
 * end, timeouts come off the old end, and so does an eviction.
 */
#include "match/match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NIL	     UINT32_MAX
#define NAME_INLINE  48
#define INITIAL_CAP  1024
#define MAX_PENDING  (1u << 30)
#define NS_PER_US    1000
#define NS_PER_MS    1000000
#define TIME_UNKNOWN INT64_MIN

struct pending {
	struct match_flow flow; /* the query's: client -> server */
	int64_t first_ns, last_ns, deadline_ns;
	void *user;
	char *name_heap; /* NULL: the name is in name_inline */
	uint32_t hash_q, hash_t;
	uint32_t next_q, next_t; /* hash chains */
	uint32_t older, newer;	 /* age list; the free list uses newer */
	uint32_t retries;
	uint16_t txid[MATCH_TXIDS_KEPT];
	uint8_t ntxids, opcode;
	uint16_t qtype, qclass;
	char name_inline[NAME_INLINE];
};

struct matcher {
	struct match_opts o;
	struct pending *pool;
	uint32_t cap, used, free_head; /* used: pool slots ever handed out */
	uint32_t *buckets_q, *buckets_t, mask;
	uint32_t oldest, newest;
	int64_t now, base, latest; /* clock; last deadline base; latest time seen */
	size_t name_bytes;	   /* names kept outside the entries */
	struct match_stats st;
};

/* ---- hashing and comparing ------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static uint64_t load64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n < 8 ? n : 8);
	return v;
}

static uint64_t hash_flow(const struct matcher *m, const struct match_flow *f)
{
	size_t n = addr_len(f->family);
	uint64_t h = mix(mix(m->o.seed, f->netns), f->sock);

	h = mix(h, (uint64_t)(uint32_t)f->family | (uint64_t)f->proto << 32);
	h = mix(h, (uint64_t)f->sport | (uint64_t)f->dport << 16);
	h = mix(h, load64(f->saddr, n));
	h = mix(h, load64(f->daddr, n));
	if (n > 8) {
		h = mix(h, load64(f->saddr + 8, 8));
		h = mix(h, load64(f->daddr + 8, 8));
	}
	return h;
}

static uint8_t fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static uint32_t hash_question(uint64_t h, uint16_t qtype, uint16_t qclass, const char *name)
{
	h = mix(h, (uint64_t)qtype << 16 | qclass);
	for (const uint8_t *p = (const uint8_t *)name; *p; p++)
		h = (h ^ fold(*p)) * 0x100000001b3ull;
	return (uint32_t)(mix(h, 0) >> 32);
}

static uint32_t hash_txid(uint64_t h, uint16_t txid)
{
	return (uint32_t)(mix(h, 0x10000u | txid) >> 32);
}

static int same_flow(const struct match_flow *a, const struct match_flow *b)
{
	size_t n = addr_len(a->family);

	return a->netns == b->netns && a->sock == b->sock && a->family == b->family &&
	       a->proto == b->proto && a->sport == b->sport && a->dport == b->dport &&
	       memcmp(a->saddr, b->saddr, n) == 0 && memcmp(a->daddr, b->daddr, n) == 0;
}

static int same_name(const char *a, const char *b)
{
	while (*a && fold((uint8_t)*a) == fold((uint8_t)*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

static const char *entry_name(const struct pending *e)
{
	return e->name_heap ? e->name_heap : e->name_inline;
}

/* ---- the indexes ------------------------------------------------------ */

static uint32_t *bucket_q(struct matcher *m, uint32_t hash)
{
	return &m->buckets_q[hash & m->mask];
}

static uint32_t *bucket_t(struct matcher *m, uint32_t hash)
{
	return &m->buckets_t[hash & m->mask];
}

static void index_entry(struct matcher *m, uint32_t i)
{
	struct pending *e = &m->pool[i];
	uint32_t *bq = bucket_q(m, e->hash_q), *bt = bucket_t(m, e->hash_t);

	e->next_q = *bq;
	*bq = i;
	e->next_t = *bt;
	*bt = i;
}

static void unindex_entry(struct matcher *m, uint32_t i)
{
	struct pending *e = &m->pool[i];
	uint32_t *p;

	for (p = bucket_q(m, e->hash_q); *p != i; p = &m->pool[*p].next_q)
		;
	*p = e->next_q;
	for (p = bucket_t(m, e->hash_t); *p != i; p = &m->pool[*p].next_t)
		;
	*p = e->next_t;
}

static uint32_t find_question(struct matcher *m, const struct match_flow *f, uint16_t qtype,
			      uint16_t qclass, const char *name)
{
	uint32_t h = hash_question(hash_flow(m, f), qtype, qclass, name);

	for (uint32_t i = *bucket_q(m, h); i != NIL; i = m->pool[i].next_q) {
		const struct pending *e = &m->pool[i];

		if (e->hash_q == h && e->qtype == qtype && e->qclass == qclass &&
		    same_flow(&e->flow, f) && same_name(entry_name(e), name))
			return i;
	}
	return NIL;
}

static uint32_t find_txid(struct matcher *m, const struct match_flow *f, uint16_t txid)
{
	uint32_t h = hash_txid(hash_flow(m, f), txid);

	for (uint32_t i = *bucket_t(m, h); i != NIL; i = m->pool[i].next_t) {
		const struct pending *e = &m->pool[i];

		if (e->hash_t == h && e->txid[0] == txid && same_flow(&e->flow, f))
			return i;
	}
	return NIL;
}

/* ---- the age list and the pool ---------------------------------------- */

static void age_unlink(struct matcher *m, uint32_t i)
{
	struct pending *e = &m->pool[i];

	if (e->older != NIL)
		m->pool[e->older].newer = e->newer;
	else
		m->oldest = e->newer;
	if (e->newer != NIL)
		m->pool[e->newer].older = e->older;
	else
		m->newest = e->older;
}

static void age_append(struct matcher *m, uint32_t i)
{
	struct pending *e = &m->pool[i];

	e->newer = NIL;
	e->older = m->newest;
	if (m->newest != NIL)
		m->pool[m->newest].newer = i;
	else
		m->oldest = i;
	m->newest = i;
}

/* Buckets for cap entries (a power of two, at least cap), every live
 * entry indexed again. */
static int rebuild_buckets(struct matcher *m, uint32_t cap)
{
	uint32_t n = 1;
	uint32_t *bq, *bt;

	while (n < cap)
		n <<= 1;
	bq = malloc((size_t)n * sizeof(*bq));
	bt = malloc((size_t)n * sizeof(*bt));
	if (!bq || !bt) {
		free(bq);
		free(bt);
		return -1;
	}
	memset(bq, 0xff, (size_t)n * sizeof(*bq));
	memset(bt, 0xff, (size_t)n * sizeof(*bt));
	free(m->buckets_q);
	free(m->buckets_t);
	m->buckets_q = bq;
	m->buckets_t = bt;
	m->mask = n - 1;
	for (uint32_t i = m->oldest; i != NIL; i = m->pool[i].newer)
		index_entry(m, i);
	return 0;
}

static int grow(struct matcher *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : INITIAL_CAP;
	struct pending *pool;

	if (cap > m->o.max_pending || cap < m->cap)
		cap = m->o.max_pending;
	pool = realloc(m->pool, (size_t)cap * sizeof(*pool));
	if (!pool)
		return -1;
	m->pool = pool;
	m->cap = cap;
	return cap > m->mask + 1 || !m->buckets_q ? rebuild_buckets(m, cap) : 0;
}

static void release(struct matcher *m, uint32_t i)
{
	struct pending *e = &m->pool[i];

	if (e->name_heap) {
		m->name_bytes -= strlen(e->name_heap) + 1;
		free(e->name_heap);
		e->name_heap = NULL;
	}
	e->user = NULL;
	e->newer = m->free_head;
	m->free_head = i;
	m->st.pending--;
}

/* ---- results ---------------------------------------------------------- */

/* (to - from) / unit, 0 when to is not later; no overflow for any times
 * (they are the caller's, and a capture's can be anything). */
static int64_t span(int64_t from, int64_t to, int64_t unit)
{
	if (to <= from)
		return 0;
	return (int64_t)(((uint64_t)to - (uint64_t)from) / (uint64_t)unit);
}

static int64_t deadline_after(int64_t base, int64_t timeout)
{
	return base > INT64_MAX - timeout ? INT64_MAX : base + timeout;
}

/* Take entry i out of the table and hand it back in result r. */
static void finish(struct matcher *m, uint32_t i, const struct match_result *r)
{
	struct pending *e = &m->pool[i];
	struct match_query q = {
	    .flow = e->flow,
	    .ts_ns = e->first_ns,
	    .txid = e->txid[0],
	    .opcode = e->opcode,
	    .qtype = e->qtype,
	    .qclass = e->qclass,
	    .name = entry_name(e),
	    .user = e->user,
	};

	struct match_result res = *r;

	unindex_entry(m, i);
	age_unlink(m, i);
	res.query = &q;
	res.retries = e->retries;
	if (res.kind != MATCH_PAIRED)
		res.waited_ms = span(e->first_ns, res.ts_ns, NS_PER_MS);
	m->o.on_result(&res, m->o.ctx);
	release(m, i);
}

static void time_out(struct matcher *m, uint32_t i, int64_t at, int end_of_input)
{
	struct match_result r = {.kind = MATCH_TIMEOUT, .ts_ns = at, .end_of_input = end_of_input};

	m->st.timeouts++;
	m->st.flushed += (uint64_t)end_of_input;
	finish(m, i, &r);
}

static void evict_oldest(struct matcher *m)
{
	struct match_result r = {.kind = MATCH_EVICTED, .ts_ns = m->latest};

	m->st.evicted++;
	finish(m, m->oldest, &r);
}

/* ---- the API ---------------------------------------------------------- */

struct matcher *match_new(const struct match_opts *o)
{
	struct matcher *m;

	if (!o->on_result || o->timeout_ns < 0 || o->max_pending > MAX_PENDING) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->o = *o;
	if (!m->o.max_pending)
		m->o.max_pending = MATCH_DEFAULT_MAX_PENDING;
	if (!m->o.timeout_ns)
		m->o.timeout_ns = MATCH_DEFAULT_TIMEOUT_NS;
	m->free_head = m->oldest = m->newest = NIL;
	m->now = m->base = m->latest = TIME_UNKNOWN;
	if (grow(m)) {
		match_free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void match_free(struct matcher *m)
{
	if (!m)
		return;
	for (uint32_t i = m->oldest; i != NIL; i = m->pool[i].newer)
		free(m->pool[i].name_heap);
	free(m->pool);
	free(m->buckets_q);
	free(m->buckets_t);
	free(m);
}

static void see_time(struct matcher *m, int64_t t)
{
	if (t > m->latest)
		m->latest = t;
}

/* A free entry: a reused one, a new one, or the oldest evicted. */
static uint32_t take_entry(struct matcher *m)
{
	uint32_t i;

	if (m->free_head == NIL && m->used == m->cap && (m->cap == m->o.max_pending || grow(m)))
		evict_oldest(m);
	if (m->free_head != NIL) {
		i = m->free_head;
		m->free_head = m->pool[i].newer;
	} else if (m->used < m->cap) {
		i = m->used++;
	} else {
		return NIL; /* max_pending already reached and nothing to evict */
	}
	m->st.pending++;
	return i;
}

static int keep_name(struct matcher *m, struct pending *e, const char *name)
{
	size_t n = strlen(name) + 1;

	e->name_heap = NULL;
	if (n <= NAME_INLINE) {
		memcpy(e->name_inline, name, n);
		return 0;
	}
	e->name_heap = malloc(n);
	if (!e->name_heap)
		return -1;
	memcpy(e->name_heap, name, n);
	m->name_bytes += n;
	return 0;
}

static void retry(struct matcher *m, uint32_t i, const struct match_query *q)
{
	struct pending *e = &m->pool[i];
	int known = 0;

	m->st.retries++;
	e->retries++;
	e->last_ns = q->ts_ns;
	for (unsigned k = 0; k < e->ntxids; k++)
		known |= e->txid[k] == q->txid;
	if (!known && e->ntxids < MATCH_TXIDS_KEPT)
		e->txid[e->ntxids++] = q->txid;
	else if (!known) /* keep the first (it indexes the entry), rotate the rest */
		e->txid[1 + e->retries % (MATCH_TXIDS_KEPT - 1)] = q->txid;
	age_unlink(m, i);
	e->deadline_ns = deadline_after(m->base, m->o.timeout_ns);
	age_append(m, i);
}

static int64_t max3(int64_t a, int64_t b, int64_t c)
{
	int64_t x = a > b ? a : b;

	return x > c ? x : c;
}

enum match_query_status match_query(struct matcher *m, const struct match_query *q)
{
	uint64_t hf = hash_flow(m, &q->flow);
	uint32_t i;
	struct pending *e;

	m->st.queries++;
	see_time(m, q->ts_ns);
	m->base = max3(m->base, q->ts_ns, m->now);
	i = find_question(m, &q->flow, q->qtype, q->qclass, q->name);
	if (i != NIL) {
		retry(m, i, q);
		return MATCH_Q_RETRY;
	}
	i = take_entry(m);
	if (i == NIL || keep_name(m, &m->pool[i], q->name)) {
		if (i != NIL) {
			m->pool[i].name_heap = NULL;
			release(m, i);
		}
		m->st.untracked++;
		return MATCH_Q_NOMEM;
	}
	e = &m->pool[i];
	e->flow = q->flow;
	e->first_ns = e->last_ns = q->ts_ns;
	e->deadline_ns = deadline_after(m->base, m->o.timeout_ns);
	e->user = q->user;
	e->hash_q = hash_question(hf, q->qtype, q->qclass, q->name);
	e->hash_t = hash_txid(hf, q->txid);
	e->retries = 0;
	e->txid[0] = q->txid;
	e->ntxids = 1;
	e->opcode = q->opcode;
	e->qtype = q->qtype;
	e->qclass = q->qclass;
	index_entry(m, i);
	age_append(m, i);
	if (m->st.pending > m->st.pending_max)
		m->st.pending_max = m->st.pending;
	return MATCH_Q_NEW;
}

/* The outstanding query r answers, or NIL. */
static uint32_t answered(struct matcher *m, const struct match_response *r)
{
	struct match_flow f = {.netns = r->flow.netns,
			       .sock = r->flow.sock,
			       .family = r->flow.family,
			       .proto = r->flow.proto,
			       .sport = r->flow.dport,
			       .dport = r->flow.sport};
	uint32_t i;

	memcpy(f.saddr, r->flow.daddr, sizeof(f.saddr));
	memcpy(f.daddr, r->flow.saddr, sizeof(f.daddr));
	if (!r->has_question)
		return find_txid(m, &f, r->txid);
	i = find_question(m, &f, r->qtype, r->qclass, r->name);
	if (i == NIL)
		return NIL;
	for (unsigned k = 0; k < m->pool[i].ntxids; k++)
		if (m->pool[i].txid[k] == r->txid)
			return i;
	return NIL;
}

/* The response's time for entry i's latency: its arrival, when known and
 * between the query's first send and the receive (the clocks of a stamp
 * and of ts_ns are apart, and a stamp may be stale), else ts_ns. */
static int64_t answer_time(const struct matcher *m, uint32_t i, const struct match_response *r)
{
	int64_t a = r->arrival_ns;

	return a > 0 && a >= m->pool[i].first_ns && a <= r->ts_ns ? a : r->ts_ns;
}

int match_response_paired(struct matcher *m, const struct match_response *r)
{
	struct match_result res = {.response = r, .ts_ns = r->ts_ns, .kind = MATCH_PAIRED};
	int64_t t;
	uint32_t i;

	see_time(m, r->ts_ns);
	i = answered(m, r);
	if (i == NIL)
		return 0;
	m->st.responses++;
	m->st.paired++;
	if (r->ts_ns < m->pool[i].first_ns)
		m->st.latency_clamped++;
	t = answer_time(m, i, r);
	res.latency_us = span(m->pool[i].first_ns, t, NS_PER_US);
	res.latency_last_us = span(m->pool[i].last_ns, t, NS_PER_US);
	finish(m, i, &res);
	return 1;
}

void match_response(struct matcher *m, const struct match_response *r)
{
	struct match_result res = {.response = r, .ts_ns = r->ts_ns, .kind = MATCH_UNSOLICITED};

	if (match_response_paired(m, r))
		return;
	m->st.responses++;
	m->st.unsolicited++;
	m->o.on_result(&res, m->o.ctx);
}

void match_advance(struct matcher *m, int64_t now_ns)
{
	if (now_ns < m->now) {
		m->st.clock_backwards++;
		return;
	}
	m->now = now_ns;
	see_time(m, now_ns);
	while (m->oldest != NIL && m->pool[m->oldest].deadline_ns <= now_ns)
		time_out(m, m->oldest, m->pool[m->oldest].deadline_ns, 0);
}

void match_flush(struct matcher *m)
{
	while (m->oldest != NIL) {
		int64_t deadline = m->pool[m->oldest].deadline_ns;

		if (deadline <= m->latest)
			time_out(m, m->oldest, deadline, 0);
		else
			time_out(m, m->oldest, m->latest, 1);
	}
}

const struct match_stats *match_stats(const struct matcher *m)
{
	return &m->st;
}

size_t match_memory(const struct matcher *m)
{
	return sizeof(*m) + (size_t)m->cap * sizeof(struct pending) +
	       2 * ((size_t)m->mask + 1) * sizeof(uint32_t) + m->name_bytes;
}
