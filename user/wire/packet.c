/* packet.c - find DNS messages in captured link-layer frames.
 *
 * Layers: link header -> IPv4/IPv6 (options, extension headers, fragments)
 * -> UDP/TCP -> DNS message(s).  Every read is checked against the bytes
 * that were captured; the lengths the headers claim only ever shrink the
 * range that is looked at, never grow it.
 */
#include "wire/packet.h"
#include "util/bytes.h"
#include "wire/dns_stream.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define ETH_HLEN     14
#define ETH_MAX_TAGS 8 /* VLAN tags accepted in front of the ethertype */
#define SLL_HLEN     16
#define SLL2_HLEN    20
#define NULL_HLEN    4
#define IPV4_HLEN    20
#define IPV6_HLEN    40
#define IPV6_MAX_EXT 8 /* extension headers walked before giving up */
#define UDP_HLEN     8
#define TCP_HLEN     20

#define ETHERTYPE_IPV4	 0x0800
#define ETHERTYPE_IPV6	 0x86dd
#define ETHERTYPE_8021Q	 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ	 0x9100

/* Address family values found in NULL/LOOP headers. */
#define BSD_AF_INET	     2
#define BSD_AF_INET6_NETBSD  24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30
#define LINUX_AF_INET6	     10

/* IPv6 next-header values. */
#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_NONE	    59
#define NH_DSTOPTS  60

struct parse {
	pkt_dns_cb cb;
	void *ctx;
	struct pkt_dns dns; /* addresses and family filled by the IP layer */
};

int packet_link_supported(int linktype)
{
	switch (linktype) {
	case PKT_LINK_NULL:
	case PKT_LINK_EN10MB:
	case PKT_LINK_RAW:
	case PKT_LINK_LOOP:
	case PKT_LINK_LINUX_SLL:
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
	case PKT_LINK_LINUX_SLL2:
	case PKT_LINK_PKTAP:
	case PKT_LINK_USER2_PKTAP:
		return 1;
	default:
		return 0;
	}
}

/* UDP: one message, bounded by the UDP length field and the captured bytes. */
static enum pkt_status parse_udp(struct parse *ps, const uint8_t *p, size_t len)
{
	if (len < UDP_HLEN)
		return PKT_MALFORMED;
	size_t ulen = be16(p + 4);
	if (ulen < UDP_HLEN)
		return PKT_MALFORMED;
	size_t avail = len - UDP_HLEN;
	size_t plen = ulen - UDP_HLEN;
	if (plen > avail) {
		plen = avail;
		ps->dns.truncated = 1;
	}
	ps->dns.proto = IPPROTO_UDP;
	ps->dns.sport = be16(p);
	ps->dns.dport = be16(p + 2);
	ps->dns.msg = p + UDP_HLEN;
	ps->dns.msg_len = plen;
	ps->cb(&ps->dns, ps->ctx);
	return PKT_OK;
}

/* The framer's messages of one TCP segment, as pkt_dns records. */
static void on_tcp_message(const uint8_t *msg, size_t len, int truncated, void *arg)
{
	struct parse *ps = arg;

	ps->dns.msg = msg;
	ps->dns.msg_len = len;
	ps->dns.truncated = truncated;
	ps->cb(&ps->dns, ps->ctx);
}

/* TCP: the segment data goes through the DNS stream framer (wire/
 * dns_stream.h), one segment at a time: every complete length-prefixed
 * message in it is handed over, and one cut off at the segment's end is
 * not (there is no reassembly across segments here). */
static enum pkt_status parse_tcp(struct parse *ps, const uint8_t *p, size_t len)
{
	struct dns_stream st;

	if (len < TCP_HLEN)
		return PKT_MALFORMED;
	size_t hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < TCP_HLEN || hlen > len)
		return PKT_MALFORMED;
	ps->dns.proto = IPPROTO_TCP;
	ps->dns.sport = be16(p);
	ps->dns.dport = be16(p + 2);
	dns_stream_init(&st);
	dns_stream_feed(&st, p + hlen, len - hlen, on_tcp_message, ps);
	dns_stream_free(&st);
	return PKT_OK;
}

