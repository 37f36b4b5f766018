/* test_dns_stream.c - the DNS-over-TCP framer (wire/dns_stream.c) and the
 * question path (wire/dns_query.c): messages come out whole whatever the
 * pieces, gaps cut messages short and say so, zero lengths stop framing. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "wire/dns_query.h"
#include "wire/dns_stream.h"

#define MAX_OUT 16

struct got {
	unsigned n;
	size_t len[MAX_OUT];
	int trunc[MAX_OUT];
	uint8_t first[MAX_OUT]; /* first byte of each message */
	uint8_t last[MAX_OUT];	/* last byte of each message */
};

static void collect(const uint8_t *msg, size_t len, int truncated, void *ctx)
{
	struct got *g = ctx;

	if (g->n < MAX_OUT) {
		g->len[g->n] = len;
		g->trunc[g->n] = truncated;
		g->first[g->n] = len ? msg[0] : 0;
		g->last[g->n] = len ? msg[len - 1] : 0;
	}
	g->n++;
}

/* A stream of three messages of 20, 300 and 12 bytes, each byte of message
 * k being k+1 ... so the first and last bytes tell the messages apart. */
static size_t three_messages(uint8_t *s)
{
	static const size_t lens[3] = {20, 300, 12};
	size_t o = 0;

	for (int k = 0; k < 3; k++) {
		s[o++] = (uint8_t)(lens[k] >> 8);
		s[o++] = (uint8_t)lens[k];
		memset(s + o, k + 1, lens[k]);
		s[o + lens[k] - 1] = (uint8_t)(0x80 + k);
		o += lens[k];
	}
	return o;
}

static void check_three(const struct got *g)
{
	CHECK_INT(g->n, 3);
	CHECK_INT(g->len[0], 20);
	CHECK_INT(g->len[1], 300);
	CHECK_INT(g->len[2], 12);
	for (int k = 0; k < 3; k++) {
		CHECK_INT(g->trunc[k], 0);
		CHECK_INT(g->first[k], k + 1);
		CHECK_INT(g->last[k], 0x80 + k);
	}
}

/* Every way of cutting the stream in two, and in single bytes. */
static void test_pieces(void)
{
	uint8_t s[400];
	size_t n = three_messages(s);

	for (size_t cut = 0; cut <= n; cut++) {
		struct dns_stream st;
		struct got g = {0};

		dns_stream_init(&st);
		dns_stream_feed(&st, s, cut, collect, &g);
		dns_stream_feed(&st, s + cut, n - cut, collect, &g);
		check_three(&g);
		CHECK_INT(st.state, DNS_STREAM_LEN0);
		CHECK(st.buf == NULL);
		dns_stream_free(&st);
	}
	struct dns_stream st;
	struct got g = {0};

	dns_stream_init(&st);
	for (size_t i = 0; i < n; i++)
		dns_stream_feed(&st, s + i, 1, collect, &g);
	check_three(&g);
	dns_stream_free(&st);
}

/* A gap inside a message cuts it; a gap over a length loses the framing. */
static void test_gaps(void)
{
	uint8_t s[400];
	size_t n = three_messages(s);
	struct dns_stream st;
	struct got g = {0};

	/* the second message's last 100 bytes are missing */
	dns_stream_init(&st);
	dns_stream_feed(&st, s, 22 + 2 + 200, collect, &g);
	dns_stream_gap(&st, 100, collect, &g);
	dns_stream_feed(&st, s + 324, n - 324, collect, &g);
	CHECK_INT(g.n, 3);
	CHECK_INT(g.len[1], 200);
	CHECK_INT(g.trunc[1], 1);
	CHECK_INT(g.len[2], 12);
	CHECK_INT(g.trunc[2], 0);
	dns_stream_free(&st);

	/* a gap that runs past the message into the next length */
	memset(&g, 0, sizeof(g));
	dns_stream_init(&st);
	dns_stream_feed(&st, s, 30, collect, &g);
	dns_stream_gap(&st, 400, collect, &g);
	CHECK_INT(st.state, DNS_STREAM_LOST);
	dns_stream_feed(&st, s, n, collect, &g);
	CHECK_INT(g.n, 2); /* the first whole, the second cut; nothing after */
	CHECK_INT(g.trunc[1], 1);
	CHECK_INT(g.len[1], 6);
	dns_stream_free(&st);

	/* flush hands on a message under way, truncated */
	memset(&g, 0, sizeof(g));
	dns_stream_init(&st);
	dns_stream_feed(&st, s, 22 + 2 + 50, collect, &g);
	dns_stream_flush(&st, collect, &g);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.len[1], 50);
	CHECK_INT(g.trunc[1], 1);
	CHECK(st.buf == NULL);
}

