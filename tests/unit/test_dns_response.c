/* test_dns_response.c - response sections, rdata presentation and short
 * copies, on hand-built messages decoded from exact-size heap copies. */
#include <stdlib.h>

#include "check.h"
#include "dns_build.h"
#include "wire/dns_response.h"
#include "wire/dns_text.h"

#define QNAME_PTR 0x0c /* the question's name, right after the header */

static struct dns_response resp, resp2; /* 40 KiB each: off the stack */

/* Decode the first `copied` bytes from an exact-size heap copy, so ASan
 * reports any read past them. */
static enum dns_status decode(const struct msgbuf *m, size_t copied, size_t wire_len,
			      struct dns_response *r)
{
	uint8_t *copy = malloc(copied ? copied : 1);
	enum dns_status st;

	if (!copy)
		abort();
	memcpy(copy, m->b, copied);
	st = dns_response_decode(copy, copied, wire_len, r);
	free(copy);
	return st;
}

static enum dns_status decode_all(const struct msgbuf *m, struct dns_response *r)
{
	return decode(m, m->n, m->n, r);
}

/* A response header and the question "example.com A IN". */
static void start(struct msgbuf *m, unsigned flags, unsigned an, unsigned ns, unsigned ar)
{
	header(m, 0x1234, 0x8000 | flags, 1, an, ns, ar);
	putname(m, "example.com");
	put16(m, 1);
	put16(m, 1);
}

/* Type, class, TTL and an rdlength to fill in; returns where it is. */
static size_t rr_start(struct msgbuf *m, unsigned type, uint32_t ttl)
{
	size_t at;

	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	at = m->n;
	put16(m, 0);
	return at;
}

static void rr_end(struct msgbuf *m, size_t at)
{
	size_t n = m->n - at - 2;

	m->b[at] = (uint8_t)(n >> 8);
	m->b[at + 1] = (uint8_t)n;
}

/* An answer owned by the question's name with the given rdata bytes. */
static void answer_raw(struct msgbuf *m, unsigned type, const void *rd, size_t n)
{
	size_t at;

	putptr(m, QNAME_PTR);
	at = rr_start(m, type, 300);
	putraw(m, rd, n);
	rr_end(m, at);
}

/* Decode a one-answer response of `type` with rdata rd[0, n). */
static const struct dns_answer *one(unsigned type, const void *rd, size_t n)
{
	struct msgbuf m;

	start(&m, 0, 1, 0, 0);
	answer_raw(&m, type, rd, n);
	if (decode_all(&m, &resp) != DNS_OK || resp.nanswers != 1)
		return NULL;
	return &resp.answers[0];
}

#define CHECK_DATA(type, rd, want)                                                                 \
	do {                                                                                       \
		const struct dns_answer *a_ = one((type), (rd), sizeof(rd) - 1);                   \
		CHECK(a_ != NULL);                                                                 \
		if (a_)                                                                            \
			CHECK_STR(a_->data, (want));                                               \
	} while (0)

#define CHECK_BAD(type, rd, want)                                                                  \
	do {                                                                                       \
		const struct dns_answer *a_ = one((type), (rd), sizeof(rd) - 1);                   \
		CHECK(a_ != NULL);                                                                 \
		if (a_) {                                                                          \
			CHECK_STR(a_->data, (want));                                               \
			CHECK_INT(a_->rdata_bad, 1);                                               \
			CHECK_INT(resp.rdata_bad, 1);                                              \
		}                                                                                  \
	} while (0)

/* ---- header, rcode, flags, EDNS ------------------------------------- */

