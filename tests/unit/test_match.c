/* test_match.c - the outstanding-query table: pairing, what does not pair,
 * retries, timeouts by the caller's clock, eviction, and 65,536 entries. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "match/match.h"

#define SEC 1000000000LL
#define MS  1000000LL

/* What the callback saw, copied (the result is valid only during it). */
struct seen {
	enum match_kind kind;
	char name[256];
	uint16_t txid;
	uintptr_t user;
	uint32_t retries;
	int64_t ts_ns, latency_us, latency_last_us, waited_ms;
	int end_of_input, has_query, has_response;
	uint16_t resp_txid;
};

static struct seen seen[70000];
static size_t nseen;

static void record(const struct match_result *r, void *ctx)
{
	struct seen *s = &seen[nseen < sizeof(seen) / sizeof(seen[0]) ? nseen : 0];

	(void)ctx;
	memset(s, 0, sizeof(*s));
	s->kind = r->kind;
	s->has_query = r->query != NULL;
	s->has_response = r->response != NULL;
	if (r->query) {
		snprintf(s->name, sizeof(s->name), "%s", r->query->name);
		s->txid = r->query->txid;
		s->user = (uintptr_t)r->query->user;
	}
	if (r->response)
		s->resp_txid = r->response->txid;
	s->retries = r->retries;
	s->ts_ns = r->ts_ns;
	s->latency_us = r->latency_us;
	s->latency_last_us = r->latency_last_us;
	s->waited_ms = r->waited_ms;
	s->end_of_input = r->end_of_input;
	nseen++;
}

static struct matcher *new_matcher(uint32_t max, int64_t timeout)
{
	struct matcher *m;
	struct match_opts o = {
	    .max_pending = max, .timeout_ns = timeout, .seed = 42, .on_result = record};

	nseen = 0;
	m = match_new(&o);
	if (!m)
		abort();
	return m;
}

/* Client 10.0.0.<client>:<port> -> 10.0.0.53:53, UDP. */
static struct match_query query(uint8_t client, uint16_t port, uint16_t txid, const char *name,
				int64_t ts)
{
	struct match_query q = {.ts_ns = ts, .txid = txid, .qtype = 1, .qclass = 1, .name = name};

	q.flow.family = AF_INET;
	q.flow.proto = IPPROTO_UDP;
	memcpy(q.flow.saddr, (uint8_t[]){10, 0, 0, client}, 4);
	memcpy(q.flow.daddr, (uint8_t[]){10, 0, 0, 53}, 4);
	q.flow.sport = port;
	q.flow.dport = 53;
	q.user = (void *)(uintptr_t)(txid + 1);
	return q;
}

/* The response to q, at ts. */
static struct match_response answer(const struct match_query *q, int64_t ts)
{
	struct match_response r = {.ts_ns = ts,
				   .txid = q->txid,
				   .has_question = 1,
				   .qtype = q->qtype,
				   .qclass = q->qclass,
				   .name = q->name};

	r.flow = q->flow;
	memcpy(r.flow.saddr, q->flow.daddr, 16);
	memcpy(r.flow.daddr, q->flow.saddr, 16);
	r.flow.sport = q->flow.dport;
	r.flow.dport = q->flow.sport;
	return r;
}

/* Every query kept came back once or is still pending. */
static void check_accounting(const struct matcher *m)
{
	const struct match_stats *s = match_stats(m);

	CHECK_INT(s->queries,
		  s->retries + s->untracked + s->paired + s->timeouts + s->evicted + s->pending);
	CHECK_INT(s->responses, s->paired + s->unsolicited);
}

