/* test_packet.c - unit tests for the link/IP/transport parser (packet.c).
 *
 * Frames are built by hand, layer by layer, from the inside out.  Every
 * frame is parsed from a heap copy of exactly caplen bytes, so an over-read
 * is an AddressSanitizer error rather than a silent pass.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "wire/packet.h"

/* ---- frame building ------------------------------------------------- */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *f, const void *p, size_t n)
{
	if (f->n + n > sizeof(f->b))
		abort();
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct buf *f, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(f, &b, 1);
}

static void put16(struct buf *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct buf *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void putbuf(struct buf *f, const struct buf *p)
{
	put(f, p->b, p->n);
}

static void set16(struct buf *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static const uint8_t V4_SRC[4] = {192, 0, 2, 10};
static const uint8_t V4_DST[4] = {198, 51, 100, 53};
static const uint8_t V6_SRC[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
static const uint8_t V6_DST[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x53, [15] = 0x53};

/* A query for "example.com" A IN with the given id. */
static struct buf dns_query(uint16_t id)
{
	static const uint8_t name[] = "\7example\3com";
	struct buf m = {.n = 0};
	put16(&m, id);
	put16(&m, 0x0100); /* RD */
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put(&m, name, sizeof(name)); /* includes the root label's 0 */
	put16(&m, 1);
	put16(&m, 1);
	return m;
}

static struct buf udp_len(uint16_t sport, uint16_t dport, const struct buf *pl, unsigned ulen)
{
	struct buf s = {.n = 0};
	put16(&s, sport);
	put16(&s, dport);
	put16(&s, ulen);
	put16(&s, 0); /* checksum: not verified */
	putbuf(&s, pl);
	return s;
}

static struct buf udp(uint16_t sport, uint16_t dport, const struct buf *pl)
{
	return udp_len(sport, dport, pl, (unsigned)(8 + pl->n));
}

/* TCP segment with doff 32-bit words of header (>= 5; options are NOPs). */
static struct buf tcp(uint16_t sport, uint16_t dport, unsigned doff, const struct buf *pl)
{
	struct buf s = {.n = 0};
	put16(&s, sport);
	put16(&s, dport);
	put32(&s, 1000); /* seq */
	put32(&s, 2000); /* ack */
	put8(&s, doff << 4);
	put8(&s, 0x18); /* PSH ACK */
	put16(&s, 65535);
	put16(&s, 0);
	put16(&s, 0);
	for (unsigned i = 20; i < doff * 4; i++)
		put8(&s, 1);
	putbuf(&s, pl);
	return s;
}

/* IPv4 with ihl words of header (options are NOPs), given fragment word. */
static struct buf ipv4_full(uint8_t proto, const struct buf *pl, unsigned ihl, unsigned frag)
{
	struct buf p = {.n = 0};
	put8(&p, 0x40 | (ihl & 0x0f));
	put8(&p, 0);
	put16(&p, (unsigned)(ihl * 4 + pl->n));
	put16(&p, 0x1234);
	put16(&p, frag);
	put8(&p, 64);
	put8(&p, proto);
	put16(&p, 0);
	put(&p, V4_SRC, 4);
	put(&p, V4_DST, 4);
	for (unsigned i = 20; i < ihl * 4; i++)
		put8(&p, 1);
	putbuf(&p, pl);
	return p;
}

static struct buf ipv4(uint8_t proto, const struct buf *pl)
{
	return ipv4_full(proto, pl, 5, 0x4000 /* DF */);
}

static struct buf ipv6(uint8_t nh, const struct buf *pl)
{
	struct buf p = {.n = 0};
	put32(&p, 0x60000000);
	put16(&p, (unsigned)pl->n);
	put8(&p, nh);
	put8(&p, 64);
	put(&p, V6_SRC, 16);
	put(&p, V6_DST, 16);
	putbuf(&p, pl);
	return p;
}

/* Hop-by-hop / routing / destination options header of 8*(1+units) bytes. */
static struct buf ext6(uint8_t nh, unsigned units, const struct buf *pl)
{
	struct buf e = {.n = 0};
	put8(&e, nh);
	put8(&e, units);
	for (unsigned i = 2; i < 8 * (1 + units); i++)
		put8(&e, i == 2 ? 1 : 0); /* PadN-ish filler */
	putbuf(&e, pl);
	return e;
}

static struct buf frag6(uint8_t nh, unsigned offset8, int more, const struct buf *pl)
{
	struct buf e = {.n = 0};
	put8(&e, nh);
	put8(&e, 0);
	put16(&e, (offset8 << 3) | (more ? 1 : 0));
	put32(&e, 0xabcdef01);
	putbuf(&e, pl);
	return e;
}

/* Ethernet II with optional VLAN tags (TPIDs listed, 0-terminated). */
static struct buf eth_tags(const unsigned *tpids, unsigned type, const struct buf *pl)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	struct buf f = {.n = 0};
	put(&f, macs, sizeof(macs));
	for (unsigned i = 0; tpids && tpids[i]; i++) {
		put16(&f, tpids[i]);
		put16(&f, 100 + i);
	}
	put16(&f, type);
	putbuf(&f, pl);
	return f;
}

static struct buf eth(unsigned type, const struct buf *pl)
{
	return eth_tags(NULL, type, pl);
}

static struct buf sll(unsigned proto, const struct buf *pl)
{
	struct buf f = {.n = 0};
	put16(&f, 4); /* sent by us */
	put16(&f, 1); /* ARPHRD_ETHER */
	put16(&f, 6);
	for (int i = 0; i < 8; i++)
		put8(&f, i < 6 ? 0x10 + i : 0);
	put16(&f, proto);
	putbuf(&f, pl);
	return f;
}

static struct buf sll2(unsigned proto, const struct buf *pl)
{
	struct buf f = {.n = 0};
	put16(&f, proto);
	put16(&f, 0);
	put32(&f, 2); /* ifindex */
	put16(&f, 1); /* ARPHRD_ETHER */
	put8(&f, 4);  /* outgoing */
	put8(&f, 6);
	for (int i = 0; i < 8; i++)
		put8(&f, i < 6 ? 0x10 + i : 0);
	putbuf(&f, pl);
	return f;
}

static struct buf null_hdr(uint32_t af, int big_endian, const struct buf *pl)
{
	struct buf f = {.n = 0};
	if (big_endian) {
		put32(&f, af);
	} else {
		for (int i = 0; i < 4; i++)
			put8(&f, (af >> (8 * i)) & 0xff);
	}
	putbuf(&f, pl);
	return f;
}

/* Standard payloads: an IPv4 / IPv6 UDP query to port 53. */
static struct buf v4_udp_query(void)
{
	struct buf q = dns_query(0x1111);
	struct buf u = udp(40000, 53, &q);
	return ipv4(IPPROTO_UDP, &u);
}

static struct buf v6_udp_query(void)
{
	struct buf q = dns_query(0x6666);
	struct buf u = udp(40006, 53, &q);
	return ipv6(IPPROTO_UDP, &u);
}

/* ---- parsing and collecting ----------------------------------------- */

#define MAX_MSGS 8

struct got {
	const uint8_t *base;
	size_t caplen;
	int n;	 /* callbacks */
	int oob; /* a message outside the frame */
	struct pkt_segment d[MAX_MSGS];
	size_t off[MAX_MSGS];  /* msg - frame */
	uint16_t id[MAX_MSGS]; /* first two message bytes, 0 if fewer */
};

static void collect(const struct pkt_segment *d, void *ctx)
{
	struct got *g = ctx;
	if (!d->data || d->data < g->base || d->len > g->caplen ||
	    (size_t)(d->data - g->base) > g->caplen - d->len) {
		g->oob++;
		return;
	}
	if (g->n < MAX_MSGS) {
		g->d[g->n] = *d;
		g->off[g->n] = (size_t)(d->data - g->base);
		g->id[g->n] = d->len >= 2 ? (uint16_t)((d->data[0] << 8) | d->data[1]) : 0;
		g->d[g->n].data = NULL; /* the copy is freed after parsing */
	}
	g->n++;
}

/* The stateless parser: no fragment table. */
static enum pkt_status parse_frame(int link, const uint8_t *frame, size_t caplen, struct got *g)
{
	struct pkt_parser pp = {collect, g, NULL, 0};

	return packet_parse(&pp, link, frame, caplen);
}

static enum pkt_status parse_n(int link, const uint8_t *frame, size_t caplen, struct got *g)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	if (!copy)
		abort();
	if (caplen)
		memcpy(copy, frame, caplen);
	memset(g, 0, sizeof(*g));
	g->base = copy;
	g->caplen = caplen;
	enum pkt_status st = parse_frame(link, copy, caplen, g);
	free(copy);
	if (g->oob)
		fprintf(stderr, "message outside the frame (link %d, caplen %zu)\n", link, caplen);
	return st;
}

static enum pkt_status parse(int link, const struct buf *f, struct got *g)
{
	return parse_n(link, f->b, f->n, g);
}

/* One UDP DNS message was found, it ends the frame, and has the id given. */
static void expect_udp(const char *what, int link, const struct buf *f, int family, uint16_t id,
		       size_t qlen)
{
	struct got g;
	enum pkt_status st = parse(link, f, &g);
	if (st != PKT_OK || g.n != 1)
		fprintf(stderr, "  in %s\n", what);
	CHECK_INT(st, PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.oob, 0);
	if (g.n != 1)
		return;
	CHECK_INT(g.d[0].flow.family, family);
	CHECK_INT(g.d[0].flow.proto, IPPROTO_UDP);
	CHECK_INT(g.d[0].truncated, 0);
	CHECK_INT(g.d[0].flow.dport, 53);
	CHECK_INT(g.d[0].len, qlen);
	CHECK_INT(g.off[0], f->n - qlen);
	CHECK_INT(g.id[0], id);
	if (family == AF_INET) {
		CHECK(memcmp(g.d[0].flow.saddr, V4_SRC, 4) == 0);
		CHECK(memcmp(g.d[0].flow.daddr, V4_DST, 4) == 0);
	} else {
		CHECK(memcmp(g.d[0].flow.saddr, V6_SRC, 16) == 0);
		CHECK(memcmp(g.d[0].flow.daddr, V6_DST, 16) == 0);
	}
}

static size_t qlen(void)
{
	return dns_query(0).n;
}

/* ---- tests ---------------------------------------------------------- */

static void test_link_supported(void)
{
	static const int ok[] = {PKT_LINK_NULL,	      PKT_LINK_EN10MB,	   PKT_LINK_RAW,
				 PKT_LINK_LOOP,	      PKT_LINK_LINUX_SLL,  PKT_LINK_IPV4,
				 PKT_LINK_IPV6,	      PKT_LINK_LINUX_SLL2, PKT_LINK_PKTAP,
				 PKT_LINK_USER2_PKTAP};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK(packet_link_supported(ok[i]));
	CHECK(packet_link_supported(127));  /* radiotap */
	CHECK(!packet_link_supported(147)); /* USER0 */
	CHECK(!packet_link_supported(12));  /* DLT_RAW is not a LINKTYPE_ value */
	CHECK(!packet_link_supported(-1));

	struct got g;
	struct buf ip = v4_udp_query();
	CHECK_INT(parse(147, &ip, &g), PKT_UNSUPPORTED_LINK);
	CHECK_INT(g.n, 0);
	CHECK_INT(parse_frame(PKT_LINK_EN10MB, NULL, 0, &g), PKT_MALFORMED);
	CHECK_INT(parse_frame(PKT_LINK_RAW, NULL, 100, &g), PKT_MALFORMED);
}

static void test_en10mb(void)
{
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query();
	struct buf f = eth(0x0800, &ip4);
	expect_udp("eth v4", PKT_LINK_EN10MB, &f, AF_INET, 0x1111, qlen());
	f = eth(0x86dd, &ip6);
	expect_udp("eth v6", PKT_LINK_EN10MB, &f, AF_INET6, 0x6666, qlen());

	struct got g;
	/* Ethertype says IPv4, packet is IPv6 (and the other way round). */
	f = eth(0x0800, &ip6);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_MALFORMED);
	f = eth(0x86dd, &ip4);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_MALFORMED);

	/* ARP, an 802.3 length field, and a bare header. */
	struct buf arp = {.n = 0};
	for (int i = 0; i < 28; i++)
		put8(&arp, i);
	f = eth(0x0806, &arp);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_NOT_IP);
	CHECK_INT(g.n, 0);
	f = eth(46, &arp);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_NOT_IP);
	struct buf empty = {.n = 0};
	f = eth(0x0800, &empty);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_MALFORMED);

	/* Minimum-size frame: the 60 - 14 - 20 - 8 = 18 spare bytes after a
	 * 10-byte UDP payload are Ethernet padding and must be cut off. */
	struct buf small = {.n = 0};
	put16(&small, 0xbeef);
	for (int i = 0; i < 8; i++)
		put8(&small, 0);
	struct buf u = udp(40000, 53, &small);
	struct buf ip = ipv4(IPPROTO_UDP, &u);
	f = eth(0x0800, &ip);
	while (f.n < 60)
		put8(&f, 0xee);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].len, 10);
	CHECK_INT(g.d[0].truncated, 0);
	CHECK_INT(g.id[0], 0xbeef);

	/* Padding after an IPv6 packet too. */
	f = eth(0x86dd, &ip6);
	size_t n = f.n;
	for (int i = 0; i < 6; i++)
		put8(&f, 0xee);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].len, qlen());
	CHECK_INT(g.off[0] + g.d[0].len, n);
}

