/* dns_types.c - IANA mnemonics for DNS types, classes, opcodes and rcodes.
 *
 * Numbers from the IANA "Domain Name System (DNS) Parameters" registry
 * (RR TYPEs, CLASSes, OpCodes, RCODEs).  Unassigned values are written in
 * the RFC 3597 generic form (TYPE<n>, CLASS<n>) or as OPCODE<n> / RCODE<n>.
 */
#include "wire/dns_types.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Indexed by type number; every registered type below 265.  Lookups are a
 * bounds check and a load. */
static const char *const type_names[] = {
    [1] = "A",
    [2] = "NS",
    [3] = "MD",
    [4] = "MF",
    [5] = "CNAME",
    [6] = "SOA",
    [7] = "MB",
    [8] = "MG",
    [9] = "MR",
    [10] = "NULL",
    [11] = "WKS",
    [12] = "PTR",
    [13] = "HINFO",
    [14] = "MINFO",
    [15] = "MX",
    [16] = "TXT",
    [17] = "RP",
    [18] = "AFSDB",
    [19] = "X25",
    [20] = "ISDN",
    [21] = "RT",
    [22] = "NSAP",
    [23] = "NSAP-PTR",
    [24] = "SIG",
    [25] = "KEY",
    [26] = "PX",
    [27] = "GPOS",
    [28] = "AAAA",
    [29] = "LOC",
    [30] = "NXT",
    [31] = "EID",
    [32] = "NIMLOC",
    [33] = "SRV",
    [34] = "ATMA",
    [35] = "NAPTR",
    [36] = "KX",
    [37] = "CERT",
    [38] = "A6",
    [39] = "DNAME",
    [40] = "SINK",
    [41] = "OPT",
    [42] = "APL",
    [43] = "DS",
    [44] = "SSHFP",
    [45] = "IPSECKEY",
    [46] = "RRSIG",
    [47] = "NSEC",
    [48] = "DNSKEY",
    [49] = "DHCID",
    [50] = "NSEC3",
    [51] = "NSEC3PARAM",
    [52] = "TLSA",
    [53] = "SMIMEA",
    /* 54 unassigned */
    [55] = "HIP",
    [56] = "NINFO",
    [57] = "RKEY",
    [58] = "TALINK",
    [59] = "CDS",
    [60] = "CDNSKEY",
    [61] = "OPENPGPKEY",
    [62] = "CSYNC",
    [63] = "ZONEMD",
    [64] = "SVCB",
    [65] = "HTTPS",
    [66] = "DSYNC",
    [67] = "HHIT", /* registered 2025 (RFC 9886) */
    [68] = "BRID", /* registered 2025 (RFC 9886) */
    /* 69-98 unassigned */
    [99] = "SPF",
    [100] = "UINFO",
    [101] = "UID",
    [102] = "GID",
    [103] = "UNSPEC",
    [104] = "NID",
    [105] = "L32",
    [106] = "L64",
    [107] = "LP",
    [108] = "EUI48",
    [109] = "EUI64",
    /* 110-127 unassigned */
    [128] = "NXNAME",
    /* 129-248 unassigned */
    [249] = "TKEY",
    [250] = "TSIG",
    [251] = "IXFR",
    [252] = "AXFR",
    [253] = "MAILB",
    [254] = "MAILA",
    [255] = "ANY",
    [256] = "URI",
    [257] = "CAA",
    [258] = "AVC",
    [259] = "DOA",
    [260] = "AMTRELAY",
    [261] = "RESINFO",
    [262] = "WALLET",
    [263] = "CLA",
    [264] = "IPN",
};

#define NTYPE_NAMES (sizeof(type_names) / sizeof(type_names[0]))

/* The registered types above the table. */
static const struct {
	uint16_t type;
	const char *name;
} high_types[] = {
    {32768, "TA"},
    {32769, "DLV"},
};

#define NHIGH_TYPES (sizeof(high_types) / sizeof(high_types[0]))

static const char *const opcode_names[16] = {
    [0] = "QUERY", [1] = "IQUERY", [2] = "STATUS", [4] = "NOTIFY", [5] = "UPDATE", [6] = "DSO",
};

/* RCODE 16 is BADVERS in an EDNS OPT and BADSIG in a TSIG/TKEY error field;
 * the message rcode a tracer sees is the EDNS one. */
