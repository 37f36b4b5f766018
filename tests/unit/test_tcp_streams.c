/* test_tcp_streams.c - DNS over TCP in live tracing (user/live/
 * tcp_streams.c): sends of a socket fed to its framer in stream order,
 * whatever order they come in; several messages in one send, a length
 * apart from its message, a message split over sends; a gap waits one
 * drain, then is a gap; a re-sent part of a partial write is skipped; a
 * reused socket starts a new stream; bounded and counted evictions. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live/tcp_streams.h"
#include "kern/dnsvis.h"

#define SOCK 0xffff8880aa000000ULL

struct got {
	unsigned n, truncated;
	uint16_t id[16];
	size_t len[16];
	uint32_t from_seq[16]; /* the stream_seq of the send named with it */
	int ready;	       /* what tcp_ready says */
};

static void on_msg(void *arg, const struct dv_msg *rec, const uint8_t *msg, size_t len,
		   int truncated)
{
	struct got *g = arg;

	if (g->n < 16) {
		g->id[g->n] = len >= 2 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0;
		g->len[g->n] = len;
		g->from_seq[g->n] = rec->stream_seq;
	}
	g->n++;
	g->truncated += truncated != 0;
}

static int ready(void *arg, const struct dv_msg *rec)
{
	(void)rec;
	return ((struct got *)arg)->ready;
}

/* A DNS-looking message of n bytes (n >= 12) with id, at out; its length. */
static size_t dns_msg(uint8_t *out, uint16_t id, size_t n)
{
	memset(out, 0, n);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[5] = 1; /* qdcount */
	return n;
}

/* The stream bytes of messages (id, size) into buf: 2-byte length, body. */
static size_t framed(uint8_t *buf, const uint16_t *ids, const size_t *sizes, unsigned n)
{
	size_t o = 0;

	for (unsigned i = 0; i < n; i++) {
		buf[o++] = (uint8_t)(sizes[i] >> 8);
		buf[o++] = (uint8_t)sizes[i];
		o += dns_msg(buf + o, ids[i], sizes[i]);
	}
	return o;
}

/* A send record of bytes [off, off+len) of stream at stream position
 * base + off. */
static struct dv_msg *rec_of(const uint8_t *stream, size_t off, size_t len, uint32_t base,
			     uint64_t sock)
{
	static struct dv_msg m;

	memset(&m, 0, sizeof(m));
	m.h.type = DV_REC_MSG;
	m.h.len = (unsigned short)(DV_MSG_FIXED - DV_REC_SKIP + len);
	m.sock_id = sock;
	m.stream_seq = base + (uint32_t)off;
	m.flags = DV_M_SEQ | DV_M_LEN_KNOWN;
	m.orig_len = (unsigned)len;
	m.payload_len = (unsigned short)len;
	m.proto = 6;
	m.ts_ns = 1000;
	memcpy(m.payload, stream + off, len);
	return &m;
}

static uint8_t st[1024];

/* glibc use-vc: A and AAAA in one send; then a length apart from its
 * message; then a message split over sends. */
static void test_framing(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {0x1111, 0x2222, 0x3333, 0x4444};
	size_t sizes[] = {40, 41, 42, 43};
	size_t n = framed(st, ids, sizes, 4), m1 = 2 + 40 + 2 + 41, m2 = m1 + 2 + 42;
	uint32_t base = 0xfffffff0u; /* the positions wrap around */

	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, m1, base, SOCK));		   /* two messages */
	tcp_streams_add(&t, rec_of(st, m1, 2, base, SOCK));		   /* a length alone */
	tcp_streams_add(&t, rec_of(st, m1 + 2, 42, base, SOCK));	   /* its message */
	tcp_streams_add(&t, rec_of(st, m2, 10, base, SOCK));		   /* split ... */
	tcp_streams_add(&t, rec_of(st, m2 + 10, n - m2 - 10, base, SOCK)); /* ... over two */
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 0); /* a new stream waits one drain */
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 4);
	CHECK_INT(g.truncated, 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_INT(g.id[i], ids[i]);
		CHECK_INT(g.len[i], sizes[i]);
	}
	CHECK_INT(g.from_seq[3], base + (uint32_t)m2 + 10); /* the send that completed it */
	CHECK_INT(t.npending, 0);
	tcp_streams_flush(&t);
	CHECK_INT(g.n, 4);
}

