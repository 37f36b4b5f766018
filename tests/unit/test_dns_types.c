/* test_dns_types.c - IANA mnemonics for types, classes, opcodes and rcodes. */
#include "check.h"
#include "wire/dns_types.h"

/* Every registered RR TYPE, from the IANA registry, in number order. */
static const struct {
	int num;
	const char *name;
} all_types[] = {
    {1, "A"},		{2, "NS"},	  {3, "MD"},	    {4, "MF"},	     {5, "CNAME"},
    {6, "SOA"},		{7, "MB"},	  {8, "MG"},	    {9, "MR"},	     {10, "NULL"},
    {11, "WKS"},	{12, "PTR"},	  {13, "HINFO"},    {14, "MINFO"},   {15, "MX"},
    {16, "TXT"},	{17, "RP"},	  {18, "AFSDB"},    {19, "X25"},     {20, "ISDN"},
    {21, "RT"},		{22, "NSAP"},	  {23, "NSAP-PTR"}, {24, "SIG"},     {25, "KEY"},
    {26, "PX"},		{27, "GPOS"},	  {28, "AAAA"},	    {29, "LOC"},     {30, "NXT"},
    {31, "EID"},	{32, "NIMLOC"},	  {33, "SRV"},	    {34, "ATMA"},    {35, "NAPTR"},
    {36, "KX"},		{37, "CERT"},	  {38, "A6"},	    {39, "DNAME"},   {40, "SINK"},
    {41, "OPT"},	{42, "APL"},	  {43, "DS"},	    {44, "SSHFP"},   {45, "IPSECKEY"},
    {46, "RRSIG"},	{47, "NSEC"},	  {48, "DNSKEY"},   {49, "DHCID"},   {50, "NSEC3"},
    {51, "NSEC3PARAM"}, {52, "TLSA"},	  {53, "SMIMEA"},   {55, "HIP"},     {56, "NINFO"},
    {57, "RKEY"},	{58, "TALINK"},	  {59, "CDS"},	    {60, "CDNSKEY"}, {61, "OPENPGPKEY"},
    {62, "CSYNC"},	{63, "ZONEMD"},	  {64, "SVCB"},	    {65, "HTTPS"},   {66, "DSYNC"},
    {67, "HHIT"},	{68, "BRID"},	  {99, "SPF"},	    {100, "UINFO"},  {101, "UID"},
    {102, "GID"},	{103, "UNSPEC"},  {104, "NID"},	    {105, "L32"},    {106, "L64"},
    {107, "LP"},	{108, "EUI48"},	  {109, "EUI64"},   {128, "NXNAME"}, {249, "TKEY"},
    {250, "TSIG"},	{251, "IXFR"},	  {252, "AXFR"},    {253, "MAILB"},  {254, "MAILA"},
    {255, "ANY"},	{256, "URI"},	  {257, "CAA"},	    {258, "AVC"},    {259, "DOA"},
    {260, "AMTRELAY"},	{261, "RESINFO"}, {262, "WALLET"},  {263, "CLA"},    {264, "IPN"},
    {32768, "TA"},	{32769, "DLV"},
};

#define NTYPES (sizeof(all_types) / sizeof(all_types[0]))

static int is_registered(unsigned t)
{
	for (size_t i = 0; i < NTYPES; i++)
		if ((unsigned)all_types[i].num == t)
			return 1;
	return 0;
}

static void test_type_roundtrip(void)
{
	char buf[16], lower[16];

	CHECK_INT(NTYPES, 97);
	for (size_t i = 0; i < NTYPES; i++) {
		CHECK_STR(dns_type_name((uint16_t)all_types[i].num, buf, sizeof(buf)),
			  all_types[i].name);
		CHECK_INT(dns_type_from_name(all_types[i].name), all_types[i].num);
		/* case-insensitive */
		size_t n = strlen(all_types[i].name);
		for (size_t j = 0; j <= n; j++)
			lower[j] =
			    (char)((all_types[i].name[j] >= 'A' && all_types[i].name[j] <= 'Z')
				       ? all_types[i].name[j] + 32
				       : all_types[i].name[j]);
		CHECK_INT(dns_type_from_name(lower), all_types[i].num);
	}
}