static void test_vlan(void)
{
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query(), f;
	static const unsigned dot1q[] = {0x8100, 0};
	static const unsigned qinq[] = {0x88a8, 0x8100, 0};
	static const unsigned old_qinq[] = {0x9100, 0x8100, 0};
	static const unsigned triple[] = {0x88a8, 0x9100, 0x8100, 0};
	static const unsigned eight[] = {0x8100, 0x8100, 0x8100, 0x8100, 0x8100,
					 0x8100, 0x8100, 0x8100, 0};
	static const unsigned nine[] = {0x8100, 0x8100, 0x8100, 0x8100, 0x8100,
					0x8100, 0x8100, 0x8100, 0x8100, 0};

	f = eth_tags(dot1q, 0x0800, &ip4);
	expect_udp("802.1Q", PKT_LINK_EN10MB, &f, AF_INET, 0x1111, qlen());
	f = eth_tags(dot1q, 0x86dd, &ip6);
	expect_udp("802.1Q v6", PKT_LINK_EN10MB, &f, AF_INET6, 0x6666, qlen());
	f = eth_tags(qinq, 0x0800, &ip4);
	expect_udp("802.1ad", PKT_LINK_EN10MB, &f, AF_INET, 0x1111, qlen());
	f = eth_tags(old_qinq, 0x86dd, &ip6);
	expect_udp("0x9100", PKT_LINK_EN10MB, &f, AF_INET6, 0x6666, qlen());
	f = eth_tags(triple, 0x0800, &ip4);
	expect_udp("three tags", PKT_LINK_EN10MB, &f, AF_INET, 0x1111, qlen());
	f = eth_tags(eight, 0x0800, &ip4);
	expect_udp("eight tags", PKT_LINK_EN10MB, &f, AF_INET, 0x1111, qlen());

	struct got g;
	f = eth_tags(nine, 0x0800, &ip4);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_MALFORMED);
	CHECK_INT(g.n, 0);

	/* A tag that ends the frame, and a tagged ARP. */
	struct buf empty = {.n = 0};
	f = eth_tags(qinq, 0x0800, &empty);
	CHECK_INT(parse_n(PKT_LINK_EN10MB, f.b, 16, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_EN10MB, f.b, 19, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_EN10MB, f.b, f.n, &g), PKT_MALFORMED);
	f = eth_tags(dot1q, 0x0806, &empty);
	CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_NOT_IP);
}