static void test_header_and_counts(void)
{
	struct msgbuf m;

	start(&m, 0x0180, 1, 0, 0);
	answer_raw(&m, 1, "\x5d\xb8\xd8\x22", 4);
	m.b[9] = 7;  /* nscount 7: counted, not walked far */
	m.b[11] = 0; /* arcount 0 */
	CHECK_INT(decode(&m, m.n, m.n + 1, &resp), DNS_OK);
	CHECK_INT(resp.header.id, 0x1234);
	CHECK_INT(resp.header.qr, 1);
	CHECK_INT(resp.has_question, 1);
	CHECK_STR(resp.question.name.text, "example.com");
	CHECK_STR(resp.flags, "rd ra");
	CHECK_STR(resp.rcode_name, "NOERROR");
	CHECK_INT(resp.authority, 7);
	CHECK_INT(resp.additional, 0);
	CHECK_INT(resp.nanswers, 1);
	CHECK_STR(resp.answers[0].name, "example.com");
	CHECK_STR(resp.answers[0].data, "93.184.216.34");
	CHECK_INT(resp.answers[0].ttl, 300);
	CHECK_INT(resp.answers[0].rclass, 1);
	/* The authority section ran past the copy, which was short. */
	CHECK_INT(resp.truncated_copy, 1);
	/* No additional records: no OPT can change the rcode. */
	CHECK_INT(resp.edns_state, DNS_EDNS_ABSENT);
	CHECK_INT(resp.rcode_exact, 1);
}

static void test_flags(void)
{
	static const struct {
		unsigned bits;
		const char *want;
	} cases[] = {
	    {0, ""},
	    {0x0400, "aa"},
	    {0x0200, "tc"},
	    {0x0100, "rd"},
	    {0x0080, "ra"},
	    {0x0020, "ad"},
	    {0x0010, "cd"},
	    {0x0040, ""}, /* z alone */
	    {0x07f0, "aa tc rd ra ad cd"},
	    {0x0410, "aa cd"},
	};
	struct msgbuf m;
	struct dns_header h;
	char small[6];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start(&m, cases[i].bits, 0, 0, 0);
		CHECK_INT(decode_all(&m, &resp), DNS_OK);
		CHECK_STR(resp.flags, cases[i].want);
	}
	/* A small buffer holds whole names only. */
	memset(&h, 0, sizeof(h));
	h.aa = h.tc = h.rd = 1;
	dns_flags_text(&h, small, sizeof(small));
	CHECK_STR(small, "aa tc");
	dns_flags_text(&h, small, 3);
	CHECK_STR(small, "aa");
	dns_flags_text(&h, small, 2);
	CHECK_STR(small, "");
}

/* An OPT RR in the additional section. */
static void put_opt(struct msgbuf *m, unsigned udp, unsigned ext, unsigned ver, unsigned flags)
{
	put8(m, 0);
	put16(m, 41);
	put16(m, udp);
	put8(m, ext);
	put8(m, ver);
	put16(m, flags);
	put16(m, 0);
}

static void check_rcode(unsigned hdr, int ext, const char *want)
{
	struct msgbuf m;

	start(&m, hdr, 0, 0, ext >= 0);
	if (ext >= 0)
		put_opt(&m, 1232, (unsigned)ext, 0, 0);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_STR(resp.rcode_name, want);
	CHECK_INT(resp.rcode, ext >= 0 ? (unsigned)ext << 4 | hdr : hdr);
	CHECK_INT(resp.rcode_exact, 1);
}

static void test_rcodes(void)
{
	static const char *const plain[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI"};
	static const char *const ext[] = {"BADVERS", "BADKEY", "BADTIME",  "BADMODE",
					  "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE"};

	for (unsigned i = 0; i < 12; i++)
		check_rcode(i, -1, plain[i]);
	check_rcode(12, -1, "RCODE12");
	check_rcode(15, -1, "RCODE15");
	check_rcode(3, 0, "NXDOMAIN"); /* an OPT with no extended bits */
	for (unsigned i = 0; i < 8; i++)
		check_rcode(i, 1, ext[i]);
	check_rcode(8, 1, "RCODE24");
	check_rcode(15, 255, "RCODE4095");
}

static void test_edns(void)
{
	struct msgbuf m;

	start(&m, 0, 0, 0, 1);
	put_opt(&m, 4096, 0, 0, 0x8000);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.edns_state, DNS_EDNS_PRESENT);
	CHECK_INT(resp.edns.udp_size, 4096);
	CHECK_INT(resp.edns.version, 0);
	CHECK_INT(resp.edns.do_bit, 1);

	start(&m, 0, 0, 0, 1);
	put_opt(&m, 512, 0, 1, 0x7fff);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.edns.udp_size, 512);
	CHECK_INT(resp.edns.version, 1);
	CHECK_INT(resp.edns.do_bit, 0);

	/* Additional records without an OPT. */
	start(&m, 0, 0, 0, 1);
	answer_raw(&m, 1, "\x01\x02\x03\x04", 4);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.edns_state, DNS_EDNS_ABSENT);
	CHECK_INT(resp.nanswers, 0);

	/* Type 41 owned by a non-root name is not the OPT; the second OPT,
	 * root-owned, is. */
	start(&m, 3, 0, 0, 2);
	putptr(&m, QNAME_PTR);
	put16(&m, 41);
	put16(&m, 9999);
	put32(&m, 0x01000000);
	put16(&m, 0);
	put_opt(&m, 1400, 0, 0, 0);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.edns.udp_size, 1400);
	CHECK_STR(resp.rcode_name, "NXDOMAIN");

	/* An OPT in the answer section is an answer, not EDNS. */
	start(&m, 0, 1, 0, 0);
	put_opt(&m, 4096, 1, 0, 0);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.edns_state, DNS_EDNS_ABSENT);
	CHECK_STR(resp.rcode_name, "NOERROR");
	CHECK_STR(resp.answers[0].name, ".");
	CHECK_STR(resp.answers[0].data, "\\# 0");
}