static void test_type_spot_checks(void)
{
	static const struct {
		const char *name;
		int num;
	} spots[] = {
	    {"HTTPS", 65},  {"SVCB", 64},    {"CAA", 257},  {"URI", 256},  {"TLSA", 52},
	    {"NAPTR", 35},  {"DS", 43},	     {"RRSIG", 46}, {"NSEC", 47},  {"DNSKEY", 48},
	    {"ANY", 255},   {"AXFR", 252},   {"IXFR", 251}, {"A", 1},	   {"AAAA", 28},
	    {"OPT", 41},    {"SRV", 33},     {"PTR", 12},   {"SOA", 6},	   {"DSYNC", 66},
	    {"SPF", 99},    {"NXNAME", 128}, {"TKEY", 249}, {"TSIG", 250}, {"TA", 32768},
	    {"DLV", 32769}, {"IPN", 264},    {"NSEC3", 50}, {"CDS", 59},   {"ZONEMD", 63},
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		CHECK_INT(dns_type_from_name(spots[i].name), spots[i].num);
		CHECK_STR(dns_type_name((uint16_t)spots[i].num, buf, sizeof(buf)), spots[i].name);
	}
}

static void test_type_unknown(void)
{
	char buf[16], want[16];
	unsigned unknown = 0, wrong = 0;

	CHECK_STR(dns_type_name(0, buf, sizeof(buf)), "TYPE0");
	CHECK_STR(dns_type_name(54, buf, sizeof(buf)), "TYPE54");
	CHECK_STR(dns_type_name(69, buf, sizeof(buf)), "TYPE69");
	CHECK_STR(dns_type_name(98, buf, sizeof(buf)), "TYPE98");
	CHECK_STR(dns_type_name(110, buf, sizeof(buf)), "TYPE110");
	CHECK_STR(dns_type_name(127, buf, sizeof(buf)), "TYPE127");
	CHECK_STR(dns_type_name(129, buf, sizeof(buf)), "TYPE129");
	CHECK_STR(dns_type_name(248, buf, sizeof(buf)), "TYPE248");
	CHECK_STR(dns_type_name(265, buf, sizeof(buf)), "TYPE265");
	CHECK_STR(dns_type_name(32767, buf, sizeof(buf)), "TYPE32767");
	CHECK_STR(dns_type_name(32770, buf, sizeof(buf)), "TYPE32770");
	CHECK_STR(dns_type_name(65280, buf, sizeof(buf)), "TYPE65280");
	CHECK_STR(dns_type_name(65535, buf, sizeof(buf)), "TYPE65535");

	/* Every number: registered ones by name, all others TYPE<n>, and
	 * every output parses back to its number. */
	for (unsigned t = 0; t <= 65535; t++) {
		dns_type_name((uint16_t)t, buf, sizeof(buf));
		if (!is_registered(t)) {
			snprintf(want, sizeof(want), "TYPE%u", t);
			if (strcmp(buf, want) != 0)
				unknown++;
		}
		if (dns_type_from_name(buf) != (int)t)
			wrong++;
	}
	CHECK_INT(unknown, 0);
	CHECK_INT(wrong, 0);

	/* The buffer the header promises is enough. */
	char small[12];
	CHECK_STR(dns_type_name(65535, small, sizeof(small)), "TYPE65535");
	CHECK_STR(dns_type_name(51, small, sizeof(small)), "NSEC3PARAM");
	/* Smaller ones truncate and stay terminated. */
	CHECK_STR(dns_type_name(51, small, 5), "NSEC");
	CHECK_STR(dns_type_name(12345, small, 5), "TYPE");
}

