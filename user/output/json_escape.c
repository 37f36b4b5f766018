/* json_escape.c - quoted JSON strings: valid UTF-8 out, controls and
 * look-alike code points escaped (the rules are in json_escape.h). */
#include "output/json_escape.h"
#include "util/bytes.h"

#include <string.h>

#define FILE_CHUNK 512 /* input bytes json_escape_file() escapes at a time */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if it is
 * not one (overlong forms, surrogates and > U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];

	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		*cp = (c & 0x1fu) << 6 | (s[1] & 0x3fu);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		*cp = (c & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		*cp =
		    (c & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
		return 4;
	}
	return 0;
}

static char *put_uesc(char *o, uint32_t cp)
{
	*o++ = '\\';
	*o++ = 'u';
	*o++ = HEX_DIGITS_LC[(cp >> 12) & 0xf];
	*o++ = HEX_DIGITS_LC[(cp >> 8) & 0xf];
	*o++ = HEX_DIGITS_LC[(cp >> 4) & 0xf];
	*o++ = HEX_DIGITS_LC[cp & 0xf];
	return o;
}

static int json_hidden_cp(uint32_t cp)
{
	return cp <= 0x9f || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* An ASCII control byte: its short form, else \u00XX. */
static char *put_control(char *o, unsigned c)
{
	*o++ = '\\';
	switch (c) {
	case '\b':
		*o++ = 'b';
		break;
	case '\f':
		*o++ = 'f';
		break;
	case '\n':
		*o++ = 'n';
		break;
	case '\r':
		*o++ = 'r';
		break;
	case '\t':
		*o++ = 't';
		break;
	default:
		o = put_uesc(o - 1, c);
	}
	return o;
}

/* The escaped text of n bytes of u, without quotes (at most 6 bytes out
 * per byte in). */
/* Printable ASCII but '"' and '\\': written as they are.  Runs of them are
 * copied whole (most names and paths are nothing else). */
static int plain_byte(unsigned c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* From i on, the start of the first 8 bytes of u[0..n) that are not all
 * plain (or of the last fewer than 8): whole words tested at once, with
 * the byte tests of "Bit Twiddling Hacks" (exact as to whether any byte of
 * the word is below 0x20, above 0x7e, '"' or '\\'). */
static size_t plain_words(const unsigned char *u, size_t i, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

	for (; n - i >= 8; i += 8) {
		uint64_t v, q, b;

		memcpy(&v, u + i, 8);
		q = v ^ (ones * '"');
		b = v ^ (ones * '\\');
		if ((((v - ones * 0x20) & ~v) | ((v + ones * (127 - 0x7e)) | v) |
		     ((q - ones) & ~q) | ((b - ones) & ~b)) &
		    highs)
			break;
	}
	return i;
}

static char *escape_body(char *o, const unsigned char *u, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = u[i];
		uint32_t cp = 0;
		size_t k;

		if (plain_byte(c)) {
			for (k = plain_words(u, i + 1, n); k < n && plain_byte(u[k]); k++)
				;
			memcpy(o, u + i, k - i);
			o += k - i;
			i = k;
			continue;
		}
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x80) {
			o = put_control(o, c);
			i++;
			continue;
		}
		k = utf8_seq(u + i, n - i, &cp);
		if (!k) {
			o = put_uesc(o, c); /* invalid UTF-8: the byte as U+00XX */
			i++;
			continue;
		}
		if (json_hidden_cp(cp)) {
			o = put_uesc(o, cp);
		} else {
			memcpy(o, u + i, k);
			o += k;
		}
		i += k;
	}
	return o;
}

char *json_escape(char *o, const char *s, size_t n, int trunc)
{
	*o++ = '"';
	o = escape_body(o, (const unsigned char *)s, n);
	if (trunc) {
		memcpy(o, "...", 3); // NOLINT(bugprone-not-null-terminated-result): not a C string
		o += 3;
	}
	*o++ = '"';
	return o;
}

/* The largest k <= max (max < n) where escape_body() of u[0..n) starts a
 * character, so that escaping u[0..k) and u[k..n) apart writes the same as
 * escaping u[0..n) whole.  Only a valid sequence is written as a unit, and
 * it starts with a lead byte at most 3 bytes back. */
static size_t char_boundary(const unsigned char *u, size_t n, size_t max)
{
	for (size_t j = max; j > 0 && max - j <= 3; j--) {
		uint32_t cp;
		size_t k;

		if ((u[j] & 0xc0) == 0x80)
			continue;
		k = utf8_seq(u + j, n - j, &cp);
		return k && j + k > max ? j : max;
	}
	return max;
}

void json_escape_file(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), i = 0;
	char buf[FILE_CHUNK * 6];

	fputc('"', f);
	while (i < n) {
		size_t k = n - i, end;

		if (k > FILE_CHUNK)
			k = char_boundary(u + i, n - i, FILE_CHUNK);
		end = (size_t)(escape_body(buf, u + i, k) - buf);
		fwrite(buf, 1, end, f);
		i += k;
	}
	fputc('"', f);
}
