/* line.c - the line buffer and the appenders too large to inline (see
 * line.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "output/json_escape.h"
#include "output/line.h"
#include "util/addr_text.h"
#include "util/bytes.h"

static _Thread_local struct sbuf line_buf;

struct sbuf *line_begin(void)
{
	line_buf.len = 0;
	line_buf.oom = 0;
	return &line_buf;
}

void line_end(FILE *out, struct sbuf *b)
{
	if (!b->oom && b->len)
		fwrite(b->p, 1, b->len, out);
}

int sb_grow(struct sbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	need = b->len + n;
	if (need < b->len)
		goto fail;
	cap = b->cap ? b->cap : 8192;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto fail;
	b->p = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

/* Right-align v in width columns. */
void sb_u64_right(struct sbuf *b, uint64_t v, size_t width)
{
	size_t digits = 1;
	uint64_t t = v;

	while (t >= 10) {
		t /= 10;
		digits++;
	}
	while (digits++ < width)
		sb_ch(b, ' ');
	sb_u64(b, v);
}

/* Pad with spaces until the column that started at offset start is width
 * wide, then add gap more spaces (a column separator). */
void sb_pad(struct sbuf *b, size_t start, size_t width, size_t gap)
{
	size_t used = b->len - start, n = gap;

	if (b->oom)
		return;
	if (used < width)
		n += width - used;
	if (sb_reserve(b, n))
		return;
	memset(b->p + b->len, ' ', n);
	b->len += n;
}

/* Length of s capped at max bytes; *trunc says whether it was capped.  A
 * cap never splits a UTF-8 sequence. */
size_t capped_len(const char *s, size_t max, int *trunc)
{
	size_t n, k;

	*trunc = 0;
	if (!s)
		return 0;
	if (max == NO_CAP)
		return strlen(s);
	n = strnlen(s, max + 1);
	if (n <= max)
		return n;
	*trunc = 1;
	n = max;
	for (k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; k++)
		n--;
	return n;
}

/* A quoted JSON string of n bytes of s (see json_escape.h). */
void json_strn(struct sbuf *b, const char *s, size_t n, int trunc)
{
	size_t room = json_escape_room(n);

	if (room == SIZE_MAX) {
		b->oom = 1;
		return;
	}
	if (sb_reserve(b, room))
		return;
	b->len = (size_t)(json_escape(b->p + b->len, s, n, trunc) - b->p);
}

/* JSON string of s, capped at max bytes; NULL is "". */
void json_str(struct sbuf *b, const char *s, size_t max)
{
	int trunc;
	size_t n = capped_len(s, max, &trunc);

	json_strn(b, s ? s : "", n, trunc);
}

/* Terminal-safe text of n bytes of s (see the notes on top). */
void text_strn(struct sbuf *b, const char *s, size_t n, int trunc, int domain)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	char *o;

	if (n > (SIZE_MAX - 8) / 4) {
		b->oom = 1;
		return;
	}
	if (sb_reserve(b, n * 4 + 4))
		return;
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		unsigned c = u[i];

		if (domain) {
			if (c > 0x20 && c < 0x7f) {
				*o++ = (char)c;
			} else {
				*o++ = '\\';
				*o++ = (char)('0' + c / 100);
				*o++ = (char)('0' + c / 10 % 10);
				*o++ = (char)('0' + c % 10);
			}
		} else if (c >= 0x20 && c < 0x7f) {
			if (c == '\\')
				*o++ = '\\';
			*o++ = (char)c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = HEX_DIGITS_LC[c >> 4];
			*o++ = HEX_DIGITS_LC[c & 0xf];
		}
	}
	if (trunc) {
		memcpy(o, "...", 3); // NOLINT(bugprone-not-null-terminated-result): not a C string
		o += 3;
	}
	b->len = (size_t)(o - b->p);
}

void text_str(struct sbuf *b, const char *s, size_t max, int domain)
{
	int trunc;
	size_t n = capped_len(s, max, &trunc);

	text_strn(b, s ? s : "", n, trunc, domain);
}

/* A value inside the kubearmor Data / EventData.Kfunc string, which is a
 * "key=value,key=value" list.  So that no value can add or split a pair,
 * ',' '=' '%' and every byte outside 0x21..0x7e are percent-encoded
 * ("%2C" "%3D" "%25" "%20" ...).  The result is then JSON-escaped in place
 * (only '"' and '\\' can still need it). */
