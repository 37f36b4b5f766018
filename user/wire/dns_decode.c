/* dns_decode.c - bounds-checked decoder for DNS wire-format messages (RFC 1035).
 *
 * Every byte is read through an explicit check against `len`, the number of
 * bytes actually captured.  Running out of bytes is reported as
 * DNS_ERR_TRUNCATED and never guessed around.
 *
 * Compression pointers (RFC 1035 4.1.4) must point strictly before the start
 * of the label sequence they are found in.  That alone makes every pointer
 * chain strictly decreasing, so no input can loop; the hop limit below is a
 * second, independent bound on the work done for one name.
 */
#include "wire/dns_decode.h"
#include "util/bytes.h"

#include <string.h>

/* A well-formed name needs at most one hop per label plus one (a pointer to a
 * bare root octet): 127 labels fit in 255 wire bytes, so 128 hops suffice. */
#define DNS_MAX_POINTER_HOPS 128

#define DNS_RR_FIXED_LEN 10 /* type, class, ttl, rdlength */

/* Append one label byte in RFC 1035 5.1 presentation form.  The caller has
 * made sure there is room for four bytes plus the final NUL. */
static size_t put_label_byte(char *text, size_t pos, uint8_t c)
{
	if (c == '.' || c == '\\' || c == '"') {
		text[pos++] = '\\';
		text[pos++] = (char)c;
	} else if (c < 0x21 || c > 0x7e) {
		text[pos++] = '\\';
		text[pos++] = (char)('0' + c / 100);
		text[pos++] = (char)('0' + (c / 10) % 10);
		text[pos++] = (char)('0' + c % 10);
	} else {
		text[pos++] = (char)c;
	}
	return pos;
}

/* Bytes that stand for themselves in presentation form: 0x21..0x7e except
 * '"', '.' and '\\'.  One bit per byte value, 64 values a word. */
static const uint64_t label_plain_bits[4] = {
    0xffffbffa00000000ull, /* 0x21..0x3f without '"' (0x22) and '.' (0x2e) */
    0x7fffffffefffffffull, /* 0x40..0x7e without '\\' (0x5c) */
    0,
    0,
};

static int label_byte_plain(uint8_t c)
{
	return (int)((label_plain_bits[c >> 6] >> (c & 63)) & 1);
}

/* Append a label (after a dot unless it is the first): its plain prefix is
 * copied whole, the rest byte by byte.  4 * 254 + dots + NUL <
 * DNS_NAME_TEXT_MAX: see dns_decode.h. */
static size_t put_label(char *text, size_t tpos, int dot, const uint8_t *label, size_t n)
{
	size_t i = 0;

	if (dot)
		text[tpos++] = '.';
	while (i < n && label_byte_plain(label[i]))
		i++;
	memcpy(text + tpos, label, i);
	tpos += i;
	for (; i < n; i++)
		tpos = put_label_byte(text, tpos, label[i]);
	return tpos;
}

/* Walk the name at *off.  `text` may be NULL when only the length and the
 * validity of the name matter (skipping records).  On success *off is moved
 * past the name as it is stored at *off; on failure *off is left alone. */
static enum dns_status walk_name(const uint8_t *msg, size_t len, size_t *off, char *text,
				 size_t *wire_len_out, unsigned *labels_out)
{
	size_t pos = *off;   /* next byte to read */
	size_t seq_start;    /* start of the label sequence being read */
	size_t end = 0;	     /* where the name at *off ends; 0 until known */
	size_t wire_len = 0; /* length octets and label bytes so far, without the root */
	size_t tpos = 0;
	unsigned labels = 0, hops = 0;

	seq_start = pos;

	for (;;) {
		if (pos >= len)
			return DNS_ERR_TRUNCATED;
		uint8_t b = msg[pos];

		switch (b & 0xc0) {
		case 0xc0: {
			if (pos + 1 >= len)
				return DNS_ERR_TRUNCATED;
			size_t target = ((size_t)(b & 0x3f) << 8) | msg[pos + 1];
			if (target >= seq_start)
				return DNS_ERR_BAD_POINTER;
			if (++hops > DNS_MAX_POINTER_HOPS)
				return DNS_ERR_POINTER_LOOP;
			if (end == 0)
				end = pos + 2;
			pos = seq_start = target;
			continue;
		}
		case 0x40:
		case 0x80:
			return DNS_ERR_LABEL_TYPE;
		default:
			break;
		}

		if (b == 0) {
			if (end == 0)
				end = pos + 1;
			break;
		}

		/* This label, its length octet and the root still to come. */
		if (wire_len + 1 + b + 1 > DNS_WIRE_NAME_MAX)
			return DNS_ERR_NAME_TOO_LONG;
		if (b > len - pos - 1)
			return DNS_ERR_TRUNCATED;

		if (text)
			tpos = put_label(text, tpos, labels > 0, msg + pos + 1, b);
		wire_len += 1 + (size_t)b;
		labels++;
		pos += 1 + (size_t)b;
	}

	if (text) {
		if (labels == 0)
			text[tpos++] = '.';
		text[tpos] = '\0';
	}
	*wire_len_out = wire_len + 1;
	*labels_out = labels;
	*off = end;
	return DNS_OK;
}

