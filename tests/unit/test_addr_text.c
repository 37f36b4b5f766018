/* test_addr_text.c - util/addr_text.c writes every address exactly as
 * glibc's inet_ntop() does: structured addresses (zero runs of every length
 * and place, IPv4-mapped and -compatible forms) and random ones. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/addr_text.h"

static int same_as_ntop6(const uint8_t *a)
{
	char want[INET6_ADDRSTRLEN], got[ADDR_TEXT_MAX];
	size_t n = ipv6_text(a, got);

	if (!inet_ntop(AF_INET6, a, want, sizeof(want)))
		return 0;
	if (strcmp(got, want) != 0 || n != strlen(want)) {
		fprintf(stderr, "ipv6_text: got %s, inet_ntop %s\n", got, want);
		return 0;
	}
	return 1;
}

/* Every pattern of zero and non-zero groups, with a few group values. */
static void test_patterns(void)
{
	static const unsigned vals[] = {1, 0xffff, 0xab, 0x1000};
	int bad = 0;

	for (unsigned mask = 0; mask < 256; mask++)
		for (unsigned v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			uint8_t a[16] = {0};

			for (int g = 0; g < 8; g++)
				if (mask & (1u << g)) {
					a[2 * g] = (uint8_t)(vals[v] >> 8);
					a[2 * g + 1] = (uint8_t)vals[v];
				}
			bad += !same_as_ntop6(a);
		}
	CHECK_INT(bad, 0);
}

/* ::a.b.c.d, ::ffff:a.b.c.d and their near misses. */
static void test_ipv4_tails(void)
{
	uint8_t a[16] = {0};

	a[12] = 192, a[13] = 0, a[14] = 2, a[15] = 1;
	CHECK(same_as_ntop6(a));
	a[10] = a[11] = 0xff;
	CHECK(same_as_ntop6(a));
	a[9] = 1;
	CHECK(same_as_ntop6(a));
	memset(a, 0, sizeof(a));
	a[10] = a[11] = 0xff;
	CHECK(same_as_ntop6(a)); /* ::ffff:0.0.0.0 */
}

static void test_random(void)
{
	int bad = 0;

	srand(5952);
	for (int i = 0; i < 100000; i++) {
		uint8_t a[16];

		for (int k = 0; k < 16; k++) /* many zero bytes, so zero runs occur */
			a[k] = rand() % 3 ? 0 : (uint8_t)rand();
		bad += !same_as_ntop6(a);
	}
	CHECK_INT(bad, 0);
}

static void test_ipv4(void)
{
	char want[INET_ADDRSTRLEN], got[16];
	int bad = 0;

	for (int i = 0; i < 20000; i++) {
		uint8_t a[4] = {(uint8_t)rand(), (uint8_t)(rand() % 11), (uint8_t)(rand() % 101),
				(uint8_t)(i % 256)};

		inet_ntop(AF_INET, a, want, sizeof(want));
		bad += ipv4_text(a, got) != strlen(want) || strcmp(got, want) != 0;
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	test_patterns();
	test_ipv4_tails();
	test_random();
	test_ipv4();
	return check_report("addr_text");
}
