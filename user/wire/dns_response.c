/* dns_response.c - see dns_response.h.
 *
 * The sections are walked in order with the one name walker of
 * dns_decode.c: questions, answers (listed), authority (walked), additional
 * (walked; the first OPT RR read, RFC 6891 6.1).  The walk stops at the
 * first record that does not decode; whether that is a short copy or a
 * malformed message depends only on whether the copy was short.
 */
#include "wire/dns_response.h"

#include <string.h>

#include "wire/dns_rdata.h"
#include "wire/dns_text.h"
#include "wire/dns_types.h"

#define T_OPT 41

void dns_flags_text(const struct dns_header *h, char *buf, size_t size)
{
	const struct {
		uint8_t set;
		const char *name;
	} flags[] = {{h->aa, "aa"}, {h->tc, "tc"}, {h->rd, "rd"},
		     {h->ra, "ra"}, {h->ad, "ad"}, {h->cd, "cd"}};
	size_t n = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!flags[i].set || n + (n ? 3 : 2) >= size)
			continue;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, flags[i].name, 2);
		n += 2;
	}
	buf[n] = '\0';
}

struct walk {
	const uint8_t *msg;
	size_t len, off;
	struct dns_response *r;
	struct dns_text text;
};

/* A record that did not decode: a short copy ends the walk quietly, any
 * other failure is the message's status.  Returns -1 (stop). */
static int stop(struct walk *w, enum dns_status st, size_t wire_len)
{
	if (st == DNS_ERR_TRUNCATED && w->len < wire_len)
		w->r->truncated_copy = 1;
	else
		w->r->status = st;
	return -1;
}

static int walk_questions(struct walk *w, size_t wire_len)
{
	struct dns_response *r = w->r;
	struct dns_question scratch;

	for (unsigned i = 0; i < r->header.qdcount; i++) {
		enum dns_status st =
		    dns_decode_question(w->msg, w->len, &w->off, i ? &scratch : &r->question);

		if (st != DNS_OK)
			return stop(w, st, wire_len);
		r->has_question = 1;
		r->decoded_len = w->off;
	}
	return 0;
}

/* Owner name and data into the text space; 0 when it did not fit. */
static int list_answer(struct walk *w, const struct dns_rr_head *h, struct dns_answer *a)
{
	struct dns_name owner;
	size_t pos = h->name_off, mark = w->text.len;
	enum dns_rdata_form form;

	/* dns_rr_head() walked this name already: it decodes again. */
	dns_decode_name(w->msg, w->len, &pos, &owner);
	dt_mem(&w->text, owner.text, strlen(owner.text) + 1);
	a->name = w->text.buf + mark;
	a->data = w->text.buf + w->text.len;
	form = dns_rdata_text(w->msg, w->len, h->rdata_off, h->rdlength, h->type, &w->text);
	dt_ch(&w->text, '\0');
	if (w->text.full) {
		dt_rewind(&w->text, mark);
		return 0;
	}
	a->type = h->type;
	a->rclass = h->rclass;
	a->ttl = h->ttl;
	a->rdlength = h->rdlength;
	a->rdata_bad = form == DNS_RDATA_BAD;
	a->wire_off = h->name_off;
	a->wire_end = h->rdata_off + h->rdlength;
	return 1;
}

static int walk_answers(struct walk *w, size_t wire_len)
{
	struct dns_response *r = w->r;

	for (unsigned i = 0; i < r->header.ancount; i++) {
		struct dns_rr_head h;
		enum dns_status st = dns_rr_head(w->msg, w->len, &w->off, &h);

		if (st != DNS_OK)
			return stop(w, st, wire_len);
		r->decoded_len = w->off;
		if (r->nanswers < DNS_RESP_MAX_ANSWERS &&
		    list_answer(w, &h, &r->answers[r->nanswers])) {
			r->rdata_bad += r->answers[r->nanswers].rdata_bad;
			r->nanswers++;
		} else {
			r->answers_omitted++;
		}
	}
	return 0;
}

static void read_opt(struct dns_response *r, const struct dns_rr_head *h)
{
	r->edns_state = DNS_EDNS_PRESENT;
	r->edns.udp_size = h->rclass;
	r->edns.ext_rcode = (uint8_t)(h->ttl >> 24);
	r->edns.version = (uint8_t)(h->ttl >> 16);
	r->edns.do_bit = (h->ttl >> 15) & 1;
}

/* Authority, then additional: walked, the first OPT of the additional
 * section read. */
static int walk_rest(struct walk *w, size_t wire_len)
{
	struct dns_response *r = w->r;
	unsigned total = (unsigned)r->header.nscount + r->header.arcount;

	for (unsigned i = 0; i < total; i++) {
		struct dns_rr_head h;
		enum dns_status st = dns_rr_head(w->msg, w->len, &w->off, &h);

		if (st != DNS_OK)
			return stop(w, st, wire_len);
		r->decoded_len = w->off;
		/* An OPT's owner is the root: a single zero octet in place. */
		if (i >= r->header.nscount && h.type == T_OPT &&
		    r->edns_state != DNS_EDNS_PRESENT && w->msg[h.name_off] == 0)
			read_opt(r, &h);
	}
	if (r->edns_state != DNS_EDNS_PRESENT)
		r->edns_state = DNS_EDNS_ABSENT;
	return 0;
}

static void reset(struct dns_response *r)
{
	r->status = DNS_OK;
	r->truncated_copy = 0;
	memset(&r->header, 0, sizeof(r->header));
	r->has_question = 0;
	r->question.name.text[0] = '\0';
	r->question.qtype = r->question.qclass = 0;
	r->rcode = 0;
	r->rcode_exact = 0;
	r->rcode_name[0] = r->flags[0] = '\0';
	r->authority = r->additional = 0;
	r->edns_state = DNS_EDNS_UNKNOWN;
	memset(&r->edns, 0, sizeof(r->edns));
	r->nanswers = r->answers_omitted = r->rdata_bad = 0;
	r->decoded_len = 0;
	r->text[0] = '\0';
}

enum dns_status dns_response_decode(const uint8_t *msg, size_t copied, size_t wire_len,
				    struct dns_response *r)
{
	struct walk w = {.msg = msg, .len = copied, .off = DNS_HEADER_LEN, .r = r};
	enum dns_status st;

	reset(r);
	st = dns_decode_header(msg, copied, &r->header);
	if (st != DNS_OK) {
		/* Without a header there is no response to speak of, short copy
		 * or not. */
		r->truncated_copy = copied < wire_len;
		r->status = st;
		return st;
	}
	r->decoded_len = DNS_HEADER_LEN;
	r->authority = r->header.nscount;
	r->additional = r->header.arcount;
	dns_flags_text(&r->header, r->flags, sizeof(r->flags));
	dt_init(&w.text, r->text, sizeof(r->text));
	if (walk_questions(&w, wire_len) == 0 && walk_answers(&w, wire_len) == 0)
		walk_rest(&w, wire_len);
	if (r->header.arcount == 0)
		r->edns_state = DNS_EDNS_ABSENT;
	r->rcode = r->header.rcode;
	if (r->edns_state == DNS_EDNS_PRESENT)
		r->rcode |= (uint16_t)(r->edns.ext_rcode << 4);
	r->rcode_exact = r->edns_state != DNS_EDNS_UNKNOWN;
	dns_rcode_name(r->rcode, r->rcode_name, sizeof(r->rcode_name));
	return r->status;
}