/* ---- rdata of every type --------------------------------------------- */

static void test_addresses(void)
{
	CHECK_DATA(1, "\xc0\x00\x02\x01", "192.0.2.1");
	CHECK_DATA(28, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", "2001:db8::1");
	CHECK_DATA(28, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01", "::ffff:192.0.2.1");
	CHECK_BAD(1, "\x01\x02\x03", "\\# 3 010203");
	CHECK_BAD(1, "\x01\x02\x03\x04\x05", "\\# 5 0102030405");
	CHECK_BAD(28, "\x01\x02\x03\x04", "\\# 4 01020304");
}

/* CNAME, DNAME, NS, PTR, MX, SRV and SOA, their names compressed against
 * the question and against each other's rdata. */
static void test_compressed_names(void)
{
	struct msgbuf m;
	size_t at, cname_rd;

	start(&m, 0, 7, 0, 0);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 5, 60); /* CNAME www.example.com -> www.example.com */
	cname_rd = m.n;
	putlabels(&m, "www");
	putptr(&m, QNAME_PTR);
	rr_end(&m, at);
	putptr(&m, (unsigned)cname_rd);
	at = rr_start(&m, 39, 60); /* DNAME cdn.www.example.com */
	putlabels(&m, "cdn");
	putptr(&m, (unsigned)cname_rd);
	rr_end(&m, at);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 2, 60); /* NS ns1.example.com */
	putlabels(&m, "ns1");
	putptr(&m, QNAME_PTR);
	rr_end(&m, at);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 12, 60); /* PTR: the pointer alone */
	putptr(&m, (unsigned)cname_rd);
	rr_end(&m, at);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 15, 60); /* MX 10 mail.example.com */
	put16(&m, 10);
	putlabels(&m, "mail");
	putptr(&m, QNAME_PTR);
	rr_end(&m, at);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 33, 60); /* SRV 0 5 5060 sip.example.com */
	put16(&m, 0);
	put16(&m, 5);
	put16(&m, 5060);
	putlabels(&m, "sip");
	putptr(&m, QNAME_PTR);
	rr_end(&m, at);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 6, 60); /* SOA */
	putlabels(&m, "ns1");
	putptr(&m, QNAME_PTR);
	putlabels(&m, "host\\master");
	putptr(&m, QNAME_PTR);
	put32(&m, 2024010101);
	put32(&m, 7200);
	put32(&m, 3600);
	put32(&m, 1209600);
	put32(&m, 4294967295u);
	rr_end(&m, at);

	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.nanswers, 7);
	CHECK_INT(resp.rdata_bad, 0);
	CHECK_STR(resp.answers[0].data, "www.example.com");
	CHECK_STR(resp.answers[1].name, "www.example.com");
	CHECK_STR(resp.answers[1].data, "cdn.www.example.com");
	CHECK_STR(resp.answers[2].data, "ns1.example.com");
	CHECK_STR(resp.answers[3].data, "www.example.com");
	CHECK_STR(resp.answers[4].data, "10 mail.example.com");
	CHECK_STR(resp.answers[5].data, "0 5 5060 sip.example.com");
	CHECK_STR(
	    resp.answers[6].data,
	    "ns1.example.com host\\\\master.example.com 2024010101 7200 3600 1209600 4294967295");
	CHECK_INT(resp.answers[6].type, 6);
	CHECK_INT(resp.answers[0].ttl, 60);
}

