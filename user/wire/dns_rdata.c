/* dns_rdata.c - see dns_rdata.h.  Formats: RFC 1035 3.3 (names, MX, SOA,
 * TXT), RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6672 (DNAME), RFC 4034 2 and
 * 5 (DNSKEY, DS), RFC 7344 (CDS, CDNSKEY), RFC 8659 (CAA), RFC 9460
 * (SVCB, HTTPS; in dns_svcb.c).  A reader of each type checks that the
 * rdata is exactly what its format allows; anything else is written in the
 * generic form and said to be bad, never read as far as it happens to go. */
#include "wire/dns_rdata.h"

#include "util/bytes.h"
#include "wire/dns_decode.h"

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_PTR = 12,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_SRV = 33,
	T_DNAME = 39,
	T_DS = 43,
	T_DNSKEY = 48,
	T_CDS = 59,
	T_CDNSKEY = 60,
	T_SVCB = 64,
	T_HTTPS = 65,
	T_CAA = 257,
};

/* A name inside the rdata: read from *pos, wholly before end (a pointer may
 * lead anywhere earlier in the message). */
static int rd_name(const uint8_t *msg, size_t end, size_t *pos, struct dns_text *t)
{
	struct dns_name n;

	if (dns_decode_name(msg, end, pos, &n) != DNS_OK)
		return -1;
	dt_str(t, n.text);
	return 0;
}

/* NS, CNAME, PTR, DNAME: one name, the whole rdata. */
static int rd_one_name(const uint8_t *msg, size_t off, size_t end, struct dns_text *t)
{
	size_t pos = off;

	if (rd_name(msg, end, &pos, t))
		return -1;
	return pos == end ? 0 : -1;
}

/* MX: preference, exchange. */
static int rd_mx(const uint8_t *msg, size_t off, size_t end, struct dns_text *t)
{
	if (end - off < 3)
		return -1;
	dt_u32(t, be16(msg + off));
	dt_ch(t, ' ');
	return rd_one_name(msg, off + 2, end, t);
}

/* SRV: priority, weight, port, target. */
static int rd_srv(const uint8_t *msg, size_t off, size_t end, struct dns_text *t)
{
	if (end - off < 7)
		return -1;
	for (int i = 0; i < 3; i++) {
		dt_u32(t, be16(msg + off + 2 * (size_t)i));
		dt_ch(t, ' ');
	}
	return rd_one_name(msg, off + 6, end, t);
}

/* SOA: mname rname serial refresh retry expire minimum. */
static int rd_soa(const uint8_t *msg, size_t off, size_t end, struct dns_text *t)
{
	size_t pos = off;

	if (rd_name(msg, end, &pos, t))
		return -1;
	dt_ch(t, ' ');
	if (rd_name(msg, end, &pos, t) || end - pos != 20)
		return -1;
	for (int i = 0; i < 5; i++) {
		dt_ch(t, ' ');
		dt_u32(t, be32(msg + pos + 4 * (size_t)i));
	}
	return 0;
}

/* TXT: one or more <character-string>s, each quoted ("" when empty). */
static int rd_txt(const uint8_t *rd, size_t n, struct dns_text *t)
{
	size_t i = 0;

	if (n == 0)
		return -1;
	while (i < n) {
		size_t l = rd[i];

		if (l > n - i - 1)
			return -1;
		if (i)
			dt_ch(t, ' ');
		dt_ch(t, '"');
		dt_charstr(t, rd + i + 1, l, 0);
		dt_ch(t, '"');
		i += 1 + l;
	}
	return 0;
}

