/* test_dns_decode.c - the DNS wire-format decoder on hand-built messages. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "wire/dns_decode.h"
#include "dns_build.h"

/* Decode from an exact-size heap copy so ASan catches any read past len. */
static enum dns_status decode_exact(const uint8_t *msg, size_t len, struct dns_message *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum dns_status st;

	if (!copy)
		abort();
	memcpy(copy, msg, len);
	st = dns_decode_message(copy, len, out);
	free(copy);
	return st;
}

static enum dns_status name_exact(const uint8_t *msg, size_t len, size_t *off, struct dns_name *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum dns_status st;

	if (!copy)
		abort();
	memcpy(copy, msg, len);
	st = dns_decode_name(copy, len, off, out);
	free(copy);
	return st;
}

static struct dns_message msg_out; /* 33 KiB: keep it off the stack */

/* ---- header --------------------------------------------------------- */

static void test_header_fields(void)
{
	struct msgbuf m;
	struct dns_header h;
	/* qr, opcode 5, aa tc rd ra z ad cd, rcode 3 */
	unsigned flags =
	    0x8000 | (5 << 11) | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0040 | 0x0020 | 0x0010 | 3;

	header(&m, 0xbeef, flags, 0x0102, 0x0304, 0x0506, 0xfffe);
	CHECK_INT(dns_decode_header(m.b, m.n, &h), DNS_OK);
	CHECK_INT(h.id, 0xbeef);
	CHECK_INT(h.flags, flags);
	CHECK_INT(h.qr, 1);
	CHECK_INT(h.opcode, 5);
	CHECK_INT(h.aa, 1);
	CHECK_INT(h.tc, 1);
	CHECK_INT(h.rd, 1);
	CHECK_INT(h.ra, 1);
	CHECK_INT(h.z, 1);
	CHECK_INT(h.ad, 1);
	CHECK_INT(h.cd, 1);
	CHECK_INT(h.rcode, 3);
	CHECK_INT(h.qdcount, 0x0102);
	CHECK_INT(h.ancount, 0x0304);
	CHECK_INT(h.nscount, 0x0506);
	CHECK_INT(h.arcount, 0xfffe);

	/* Each bit on its own lands in its own field only. */
	static const struct {
		unsigned flags;
		int qr, aa, tc, rd, ra, z, ad, cd;
	} bits[] = {
	    {0x8000, 1, 0, 0, 0, 0, 0, 0, 0}, {0x0400, 0, 1, 0, 0, 0, 0, 0, 0},
	    {0x0200, 0, 0, 1, 0, 0, 0, 0, 0}, {0x0100, 0, 0, 0, 1, 0, 0, 0, 0},
	    {0x0080, 0, 0, 0, 0, 1, 0, 0, 0}, {0x0040, 0, 0, 0, 0, 0, 1, 0, 0},
	    {0x0020, 0, 0, 0, 0, 0, 0, 1, 0}, {0x0010, 0, 0, 0, 0, 0, 0, 0, 1},
	};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		header(&m, 1, bits[i].flags, 0, 0, 0, 0);
		CHECK_INT(dns_decode_header(m.b, m.n, &h), DNS_OK);
		CHECK_INT(h.qr, bits[i].qr);
		CHECK_INT(h.aa, bits[i].aa);
		CHECK_INT(h.tc, bits[i].tc);
		CHECK_INT(h.rd, bits[i].rd);
		CHECK_INT(h.ra, bits[i].ra);
		CHECK_INT(h.z, bits[i].z);
		CHECK_INT(h.ad, bits[i].ad);
		CHECK_INT(h.cd, bits[i].cd);
		CHECK_INT(h.opcode, 0);
		CHECK_INT(h.rcode, 0);
	}

	/* opcode and rcode use all four of their bits. */
	header(&m, 1, (0xf << 11) | 0xf, 0, 0, 0, 0);
	CHECK_INT(dns_decode_header(m.b, m.n, &h), DNS_OK);
	CHECK_INT(h.opcode, 15);
	CHECK_INT(h.rcode, 15);
	CHECK_INT(h.qr, 0);
	CHECK_INT(h.cd, 0);
}

static void test_header_truncated(void)
{
	struct msgbuf m;
	struct dns_header h;

	header(&m, 0x1234, 0x0100, 0, 0, 0, 0);
	for (size_t len = 0; len < DNS_HEADER_LEN; len++) {
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, m.b, len);
		CHECK_INT(dns_decode_header(copy, len, &h), DNS_ERR_TRUNCATED);
		CHECK_INT(dns_decode_message(copy, len, &msg_out), DNS_ERR_TRUNCATED);
		free(copy);
	}
	CHECK_INT(decode_exact(m.b, DNS_HEADER_LEN, &msg_out), DNS_OK);
	CHECK_INT(msg_out.questions_off, DNS_HEADER_LEN);
	CHECK_INT(msg_out.answers_off, DNS_HEADER_LEN);
}

