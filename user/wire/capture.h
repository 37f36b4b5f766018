/* capture.h - the DNS messages of a capture, frame by frame: the packet
 * parser (packet.h) with the fragment table (ip_frag.h) and, for TCP to or
 * from a DNS port, the stream reassembler (tcp_reasm.h).  Part of the wire
 * stage: replay reads frames with libpcap and hands them here.
 *
 * A message is handed on in the frame that completes it (a TCP message
 * split over segments: the segment with its last byte; several in one
 * segment: one call each), and at capture_finish() for what the end of
 * the capture cuts short.
 */
#ifndef DNSVIS_WIRE_CAPTURE_H
#define DNSVIS_WIRE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "wire/ip_frag.h"
#include "wire/packet.h"
#include "wire/port_set.h"
#include "wire/tcp_reasm.h"

struct capture;

/* Messages on UDP, and TCP streams to or from a port in ports (kept by
 * pointer), go to cb.  NULL when out of memory. */
struct capture *capture_new(const struct port_set *ports, pkt_dns_cb cb, void *ctx);

/* One frame of link type linktype, captured at ts_ns. */
enum pkt_status capture_frame(struct capture *c, int linktype, const uint8_t *frame, size_t caplen,
			      uint64_t ts_ns);

/* The capture ended: every TCP stream ends (see tcp_reasm_finish()). */
void capture_finish(struct capture *c);

const struct ip_frag_stats *capture_frag_stats(const struct capture *c);
const struct tcp_reasm_stats *capture_tcp_stats(const struct capture *c);

/* For tests: the reassembler, to set its limits. */
struct tcp_reasm *capture_tcp(struct capture *c);

void capture_free(struct capture *c);

#endif