void data_val(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), i;
	char *o;

	if (n > (SIZE_MAX - 8) / 3) {
		b->oom = 1;
		return;
	}
	if (sb_reserve(b, n * 3))
		return;
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		unsigned c = u[i];

		if (c < 0x21 || c > 0x7e || c == ',' || c == '=' || c == '%') {
			*o++ = '%';
			*o++ = HEX_DIGITS_UC[c >> 4];
			*o++ = HEX_DIGITS_UC[c & 0xf];
		} else {
			if (c == '"' || c == '\\')
				*o++ = '\\';
			*o++ = (char)c;
		}
	}
	b->len = (size_t)(o - b->p);
}

struct time_cache {
	time_t sec;
	int valid;
	size_t len;
	char s[48]; /* "YYYY-MM-DDTHH:MM:SS" */
};

static _Thread_local struct time_cache tcache;

/* "YYYY-MM-DDTHH:MM:SS" of sec, from a cache of the last second seen. */
static const char *time_prefix(time_t sec, size_t *len)
{
	struct time_cache *c = &tcache;

	if (!c->valid || c->sec != sec) {
		struct tm tm;
		int n;

		if (!gmtime_r(&sec, &tm)) {
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = 70;
			tm.tm_mday = 1;
		}
		n = snprintf(c->s, sizeof(c->s), "%04lld-%02d-%02dT%02d:%02d:%02d",
			     (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			     tm.tm_min, tm.tm_sec);
		if (n < 19 || (size_t)n >= sizeof(c->s)) {
			strcpy(c->s, "1970-01-01T00:00:00");
			n = 19;
		}
		c->len = (size_t)n;
		c->sec = sec;
		c->valid = 1;
	}
	*len = c->len;
	return c->s;
}

static void put_usec(struct sbuf *b, long nsec)
{
	char t[7];
	long us;
	int i;

	if (nsec < 0 || nsec > 999999999L)
		nsec = 0;
	us = nsec / 1000;
	t[0] = '.';
	for (i = 6; i > 0; i--) {
		t[i] = (char)('0' + us % 10);
		us /= 10;
	}
	sb_mem(b, t, sizeof(t));
}

/* RFC 3339 UTC with microseconds: 2025-12-08T18:28:47.125539Z */
void put_rfc3339(struct sbuf *b, const struct timespec *ts)
{
	size_t n;
	const char *p = time_prefix(ts->tv_sec, &n);

	sb_mem(b, p, n);
	put_usec(b, ts->tv_nsec);
	sb_ch(b, 'Z');
}

/* HH:MM:SS.uuuuuu (UTC) */
void put_clock(struct sbuf *b, const struct timespec *ts)
{
	size_t n;
	const char *p = time_prefix(ts->tv_sec, &n);

	sb_mem(b, p + n - 8, 8);
	put_usec(b, ts->tv_nsec);
}

void put_family(struct sbuf *b, int family)
{
	if (family == AF_INET) {
		sb_lit(b, "AF_INET");
	} else if (family == AF_INET6) {
		sb_lit(b, "AF_INET6");
	} else {
		sb_lit(b, "AF_");
		sb_i64(b, family);
	}
}

void put_proto(struct sbuf *b, uint8_t proto)
{
	if (proto == IPPROTO_UDP)
		sb_lit(b, "udp");
	else if (proto == IPPROTO_TCP)
		sb_lit(b, "tcp");
	else
		sb_u64(b, proto);
}

/* The address as inet_ntop prints it ("" for an unknown family), without
 * inet_ntop's cost (util/addr_text.h). */
void put_addr(struct sbuf *b, int family, const uint8_t *a)
{
	if ((family != AF_INET && family != AF_INET6) || sb_reserve(b, ADDR_TEXT_MAX))
		return;
	if (family == AF_INET)
		b->len += ipv4_text(a, b->p + b->len);
	else
		b->len += ipv6_text(a, b->p + b->len);
}

/* 1.2.3.4:53 or [2001:db8::1]:53 */
void put_endpoint(struct sbuf *b, int family, const uint8_t *a, uint16_t port)
{
	if (family == AF_INET6)
		sb_ch(b, '[');
	put_addr(b, family, a);
	if (family == AF_INET6)
		sb_ch(b, ']');
	sb_ch(b, ':');
	sb_u64(b, port);
}
