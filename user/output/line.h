/* line.h - the output line under construction and what appends to it.
 *
 * Every line is built completely in a per-thread growable buffer and then
 * handed to stdio with a single fwrite(), so a failing or concurrent write
 * never leaves half a line in the middle of another.  The buffer is kept
 * between events (no per-event malloc once it has grown to the largest line
 * seen).  If memory for a line cannot be had, the line is dropped whole
 * rather than written truncated (oom is set and every later append is a
 * no-op).
 *
 * Strings that come from processes (comm, exe, cmdline, cwd, container and
 * pod names, ...) are capped at FIELD_MAX input bytes; a capped field ends in
 * a visible "...".  The domain is not capped (the decoder bounds it).
 *
 * Escaping:
 *   json/kubearmor: strings go through json_escape() (the rules are in
 *     json_escape.h), so a line is always valid UTF-8 JSON.
 *   text: nothing but 0x20..0x7e reaches the terminal.  Process strings
 *     write other bytes as \xHH and a backslash as "\\"; the domain is
 *     already RFC 1035 presentation text, so its other bytes (and a raw
 *     space) are written as \DDD.
 * The small appenders are inline: they run for every field of every line.
 */
#ifndef DNSVIS_OUTPUT_LINE_H
#define DNSVIS_OUTPUT_LINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FIELD_MAX 4096 /* cap for process-supplied strings, in input bytes */
#define NO_CAP	  ((size_t)-1)

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

/* The line buffer, emptied (line_begin) and written whole (line_end). */
struct sbuf *line_begin(void);
void line_end(FILE *out, struct sbuf *b);

/* Grow b for n more bytes; -1 (and oom set) on failure. */
int sb_grow(struct sbuf *b, size_t n);

/* Make room for n more bytes; -1 (and the line is dropped) on failure. */
static inline int sb_reserve(struct sbuf *b, size_t n)
{
	if (!b->oom && b->cap - b->len >= n)
		return 0;
	return sb_grow(b, n);
}

static inline void sb_mem(struct sbuf *b, const char *s, size_t n)
{
	if (sb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

#define sb_lit(b, s) sb_mem((b), (s), sizeof(s) - 1)

static inline void sb_str(struct sbuf *b, const char *s)
{
	if (s)
		sb_mem(b, s, strlen(s));
}

static inline void sb_ch(struct sbuf *b, char c)
{
	if (sb_reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

static inline void sb_u64(struct sbuf *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_mem(b, tmp + sizeof(tmp) - n, n);
}

static inline void sb_i64(struct sbuf *b, int64_t v)
{
	if (v < 0) {
		sb_ch(b, '-');
		sb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sb_u64(b, (uint64_t)v);
	}
}

/* Right-align v in width columns. */
void sb_u64_right(struct sbuf *b, uint64_t v, size_t width);
/* Pad with spaces until the column that started at offset start is width
 * wide, then add gap more spaces (a column separator). */
void sb_pad(struct sbuf *b, size_t start, size_t width, size_t gap);

/* Length of s capped at max bytes; *trunc says whether it was capped.  A
 * cap never splits a UTF-8 sequence. */
size_t capped_len(const char *s, size_t max, int *trunc);
/* A quoted JSON string of n bytes of s, "..." marking a cap (trunc). */
void json_strn(struct sbuf *b, const char *s, size_t n, int trunc);
/* JSON string of s, capped at max bytes; NULL is "". */
void json_str(struct sbuf *b, const char *s, size_t max);
/* Terminal-safe text of n bytes of s: domain selects \DDD escapes. */
void text_strn(struct sbuf *b, const char *s, size_t n, int trunc, int domain);
void text_str(struct sbuf *b, const char *s, size_t max, int domain);
/* A value inside a "key=value,key=value" string (kubearmor Data). */
void data_val(struct sbuf *b, const char *s);

/* A literal key (with the separator before it) and its value: a JSON
 * string capped at FIELD_MAX, or a number. */
#define put_str_field(b, key, s) (sb_lit((b), (key)), json_str((b), (s), FIELD_MAX))
#define put_u64_field(b, key, v) (sb_lit((b), (key)), sb_u64((b), (v)))

/* RFC 3339 UTC with microseconds: 2025-12-08T18:28:47.125539Z */
void put_rfc3339(struct sbuf *b, const struct timespec *ts);
/* HH:MM:SS.uuuuuu (UTC) */
void put_clock(struct sbuf *b, const struct timespec *ts);
/* AF_INET, AF_INET6, else AF_<n> */
void put_family(struct sbuf *b, int family);
/* udp, tcp, else the number */
void put_proto(struct sbuf *b, uint8_t proto);
/* The address as inet_ntop prints it ("" for an unknown family). */
void put_addr(struct sbuf *b, int family, const uint8_t *a);
/* 1.2.3.4:53 or [2001:db8::1]:53 */
void put_endpoint(struct sbuf *b, int family, const uint8_t *a, uint16_t port);

#endif
