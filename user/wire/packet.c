/* packet.c - IPv4/IPv6 (options, extension headers, fragments) -> UDP/TCP.
 *
 * Every read is checked against the bytes that were captured; the lengths
 * the headers claim only ever shrink the range that is looked at, never
 * grow it.  Link layers are link.c's; fragments are kept by ip_frag.c, and
 * the datagram the last one completes is parsed here again, as a packet
 * of its own.
 */
#include "wire/packet.h"
#include "util/bytes.h"
#include "wire/ip_frag.h"
#include "wire/link.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define IPV4_HLEN    20
#define IPV6_HLEN    40
#define IPV6_MAX_EXT 8 /* extension headers walked before giving up */
#define UDP_HLEN     8
#define TCP_HLEN     20

/* IPv6 next-header values. */
#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_NONE	    59
#define NH_DSTOPTS  60

struct parse {
	const struct pkt_parser *pp;
	int reassembled; /* parsing a datagram ip_frag put together */
	size_t claimed;	 /* the IP payload length the headers claim */
	struct pkt_segment seg;
};

int packet_link_supported(int linktype)
{
	return link_supported(linktype);
}

static enum pkt_status parse_ip(struct parse *ps, const uint8_t *p, size_t len, int want);

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
		ps->seg.truncated = 1;
	}
	ps->seg.flow.proto = IPPROTO_UDP;
	ps->seg.flow.sport = be16(p);
	ps->seg.flow.dport = be16(p + 2);
	ps->seg.data = p + UDP_HLEN;
	ps->seg.len = plen;
	ps->seg.orig_len = ulen - UDP_HLEN;
	ps->pp->cb(&ps->seg, ps->pp->ctx);
	return PKT_OK;
}

/* TCP: the segment's data as it is; framing is the reassembler's. */
static enum pkt_status parse_tcp(struct parse *ps, const uint8_t *p, size_t len)
{
	if (len < TCP_HLEN)
		return PKT_MALFORMED;
	size_t hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < TCP_HLEN || hlen > len)
		return PKT_MALFORMED;
	ps->seg.flow.proto = IPPROTO_TCP;
	ps->seg.flow.sport = be16(p);
	ps->seg.flow.dport = be16(p + 2);
	ps->seg.seq = be32(p + 4);
	ps->seg.ack = be32(p + 8);
	ps->seg.flags = p[13] & (PKT_TCP_FIN | PKT_TCP_SYN | PKT_TCP_RST | PKT_TCP_ACK);
	ps->seg.data = p + hlen;
	ps->seg.len = len - hlen;
	ps->seg.orig_len = ps->claimed > len ? ps->claimed - hlen : len - hlen;
	ps->pp->cb(&ps->seg, ps->pp->ctx);
	return PKT_OK;
}

static enum pkt_status parse_transport(struct parse *ps, uint8_t proto, const uint8_t *p,
				       size_t len, size_t claimed)
{
	ps->claimed = claimed;
	switch (proto) {
	case IPPROTO_UDP:
		return parse_udp(ps, p, len);
	case IPPROTO_TCP:
		return parse_tcp(ps, p, len);
	default:
		return PKT_NOT_TRANSPORT;
	}
}

/* A datagram the fragment table completed: its header's length (and, for
 * IPv4, fragment) fields made whole, then parsed as a packet of its own. */
static enum pkt_status parse_reassembled(struct parse *ps, uint8_t *dg, size_t len)
{
	struct parse inner;

	if ((dg[0] >> 4) == 4) {
		dg[2] = (uint8_t)(len >> 8);
		dg[3] = (uint8_t)len;
		dg[6] = dg[7] = 0;
	} else {
		size_t plen = len - IPV6_HLEN;

		dg[4] = (uint8_t)(plen >> 8);
		dg[5] = (uint8_t)plen;
	}
	memset(&inner, 0, sizeof(inner));
	inner.pp = ps->pp;
	inner.reassembled = 1;
	return parse_ip(&inner, dg, len, 0);
}

/* One fragment to the table; PKT_NOT_TRANSPORT while its datagram is not
 * complete.  hdr/hlen: the header to put in front of the whole payload. */