static void test_sll(void)
{
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query(), f;
	struct got g;

	f = sll(0x0800, &ip4);
	CHECK_INT(f.n, 16 + ip4.n);
	expect_udp("sll v4", PKT_LINK_LINUX_SLL, &f, AF_INET, 0x1111, qlen());
	f = sll(0x86dd, &ip6);
	expect_udp("sll v6", PKT_LINK_LINUX_SLL, &f, AF_INET6, 0x6666, qlen());
	f = sll(0x0806, &ip4);
	CHECK_INT(parse(PKT_LINK_LINUX_SLL, &f, &g), PKT_NOT_IP);
	CHECK_INT(parse_n(PKT_LINK_LINUX_SLL, f.b, 15, &g), PKT_MALFORMED);

	f = sll2(0x0800, &ip4);
	CHECK_INT(f.n, 20 + ip4.n);
	expect_udp("sll2 v4", PKT_LINK_LINUX_SLL2, &f, AF_INET, 0x1111, qlen());
	f = sll2(0x86dd, &ip6);
	expect_udp("sll2 v6", PKT_LINK_LINUX_SLL2, &f, AF_INET6, 0x6666, qlen());
	f = sll2(0x0806, &ip4);
	CHECK_INT(parse(PKT_LINK_LINUX_SLL2, &f, &g), PKT_NOT_IP);
	CHECK_INT(parse_n(PKT_LINK_LINUX_SLL2, f.b, 19, &g), PKT_MALFORMED);
	/* SLL2 read as SLL would take bytes 14-15 (MAC) as the protocol. */
	f = sll2(0x0800, &ip4);
	CHECK_INT(parse(PKT_LINK_LINUX_SLL, &f, &g), PKT_NOT_IP);
}

