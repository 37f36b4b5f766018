/* tcp_reasm.c - see tcp_reasm.h.  Flows live in a hash table (chained)
 * and on a list from the longest idle to the latest active, which is the
 * eviction order.  A flow's held segments are a list sorted by sequence
 * number; sequence numbers compare modulo 2^32. */
#include "wire/tcp_reasm.h"
#include "wire/dns_stream.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct held {
	struct held *next;
	uint32_t seq, len;
	uint8_t data[];
};

struct flow {
	struct flow *hnext;	    /* hash chain */
	struct flow *older, *newer; /* idle order */
	struct tcp_reasm *r;
	struct pkt_flow key;
	uint32_t next_seq, fin_seq;
	int fin;
	struct dns_stream st;
	struct held *held; /* sorted by seq */
	size_t held_bytes;
	size_t acct; /* what this flow counts in r->st.total_bytes */
};

struct tcp_reasm {
	pkt_dns_cb cb;
	void *ctx;
	struct flow **bucket;
	size_t nbucket; /* a power of two */
	struct flow *oldest, *newest;
	size_t max_flows, flow_bytes, total_bytes;
	struct tcp_reasm_stats st;
};

/* a - b as a signed distance in sequence space */
static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static size_t hash_key(const struct pkt_flow *k, size_t nbucket)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (nbucket - 1);
}

struct tcp_reasm *tcp_reasm_new(pkt_dns_cb cb, void *ctx)
{
	struct tcp_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cb = cb;
	r->ctx = ctx;
	tcp_reasm_limits(r, 0, 0, 0);
	if (!r->bucket) {
		free(r);
		return NULL;
	}
	return r;
}

void tcp_reasm_limits(struct tcp_reasm *r, size_t max_flows, size_t flow_bytes, size_t total_bytes)
{
	size_t n = 1;

	r->max_flows = max_flows ? max_flows : TCP_REASM_MAX_FLOWS;
	r->flow_bytes = flow_bytes ? flow_bytes : TCP_REASM_FLOW_BYTES;
	r->total_bytes = total_bytes ? total_bytes : TCP_REASM_TOTAL_BYTES;
	if (r->st.live_flows)
		return; /* the table stays as it is while it holds flows */
	while (n < 2 * r->max_flows)
		n <<= 1;
	free(r->bucket);
	r->bucket = calloc(n, sizeof(struct flow *));
	r->nbucket = r->bucket ? n : 0;
}

const struct tcp_reasm_stats *tcp_reasm_stats(const struct tcp_reasm *r)
{
	return &r->st;
}

/* A message out of f's framer. */
static void on_message(const uint8_t *msg, size_t len, int truncated, void *arg)
{
	struct flow *f = arg;
	struct pkt_dns d;

	d.family = f->key.family;
	d.proto = IPPROTO_TCP;
	memcpy(d.saddr, f->key.saddr, sizeof(d.saddr));
	memcpy(d.daddr, f->key.daddr, sizeof(d.daddr));
	d.sport = f->key.sport;
	d.dport = f->key.dport;
	d.msg = msg;
	d.msg_len = len;
	d.truncated = truncated;
	f->r->cb(&d, f->r->ctx);
}

/* What f holds, in r's total. */
static void account(struct flow *f)
{
	size_t now = sizeof(*f) + f->held_bytes + (f->st.buf ? f->st.want : 0);

	f->r->st.total_bytes += now - f->acct;
	f->acct = now;
}

static void deliver(struct flow *f, const uint8_t *data, size_t len)
{
	dns_stream_feed(&f->st, data, len, on_message, f);
	f->next_seq += (uint32_t)len;
}

/* Held segments that the stream has reached go out (what of them is new). */
static void drain(struct flow *f)
{
	while (f->held && seq_diff(f->held->seq, f->next_seq) <= 0) {
		struct held *h = f->held;
		uint32_t old = (uint32_t)-seq_diff(h->seq, f->next_seq);

		f->held = h->next;
		f->held_bytes -= h->len;
		f->r->st.held_bytes -= h->len;
		if (old < h->len) {
			f->r->st.dup_bytes += old;
			deliver(f, h->data + old, h->len - old);
		} else {
			f->r->st.dup_bytes += h->len;
		}
		free(h);
	}
}

