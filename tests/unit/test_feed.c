/* test_feed.c - the response path (match/feed.h) and its records
 * (output_outcome): a query event and its decoded response become one
 * response record with the query's fields; a query with no answer becomes
 * a timeout by the clock and at the end of input; a response nobody asked
 * for is unsolicited; and the json and text lines say so. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "dns_build.h"
#include "match/feed.h"
#include "output/output.h"

#define MS 1000000LL

static char lines[8][2048];
static int nlines;
static struct dnsvis_outcome last[8];
static const struct output_opts json_opts = {.format = OUTPUT_JSON};
static const struct output_opts text_opts = {.format = OUTPUT_TEXT};
static int text_mode;

static void emit(void *ctx, const struct dnsvis_outcome *o)
{
	FILE *f;

	(void)ctx;
	if (nlines >= 8)
		return;
	last[nlines] = *o;
	f = fmemopen(lines[nlines], sizeof(lines[0]) - 1, "w");
	output_outcome(f, text_mode ? &text_opts : &json_opts, o);
	fclose(f);
	nlines++;
}

static struct dnsvis_event query_event(uint16_t sport, uint16_t txid, const char *name)
{
	struct dnsvis_event ev = {.source = "pcap", .family = AF_INET, .proto = IPPROTO_UDP};

	memcpy(ev.saddr, "\x0a\x00\x00\x02", 4);
	memcpy(ev.daddr, "\x0a\x00\x00\x35", 4);
	ev.sport = sport;
	ev.dport = 53;
	ev.txid = txid;
	ev.domain = name;
	ev.qtype = 1;
	ev.qclass = 1;
	ev.ts.tv_sec = 1700000000;
	return ev;
}

/* The flow of a response to ev: server -> client. */
static struct match_flow reply_flow(const struct dnsvis_event *ev)
{
	struct match_flow f = {.family = ev->family, .proto = ev->proto};

	memcpy(f.saddr, ev->daddr, 16);
	memcpy(f.daddr, ev->saddr, 16);
	f.sport = ev->dport;
	f.dport = ev->sport;
	return f;
}

/* NXDOMAIN (rcode), or an A answer 192.0.2.7 when rcode is 0. */
static void decode_answer(struct dns_response *r, uint16_t txid, const char *name, unsigned rcode)
{
	struct msgbuf m = {.n = 0};

	header(&m, txid, 0x8180 | rcode, 1, rcode ? 0 : 1, 0, 0);
	putname(&m, name);
	put16(&m, 1);
	put16(&m, 1);
	if (!rcode) {
		putptr(&m, 12);
		put16(&m, 1);
		put16(&m, 1);
		put32(&m, 60);
		put16(&m, 4);
		putraw(&m, "\xc0\x00\x02\x07", 4);
	}
	CHECK_INT(dns_response_decode(m.b, m.n, m.n, r), DNS_OK);
}

static struct match_feed *new_feed(void)
{
	struct feed_opts o = {.timeout_ns = 1000 * MS, .emit = emit};

	nlines = 0;
	return feed_new(&o);
}

static void test_paired(struct dns_response *r)
{
	struct match_feed *f = new_feed();
	struct dnsvis_event ev = query_event(40000, 7, "www.example.com");
	struct match_flow fl = reply_flow(&ev);
	struct timespec wall = {1700000000, 12 * MS};

	feed_query(f, &ev, 0, 0);
	ev.domain = "overwritten"; /* the feed keeps its own copy */
	decode_answer(r, 7, "WWW.example.com", 0);
	feed_response(f, &fl, 12 * MS, &wall, r);
	CHECK_INT(nlines, 1);
	CHECK_INT(last[0].kind, OUTCOME_RESPONSE);
	CHECK_INT(last[0].latency_us, 12000);
	CHECK(strstr(lines[0], "{\"type\":\"response\",\"time\":\"2023-11-14T22:13:20.012000Z\"") ==
	      lines[0]);
	CHECK(strstr(lines[0], "\"domain\":\"www.example.com\"") != NULL);
	CHECK(strstr(lines[0], "\"rcode\":\"NOERROR\",\"flags\":[\"rd\",\"ra\"],\"answers\":[{"
			       "\"name\":\"WWW.example.com\",\"type\":\"A\",\"class\":\"IN\","
			       "\"ttl\":60,\"data\":\"192.0.2.7\"}]") != NULL);
	CHECK(strstr(lines[0], "\"latency_us\":12000,\"retries\":0}\n") != NULL);
	feed_flush(f);
	CHECK_INT(nlines, 1); /* nothing left to time out */
	feed_free(f);
}

static void test_timeout_and_unsolicited(struct dns_response *r)
{
	struct match_feed *f = new_feed();
	struct dnsvis_event a = query_event(40001, 8, "slow.example.com");
	struct dnsvis_event b = query_event(40002, 9, "last.example.com");
	struct match_flow fl = reply_flow(&a);
	struct timespec wall = {1700000001, 0};

	feed_query(f, &a, 0, 0);
	feed_advance(f, 999 * MS);
	CHECK_INT(nlines, 0);
	feed_advance(f, 1500 * MS);
	CHECK_INT(nlines, 1);
	CHECK_INT(last[0].kind, OUTCOME_TIMEOUT);
	CHECK_INT(last[0].waited_ms, 1000);
	CHECK(strstr(lines[0], "{\"type\":\"timeout\",") == lines[0]);
	CHECK(strstr(lines[0], "\"waited_ms\":1000,\"retries\":0}") != NULL);
	/* the late answer: nobody waits for it any more */
	decode_answer(r, 8, "slow.example.com", 3);
	feed_response(f, &fl, 1600 * MS, &wall, r);
	CHECK_INT(nlines, 2);
	CHECK_INT(last[1].kind, OUTCOME_UNSOLICITED);
	CHECK(strstr(lines[1], "{\"type\":\"unsolicited\",") == lines[1]);
	CHECK(strstr(lines[1], "\"saddr\":\"10.0.0.2\",\"sport\":40001") != NULL);
	CHECK(strstr(lines[1], "\"rcode\":\"NXDOMAIN\"") != NULL);
	text_mode = 1;
	feed_query(f, &b, 0, 1700 * MS);
	feed_flush(f);
	text_mode = 0;
	CHECK_INT(nlines, 3);
	CHECK_INT(last[2].end_of_input, 1);
	CHECK(strstr(lines[2], "last.example.com  => TIMEOUT after 0 ms\n") != NULL);
	CHECK_INT(feed_stats(f)->unsolicited, 1);
	CHECK_INT(feed_stats(f)->timeouts, 2);
	feed_free(f);
}