/* ---- questions ------------------------------------------------------ */

static void test_multiple_questions(void)
{
	struct msgbuf m;
	struct dns_question q;
	size_t off = DNS_HEADER_LEN;

	header(&m, 7, 0x0100, 3, 0, 0, 0);
	putname(&m, "example.com");
	put16(&m, 1);
	put16(&m, 1);
	size_t q2 = m.n;
	putlabels(&m, "www");
	putptr(&m, DNS_HEADER_LEN);
	put16(&m, 28);
	put16(&m, 1);
	size_t q3 = m.n;
	putname(&m, "mail.example.org");
	put16(&m, 65);
	put16(&m, 3);
	size_t end = m.n;

	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_OK);
	CHECK_STR(q.name.text, "example.com");
	CHECK_INT(q.qtype, 1);
	CHECK_INT(q.qclass, 1);
	CHECK_INT(q.name.wire_len, 13);
	CHECK_INT(q.name.labels, 2);
	CHECK_INT(off, q2);

	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_OK);
	CHECK_STR(q.name.text, "www.example.com");
	CHECK_INT(q.qtype, 28);
	CHECK_INT(q.qclass, 1);
	CHECK_INT(q.name.wire_len, 17);
	CHECK_INT(q.name.labels, 3);
	CHECK_INT(off, q3);

	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_OK);
	CHECK_STR(q.name.text, "mail.example.org");
	CHECK_INT(q.qtype, 65);
	CHECK_INT(q.qclass, 3);
	CHECK_INT(off, end);

	/* Nothing left: a fourth question is truncated and off does not move. */
	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_ERR_TRUNCATED);
	CHECK_INT(off, end);

	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_INT(msg_out.questions_off, DNS_HEADER_LEN);
	CHECK_INT(msg_out.answers_off, end);
	CHECK_INT(msg_out.nanswers, 0);

	/* qdcount larger than what is there. */
	m.b[5] = 4;
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_TRUNCATED);
	CHECK_INT(msg_out.answers_off, 0);
}

static void test_question_truncated_fixed(void)
{
	struct msgbuf m;
	struct dns_question q;

	header(&m, 7, 0x0100, 1, 0, 0, 0);
	putname(&m, "a.b");
	put16(&m, 1);
	put16(&m, 1);
	for (size_t cut = 1; cut <= 4; cut++) {
		size_t off = DNS_HEADER_LEN;
		uint8_t *copy = malloc(m.n - cut);

		memcpy(copy, m.b, m.n - cut);
		CHECK_INT(dns_decode_question(copy, m.n - cut, &off, &q), DNS_ERR_TRUNCATED);
		CHECK_INT(off, DNS_HEADER_LEN);
		free(copy);
	}
}

/* ---- compression pointers ------------------------------------------- */

static void test_pointer_backwards(void)
{
	struct msgbuf m;
	struct dns_name n;

	header(&m, 1, 0, 1, 0, 0, 0);
	putname(&m, "example.com"); /* 12 */
	size_t p1 = m.n;
	putlabels(&m, "www"); /* www -> example.com */
	putptr(&m, DNS_HEADER_LEN);
	size_t p2 = m.n;
	putlabels(&m, "a.b"); /* a.b -> www.example.com (two hops) */
	putptr(&m, (unsigned)p1);
	size_t p3 = m.n;
	putptr(&m, (unsigned)p2); /* bare pointer */
	size_t p4 = m.n;
	putptr(&m, DNS_HEADER_LEN + 8); /* into the middle of example.com: "com" */
	size_t end = m.n;

	size_t off = p1;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, "www.example.com");
	CHECK_INT(off, p2);
	CHECK_INT(n.wire_len, 17);
	CHECK_INT(n.labels, 3);

	off = p2;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, "a.b.www.example.com");
	CHECK_INT(off, p3);
	CHECK_INT(n.wire_len, 21);
	CHECK_INT(n.labels, 5);

	off = p3;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, "a.b.www.example.com");
	CHECK_INT(off, p3 + 2); /* a pointer counts 2 bytes */

	off = p4;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, "com");
	CHECK_INT(off, end);
	CHECK_INT(n.wire_len, 5);
}