static void test_pairing(void)
{
	struct matcher *m = new_matcher(0, 0);
	struct match_query q = query(1, 40000, 0xabcd, "example.com", 10 * SEC);
	struct match_response r = answer(&q, 10 * SEC + 1234567);

	CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
	CHECK_INT(match_stats(m)->pending, 1);
	match_response(m, &r);
	CHECK_INT(nseen, 1);
	CHECK_INT(seen[0].kind, MATCH_PAIRED);
	CHECK_STR(seen[0].name, "example.com");
	CHECK_INT(seen[0].txid, 0xabcd);
	CHECK_INT(seen[0].user, 0xabcd + 1);
	CHECK_INT(seen[0].has_response, 1);
	CHECK_INT(seen[0].latency_us, 1234);
	CHECK_INT(seen[0].latency_last_us, 1234);
	CHECK_INT(seen[0].retries, 0);
	CHECK_INT(seen[0].ts_ns, 10 * SEC + 1234567);
	CHECK_INT(match_stats(m)->pending, 0);
	CHECK_INT(match_stats(m)->paired, 1);
	/* The same response again: its query is gone. */
	match_response(m, &r);
	CHECK_INT(seen[1].kind, MATCH_UNSOLICITED);
	CHECK_INT(seen[1].has_query, 0);
	CHECK_INT(seen[1].resp_txid, 0xabcd);
	CHECK_INT(match_stats(m)->unsolicited, 1);
	check_accounting(m);
	match_free(m);
}

/* One query; each response differs from its answer in one respect and is
 * unsolicited, and the query still pairs with the right one afterwards. */
static void test_not_matching(void)
{
	struct matcher *m = new_matcher(0, 0);
	struct match_query q = query(1, 40000, 7, "example.com", SEC);
	struct match_response good = answer(&q, 2 * SEC), r;
	unsigned n = 0;

	match_query(m, &q);
	r = good, r.name = "example.org", n++;
	match_response(m, &r);
	r = good, r.qtype = 28, n++;
	match_response(m, &r);
	r = good, r.qclass = 3, n++;
	match_response(m, &r);
	r = good, r.txid = 8, n++;
	match_response(m, &r);
	r = good, r.flow.sport = 5353, n++; /* from the wrong server port */
	match_response(m, &r);
	r = good, r.flow.dport = 40001, n++; /* to another client socket */
	match_response(m, &r);
	r = good, r.flow.saddr[3] = 54, n++; /* from another server */
	match_response(m, &r);
	r = good, r.flow.daddr[3] = 2, n++;
	match_response(m, &r);
	r = good, r.flow.proto = IPPROTO_TCP, n++;
	match_response(m, &r);
	r = good, r.flow.netns = 4026531993u, n++; /* another network namespace */
	match_response(m, &r);
	r = good, r.flow.family = AF_INET6, n++;
	match_response(m, &r);
	r = good, r.has_question = 0, r.txid = 9, n++; /* no question, other id */
	match_response(m, &r);
	CHECK_INT(nseen, n);
	for (size_t i = 0; i < nseen; i++)
		CHECK_INT(seen[i].kind, MATCH_UNSOLICITED);
	CHECK_INT(match_stats(m)->unsolicited, n);
	CHECK_INT(match_stats(m)->pending, 1);

	/* Case does not matter in names; IPv4 bytes past the 4th are not
	 * looked at. */
	r = good, r.name = "EXAMPLE.Com", r.flow.saddr[9] = 0xee;
	match_response(m, &r);
	CHECK_INT(seen[n].kind, MATCH_PAIRED);
	CHECK_STR(seen[n].name, "example.com");
	check_accounting(m);
	match_free(m);
}

/* A FORMERR without a question pairs by socket and id. */
static void test_no_question(void)
{
	struct matcher *m = new_matcher(0, 0);
	struct match_query q = query(1, 40000, 77, "example.com", SEC);
	struct match_response r = answer(&q, SEC + 5 * MS);

	match_query(m, &q);
	r.has_question = 0;
	r.name = NULL;
	match_response(m, &r);
	CHECK_INT(seen[0].kind, MATCH_PAIRED);
	CHECK_INT(seen[0].latency_us, 5000);
	match_free(m);
}

