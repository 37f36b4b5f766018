/* ip_frag.c - see ip_frag.h.  A datagram under way is a buffer as long as
 * the furthest byte seen, and the sorted, merged list of byte ranges that
 * arrived; it is complete when the last fragment fixed its length and one
 * range covers it all.  The table is small (IP_FRAG_MAX_DATAGRAMS): a
 * linear scan finds a datagram and the oldest one. */
#include "wire/ip_frag.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DGRAM_MAX 65535

struct range {
	uint32_t start, end;
};

struct dgram {
	int used, refused;
	struct ip_frag_key key;
	uint64_t first_ns;
	uint8_t *buf; /* hdr, then the payload */
	size_t cap;   /* bytes of buf */
	uint8_t hdr[IP_FRAG_HDR_MAX];
	size_t hlen;
	int have_hdr;
	long total; /* payload length, once the last fragment came; -1 before */
	unsigned nranges;
	struct range r[IP_FRAG_MAX_PIECES];
};

struct ip_frags {
	struct dgram d[IP_FRAG_MAX_DATAGRAMS];
	size_t bytes; /* buffered in all */
	uint8_t *out; /* the last datagram handed out */
	struct ip_frag_stats st;
};

struct ip_frags *ip_frags_new(void)
{
	return calloc(1, sizeof(struct ip_frags));
}

static void drop(struct ip_frags *t, struct dgram *d)
{
	t->bytes -= d->cap;
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

void ip_frags_free(struct ip_frags *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < IP_FRAG_MAX_DATAGRAMS; i++)
		if (t->d[i].used)
			drop(t, &t->d[i]);
	free(t->out);
	free(t);
}

const struct ip_frag_stats *ip_frags_stats(const struct ip_frags *t)
{
	return &t->st;
}

static int same_key(const struct ip_frag_key *a, const struct ip_frag_key *b)
{
	size_t alen = a->family == AF_INET6 ? 16 : 4;

	return a->family == b->family && a->proto == b->proto && a->id == b->id &&
	       memcmp(a->saddr, b->saddr, alen) == 0 && memcmp(a->daddr, b->daddr, alen) == 0;
}

/* The datagram of k, or a free slot for it (the oldest evicted when there
 * is none); timed-out datagrams are dropped on the way. */
static struct dgram *find(struct ip_frags *t, const struct ip_frag_key *k, uint64_t now_ns)
{
	struct dgram *hit = NULL, *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < IP_FRAG_MAX_DATAGRAMS; i++) {
		struct dgram *d = &t->d[i];

		if (d->used && now_ns - d->first_ns > IP_FRAG_TIMEOUT_NS && now_ns > d->first_ns) {
			if (!d->refused)
				t->st.timed_out++;
			drop(t, d);
		}
		if (!d->used) {
			if (!free_slot)
				free_slot = d;
			continue;
		}
		if (same_key(&d->key, k))
			hit = d;
		if (!oldest || d->first_ns < oldest->first_ns)
			oldest = d;
	}
	if (hit)
		return hit;
	if (!free_slot) {
		if (!oldest->refused)
			t->st.evicted++;
		drop(t, oldest);
		free_slot = oldest;
	}
	free_slot->used = 1;
	free_slot->key = *k;
	free_slot->first_ns = now_ns;
	free_slot->total = -1;
	return free_slot;
}

/* Room for n payload bytes (after IP_FRAG_HDR_MAX for the header): grow
 * the buffer, evicting the oldest other datagrams while over the total. */
static int reserve(struct ip_frags *t, struct dgram *d, size_t n)
{
	size_t want = IP_FRAG_HDR_MAX + n;
	uint8_t *nb;

	if (want <= d->cap)
		return 0;
	while (t->bytes - d->cap + want > IP_FRAG_MAX_BYTES) {
		struct dgram *oldest = NULL;

		for (size_t i = 0; i < IP_FRAG_MAX_DATAGRAMS; i++)
			if (t->d[i].used && &t->d[i] != d &&
			    (!oldest || t->d[i].first_ns < oldest->first_ns))
				oldest = &t->d[i];
		if (!oldest)
			return -1;
		if (!oldest->refused)
			t->st.evicted++;
		drop(t, oldest);
	}
	nb = realloc(d->buf, want);
	if (!nb)
		return -1;
	memset(nb + d->cap, 0, want - d->cap);
	t->bytes += want - d->cap;
	d->buf = nb;
	d->cap = want;
	return 0;
}