static void test_pointer_forward_and_self(void)
{
	struct msgbuf m;
	struct dns_name n;
	size_t off;

	/* Forward: the question's name points at a name after it. */
	header(&m, 1, 0, 1, 0, 0, 0);
	putptr(&m, 20);
	put16(&m, 1);
	put16(&m, 1);
	while (m.n < 20)
		put8(&m, 0);
	putname(&m, "example.com");
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);
	CHECK_INT(off, DNS_HEADER_LEN);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_BAD_POINTER);

	/* Self: a pointer to itself. */
	header(&m, 1, 0, 1, 0, 0, 0);
	putptr(&m, DNS_HEADER_LEN);
	put16(&m, 1);
	put16(&m, 1);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_BAD_POINTER);

	/* Into its own label sequence: "www" then a pointer back to "www". */
	header(&m, 1, 0, 1, 0, 0, 0);
	putlabels(&m, "www");
	putptr(&m, DNS_HEADER_LEN);
	put16(&m, 1);
	put16(&m, 1);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);

	/* ... and to a byte inside its own sequence. */
	header(&m, 1, 0, 1, 0, 0, 0);
	putlabels(&m, "www");
	putptr(&m, DNS_HEADER_LEN + 2);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);

	/* After a hop, the target sequence's own start is the new bound: the
	 * name at 12 is fine, but a pointer after it back to 12 from the
	 * sequence reached at 12 is a loop. */
	header(&m, 1, 0, 0, 0, 0, 0);
	putlabels(&m, "a"); /* 12: "a" then pointer to 12 */
	putptr(&m, DNS_HEADER_LEN);
	size_t p = m.n;
	putlabels(&m, "b");
	putptr(&m, DNS_HEADER_LEN);
	off = p;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);

	/* Pointer with its second byte missing. */
	header(&m, 1, 0, 1, 0, 0, 0);
	put8(&m, 0xc0);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_TRUNCATED);
}

static void test_pointer_ring(void)
{
	struct msgbuf m;
	struct dns_name n;
	size_t off;

	/* The classic two-pointer ring: 12 -> 14 -> 12. */
	header(&m, 1, 0, 1, 0, 0, 0);
	putptr(&m, 14);
	putptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	off = 12;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);
	off = 14;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_BAD_POINTER);

	/* A ring through labels: 12: "x" -> 16, 16: "y" -> 12. */
	header(&m, 1, 0, 1, 0, 0, 0);
	putlabels(&m, "x");
	putptr(&m, 16);
	putlabels(&m, "y");
	putptr(&m, 12);
	off = 16;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_BAD_POINTER);

	/* A long chain of strictly backward bare pointers, each to the one
	 * before: legal hop by hop, but bounded in number. */
	header(&m, 1, 0, 0, 0, 0, 0);
	put8(&m, 0); /* 12: root */
	for (unsigned i = 0; i < 300; i++)
		putptr(&m, (unsigned)m.n - (i ? 2 : 1));
	size_t last = m.n - 2;
	off = last;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_POINTER_LOOP);
	/* 128 hops (to the root through 127 pointers) is allowed. */
	off = DNS_HEADER_LEN + 1 + 2 * 127;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, ".");
	off = DNS_HEADER_LEN + 1 + 2 * 128;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_POINTER_LOOP);

	/* And cheap: a message full of rings and over-long chains decodes
	 * (to an error) fast.  The bound is loose enough for sanitizers. */
	clock_t t0 = clock();
	for (unsigned i = 0; i < 20000; i++) {
		off = last;
		dns_decode_name(m.b, m.n, &off, &n);
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 5.0);
}

/* ---- name length and label types ------------------------------------ */

static void put_label_of(struct msgbuf *m, unsigned len, char c)
{
	put8(m, len);
	for (unsigned i = 0; i < len; i++)
		put8(m, (unsigned char)c);
}