static void test_retries(void)
{
	struct matcher *m = new_matcher(0, 5 * SEC);
	struct match_query q = query(1, 40000, 100, "example.com", 0);
	struct match_response r;

	CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
	q.ts_ns = 1 * SEC;
	CHECK_INT(match_query(m, &q), MATCH_Q_RETRY);
	q.ts_ns = 2 * SEC, q.txid = 101; /* a retry with a new id */
	CHECK_INT(match_query(m, &q), MATCH_Q_RETRY);
	CHECK_INT(match_stats(m)->pending, 1);
	CHECK_INT(match_stats(m)->retries, 2);
	r = answer(&q, 2 * SEC + 300 * MS); /* answers the id 101 */
	match_response(m, &r);
	CHECK_INT(nseen, 1);
	CHECK_INT(seen[0].kind, MATCH_PAIRED);
	CHECK_INT(seen[0].retries, 2);
	CHECK_INT(seen[0].txid, 100); /* the record is the first transmission's */
	CHECK_INT(seen[0].user, 101);
	CHECK_INT(seen[0].latency_us, 2300000);
	CHECK_INT(seen[0].latency_last_us, 300000);
	check_accounting(m);

	/* Each retry pushes the deadline: timed out 5 s after the last. */
	q = query(2, 40000, 200, "slow.example", 10 * SEC);
	match_query(m, &q);
	q.ts_ns = 14 * SEC;
	match_query(m, &q);
	match_advance(m, 16 * SEC);
	CHECK_INT(nseen, 1);
	match_advance(m, 19 * SEC);
	CHECK_INT(nseen, 2);
	CHECK_INT(seen[1].kind, MATCH_TIMEOUT);
	CHECK_INT(seen[1].retries, 1);
	CHECK_INT(seen[1].waited_ms, 9000);
	CHECK_INT(seen[1].ts_ns, 19 * SEC);

	/* The same question from another socket is another query. */
	q = query(3, 40000, 300, "example.com", 20 * SEC);
	CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
	q.flow.sport = 40001;
	CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
	q.qtype = 28; /* and another question from the same socket */
	CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
	CHECK_INT(match_stats(m)->pending, 3);
	check_accounting(m);
	match_free(m);
}

/* Retries with more ids than are kept: the first and the latest answer. */
static void test_retry_ids(void)
{
	struct matcher *m = new_matcher(0, 0);
	struct match_query q = query(1, 40000, 1, "example.com", 0);
	struct match_response r;

	match_query(m, &q);
	for (uint16_t id = 2; id <= 9; id++) {
		q.txid = id;
		match_query(m, &q);
	}
	r = answer(&q, SEC);
	r.txid = 2; /* rotated out */
	match_response(m, &r);
	CHECK_INT(seen[0].kind, MATCH_UNSOLICITED);
	r.txid = 9;
	match_response(m, &r);
	CHECK_INT(seen[1].kind, MATCH_PAIRED);
	CHECK_INT(seen[1].retries, 8);
	match_free(m);
}

static void test_timeouts(void)
{
	struct matcher *m = new_matcher(0, 5 * SEC);
	struct match_query a = query(1, 1000, 1, "a.example", 100 * SEC);
	struct match_query b = query(1, 1001, 2, "b.example", 101 * SEC);
	struct match_response ra = answer(&a, 106 * SEC);

	match_advance(m, 100 * SEC);
	match_query(m, &a);
	match_query(m, &b);
	match_advance(m, 105 * SEC - 1);
	CHECK_INT(nseen, 0);
	match_advance(m, 105 * SEC);
	CHECK_INT(nseen, 1);
	CHECK_INT(seen[0].kind, MATCH_TIMEOUT);
	CHECK_STR(seen[0].name, "a.example");
	CHECK_INT(seen[0].waited_ms, 5000);
	CHECK_INT(seen[0].has_response, 0);
	CHECK_INT(seen[0].end_of_input, 0);
	/* The late answer matches nothing. */
	match_response(m, &ra);
	CHECK_INT(seen[1].kind, MATCH_UNSOLICITED);
	/* A clock that jumps far ahead times out everything due, stamped at
	 * each deadline, not at the jump. */
	match_advance(m, 500 * SEC);
	CHECK_INT(seen[2].kind, MATCH_TIMEOUT);
	CHECK_INT(seen[2].ts_ns, 106 * SEC);
	CHECK_INT(seen[2].waited_ms, 5000);
	CHECK_INT(match_stats(m)->timeouts, 2);
	check_accounting(m);
	match_free(m);
}

