/* dns_query.h - the one path from a DNS message to its questions, shared by
 * live tracing and replay: decode the header, decode and validate every
 * question, and only then hand each one on.  A message whose third question
 * is malformed yields nothing, so no report is ever partial. */
#ifndef DNSVIS_WIRE_DNS_QUERY_H
#define DNSVIS_WIRE_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "wire/dns_decode.h"

enum dns_query_status {
	DNS_QUERY_OK = 0,    /* a query (QR=0): every question was handed on */
	DNS_QUERY_RESPONSE,  /* QR=1: nothing handed on */
	DNS_QUERY_MALFORMED, /* the header or a question does not decode */
};

/* One question of the query with header h.  Return non-zero to stop (the
 * rest of the questions are not handed on). */
typedef int (*dns_question_fn)(const struct dns_header *h, const struct dns_question *q, void *ctx);

/* Decode msg[0..len); for a query, cb runs once per question, in order,
 * after all of them decoded.  *h gets the header when it decodes. */
enum dns_query_status dns_query_questions(const uint8_t *msg, size_t len, struct dns_header *h,
					  dns_question_fn cb, void *ctx);

#endif
