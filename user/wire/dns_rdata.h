/* dns_rdata.h - one record's rdata in presentation form.
 *
 * RFC 1035 presentation text for A, AAAA, CNAME, DNAME, NS, PTR, MX, TXT,
 * SRV, SOA, CAA, DS/CDS, DNSKEY/CDNSKEY and SVCB/HTTPS (SvcParams included,
 * RFC 9460); every other type, and any rdata that does not follow its
 * type's format, in the RFC 3597 generic form "\# <len> <HEX>".  Names are
 * written as the decoder writes owner names (no trailing dot, root "."),
 * and may be compressed where RFC 3597 3 allows it for the type, never in
 * SVCB/HTTPS (RFC 9460 2.2).  The record's rdata must lie inside msg[0, len)
 * (the caller has checked it against the captured bytes).
 */
#ifndef DNSVIS_WIRE_DNS_RDATA_H
#define DNSVIS_WIRE_DNS_RDATA_H

#include <stddef.h>
#include <stdint.h>

#include "wire/dns_text.h"

enum dns_rdata_form {
	DNS_RDATA_TYPED,   /* the type's own presentation form */
	DNS_RDATA_GENERIC, /* RFC 3597: a type without one here */
	DNS_RDATA_BAD,	   /* RFC 3597: the rdata breaks its type's format */
};

/* Append the rdata at msg[off, off + rdlength) to t.  On t->full the text
 * is incomplete and the caller rewinds it. */
enum dns_rdata_form dns_rdata_text(const uint8_t *msg, size_t len, size_t off, uint16_t rdlength,
				   uint16_t type, struct dns_text *t);

/* SVCB/HTTPS rdata (dns_svcb.c): 0 and the text appended, or -1 with t as
 * it was when the rdata breaks RFC 9460 (keys out of order, bad lengths). */
int dns_svcb_text(const uint8_t *rd, size_t n, struct dns_text *t);

/* The presentation name of a SvcParamKey: "alpn", ..., else "key<n>". */
void dns_svc_key_text(uint16_t key, struct dns_text *t);

#endif