static const char *const rcode_names[24] = {
    [0] = "NOERROR",  [1] = "FORMERR",	  [2] = "SERVFAIL", [3] = "NXDOMAIN",  [4] = "NOTIMP",
    [5] = "REFUSED",  [6] = "YXDOMAIN",	  [7] = "YXRRSET",  [8] = "NXRRSET",   [9] = "NOTAUTH",
    [10] = "NOTZONE", [11] = "DSOTYPENI", [16] = "BADVERS", [17] = "BADKEY",   [18] = "BADTIME",
    [19] = "BADMODE", [20] = "BADNAME",	  [21] = "BADALG",  [22] = "BADTRUNC", [23] = "BADCOOKIE",
};

static const char *copy_name(char *buf, size_t size, const char *name)
{
	if (size == 0)
		return buf;
	size_t n = strlen(name);

	if (n >= size)
		n = size - 1;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return buf;
}

static const char *type_mnemonic(uint16_t type)
{
	if (type < NTYPE_NAMES)
		return type_names[type];
	for (size_t i = 0; i < NHIGH_TYPES; i++)
		if (high_types[i].type == type)
			return high_types[i].name;
	return NULL;
}

const char *dns_type_name(uint16_t type, char *buf, size_t size)
{
	const char *name = type_mnemonic(type);

	if (name)
		return copy_name(buf, size, name);
	if (size)
		snprintf(buf, size, "TYPE%u", (unsigned)type);
	return buf;
}

const char *dns_class_name(uint16_t qclass, char *buf, size_t size)
{
	const char *name = NULL;

	switch (qclass) {
	case 1:
		name = "IN";
		break;
	case 3:
		name = "CH";
		break;
	case 4:
		name = "HS";
		break;
	case 254:
		name = "NONE";
		break;
	case 255:
		name = "ANY";
		break;
	default:
		break;
	}
	if (name)
		return copy_name(buf, size, name);
	if (size)
		snprintf(buf, size, "CLASS%u", (unsigned)qclass);
	return buf;
}

const char *dns_opcode_name(uint8_t opcode, char *buf, size_t size)
{
	if (opcode < 16 && opcode_names[opcode])
		return copy_name(buf, size, opcode_names[opcode]);
	if (size)
		snprintf(buf, size, "OPCODE%u", (unsigned)opcode);
	return buf;
}

const char *dns_rcode_name(uint16_t rcode, char *buf, size_t size)
{
	if (rcode < sizeof(rcode_names) / sizeof(rcode_names[0]) && rcode_names[rcode])
		return copy_name(buf, size, rcode_names[rcode]);
	if (size)
		snprintf(buf, size, "RCODE%u", (unsigned)rcode);
	return buf;
}

/* A decimal in 0..max (no sign, no spaces); -1 otherwise. */
static long parse_decimal(const char *s, long max)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* "TYPE<n>" with n a decimal in 0..65535; -1 otherwise. */
static int parse_generic_type(const char *s)
{
	if (strncasecmp(s, "TYPE", 4) != 0)
		return -1;
	return (int)parse_decimal(s + 4, 65535);
}

int dns_opcode_from_name(const char *name)
{
	if (!name || *name == '\0')
		return -1;
	for (int i = 0; i < 16; i++)
		if (opcode_names[i] && strcasecmp(opcode_names[i], name) == 0)
			return i;
	if (strncasecmp(name, "OPCODE", 6) == 0)
		name += 6;
	return (int)parse_decimal(name, 15);
}

int dns_opcode_list_parse(const char *list, uint16_t *mask, const char **bad)
{
	static char item[32];
	const char *p = list;

	*mask = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		int op = -1;

		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			op = dns_opcode_from_name(item);
		}
		if (op < 0) {
			*bad = n < sizeof(item) ? item : p;
			return -1;
		}
		*mask |= (uint16_t)(1u << op);
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

int dns_type_from_name(const char *name)
{
	if (!name || *name == '\0')
		return -1;
	for (size_t i = 0; i < NTYPE_NAMES; i++)
		if (type_names[i] && strcasecmp(type_names[i], name) == 0)
			return (int)i;
	for (size_t i = 0; i < NHIGH_TYPES; i++)
		if (strcasecmp(high_types[i].name, name) == 0)
			return high_types[i].type;
	return parse_generic_type(name);
}