enum dns_status dns_decode_header(const uint8_t *msg, size_t len, struct dns_header *h)
{
	if (len < DNS_HEADER_LEN)
		return DNS_ERR_TRUNCATED;

	uint16_t f = be16(msg + 2);

	h->id = be16(msg);
	h->flags = f;
	h->qr = (f >> 15) & 1;
	h->opcode = (f >> 11) & 0xf;
	h->aa = (f >> 10) & 1;
	h->tc = (f >> 9) & 1;
	h->rd = (f >> 8) & 1;
	h->ra = (f >> 7) & 1;
	h->z = (f >> 6) & 1;
	h->ad = (f >> 5) & 1;
	h->cd = (f >> 4) & 1;
	h->rcode = f & 0xf;
	h->qdcount = be16(msg + 4);
	h->ancount = be16(msg + 6);
	h->nscount = be16(msg + 8);
	h->arcount = be16(msg + 10);
	return DNS_OK;
}

enum dns_status dns_decode_name(const uint8_t *msg, size_t len, size_t *off, struct dns_name *out)
{
	enum dns_status st = walk_name(msg, len, off, out->text, &out->wire_len, &out->labels);

	if (st != DNS_OK) {
		/* Never hand back a half-written name. */
		out->text[0] = '\0';
		out->wire_len = 0;
		out->labels = 0;
	}
	return st;
}

enum dns_status dns_decode_question(const uint8_t *msg, size_t len, size_t *off,
				    struct dns_question *q)
{
	size_t pos = *off;
	enum dns_status st = dns_decode_name(msg, len, &pos, &q->name);

	q->qtype = q->qclass = 0;
	if (st != DNS_OK)
		return st;
	if (len - pos < 4)
		return DNS_ERR_TRUNCATED;
	q->qtype = be16(msg + pos);
	q->qclass = be16(msg + pos + 2);
	*off = pos + 4;
	return DNS_OK;
}

/* Name, fixed fields and the bounds of the rdata, without decoding it. */
static enum dns_status rr_fixed(const uint8_t *msg, size_t len, size_t *pos, uint16_t *type,
				uint16_t *rclass, uint32_t *ttl, uint16_t *rdlength)
{
	if (len - *pos < DNS_RR_FIXED_LEN)
		return DNS_ERR_TRUNCATED;
	const uint8_t *p = msg + *pos;

	*type = be16(p);
	*rclass = be16(p + 2);
	*ttl = be32(p + 4);
	*rdlength = be16(p + 8);
	*pos += DNS_RR_FIXED_LEN;
	if (*rdlength > len - *pos)
		return DNS_ERR_TRUNCATED;
	return DNS_OK;
}

enum dns_status dns_decode_rr(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr)
{
	size_t pos = *off;
	enum dns_status st;

	rr->type = rr->rclass = rr->rdlength = 0;
	rr->ttl = 0;
	rr->rdata_off = 0;
	memset(rr->rdata.aaaa, 0, sizeof(rr->rdata.aaaa));
	rr->rdata.cname.text[0] = '\0';
	rr->rdata.cname.wire_len = 0;
	rr->rdata.cname.labels = 0;

	st = dns_decode_name(msg, len, &pos, &rr->name);
	if (st != DNS_OK)
		return st;
	st = rr_fixed(msg, len, &pos, &rr->type, &rr->rclass, &rr->ttl, &rr->rdlength);
	if (st != DNS_OK)
		return st;
	rr->rdata_off = pos;

