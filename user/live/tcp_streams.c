/* tcp_streams.c - see tcp_streams.h. */
#include <stdlib.h>
#include <string.h>

#include "live/tcp_streams.h"
#include "kern/dnsvis.h"

/* What the framer's callback needs: the send being fed. */
struct feed_ctx {
	struct tcp_streams *t;
	const struct dv_msg *rec;
};

static void on_msg(const uint8_t *msg, size_t len, int truncated, void *arg)
{
	struct feed_ctx *fc = arg;

	fc->t->msg(fc->t->arg, fc->rec, msg, len, truncated);
}

void tcp_streams_init(struct tcp_streams *t, tcp_msg_fn msg, tcp_ready_fn ready, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->msg = msg;
	t->ready = ready;
	t->arg = arg;
}

/* The stream ends: a message under way goes out truncated (attributed to
 * the last send fed). */
static void end_stream(struct tcp_streams *t, struct tcp_stream *s)
{
	struct feed_ctx fc = {t, s->last};

	if (s->last)
		dns_stream_flush(&s->st, on_msg, &fc);
	dns_stream_free(&s->st);
	free(s->last);
	memset(s, 0, sizeof(*s));
}

/* The stream of sock, made (evicting the least recently fed) if new. */
static struct tcp_stream *stream_of(struct tcp_streams *t, uint64_t sock)
{
	struct tcp_stream *free_s = NULL, *lru = &t->s[0];

	for (unsigned i = 0; i < TCP_STREAMS_MAX; i++) {
		struct tcp_stream *s = &t->s[i];

		if (s->sock == sock)
			return s;
		if (!s->sock && !free_s)
			free_s = s;
		if (s->sock && s->last_ns < lru->last_ns)
			lru = s;
	}
	if (!free_s) {
		end_stream(t, lru);
		t->evicted++;
		free_s = lru;
	}
	free_s->sock = sock;
	dns_stream_init(&free_s->st);
	return free_s;
}

void tcp_streams_add(struct tcp_streams *t, const struct dv_msg *m)
{
	size_t len = DV_REC_SKIP + (size_t)m->h.len;
	struct dv_msg *copy;

	if (!m->sock_id) /* no stream to put it in (0 marks a free slot); callers count it */
		return;
	if (t->npending == TCP_PENDING_MAX)
		tcp_streams_drain_end(t, -1); /* full: feed what waits, as it is */
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, m, len);
	t->p[t->npending].m = copy;
	t->p[t->npending].drains = 0;
	t->p[t->npending].order = t->arrivals++;
	t->npending++;
}

/* Remember rec as the stream's last send (its fixed part). */
static void note_last(struct tcp_stream *s, const struct dv_msg *rec)
{
	if (!s->last)
		s->last = malloc(DV_MSG_FIXED);
	if (s->last)
		memcpy(s->last, rec, DV_MSG_FIXED);
}

/* Which connection a record is of: its ports and addresses.  A struct
 * sock freed and reused by a new connection keeps its address (sock_id)
 * but not its ports, and the new ISN may land anywhere, even a few KiB
 * after the old stream's end (so sequence distance alone cannot tell). */
static uint64_t conn_of(const struct dv_msg *m)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	const uint8_t *parts[] = {m->daddr, m->saddr};

	h = (h ^ m->sport) * 0x100000001b3ULL;
	h = (h ^ m->dport) * 0x100000001b3ULL;
	h = (h ^ m->family) * 0x100000001b3ULL;
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < 16; i++)
			h = (h ^ parts[k][i]) * 0x100000001b3ULL;
	return h;
}