static void test_raw_ipv4_ipv6(void)
{
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query();
	struct got g;

	expect_udp("raw v4", PKT_LINK_RAW, &ip4, AF_INET, 0x1111, qlen());
	expect_udp("raw v6", PKT_LINK_RAW, &ip6, AF_INET6, 0x6666, qlen());
	expect_udp("ipv4", PKT_LINK_IPV4, &ip4, AF_INET, 0x1111, qlen());
	expect_udp("ipv6", PKT_LINK_IPV6, &ip6, AF_INET6, 0x6666, qlen());

	/* LINKTYPE_IPV4 carrying IPv6 ("version 6 != 4") and vice versa. */
	CHECK_INT(parse(PKT_LINK_IPV4, &ip6, &g), PKT_MALFORMED);
	CHECK_INT(g.n, 0);
	CHECK_INT(parse(PKT_LINK_IPV6, &ip4, &g), PKT_MALFORMED);
	CHECK_INT(g.n, 0);

	/* Version nibble that is neither. */
	struct buf bad = ip4;
	bad.b[0] = 0x55;
	CHECK_INT(parse(PKT_LINK_RAW, &bad, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip4.b, 0, &g), PKT_MALFORMED);
}

static void test_null_loop(void)
{
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query(), f;
	struct got g;
	static const uint32_t af6[] = {10, 24, 28, 30};

	for (int be = 0; be < 2; be++) {
		f = null_hdr(2, be, &ip4);
		expect_udp("null v4", PKT_LINK_NULL, &f, AF_INET, 0x1111, qlen());
		for (size_t i = 0; i < 4; i++) {
			f = null_hdr(af6[i], be, &ip6);
			expect_udp("null v6", PKT_LINK_NULL, &f, AF_INET6, 0x6666, qlen());
		}
		f = null_hdr(7, be, &ip4);
		CHECK_INT(parse(PKT_LINK_NULL, &f, &g), PKT_NOT_IP);
		/* AF says IPv4, packet is IPv6. */
		f = null_hdr(2, be, &ip6);
		CHECK_INT(parse(PKT_LINK_NULL, &f, &g), PKT_MALFORMED);
	}

	/* LOOP is network byte order only. */
	f = null_hdr(2, 1, &ip4);
	expect_udp("loop v4", PKT_LINK_LOOP, &f, AF_INET, 0x1111, qlen());
	for (size_t i = 0; i < 4; i++) {
		f = null_hdr(af6[i], 1, &ip6);
		expect_udp("loop v6", PKT_LINK_LOOP, &f, AF_INET6, 0x6666, qlen());
	}
	f = null_hdr(2, 0, &ip4);
	CHECK_INT(parse(PKT_LINK_LOOP, &f, &g), PKT_NOT_IP);
	CHECK_INT(parse_n(PKT_LINK_LOOP, f.b, 3, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_NULL, f.b, 3, &g), PKT_MALFORMED);
}

/* PKTAP: pth_length, pth_type_next, pth_dlt in the writer's byte order,
 * then the rest of the 108-byte header, then the inner frame. */
static struct buf pktap_hdr(uint32_t hlen, uint32_t dlt, int big_endian, const struct buf *pl)
{
	struct buf f = {.n = 0};
	const uint32_t fields[3] = {hlen, 1, dlt};

	for (int k = 0; k < 3; k++) {
		if (big_endian) {
			put32(&f, fields[k]);
		} else {
			for (int i = 0; i < 4; i++)
				put8(&f, (fields[k] >> (8 * i)) & 0xff);
		}
	}
	while (f.n < 108)
		put8(&f, 0);
	putbuf(&f, pl);
	return f;
}

static void test_pktap(void)
{
	struct buf ip4 = v4_udp_query(), e = eth(0x0800, &ip4), f;
	struct got g;

	for (int be = 0; be < 2; be++) {
		f = pktap_hdr(108, 1, be, &e);
		expect_udp("pktap eth", PKT_LINK_PKTAP, &f, AF_INET, 0x1111, qlen());
		expect_udp("user2 pktap eth", PKT_LINK_USER2_PKTAP, &f, AF_INET, 0x1111, qlen());
		f = pktap_hdr(108, 12, be, &ip4); /* inner DLT_RAW */
		expect_udp("pktap raw", PKT_LINK_PKTAP, &f, AF_INET, 0x1111, qlen());
		f = pktap_hdr(108, 9, be, &e); /* inner PPP: not decoded */
		CHECK_INT(parse(PKT_LINK_PKTAP, &f, &g), PKT_NOT_IP);
		f = pktap_hdr(108, PKT_LINK_PKTAP, be, &e); /* no nesting */
		CHECK_INT(parse(PKT_LINK_PKTAP, &f, &g), PKT_NOT_IP);
		f = pktap_hdr(4000, 1, be, &e); /* header longer than the frame */
		CHECK_INT(parse(PKT_LINK_PKTAP, &f, &g), PKT_MALFORMED);
		f = pktap_hdr(8, 1, be, &e); /* header too short to hold its fields */
		CHECK_INT(parse(PKT_LINK_PKTAP, &f, &g), PKT_MALFORMED);
	}
	CHECK_INT(parse_n(PKT_LINK_PKTAP, f.b, 11, &g), PKT_MALFORMED);
}

/* A link header (hdr bytes), then ip. */
static struct buf framed(const uint8_t *hdr, size_t n, const struct buf *ip)
{
	struct buf f = {.n = 0};

	put(&f, hdr, n);
	putbuf(&f, ip);
	return f;
}

