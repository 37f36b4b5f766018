/* packet.h - find DNS messages in captured link-layer frames.
 *
 * Stage wire (user/wire/): bytes as they were on the wire or in a send
 * call, to DNS messages and their questions.  Link layer -> IP -> UDP/TCP
 * here, DNS-over-TCP framing in dns_stream.h, the decoder in dns_decode.h,
 * the one path from a query to its questions in dns_query.h, names of
 * types and classes in dns_types.h.  Pure: no libbpf, libpcap, /proc or
 * BPF record; every read bounds-checked against what was captured.
 *
 * Handles the link types replay supports, IPv4 (with options, fragments),
 * IPv6 (with extension headers), UDP and TCP (length-prefixed messages).
 * Every read is checked against the captured length.
 */
#ifndef DNSVIS_PACKET_H
#define DNSVIS_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* LINKTYPE_ values from the pcap/pcapng file format (not DLT_ values). */
enum {
	PKT_LINK_NULL = 0,
	PKT_LINK_EN10MB = 1,
	PKT_LINK_RAW = 101,
	PKT_LINK_LOOP = 108,
	PKT_LINK_LINUX_SLL = 113,
	PKT_LINK_IPV4 = 228,
	PKT_LINK_IPV6 = 229,
	PKT_LINK_LINUX_SLL2 = 276,
	PKT_LINK_PKTAP = 258,	    /* Apple PKTAP wrapping another link type */
	PKT_LINK_USER2_PKTAP = 149, /* USER2: what older macOS wrote for PKTAP */
};

/* One DNS message found in a frame. */
struct pkt_dns {
	int family;		      /* AF_INET or AF_INET6 */
	uint8_t proto;		      /* IPPROTO_UDP or IPPROTO_TCP */
	uint8_t saddr[16], daddr[16]; /* 4 bytes used for AF_INET */
	uint16_t sport, dport;	      /* host order */
	const uint8_t *msg;	      /* DNS message (points into the frame) */
	size_t msg_len;		      /* captured bytes of it */
	int truncated;		      /* captured bytes < what the headers claim */
};

enum pkt_status {
	PKT_OK = 0,	   /* transport payload found; callback ran per message */
	PKT_NOT_IP,	   /* link payload is not IPv4/IPv6 (ARP, ...) */
	PKT_NOT_TRANSPORT, /* not UDP/TCP, or a non-first fragment */
	PKT_MALFORMED,	   /* headers truncated or inconsistent */
	PKT_UNSUPPORTED_LINK,
};

typedef void (*pkt_dns_cb)(const struct pkt_dns *dns, void *ctx);

/* Does the parser know this link type? */
int packet_link_supported(int linktype);

/* Parse one captured frame.  For UDP, cb runs once with the payload.  For
 * TCP, cb runs once for every complete length-prefixed DNS message in the
 * segment.  Returns PKT_OK when a UDP/TCP payload was reached (cb may have
 * run zero times, e.g. an empty TCP segment). */
enum pkt_status packet_parse(int linktype, const uint8_t *frame, size_t caplen, pkt_dns_cb cb,
			     void *ctx);

#endif
