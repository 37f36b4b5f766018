/* addr_text.h - IPv4 and IPv6 addresses as text, exactly as glibc's
 * inet_ntop() writes them (RFC 5952 style: lower-case hex, the longest run
 * of two or more zero groups as "::", IPv4-mapped and IPv4-compatible
 * addresses with a dotted tail), but without inet_ntop's sprintf calls:
 * these run for every address of every output line. */
#ifndef DNSVIS_UTIL_ADDR_TEXT_H
#define DNSVIS_UTIL_ADDR_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN: the longest text plus the NUL */

/* a (4 bytes) as "a.b.c.d" into out (at least 16 bytes); returns the
 * length (a NUL follows). */
size_t ipv4_text(const uint8_t *a, char *out);

/* a (16 bytes) into out (at least ADDR_TEXT_MAX bytes); returns the length
 * (a NUL follows). */
size_t ipv6_text(const uint8_t *a, char *out);

#endif