static void test_more_links(void)
{
	static const uint8_t ppp4[] = {0xff, 0x03, 0x00, 0x21}, ppp6[] = {0x00, 0x57},
			     pppc[] = {0x21}, chdlc4[] = {0x0f, 0x00, 0x08, 0x00},
			     chdlc6[] = {0x8f, 0x00, 0x86, 0xdd}, lcp[] = {0xff, 0x03, 0xc0, 0x21},
			     pppoe[] = {0x11, 0x00, 0x00, 0x01, 0x00, 0x40, 0x00, 0x21};
	static const uint8_t snap4[] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query(), f, h;
	struct got g;

	f = framed(ppp4, sizeof(ppp4), &ip4);
	expect_udp("ppp hdlc v4", PKT_LINK_PPP_HDLC, &f, AF_INET, 0x1111, qlen());
	expect_udp("ppp v4", PKT_LINK_PPP, &f, AF_INET, 0x1111, qlen());
	f = framed(ppp6, sizeof(ppp6), &ip6);
	expect_udp("ppp v6", PKT_LINK_PPP, &f, AF_INET6, 0x6666, qlen());
	f = framed(pppc, sizeof(pppc), &ip4);
	expect_udp("ppp compressed protocol", PKT_LINK_PPP, &f, AF_INET, 0x1111, qlen());
	f = framed(chdlc4, sizeof(chdlc4), &ip4);
	expect_udp("c_hdlc v4", PKT_LINK_C_HDLC, &f, AF_INET, 0x1111, qlen());
	expect_udp("cisco hdlc in ppp_hdlc", PKT_LINK_PPP_HDLC, &f, AF_INET, 0x1111, qlen());
	f = framed(chdlc6, sizeof(chdlc6), &ip6);
	expect_udp("c_hdlc v6", PKT_LINK_C_HDLC, &f, AF_INET6, 0x6666, qlen());
	f = framed(lcp, sizeof(lcp), &ip4);
	CHECK_INT(parse(PKT_LINK_PPP_HDLC, &f, &g), PKT_NOT_IP);
	f = framed(pppoe + 2, sizeof(pppoe) - 2, &ip4);
	CHECK_INT(parse(PKT_LINK_PPP_ETHER, &f, &g), PKT_NOT_IP); /* 6-byte header cut */
	f = framed(pppoe, sizeof(pppoe), &ip4);
	expect_udp("ppp_ether", PKT_LINK_PPP_ETHER, &f, AF_INET, 0x1111, qlen());

	/* FDDI: frame control, two addresses, then LLC/SNAP. */
	h = (struct buf){.n = 0};
	put(&h,
	    "\x50"
	    "ABCDEF"
	    "abcdef",
	    13);
	put(&h, snap4, sizeof(snap4));
	f = framed(h.b, h.n, &ip4);
	expect_udp("fddi", PKT_LINK_FDDI, &f, AF_INET, 0x1111, qlen());
	f.b[13] = 0x42; /* not SNAP */
	CHECK_INT(parse(PKT_LINK_FDDI, &f, &g), PKT_NOT_IP);

	/* 802.11 data, QoS data (+2), four addresses (+6), protected, beacon. */
	static const struct {
		uint8_t fc0, fc1;
		size_t hlen;
		enum pkt_status want;
	} wlan[] = {
	    {0x08, 0x01, 24, PKT_OK},	  {0x88, 0x02, 26, PKT_OK},
	    {0x88, 0x83, 36, PKT_OK},	  {0x08, 0x03, 30, PKT_OK},
	    {0x08, 0x41, 24, PKT_NOT_IP}, {0x80, 0x00, 24, PKT_NOT_IP},
	    {0x48, 0x01, 24, PKT_NOT_IP},
	};
	for (size_t i = 0; i < sizeof(wlan) / sizeof(wlan[0]); i++) {
		struct buf r = {.n = 0};

		h = (struct buf){.n = 0};
		put8(&h, wlan[i].fc0);
		put8(&h, wlan[i].fc1);
		while (h.n < wlan[i].hlen)
			put8(&h, 0x11);
		put(&h, snap4, sizeof(snap4));
		f = framed(h.b, h.n, &ip4);
		if (wlan[i].want == PKT_OK)
			expect_udp("802.11", PKT_LINK_IEEE802_11, &f, AF_INET, 0x1111, qlen());
		else
			CHECK_INT(parse(PKT_LINK_IEEE802_11, &f, &g), wlan[i].want);
		/* radiotap: version 0, pad, length 12 (little-endian), present */
		put(&r, "\x00\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
		putbuf(&r, &f);
		if (wlan[i].want == PKT_OK)
			expect_udp("radiotap", PKT_LINK_IEEE802_11_RADIO, &r, AF_INET, 0x1111,
				   qlen());
		else
			CHECK_INT(parse(PKT_LINK_IEEE802_11_RADIO, &r, &g), wlan[i].want);
	}
	f = framed((const uint8_t *)"\x00\x00\xff\x00\x00\x00\x00\x00", 8, &ip4);
	CHECK_INT(parse(PKT_LINK_IEEE802_11_RADIO, &f, &g), PKT_MALFORMED);

	/* NFLOG: header, a prefix TLV (padded), then the payload TLV. */
	h = (struct buf){.n = 0};
	put(&h, "\x02\x00\x00\x00", 4);
	put(&h, "\x07\x00\x0a\x00pfx\x00", 8); /* NFULA_PREFIX, 7 bytes + 1 pad */
	put8(&h, (unsigned)(4 + ip4.n) & 0xff);
	put8(&h, (unsigned)(4 + ip4.n) >> 8);
	put(&h, "\x09\x00", 2);
	f = framed(h.b, h.n, &ip4);
	expect_udp("nflog v4", PKT_LINK_NFLOG, &f, AF_INET, 0x1111, qlen());
	f.b[0] = 10; /* AF_INET6 header over an IPv4 packet */
	CHECK_INT(parse(PKT_LINK_NFLOG, &f, &g), PKT_MALFORMED);
	f.b[0] = 7; /* neither */
	CHECK_INT(parse(PKT_LINK_NFLOG, &f, &g), PKT_NOT_IP);
	f.b[0] = 2;
	f.b[12] = 0xff; /* payload TLV longer than the frame */
	CHECK_INT(parse(PKT_LINK_NFLOG, &f, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_NFLOG, h.b, 12, &g), PKT_NOT_IP); /* no payload TLV */
}

static void test_ipv4_header(void)
{
	struct buf q = dns_query(0x4444);
	struct buf u = udp(1234, 53, &q), ip;
	struct got g;

	/* Options: every IHL from 6 to 15. */
	for (unsigned ihl = 6; ihl <= 15; ihl++) {
		ip = ipv4_full(IPPROTO_UDP, &u, ihl, 0);
		expect_udp("ipv4 options", PKT_LINK_RAW, &ip, AF_INET, 0x4444, qlen());
	}

	/* IHL < 5. */
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		ip = ipv4(IPPROTO_UDP, &u);
		ip.b[0] = (uint8_t)(0x40 | ihl);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
		CHECK_INT(g.n, 0);
	}

	/* IHL beyond the captured bytes. */
	ip = ipv4_full(IPPROTO_UDP, &u, 15, 0);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, 59, &g), PKT_MALFORMED);

	/* Total length below the header length. */
	ip = ipv4_full(IPPROTO_UDP, &u, 6, 0);
	set16(&ip, 2, 23);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
	set16(&ip, 2, 0); /* "TSO" zero length */
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);

	/* Total length exactly the header: no room for UDP. */
	set16(&ip, 2, 24);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);

	/* Total length larger than captured: use what is there, truncated. */
	ip = ipv4(IPPROTO_UDP, &u);
	set16(&ip, 2, (unsigned)ip.n + 100);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].truncated, 1);
	CHECK_INT(g.d[0].len, qlen());

	/* Total length shorter than the frame: the rest is not the packet. */
	ip = ipv4(IPPROTO_UDP, &u);
	set16(&ip, 2, (unsigned)ip.n - 5);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].truncated, 1); /* UDP length now exceeds the packet */
	CHECK_INT(g.d[0].len, qlen() - 5);

	/* Not UDP/TCP. */
	ip = ipv4(IPPROTO_ICMP, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
	CHECK_INT(g.n, 0);
	ip = ipv4(47 /* GRE */, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
}

static void test_ipv4_fragments(void)
{
	struct buf q = dns_query(0x5555);
	struct buf u = udp(1234, 53, &q), ip;
	struct got g;

	/* First fragment (offset 0, MF): decoded, marked truncated. */
	ip = ipv4_full(IPPROTO_UDP, &u, 5, 0x2000);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].truncated, 1);
	CHECK_INT(g.d[0].len, qlen());
	CHECK_INT(g.id[0], 0x5555);

	/* First fragment whose UDP length claims more than it carries. */
	struct buf big = udp_len(1234, 53, &q, (unsigned)(8 + q.n + 1400));
	ip = ipv4_full(IPPROTO_UDP, &big, 5, 0x2000);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].truncated, 1);
	CHECK_INT(g.d[0].len, qlen());

	/* Later fragments (with and without MF) whose bytes look exactly like
	 * a UDP header to port 53 and a query: never a transport header. */
	static const unsigned later[] = {0x2001, 0x0001, 0x00b9, 0x3fff, 0x1fff, 0x4001};
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		ip = ipv4_full(IPPROTO_UDP, &u, 5, later[i]);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
		CHECK_INT(g.n, 0);
		ip = ipv4_full(IPPROTO_TCP, &u, 5, later[i]);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
		CHECK_INT(g.n, 0);
	}

	/* DF alone is not a fragment. */
	ip = ipv4_full(IPPROTO_UDP, &u, 5, 0x4000);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].truncated, 0);
}