static void test_time_backwards(void)
{
	struct matcher *m = new_matcher(0, 5 * SEC);
	struct match_query q = query(1, 1000, 1, "a.example", 90 * SEC);
	struct match_response r;

	match_advance(m, 100 * SEC);
	match_advance(m, 50 * SEC);
	CHECK_INT(match_stats(m)->clock_backwards, 1);
	/* A query stamped before the clock waits from the clock. */
	match_query(m, &q);
	match_advance(m, 99 * SEC); /* backwards again: ignored, nothing due */
	CHECK_INT(match_stats(m)->clock_backwards, 2);
	match_advance(m, 105 * SEC - 1);
	CHECK_INT(nseen, 0);
	match_advance(m, 105 * SEC);
	CHECK_INT(nseen, 1);
	CHECK_INT(seen[0].kind, MATCH_TIMEOUT);
	CHECK_INT(seen[0].waited_ms, 15000);

	/* Timeouts stay in deadline order when query times go backwards. */
	q = query(1, 1001, 2, "b.example", 200 * SEC);
	match_query(m, &q);
	q = query(1, 1002, 3, "c.example", 150 * SEC);
	match_query(m, &q);
	match_advance(m, 204 * SEC);
	CHECK_INT(nseen, 1);
	match_advance(m, 205 * SEC);
	CHECK_INT(nseen, 3);
	CHECK_STR(seen[1].name, "b.example");
	CHECK_STR(seen[2].name, "c.example");

	/* A response stamped before its query: latency 0, counted. */
	q = query(1, 1003, 4, "d.example", 300 * SEC);
	match_query(m, &q);
	r = answer(&q, 299 * SEC);
	match_response(m, &r);
	CHECK_INT(seen[3].kind, MATCH_PAIRED);
	CHECK_INT(seen[3].latency_us, 0);
	CHECK_INT(match_stats(m)->latency_clamped, 1);
	check_accounting(m);
	match_free(m);
}

static void test_eviction(void)
{
	struct matcher *m = new_matcher(4, 5 * SEC);
	char names[6][16];

	for (int i = 0; i < 6; i++) {
		struct match_query q;

		snprintf(names[i], sizeof(names[i]), "n%d.example", i);
		q = query(1, (uint16_t)(1000 + i), (uint16_t)i, names[i], i * MS);
		CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
	}
	CHECK_INT(match_stats(m)->pending, 4);
	CHECK_INT(match_stats(m)->evicted, 2);
	CHECK_INT(nseen, 2);
	CHECK_INT(seen[0].kind, MATCH_EVICTED);
	CHECK_STR(seen[0].name, "n0.example");
	CHECK_INT(seen[0].user, 1);
	CHECK_INT(seen[0].waited_ms, 4); /* at the latest time seen, 4 ms */
	CHECK_STR(seen[1].name, "n1.example");
	check_accounting(m);
	match_free(m);
}

static void test_flush(void)
{
	struct matcher *m = new_matcher(0, 5 * SEC);
	struct match_query q = query(1, 1000, 1, "a.example", 0);

	match_query(m, &q);
	q = query(1, 1001, 2, "b.example", 3 * SEC);
	match_query(m, &q);
	match_advance(m, 4 * SEC);
	q = query(1, 1002, 3, "c.example", 10 * SEC); /* due, clock not advanced */
	match_query(m, &q);
	q = query(1, 1003, 4, "d.example", 16 * SEC);
	match_query(m, &q);
	match_flush(m);
	CHECK_INT(nseen, 4);
	CHECK_INT(seen[0].end_of_input, 0);
	CHECK_INT(seen[0].waited_ms, 5000);
	CHECK_INT(seen[1].end_of_input, 0);
	CHECK_INT(seen[2].end_of_input, 0);
	CHECK_STR(seen[3].name, "d.example");
	CHECK_INT(seen[3].end_of_input, 1);
	CHECK_INT(seen[3].waited_ms, 0);
	CHECK_INT(match_stats(m)->flushed, 1);
	CHECK_INT(match_stats(m)->pending, 0);
	check_accounting(m);
	match_free(m);
}

/* A name longer than an entry holds is kept beside it and let go. */
static void test_long_names(void)
{
	struct matcher *m = new_matcher(0, 0);
	char name[254];
	size_t base = match_memory(m);
	struct match_query q;
	struct match_response r;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	q = query(1, 1000, 1, name, 0);
	match_query(m, &q);
	CHECK_INT(match_memory(m), base + sizeof(name));
	r = answer(&q, SEC);
	r.name = "XXXX";
	match_response(m, &r);
	CHECK_INT(seen[0].kind, MATCH_UNSOLICITED);
	r.name = name;
	match_response(m, &r);
	CHECK_INT(seen[1].kind, MATCH_PAIRED);
	CHECK_STR(seen[1].name, name);
	CHECK_INT(match_memory(m), base);
	match_free(m);
}

