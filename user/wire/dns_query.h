/* dns_query.h - the one path from a DNS message to its questions, shared by
 * live tracing and replay: decode the header, decode and validate every
 * question, and only then hand each one on.  A message whose third question
 * is malformed yields nothing, so no report is ever partial.  A query with
 * no question at all (QDCOUNT 0: an RFC 7873 cookie probe, a DSO keepalive)
 * is a query too: it is handed on once, as dns_query_no_question. */
#ifndef DNSVIS_WIRE_DNS_QUERY_H
#define DNSVIS_WIRE_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "wire/dns_decode.h"

enum dns_query_status {
	DNS_QUERY_OK = 0,    /* a query (QR=0): every question was handed on */
	DNS_QUERY_RESPONSE,  /* QR=1: nothing handed on */
	DNS_QUERY_MALFORMED, /* the header or a question does not decode */
};

/* The question handed on for a query with QDCOUNT 0: empty name (wire_len
 * 0, which no real name has), qtype and qclass 0. */
extern const struct dns_question dns_query_no_question;

/* One question of the query with header h.  Return non-zero to stop (the
 * rest of the questions are not handed on). */
typedef int (*dns_question_fn)(const struct dns_header *h, const struct dns_question *q, void *ctx);

/* Decode msg[0..len); for a query, cb runs once per question, in order,
 * after all of them decoded (once, with dns_query_no_question, when there
 * is none).  *h gets the header when it decodes. */
enum dns_query_status dns_query_questions(const uint8_t *msg, size_t len, struct dns_header *h,
					  dns_question_fn cb, void *ctx);

/* The fields of ev that come from the message and the question: txid,
 * opcode, domain (points into q), qtype, qclass, no_question.  The one
 * place live tracing and replay turn a question into an event. */
void dns_query_event(struct dnsvis_event *ev, const struct dns_header *h,
		     const struct dns_question *q);

#endif