static void test_name_255(void)
{
	struct msgbuf m;
	struct dns_name n;
	size_t off;
	char want[300];

	/* 3 * (1 + 63) + (1 + 61) + 1 = 255 */
	header(&m, 1, 0, 1, 0, 0, 0);
	put_label_of(&m, 63, 'a');
	put_label_of(&m, 63, 'b');
	put_label_of(&m, 63, 'c');
	put_label_of(&m, 61, 'd');
	put8(&m, 0);
	CHECK_INT(m.n - DNS_HEADER_LEN, 255);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(n.wire_len, 255);
	CHECK_INT(n.labels, 4);
	CHECK_INT(off, m.n);
	memset(want, 0, sizeof(want));
	memset(want, 'a', 63);
	want[63] = '.';
	memset(want + 64, 'b', 63);
	want[127] = '.';
	memset(want + 128, 'c', 63);
	want[191] = '.';
	memset(want + 192, 'd', 61);
	CHECK_STR(n.text, want);

	/* 256: the last label one longer. */
	header(&m, 1, 0, 1, 0, 0, 0);
	put_label_of(&m, 63, 'a');
	put_label_of(&m, 63, 'b');
	put_label_of(&m, 63, 'c');
	put_label_of(&m, 62, 'd');
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_NAME_TOO_LONG);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_NAME_TOO_LONG);

	/* Too long only once pointers are followed: 129 + 128 = 257. */
	header(&m, 1, 0, 0, 0, 0, 0);
	put_label_of(&m, 63, 'a');
	put_label_of(&m, 63, 'b');
	put8(&m, 0);
	size_t p = m.n;
	put_label_of(&m, 63, 'c');
	put_label_of(&m, 63, 'd');
	putptr(&m, DNS_HEADER_LEN);
	off = p;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_NAME_TOO_LONG);
	/* ... while 129 + 126 = 255 through a pointer is fine. */
	header(&m, 1, 0, 0, 0, 0, 0);
	put_label_of(&m, 63, 'a');
	put_label_of(&m, 63, 'b');
	put8(&m, 0);
	p = m.n;
	put_label_of(&m, 63, 'c');
	put_label_of(&m, 61, 'd');
	putptr(&m, DNS_HEADER_LEN);
	off = p;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(n.wire_len, 255);
	CHECK_INT(n.labels, 4);
	CHECK_INT(off, m.n);

	/* 254 bytes of labels in place, then a pointer to a root label: 255
	 * wire bytes, but 256 bytes in place (found by the fuzzer). */
	header(&m, 1, 0, 0, 0, 0, 0);
	size_t root = m.n;
	put8(&m, 0);
	p = m.n;
	put_label_of(&m, 63, 'a');
	put_label_of(&m, 63, 'b');
	put_label_of(&m, 63, 'c');
	put_label_of(&m, 61, 'd');
	putptr(&m, (unsigned)root);
	off = p;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(n.wire_len, 255);
	CHECK_INT(off - p, 256);
}

static void test_127_labels(void)
{
	struct msgbuf m;
	struct dns_name n;
	size_t off;
	char want[300];

	header(&m, 1, 0, 1, 0, 0, 0);
	for (unsigned i = 0; i < 127; i++)
		put_label_of(&m, 1, (char)('a' + i % 26));
	put8(&m, 0);
	put16(&m, 12);
	put16(&m, 1);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(n.labels, 127);
	CHECK_INT(n.wire_len, 255);
	for (unsigned i = 0; i < 127; i++) {
		want[2 * i] = (char)('a' + i % 26);
		want[2 * i + 1] = '.';
	}
	want[2 * 127 - 1] = '\0';
	CHECK_STR(n.text, want);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);

	/* 128 one-char labels are 257 bytes. */
	header(&m, 1, 0, 1, 0, 0, 0);
	for (unsigned i = 0; i < 128; i++)
		put_label_of(&m, 1, 'a');
	put8(&m, 0);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_NAME_TOO_LONG);

	/* 127 labels, each but the last reached through its own pointer. */
	header(&m, 1, 0, 0, 0, 0, 0);
	size_t prev = m.n;
	put_label_of(&m, 1, 'z');
	put8(&m, 0);
	for (unsigned i = 1; i < 127; i++) {
		size_t here = m.n;

		put_label_of(&m, 1, 'z');
		putptr(&m, (unsigned)prev);
		prev = here;
	}
	off = prev;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(n.labels, 127);
	CHECK_INT(n.wire_len, 255);
	CHECK_INT(off, m.n);
}

static void test_label_types(void)
{
	static const uint8_t kinds[] = {0x40, 0x41, 0x7f, 0x80, 0x81, 0xbf};
	struct msgbuf m;
	struct dns_name n;
	size_t off;

	for (size_t i = 0; i < sizeof(kinds); i++) {
		header(&m, 1, 0, 1, 0, 0, 0);
		put8(&m, kinds[i]);
		put8(&m, 0);
		put8(&m, 0);
		put16(&m, 1);
		put16(&m, 1);
		off = DNS_HEADER_LEN;
		CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_LABEL_TYPE);
		CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_LABEL_TYPE);

		/* After a good label too. */
		header(&m, 1, 0, 1, 0, 0, 0);
		putlabels(&m, "www");
		put8(&m, kinds[i]);
		put8(&m, 0);
		off = DNS_HEADER_LEN;
		CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_LABEL_TYPE);

		/* ... and at a pointer's target. */
		header(&m, 1, 0, 1, 0, 0, 0);
		put8(&m, kinds[i]);
		put8(&m, 0);
		size_t p = m.n;
		putptr(&m, DNS_HEADER_LEN);
		off = p;
		CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_LABEL_TYPE);
	}
}

/* ---- truncation ----------------------------------------------------- */

