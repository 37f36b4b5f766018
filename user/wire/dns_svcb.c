/* dns_svcb.c - SVCB and HTTPS rdata in presentation form (RFC 9460 2.1,
 * 7 and appendix A): "priority target key=value ...".  The wire rules are
 * checked, not assumed: the target is not compressed, keys are strictly
 * increasing, every value has the length its key allows, and the
 * mandatory list is increasing and does not name itself.  Keys without a
 * format here are written key<n>="<escaped value>". */
#include "wire/dns_rdata.h"

#include "util/bytes.h"
#include "wire/dns_decode.h"

enum {
	KEY_MANDATORY = 0,
	KEY_ALPN = 1,
	KEY_NO_DEFAULT_ALPN = 2,
	KEY_PORT = 3,
	KEY_IPV4HINT = 4,
	KEY_ECH = 5,
	KEY_IPV6HINT = 6,
};

void dns_svc_key_text(uint16_t key, struct dns_text *t)
{
	static const char *const names[] = {"mandatory", "alpn", "no-default-alpn", "port",
					    "ipv4hint",	 "ech",	 "ipv6hint"};

	if (key < sizeof(names) / sizeof(names[0])) {
		dt_str(t, names[key]);
	} else {
		dt_mem(t, "key", 3);
		dt_u32(t, key);
	}
}

static int param_mandatory(const uint8_t *v, size_t l, struct dns_text *t)
{
	if (l == 0 || l % 2)
		return -1;
	for (size_t i = 0; i < l; i += 2) {
		uint16_t k = be16(v + i);

		if (k == KEY_MANDATORY || (i && k <= be16(v + i - 2)))
			return -1;
		if (i)
			dt_ch(t, ',');
		dns_svc_key_text(k, t);
	}
	return 0;
}

/* alpn: non-empty length-prefixed ids, as one quoted value-list. */
static int param_alpn(const uint8_t *v, size_t l, struct dns_text *t)
{
	size_t i = 0;

	if (l == 0)
		return -1;
	dt_ch(t, '"');
	while (i < l) {
		size_t n = v[i];

		if (n == 0 || n > l - i - 1)
			return -1;
		if (i)
			dt_ch(t, ',');
		dt_charstr(t, v + i + 1, n, 1);
		i += 1 + n;
	}
	dt_ch(t, '"');
	return 0;
}

static int param_hints(const uint8_t *v, size_t l, size_t size, struct dns_text *t)
{
	if (l == 0 || l % size)
		return -1;
	for (size_t i = 0; i < l; i += size) {
		if (i)
			dt_ch(t, ',');
		if (size == 4)
			dt_ipv4(t, v + i);
		else
			dt_ipv6(t, v + i);
	}
	return 0;
}

/* One SvcParam: "key", "key=value". */
static int svc_param(uint16_t key, const uint8_t *v, size_t l, struct dns_text *t)
{
	dns_svc_key_text(key, t);
	if (key == KEY_NO_DEFAULT_ALPN)
		return l == 0 ? 0 : -1;
	if (l == 0 && key > KEY_IPV6HINT)
		return 0;
	dt_ch(t, '=');
	switch (key) {
	case KEY_MANDATORY:
		return param_mandatory(v, l, t);
	case KEY_ALPN:
		return param_alpn(v, l, t);
	case KEY_PORT:
		if (l != 2)
			return -1;
		dt_u32(t, be16(v));
		return 0;
	case KEY_IPV4HINT:
		return param_hints(v, l, 4, t);
	case KEY_IPV6HINT:
		return param_hints(v, l, 16, t);
	case KEY_ECH:
		if (l == 0)
			return -1;
		dt_base64(t, v, l);
		return 0;
	default:
		dt_ch(t, '"');
		dt_charstr(t, v, l, 0);
		dt_ch(t, '"');
		return 0;
	}
}

int dns_svcb_text(const uint8_t *rd, size_t n, struct dns_text *t)
{
	size_t mark = t->len, pos = 2;
	long prev_key = -1;
	struct dns_name target;

	if (n < 3)
		return -1;
	/* The rdata alone as the "message": a compressed target would have to
	 * point into it, and then the bytes it takes in place are not its
	 * wire length (a pointed-to name is never 2 bytes long). */
	if (dns_decode_name(rd, n, &pos, &target) != DNS_OK || pos - 2 != target.wire_len)
		return -1;
	dt_u32(t, be16(rd));
	dt_ch(t, ' ');
	dt_str(t, target.text);
	while (pos < n) {
		uint16_t key, l;

		if (n - pos < 4)
			goto bad;
		key = be16(rd + pos);
		l = be16(rd + pos + 2);
		pos += 4;
		if ((long)key <= prev_key || l > n - pos)
			goto bad;
		prev_key = key;
		dt_ch(t, ' ');
		if (svc_param(key, rd + pos, l, t))
			goto bad;
		pos += l;
	}
	return 0;
bad:
	dt_rewind(t, mark);
	return -1;
}
