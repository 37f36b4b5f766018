/* link.c - see link.h.  Formats from the tcpdump.org LINKTYPE_ registry
 * (and radiotap.org, IEEE 802.11, RFC 1661/1662/2516, RFC 1042 SNAP). */
#include "wire/link.h"
#include "util/bytes.h"

#include <stddef.h>

#define ETH_HLEN	 14
#define ETH_MAX_TAGS	 8 /* VLAN tags accepted in front of the ethertype */
#define SLL_HLEN	 16
#define SLL2_HLEN	 20
#define NULL_HLEN	 4
#define SNAP_HLEN	 8 /* LLC AA AA 03, OUI (3), ethertype (2) */
#define FDDI_HLEN	 13
#define WLAN_HLEN	 24
#define PPPOE_HLEN	 6
#define NFLOG_HLEN	 4
#define NFULA_PAYLOAD	 9
#define PKTAP_FIELDS_LEN 12

#define ETHERTYPE_IPV4	 0x0800
#define ETHERTYPE_IPV6	 0x86dd
#define ETHERTYPE_8021Q	 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ	 0x9100
#define ETHERTYPE_PPPOES 0x8864

#define PPP_IPV4      0x0021
#define PPP_IPV6      0x0057
#define PPP_ADDRESS   0xff
#define PPP_CONTROL   0x03
#define CHDLC_UNICAST 0x0f
#define CHDLC_BCAST   0x8f

/* Address family values found in NULL/LOOP and NFLOG headers. */
#define BSD_AF_INET	     2
#define BSD_AF_INET6_NETBSD  24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30
#define LINUX_AF_INET6	     10

static const struct {
	int type;
	const char *name;
} link_names[] = {
    {PKT_LINK_NULL, "NULL"},
    {PKT_LINK_EN10MB, "EN10MB"},
    {PKT_LINK_PPP, "PPP"},
    {PKT_LINK_FDDI, "FDDI"},
    {PKT_LINK_PPP_HDLC, "PPP_HDLC"},
    {PKT_LINK_PPP_ETHER, "PPP_ETHER"},
    {PKT_LINK_RAW, "RAW"},
    {PKT_LINK_C_HDLC, "C_HDLC"},
    {PKT_LINK_IEEE802_11, "IEEE802_11"},
    {PKT_LINK_LOOP, "LOOP"},
    {PKT_LINK_LINUX_SLL, "LINUX_SLL"},
    {PKT_LINK_IEEE802_11_RADIO, "IEEE802_11_RADIO"},
    {PKT_LINK_USER2_PKTAP, "USER2 (PKTAP)"},
    {PKT_LINK_IPV4, "IPV4"},
    {PKT_LINK_IPV6, "IPV6"},
    {PKT_LINK_NFLOG, "NFLOG"},
    {PKT_LINK_PKTAP, "PKTAP"},
    {PKT_LINK_LINUX_SLL2, "LINUX_SLL2"},
};

const char *link_name(int linktype)
{
	for (size_t i = 0; i < sizeof(link_names) / sizeof(link_names[0]); i++)
		if (link_names[i].type == linktype)
			return link_names[i].name;
	return NULL;
}

int link_supported(int linktype)
{
	return link_name(linktype) != NULL;
}

struct unwrap {
	const uint8_t **ip;
	size_t *len;
	int *version;
};

static enum pkt_status found(const struct unwrap *u, const uint8_t *p, size_t len, int version)
{
	*u->ip = p;
	*u->len = len;
	*u->version = version;
	return PKT_OK;
}

static enum pkt_status by_ethertype(const struct unwrap *u, uint16_t type, const uint8_t *p,
				    size_t len)
{
	if (type == ETHERTYPE_IPV4)
		return found(u, p, len, 4);
	if (type == ETHERTYPE_IPV6)
		return found(u, p, len, 6);
	return PKT_NOT_IP;
}

/* RFC 1042 SNAP header (LLC AA AA 03, OUI 0, ethertype), as 802.2 links
 * (802.3 with a length, FDDI, 802.11) carry IP. */
static enum pkt_status by_snap(const struct unwrap *u, const uint8_t *p, size_t len)
{
	if (len < SNAP_HLEN)
		return PKT_MALFORMED;
	if (p[0] != 0xaa || p[1] != 0xaa || p[2] != 0x03)
		return PKT_NOT_IP;
	return by_ethertype(u, be16(p + 6), p + SNAP_HLEN, len - SNAP_HLEN);
}