static void test_truncated_every_offset(void)
{
	struct msgbuf m;

	/* A plain query: every strict prefix is truncated. */
	header(&m, 0xabcd, 0x0120, 1, 0, 0, 0);
	putname(&m, "www.example.com");
	put16(&m, 1);
	put16(&m, 1);
	for (size_t len = 0; len < m.n; len++)
		CHECK_INT(decode_exact(m.b, len, &msg_out), DNS_ERR_TRUNCATED);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);

	/* The same query with an EDNS OPT: it ends with the question. */
	size_t qend = m.n;
	m.b[11] = 1;
	put8(&m, 0);
	put16(&m, 41);
	put16(&m, 1232);
	put32(&m, 0x00008000);
	put16(&m, 12);
	put16(&m, 10); /* COOKIE */
	put16(&m, 8);
	putraw(&m, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	for (size_t len = 0; len <= m.n; len++) {
		enum dns_status st = decode_exact(m.b, len, &msg_out);

		CHECK_INT(st, len < qend ? DNS_ERR_TRUNCATED : DNS_OK);
	}

	/* A response with compressed names and answers: prefixes never crash
	 * and are all truncated; the whole is fine. */
	header(&m, 0xabcd, 0x8180, 2, 3, 0, 0);
	putname(&m, "www.example.com");
	put16(&m, 1);
	put16(&m, 1);
	putlabels(&m, "mail");
	putptr(&m, 16);
	put16(&m, 28);
	put16(&m, 1);
	putptr(&m, 12);
	put16(&m, 5);
	put16(&m, 1);
	put32(&m, 300);
	put16(&m, 6);
	putlabels(&m, "web");
	putptr(&m, 16);
	putptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	put32(&m, 60);
	put16(&m, 4);
	putraw(&m, "\x0a\x00\x00\x01", 4);
	putptr(&m, 12);
	put16(&m, 28);
	put16(&m, 1);
	put32(&m, 60);
	put16(&m, 16);
	putraw(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	for (size_t len = 0; len < m.n; len++)
		CHECK_INT(decode_exact(m.b, len, &msg_out), DNS_ERR_TRUNCATED);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_INT(msg_out.nanswers, 3);

	/* The question decoder on every prefix, at every start offset. */
	unsigned bad = 0;
	for (size_t len = 0; len <= m.n; len++) {
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, m.b, len);
		for (size_t start = 0; start <= len + 1; start++) {
			struct dns_question q;
			size_t off = start;
			enum dns_status st = dns_decode_question(copy, len, &off, &q);

			if (st == DNS_OK &&
			    (off > len || off <= start || strlen(q.name.text) >= DNS_NAME_TEXT_MAX))
				bad++;
			if (st != DNS_OK && off != start)
				bad++;
		}
		free(copy);
	}
	CHECK_INT(bad, 0);
}

/* ---- presentation format -------------------------------------------- */

static void test_escaping(void)
{
	struct msgbuf m;
	struct dns_name n;
	size_t off;
	static const uint8_t label1[] = {'a',  '.',  'b',  '\\', '"',  ' ',  0x00, 0x7f,
					 0xff, '\n', 0x1b, 0x20, 0x21, 0x7e, 0x80, 0x09};
	static const char lit[] = ",=;()$@'`{}|~!#%&*+/:<>?[]^_-";

	header(&m, 1, 0, 1, 0, 0, 0);
	put8(&m, sizeof(label1));
	putraw(&m, label1, sizeof(label1));
	put8(&m, sizeof(lit) - 1);
	putraw(&m, lit, sizeof(lit) - 1);
	put8(&m, 0);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, "a\\.b\\\\\\\"\\032\\000\\127\\255\\010\\027\\032!~\\128\\009."
			  ",=;()$@'`{}|~!#%&*+/:<>?[]^_-");
	CHECK_INT(n.labels, 2);
	CHECK_INT(n.wire_len, 1 + sizeof(label1) + 1 + sizeof(lit) - 1 + 1);

	/* A label that is just a dot is not the same as two labels. */
	header(&m, 1, 0, 1, 0, 0, 0);
	putraw(&m, "\x01.\x01.\x00", 5);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, "\\..\\.");

	/* Worst case: 63-byte labels of 0xff, every byte \DDD. */
	header(&m, 1, 0, 1, 0, 0, 0);
	put_label_of(&m, 63, (char)0xff);
	put_label_of(&m, 63, (char)0xff);
	put_label_of(&m, 63, (char)0xff);
	put_label_of(&m, 61, (char)0xff);
	put8(&m, 0);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(strlen(n.text), 4 * 250 + 3);
	CHECK(strlen(n.text) < DNS_NAME_TEXT_MAX);
	CHECK(strncmp(n.text, "\\255\\255", 8) == 0);

	/* 127 one-byte labels of 0x00. */
	header(&m, 1, 0, 1, 0, 0, 0);
	for (unsigned i = 0; i < 127; i++)
		put_label_of(&m, 1, 0);
	put8(&m, 0);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_INT(strlen(n.text), 127 * 4 + 126);
}