static enum pkt_status to_frags(struct parse *ps, const struct ip_frag_key *k, size_t off, int more,
				const uint8_t *data, size_t len, const uint8_t *hdr, size_t hlen)
{
	uint8_t *dg;
	size_t dlen;

	if (ps->seg.truncated)
		return PKT_MALFORMED; /* snaplen cut it: its bytes are not all here */
	if (ip_frags_add(ps->pp->frags, k, off, more, data, len, hdr, hlen, ps->pp->now_ns, &dg,
			 &dlen) != IP_FRAG_DONE)
		return PKT_NOT_TRANSPORT;
	if (dlen > 65535 + IPV6_HLEN || (dg[0] >> 4 == 4 && dlen > 65535))
		return PKT_MALFORMED;
	return parse_reassembled(ps, dg, dlen);
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
		ps->seg.truncated = 1; /* snaplen cut the packet */
	else
		len = total; /* drop link-layer padding (Ethernet minimum frame) */

	ps->seg.flow.family = AF_INET;
	memcpy(ps->seg.flow.saddr, p + 12, 4);
	memcpy(ps->seg.flow.daddr, p + 16, 4);
	uint16_t frag = be16(p + 6);
	if ((frag & 0x3fff) && ps->pp->frags && !ps->reassembled) {
		struct ip_frag_key k = {AF_INET, p[9], be16(p + 4), {0}, {0}};

		memcpy(k.saddr, p + 12, 4);
		memcpy(k.daddr, p + 16, 4);
		return to_frags(ps, &k, (size_t)(frag & 0x1fff) * 8, (frag & 0x2000) != 0, p + hlen,
				len - hlen, p, hlen);
	}
	if (frag & 0x1fff)
		return PKT_NOT_TRANSPORT; /* later fragment: no transport header here */
	if (frag & 0x2000)
		ps->seg.truncated = 1; /* first fragment: the rest is elsewhere */
	return parse_transport(ps, p[9], p + hlen, len - hlen, total - hlen);
}

/* An IPv6 fragment header at off: to the table, or (no table) a first
 * fragment parsed as far as it goes. */
static enum pkt_status ipv6_fragment(struct parse *ps, const uint8_t *p, size_t len, size_t off)
{
	uint16_t fo = be16(p + off + 2);
	uint8_t next = p[off];

	if (ps->pp->frags && !ps->reassembled) {
		struct ip_frag_key k = {AF_INET6, 0, be32(p + off + 4), {0}, {0}};
		uint8_t hdr[IPV6_HLEN];

		memcpy(k.saddr, p + 8, 16);
		memcpy(k.daddr, p + 24, 16);
		/* the whole datagram: the fixed header, the fragment's next
		 * header, and the payload (headers before this one are not
		 * carried over: nothing after them needs them) */
		memcpy(hdr, p, IPV6_HLEN);
		hdr[6] = next;
		return to_frags(ps, &k, fo & 0xfff8, fo & 1, p + off + 8, len - off - 8, hdr,
				IPV6_HLEN);
	}
	if (fo & 0xfff8)
		return PKT_NOT_TRANSPORT; /* later fragment */
	if (fo & 1)
		ps->seg.truncated = 1;
	return PKT_OK;
}

static enum pkt_status parse_ipv6(struct parse *ps, const uint8_t *p, size_t len)
{
	if (len < IPV6_HLEN || (p[0] >> 4) != 6)
		return PKT_MALFORMED;
	size_t total = IPV6_HLEN + (size_t)be16(p + 4);
	if (total > len)
		ps->seg.truncated = 1;
	else
		len = total;

	ps->seg.flow.family = AF_INET6;
	memcpy(ps->seg.flow.saddr, p + 8, 16);
	memcpy(ps->seg.flow.daddr, p + 24, 16);

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
			enum pkt_status s;

			if (n >= IPV6_MAX_EXT || len - off < 8)
				return PKT_MALFORMED;
			s = ipv6_fragment(ps, p, len, off);
			if (s != PKT_OK || (ps->pp->frags && !ps->reassembled))
				return s;
			next = p[off];
			off += 8;
			break;
		}
		case NH_NONE:
			return PKT_NOT_TRANSPORT;
		default:
			return parse_transport(ps, next, p + off, len - off,
					       total > off ? total - off : 0);
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

enum pkt_status packet_parse(const struct pkt_parser *pp, int linktype, const uint8_t *frame,
			     size_t caplen)
{
	struct parse ps;
	const uint8_t *ip = NULL;
	size_t len = 0;
	int version = 0;
	enum pkt_status s = link_unwrap(linktype, frame, caplen, &ip, &len, &version);

	if (s != PKT_OK)
		return s;
	memset(&ps, 0, sizeof(ps));
	ps.pp = pp;
	return parse_ip(&ps, ip, len, version);
}
