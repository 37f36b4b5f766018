/* dns_types.h - IANA mnemonics for DNS types, classes, opcodes and rcodes. */
#ifndef DNSVIS_DNS_TYPES_H
#define DNSVIS_DNS_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Write the IANA mnemonic of a qtype ("A", "HTTPS", ...) or "TYPE<n>"
 * (RFC 3597) into buf; returns buf.  buf must hold at least 12 bytes. */
const char *dns_type_name(uint16_t type, char *buf, size_t size);
/* "IN", "CH", "HS", "NONE", "ANY", or "CLASS<n>". */
const char *dns_class_name(uint16_t qclass, char *buf, size_t size);
/* "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE", "DSO", or "OPCODE<n>". */
const char *dns_opcode_name(uint8_t opcode, char *buf, size_t size);
/* "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", ..., or "RCODE<n>". */
const char *dns_rcode_name(uint16_t rcode, char *buf, size_t size);

/* Parse a mnemonic or TYPE<n> back to a number; -1 if unknown. */
int dns_type_from_name(const char *name);

/* An opcode mnemonic (case-insensitive), OPCODE<n> or a number 0..15 back
 * to its number; -1 if unknown. */
int dns_opcode_from_name(const char *name);

/* A comma-separated list of opcodes ("QUERY,NOTIFY") to a mask (bit n:
 * opcode n).  0, or -1 with *bad pointing at the item not understood. */
int dns_opcode_list_parse(const char *list, uint16_t *mask, const char **bad);

#endif