/* Every byte value, first in its label and after a plain byte, against
 * RFC 1035 5.1 as written: \DDD outside 0x21..0x7e, a backslash before
 * '.', '\\' and '"', else the byte itself. */
static void model_byte(char *out, uint8_t c)
{
	if (c < 0x21 || c > 0x7e)
		snprintf(out, 8, "\\%03u", c);
	else if (c == '.' || c == '\\' || c == '"')
		snprintf(out, 8, "\\%c", c);
	else
		snprintf(out, 8, "%c", c);
}

static void test_every_byte(void)
{
	struct msgbuf m;
	struct dns_name n;
	char one[8], want[32];
	size_t off;

	for (unsigned c = 0; c < 256; c++) {
		model_byte(one, (uint8_t)c);
		header(&m, 1, 0, 1, 0, 0, 0);
		put8(&m, 3);
		put8(&m, c);
		put8(&m, 'x');
		put8(&m, c);
		put8(&m, 0);
		off = DNS_HEADER_LEN;
		CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
		snprintf(want, sizeof(want), "%sx%s", one, one);
		CHECK_STR(n.text, want);
	}
}

static void test_root_and_case(void)
{
	struct msgbuf m;
	struct dns_name n;
	struct dns_question q;
	size_t off;

	header(&m, 1, 0, 1, 0, 0, 0);
	put8(&m, 0);
	put16(&m, 2);
	put16(&m, 1);
	off = DNS_HEADER_LEN;
	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_OK);
	CHECK_STR(q.name.text, ".");
	CHECK_INT(q.name.wire_len, 1);
	CHECK_INT(q.name.labels, 0);
	CHECK_INT(q.qtype, 2);
	CHECK_INT(off, m.n);

	/* Root through a pointer. */
	size_t p = m.n;
	putptr(&m, DNS_HEADER_LEN);
	off = p;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_OK);
	CHECK_STR(n.text, ".");
	CHECK_INT(n.wire_len, 1);

	/* 0x20 randomisation survives, through compression too. */
	header(&m, 1, 0, 2, 0, 0, 0);
	putname(&m, "wWw.ExAmPle.CoM");
	put16(&m, 1);
	put16(&m, 1);
	putlabels(&m, "MaIl");
	putptr(&m, DNS_HEADER_LEN + 4);
	put16(&m, 1);
	put16(&m, 1);
	off = DNS_HEADER_LEN;
	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_OK);
	CHECK_STR(q.name.text, "wWw.ExAmPle.CoM");
	CHECK_INT(dns_decode_question(m.b, m.n, &off, &q), DNS_OK);
	CHECK_STR(q.name.text, "MaIl.ExAmPle.CoM");
	CHECK_INT(off, m.n);
}

/* ---- resource records ------------------------------------------------ */

static void test_answers(void)
{
	struct msgbuf m;
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	header(&m, 0x4242, 0x8180, 1, 4, 0, 1);
	putname(&m, "www.example.com"); /* 12 */
	put16(&m, 1);
	put16(&m, 1);
	size_t an1 = m.n;
	putptr(&m, 12); /* www.example.com CNAME web.example.com */
	put16(&m, 5);
	put16(&m, 1);
	put32(&m, 3600);
	put16(&m, 6);
	size_t cname_rdata = m.n;
	putlabels(&m, "web");
	putptr(&m, 16);			   /* "example.com" inside the question */
	putptr(&m, (unsigned)cname_rdata); /* web.example.com A */
	put16(&m, 1);
	put16(&m, 1);
	put32(&m, 0xffffffffu);
	put16(&m, 4);
	size_t a_rdata = m.n;
	putraw(&m, "\x5d\xb8\xd8\x22", 4);
	putptr(&m, (unsigned)cname_rdata); /* web.example.com AAAA */
	put16(&m, 28);
	put16(&m, 1);
	put32(&m, 60);
	put16(&m, 16);
	putraw(&m, v6, 16);
	putptr(&m, 12); /* an MX: not decoded, but walked */
	put16(&m, 15);
	put16(&m, 1);
	put32(&m, 60);
	put16(&m, 4);
	put16(&m, 10);
	putptr(&m, 12);
	put8(&m, 0); /* OPT in the additional section */
	put16(&m, 41);
	put16(&m, 1232);
	put32(&m, 0);
	put16(&m, 0);

	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_INT(msg_out.header.qr, 1);
	CHECK_INT(msg_out.header.rcode, 0);
	CHECK_INT(msg_out.answers_off, an1);
	CHECK_INT(msg_out.nanswers, 4);

	const struct dns_rr *rr = &msg_out.answers[0];
	CHECK_STR(rr->name.text, "www.example.com");
	CHECK_INT(rr->type, 5);
	CHECK_INT(rr->rclass, 1);
	CHECK_INT(rr->ttl, 3600);
	CHECK_INT(rr->rdlength, 6);
	CHECK_INT(rr->rdata_off, cname_rdata);
	CHECK_STR(rr->rdata.cname.text, "web.example.com");
	CHECK_INT(rr->rdata.cname.wire_len, 17);
	CHECK_INT(rr->rdata.cname.labels, 3);

	rr = &msg_out.answers[1];
	CHECK_STR(rr->name.text, "web.example.com");
	CHECK_INT(rr->type, 1);
	CHECK_INT(rr->ttl, 0xffffffffu);
	CHECK_INT(rr->rdlength, 4);
	CHECK_INT(rr->rdata_off, a_rdata);
	CHECK(memcmp(rr->rdata.a, "\x5d\xb8\xd8\x22", 4) == 0);

	rr = &msg_out.answers[2];
	CHECK_STR(rr->name.text, "web.example.com");
	CHECK_INT(rr->type, 28);
	CHECK_INT(rr->rdlength, 16);
	CHECK(memcmp(rr->rdata.aaaa, v6, 16) == 0);

	rr = &msg_out.answers[3];
	CHECK_STR(rr->name.text, "www.example.com");
	CHECK_INT(rr->type, 15);
	CHECK_INT(rr->rdlength, 4);

	/* dns_decode_rr on its own moves past the rdata. */
	struct dns_rr one;
	size_t off = an1;
	CHECK_INT(dns_decode_rr(m.b, m.n, &off, &one), DNS_OK);
	CHECK_INT(off, cname_rdata + 6);

	/* A query with the same sections: only the header and question. */
	m.b[2] &= 0x7f;
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_INT(msg_out.nanswers, 0);
	CHECK_INT(msg_out.answers_off, an1);
}