/* A zero length is not a message: framing stops there. */
static void test_zero_length(void)
{
	uint8_t s[64] = {0, 4, 1, 2, 3, 4, 0, 0, 0, 4, 5, 6, 7, 8};
	struct dns_stream st;
	struct got g = {0};

	dns_stream_init(&st);
	dns_stream_feed(&st, s, 14, collect, &g);
	CHECK_INT(g.n, 1);
	CHECK_INT(st.state, DNS_STREAM_LOST);
	dns_stream_free(&st);
}

static int count_question(const struct dns_header *h, const struct dns_question *q, void *ctx)
{
	(void)h;
	(void)q;
	return ++*(int *)ctx >= 100; /* stop after 100 */
}

/* A query with n questions "a" A IN; the last one cut when bad_last. */
static size_t query(uint8_t *m, unsigned n, int bad_last)
{
	size_t o = 12;

	memset(m, 0, 12);
	m[4] = (uint8_t)(n >> 8);
	m[5] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		static const uint8_t q[] = {1, 'a', 0, 0, 1, 0, 1};

		memcpy(m + o, q, sizeof(q));
		o += sizeof(q);
	}
	return bad_last ? o - 3 : o;
}

static void test_questions(void)
{
	static uint8_t m[12 + 7 * 200];
	struct dns_header h;
	int n = 0;

	CHECK_INT(dns_query_questions(m, query(m, 3, 0), &h, count_question, &n), DNS_QUERY_OK);
	CHECK_INT(n, 3);
	/* more questions than are kept from the first pass */
	n = 0;
	CHECK_INT(dns_query_questions(m, query(m, 20, 0), &h, count_question, &n), DNS_QUERY_OK);
	CHECK_INT(n, 20);
	/* the callback may stop the walk */
	n = 0;
	CHECK_INT(dns_query_questions(m, query(m, 150, 0), &h, count_question, &n), DNS_QUERY_OK);
	CHECK_INT(n, 100);
	/* a bad last question: nothing is handed on */
	n = 0;
	CHECK_INT(dns_query_questions(m, query(m, 12, 1), &h, count_question, &n),
		  DNS_QUERY_MALFORMED);
	CHECK_INT(n, 0);
	/* a response */
	query(m, 1, 0);
	m[2] = 0x80;
	CHECK_INT(dns_query_questions(m, 19, &h, count_question, &n), DNS_QUERY_RESPONSE);
	CHECK_INT(dns_query_questions(m, 11, &h, count_question, &n), DNS_QUERY_MALFORMED);
}

/* Resync: a lost stream finds the next plausible length and header. */
static int n_out;
static size_t last_len;
static void count_msg(const uint8_t *msg, size_t len, int truncated, void *ctx)
{
	(void)msg;
	(void)truncated;
	(void)ctx;
	n_out++;
	last_len = len;
}

static void test_resync(void)
{
	/* garbage, then a 29-byte query: length, header (QD 1), name, type, class */
	static const uint8_t q[] = {0x00, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
				    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 7,    'e',
				    'x',  'a',	'm',  'p',  'l',  'e',	3,    'c',
				    'o',  'm',	0,    0x00, 0x01, 0x00, 0x01};
	uint8_t buf[64];
	struct dns_stream st;

	memset(buf, 0xff, 9);
	memcpy(buf + 9, q, sizeof(q));
	/* without resync (live): lost stays lost */
	dns_stream_init(&st);
	st.state = DNS_STREAM_LOST;
	n_out = 0;
	dns_stream_feed(&st, buf, 9 + sizeof(q), count_msg, NULL);
	CHECK_INT(n_out, 0);
	dns_stream_free(&st);
	/* with resync, in one piece and byte by byte */
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		dns_stream_init(&st);
		dns_stream_resync(&st, 1);
		n_out = 0;
		if (bytewise)
			for (size_t i = 0; i < 9 + sizeof(q); i++)
				dns_stream_feed(&st, buf + i, 1, count_msg, NULL);
		else
			dns_stream_feed(&st, buf, 9 + sizeof(q), count_msg, NULL);
		CHECK_INT(n_out, 1);
		CHECK_INT(last_len, sizeof(q) - 2);
		CHECK_INT(st.state, DNS_STREAM_LEN0);
		dns_stream_free(&st);
	}
	CHECK(dns_stream_plausible(q));
	buf[0] = 0x00, buf[1] = 0x0b; /* shorter than a header */
	memcpy(buf + 2, q + 2, 12);
	CHECK(!dns_stream_plausible(buf));
	memcpy(buf, q, 14);
	buf[5] = 0x41; /* Z set */
	CHECK(!dns_stream_plausible(buf));
	memcpy(buf, q, 14);
	buf[5] = 0x01; /* a query with an rcode */
	CHECK(!dns_stream_plausible(buf));
}

int main(void)
{
	test_resync();
	test_pieces();
	test_gaps();
	test_zero_length();
	test_questions();
	return check_report("dns_stream");
}