	size_t rdata_end = pos + rr->rdlength;

	switch (rr->type) {
	case 1: /* A */
		if (rr->rdlength != sizeof(rr->rdata.a))
			return DNS_ERR_RDATA;
		memcpy(rr->rdata.a, msg + pos, sizeof(rr->rdata.a));
		break;
	case 28: /* AAAA */
		if (rr->rdlength != sizeof(rr->rdata.aaaa))
			return DNS_ERR_RDATA;
		memcpy(rr->rdata.aaaa, msg + pos, sizeof(rr->rdata.aaaa));
		break;
	case 5: { /* CNAME */
		/* Pointers only go backwards, so bounding the walk by the end of
		 * the rdata keeps the whole name inside it; running past the end
		 * is bad rdata, not a short capture (the rdata is all there). */
		size_t npos = pos;

		st = dns_decode_name(msg, rdata_end, &npos, &rr->rdata.cname);
		if (st == DNS_ERR_TRUNCATED)
			return DNS_ERR_RDATA;
		if (st != DNS_OK)
			return st;
		break;
	}
	default:
		break;
	}

	*off = rdata_end;
	return DNS_OK;
}

/* Validate one question and move past it, without producing text. */
static enum dns_status skip_question(const uint8_t *msg, size_t len, size_t *off)
{
	size_t pos = *off, wire_len;
	unsigned labels;
	enum dns_status st = walk_name(msg, len, &pos, NULL, &wire_len, &labels);

	if (st != DNS_OK)
		return st;
	if (len - pos < 4)
		return DNS_ERR_TRUNCATED;
	*off = pos + 4;
	return DNS_OK;
}

enum dns_status dns_rr_head(const uint8_t *msg, size_t len, size_t *off, struct dns_rr_head *h)
{
	size_t pos = *off, wire_len;
	unsigned labels;
	enum dns_status st = walk_name(msg, len, &pos, NULL, &wire_len, &labels);

	if (st != DNS_OK)
		return st;
	h->name_off = *off;
	st = rr_fixed(msg, len, &pos, &h->type, &h->rclass, &h->ttl, &h->rdlength);
	if (st != DNS_OK)
		return st;
	h->rdata_off = pos;
	*off = pos + h->rdlength;
	return DNS_OK;
}

enum dns_status dns_decode_message(const uint8_t *msg, size_t len, struct dns_message *m)
{
	enum dns_status st;
	size_t off = DNS_HEADER_LEN;

	memset(&m->header, 0, sizeof(m->header));
	m->questions_off = 0;
	m->answers_off = 0;
	m->nanswers = 0;

	st = dns_decode_header(msg, len, &m->header);
	if (st != DNS_OK)
		return st;
	m->questions_off = off;

	for (unsigned i = 0; i < m->header.qdcount; i++) {
		st = skip_question(msg, len, &off);
		if (st != DNS_OK)
			return st;
	}
	m->answers_off = off;

	/* Queries: the answer, authority and additional sections (EDNS OPT
	 * included) do not matter here and are not looked at. */
	if (!m->header.qr)
		return DNS_OK;

	for (unsigned i = 0; i < m->header.ancount; i++) {
		if (i < DNS_MAX_ANSWERS) {
			st = dns_decode_rr(msg, len, &off, &m->answers[i]);
			if (st != DNS_OK)
				return st;
			m->nanswers++;
		} else {
			struct dns_rr_head skipped;

			st = dns_rr_head(msg, len, &off, &skipped);
			if (st != DNS_OK)
				return st;
		}
	}
	/* Bytes after the answer section (authority, additional, or padding
	 * some capture tools leave) are not examined. */
	return DNS_OK;
}

const char *dns_status_str(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_ERR_TRUNCATED:
		return "truncated";
	case DNS_ERR_LABEL_TYPE:
		return "bad label type";
	case DNS_ERR_NAME_TOO_LONG:
		return "name too long";
	case DNS_ERR_BAD_POINTER:
		return "bad compression pointer";
	case DNS_ERR_POINTER_LOOP:
		return "compression pointer loop";
	case DNS_ERR_RDATA:
		return "bad rdata";
	}
	return "unknown error";
}