static void test_ipv6_ext(void)
{
	struct buf q = dns_query(0x7777);
	struct buf u = udp(1234, 53, &q);
	struct buf e1, e2, e3, ip;
	struct got g;

	static const uint8_t kinds[] = {0, 43, 60};
	for (size_t i = 0; i < 3; i++) {
		for (unsigned units = 0; units < 3; units++) {
			e1 = ext6(IPPROTO_UDP, units, &u);
			ip = ipv6(kinds[i], &e1);
			expect_udp("v6 one ext", PKT_LINK_RAW, &ip, AF_INET6, 0x7777, qlen());
		}
		/* The extension header runs past the packet. */
		e1 = ext6(IPPROTO_UDP, 0, &u);
		ip = ipv6(kinds[i], &e1);
		ip.b[41] = 200;
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
		CHECK_INT(g.n, 0);
	}

	/* Hop-by-hop, destination options, routing, fragment (offset 0). */
	e1 = frag6(IPPROTO_UDP, 0, 0, &u);
	e2 = ext6(44, 1, &e1);
	e3 = ext6(43, 0, &e2);
	e1 = ext6(60, 0, &e3);
	e2 = ext6(0, 0, &e1);
	ip = ipv6(0, &e2);
	expect_udp("v6 chain", PKT_LINK_RAW, &ip, AF_INET6, 0x7777, qlen());
	e2 = ext6(0, 0, &e1);
	ip = ipv6(0, &e2);
	expect_udp("v6 chain ipv6 link", PKT_LINK_IPV6, &ip, AF_INET6, 0x7777, qlen());

	/* First fragment with M set: decoded, truncated. */
	e1 = frag6(IPPROTO_UDP, 0, 1, &u);
	ip = ipv6(44, &e1);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].truncated, 1);
	CHECK_INT(g.id[0], 0x7777);

	/* Later fragments, with and without M. */
	for (int more = 0; more < 2; more++) {
		e1 = frag6(IPPROTO_UDP, 185, more, &u);
		ip = ipv6(44, &e1);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
		CHECK_INT(g.n, 0);
		e1 = frag6(IPPROTO_UDP, 1, more, &u);
		e2 = ext6(44, 0, &e1);
		ip = ipv6(60, &e2);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
		CHECK_INT(g.n, 0);
	}

	/* No next header. */
	ip = ipv6(59, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
	e1 = ext6(59, 0, &u);
	ip = ipv6(60, &e1);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);
	CHECK_INT(g.n, 0);

	/* ICMPv6. */
	ip = ipv6(58, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_NOT_TRANSPORT);

	/* Eight extension headers are walked, nine are not. */
	struct buf chain = u;
	uint8_t nh = IPPROTO_UDP;
	for (int i = 0; i < 9; i++) {
		struct buf next = ext6(nh, 0, &chain);
		chain = next;
		nh = 60;
		if (i == 7) {
			ip = ipv6(nh, &chain);
			expect_udp("v6 eight ext", PKT_LINK_RAW, &ip, AF_INET6, 0x7777, qlen());
		}
	}
	ip = ipv6(nh, &chain);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
	CHECK_INT(g.n, 0);

	/* Payload length beyond the capture: truncated; below it: padding. */
	ip = ipv6(IPPROTO_UDP, &u);
	set16(&ip, 4, (unsigned)u.n + 300);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].truncated, 1);
	CHECK_INT(g.d[0].len, qlen());
	ip = ipv6(IPPROTO_UDP, &u);
	put32(&ip, 0xeeeeeeee);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].truncated, 0);
	CHECK_INT(g.d[0].len, qlen());

	/* Payload length too short for the extension header it names. */
	e1 = ext6(IPPROTO_UDP, 0, &u);
	ip = ipv6(0, &e1);
	set16(&ip, 4, 4);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
	/* Fragment header cut short. */
	e1 = frag6(IPPROTO_UDP, 0, 0, &u);
	ip = ipv6(44, &e1);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, 46, &g), PKT_MALFORMED);
}

