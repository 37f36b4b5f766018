/* fuzz_dns_response.c - libFuzzer target for the response-sections decoder.
 *
 * Decodes the input whole, then prefixes of it as short copies, and checks
 * what must hold for any bytes: every string NUL-terminated inside the
 * response's text space and printable, counts within the header's, record
 * extents inside the bytes given, and a prefix never claiming more than it
 * holds (its answers are the whole decode's first answers, each ending
 * inside the prefix; an exact rcode equals the whole one).  A violation
 * traps; ASan and UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/dns_response.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* s lies in r->text, ends there, and every byte is in [lo, 0x7e]. */
static void check_text(const struct dns_response *r, const char *s, int lo)
{
	REQUIRE(s >= r->text && s < r->text + sizeof(r->text));
	size_t room = (size_t)(r->text + sizeof(r->text) - s);
	const char *nul = memchr(s, '\0', room);

	REQUIRE(nul != NULL);
	for (const char *p = s; p < nul; p++)
		REQUIRE(*p >= lo && *p <= 0x7e);
}

static void check_fixed(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	REQUIRE(nul != NULL);
	for (const char *p = s; p < nul; p++)
		REQUIRE(*p >= 0x20 && *p <= 0x7e);
}

static void check_one(const struct dns_response *r, size_t copied)
{
	REQUIRE((unsigned)r->status <= (unsigned)DNS_ERR_RDATA);
	REQUIRE(r->decoded_len <= copied);
	if (copied < DNS_HEADER_LEN) {
		REQUIRE(r->status == DNS_ERR_TRUNCATED && r->nanswers == 0);
		return;
	}
	/* A walk to the end has seen the whole additional section. */
	if (r->status == DNS_OK && !r->truncated_copy)
		REQUIRE(r->edns_state != DNS_EDNS_UNKNOWN && r->rcode_exact);
	REQUIRE(r->nanswers <= DNS_RESP_MAX_ANSWERS);
	REQUIRE(r->nanswers + r->answers_omitted <= r->header.ancount);
	REQUIRE(r->rdata_bad <= r->nanswers);
	REQUIRE(r->rcode_name[0] != '\0');
	check_fixed(r->rcode_name, sizeof(r->rcode_name));
	check_fixed(r->flags, sizeof(r->flags));
	if (r->has_question)
		check_fixed(r->question.name.text, sizeof(r->question.name.text));
	if (!r->rcode_exact)
		REQUIRE(r->edns_state == DNS_EDNS_UNKNOWN);
	for (unsigned i = 0; i < r->nanswers; i++) {
		const struct dns_answer *a = &r->answers[i];

		check_text(r, a->name, 0x21);
		check_text(r, a->data, 0x20);
		REQUIRE(a->wire_off >= DNS_HEADER_LEN && a->wire_off < a->wire_end);
		REQUIRE(a->wire_end <= r->decoded_len);
		REQUIRE(a->wire_end - a->wire_off >= 11u + a->rdlength);
		if (i)
			REQUIRE(a->wire_off >= r->answers[i - 1].wire_end);
	}
}

/* The decode of a k-byte prefix against the whole decode. */
static void check_prefix(const struct dns_response *p, const struct dns_response *all, size_t k)
{
	REQUIRE(p->nanswers <= all->nanswers);
	for (unsigned i = 0; i < p->nanswers; i++) {
		REQUIRE(p->answers[i].wire_end <= k);
		REQUIRE(p->answers[i].wire_end == all->answers[i].wire_end);
		REQUIRE(strcmp(p->answers[i].name, all->answers[i].name) == 0);
		REQUIRE(strcmp(p->answers[i].data, all->answers[i].data) == 0);
	}
	if (p->status != DNS_OK && k >= DNS_HEADER_LEN)
		REQUIRE(p->status == all->status);
	if (p->rcode_exact && k >= DNS_HEADER_LEN)
		REQUIRE(p->rcode == all->rcode && strcmp(p->rcode_name, all->rcode_name) == 0);
	if (p->edns_state == DNS_EDNS_PRESENT)
		REQUIRE(memcmp(&p->edns, &all->edns, sizeof(p->edns)) == 0);
	if (p->status == DNS_OK && !p->truncated_copy && k >= DNS_HEADER_LEN) {
		/* Everything was inside the prefix: the same answer. */
		REQUIRE(p->nanswers == all->nanswers && p->decoded_len == all->decoded_len);
		REQUIRE(p->answers_omitted == all->answers_omitted);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_response all, part;
	size_t cuts[2];

	dns_response_decode(data, size, size, &all);
	check_one(&all, size);
	REQUIRE(!all.truncated_copy);

	/* Two short copies: one byte short, and a cut the input chooses. */
	cuts[0] = size ? size - 1 : 0;
	cuts[1] = size > 2 ? ((size_t)data[size - 1] << 8 | data[size - 2]) % size : 0;
	for (int i = 0; i < 2; i++) {
		size_t k = cuts[i];
		uint8_t *copy = malloc(k ? k : 1);

		if (!copy)
			return 0;
		memcpy(copy, data, k);
		dns_response_decode(copy, k, size, &part);
		free(copy);
		check_one(&part, k);
		check_prefix(&part, &all, k);
	}
	return 0;
}