/* The bytes up to target never came: a gap, then what is held after it. */
static void skip_to(struct flow *f, uint32_t target)
{
	uint32_t n = (uint32_t)seq_diff(target, f->next_seq);

	if (seq_diff(target, f->next_seq) <= 0)
		return;
	dns_stream_gap(&f->st, n, on_message, f);
	f->r->st.gaps++;
	f->r->st.gap_bytes += n;
	f->next_seq = target;
	drain(f);
}

static void hold(struct flow *f, uint32_t seq, const uint8_t *data, size_t len)
{
	struct held **pp = &f->held, *h;

	while (*pp && seq_diff((*pp)->seq, seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len) {
		f->r->st.dup_bytes += len; /* a retransmission of what is held */
		return;
	}
	h = malloc(sizeof(*h) + len);
	if (!h) {
		skip_to(f, seq); /* no memory: as if the hole were lost */
		deliver(f, data, len);
		return;
	}
	h->seq = seq;
	h->len = (uint32_t)len;
	memcpy(h->data, data, len);
	h->next = *pp;
	*pp = h;
	f->held_bytes += len;
	f->r->st.held_bytes += len;
}

/* Data [seq, seq + len) of flow f. */
static void add_data(struct flow *f, uint32_t seq, const uint8_t *data, size_t len)
{
	for (;;) {
		int32_t d = seq_diff(seq, f->next_seq);

		if (d <= 0) {
			size_t old = (size_t) - (int64_t)d;

			if (old >= len) {
				f->r->st.dup_bytes += len;
				return;
			}
			f->r->st.dup_bytes += old;
			deliver(f, data + old, len - old);
			drain(f);
			return;
		}
		if ((size_t)d + len <= TCP_REASM_WINDOW &&
		    f->held_bytes + len <= f->r->flow_bytes) {
			hold(f, seq, data, len);
			return;
		}
		/* out of room: give up on the first hole */
		skip_to(f, f->held && seq_diff(f->held->seq, seq) < 0 ? f->held->seq : seq);
	}
}

static void unlink_idle(struct tcp_reasm *r, struct flow *f)
{
	if (f->older)
		f->older->newer = f->newer;
	if (f->newer)
		f->newer->older = f->older;
	if (r->oldest == f)
		r->oldest = f->newer;
	if (r->newest == f)
		r->newest = f->older;
	f->older = f->newer = NULL;
}

static void link_newest(struct tcp_reasm *r, struct flow *f)
{
	f->older = r->newest;
	f->newer = NULL;
	if (r->newest)
		r->newest->newer = f;
	else
		r->oldest = f;
	r->newest = f;
}

/* The flow ends: holes are gaps, what is held goes out, then the framer's
 * message under way (truncated); f is freed. */
static void end_flow(struct tcp_reasm *r, struct flow *f)
{
	struct flow **pp = &r->bucket[hash_key(&f->key, r->nbucket)];

	while (f->held)
		skip_to(f, f->held->seq);
	dns_stream_flush(&f->st, on_message, f);
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	unlink_idle(r, f);
	r->st.total_bytes -= f->acct;
	r->st.live_flows--;
	free(f);
}

static int same_flow(const struct pkt_flow *a, const struct pkt_flow *b)
{
	return a->family == b->family && a->proto == b->proto && a->sport == b->sport &&
	       a->dport == b->dport && memcmp(a->saddr, b->saddr, sizeof(a->saddr)) == 0 &&
	       memcmp(a->daddr, b->daddr, sizeof(a->daddr)) == 0;
}

static struct flow *lookup(struct tcp_reasm *r, const struct pkt_flow *k)
{
	struct flow *f = r->bucket[hash_key(k, r->nbucket)];

	while (f && !same_flow(&f->key, k))
		f = f->hnext;
	return f;
}

static struct flow *new_flow(struct tcp_reasm *r, const struct pkt_flow *k, uint32_t next,
			     int synced)
{
	struct flow *f;
	size_t b;

	while (r->st.live_flows >= r->max_flows && r->oldest) {
		r->st.evicted++;
		end_flow(r, r->oldest);
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->r = r;
	f->key = *k;
	f->next_seq = next;
	dns_stream_resync(&f->st, !synced);
	b = hash_key(k, r->nbucket);
	f->hnext = r->bucket[b];
	r->bucket[b] = f;
	link_newest(r, f);
	r->st.flows++;
	r->st.live_flows++;
	account(f);
	return f;
}

/* The key of a segment's flow, with no stray bytes (it is hashed whole). */
static void flow_key(const struct pkt_segment *seg, struct pkt_flow *k)
{
	size_t alen = seg->flow.family == AF_INET6 ? 16 : 4;

	memset(k, 0, sizeof(*k));
	k->family = seg->flow.family;
	k->proto = IPPROTO_TCP;
	memcpy(k->saddr, seg->flow.saddr, alen);
	memcpy(k->daddr, seg->flow.daddr, alen);
	k->sport = seg->flow.sport;
	k->dport = seg->flow.dport;
}

/* seg acknowledges the bytes before its ack number: the peer's receiver
 * had them, so what the capture is missing of them will not come now. */
static void acknowledged(struct tcp_reasm *r, const struct pkt_flow *k, uint32_t ack)
{
	struct pkt_flow rk = *k;
	struct flow *f;

	memcpy(rk.saddr, k->daddr, sizeof(rk.saddr));
	memcpy(rk.daddr, k->saddr, sizeof(rk.daddr));
	rk.sport = k->dport;
	rk.dport = k->sport;
	f = lookup(r, &rk);
	if (!f || seq_diff(ack, f->next_seq) <= 0 || seq_diff(ack, f->next_seq) > (1 << 30))
		return;
	while (seq_diff(ack, f->next_seq) > 0) {
		uint32_t to = f->held && seq_diff(f->held->seq, ack) < 0 ? f->held->seq : ack;

		skip_to(f, to); /* each round ends at ack or takes a held segment */
	}
	account(f);
}

void tcp_reasm_segment(struct tcp_reasm *r, const struct pkt_segment *seg)
{
	int syn = (seg->flags & PKT_TCP_SYN) != 0;
	uint32_t seq = seg->seq + (syn ? 1 : 0);
	struct pkt_flow k;
	struct flow *f;

	flow_key(seg, &k);
	if (seg->flags & PKT_TCP_ACK)
		acknowledged(r, &k, seg->ack);
	f = lookup(r, &k);
	if (f && syn && f->next_seq != seq) {
		end_flow(r, f); /* a new connection on the same ports */
		f = NULL;
	}
	if (!f) {
		if (!syn && seg->len == 0)
			return; /* an ACK, FIN or RST of a flow not seen: nothing to end */
		f = new_flow(r, &k, seq, syn);
		if (!f)
			return;
	} else {
		unlink_idle(r, f);
		link_newest(r, f);
	}
	if (seg->len)
		add_data(f, seq, seg->data, seg->len);
	if (seg->orig_len > seg->len && seq_diff(f->next_seq, seq + (uint32_t)seg->len) == 0)
		skip_to(f, seq + (uint32_t)seg->orig_len); /* the snaplen cut it */
	if (seg->flags & PKT_TCP_FIN) {
		f->fin = 1;
		f->fin_seq = seq + (uint32_t)seg->orig_len;
	}
	account(f);
	if ((seg->flags & PKT_TCP_RST) || (f->fin && seq_diff(f->next_seq, f->fin_seq) >= 0))
		end_flow(r, f);
	while (r->st.total_bytes > r->total_bytes && r->oldest && r->oldest != r->newest) {
		r->st.evicted++;
		end_flow(r, r->oldest);
	}
}

void tcp_reasm_finish(struct tcp_reasm *r)
{
	while (r->oldest)
		end_flow(r, r->oldest);
}

void tcp_reasm_free(struct tcp_reasm *r)
{
	if (!r)
		return;
	while (r->oldest) { /* dropped, not handed on */
		struct flow *f = r->oldest;

		while (f->held) {
			struct held *h = f->held;

			f->held = h->next;
			free(h);
		}
		dns_stream_free(&f->st);
		unlink_idle(r, f);
		free(f);
	}
	free(r->bucket);
	free(r);
}