static unsigned released;
static const struct dnsvis_proc *released_proc;

static void on_release(void *ctx, const struct dnsvis_event *ev)
{
	(void)ctx;
	released++;
	released_proc = ev->proc;
}

/* Every query given to the feed comes back once through release: after its
 * outcome, at once as a retry, when evicted, and in feed_free(). */
static void test_release(struct dns_response *r)
{
	static const struct dnsvis_proc proc = {.pid = 42};
	struct feed_opts o = {
	    .timeout_ns = 1000 * MS, .max_pending = 1, .emit = emit, .release = on_release};
	struct match_feed *f = feed_new(&o);
	struct dnsvis_event a = query_event(40010, 1, "a.example.com");
	struct dnsvis_event b = query_event(40011, 2, "b.example.com");
	struct match_flow fl = reply_flow(&a);
	struct timespec wall = {1700000000, 0};

	nlines = 0;
	released = 0;
	a.proc = b.proc = &proc;
	feed_query(f, &a, 0, 0);
	CHECK_INT(released, 0);
	feed_query(f, &a, 0, 10 * MS); /* a retry: not kept */
	CHECK_INT(released, 1);
	decode_answer(r, 1, "a.example.com", 0);
	feed_response(f, &fl, 20 * MS, &wall, r);
	CHECK_INT(nlines, 1);
	CHECK_INT(released, 2); /* after its outcome */
	CHECK(released_proc == &proc);
	feed_query(f, &a, 0, 30 * MS);
	feed_query(f, &b, 0, 40 * MS); /* the table holds one: a is evicted */
	CHECK_INT(released, 3);
	CHECK_INT(feed_stats(f)->evicted, 1);
	feed_free(f); /* b, without an outcome */
	CHECK_INT(released, 4);
	CHECK_INT(nlines, 1);
}

/* An answer (txid, name) arriving at ms through feed_response_alt(): the
 * kind of the one result it must give (none fails, and reads as a timeout);
 * the result itself in last[]. */
static enum dnsvis_outcome_kind answer_alt(struct match_feed *f, const struct match_flow *fl,
					   const struct match_flow *alt, struct dns_response *r,
					   uint16_t txid, const char *name, int64_t ms)
{
	struct timespec wall = {1700000000, ms * MS};
	struct feed_times t = {.ts_ns = ms * MS, .wall = &wall};
	int before = nlines;

	decode_answer(r, txid, name, 0);
	feed_response_alt(f, fl, alt, &t, r);
	CHECK_INT(nlines, before + 1);
	return nlines == before + 1 ? last[before].kind : OUTCOME_TIMEOUT;
}

/* feed_response_alt(): an answer to the flow as it came pairs through it; a
 * query keyed with no source port (sent before its socket had one) pairs
 * through the alternative flow; an answer to neither is unsolicited, as it
 * came.  One result and one response counted each. */
static void test_alt_flow(struct dns_response *r)
{
	struct match_feed *f = new_feed();
	struct dnsvis_event direct = query_event(40001, 8, "a.example.com");
	struct dnsvis_event portless = query_event(0, 9, "b.example.com");
	struct match_flow fl = reply_flow(&direct), alt = fl;

	alt.dport = 0;
	feed_query(f, &direct, 0, 0);
	feed_query(f, &portless, 0, 0);
	CHECK_INT(answer_alt(f, &fl, &alt, r, 8, "a.example.com", 5), OUTCOME_RESPONSE);
	CHECK_INT(last[0].latency_us, 5000);
	CHECK_INT(feed_stats(f)->paired, 1);
	CHECK_INT(answer_alt(f, &fl, &alt, r, 9, "b.example.com", 6), OUTCOME_RESPONSE);
	CHECK_INT(last[1].latency_us, 6000);
	CHECK_INT(feed_stats(f)->paired, 2);
	CHECK_INT(answer_alt(f, &fl, &alt, r, 10, "c.example.com", 7), OUTCOME_UNSOLICITED);
	/* the flow as it came, not the alternative with no port */
	CHECK(strstr(lines[2], "\"saddr\":\"10.0.0.2\",\"sport\":40001") != NULL);
	CHECK_INT(feed_stats(f)->responses, 3);
	CHECK_INT(feed_stats(f)->unsolicited, 1);
	feed_free(f);
}

int main(void)
{
	struct dns_response *r = malloc(sizeof(*r));

	test_paired(r);
	test_timeout_and_unsolicited(r);
	test_release(r);
	test_alt_flow(r);
	free(r);
	printf("test_feed: %d passed, %d failed\n", check_passed, check_failed);
	return check_failed != 0;
}
