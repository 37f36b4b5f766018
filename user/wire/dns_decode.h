/* dns_decode.h - bounds-checked decoder for DNS wire-format messages (RFC 1035).
 *
 * Every read is checked against the length the caller gives (the captured
 * bytes, not the length the packet claims).  Nothing here allocates.
 */
#ifndef DNSVIS_DNS_DECODE_H
#define DNSVIS_DNS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN	  12
#define DNS_WIRE_NAME_MAX 255 /* RFC 1035 2.3.4, including length octets */
#define DNS_LABEL_MAX	  63
/* Worst case presentation text: every byte of a 255-byte wire name escaped
 * as \DDD (4 chars), plus the NUL. */
#define DNS_NAME_TEXT_MAX (DNS_WIRE_NAME_MAX * 4 + 1)

enum dns_status {
	DNS_OK = 0,
	DNS_ERR_TRUNCATED,     /* ran out of captured bytes */
	DNS_ERR_LABEL_TYPE,    /* label type 0x40 or 0x80 (RFC 6891 6.2.1 retired) */
	DNS_ERR_NAME_TOO_LONG, /* wire name over 255 bytes */
	DNS_ERR_BAD_POINTER,   /* compression pointer not strictly backwards */
	DNS_ERR_POINTER_LOOP,  /* too many pointer hops */
	DNS_ERR_RDATA,	       /* rdata shorter than its type requires */
};

struct dns_header {
	uint16_t id;
	uint16_t flags; /* raw flags word */
	uint8_t qr, opcode, aa, tc, rd, ra, z, ad, cd, rcode;
	uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_name {
	char text[DNS_NAME_TEXT_MAX]; /* presentation format, no trailing dot, root is "." */
	size_t wire_len;	      /* bytes of the uncompressed wire name */
	unsigned labels;
};

struct dns_question {
	struct dns_name name;
	uint16_t qtype, qclass;
};

/* A decoded resource record; rdata is decoded for A, AAAA and CNAME. */
struct dns_rr {
	struct dns_name name;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlength;
	size_t rdata_off; /* offset of rdata in the message */
	union {
		uint8_t a[4];
		uint8_t aaaa[16];
		struct dns_name cname;
	} rdata;
};

#define DNS_MAX_ANSWERS 16

/* Header, and for responses the answer section (first DNS_MAX_ANSWERS
 * records).  Questions are walked with dns_decode_question(), so a message
 * with any qdcount can be reported question by question. */
struct dns_message {
	struct dns_header header;
	size_t questions_off; /* offset of the first question */
	size_t answers_off;   /* offset after the last question, 0 if not reached */
	unsigned nanswers;
	struct dns_rr answers[DNS_MAX_ANSWERS];
};

enum dns_status dns_decode_header(const uint8_t *msg, size_t len, struct dns_header *h);

/* Decode the name at *off, following compression pointers; on success *off is
 * moved past the name as it stands at *off (a pointer counts 2 bytes). */
enum dns_status dns_decode_name(const uint8_t *msg, size_t len, size_t *off, struct dns_name *out);

enum dns_status dns_decode_question(const uint8_t *msg, size_t len, size_t *off,
				    struct dns_question *q);

enum dns_status dns_decode_rr(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr);

/* A record's place and fixed fields, without its name's text. */
struct dns_rr_head {
	size_t name_off; /* where the owner name starts */
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlength;
	size_t rdata_off;
};

/* Check the record at *off (its name walked and validated, its rdata within
 * len) and move *off past it, producing no text.  On failure *off is left
 * alone. */
enum dns_status dns_rr_head(const uint8_t *msg, size_t len, size_t *off, struct dns_rr_head *h);

/* Header, all questions (validated, not stored) and, for responses, the
 * answers.  Stops at the first error and returns it. */
enum dns_status dns_decode_message(const uint8_t *msg, size_t len, struct dns_message *m);

const char *dns_status_str(enum dns_status s);

#endif
