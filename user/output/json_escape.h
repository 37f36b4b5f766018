/* json_escape.h - quoted JSON strings that are always valid UTF-8 JSON and
 * safe to show: the one escaper of the event formatter and the audit
 * report.
 *
 * '"' '\\' and every byte < 0x20 or == 0x7f are escaped (short forms \b \f
 * \n \r \t, else \u00XX); bytes >= 0x80 pass through only as part of valid
 * UTF-8, and an invalid byte is written as \u00XX.  Valid UTF-8 C1 controls
 * (U+0080..U+009F), the line/paragraph separators U+2028/U+2029 and the
 * bidi controls (U+200E/F, U+202A..U+202E, U+2066..U+2069) are written as
 * \uXXXX too, so a log viewer cannot be tricked by them. */
#ifndef DNSVIS_JSON_ESCAPE_H
#define DNSVIS_JSON_ESCAPE_H

#include <stdint.h>
#include <stdio.h>

/* Bytes json_escape() may write for n input bytes (6 per byte, the quotes
 * and a "..."), or SIZE_MAX when that does not fit in a size_t. */
static inline size_t json_escape_room(size_t n)
{
	return n > (SIZE_MAX - 8) / 6 ? SIZE_MAX : n * 6 + 8;
}

/* Write n bytes of s at out as a quoted JSON string, with "..." before the
 * closing quote when trunc is set.  out has json_escape_room(n) bytes.
 * Returns the end of what was written (no NUL is added). */
char *json_escape(char *out, const char *s, size_t n, int trunc);

/* Write the NUL-terminated s (NULL is "") to f as a quoted JSON string. */
void json_escape_file(FILE *f, const char *s);

#endif
