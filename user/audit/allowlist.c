/* allowlist.c - domain-name pattern lists (see allowlist.h).
 *
 * Exact names and "*.suffix" suffixes are kept, lowercased and without the
 * trailing dot, in two open-addressing hash sets; a name is matched by one
 * lookup of itself and one per label boundary (its proper suffixes). */
#include "audit/allowlist.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_TEXT 1100 /* 255 wire bytes in presentation form fit easily */
#define LABELS_MAX    130

struct strset {
	char **slot;
	size_t cap, n;
};

struct allowlist {
	struct strset exact, suffix;
	int all; /* "*" */
	size_t count;
};

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static uint64_t hash_lc(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)lc((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return h;
}

/* key (n bytes, compared case-insensitively) is in the set? */
static int set_has(const struct strset *s, const char *key, size_t n)
{
	size_t i;

	if (!s->cap)
		return 0;
	i = (size_t)hash_lc(key, n) & (s->cap - 1);
	while (s->slot[i]) {
		const char *k = s->slot[i];

		if (strlen(k) == n && dnsname_eq(k, n, key, n))
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	return 0;
}

static int set_put_owned(struct strset *s, char *key);

static int set_grow(struct strset *s)
{
	struct strset ns = {0};
	size_t cap = s->cap ? s->cap * 2 : 64;

	ns.slot = calloc(cap, sizeof(*ns.slot));
	if (!ns.slot)
		return -1;
	ns.cap = cap;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			set_put_owned(&ns, s->slot[i]);
	free(s->slot);
	*s = ns;
	return 0;
}

/* Insert key (already lowercased, owned by the set from now on). */
static int set_put_owned(struct strset *s, char *key)
{
	size_t n = strlen(key), i;

	if ((s->n + 1) * 2 > s->cap && set_grow(s) != 0)
		return -1;
	i = (size_t)hash_lc(key, n) & (s->cap - 1);
	while (s->slot[i])
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = key;
	s->n++;
	return 0;
}

static void set_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* ---- name helpers -------------------------------------------------------- */

/* Bytes taken by the character at name[i]: an escape is "\DDD" or "\X". */
static size_t char_len(const char *name, size_t len, size_t i)
{
	if (name[i] != '\\' || i + 1 >= len)
		return 1;
	if (i + 3 < len && name[i + 1] >= '0' && name[i + 1] <= '9' && name[i + 2] >= '0' &&
	    name[i + 2] <= '9' && name[i + 3] >= '0' && name[i + 3] <= '9')
		return 4;
	return 2;
}

size_t dnsname_len(const char *name)
{
	size_t len = strlen(name), i = 0, last_dot = (size_t)-1;

	while (i < len) {
		size_t k = char_len(name, len, i);

		if (k == 1 && name[i] == '.')
			last_dot = i;
		i += k;
	}
	return len > 0 && last_dot == len - 1 ? len - 1 : len;
}

int dnsname_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
	return 1;
}

size_t dnsname_labels(const char *name, size_t len, size_t *out, size_t max)
{
	size_t n = 0, i = 0;

	if (max == 0)
		return 0;
	out[n++] = 0;
	while (i < len) {
		size_t k = char_len(name, len, i);

		if (k == 1 && name[i] == '.' && i + 1 < len) {
			if (n >= max)
				break;
			out[n++] = i + 1;
		}
		i += k;
	}
	return n;
}

/* ---- patterns ------------------------------------------------------------ */

struct allowlist *allowlist_new(void)
{
	return calloc(1, sizeof(struct allowlist));
}

void allowlist_free(struct allowlist *l)
{
	if (!l)
		return;
	set_free(&l->exact);
	set_free(&l->suffix);
	free(l);
}

size_t allowlist_count(const struct allowlist *l)
{
	return l ? l->count : 0;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* A name: labels of non-blank printable bytes separated by single unescaped
 * dots, no '*', at most one trailing dot. */
static const char *check_name(const char *s, size_t n)
{
	size_t i = 0, label = 0;

	if (n == 0)
		return "empty name";
	if (n > 1024)
		return "name too long";
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = char_len(s, n, i);

		if (c == '\\' && i + 1 >= n)
			return "dangling backslash";
		if (c < 0x21 || c > 0x7e)
			return "blank or control byte in name";
		if (c == '*')
			return "'*' is only allowed as a whole leading label ('*.suffix' or '*')";
		if (k == 1 && c == '.') {
			if (label == 0)
				return "empty label";
			label = 0;
		} else {
			label++;
		}
		i += k;
	}
	return NULL;
}

int allowlist_add(struct allowlist *l, const char *pattern, const char **why)
{
	const char *p = pattern, *e;
	struct strset *set;
	char *key;
	size_t n;
	int suffix = 0;

	*why = NULL;
	while (*p && is_blank((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && is_blank((unsigned char)e[-1]))
		e--;
	n = (size_t)(e - p);
	for (size_t i = 0; i < n; i++)
		if (is_blank((unsigned char)p[i])) {
			*why = "blank inside a pattern (one pattern per line)";
			return -1;
		}
	if (n == 1 && p[0] == '*') {
		l->all = 1;
		l->count++;
		return 0;
	}
	if (n >= 2 && p[0] == '*' && p[1] == '.') {
		suffix = 1;
		p += 2;
		n -= 2;
		if (n == 0) {
			*why = "'*.' needs a suffix";
			return -1;
		}
	}
	if ((*why = check_name(p, n)))
		return -1;
	key = malloc(n + 1);
	if (!key) {
		*why = "out of memory";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		key[i] = (char)lc((unsigned char)p[i]);
	key[n] = 0;
	key[dnsname_len(key)] = 0;
	if (key[0] == 0) {
		free(key);
		*why = suffix ? "'*.' needs a suffix" : "the root is not a pattern";
		return -1;
	}
	set = suffix ? &l->suffix : &l->exact;
	if (set_has(set, key, strlen(key))) {
		free(key);
		l->count++;
		return 0;
	}
	if (set_put_owned(set, key) != 0) {
		free(key);
		*why = "out of memory";
		return -1;
	}
	l->count++;
	return 0;
}

int allowlist_load_text(struct allowlist *l, const char *text, size_t len, char *err, size_t errlen)
{
	size_t pos = 0;
	unsigned line = 0;
	char buf[2048];

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
		const char *why, *hash;

		line++;
		if (n >= sizeof(buf)) {
			snprintf(err, errlen, "%u: line too long", line);
			return -1;
		}
		memcpy(buf, text + pos, n);
		buf[n] = 0;
		pos = end + 1;
		if (memchr(buf, 0, n)) {
			snprintf(err, errlen, "%u: NUL byte", line);
			return -1;
		}
		hash = strchr(buf, '#');
		if (hash)
			buf[hash - buf] = 0;
		for (why = buf; *why && is_blank((unsigned char)*why); why++)
			;
		if (!*why)
			continue;
		if (allowlist_add(l, buf, &why) != 0) {
			snprintf(err, errlen, "%u: %s", line, why);
			return -1;
		}
	}
	return 0;
}

int allowlist_load_file(struct allowlist *l, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text = NULL, e2[512];
	size_t len = 0, cap = 0;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (len + 4096 > cap) {
			char *t = realloc(text, cap ? cap * 2 : 8192);

			if (!t) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			text = t;
			cap = cap ? cap * 2 : 8192;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	rc = allowlist_load_text(l, text ? text : "", len, e2, sizeof(e2));
	if (rc)
		snprintf(err, errlen, "%s:%s", path, e2);
	free(text);
	return rc;
}

/* Match the normalized name[0..n). */
static int match_n(const struct allowlist *l, const char *name, size_t n)
{
	size_t lab[LABELS_MAX], nl;

	if (l->all)
		return 1;
	if (n == 0)
		return 0;
	if (set_has(&l->exact, name, n))
		return 1;
	if (l->suffix.n == 0)
		return 0;
	nl = dnsname_labels(name, n, lab, LABELS_MAX);
	for (size_t i = 1; i < nl; i++)
		if (set_has(&l->suffix, name + lab[i], n - lab[i]))
			return 1;
	return 0;
}

int allowlist_match(const struct allowlist *l, const char *name)
{
	if (!l || !name)
		return 0;
	return match_n(l, name, dnsname_len(name));
}

int allowlist_match_expansion(const struct allowlist *l, const char *name,
			      const char *const *search, size_t nsearch, size_t *plen)
{
	size_t lab[LABELS_MAX], nl, n;

	if (!l || !name || nsearch == 0)
		return 0;
	n = dnsname_len(name);
	nl = dnsname_labels(name, n, lab, LABELS_MAX);
	/* the search domain is a proper suffix starting at a label boundary */
	for (size_t i = 1; i < nl; i++) {
		const char *suf = name + lab[i];
		size_t sn = n - lab[i];

		for (size_t s = 0; s < nsearch; s++) {
			size_t qn = dnsname_len(search[s]);

			if (qn == 0 || !dnsname_eq(suf, sn, search[s], qn))
				continue;
			/* P = name[0 .. lab[i] - 1) (without the dot) */
			if (match_n(l, name, lab[i] - 1)) {
				if (plen)
					*plen = lab[i] - 1;
				return 1;
			}
		}
	}
	return 0;
}
