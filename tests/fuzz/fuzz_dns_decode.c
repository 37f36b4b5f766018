/* fuzz_dns_decode.c - libFuzzer target for the DNS wire-format decoder.
 *
 * Decodes the input as a whole message, walks every question on its own and
 * checks what must hold for any input; a violation traps.  ASan and UBSan
 * catch the rest (out-of-bounds reads, overflow).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/dns_decode.h"
#include "wire/dns_types.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void check_status(enum dns_status st)
{
	REQUIRE((unsigned)st <= (unsigned)DNS_ERR_RDATA);
	const char *s = dns_status_str(st);
	REQUIRE(s && *s);
}

static void check_name(const struct dns_name *n)
{
	const char *nul = memchr(n->text, '\0', sizeof(n->text));

	REQUIRE(nul != NULL);
	size_t tl = (size_t)(nul - n->text);

	REQUIRE(tl > 0 && tl < DNS_NAME_TEXT_MAX);
	REQUIRE(n->wire_len >= 1 && n->wire_len <= DNS_WIRE_NAME_MAX);
	REQUIRE(n->labels <= (DNS_WIRE_NAME_MAX - 1) / 2);
	/* Each label is at least 2 wire bytes: length octet and one byte. */
	REQUIRE(n->wire_len >= 2 * (size_t)n->labels + 1);
	/* The root and only the root is "."; no trailing dot otherwise. */
	if (n->labels == 0) {
		REQUIRE(strcmp(n->text, ".") == 0 && n->wire_len == 1);
	} else {
		REQUIRE(n->text[tl - 1] != '.' || (tl >= 2 && n->text[tl - 2] == '\\'));
	}
	/* Presentation text is printable ASCII only. */
	for (size_t i = 0; i < tl; i++)
		REQUIRE(n->text[i] > 0x20 && n->text[i] < 0x7f);
}

static void check_type_names(uint16_t type, uint16_t qclass)
{
	char buf[16];

	dns_type_name(type, buf, sizeof(buf));
	REQUIRE(dns_type_from_name(buf) == type);
	dns_class_name(qclass, buf, sizeof(buf));
	REQUIRE(memchr(buf, '\0', sizeof(buf)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_message m;
	struct dns_question q;
	char buf[16];
	enum dns_status mst;

	mst = dns_decode_message(data, size, &m);
	check_status(mst);
	REQUIRE(m.nanswers <= DNS_MAX_ANSWERS);
	if (size < DNS_HEADER_LEN) {
		REQUIRE(mst == DNS_ERR_TRUNCATED);
		return 0;
	}
	REQUIRE(m.questions_off == DNS_HEADER_LEN);
	REQUIRE(m.answers_off <= size);
	if (mst == DNS_OK)
		REQUIRE(m.answers_off >= DNS_HEADER_LEN + 5 * (size_t)m.header.qdcount);
	if (!m.header.qr)
		REQUIRE(m.nanswers == 0);
	REQUIRE(m.nanswers <= m.header.ancount);

	dns_opcode_name(m.header.opcode, buf, sizeof(buf));
	dns_rcode_name(m.header.rcode, buf, sizeof(buf));

	for (unsigned i = 0; i < m.nanswers; i++) {
		const struct dns_rr *rr = &m.answers[i];

		check_name(&rr->name);
		REQUIRE(rr->rdata_off <= size);
		REQUIRE(rr->rdlength <= size - rr->rdata_off);
		REQUIRE(rr->rdata_off >= m.answers_off);
		if (rr->type == 1)
			REQUIRE(rr->rdlength == 4);
		if (rr->type == 28)
			REQUIRE(rr->rdlength == 16);
		if (rr->type == 5) {
			check_name(&rr->rdata.cname);
			REQUIRE(rr->rdlength >= 1);
		}
		check_type_names(rr->type, rr->rclass);
	}

	/* Walk the questions one by one: the same answer as the message. */
	size_t off = DNS_HEADER_LEN;
	enum dns_status qst = DNS_OK;

	for (unsigned i = 0; i < m.header.qdcount; i++) {
		size_t before = off;

		qst = dns_decode_question(data, size, &off, &q);
		check_status(qst);
		if (qst != DNS_OK) {
			REQUIRE(off == before);
			break;
		}
		REQUIRE(off > before && off <= size);
		/* A name takes at least 1 byte in place; at most 256: up to 254
		 * bytes of labels, then a 2-byte pointer to the root label. */
		REQUIRE(off - before >= 5 && off - before <= DNS_WIRE_NAME_MAX + 1 + 4);
		check_name(&q.name);
		check_type_names(q.qtype, q.qclass);
	}
	if (qst != DNS_OK) {
		REQUIRE(mst == qst);
		REQUIRE(m.answers_off == 0);
	} else {
		REQUIRE(m.answers_off == off);
	}

	/* The decoded message is stable: decoding again gives the same. */
	if (size <= 4096) {
		uint8_t *copy = malloc(size);

		if (copy) {
			static struct dns_message m2;

			memcpy(copy, data, size);
			REQUIRE(dns_decode_message(copy, size, &m2) == mst);
			REQUIRE(m2.nanswers == m.nanswers && m2.answers_off == m.answers_off);
			free(copy);
		}
	}
	return 0;
}
