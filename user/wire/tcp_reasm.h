/* tcp_reasm.h - TCP segments, per flow, back into the byte stream the
 * sender wrote, and that stream through the DNS framer (dns_stream.h).
 *
 * Part of the wire stage (see packet.h).  A flow is one direction of a
 * connection (addresses and ports).  Its bytes go out in sequence order:
 * retransmitted and overlapping bytes are dropped (the first copy counts),
 * segments ahead of the next expected byte are held while they lie within
 * TCP_REASM_WINDOW of it.  A flow seen first without its SYN is picked up
 * mid-way: its framer starts lost and finds the first plausible message
 * (dns_stream_resync()).  Bytes that never came are a gap: bytes the peer
 * acknowledged (its receiver had them, the capture did not), and a hole
 * the window or the flow's end gives up on.  The framer hands on the
 * message a gap cuts, truncated, and resynchronises if it cut a length.
 *
 * Memory: held segments at most TCP_REASM_FLOW_BYTES per flow, at most
 * TCP_REASM_MAX_FLOWS flows and TCP_REASM_TOTAL_BYTES held and assembled
 * in all; the flow idle longest is evicted (ended: what it holds is handed
 * on as at a FIN) to make room.  Gaps and evictions are counted.
 */
#ifndef DNSVIS_WIRE_TCP_REASM_H
#define DNSVIS_WIRE_TCP_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "wire/packet.h"

#define TCP_REASM_WINDOW      (64u << 10)
#define TCP_REASM_FLOW_BYTES  (64u << 10)
#define TCP_REASM_MAX_FLOWS   4096
#define TCP_REASM_TOTAL_BYTES (32u << 20)

struct tcp_reasm_stats {
	unsigned long long flows;	/* flows begun */
	unsigned long long evicted;	/* flows ended to make room */
	unsigned long long gaps;	/* holes skipped in a stream */
	unsigned long long gap_bytes;	/* bytes in those holes */
	unsigned long long dup_bytes;	/* retransmitted / overlapping bytes dropped */
	unsigned long long held_bytes;	/* now held (out of order) */
	unsigned long long live_flows;	/* now tracked */
	unsigned long long total_bytes; /* now held or assembled, in all */
};

struct tcp_reasm;

/* Messages out of every flow go to cb, with the flow's addresses. */
struct tcp_reasm *tcp_reasm_new(pkt_dns_cb cb, void *ctx);

/* The limits, for tests (0 keeps the default). */
void tcp_reasm_limits(struct tcp_reasm *r, size_t max_flows, size_t flow_bytes, size_t total_bytes);

/* One segment (proto TCP), in capture order. */
void tcp_reasm_segment(struct tcp_reasm *r, const struct pkt_segment *seg);

/* The capture ended: every flow ends as at a FIN (holes are gaps, what is
 * held goes out, a message under way is handed on truncated). */
void tcp_reasm_finish(struct tcp_reasm *r);

const struct tcp_reasm_stats *tcp_reasm_stats(const struct tcp_reasm *r);

/* Free everything (after tcp_reasm_finish(), or dropping what is held). */
void tcp_reasm_free(struct tcp_reasm *r);

#endif