static enum pkt_status parse_transport(struct parse *ps, uint8_t proto, const uint8_t *p,
				       size_t len)
{
	switch (proto) {
	case IPPROTO_UDP:
		return parse_udp(ps, p, len);
	case IPPROTO_TCP:
		return parse_tcp(ps, p, len);
	default:
		return PKT_NOT_TRANSPORT;
	}
}

static enum pkt_status parse_ipv4(struct parse *ps, const uint8_t *p, size_t len)
{
	if (len < IPV4_HLEN || (p[0] >> 4) != 4)
		return PKT_MALFORMED;
	size_t hlen = (size_t)(p[0] & 0x0f) * 4;
	if (hlen < IPV4_HLEN || hlen > len)
		return PKT_MALFORMED;
	size_t total = be16(p + 2);
	if (total < hlen)
		return PKT_MALFORMED;
	if (total > len)
		ps->dns.truncated = 1; /* snaplen cut the packet */
	else
		len = total; /* drop link-layer padding (Ethernet minimum frame) */

	uint16_t frag = be16(p + 6);
	if (frag & 0x1fff)
		return PKT_NOT_TRANSPORT; /* later fragment: no transport header here */
	if (frag & 0x2000)
		ps->dns.truncated = 1; /* first fragment: the rest is elsewhere */

	ps->dns.family = AF_INET;
	memcpy(ps->dns.saddr, p + 12, 4);
	memcpy(ps->dns.daddr, p + 16, 4);
	return parse_transport(ps, p[9], p + hlen, len - hlen);
}

static enum pkt_status parse_ipv6(struct parse *ps, const uint8_t *p, size_t len)
{
	if (len < IPV6_HLEN || (p[0] >> 4) != 6)
		return PKT_MALFORMED;
	size_t total = IPV6_HLEN + (size_t)be16(p + 4);
	if (total > len)
		ps->dns.truncated = 1;
	else
		len = total;

	ps->dns.family = AF_INET6;
	memcpy(ps->dns.saddr, p + 8, 16);
	memcpy(ps->dns.daddr, p + 24, 16);

	uint8_t next = p[6];
	size_t off = IPV6_HLEN;
	for (int n = 0;; n++) {
		switch (next) {
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_DSTOPTS: {
			if (n >= IPV6_MAX_EXT || len - off < 8)
				return PKT_MALFORMED;
			size_t elen = ((size_t)p[off + 1] + 1) * 8;
			if (elen > len - off)
				return PKT_MALFORMED;
			next = p[off];
			off += elen;
			break;
		}
		case NH_FRAGMENT: {
			if (n >= IPV6_MAX_EXT || len - off < 8)
				return PKT_MALFORMED;
			uint16_t fo = be16(p + off + 2);
			if (fo & 0xfff8)
				return PKT_NOT_TRANSPORT; /* later fragment */
			if (fo & 1)
				ps->dns.truncated = 1;
			next = p[off];
			off += 8;
			break;
		}
		case NH_NONE:
			return PKT_NOT_TRANSPORT;
		default:
			return parse_transport(ps, next, p + off, len - off);
		}
	}
}

/* Version nibble picks the IP parser; want is 4, 6 or 0 (either). */
static enum pkt_status parse_ip(struct parse *ps, const uint8_t *p, size_t len, int want)
{
	if (len < 1)
		return PKT_MALFORMED;
	int version = p[0] >> 4;
	if (want && version != want)
		return PKT_MALFORMED;
	if (version == 4)
		return parse_ipv4(ps, p, len);
	if (version == 6)
		return parse_ipv6(ps, p, len);
	return PKT_MALFORMED;
}

static enum pkt_status parse_ethertype(struct parse *ps, uint16_t type, const uint8_t *p,
				       size_t len)
{
	if (type == ETHERTYPE_IPV4)
		return parse_ip(ps, p, len, 4);
	if (type == ETHERTYPE_IPV6)
		return parse_ip(ps, p, len, 6);
	return PKT_NOT_IP;
}

static enum pkt_status parse_en10mb(struct parse *ps, const uint8_t *p, size_t len)
{
	if (len < ETH_HLEN)
		return PKT_MALFORMED;
	size_t off = 12;
	uint16_t type = be16(p + off);
	for (int tags = 0;
	     type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ;
	     tags++) {
		/* A tag is TPID(2) TCI(2), then the next type/TPID. */
		if (tags >= ETH_MAX_TAGS || len - off < 6)
			return PKT_MALFORMED;
		off += 4;
		type = be16(p + off);
	}
	off += 2;
	return parse_ethertype(ps, type, p + off, len - off);
}