static int is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* CAA: flags, tag (1-15 letters and digits), value as a quoted string. */
static int rd_caa(const uint8_t *rd, size_t n, struct dns_text *t)
{
	size_t tl;

	if (n < 2)
		return -1;
	tl = rd[1];
	if (tl < 1 || tl > 15 || tl > n - 2)
		return -1;
	for (size_t i = 0; i < tl; i++)
		if (!is_alnum(rd[2 + i]))
			return -1;
	dt_u32(t, rd[0]);
	dt_ch(t, ' ');
	dt_mem(t, (const char *)rd + 2, tl);
	dt_mem(t, " \"", 2);
	dt_charstr(t, rd + 2 + tl, n - 2 - tl, 0);
	dt_ch(t, '"');
	return 0;
}

/* DS and CDS: key tag, algorithm, digest type, digest in hex; DNSKEY and
 * CDNSKEY: flags, protocol, algorithm, key in base64.  Same layout. */
static int rd_key(const uint8_t *rd, size_t n, int base64, struct dns_text *t)
{
	if (n < 5)
		return -1;
	dt_u32(t, be16(rd));
	dt_ch(t, ' ');
	dt_u32(t, rd[2]);
	dt_ch(t, ' ');
	dt_u32(t, rd[3]);
	dt_ch(t, ' ');
	if (base64)
		dt_base64(t, rd + 4, n - 4);
	else
		dt_hex(t, rd + 4, n - 4);
	return 0;
}

static void rd_generic(const uint8_t *rd, size_t n, struct dns_text *t)
{
	dt_mem(t, "\\# ", 3);
	dt_u32(t, (uint32_t)n);
	if (n) {
		dt_ch(t, ' ');
		dt_hex(t, rd, n);
	}
}

static int rd_typed(const uint8_t *msg, size_t off, size_t end, uint16_t type, struct dns_text *t)
{
	const uint8_t *rd = msg + off;
	size_t n = end - off;

	switch (type) {
	case T_A:
		if (n != 4)
			return -1;
		dt_ipv4(t, rd);
		return 0;
	case T_AAAA:
		if (n != 16)
			return -1;
		dt_ipv6(t, rd);
		return 0;
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_DNAME:
		return rd_one_name(msg, off, end, t);
	case T_MX:
		return rd_mx(msg, off, end, t);
	case T_SRV:
		return rd_srv(msg, off, end, t);
	case T_SOA:
		return rd_soa(msg, off, end, t);
	case T_TXT:
		return rd_txt(rd, n, t);
	case T_CAA:
		return rd_caa(rd, n, t);
	case T_DS:
	case T_CDS:
		return rd_key(rd, n, 0, t);
	case T_DNSKEY:
	case T_CDNSKEY:
		return rd_key(rd, n, 1, t);
	default: /* T_SVCB, T_HTTPS */
		return dns_svcb_text(rd, n, t);
	}
}

static int has_typed_form(uint16_t type)
{
	switch (type) {
	case T_A:
	case T_NS:
	case T_CNAME:
	case T_SOA:
	case T_PTR:
	case T_MX:
	case T_TXT:
	case T_AAAA:
	case T_SRV:
	case T_DNAME:
	case T_DS:
	case T_DNSKEY:
	case T_CDS:
	case T_CDNSKEY:
	case T_SVCB:
	case T_HTTPS:
	case T_CAA:
		return 1;
	default:
		return 0;
	}
}

enum dns_rdata_form dns_rdata_text(const uint8_t *msg, size_t len, size_t off, uint16_t rdlength,
				   uint16_t type, struct dns_text *t)
{
	size_t mark = t->len, end = off + rdlength;

	if (off > len || rdlength > len - off) {
		t->full = 1; /* the caller broke the contract: write nothing */
		return DNS_RDATA_BAD;
	}
	if (!has_typed_form(type)) {
		rd_generic(msg + off, rdlength, t);
		return DNS_RDATA_GENERIC;
	}
	if (rd_typed(msg, off, end, type, t) == 0 || t->full)
		return DNS_RDATA_TYPED;
	dt_rewind(t, mark);
	rd_generic(msg + off, rdlength, t);
	return DNS_RDATA_BAD;
}