/* Sends read in the wrong order (other CPUs' rings) come out in order. */
static void test_reorder(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {1, 2, 3};
	size_t sizes[] = {20, 20, 20};

	framed(st, ids, sizes, 3);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 10, 500, SOCK));
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_add(&t, rec_of(st, 44, 22, 500, SOCK)); /* 3rd, then 2nd */
	tcp_streams_add(&t, rec_of(st, 10, 34, 500, SOCK));
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 3);
	CHECK(g.id[0] == 1 && g.id[1] == 2 && g.id[2] == 3);
	CHECK_INT(t.gaps, 0);
	/* the missing piece comes one drain later: still in order, no gap */
	memset(&g, 0, sizeof(g));
	g.ready = 1;
	tcp_streams_add(&t, rec_of(st, 0, 22, 600, SOCK + 8));
	tcp_streams_add(&t, rec_of(st, 44, 22, 600, SOCK + 8));
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 0); /* a new stream waits one drain */
	tcp_streams_add(&t, rec_of(st, 22, 22, 600, SOCK + 8));
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 3);
	CHECK_INT(g.id[2], 3);
	CHECK_INT(t.gaps, 0);
	tcp_streams_flush(&t);
}

/* A new stream whose length send (one CPU) is read a drain after its
 * message (another CPU, whose ring was read first): one message, whole. */
static void test_first_send_late(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {0x5151};
	size_t sizes[] = {30};

	framed(st, ids, sizes, 1);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 2, 30, 77, SOCK)); /* the message first */
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 0);
	tcp_streams_add(&t, rec_of(st, 0, 2, 77, SOCK)); /* its length, next drain */
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.id[0], 0x5151);
	CHECK_INT(g.len[0], 30);
	CHECK_INT(g.truncated, 0);
	CHECK_INT(t.gaps, 0);
	tcp_streams_flush(&t);
	CHECK_INT(g.n, 1);
}

/* A send that never comes: after one drain, a gap; the message it cut is
 * lost (the framer skips it), the next one is found. */
static void test_gap(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {1, 2, 3};
	size_t sizes[] = {20, 20, 20};

	framed(st, ids, sizes, 3);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 22, 0, SOCK));
	tcp_streams_add(&t, rec_of(st, 22, 12, 0, SOCK)); /* message 2's start */
	tcp_streams_add(&t, rec_of(st, 44, 22, 0, SOCK)); /* 34..44 never comes */
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 0); /* a new stream waits one drain */
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 3); /* then the gap has waited one drain too */
	CHECK_INT(t.npending, 0);
	CHECK_INT(t.gaps, 10);
	CHECK_INT(g.n, 3); /* message 2 truncated, message 3 whole */
	CHECK_INT(g.truncated, 1);
	CHECK_INT(g.id[2], 3);
	tcp_streams_flush(&t);
}

/* A partial write: the call was given 44 bytes, sent 30; the program sends
 * the rest again.  Each message once. */
static void test_partial_write(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {1, 2};
	size_t sizes[] = {20, 20};

	framed(st, ids, sizes, 2);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 44, 7, SOCK));
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_add(&t, rec_of(st, 30, 14, 7, SOCK));
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 2);
	tcp_streams_flush(&t);
	CHECK_INT(g.n, 2);
}

/* The socket's address reused by a new connection (another ISN): the old
 * stream's unfinished message goes out truncated, the new one is framed. */
static void test_new_connection(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {9};
	size_t sizes[] = {30};

	framed(st, ids, sizes, 1);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 20, 1000, SOCK));
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_add(&t, rec_of(st, 0, 32, 0x80001000u, SOCK));
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 0); /* waits a drain, as a first send */
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.truncated, 1);
	CHECK_INT(g.id[1], 9);
	CHECK_INT(g.len[1], 30);
	tcp_streams_flush(&t);
}

/* A new connection on a reused socket whose first send (on another CPU)
 * is read a drain after its second: both wait, then frame in order. */
static void test_new_connection_reordered(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {0x1234};
	size_t sizes[] = {30};
	const uint32_t isn = 0x5a5a0000u;

	framed(st, ids, sizes, 1);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 32, 1000, SOCK)); /* the old connection */
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 1);
	tcp_streams_add(&t, rec_of(st, 12, 20, isn, SOCK)); /* second send first */
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_add(&t, rec_of(st, 0, 12, isn, SOCK));
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.truncated, 0);
	CHECK_INT(g.id[1], 0x1234);
	CHECK_INT(g.len[1], 30);
	tcp_streams_flush(&t);
	CHECK_INT(g.n, 2);
}

