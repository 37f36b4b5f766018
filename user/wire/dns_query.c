/* dns_query.c - see dns_query.h.  The first questions are kept from the
 * validating pass, so a message is decoded once in the common case; a
 * message with more questions than that decodes the rest again. */
#include "wire/dns_query.h"

#define QUESTIONS_KEPT 8

const struct dns_question dns_query_no_question;

void dns_query_event(struct dnsvis_event *ev, const struct dns_header *h,
		     const struct dns_question *q)
{
	ev->txid = h->id;
	ev->opcode = h->opcode;
	ev->no_question = q->name.wire_len == 0;
	ev->domain = q->name.text;
	ev->qtype = q->qtype;
	ev->qclass = q->qclass;
}

enum dns_query_status dns_query_questions(const uint8_t *msg, size_t len, struct dns_header *h,
					  dns_question_fn cb, void *ctx)
{
	static _Thread_local struct dns_question kept[QUESTIONS_KEPT], scratch;
	size_t off = DNS_HEADER_LEN, after_kept = DNS_HEADER_LEN;
	unsigned i;

	if (dns_decode_header(msg, len, h) != DNS_OK)
		return DNS_QUERY_MALFORMED;
	if (h->qr)
		return DNS_QUERY_RESPONSE;
	if (h->qdcount == 0) {
		cb(h, &dns_query_no_question, ctx);
		return DNS_QUERY_OK;
	}
	for (i = 0; i < h->qdcount; i++) {
		if (dns_decode_question(msg, len, &off, i < QUESTIONS_KEPT ? &kept[i] : &scratch) !=
		    DNS_OK)
			return DNS_QUERY_MALFORMED;
		if (i + 1 == QUESTIONS_KEPT)
			after_kept = off;
	}
	off = after_kept;
	for (i = 0; i < h->qdcount; i++) {
		const struct dns_question *q = i < QUESTIONS_KEPT ? &kept[i] : &scratch;

		if (i >= QUESTIONS_KEPT)
			dns_decode_question(msg, len, &off, &scratch); /* validated above */
		if (cb(h, q, ctx))
			break;
	}
	return DNS_QUERY_OK;
}
