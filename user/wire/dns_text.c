/* dns_text.c - see dns_text.h. */
#include "wire/dns_text.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "util/bytes.h"

void dt_init(struct dns_text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->full = 0;
	buf[0] = '\0';
}

void dt_rewind(struct dns_text *t, size_t mark)
{
	t->len = mark;
	t->full = 0;
	t->buf[mark] = '\0';
}

/* Room for n more bytes and the NUL; once full, nothing more is written. */
static int room(struct dns_text *t, size_t n)
{
	if (t->full || t->cap - t->len <= n) {
		t->full = 1;
		return 0;
	}
	return 1;
}

void dt_mem(struct dns_text *t, const char *s, size_t n)
{
	if (!room(t, n))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void dt_str(struct dns_text *t, const char *s)
{
	dt_mem(t, s, strlen(s));
}

void dt_ch(struct dns_text *t, char c)
{
	dt_mem(t, &c, 1);
}

void dt_u32(struct dns_text *t, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	dt_mem(t, tmp + sizeof(tmp) - n, n);
}

void dt_hex(struct dns_text *t, const uint8_t *p, size_t n)
{
	if (!room(t, 2 * n))
		return;
	for (size_t i = 0; i < n; i++) {
		t->buf[t->len++] = HEX_DIGITS_UC[p[i] >> 4];
		t->buf[t->len++] = HEX_DIGITS_UC[p[i] & 0xf];
	}
	t->buf[t->len] = '\0';
}

void dt_base64(struct dns_text *t, const uint8_t *p, size_t n)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (!room(t, (n + 2) / 3 * 4))
		return;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = n - i;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		t->buf[t->len++] = digits[(v >> 18) & 63];
		t->buf[t->len++] = digits[(v >> 12) & 63];
		t->buf[t->len++] = left > 1 ? digits[(v >> 6) & 63] : '=';
		t->buf[t->len++] = left > 2 ? digits[v & 63] : '=';
	}
	t->buf[t->len] = '\0';
}

void dt_ipv4(struct dns_text *t, const uint8_t *p)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			dt_ch(t, '.');
		dt_u32(t, p[i]);
	}
}

void dt_ipv6(struct dns_text *t, const uint8_t *p)
{
	char tmp[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, p, tmp, sizeof(tmp)))
		dt_str(t, tmp);
	else
		t->full = 1; /* cannot happen for 16 bytes; never write a guess */
}

void dt_charstr(struct dns_text *t, const uint8_t *p, size_t n, int list_item)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (list_item && c == ',') {
			dt_mem(t, "\\\\,", 3);
		} else if (c == '\\') {
			dt_mem(t, "\\\\\\\\", list_item ? 4 : 2);
		} else if (c == '"') {
			dt_mem(t, "\\\"", 2);
		} else if (c < 0x20 || c > 0x7e) {
			char e[4] = {'\\', (char)('0' + c / 100), (char)('0' + (c / 10) % 10),
				     (char)('0' + c % 10)};

			dt_mem(t, e, 4);
		} else {
			dt_ch(t, (char)c);
		}
	}
}