/* Feed rec's bytes from skip on; the stream then ends after the whole send. */
static void feed(struct tcp_streams *t, struct tcp_stream *s, const struct dv_msg *rec, size_t skip)
{
	struct feed_ctx fc = {t, rec};
	size_t copied = rec->payload_len;
	size_t sent =
	    (rec->flags & DV_M_LEN_KNOWN) && rec->orig_len > copied ? rec->orig_len : copied;

	note_last(s, rec);
	s->conn = conn_of(rec);
	fc.rec = s->last ? s->last : rec;
	if (skip < copied)
		dns_stream_feed(&s->st, rec->payload + skip, copied - skip, on_msg, &fc);
	if (sent > copied && skip < sent) { /* the kernel copied less than was sent */
		size_t n = sent - (skip > copied ? skip : copied);

		dns_stream_gap(&s->st, n, on_msg, &fc);
		t->gaps += n;
	}
	s->next_seq = rec->stream_seq + (uint32_t)sent;
	s->last_start = rec->stream_seq;
	s->have_next = (rec->flags & DV_M_SEQ) != 0;
	s->last_ns = (int64_t)rec->ts_ns; /* the kernel's CLOCK_MONOTONIC */
}

/* Send p of stream s: 1 when fed (or dropped), 0 when it must wait. */
static int place(struct tcp_streams *t, struct tcp_stream *s, struct tcp_pending *p, int force)
{
	const struct dv_msg *rec = p->m;
	int32_t rel = (int32_t)(rec->stream_seq - s->next_seq);
	int same = !s->last || s->conn == conn_of(rec); /* the connection fed so far */

	if (!force && !p->drains && !t->ready(t->arg, rec))
		return 0;
	/* A stream's first send waits one drain: a send before it, made on
	 * another CPU, may be in a ring that was read before it was written. */
	if (!force && !p->drains && !s->have_next && (rec->flags & DV_M_SEQ))
		return 0;
	if (same && (!s->have_next || !(rec->flags & DV_M_SEQ) || rel == 0)) {
		feed(t, s, rec, 0);
	} else if (same && rel < 0 && (int32_t)(rec->stream_seq - s->last_start) >= 0) {
		/* starts within the last send: that call sent less than it had */
		uint32_t back = s->next_seq - rec->stream_seq; /* -rel, without overflow */

		if (back < rec->payload_len || (rec->flags & DV_M_LEN_KNOWN))
			feed(t, s, rec, (size_t)back);
	} else if (same && rel > 0 && (uint32_t)rel <= TCP_GAP_MAX) {
		struct feed_ctx fc = {t, s->last};

		if (!force && !p->drains)
			return 0; /* the missing send may be in a ring drained earlier */
		dns_stream_gap(&s->st, (size_t)rel, on_msg, &fc);
		t->gaps += (uint32_t)rel;
		feed(t, s, rec, 0);
	} else { /* a new connection on a reused socket */
		uint64_t sock = s->sock;

		/* as a first send: the new connection's sends before it may
		 * be in a ring read before they were written */
		if (!force && !p->drains)
			return 0;

		end_stream(t, s);
		s->sock = sock;
		dns_stream_init(&s->st);
		feed(t, s, rec, 0);
	}
	return 1;
}