/* A PPP protocol field (RFC 1661: one byte when compressed, the odd low
 * byte ends it), then the packet. */
static enum pkt_status by_ppp_protocol(const struct unwrap *u, const uint8_t *p, size_t len)
{
	uint16_t proto;
	size_t n;

	if (len < 1)
		return PKT_MALFORMED;
	if (p[0] & 1) {
		proto = p[0];
		n = 1;
	} else {
		if (len < 2)
			return PKT_MALFORMED;
		proto = be16(p);
		n = 2;
	}
	if (proto == PPP_IPV4)
		return found(u, p + n, len - n, 4);
	if (proto == PPP_IPV6)
		return found(u, p + n, len - n, 6);
	return PKT_NOT_IP;
}

/* PPP, with or without the HDLC-like address and control bytes (RFC 1662);
 * PPP_HDLC links also carry Cisco HDLC frames (address 0x0f / 0x8f). */
static enum pkt_status unwrap_ppp(const struct unwrap *u, const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == PPP_ADDRESS && p[1] == PPP_CONTROL)
		return by_ppp_protocol(u, p + 2, len - 2);
	if (len >= 4 && (p[0] == CHDLC_UNICAST || p[0] == CHDLC_BCAST))
		return by_ethertype(u, be16(p + 2), p + 4, len - 4);
	return by_ppp_protocol(u, p, len);
}

static enum pkt_status unwrap_en10mb(const struct unwrap *u, const uint8_t *p, size_t len)
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
	if (type <= 1500) /* an 802.3 length: 802.2 LLC follows */
		return by_snap(u, p + off, len - off);
	if (type == ETHERTYPE_PPPOES) {
		if (len - off < PPPOE_HLEN)
			return PKT_MALFORMED;
		return by_ppp_protocol(u, p + off + PPPOE_HLEN, len - off - PPPOE_HLEN);
	}
	return by_ethertype(u, type, p + off, len - off);
}

/* IEEE 802.11: data frames only, not protected (their body is encrypted),
 * header length from the frame control field, then LLC/SNAP. */
static enum pkt_status unwrap_wlan(const struct unwrap *u, const uint8_t *p, size_t len)
{
	size_t hlen = WLAN_HLEN;
	unsigned type, subtype;

	if (len < 2)
		return PKT_MALFORMED;
	type = (p[0] >> 2) & 3;
	subtype = p[0] >> 4;
	if (type != 2 || (subtype & 4) || (p[1] & 0x40))
		return PKT_NOT_IP; /* management, control, null data, protected */
	if ((p[1] & 3) == 3)
		hlen += 6; /* ToDS and FromDS: a fourth address */
	if (subtype & 8) {
		hlen += 2; /* QoS control */
		if (p[1] & 0x80)
			hlen += 4; /* +HTC */
	}
	if (len < hlen)
		return PKT_MALFORMED;
	return by_snap(u, p + hlen, len - hlen);
}

/* radiotap: version 0, pad, little-endian total length, then 802.11. */
static enum pkt_status unwrap_radiotap(const struct unwrap *u, const uint8_t *p, size_t len)
{
	size_t hlen;

	if (len < 8 || p[0] != 0)
		return PKT_MALFORMED;
	hlen = (size_t)p[2] | ((size_t)p[3] << 8);
	if (hlen < 8 || hlen > len)
		return PKT_MALFORMED;
	return unwrap_wlan(u, p + hlen, len - hlen);
}

/* NFLOG: family, version, resource id, then TLVs whose 16-bit length and
 * type are in the capturing host's byte order (libpcap turns them into the
 * reader's, little-endian here); each TLV is padded to 4 bytes.  The
 * packet is the NFULA_PAYLOAD TLV. */
static enum pkt_status unwrap_nflog(const struct unwrap *u, const uint8_t *p, size_t len)
{
	size_t off = NFLOG_HLEN;
	int version;