static void test_bad_names_in_rdata(void)
{
	/* A name that does not fill the rdata, one that runs past it, a
	 * forward pointer, and fixed parts too short. */
	CHECK_BAD(5, "\x03www\x00\x01",
		  "\\# 6 0377777700"
		  "01");
	CHECK_BAD(5, "\x03www", "\\# 4 03777777");
	CHECK_BAD(2, "\xc0\xff", "\\# 2 C0FF");
	CHECK_BAD(15, "\x00\x0a", "\\# 2 000A");
	CHECK_BAD(33, "\x00\x00\x00\x05\x13\xc4", "\\# 6 0000000513C4");
	CHECK_BAD(6, "\x00\x00\x00\x00\x00\x01", "\\# 6 000000000001");
	CHECK_DATA(12, "\x00", ".");
	CHECK_DATA(15, "\x00\x00\x00", "0 .");
}

static void test_txt(void)
{
	CHECK_DATA(16, "\x05hello", "\"hello\"");
	CHECK_DATA(16, "\x00", "\"\"");
	CHECK_DATA(16, "\x00\x00\x02hi", "\"\" \"\" \"hi\"");
	CHECK_DATA(16,
		   "\x0bv=spf1 -all\x03"
		   "a b",
		   "\"v=spf1 -all\" \"a b\"");
	/* Quotes and backslashes escaped, non-printables as \DDD. */
	CHECK_DATA(16,
		   "\x07"
		   "a\"b\\c\x01\xff",
		   "\"a\\\"b\\\\c\\001\\255\"");
	CHECK_DATA(16, "\x03\t\n\x7f", "\"\\009\\010\\127\"");
	/* No string at all, or one running past the rdata. */
	CHECK_BAD(16, "", "\\# 0");
	CHECK_BAD(16, "\x05hell", "\\# 5 0568656C6C");
	CHECK_BAD(16,
		  "\x01"
		  "a\x02"
		  "b",
		  "\\# 4 01610262");
}

static void test_caa_ds_dnskey(void)
{
	CHECK_DATA(257, "\x00\x05issueletsencrypt.org", "0 issue \"letsencrypt.org\"");
	CHECK_DATA(257, "\x80\x05iodefmailto:a@b", "128 iodef \"mailto:a@b\"");
	CHECK_DATA(257, "\x00\x05issue", "0 issue \"\"");
	CHECK_DATA(257, "\x00\x03tbs\"\\\x00", "0 tbs \"\\\"\\\\\\000\"");
	CHECK_BAD(257, "\x00\x00", "\\# 2 0000");		 /* empty tag */
	CHECK_BAD(257, "\x00\x03is-", "\\# 5 000369732D");	 /* not alphanumeric */
	CHECK_BAD(257, "\x00\x07issue", "\\# 7 00076973737565"); /* tag past rdata */
	CHECK_BAD(257,
		  "\x00\x10"
		  "0123456789abcdef",
		  "\\# 18 00103031323334353637383961626364"
		  "6566"); /* tag of 16 */

	CHECK_DATA(43, "\x30\x39\x08\x02\xab\xcd\xef", "12345 8 2 ABCDEF");
	CHECK_DATA(59, "\x00\x01\x0d\x04\x00", "1 13 4 00"); /* CDS */
	CHECK_BAD(43, "\x30\x39\x08\x02", "\\# 4 30390802"); /* no digest */
	CHECK_DATA(48, "\x01\x01\x03\x08hello", "257 3 8 aGVsbG8=");
	CHECK_DATA(48, "\x01\x00\x03\x0d\xff", "256 3 13 /w==");
	CHECK_DATA(60,
		   "\x01\x00\x03\x0d"
		   "abc",
		   "256 3 13 YWJj"); /* CDNSKEY */
	CHECK_BAD(48, "\x01\x00\x03\x0d", "\\# 4 0100030D");
}

static void test_generic(void)
{
	CHECK_DATA(99, "\x0a\x00\x00\x01", "\\# 4 0A000001");
	CHECK_DATA(1234, "", "\\# 0");
	CHECK_DATA(46, "\xde\xad", "\\# 2 DEAD"); /* RRSIG: no typed form here */
	const struct dns_answer *a = one(99, "\x01", 1);

	CHECK(a && a->rdata_bad == 0 && resp.rdata_bad == 0);
}