static void test_bad_options(void)
{
	struct match_opts o = {.on_result = NULL};

	errno = 0;
	CHECK(match_new(&o) == NULL);
	CHECK_INT(errno, EINVAL);
	o.on_result = record;
	o.timeout_ns = -1;
	CHECK(match_new(&o) == NULL);
	o.timeout_ns = 0;
	o.max_pending = UINT32_MAX;
	CHECK(match_new(&o) == NULL);
}

/* The default table holds 65,536 queries; one more evicts the oldest;
 * then every one still pending pairs. */
static void test_full_default_table(void)
{
	struct matcher *m = new_matcher(0, 0);
	const uint32_t n = MATCH_DEFAULT_MAX_PENDING;
	struct match_query q;
	size_t pairs = 0;

	for (uint32_t i = 0; i <= n; i++) {
		q = query((uint8_t)(i >> 16), (uint16_t)i, (uint16_t)(i * 7), "svc.example", i);
		q.flow.saddr[2] = (uint8_t)(i >> 16);
		match_query(m, &q);
	}
	CHECK_INT(match_stats(m)->pending, n);
	CHECK_INT(match_stats(m)->pending_max, n);
	CHECK_INT(match_stats(m)->evicted, 1);
	CHECK_INT(seen[0].kind, MATCH_EVICTED);
	CHECK_INT(seen[0].txid, 0);
	CHECK(match_memory(m) < 16u * 1024 * 1024);
	for (uint32_t i = 1; i <= n; i++) {
		struct match_response r;

		q = query((uint8_t)(i >> 16), (uint16_t)i, (uint16_t)(i * 7), "svc.example", i);
		q.flow.saddr[2] = (uint8_t)(i >> 16);
		r = answer(&q, i + 1000);
		match_response(m, &r);
	}
	for (size_t i = 1; i < nseen; i++)
		pairs += seen[i].kind == MATCH_PAIRED && seen[i].latency_us == 1;
	CHECK_INT(pairs, n);
	CHECK_INT(match_stats(m)->pending, 0);
	check_accounting(m);
	match_free(m);
}

/* A response's arrival (live UDP: the kernel's receive stamp) is its time
 * for the latency when it lies between the query's send and the receive;
 * otherwise (none, stale, or past the receive: clocks apart) the receive. */
static void test_arrival(void)
{
	static const struct {
		int64_t arrival, want_us;
	} cases[] = {
	    {10 * SEC + 800000, 800},	    /* read 300 ms after it came */
	    {10 * SEC, 0},		    /* the send's own ns: still between */
	    {0, 300800},		    /* not stamped */
	    {10 * SEC - 1, 300800},	    /* before the query: stale */
	    {10 * SEC + 300800001, 300800}, /* after the receive */
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct matcher *m = new_matcher(0, 0);
		struct match_query q = query(1, 40000, 0x1234, "slow.example", 10 * SEC);
		struct match_response r = answer(&q, 10 * SEC + 300800000);

		r.arrival_ns = cases[i].arrival;
		CHECK_INT(match_query(m, &q), MATCH_Q_NEW);
		match_response(m, &r);
		CHECK_INT(nseen, 1);
		CHECK_INT(seen[0].kind, MATCH_PAIRED);
		CHECK_INT(seen[0].latency_us, cases[i].want_us);
		CHECK_INT(seen[0].latency_last_us, cases[i].want_us);
		CHECK_INT(seen[0].ts_ns, 10 * SEC + 300800000); /* the record keeps the receive */
		CHECK_INT(match_stats(m)->latency_clamped, 0);
		match_free(m);
	}
}

int main(void)
{
	test_pairing();
	test_arrival();
	test_not_matching();
	test_no_question();
	test_retries();
	test_retry_ids();
	test_timeouts();
	test_time_backwards();
	test_eviction();
	test_flush();
	test_long_names();
	test_bad_options();
	test_full_default_table();
	return check_report("test_match");
}
