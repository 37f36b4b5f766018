/* fuzz_tcp_reasm.c - libFuzzer target for TCP stream reassembly
 * (wire/tcp_reasm.c, through wire/dns_stream.c), checked against a model.
 *
 * Input: byte 0 holds flags (bit 0: lossy, bit 1: no SYN, bit 2: ACKs from
 * the peer), byte 1 the number of messages, then bytes that drive the
 * rest.  The stream is messages of 65..511 bytes, each filled with its own
 * number n as the byte 0xc0 | n, so pieces can be told apart, written one
 * after the other.  Every fill byte and every length's low byte has bit
 * 0x40 set, so no 14 bytes of the stream pass dns_stream_plausible() (the
 * Z bit, or a question count too big for the length): a resync can only
 * land on a real length.  The stream
 * is cut into segments of 1..512 bytes at input-chosen places, and the
 * segments are sent in an input-chosen order, some twice, some widened to
 * overlap their neighbour.  Exact mode (SYN first, every byte sent at
 * least once): out come exactly the messages, in order, none truncated,
 * and nothing is held after the FIN.  Lossy mode (segments dropped, no
 * SYN, the peer's ACKs): every message out is a piece of a real one, from
 * its start, marked truncated when short.  In both: memory stays within
 * the limits after every segment, and nothing is held at the end.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/tcp_reasm.h"

#define MAX_MSGS 64
#define MAX_SEGS 512
#define ISN	 0xfffff000u /* the sequence numbers wrap */

struct model {
	size_t n, len[MAX_MSGS], next;
	int lossy;
};

static void check(const struct pkt_dns *d, void *ctx)
{
	struct model *m = ctx;
	const uint8_t *msg = d->msg;
	size_t len = d->msg_len;

	size_t k = msg[0] & 0x3f;

	if (d->proto != IPPROTO_TCP || d->dport != 53 || len == 0 || len > 511)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)
		if (msg[i] != msg[0] || (msg[i] & 0xc0) != 0xc0)
			__builtin_trap();
	if (k >= m->n || len > m->len[k] || (!d->truncated && len != m->len[k]))
		__builtin_trap();
	if (!m->lossy) {
		if (d->truncated || k != m->next)
			__builtin_trap();
		m->next++;
	}
}

struct seg {
	uint32_t off, len;
};

static void send_seg(struct tcp_reasm *r, const uint8_t *stream, uint32_t off, uint32_t len,
		     uint8_t flags, uint32_t ack)
{
	struct pkt_segment s;

	memset(&s, 0, sizeof(s));
	s.flow.family = AF_INET;
	s.flow.proto = IPPROTO_TCP;
	memcpy(s.flow.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(s.flow.daddr, "\x0a\x00\x00\x35", 4);
	s.flow.sport = 40000;
	s.flow.dport = 53;
	s.data = stream + off;
	s.len = s.orig_len = len;
	s.seq = ISN + 1 + off;
	if (flags & PKT_TCP_SYN)
		s.seq = ISN;
	s.flags = flags;
	tcp_reasm_segment(r, &s);
	if (ack) { /* the peer acknowledges up to off + len */
		struct pkt_segment a = s;

		memcpy(a.flow.saddr, s.flow.daddr, 4);
		memcpy(a.flow.daddr, s.flow.saddr, 4);
		a.flow.sport = 53;
		a.flow.dport = 40000;
		a.len = a.orig_len = 0;
		a.seq = 7;
		a.ack = ISN + 1 + off + len;
		a.flags = PKT_TCP_ACK;
		tcp_reasm_segment(r, &a);
	}
}

static void bounded(const struct tcp_reasm *r, size_t flow_bytes)
{
	const struct tcp_reasm_stats *st = tcp_reasm_stats(r);

	if (st->held_bytes > flow_bytes * (st->live_flows + 1) || st->total_bytes > (32u << 20))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t stream[MAX_MSGS * 513];
	static struct seg segs[MAX_SEGS];
	static uint32_t order[MAX_SEGS];
	struct model m = {0};
	size_t slen = 0, nseg = 0, pos = 2;
	struct tcp_reasm *r;
	int nosyn, acks;

	if (size < 3)
		return 0;
	m.lossy = data[0] & 1;
	nosyn = m.lossy && (data[0] & 2);
	acks = m.lossy && (data[0] & 4);
	m.n = 1 + data[1] % MAX_MSGS;
#define NEXT() (pos < size ? data[pos++] : (uint8_t)(pos++ * 131))
	for (size_t k = 0; k < m.n; k++) {
		size_t len = (1 + (size_t)NEXT() * 2) | 0x40;

		m.len[k] = len;
		stream[slen++] = (uint8_t)(len >> 8);
		stream[slen++] = (uint8_t)len;
		memset(stream + slen, (int)(0xc0 | k), len);
		slen += len;
	}
	for (uint32_t off = 0; off < slen && nseg < MAX_SEGS; nseg++) {
		uint32_t len = 1 + NEXT() * 2u;

		if (len > slen - off || nseg == MAX_SEGS - 1)
			len = (uint32_t)(slen - off);
		segs[nseg].off = off;
		segs[nseg].len = len;
		order[nseg] = (uint32_t)nseg;
		off += len;
	}
	/* the order: swaps of neighbours up to 8 apart */
	for (size_t i = 0; i < nseg; i++) {
		size_t j = i + NEXT() % 8;
		uint32_t t;

		if (j >= nseg)
			continue;
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	r = tcp_reasm_new(check, &m);
	if (!r)
		return 0;
	if (!m.lossy)
		tcp_reasm_limits(r, 0, 1u << 20, 0);
	if (!nosyn)
		send_seg(r, stream, 0, 0, PKT_TCP_SYN, 0);
	for (size_t i = 0; i < nseg; i++) {
		struct seg s = segs[order[i]];
		uint8_t b = NEXT();

		if (m.lossy && (b & 3) == 0)
			continue;		   /* dropped */
		if (b & 4 && s.off + s.len < slen) /* widened over the next one */
			s.len += (uint32_t)(1 + (b >> 4)) < slen - s.off - s.len
				     ? (uint32_t)(1 + (b >> 4))
				     : (uint32_t)(slen - s.off - s.len);
		send_seg(r, stream, s.off, s.len, 0, acks && (b & 8));
		if (b & 0x80) /* sent twice */
			send_seg(r, stream, s.off, s.len, 0, 0);
		bounded(r, m.lossy ? TCP_REASM_FLOW_BYTES : 1u << 20);
	}
	if (!m.lossy) { /* the FIN: every byte came, so the stream is done */
		send_seg(r, stream, (uint32_t)slen, 0, PKT_TCP_FIN, 0);
		if (m.next != m.n || tcp_reasm_stats(r)->live_flows != 0)
			__builtin_trap();
	}
	tcp_reasm_finish(r);
	if (tcp_reasm_stats(r)->held_bytes || tcp_reasm_stats(r)->live_flows)
		__builtin_trap();
	tcp_reasm_free(r);
	return 0;
}