static void rr_msg(struct msgbuf *m, unsigned type, unsigned rdlength, const void *rdata,
		   size_t rdata_bytes)
{
	header(m, 1, 0x8180, 1, 1, 0, 0);
	putname(m, "host.example");
	put16(m, type);
	put16(m, 1);
	putptr(m, 12);
	put16(m, type);
	put16(m, 1);
	put32(m, 5);
	put16(m, rdlength);
	putraw(m, rdata, rdata_bytes);
}

static void test_bad_rdata(void)
{
	struct msgbuf m;
	static const uint8_t zeros[32];

	/* A must be 4 bytes. */
	for (unsigned l = 0; l < 20; l++) {
		if (l == 4)
			continue;
		rr_msg(&m, 1, l, zeros, l);
		CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_RDATA);
		CHECK_INT(msg_out.nanswers, 0);
	}
	rr_msg(&m, 1, 4, zeros, 4);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);

	/* AAAA must be 16. */
	for (unsigned l = 0; l < 32; l++) {
		if (l == 16)
			continue;
		rr_msg(&m, 28, l, zeros, l);
		CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_RDATA);
	}

	/* rdata claimed past the end of the capture. */
	rr_msg(&m, 1, 4, zeros, 3);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_TRUNCATED);
	rr_msg(&m, 16, 200, zeros, 10);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_TRUNCATED);

	/* A CNAME whose name runs past its rdata. */
	rr_msg(&m, 5, 3, "\x03www\xc0\x0c", 6);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_RDATA);
	rr_msg(&m, 5, 0, "", 0);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_RDATA);
	/* ... ending exactly at the end, and before it (trailing rdata bytes). */
	rr_msg(&m, 5, 6, "\x03www\xc0\x0c", 6);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_STR(msg_out.answers[0].rdata.cname.text, "www.host.example");
	rr_msg(&m, 5, 8, "\x03www\xc0\x0c\xff\xff", 8);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	/* A CNAME with a bad pointer or label type. */
	rr_msg(&m, 5, 2, "\xc0\x40", 2);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_BAD_POINTER);
	rr_msg(&m, 5, 2, "\x40\x00", 2);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_LABEL_TYPE);

	/* Fixed fields cut short. */
	rr_msg(&m, 1, 4, zeros, 4);
	for (size_t cut = 1; cut <= 14; cut++)
		CHECK_INT(decode_exact(m.b, m.n - cut, &msg_out), DNS_ERR_TRUNCATED);
}

