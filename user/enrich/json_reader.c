/* json_reader.c - see json_reader.h. */
#include "enrich/json_reader.h"

#include <stdint.h>
#include <string.h>

const char *json_skip_ws(const char *p, const char *end)
{
	while (p && p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at p ('"'), or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			if (++p >= end)
				return NULL; /* the escaped byte is missing */
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static int is_scalar_end(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

const char *json_skip_value(const char *p, const char *end)
{
	int depth = 0;

	p = json_skip_ws(p, end);
	if (!p || p >= end)
		return NULL;
	do {
		if (p >= end)
			return NULL;
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[') {
			if (++depth > JSON_DEPTH_MAX)
				return NULL;
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (depth == 0) {
			/* scalar at top level */
			while (p < end && !is_scalar_end(*p))
				p++;
			return p;
		}
		if (depth < 0)
			return NULL;
		p++;
	} while (depth > 0);
	return p;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits at p as a number, or -1. */
static int32_t hex4(const char *p)
{
	int32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hex_value(p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at *v (the 'u'), and a low surrogate \uXXXX after a high one, as
 * UTF-8 into o; *v is left on the last byte consumed.  Bytes written, or 0
 * when malformed.  Unpaired surrogates and U+0000 become U+FFFD. */
static size_t decode_u_escape(const char **v, const char *end, char *o)
{
	const char *p = *v;
	int32_t hi, lo;
	uint32_t cp;

	if (end - p < 5 || (hi = hex4(p + 1)) < 0)
		return 0;
	p += 4;
	cp = (uint32_t)hi;
	if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 7 && p[1] == '\\' && p[2] == 'u') {
		lo = hex4(p + 3);
		if (lo >= 0xdc00 && lo < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
			p += 6;
		}
	}
	if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
		cp = 0xfffd;
	*v = p;
	return put_utf8(o, cp);
}

/* The character at *v (inside a string) as bytes into o (4 at most); *v is
 * left on its last byte.  Bytes written, or 0 when malformed. */
static size_t decode_char(const char **v, const char *end, char *o)
{
	const char *p = *v;

	if (*p != '\\') {
		o[0] = *p;
		return 1;
	}
	if (++p >= end)
		return 0;
	*v = p;
	switch (*p) {
	case 'n':
		o[0] = '\n';
		return 1;
	case 't':
		o[0] = '\t';
		return 1;
	case 'r':
		o[0] = '\r';
		return 1;
	case 'b':
		o[0] = '\b';
		return 1;
	case 'f':
		o[0] = '\f';
		return 1;
	case 'u':
		return decode_u_escape(v, end, o);
	default:
		o[0] = *p; /* \" \\ \/ */
		return 1;
	}
}

int json_string(const char *v, const char *end, char *out, size_t len)
{
	size_t o = 0;
	int full = 0;

	if (!len)
		return -1;
	out[0] = 0;
	v = json_skip_ws(v, end);
	if (!v || v >= end || *v != '"')
		return -1;
	for (v++; v < end && *v != '"'; v++) {
		char tmp[4];
		size_t n = decode_char(&v, end, tmp);

		if (!n) {
			out[o] = 0;
			return -1;
		}
		/* once out is full the rest is still decoded, so the verdict
		 * does not depend on the buffer's size */
		if (full || o + n >= len) {
			full = 1;
			continue;
		}
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = 0;
	return 0;
}

int json_next_member(const char **p, const char *end, char *key, size_t kl, const char **val)
{
	const char *q = json_skip_ws(*p, end);

	if (!q || q >= end || (*q != '{' && *q != ','))
		return 0;
	q = json_skip_ws(q + 1, end);
	if (!q || q >= end || *q != '"')
		return 0;
	if (json_string(q, end, key, kl))
		return 0;
	q = skip_string(q, end);
	q = json_skip_ws(q, end);
	if (!q || q >= end || *q != ':')
		return 0;
	*val = json_skip_ws(q + 1, end);
	q = json_skip_value(*val, end);
	if (!q)
		return 0;
	*p = json_skip_ws(q, end);
	return 1;
}

const char *json_get(const char *obj, const char *end, const char *key)
{
	char k[256];
	const char *v, *p = json_skip_ws(obj, end);

	if (!p || p >= end || *p != '{')
		return NULL;
	while (json_next_member(&p, end, k, sizeof(k), &v))
		if (strcmp(k, key) == 0)
			return v;
	return NULL;
}