/* Copy the bytes of [s, e) that no earlier fragment brought, and merge
 * the range in.  -1: an overlap where overlaps are refused (IPv6), or too
 * many pieces. */
static int add_range(struct dgram *d, uint32_t s, uint32_t e, const uint8_t *data, int refuse)
{
	uint8_t *pay = d->buf + IP_FRAG_HDR_MAX;
	uint32_t pos = s;
	unsigned i, j;

	for (i = 0; i < d->nranges && pos < e; i++) {
		const struct range *r = &d->r[i];

		if (r->end <= pos)
			continue;
		if (r->start >= e)
			break;
		if (refuse)
			return -1;
		if (r->start > pos)
			memcpy(pay + pos, data + (pos - s), r->start - pos);
		pos = r->end > pos ? r->end : pos;
	}
	if (pos < e)
		memcpy(pay + pos, data + (pos - s), e - pos);
	/* merge: drop every range that touches [s, e), widen [s, e) over them */
	for (i = 0, j = 0; i < d->nranges; i++) {
		struct range r = d->r[i];

		if (r.end < s || r.start > e) {
			d->r[j++] = r;
			continue;
		}
		s = r.start < s ? r.start : s;
		e = r.end > e ? r.end : e;
	}
	if (j >= IP_FRAG_MAX_PIECES)
		return -1;
	d->nranges = j;
	for (i = d->nranges; i > 0 && d->r[i - 1].start > s; i--)
		d->r[i] = d->r[i - 1];
	d->r[i].start = s;
	d->r[i].end = e;
	d->nranges++;
	return 0;
}

/* The checks before a fragment is copied: sizes, the last fragment. */
static int fragment_fits(struct dgram *d, size_t off, size_t len, int more)
{
	size_t end = off + len;

	if (end > DGRAM_MAX || (more && len == 0))
		return 0;
	if (d->total >= 0 && (end > (size_t)d->total || (!more && end != (size_t)d->total)))
		return 0; /* beyond the end, or a second, different end */
	for (unsigned i = 0; !more && i < d->nranges; i++)
		if (d->r[i].end > end)
			return 0; /* an end before bytes already seen */
	return 1;
}

enum ip_frag_result ip_frags_add(struct ip_frags *t, const struct ip_frag_key *k, size_t off,
				 int more, const uint8_t *data, size_t len, const uint8_t *hdr,
				 size_t hlen, uint64_t now_ns, uint8_t **dgram, size_t *dgram_len)
{
	struct dgram *d = find(t, k, now_ns);
	int refuse = k->family == AF_INET6;

	t->st.fragments++;
	if (d->refused)
		return IP_FRAG_DROPPED;
	if (!fragment_fits(d, off, len, more) || reserve(t, d, off + len) != 0 ||
	    add_range(d, (uint32_t)off, (uint32_t)(off + len), data, refuse) != 0) {
		t->st.refused++;
		t->bytes -= d->cap;
		free(d->buf);
		d->buf = NULL;
		d->cap = 0;
		d->refused = 1; /* kept until it times out: its later fragments go too */
		return IP_FRAG_DROPPED;
	}
	if (!more)
		d->total = (long)(off + len);
	if (off == 0 && hlen <= IP_FRAG_HDR_MAX) {
		memcpy(d->hdr, hdr, hlen);
		d->hlen = hlen;
		d->have_hdr = 1;
	}
	if (d->total < 0 || !d->have_hdr || d->nranges != 1 || d->r[0].start != 0 ||
	    d->r[0].end != (uint32_t)d->total)
		return IP_FRAG_HELD;
	/* complete: the header right in front of the payload, handed out */
	free(t->out);
	t->out = d->buf;
	t->bytes -= d->cap;
	memcpy(t->out + IP_FRAG_HDR_MAX - d->hlen, d->hdr, d->hlen);
	*dgram = t->out + IP_FRAG_HDR_MAX - d->hlen;
	*dgram_len = d->hlen + (size_t)d->total;
	d->buf = NULL;
	d->cap = 0;
	memset(d, 0, sizeof(*d));
	t->st.datagrams++;
	return IP_FRAG_DONE;
}
