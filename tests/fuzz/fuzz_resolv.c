/* fuzz_resolv.c - libFuzzer target for resolv_parse() (user/audit/resolv.c),
 * the reader of a process's /etc/resolv.conf: the audit reads every
 * container's own file, which whoever runs the container writes.
 *
 * The input is the file's bytes (fmemopen).  What must hold for any input:
 * 1 to RESOLV_MAX_NS servers, each AF_INET (12 zero bytes after the
 * address, as addr_normalize() leaves it) or AF_INET6; at most
 * RESOLV_MAX_SEARCH search domains, each non-empty, shorter than a line
 * and free of the separators; the report text NUL-terminated in its
 * buffer; and a second parse into the same struct gives the same result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "audit/resolv.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void parse(struct resolv *r, const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");

	if (!f)
		return;
	resolv_parse(r, f);
	fclose(f);
}

static void require_sane(const struct resolv *r)
{
	static const uint8_t zero[12];

	REQUIRE(r->nns >= 1 && r->nns <= RESOLV_MAX_NS);
	for (unsigned i = 0; i < r->nns; i++) {
		REQUIRE(r->ns_family[i] == AF_INET || r->ns_family[i] == AF_INET6);
		REQUIRE(r->ns_family[i] == AF_INET6 || memcmp(r->ns_addr[i] + 4, zero, 12) == 0);
	}
	REQUIRE(r->nsearch <= RESOLV_MAX_SEARCH);
	for (unsigned i = 0; i < r->nsearch; i++) {
		size_t l = strlen(r->search[i]);

		REQUIRE(l > 0 && l < 1023);
		REQUIRE(strcspn(r->search[i], " \t\r\n") == l);
	}
	REQUIRE(memchr(r->text, 0, sizeof(r->text)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct resolv a, b;

	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	memset(&a, 0, sizeof(a));
	parse(&a, data, size);
	require_sane(&a);
	b = a; /* the same struct again: parse frees its search list first */
	parse(&b, data, size);
	require_sane(&b);
	REQUIRE(b.nns == a.nns && b.nsearch == a.nsearch);
	REQUIRE(memcmp(b.ns_addr, a.ns_addr, sizeof(a.ns_addr)) == 0);
	REQUIRE(strcmp(b.text, a.text) == 0);
	resolv_clear_search(&b); /* a's pointers were b's first list, freed */
	return 0;
}
