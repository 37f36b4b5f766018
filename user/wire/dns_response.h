/* dns_response.h - what came back: a DNS response's sections decoded.
 *
 * The rcode with the EDNS extended bits applied, and its name; the set
 * flags; the first question; the answer section as a bounded list of
 * {name, type, class, ttl, data} with data in presentation form
 * (dns_rdata.h); the authority and additional counts; EDNS from the OPT RR.
 *
 * A message copied only in part (live copies at most 1232 bytes of a
 * response) is decoded as far as it was copied and marked truncated_copy.
 * A record cut by the end of the copy is not listed, and an rcode whose OPT
 * may lie in the bytes not copied is marked inexact, never guessed.  Like
 * everything in wire/, every read is bounded by the bytes copied.
 */
#ifndef DNSVIS_WIRE_DNS_RESPONSE_H
#define DNSVIS_WIRE_DNS_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "wire/dns_decode.h"

#define DNS_RESP_MAX_ANSWERS 128
/* Owner names and data of the listed answers, NULs included. */
#define DNS_RESP_TEXT_MAX  32768
#define DNS_RCODE_NAME_MAX 12 /* "RCODE4095" */
#define DNS_FLAGS_TEXT_MAX 18 /* "aa tc rd ra ad cd" */

struct dns_answer {
	const char *name; /* owner, presentation text (points into the response) */
	const char *data; /* rdata, presentation text (dns_rdata.h) */
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlength;
	uint8_t rdata_bad;	   /* rdata broke its type's format: data is "\# len hex" */
	size_t wire_off, wire_end; /* the record's bytes in the message */
};

enum dns_edns_state {
	DNS_EDNS_ABSENT,  /* the additional section was walked: no OPT */
	DNS_EDNS_PRESENT, /* an OPT RR was found; edns holds it */
	DNS_EDNS_UNKNOWN, /* the additional section was not walked to its end */
};

struct dns_edns {
	uint16_t udp_size;
	uint8_t version;
	uint8_t ext_rcode; /* the upper 8 bits of the 12-bit rcode */
	uint8_t do_bit;
};

/* The answers' pointers lead into text[]: do not copy by value. */
struct dns_response {
	enum dns_status status; /* DNS_OK, or what stopped a malformed message */
	int truncated_copy;	/* the copy ended before the message did */
	struct dns_header header;
	int has_question; /* question holds the first question */
	struct dns_question question;
	uint16_t rcode;	 /* header rcode | EDNS ext_rcode << 4 */
	int rcode_exact; /* 0: an OPT may lie beyond what was decoded */
	char rcode_name[DNS_RCODE_NAME_MAX];
	char flags[DNS_FLAGS_TEXT_MAX]; /* the set ones, space-separated; "" if none */
	uint16_t authority, additional; /* header counts (nscount, arcount) */
	enum dns_edns_state edns_state;
	struct dns_edns edns; /* when edns_state is DNS_EDNS_PRESENT */
	unsigned nanswers;    /* listed in answers[] */
	/* Whole answer records decoded but not listed: the list or the text
	 * space was full.  Records not decoded at all (cut by the copy, or
	 * after an error) are ancount - nanswers - answers_omitted. */
	unsigned answers_omitted;
	unsigned rdata_bad; /* listed answers with rdata_bad set */
	size_t decoded_len; /* bytes from the start up to the last whole record walked */
	struct dns_answer answers[DNS_RESP_MAX_ANSWERS];
	char text[DNS_RESP_TEXT_MAX];
};

/* Decode msg[0, copied), the first `copied` bytes of a message `wire_len`
 * bytes long (wire_len == copied when the whole message is at hand; a
 * caller that knows only that it was cut passes copied + 1).  Returns
 * r->status.  Running out of bytes is a truncated copy (status DNS_OK)
 * when copied < wire_len, and DNS_ERR_TRUNCATED (malformed) when not.  The
 * message need not be a response: QR is in r->header.  A copy too short for
 * the header is DNS_ERR_TRUNCATED either way (nothing else is set). */
enum dns_status dns_response_decode(const uint8_t *msg, size_t copied, size_t wire_len,
				    struct dns_response *r);

/* The set flags of aa tc rd ra ad cd, in that order, space-separated. */
void dns_flags_text(const struct dns_header *h, char *buf, size_t size);

#endif