/* rec_of() for another connection (source port sport). */
static struct dv_msg *conn_rec(const uint8_t *stream, size_t off, size_t len, uint32_t base,
			       uint16_t sport)
{
	struct dv_msg *m = rec_of(stream, off, len, base, SOCK);

	m->sport = sport;
	m->dport = 53;
	return m;
}

/* Connections one after the other on a reused struct sock, the second's
 * ISN a few KiB after the first's end (seen on loopback): not a gap in one
 * stream but a new connection, even within one drain, and in the order
 * they arrived whatever their positions. */
static void test_reused_sock_close_isn(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {0x4f2, 0x4f3};
	size_t sizes[] = {40, 52};
	const uint32_t isn1 = 507141874u, isn2 = isn1 + 67881u, isn0 = isn1 + 9000u;
	size_t n = framed(st, ids, sizes, 2);

	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, conn_rec(st, 0, n, isn1, 40001));
	tcp_streams_add(&t, conn_rec(st, 0, 2, isn2, 40002)); /* a length apart */
	tcp_streams_add(&t, conn_rec(st, 2, n - 2, isn2, 40002));
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 4);
	CHECK_INT(g.truncated, 0);
	CHECK_INT(t.gaps, 0);
	CHECK_INT(g.id[2], 0x4f2);
	CHECK_INT(g.len[3], 52);
	/* a third connection whose ISN sorts before the second's: after it */
	tcp_streams_add(&t, conn_rec(st, 0, n, isn0, 40003));
	tcp_streams_drain_end(&t, 2000);
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 6);
	CHECK_INT(g.truncated, 0);
	CHECK_INT(t.gaps, 0);
	tcp_streams_flush(&t);
	CHECK_INT(g.n, 6);
}

/* Not ready (process record not read yet): waits one drain, then goes. */
static void test_not_ready(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 0};
	uint16_t ids[] = {5};
	size_t sizes[] = {20};

	framed(st, ids, sizes, 1);
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 22, 0, SOCK));
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 0);
	tcp_streams_drain_end(&t, 2000);
	CHECK_INT(g.n, 1);
	tcp_streams_flush(&t);
	/* the clock far past 0 (live: days of CLOCK_MONOTONIC): a stream whose
	 * first send waits is not idle */
	tcp_streams_init(&t, on_msg, ready, &g);
	tcp_streams_add(&t, rec_of(st, 0, 22, 0, SOCK));
	tcp_streams_drain_end(&t, 100 * TCP_STREAM_IDLE_NS);
	CHECK_INT(t.evicted, 0);
	g.ready = 1;
	tcp_streams_drain_end(&t, 100 * TCP_STREAM_IDLE_NS);
	CHECK_INT(g.n, 2);
	tcp_streams_flush(&t);
}

/* Bounded: more sockets than TCP_STREAMS_MAX evict (counted); idle ends. */
static void test_bounds(void)
{
	static struct tcp_streams t;
	struct got g = {.ready = 1};
	uint16_t ids[] = {1};
	size_t sizes[] = {20};

	framed(st, ids, sizes, 1);
	tcp_streams_init(&t, on_msg, ready, &g);
	for (unsigned i = 0; i < TCP_STREAMS_MAX + 3; i++) {
		tcp_streams_add(&t, rec_of(st, 0, 10, 0, SOCK + 64 * i)); /* half a message */
		tcp_streams_drain_end(&t, 2000);
	}
	CHECK_INT(t.evicted, 3);
	CHECK_INT(g.truncated, 3); /* their half messages, marked */
	tcp_streams_drain_end(&t, 2000 + TCP_STREAM_IDLE_NS + 1);
	CHECK_INT(t.evicted, TCP_STREAMS_MAX + 3);
	for (unsigned i = 0; i < TCP_PENDING_MAX + 5; i++)
		tcp_streams_add(&t, rec_of(st, 0, 22, 0, SOCK + 64 * (i % 7)));
	CHECK(t.npending <= TCP_PENDING_MAX);
	tcp_streams_free(&t);
}

int main(void)
{
	test_framing();
	test_reorder();
	test_first_send_late();
	test_gap();
	test_partial_write();
	test_new_connection();
	test_new_connection_reordered();
	test_reused_sock_close_isn();
	test_not_ready();
	test_bounds();
	return check_report("tcp_streams");
}