static int by_sock_then_arrival(const void *a, const void *b)
{
	const struct tcp_pending *x = a, *y = b;

	if (x->m->sock_id != y->m->sock_id)
		return x->m->sock_id < y->m->sock_id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* One send with where it sorts: its connection's first arrival, then its
 * position from that connection's base. */
struct keyed_send {
	unsigned rank;
	int32_t pos;
	uint64_t conn;
	struct tcp_pending p;
};

static int keyed_before(const struct keyed_send *a, const struct keyed_send *b)
{
	return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

/* The base of k[i]'s connection: where stream s is, if it is that one's,
 * else the position of its first send to arrive.  Sets k[i].rank. */
static uint32_t conn_base(struct keyed_send *k, unsigned n, unsigned i, const struct tcp_stream *s)
{
	unsigned first = i;

	for (unsigned j = 0; j < n; j++)
		if (k[j].conn == k[i].conn && k[j].p.order < k[first].p.order)
			first = j;
	k[i].rank = k[first].p.order;
	if (s->last && s->have_next && s->conn == k[i].conn)
		return s->next_seq;
	return k[first].p.m->stream_seq;
}

/* Sort p[0..n) (one socket's sends, perhaps of several connections one
 * after the other on a reused struct sock) by connection, in the order
 * they arrived, and within one by stream position.  Unsorted when there
 * is no memory for the keys. */
static void sort_by_position(struct tcp_pending *p, unsigned n, const struct tcp_stream *s)
{
	struct keyed_send *k = malloc((size_t)n * sizeof(*k));

	if (!k)
		return;
	for (unsigned i = 0; i < n; i++) {
		k[i].p = p[i];
		k[i].conn = conn_of(p[i].m);
	}
	for (unsigned i = 0; i < n; i++)
		k[i].pos = (int32_t)(k[i].p.m->stream_seq - conn_base(k, n, i, s));
	for (unsigned i = 1; i < n; i++) {
		struct keyed_send v = k[i];
		unsigned j = i;

		while (j > 0 && keyed_before(&v, &k[j - 1])) {
			k[j] = k[j - 1];
			j--;
		}
		k[j] = v;
	}
	for (unsigned i = 0; i < n; i++)
		p[i] = k[i].p;
	free(k);
}

/* Feed one socket's sends p[0..n) in order, up to the first that waits;
 * the fed ones get m = NULL. */
static void feed_socket(struct tcp_streams *t, struct tcp_pending *p, unsigned n, int force)
{
	struct tcp_stream *s = stream_of(t, p[0].m->sock_id);
	int all_seq = 1;

	for (unsigned i = 0; i < n; i++)
		all_seq &= (p[i].m->flags & DV_M_SEQ) != 0;
	if (all_seq)
		sort_by_position(p, n, s);
	for (unsigned i = 0; i < n; i++) {
		if (!place(t, s, &p[i], force))
			return;
		free(p[i].m);
		p[i].m = NULL;
	}
}

static void end_idle(struct tcp_streams *t, int64_t now)
{
	for (unsigned i = 0; i < TCP_STREAMS_MAX; i++) {
		struct tcp_stream *s = &t->s[i];

		/* (a stream whose first send still waits was never fed) */
		if (s->sock && s->last && s->last_ns < now - TCP_STREAM_IDLE_NS) {
			end_stream(t, s);
			t->evicted++;
		}
	}
}

void tcp_streams_drain_end(struct tcp_streams *t, int64_t now_ns)
{
	int force = now_ns < 0; /* feed all as it is */
	unsigned i = 0, kept = 0;

	qsort(t->p, t->npending, sizeof(t->p[0]), by_sock_then_arrival);
	while (i < t->npending) {
		unsigned j = i + 1;

		while (j < t->npending && t->p[j].m->sock_id == t->p[i].m->sock_id)
			j++;
		feed_socket(t, &t->p[i], j - i, force);
		i = j;
	}
	for (i = 0; i < t->npending; i++) {
		if (!t->p[i].m)
			continue;
		t->p[kept] = t->p[i];
		t->p[kept].drains++;
		kept++;
	}
	t->npending = kept;
	if (!force)
		end_idle(t, now_ns);
}

void tcp_streams_flush(struct tcp_streams *t)
{
	tcp_streams_drain_end(t, -1);
	for (unsigned i = 0; i < TCP_STREAMS_MAX; i++)
		if (t->s[i].sock)
			end_stream(t, &t->s[i]);
}

void tcp_streams_free(struct tcp_streams *t)
{
	while (t->npending)
		free(t->p[--t->npending].m);
	for (unsigned i = 0; i < TCP_STREAMS_MAX; i++) {
		dns_stream_free(&t->s[i].st);
		free(t->s[i].last);
		memset(&t->s[i], 0, sizeof(t->s[i]));
	}
}
