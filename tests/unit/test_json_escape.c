/* test_json_escape.c - json_escape() and json_escape_file(): the escaping
 * rules, and that the file writer's chunks never change the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/json_escape.h"

/* json_escape() of s as a C string (static buffer). */
static const char *esc(const char *s, size_t n, int trunc)
{
	static char out[256];

	*json_escape(out, s, n, trunc) = 0;
	return out;
}

/* json_escape_file() of s as a malloc'd C string. */
static char *esc_file(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_escape_file(f, s);
	fclose(f);
	return buf;
}

static void test_rules(void)
{
	CHECK_STR(esc("a\"b\\c", 5, 0), "\"a\\\"b\\\\c\"");
	CHECK_STR(esc("\b\f\n\r\t\x01\x7f", 7, 0), "\"\\b\\f\\n\\r\\t\\u0001\\u007f\"");
	CHECK_STR(esc("\xc3\xa9", 2, 0), "\"\xc3\xa9\"");			/* é passes */
	CHECK_STR(esc("\xc2\x85", 2, 0), "\"\\u0085\"");			/* C1 NEL */
	CHECK_STR(esc("\xe2\x80\xa8\xe2\x80\xae", 6, 0), "\"\\u2028\\u202e\""); /* LS, RLO */
	CHECK_STR(esc("\xe2\x81\xa6", 3, 0), "\"\\u2066\"");			/* LRI */
	CHECK_STR(esc("\xff\xc3", 2, 0), "\"\\u00ff\\u00c3\"");			/* invalid bytes */
	CHECK_STR(esc("\xed\xa0\x80", 3, 0), "\"\\u00ed\\u00a0\\u0080\"");	/* surrogate */
	CHECK_STR(esc("\xe0\x80\xaf", 3, 0), "\"\\u00e0\\u0080\\u00af\"");	/* overlong */
	CHECK_STR(esc("\xf0\x9f\x98\x80", 4, 0), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(esc("abc", 2, 1), "\"ab...\"");
	CHECK_INT(json_escape_room(10), 68);
	CHECK(json_escape_room(SIZE_MAX / 2) == SIZE_MAX);
}

/* Long strings with multi-byte and invalid sequences across every chunk
 * boundary: the file writer must write what json_escape() writes whole. */
static void test_file_chunks(void)
{
	static const char *const pieces[] = {
	    "a",	"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80",
	    "\xe2\x82", "\"",	    "\n",	    "\xe2\x80\xa8"};
	char s[2100], *want = malloc(json_escape_room(sizeof(s)) + 1), *got;
	unsigned seed = 1;

	if (!want)
		return;
	for (int round = 0; round < 200; round++) {
		size_t n = 0;

		while (n + 4 < sizeof(s) - 1 && n < 400 + (size_t)round * 8) {
			const char *p = pieces[(seed = seed * 1103515245u + 12345u) >> 16 & 7];

			if (round % 9 == 8)
				p = pieces[8];
			memcpy(s + n, p, strlen(p));
			n += strlen(p);
		}
		s[n] = 0;
		*json_escape(want, s, n, 0) = 0;
		got = esc_file(s);
		CHECK(got && strcmp(got, want) == 0);
		free(got);
	}
	got = esc_file(NULL);
	CHECK_STR(got, "\"\"");
	free(got);
	free(want);
}

/* Runs of plain bytes are tested 8 at a time: each byte that is not plain,
 * at every place of a 24-byte run and next to the edges of a word, comes
 * out escaped (or as it is, for valid UTF-8) and the rest as it came. */
static void test_word_edges(void)
{
	static const struct {
		const char *in, *out;
	} special[] = {{"\"", "\\\""},	    {"\\", "\\\\"},	 {"\x1f", "\\u001f"},
		       {"\x7f", "\\u007f"}, {"\x01", "\\u0001"}, {" ", " "},
		       {"~", "~"},	    {"\xff", "\\u00ff"}, {"\xc3\xa9", "\xc3\xa9"}};

	for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
		for (size_t at = 0; at < 24; at++) {
			char in[40], want[64];
			size_t sl = strlen(special[k].in);

			memset(in, 'a', sizeof(in));
			memcpy(in + at, special[k].in, sl);
			snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at, in, special[k].out,
				 (int)(24 - at), "aaaaaaaaaaaaaaaaaaaaaaaa");
			CHECK_STR(esc(in, at + sl + 24 - at, 0), want);
		}
	}
}

int main(void)
{
	test_rules();
	test_file_chunks();
	test_word_edges();
	return check_report("json_escape");
}