	if (len < NFLOG_HLEN || p[1] != 0)
		return PKT_MALFORMED;
	version = p[0] == BSD_AF_INET ? 4 : p[0] == LINUX_AF_INET6 ? 6 : 0;
	if (!version)
		return PKT_NOT_IP;
	while (len - off >= 4) {
		size_t tlen = (size_t)p[off] | ((size_t)p[off + 1] << 8);
		unsigned ttype = ((unsigned)p[off + 2] | ((unsigned)p[off + 3] << 8)) & 0x7fff;

		if (tlen < 4 || tlen > len - off)
			return PKT_MALFORMED;
		if (ttype == NFULA_PAYLOAD)
			return found(u, p + off + 4, tlen - 4, version);
		tlen = (tlen + 3) & ~(size_t)3;
		if (tlen > len - off)
			break;
		off += tlen;
	}
	return PKT_NOT_IP; /* no payload TLV */
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

static enum pkt_status unwrap_null(const struct unwrap *u, int linktype, const uint8_t *p,
				   size_t len)
{
	if (len < NULL_HLEN)
		return PKT_MALFORMED;
	/* NULL: host byte order of the capturing machine, so try both;
	 * LOOP: always network byte order. */
	int v = null_family(be32(p));
	if (!v && linktype == PKT_LINK_NULL)
		v = null_family(le32(p));
	if (!v)
		return PKT_NOT_IP;
	return found(u, p + NULL_HLEN, len - NULL_HLEN, v);
}

static enum pkt_status unwrap(const struct unwrap *u, int linktype, const uint8_t *p, size_t len,
			      int depth);

static int pktap_inner_link(uint32_t dlt)
{
	switch (dlt) {
	case PKT_LINK_NULL:
	case PKT_LINK_EN10MB:
	case PKT_LINK_PPP:
	case PKT_LINK_LOOP:
		return (int)dlt;
	case 12: /* DLT_RAW */
		return PKT_LINK_RAW;
	default:
		return -1;
	}
}

/* Apple's PKTAP header (macOS `tcpdump -k`): pth_length (the header's own
 * length) and pth_dlt (the link type of the frame that follows), in the
 * capturing host's byte order, which is little-endian on every Mac. */
static enum pkt_status unwrap_pktap(const struct unwrap *u, const uint8_t *p, size_t len, int depth)
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
	return unwrap(u, inner, p + hlen, len - hlen, depth + 1);
}

static enum pkt_status unwrap(const struct unwrap *u, int linktype, const uint8_t *p, size_t len,
			      int depth)
{
	switch (linktype) {
	case PKT_LINK_EN10MB:
		return unwrap_en10mb(u, p, len);
	case PKT_LINK_LINUX_SLL:
		if (len < SLL_HLEN)
			return PKT_MALFORMED;
		return by_ethertype(u, be16(p + 14), p + SLL_HLEN, len - SLL_HLEN);
	case PKT_LINK_LINUX_SLL2:
		if (len < SLL2_HLEN)
			return PKT_MALFORMED;
		return by_ethertype(u, be16(p), p + SLL2_HLEN, len - SLL2_HLEN);
	case PKT_LINK_RAW:
		return found(u, p, len, 0);
	case PKT_LINK_IPV4:
		return found(u, p, len, 4);
	case PKT_LINK_IPV6:
		return found(u, p, len, 6);
	case PKT_LINK_NULL:
	case PKT_LINK_LOOP:
		return unwrap_null(u, linktype, p, len);
	case PKT_LINK_PKTAP:
	case PKT_LINK_USER2_PKTAP:
		if (depth > 0)
			return PKT_MALFORMED; /* PKTAP in PKTAP */
		return unwrap_pktap(u, p, len, depth);
	case PKT_LINK_PPP:
	case PKT_LINK_PPP_HDLC:
		return unwrap_ppp(u, p, len);
	case PKT_LINK_PPP_ETHER:
		if (len < PPPOE_HLEN)
			return PKT_MALFORMED;
		return by_ppp_protocol(u, p + PPPOE_HLEN, len - PPPOE_HLEN);
	case PKT_LINK_C_HDLC:
		if (len < 4)
			return PKT_MALFORMED;
		return by_ethertype(u, be16(p + 2), p + 4, len - 4);
	case PKT_LINK_FDDI:
		if (len < FDDI_HLEN)
			return PKT_MALFORMED;
		return by_snap(u, p + FDDI_HLEN, len - FDDI_HLEN);
	case PKT_LINK_IEEE802_11:
		return unwrap_wlan(u, p, len);
	case PKT_LINK_IEEE802_11_RADIO:
		return unwrap_radiotap(u, p, len);
	case PKT_LINK_NFLOG:
		return unwrap_nflog(u, p, len);
	default:
		return PKT_UNSUPPORTED_LINK;
	}
}

enum pkt_status link_unwrap(int linktype, const uint8_t *frame, size_t caplen, const uint8_t **ip,
			    size_t *len, int *version)
{
	struct unwrap u = {ip, len, version};

	if (!frame)
		caplen = 0;
	return unwrap(&u, linktype, frame, caplen, 0);
}