static void test_type_from_name(void)
{
	CHECK_INT(dns_type_from_name("TYPE1"), 1);
	CHECK_INT(dns_type_from_name("type65"), 65);
	CHECK_INT(dns_type_from_name("TYPE0"), 0);
	CHECK_INT(dns_type_from_name("TYPE65535"), 65535);
	CHECK_INT(dns_type_from_name("TYPE00065"), 65);
	CHECK_INT(dns_type_from_name("Https"), 65);
	CHECK_INT(dns_type_from_name("nsap-ptr"), 23);
	CHECK_INT(dns_type_from_name("TYPE65536"), -1);
	CHECK_INT(dns_type_from_name("TYPE99999999999999999999"), -1);
	CHECK_INT(dns_type_from_name("TYPE"), -1);
	CHECK_INT(dns_type_from_name("TYPE-1"), -1);
	CHECK_INT(dns_type_from_name("TYPE+1"), -1);
	CHECK_INT(dns_type_from_name("TYPE 1"), -1);
	CHECK_INT(dns_type_from_name("TYPE1x"), -1);
	CHECK_INT(dns_type_from_name("1"), -1);
	CHECK_INT(dns_type_from_name(""), -1);
	CHECK_INT(dns_type_from_name(NULL), -1);
	CHECK_INT(dns_type_from_name("AA"), -1);
	CHECK_INT(dns_type_from_name("AAAAA"), -1);
	CHECK_INT(dns_type_from_name("A "), -1);
	CHECK_INT(dns_type_from_name("NOPE"), -1);
	CHECK_INT(dns_type_from_name("IN"), -1);
}

static void test_classes(void)
{
	char buf[16];

	CHECK_STR(dns_class_name(1, buf, sizeof(buf)), "IN");
	CHECK_STR(dns_class_name(3, buf, sizeof(buf)), "CH");
	CHECK_STR(dns_class_name(4, buf, sizeof(buf)), "HS");
	CHECK_STR(dns_class_name(254, buf, sizeof(buf)), "NONE");
	CHECK_STR(dns_class_name(255, buf, sizeof(buf)), "ANY");
	CHECK_STR(dns_class_name(0, buf, sizeof(buf)), "CLASS0");
	CHECK_STR(dns_class_name(2, buf, sizeof(buf)), "CLASS2");
	CHECK_STR(dns_class_name(5, buf, sizeof(buf)), "CLASS5");
	CHECK_STR(dns_class_name(253, buf, sizeof(buf)), "CLASS253");
	CHECK_STR(dns_class_name(256, buf, sizeof(buf)), "CLASS256");
	CHECK_STR(dns_class_name(1232, buf, sizeof(buf)), "CLASS1232"); /* an OPT's class */
	CHECK_STR(dns_class_name(65535, buf, sizeof(buf)), "CLASS65535");

	char small[12];
	CHECK_STR(dns_class_name(65535, small, sizeof(small)), "CLASS65535");
}

static void test_opcodes(void)
{
	static const char *const want[16] = {
	    "QUERY",	"IQUERY",   "STATUS",	"OPCODE3",  "NOTIFY",	"UPDATE",
	    "DSO",	"OPCODE7",  "OPCODE8",	"OPCODE9",  "OPCODE10", "OPCODE11",
	    "OPCODE12", "OPCODE13", "OPCODE14", "OPCODE15",
	};
	char buf[16];

	for (unsigned i = 0; i < 16; i++)
		CHECK_STR(dns_opcode_name((uint8_t)i, buf, sizeof(buf)), want[i]);
	CHECK_STR(dns_opcode_name(255, buf, sizeof(buf)), "OPCODE255");
}

static void test_rcodes(void)
{
	static const char *const want[] = {
	    "NOERROR", "FORMERR",  "SERVFAIL",	"NXDOMAIN", "NOTIMP",	 "REFUSED", "YXDOMAIN",
	    "YXRRSET", "NXRRSET",  "NOTAUTH",	"NOTZONE",  "DSOTYPENI", "RCODE12", "RCODE13",
	    "RCODE14", "RCODE15",  "BADVERS",	"BADKEY",   "BADTIME",	 "BADMODE", "BADNAME",
	    "BADALG",  "BADTRUNC", "BADCOOKIE", "RCODE24",
	};
	char buf[16];

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR(dns_rcode_name((uint16_t)i, buf, sizeof(buf)), want[i]);
	CHECK_STR(dns_rcode_name(3841, buf, sizeof(buf)), "RCODE3841");
	CHECK_STR(dns_rcode_name(4095, buf, sizeof(buf)), "RCODE4095");
	CHECK_STR(dns_rcode_name(65535, buf, sizeof(buf)), "RCODE65535");
}

int main(void)
{
	test_type_roundtrip();
	test_type_spot_checks();
	test_type_unknown();
	test_type_from_name();
	test_classes();
	test_opcodes();
	test_rcodes();
	return check_report("test_dns_types");
}
