/* packet.h - find DNS in captured link-layer frames.
 *
 * Stage wire (user/wire/): bytes as they were on the wire or in a send
 * call, to DNS messages and their questions.  Link layers in link.h; IPv4
 * and IPv6 to UDP/TCP here; IP fragments put together in ip_frag.h; TCP
 * segments put in order per flow in tcp_reasm.h, whose bytes go through
 * the one DNS-over-TCP framer, dns_stream.h; all of it tied together for a
 * capture in capture.h.  The decoder in dns_decode.h, the one path from a
 * query to its questions in dns_query.h, names of types, classes and
 * opcodes in dns_types.h.  Pure: no libbpf, libpcap, /proc or BPF record;
 * every read bounds-checked against what was captured.
 */
#ifndef DNSVIS_PACKET_H
#define DNSVIS_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* LINKTYPE_ values from the pcap/pcapng file format (not DLT_ values). */
enum {
	PKT_LINK_NULL = 0,
	PKT_LINK_EN10MB = 1,
	PKT_LINK_PPP = 9,
	PKT_LINK_FDDI = 10,
	PKT_LINK_PPP_HDLC = 50, /* also PPP_SERIAL */
	PKT_LINK_PPP_ETHER = 51,
	PKT_LINK_RAW = 101,
	PKT_LINK_C_HDLC = 104,
	PKT_LINK_IEEE802_11 = 105,
	PKT_LINK_LOOP = 108,
	PKT_LINK_LINUX_SLL = 113,
	PKT_LINK_IEEE802_11_RADIO = 127,
	PKT_LINK_USER2_PKTAP = 149, /* USER2: what older macOS wrote for PKTAP */
	PKT_LINK_IPV4 = 228,
	PKT_LINK_IPV6 = 229,
	PKT_LINK_NFLOG = 239,
	PKT_LINK_PKTAP = 258, /* Apple PKTAP wrapping another link type */
	PKT_LINK_LINUX_SLL2 = 276,
};

/* The TCP flags the reassembler looks at. */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_ACK 0x10

/* Where a transport payload came from and went to. */
struct pkt_flow {
	int family;		      /* AF_INET or AF_INET6 */
	uint8_t proto;		      /* IPPROTO_UDP or IPPROTO_TCP */
	uint8_t saddr[16], daddr[16]; /* 4 bytes used for AF_INET */
	uint16_t sport, dport;	      /* host order */
};

/* What the packet parser finds in a frame: one UDP payload or one TCP
 * segment's data (not yet framed: tcp_reasm.h does that), pointing into
 * the frame or into a reassembled datagram. */
struct pkt_segment {
	struct pkt_flow flow;
	const uint8_t *data;
	size_t len;	 /* captured bytes of it */
	size_t orig_len; /* bytes of it the headers claim (>= len) */
	int truncated;	 /* captured bytes < what the headers claim */
	uint32_t seq;	 /* TCP: sequence number of data[0] */
	uint32_t ack;	 /* TCP: acknowledgment number (with PKT_TCP_ACK) */
	uint8_t flags;	 /* TCP: PKT_TCP_* */
};

/* One DNS message, from a UDP payload or out of a TCP stream. */
struct pkt_dns {
	int family; /* the fields of struct pkt_flow, flattened for readers */
	uint8_t proto;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	const uint8_t *msg; /* DNS message (valid during the callback only) */
	size_t msg_len;	    /* known bytes of it */
	int truncated;	    /* bytes of it are missing (snaplen, a gap in the stream) */
};

enum pkt_status {
	PKT_OK = 0,	   /* transport payload found; callback ran */
	PKT_NOT_IP,	   /* link payload is not IPv4/IPv6 (ARP, ...) */
	PKT_NOT_TRANSPORT, /* not UDP/TCP, or a fragment held for reassembly */
	PKT_MALFORMED,	   /* headers truncated or inconsistent */
	PKT_UNSUPPORTED_LINK,
};

typedef void (*pkt_segment_cb)(const struct pkt_segment *seg, void *ctx);
typedef void (*pkt_dns_cb)(const struct pkt_dns *dns, void *ctx);

struct ip_frags;

/* The packet parser's context: where segments go, and the fragment table
 * (NULL: fragments are not put together; a first fragment is parsed as
 * far as it goes, marked truncated, and later ones are not transport). */
struct pkt_parser {
	pkt_segment_cb cb;
	void *ctx;
	struct ip_frags *frags;
	uint64_t now_ns; /* capture time of the frame, for fragment ageing */
};

/* Does the parser know this link type? */
int packet_link_supported(int linktype);

/* Parse one captured frame: cb runs once with the UDP payload or the TCP
 * segment (also one without data, for its flags).  A datagram that its
 * last fragment completes goes through the same parser. */
enum pkt_status packet_parse(const struct pkt_parser *pp, int linktype, const uint8_t *frame,
			     size_t caplen);

#endif