static int null_family(uint32_t af)
{
	switch (af) {
	case BSD_AF_INET:
		return 4;
	case LINUX_AF_INET6:
	case BSD_AF_INET6_NETBSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return 6;
	default:
		return 0;
	}
}

static enum pkt_status parse_link(struct parse *ps, int linktype, const uint8_t *frame,
				  size_t caplen);

/* Apple's PKTAP header (macOS `tcpdump -k`): pth_length (the header's own
 * length) and pth_dlt (the link type of the frame that follows), in the
 * capturing host's byte order, which is little-endian on every Mac. */
#define PKTAP_FIELDS_LEN 12

static int pktap_inner_link(uint32_t dlt)
{
	switch (dlt) {
	case PKT_LINK_NULL:
	case PKT_LINK_EN10MB:
	case PKT_LINK_LOOP:
		return (int)dlt;
	case 12: /* DLT_RAW */
		return PKT_LINK_RAW;
	default:
		return -1;
	}
}

static enum pkt_status parse_pktap(struct parse *ps, const uint8_t *p, size_t len)
{
	uint32_t hlen, dlt;
	int inner;

	if (len < PKTAP_FIELDS_LEN)
		return PKT_MALFORMED;
	hlen = le32(p);
	dlt = le32(p + 8);
	if (hlen < PKTAP_FIELDS_LEN || hlen > len) {
		hlen = be32(p);
		dlt = be32(p + 8);
	}
	if (hlen < PKTAP_FIELDS_LEN || hlen > len)
		return PKT_MALFORMED;
	inner = pktap_inner_link(dlt);
	if (inner < 0)
		return PKT_NOT_IP;
	return parse_link(ps, inner, p + hlen, len - hlen);
}

enum pkt_status packet_parse(int linktype, const uint8_t *frame, size_t caplen, pkt_dns_cb cb,
			     void *ctx)
{
	struct parse ps;
	memset(&ps, 0, sizeof(ps));
	ps.cb = cb;
	ps.ctx = ctx;
	if (!frame)
		caplen = 0;
	if (linktype == PKT_LINK_PKTAP || linktype == PKT_LINK_USER2_PKTAP)
		return parse_pktap(&ps, frame, caplen);
	return parse_link(&ps, linktype, frame, caplen);
}

static enum pkt_status parse_link(struct parse *ps, int linktype, const uint8_t *frame,
				  size_t caplen)
{
	switch (linktype) {
	case PKT_LINK_EN10MB:
		return parse_en10mb(ps, frame, caplen);
	case PKT_LINK_LINUX_SLL:
		if (caplen < SLL_HLEN)
			return PKT_MALFORMED;
		return parse_ethertype(ps, be16(frame + 14), frame + SLL_HLEN, caplen - SLL_HLEN);
	case PKT_LINK_LINUX_SLL2:
		if (caplen < SLL2_HLEN)
			return PKT_MALFORMED;
		return parse_ethertype(ps, be16(frame), frame + SLL2_HLEN, caplen - SLL2_HLEN);
	case PKT_LINK_RAW:
		return parse_ip(ps, frame, caplen, 0);
	case PKT_LINK_IPV4:
		return parse_ip(ps, frame, caplen, 4);
	case PKT_LINK_IPV6:
		return parse_ip(ps, frame, caplen, 6);
	case PKT_LINK_NULL:
	case PKT_LINK_LOOP: {
		if (caplen < NULL_HLEN)
			return PKT_MALFORMED;
		/* NULL: host byte order of the capturing machine, so try both;
		 * LOOP: always network byte order. */
		int v = null_family(be32(frame));
		if (!v && linktype == PKT_LINK_NULL)
			v = null_family(le32(frame));
		if (!v)
			return PKT_NOT_IP;
		return parse_ip(ps, frame + NULL_HLEN, caplen - NULL_HLEN, v);
	}
	default:
		return PKT_UNSUPPORTED_LINK;
	}
}