static void test_udp_lengths(void)
{
	struct buf q = dns_query(0x8888), u, ip;
	struct got g;

	/* UDP length below 8. */
	for (unsigned ulen = 0; ulen < 8; ulen++) {
		u = udp_len(1234, 53, &q, ulen);
		ip = ipv4(IPPROTO_UDP, &u);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
		CHECK_INT(g.n, 0);
		ip = ipv6(IPPROTO_UDP, &u);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
	}

	/* UDP length 8 while IP carries more (tcpdump's dns-zlip): empty. */
	u = udp_len(1234, 53, &q, 8);
	ip = ipv4(IPPROTO_UDP, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].len, 0);
	CHECK_INT(g.d[0].truncated, 0);

	/* UDP length bounds the payload. */
	u = udp_len(1234, 53, &q, 8 + 12);
	ip = ipv4(IPPROTO_UDP, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].len, 12);
	CHECK_INT(g.d[0].truncated, 0);

	/* UDP length beyond what is there: truncated. */
	u = udp_len(1234, 53, &q, (unsigned)(8 + q.n + 1));
	ip = ipv4(IPPROTO_UDP, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].len, qlen());
	CHECK_INT(g.d[0].truncated, 1);
	u = udp_len(1234, 53, &q, 65535);
	ip = ipv6(IPPROTO_UDP, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].len, qlen());
	CHECK_INT(g.d[0].truncated, 1);

	/* Ports in host order, and a header that is cut. */
	u = udp(0xfedc, 0x1234, &q);
	ip = ipv4(IPPROTO_UDP, &u);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].flow.sport, 0xfedc);
	CHECK_INT(g.d[0].flow.dport, 0x1234);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, 27, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, 28, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].len, 0);
	CHECK_INT(g.d[0].truncated, 1);
}

/* Segment data: two complete messages then the first 9 of a third. */
static struct buf tcp_stream(size_t *third_full)
{
	struct buf data = {.n = 0}, m;
	m = dns_query(0xaaaa);
	put16(&data, (unsigned)m.n);
	putbuf(&data, &m);
	m = dns_query(0xbbbb);
	put16(&data, (unsigned)m.n);
	putbuf(&data, &m);
	m = dns_query(0xcccc);
	put16(&data, (unsigned)m.n);
	put(&data, m.b, 9);
	if (third_full)
		*third_full = m.n;
	return data;
}

static void test_tcp(void)
{
	struct buf data = tcp_stream(NULL), t, ip, f;
	struct got g;

	/* The segment's data as it is, with its sequence number and flags:
	 * framing is the reassembler's (test_tcp_reasm). */
	for (unsigned doff = 5; doff <= 15; doff += 3) {
		t = tcp(50000, 53, doff, &data);
		ip = ipv4(IPPROTO_TCP, &t);
		f = eth(0x0800, &ip);
		CHECK_INT(parse(PKT_LINK_EN10MB, &f, &g), PKT_OK);
		CHECK_INT(g.n, 1);
		CHECK_INT(g.oob, 0);
		CHECK_INT(g.d[0].flow.proto, IPPROTO_TCP);
		CHECK_INT(g.d[0].flow.family, AF_INET);
		CHECK_INT(g.d[0].flow.sport, 50000);
		CHECK_INT(g.d[0].flow.dport, 53);
		CHECK_INT(g.d[0].len, data.n);
		CHECK_INT(g.d[0].orig_len, data.n);
		CHECK_INT(g.off[0], f.n - data.n);
		CHECK_INT(g.d[0].truncated, 0);
		CHECK_INT(g.id[0], qlen());
	}
	t = tcp(50000, 53, 5, &data);
	t.b[4] = 0x12, t.b[5] = 0x34, t.b[6] = 0x56, t.b[7] = 0x78;
	t.b[8] = 0x9a, t.b[9] = 0xbc, t.b[10] = 0xde, t.b[11] = 0xf0;
	t.b[13] = 0x13; /* ACK, SYN, FIN */
	ip = ipv4(IPPROTO_TCP, &t);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.d[0].seq, 0x12345678u);
	CHECK_INT(g.d[0].ack, 0x9abcdef0u);
	CHECK_INT(g.d[0].flags, PKT_TCP_ACK | PKT_TCP_SYN | PKT_TCP_FIN);

	/* Over IPv6, with an extension header. */
	t = tcp(50000, 53, 5, &data);
	struct buf e = ext6(IPPROTO_TCP, 0, &t);
	ip = ipv6(60, &e);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].flow.family, AF_INET6);
	CHECK_INT(g.d[0].len, data.n);

	/* Empty segment (SYN/ACK): handed on, for its flags. */
	struct buf none = {.n = 0};
	t = tcp(53, 50000, 5, &none);
	ip = ipv4(IPPROTO_TCP, &t);
	CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_OK);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.d[0].len, 0);

	/* Cut by the snaplen: orig_len says what the headers claim. */
	t = tcp(50000, 53, 5, &data);
	ip = ipv4(IPPROTO_TCP, &t);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, ip.n - 5, &g), PKT_OK);
	CHECK_INT(g.d[0].len, data.n - 5);
	CHECK_INT(g.d[0].orig_len, data.n);
	CHECK_INT(g.d[0].truncated, 1);

	/* Data offset below 5, beyond the segment, and a cut header. */
	for (unsigned doff = 0; doff < 5; doff++) {
		t = tcp(50000, 53, 5, &data);
		t.b[12] = (uint8_t)(doff << 4);
		ip = ipv4(IPPROTO_TCP, &t);
		CHECK_INT(parse(PKT_LINK_RAW, &ip, &g), PKT_MALFORMED);
		CHECK_INT(g.n, 0);
	}
	t = tcp(50000, 53, 15, &none);
	ip = ipv4(IPPROTO_TCP, &t);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, 20 + 59, &g), PKT_MALFORMED);
	CHECK_INT(parse_n(PKT_LINK_RAW, ip.b, 20 + 19, &g), PKT_MALFORMED);
}