static void test_many_answers(void)
{
	struct msgbuf m;

	header(&m, 1, 0x8180, 1, 20, 0, 0);
	putname(&m, "x.example");
	put16(&m, 1);
	put16(&m, 1);
	for (unsigned i = 0; i < 20; i++) {
		putptr(&m, 12);
		put16(&m, 1);
		put16(&m, 1);
		put32(&m, i);
		put16(&m, 4);
		put32(&m, 0x0a000000u + i);
	}
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_INT(msg_out.nanswers, DNS_MAX_ANSWERS);
	CHECK_INT(msg_out.answers[15].ttl, 15);
	CHECK_INT(msg_out.answers[15].rdata.a[3], 15);

	/* The records past DNS_MAX_ANSWERS are still walked. */
	CHECK_INT(decode_exact(m.b, m.n - 1, &msg_out), DNS_ERR_TRUNCATED);
	CHECK_INT(msg_out.nanswers, DNS_MAX_ANSWERS);
	m.b[7] = 21;
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_TRUNCATED);
	m.b[7] = 20;
	m.b[m.n - 16] = 0xc1; /* last answer's name: forward pointer (352) */
	m.b[m.n - 15] = 0x60;
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_ERR_BAD_POINTER);
}

static void test_trailing_garbage(void)
{
	struct msgbuf m;

	header(&m, 9, 0x0100, 1, 0, 0, 0);
	putname(&m, "example.net");
	put16(&m, 16);
	put16(&m, 1);
	for (unsigned i = 0; i < 64; i++)
		put8(&m, 0xc0 | i);
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);

	header(&m, 9, 0x8180, 1, 1, 0, 0);
	putname(&m, "example.net");
	put16(&m, 1);
	put16(&m, 1);
	putptr(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	put32(&m, 1);
	put16(&m, 4);
	put32(&m, 0x7f000001);
	for (unsigned i = 0; i < 40; i++)
		put8(&m, 0); /* dnspad */
	CHECK_INT(decode_exact(m.b, m.n, &msg_out), DNS_OK);
	CHECK_INT(msg_out.nanswers, 1);
	CHECK_INT(msg_out.answers[0].rdata.a[3], 1);
}

static void test_name_offsets(void)
{
	struct msgbuf m;
	struct dns_name n;
	size_t off;

	header(&m, 1, 0, 0, 0, 0, 0);
	putname(&m, "a.b");
	/* off past len and at len. */
	off = m.n;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_TRUNCATED);
	CHECK_INT(off, m.n);
	off = m.n + 100;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_TRUNCATED);
	/* A label whose bytes are cut. */
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, DNS_HEADER_LEN + 1, &off, &n), DNS_ERR_TRUNCATED);
	CHECK_INT(name_exact(m.b, DNS_HEADER_LEN + 2, &off, &n), DNS_ERR_TRUNCATED);
	CHECK_INT(name_exact(m.b, DNS_HEADER_LEN + 4, &off, &n), DNS_ERR_TRUNCATED);
	CHECK_INT(off, DNS_HEADER_LEN);
	CHECK_INT(name_exact(m.b, DNS_HEADER_LEN + 5, &off, &n), DNS_OK);
	CHECK_INT(off, DNS_HEADER_LEN + 5);
	CHECK_STR(n.text, "a.b");

	/* A failed decode leaves an empty name, not a partial one. */
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, DNS_HEADER_LEN + 4, &off, &n), DNS_ERR_TRUNCATED);
	CHECK_STR(n.text, "");
	CHECK_INT(n.wire_len, 0);
	CHECK_INT(n.labels, 0);
	header(&m, 1, 0, 0, 0, 0, 0);
	putlabels(&m, "www.example");
	put8(&m, 0x40);
	off = DNS_HEADER_LEN;
	CHECK_INT(name_exact(m.b, m.n, &off, &n), DNS_ERR_LABEL_TYPE);
	CHECK_STR(n.text, "");
}

static void test_status_str(void)
{
	CHECK_STR(dns_status_str(DNS_OK), "ok");
	CHECK_STR(dns_status_str(DNS_ERR_TRUNCATED), "truncated");
	CHECK_STR(dns_status_str(DNS_ERR_LABEL_TYPE), "bad label type");
	CHECK_STR(dns_status_str(DNS_ERR_NAME_TOO_LONG), "name too long");
	CHECK_STR(dns_status_str(DNS_ERR_BAD_POINTER), "bad compression pointer");
	CHECK_STR(dns_status_str(DNS_ERR_POINTER_LOOP), "compression pointer loop");
	CHECK_STR(dns_status_str(DNS_ERR_RDATA), "bad rdata");
	CHECK_STR(dns_status_str((enum dns_status)99), "unknown error");
}

int main(void)
{
	test_header_fields();
	test_header_truncated();
	test_multiple_questions();
	test_question_truncated_fixed();
	test_pointer_backwards();
	test_pointer_forward_and_self();
	test_pointer_ring();
	test_name_255();
	test_127_labels();
	test_label_types();
	test_truncated_every_offset();
	test_escaping();
	test_every_byte();
	test_root_and_case();
	test_answers();
	test_bad_rdata();
	test_many_answers();
	test_trailing_garbage();
	test_name_offsets();
	test_status_str();
	return check_report("test_dns_decode");
}
