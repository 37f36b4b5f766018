/* fuzz_dns_stream.c - libFuzzer target for the DNS-over-TCP framer
 * (wire/dns_stream.c), checked against a model.
 *
 * Input: byte 0 holds flags (bit 0: add gaps), then pairs of bytes.  Each
 * pair makes one message of 1..512 bytes (its content is the message number,
 * so messages can be told apart) and one piece size 1..64 for the feed.
 * The messages are written as one stream and fed in those pieces.  Without
 * gaps, what comes out must be exactly the messages, in order, none
 * truncated.  With gaps (a piece's size byte with its top bit set is skipped
 * as a gap instead of fed), every message out must be a prefix of a real
 * one, marked truncated when shorter, and nothing may be held afterwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/dns_stream.h"

#define MAX_MSGS 256

struct model {
	size_t n;
	size_t len[MAX_MSGS];
	size_t next; /* messages seen */
	int gaps;
};

static void check(const uint8_t *msg, size_t len, int truncated, void *ctx)
{
	struct model *m = ctx;

	if (!m->gaps) {
		if (m->next >= m->n || truncated || len != m->len[m->next])
			__builtin_trap();
		for (size_t i = 0; i < len; i++)
			if (msg[i] != (uint8_t)m->next)
				__builtin_trap();
		m->next++;
		return;
	}
	/* with gaps: a prefix of some message, whose bytes are all the same */
	if (len == 0 || len > 512)
		__builtin_trap();
	for (size_t i = 1; i < len; i++)
		if (msg[i] != msg[0])
			__builtin_trap();
	if (msg[0] < m->n && !truncated && len != m->len[msg[0]])
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t stream[MAX_MSGS * 514];
	struct model m = {0};
	struct dns_stream st;
	size_t pairs, slen = 0, pos = 0;

	if (size < 1)
		return 0;
	m.gaps = data[0] & 1;
	pairs = (size - 1) / 2;
	if (pairs > MAX_MSGS)
		pairs = MAX_MSGS;
	for (size_t k = 0; k < pairs; k++) {
		size_t len = 1 + (size_t)data[1 + 2 * k] * 2;

		m.len[m.n++] = len;
		stream[slen++] = (uint8_t)(len >> 8);
		stream[slen++] = (uint8_t)len;
		memset(stream + slen, (int)k, len);
		slen += len;
	}
	dns_stream_init(&st);
	for (size_t k = 0; pos < slen; k++) {
		uint8_t b = pairs ? data[2 + 2 * (k % pairs)] : 1;
		size_t piece = 1 + (b & 63);

		if (piece > slen - pos)
			piece = slen - pos;
		if (m.gaps && (b & 0x80))
			dns_stream_gap(&st, piece, check, &m);
		else
			dns_stream_feed(&st, stream + pos, piece, check, &m);
		pos += piece;
	}
	if (!m.gaps && (m.next != m.n || st.state != DNS_STREAM_LEN0 || st.buf))
		__builtin_trap();
	dns_stream_flush(&st, check, &m);
	if (st.buf)
		__builtin_trap();
	return 0;
}