/* Cut a valid frame at every length.  Below hdr_end (end of the UDP/TCP
 * header) the status must be MALFORMED; from there on PKT_OK with what was
 * captured (UDP: one message of caplen - hdr_end bytes, truncated unless
 * complete; TCP: only the complete messages). */
static void cut_everywhere(const char *what, int link, const struct buf *f, size_t hdr_end,
			   int is_tcp)
{
	int bad = 0;
	for (size_t k = 0; k <= f->n; k++) {
		struct got g;
		enum pkt_status st = parse_n(link, f->b, k, &g);
		int ok;
		if (k < hdr_end) {
			ok = st == PKT_MALFORMED && g.n == 0;
		} else if (!is_tcp) {
			ok = st == PKT_OK && g.n == 1 && g.d[0].len == k - hdr_end &&
			     g.off[0] == hdr_end && g.d[0].truncated == (k < f->n);
		} else {
			ok = st == PKT_OK && g.n == 1 && g.d[0].len == k - hdr_end &&
			     g.d[0].truncated == (k < f->n);
		}
		ok = ok && !g.oob;
		CHECK(ok);
		if (!ok && bad++ < 3)
			fprintf(stderr, "  %s cut at %zu of %zu: status %d, %d messages\n", what, k,
				f->n, st, g.n);
	}
}

static void test_truncation(void)
{
	struct buf ip4 = v4_udp_query(), ip6 = v6_udp_query(), f, e1, e2, ip;
	static const unsigned qinq[] = {0x88a8, 0x8100, 0};
	struct buf q = dns_query(0x9999), u = udp(1, 53, &q);

	f = eth(0x0800, &ip4);
	cut_everywhere("eth v4", PKT_LINK_EN10MB, &f, 14 + 28, 0);
	f = eth_tags(qinq, 0x86dd, &ip6);
	cut_everywhere("qinq v6", PKT_LINK_EN10MB, &f, 22 + 48, 0);
	f = sll(0x0800, &ip4);
	cut_everywhere("sll", PKT_LINK_LINUX_SLL, &f, 16 + 28, 0);
	f = sll2(0x86dd, &ip6);
	cut_everywhere("sll2", PKT_LINK_LINUX_SLL2, &f, 20 + 48, 0);
	f = null_hdr(30, 0, &ip6);
	cut_everywhere("null", PKT_LINK_NULL, &f, 4 + 48, 0);
	f = null_hdr(2, 1, &ip4);
	cut_everywhere("loop", PKT_LINK_LOOP, &f, 4 + 28, 0);
	cut_everywhere("raw", PKT_LINK_RAW, &ip4, 28, 0);
	cut_everywhere("ipv4", PKT_LINK_IPV4, &ip4, 28, 0);
	cut_everywhere("ipv6", PKT_LINK_IPV6, &ip6, 48, 0);

	ip = ipv4_full(IPPROTO_UDP, &u, 9, 0);
	cut_everywhere("ipv4 options", PKT_LINK_RAW, &ip, 36 + 8, 0);
	e1 = frag6(IPPROTO_UDP, 0, 0, &u);
	e2 = ext6(44, 1, &e1);
	e1 = ext6(43, 0, &e2);
	e2 = ext6(60, 0, &e1);
	ip = ipv6(0, &e2);
	cut_everywhere("ipv6 ext", PKT_LINK_RAW, &ip, 40 + 8 + 8 + 16 + 8 + 8, 0);

	struct buf data = tcp_stream(NULL), t = tcp(50000, 53, 8, &data);
	ip = ipv4(IPPROTO_TCP, &t);
	f = eth(0x0800, &ip);
	cut_everywhere("tcp", PKT_LINK_EN10MB, &f, 14 + 20 + 32, 1);
}

/* Deterministic garbage and bit flips: no crash, nothing out of bounds. */
static void test_garbage(void)
{
	static const int links[] = {PKT_LINK_NULL, PKT_LINK_EN10MB,    PKT_LINK_RAW,
				    PKT_LINK_LOOP, PKT_LINK_LINUX_SLL, PKT_LINK_IPV4,
				    PKT_LINK_IPV6, PKT_LINK_LINUX_SLL2};
	struct buf data = tcp_stream(NULL), t = tcp(50000, 53, 6, &data);
	struct buf ip = ipv4(IPPROTO_TCP, &t), base = eth(0x0800, &ip);
	uint32_t x = 12345;
	int oob = 0;
	for (int iter = 0; iter < 20000; iter++) {
		struct buf f = base;
		for (int flips = 0; flips < 4; flips++) {
			x = x * 1103515245u + 12345u;
			f.b[(x >> 8) % f.n] ^= (uint8_t)(1u << ((x >> 4) % 8));
		}
		x = x * 1103515245u + 12345u;
		size_t k = (x >> 8) % (f.n + 1);
		struct got g;
		parse_n(links[iter % 8], f.b, k, &g);
		oob += g.oob;
	}
	CHECK_INT(oob, 0);
}

int main(void)
{
	test_link_supported();
	test_en10mb();
	test_vlan();
	test_sll();
	test_raw_ipv4_ipv6();
	test_null_loop();
	test_pktap();
	test_more_links();
	test_ipv4_header();
	test_ipv4_fragments();
	test_ipv6_ext();
	test_udp_lengths();
	test_tcp();
	test_truncation();
	test_garbage();
	return check_report("test_packet");
}