/* ---- SVCB and HTTPS ---------------------------------------------------- */

static void test_svcb(void)
{
	CHECK_DATA(65,
		   "\x00\x00\x03"
		   "foo\x07"
		   "example\x00",
		   "0 foo.example");
	CHECK_DATA(64, "\x00\x01\x00", "1 .");
	CHECK_DATA(65,
		   "\x00\x01\x00"
		   "\x00\x00\x00\x04\x00\x01\x00\x03"		      /* mandatory=alpn,port */
		   "\x00\x01\x00\x06\x02h2\x02h3"		      /* alpn */
		   "\x00\x02\x00\x00"				      /* no-default-alpn */
		   "\x00\x03\x00\x02\x20\xfb"			      /* port=8443 */
		   "\x00\x04\x00\x08\xc0\x00\x02\x01\xc0\x00\x02\x02" /* ipv4hint */
		   "\x00\x05\x00\x03\x01\x02\x03"		      /* ech */
		   "\x00\x06\x00\x10\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
		   "\x02\x9b\x00\x05hello" /* key667 */
		   "\x02\x9c\x00\x00",	   /* key668, empty */
		   "1 . mandatory=alpn,port alpn=\"h2,h3\" no-default-alpn port=8443 "
		   "ipv4hint=192.0.2.1,192.0.2.2 ech=AQID ipv6hint=2001:db8::1 "
		   "key667=\"hello\" key668");
	/* RFC 9460 D.2: alpn ids "f\oo,bar" and "h2". */
	CHECK_DATA(64,
		   "\x00\x10\x00\x00\x01\x00\x0c\x08"
		   "f\\oo,bar\x02h2",
		   "16 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"");
	/* An unknown key's value escaped as a quoted string. */
	CHECK_DATA(64, "\x00\x01\x00\x00\x07\x00\x04/q\"\x01", "1 . key7=\"/q\\\"\\001\"");
}

static void test_svcb_bad(void)
{
	/* Keys out of order, repeated, a length past the rdata, a short key. */
	CHECK_BAD(65, "\x00\x01\x00\x00\x03\x00\x02\x01\xbb\x00\x01\x00\x03\x02h2",
		  "\\# 16 000100000300"
		  "0201BB0001000302"
		  "6832");
	CHECK_BAD(65, "\x00\x01\x00\x00\x03\x00\x02\x01\xbb\x00\x03\x00\x02\x01\xbb",
		  "\\# 15 0001000003000201BB0003000201BB");
	CHECK_BAD(64, "\x00\x01\x00\x00\x03\x00\x05\x01\xbb",
		  "\\# 9 000100000300"
		  "0501BB");
	CHECK_BAD(64, "\x00\x01\x00\x00\x03\x00", "\\# 6 000100000300");
	/* Values of the wrong length for their key. */
	CHECK_BAD(64, "\x00\x01\x00\x00\x03\x00\x03\x01\xbb\x00", "\\# 10 0001000003000301BB00");
	CHECK_BAD(64, "\x00\x01\x00\x00\x04\x00\x03\x01\x02\x03", "\\# 10 00010000040003010203");
	CHECK_BAD(64, "\x00\x01\x00\x00\x02\x00\x01\x00", "\\# 8 0001000002000100");
	CHECK_BAD(64, "\x00\x01\x00\x00\x01\x00\x00", "\\# 7 00010000010000");
	CHECK_BAD(64, "\x00\x01\x00\x00\x01\x00\x02\x00\x00", "\\# 9 000100000100020000");
	CHECK_BAD(64, "\x00\x01\x00\x00\x01\x00\x02\x05h",
		  "\\# 9 00010000010002"
		  "0568");
	/* mandatory naming itself, out of order, odd length. */
	CHECK_BAD(64, "\x00\x01\x00\x00\x00\x00\x02\x00\x00", "\\# 9 000100000000020000");
	CHECK_BAD(64, "\x00\x01\x00\x00\x00\x00\x04\x00\x03\x00\x01",
		  "\\# 11 0001000000000400030001");
	CHECK_BAD(64, "\x00\x01\x00\x00\x00\x00\x01\x01", "\\# 8 0001000000000101");
	/* A compressed target, and no target at all. */
	CHECK_BAD(65, "\x00\x01\xc0\x00", "\\# 4 0001C000");
	CHECK_BAD(65, "\x00\x01", "\\# 2 0001");
}

/* ---- short copies and malformed messages ------------------------------ */

/* A response with every section: question, two answers (CNAME, A), one
 * authority NS, one additional A and an OPT carrying BADCOOKIE. */
static void full_response(struct msgbuf *m)
{
	size_t at;

	start(m, 0x0180 | 7, 2, 1, 2);
	putptr(m, QNAME_PTR);
	at = rr_start(m, 5, 60);
	putlabels(m, "edge");
	putptr(m, QNAME_PTR);
	rr_end(m, at);
	putptr(m, (unsigned)at + 2);
	at = rr_start(m, 1, 60);
	putraw(m, "\xc6\x33\x64\x07", 4);
	rr_end(m, at);
	putptr(m, QNAME_PTR);
	at = rr_start(m, 2, 60);
	putlabels(m, "ns");
	putptr(m, QNAME_PTR);
	rr_end(m, at);
	putptr(m, (unsigned)at + 2);
	at = rr_start(m, 1, 60);
	putraw(m, "\xc6\x33\x64\x35", 4);
	rr_end(m, at);
	put_opt(m, 1232, 1, 0, 0);
}

/* Every listed answer of the short decode is the full decode's, whole. */
static void check_prefix(size_t k, const struct dns_response *pre, const struct dns_response *all)
{
	CHECK(pre->nanswers <= all->nanswers);
	for (unsigned i = 0; i < pre->nanswers && i < all->nanswers; i++) {
		CHECK(pre->answers[i].wire_end <= k);
		CHECK_STR(pre->answers[i].name, all->answers[i].name);
		CHECK_STR(pre->answers[i].data, all->answers[i].data);
	}
	CHECK(pre->decoded_len <= k);
}

static void test_short_copies(void)
{
	struct msgbuf m;

	full_response(&m);
	CHECK_INT(decode_all(&m, &resp2), DNS_OK);
	CHECK_INT(resp2.truncated_copy, 0);
	CHECK_INT(resp2.nanswers, 2);
	CHECK_STR(resp2.answers[0].data, "edge.example.com");
	CHECK_STR(resp2.answers[1].name, "edge.example.com");
	CHECK_STR(resp2.answers[1].data, "198.51.100.7");
	CHECK_STR(resp2.rcode_name, "BADCOOKIE");
	CHECK_INT(resp2.decoded_len, m.n);

	for (size_t k = 0; k <= m.n; k++) {
		enum dns_status st = decode(&m, k, m.n, &resp);

		if (k < DNS_HEADER_LEN) {
			CHECK_INT(st, DNS_ERR_TRUNCATED);
			CHECK_INT(resp.truncated_copy, 1);
			continue;
		}
		CHECK_INT(st, DNS_OK);
		CHECK_INT(resp.truncated_copy, k < m.n);
		check_prefix(k, &resp, &resp2);
		/* Without the OPT the rcode's high bits are unknown, and the
		 * header's YXRRSET is not passed off as exact. */
		if (k < m.n) {
			CHECK_INT(resp.rcode_exact, 0);
			CHECK_STR(resp.rcode_name, "YXRRSET");
		}
		/* Not known to be cut: running out is a malformed message. */
		st = decode(&m, k, k, &resp);
		if (k < m.n)
			CHECK_INT(st, DNS_ERR_TRUNCATED);
		CHECK_INT(resp.truncated_copy, 0);
	}
	/* The A answer is listed only once its rdata is all there. */
	CHECK_INT(decode(&m, resp2.answers[1].wire_end - 1, m.n, &resp), DNS_OK);
	CHECK_INT(resp.nanswers, 1);
	CHECK_INT(decode(&m, resp2.answers[1].wire_end, m.n, &resp), DNS_OK);
	CHECK_INT(resp.nanswers, 2);
	/* wire_len == copied + 1: the copy is marked as such. */
	CHECK_INT(decode(&m, 40, 41, &resp), DNS_OK);
	CHECK_INT(resp.truncated_copy, 1);
}

static void test_malformed(void)
{
	struct msgbuf m;
	size_t at;

	/* A good answer, then one whose owner points forward. */
	start(&m, 0, 2, 0, 0);
	answer_raw(&m, 1, "\x01\x02\x03\x04", 4);
	putptr(&m, 0x3fff);
	at = rr_start(&m, 1, 1);
	putraw(&m, "\x01\x02\x03\x04", 4);
	rr_end(&m, at);
	CHECK_INT(decode_all(&m, &resp), DNS_ERR_BAD_POINTER);
	CHECK_INT(resp.nanswers, 1);
	CHECK_INT(resp.truncated_copy, 0);
	CHECK_INT(resp.rcode_exact, 1); /* arcount 0 */

	/* A short copy does not excuse a bad label type before its end. */
	start(&m, 0, 1, 0, 0);
	put8(&m, 0x40);
	CHECK_INT(decode(&m, m.n, m.n + 100, &resp), DNS_ERR_LABEL_TYPE);

	/* A question that does not decode: nothing after it is read. */
	header(&m, 1, 0x8000, 1, 1, 0, 0);
	put8(&m, 0x80);
	CHECK_INT(decode_all(&m, &resp), DNS_ERR_LABEL_TYPE);
	CHECK_INT(resp.has_question, 0);
	CHECK_INT(resp.nanswers, 0);

	/* Several questions: the first is kept, all are walked. */
	header(&m, 1, 0x8000, 2, 1, 0, 0);
	putname(&m, "a.example");
	put16(&m, 28);
	put16(&m, 1);
	putname(&m, "b.example");
	put16(&m, 1);
	put16(&m, 1);
	putptr(&m, QNAME_PTR);
	at = rr_start(&m, 28, 5);
	putraw(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	rr_end(&m, at);
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_STR(resp.question.name.text, "a.example");
	CHECK_INT(resp.question.qtype, 28);
	CHECK_STR(resp.answers[0].data, "2001:db8::2");
}

/* ---- bounds of the list and the text space ---------------------------- */

static void test_list_full(void)
{
	struct msgbuf m;

	start(&m, 0, 200, 0, 0);
	for (unsigned i = 0; i < 200; i++) {
		uint8_t a[4] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i};

		answer_raw(&m, 1, a, 4);
	}
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	CHECK_INT(resp.nanswers, DNS_RESP_MAX_ANSWERS);
	CHECK_INT(resp.answers_omitted, 200 - DNS_RESP_MAX_ANSWERS);
	CHECK_STR(resp.answers[127].data, "10.0.0.127");
}

/* A 255-byte owner name escaped to about 1000 characters, pointed to by
 * every answer: the text space fills, and the rest are counted, not cut. */
static void test_text_full(void)
{
	struct msgbuf m;
	size_t name_at, at;
	unsigned listed;

	header(&m, 1, 0x8000, 1, 100, 0, 0);
	name_at = m.n;
	for (int l = 0; l < 4; l++) {
		put8(&m, l < 3 ? 63 : 61);
		for (int i = 0; i < (l < 3 ? 63 : 61); i++)
			put8(&m, 0x01); /* \001 each */
	}
	put8(&m, 0);
	put16(&m, 5);
	put16(&m, 1);
	for (unsigned i = 0; i < 100; i++) {
		putptr(&m, (unsigned)name_at);
		at = rr_start(&m, 5, 1);
		putptr(&m, (unsigned)name_at);
		rr_end(&m, at);
	}
	CHECK_INT(decode_all(&m, &resp), DNS_OK);
	listed = resp.nanswers;
	CHECK(listed > 0 && listed < 100);
	CHECK_INT(resp.answers_omitted, 100 - listed);
	CHECK_INT(strlen(resp.answers[listed - 1].data), 250 * 4 + 3);
	CHECK_STR(resp.answers[listed - 1].data, resp.answers[0].name);
}

int main(void)
{
	test_header_and_counts();
	test_flags();
	test_rcodes();
	test_edns();
	test_addresses();
	test_compressed_names();
	test_bad_names_in_rdata();
	test_txt();
	test_caa_ds_dnskey();
	test_generic();
	test_svcb();
	test_svcb_bad();
	test_short_copies();
	test_malformed();
	test_list_full();
	test_text_full();
	return check_report("test_dns_response");
}
