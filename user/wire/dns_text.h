/* dns_text.h - a bounded writer of DNS presentation text (RFC 1035 5.1).
 *
 * The decoder of response sections writes every owner name and rdata into
 * one fixed arena.  An append that does not fit sets `full` and writes
 * nothing, so a caller can take back the whole record (dt_rewind) rather
 * than keep a cut one.  The text is NUL-terminated after every append.
 */
#ifndef DNSVIS_WIRE_DNS_TEXT_H
#define DNSVIS_WIRE_DNS_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct dns_text {
	char *buf;
	size_t len, cap; /* cap counts the NUL */
	int full;	 /* an append did not fit */
};

/* cap >= 1. */
void dt_init(struct dns_text *t, char *buf, size_t cap);
/* Back to an earlier length (a mark taken from t->len), full cleared. */
void dt_rewind(struct dns_text *t, size_t mark);

void dt_mem(struct dns_text *t, const char *s, size_t n);
void dt_str(struct dns_text *t, const char *s);
void dt_ch(struct dns_text *t, char c);
void dt_u32(struct dns_text *t, uint32_t v);
/* Uppercase hex of n bytes, no separators (DS digests, RFC 3597 data). */
void dt_hex(struct dns_text *t, const uint8_t *p, size_t n);
/* RFC 4648 base64 with padding (DNSKEY keys, SvcParam ech). */
void dt_base64(struct dns_text *t, const uint8_t *p, size_t n);
/* Dotted quad, and IPv6 as RFC 5952 (inet_ntop). */
void dt_ipv4(struct dns_text *t, const uint8_t *p);
void dt_ipv6(struct dns_text *t, const uint8_t *p);
/* The inside of a quoted <character-string>: '"' and '\' escaped with a
 * backslash, bytes outside 0x20..0x7e as \DDD.  With list_item, ',' is
 * escaped too (RFC 9460 value-list items: "\," then the backslash itself
 * escaped, written "\\,"), and a backslash in the data is written "\\\\". */
void dt_charstr(struct dns_text *t, const uint8_t *p, size_t n, int list_item);

#endif
