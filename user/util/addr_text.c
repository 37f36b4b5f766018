/* addr_text.c - see addr_text.h. */
#include "util/addr_text.h"
#include "util/bytes.h"

static size_t put_dec(char *o, unsigned v)
{
	size_t n = 0;

	if (v >= 100)
		o[n++] = (char)('0' + v / 100);
	if (v >= 10)
		o[n++] = (char)('0' + v / 10 % 10);
	o[n++] = (char)('0' + v % 10);
	return n;
}

size_t ipv4_text(const uint8_t *a, char *out)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			out[n++] = '.';
		n += put_dec(out + n, a[i]);
	}
	out[n] = 0;
	return n;
}

/* one group in hex, no leading zeros */
static size_t put_hex16(char *o, unsigned v)
{
	size_t n = 0;
	int started = 0;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;

		if (d || started || shift == 0) {
			o[n++] = HEX_DIGITS_LC[d];
			started = 1;
		}
	}
	return n;
}

/* The longest run of at least two zero groups (the first of equals):
 * *base and *len, or len 0. */
static void zero_run(const unsigned *w, int *base, int *len)
{
	*base = -1;
	*len = 0;
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > *len && j - i >= 2) {
			*base = i;
			*len = j - i;
		}
		i = j == i ? i + 1 : j;
	}
}

size_t ipv6_text(const uint8_t *a, char *out)
{
	unsigned w[8];
	int base, len;
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		w[i] = be16(a + 2 * (size_t)i);
	zero_run(w, &base, &len);
	for (int i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + len) {
			if (i == base)
				out[n++] = ':';
			continue;
		}
		if (i)
			out[n++] = ':';
		/* ::a.b.c.d and ::ffff:a.b.c.d keep their IPv4 tail, as
		 * inet_ntop writes them */
		if (i == 6 && base == 0 && (len == 6 || (len == 5 && w[5] == 0xffff))) {
			n += ipv4_text(a + 12, out + n);
			return n;
		}
		n += put_hex16(out + n, w[i]);
	}
	if (base >= 0 && base + len == 8)
		out[n++] = ':';
	out[n] = 0;
	return n;
}
