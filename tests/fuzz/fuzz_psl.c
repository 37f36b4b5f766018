/* fuzz_psl.c - libFuzzer target for the Public Suffix List parser and
 * splitter (output/psl.h).  The input is a list; every line of it, and
 * every suffix of each, is then split against it.  The parts must be what
 * psl.h says: the top-level domain a suffix of the registered domain, that
 * one label more, the subdomain what is left before it.  A violation
 * traps; ASan catches bad reads and leaks. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "output/psl.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void split_one(const struct psl *p, const char *name)
{
	char low[PSL_NAME_MAX + 1];
	struct psl_split s;
	size_t n = strlen(name);

	memset(&s, 0, sizeof(s));
	if (psl_split_name(p, name, &s) != 0)
		return;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	REQUIRE(s.top_level_domain && ends_with(low, s.top_level_domain));
	if (s.subdomain)
		REQUIRE(strncmp(low, s.subdomain, strlen(s.subdomain)) == 0);
	if (!s.registered_domain) {
		REQUIRE(!s.subdomain && strlen(s.top_level_domain) == n);
		return;
	}
	REQUIRE(ends_with(s.registered_domain, s.top_level_domain));
	REQUIRE(strlen(s.registered_domain) > strlen(s.top_level_domain) + 1);
	REQUIRE(ends_with(low, s.registered_domain));
	if (s.subdomain)
		REQUIRE(strlen(s.subdomain) + 1 + strlen(s.registered_domain) == n);
	else
		REQUIRE(strlen(s.registered_domain) == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psl *p = psl_parse((const char *)data, size);
	char line[PSL_NAME_MAX + 1];
	size_t i = 0;

	if (!p)
		return 0;
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t end = nl ? (size_t)(nl - data) : size, n = end - i;

		if (n > PSL_NAME_MAX)
			n = PSL_NAME_MAX;
		memcpy(line, data + i, n);
		line[n] = 0;
		for (char *s = line; s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL)
			split_one(p, s);
		i = end + 1;
	}
	psl_free(p);
	return 0;
}
