/* psl.c - see psl.h.  The rules sit in one open-addressed hash table of
 * lowercased strings, each marked plain, wildcard ("*.X" kept as X) or
 * exception ("!X" kept as X). */
#include "output/psl.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

#define PSL_FILE_MAX (16u << 20)

enum rule_kind { RULE_PLAIN = 1, RULE_WILDCARD = 2, RULE_EXCEPTION = 4 };

struct slot {
	char *name; /* NULL: empty */
	unsigned kinds;
};

struct psl {
	struct slot *slots;
	size_t cap, n; /* cap: a power of two, at most half full */
};

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

static struct slot *find(const struct psl *p, const char *s, size_t n)
{
	size_t i = (size_t)hash_str(s, n) & (p->cap - 1);

	while (p->slots[i].name &&
	       (strncmp(p->slots[i].name, s, n) != 0 || p->slots[i].name[n] != 0))
		i = (i + 1) & (p->cap - 1);
	return &p->slots[i];
}

static int grow(struct psl *p)
{
	struct psl bigger = {calloc(p->cap * 2, sizeof(struct slot)), p->cap * 2, p->n};

	if (!bigger.slots)
		return -1;
	for (size_t i = 0; i < p->cap; i++)
		if (p->slots[i].name)
			*find(&bigger, p->slots[i].name, strlen(p->slots[i].name)) = p->slots[i];
	free(p->slots);
	*p = bigger;
	return 0;
}

/* Add rule s[0, n) (lowercased here) of kind k. */
static int add_rule(struct psl *p, const char *s, size_t n, unsigned k)
{
	char low[PSL_NAME_MAX];
	struct slot *e;

	if (n == 0 || n >= sizeof(low))
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[n] = 0;
	if ((p->n + 1) * 2 > p->cap && grow(p) != 0)
		return -1;
	e = find(p, low, n);
	if (!e->name) {
		e->name = strdup(low);
		if (!e->name)
			return -1;
		p->n++;
	}
	e->kinds |= k;
	return 0;
}

/* One line: the rule is its first word; "//" comments and blank lines are
 * none.  A NUL byte ends the word too. */
static int parse_line(struct psl *p, const char *s, size_t n)
{
	size_t w = 0;
	unsigned k = RULE_PLAIN;

	while (w < n && s[w] != ' ' && s[w] != '\t' && s[w] != '\r' && s[w] != 0)
		w++;
	if (w == 0 || (w >= 2 && s[0] == '/' && s[1] == '/'))
		return 0;
	if (s[0] == '!') {
		k = RULE_EXCEPTION;
		s++, w--;
	} else if (w >= 2 && s[0] == '*' && s[1] == '.') {
		k = RULE_WILDCARD;
		s += 2, w -= 2;
	}
	return add_rule(p, s, w, k);
}

struct psl *psl_parse(const char *text, size_t len)
{
	struct psl *p = calloc(1, sizeof(*p));
	size_t i = 0;

	if (!p || !(p->slots = calloc(64, sizeof(struct slot)))) {
		free(p);
		return NULL;
	}
	p->cap = 64;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (parse_line(p, text + i, end - i) != 0) {
			psl_free(p);
			return NULL;
		}
		i = end + 1;
	}
	return p;
}

struct psl *psl_load(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = fs_read_all(path, PSL_FILE_MAX, &len);
	struct psl *p;

	if (!text) {
		snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) : "cannot be read");
		return NULL;
	}
	p = psl_parse(text, len);
	free(text);
	if (!p)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (p->n == 0)
		snprintf(err, errlen, "%s: no rules in it", path);
	if (p && p->n == 0) {
		psl_free(p);
		p = NULL;
	}
	return p;
}

void psl_free(struct psl *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->slots[i].name);
	free(p->slots);
	free(p);
}

size_t psl_rules(const struct psl *p)
{
	return p->n;
}

static unsigned kinds_of(const struct psl *p, const char *s)
{
	return find(p, s, strlen(s))->kinds;
}

/* The label index where the public suffix of low (labels starting at
 * start[0..n)) begins. */
static size_t suffix_label(const struct psl *p, const char *low, const size_t *start, size_t n)
{
	size_t best = n - 1; /* the default rule "*" */

	for (size_t i = 0; i < n; i++) {
		unsigned k = kinds_of(p, low + start[i]);

		if (k & RULE_EXCEPTION)
			return i + 1 < n ? i + 1 : n - 1;
		if ((k & RULE_PLAIN) && i < best)
			best = i;
		if ((k & RULE_WILDCARD) && i > 0 && i - 1 < best)
			best = i - 1;
	}
	return best;
}

int psl_split_name(const struct psl *p, const char *name, struct psl_split *out)
{
	size_t len = strlen(name), start[PSL_NAME_MAX / 2 + 1], n = 0, ps;
	/* out is written, never read: its buffer's address is taken, not its bytes */
	// cppcheck-suppress ctuuninitvar
	char *low = out->buf, *reg = out->buf + PSL_NAME_MAX, *sub = reg + PSL_NAME_MAX;

	if (len == 0 || len >= PSL_NAME_MAX || strchr(name, '\\'))
		return -1;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (i == 0 || name[i - 1] == '.') {
			if (c == '.' || c == 0)
				return -1; /* an empty label, or the root */
			start[n++] = i;
		}
		low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	ps = suffix_label(p, low, start, n);
	out->top_level_domain = low + start[ps];
	out->registered_domain = out->subdomain = NULL;
	if (ps == 0)
		return 0; /* the name is a public suffix itself */
	memcpy(reg, low + start[ps - 1], len - start[ps - 1] + 1);
	out->registered_domain = reg;
	if (ps >= 2) {
		memcpy(sub, low, start[ps - 1] - 1);
		sub[start[ps - 1] - 1] = 0;
		out->subdomain = sub;
	}
	return 0;
}
