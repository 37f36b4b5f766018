/* allowlist.h - domain-name pattern lists for `dnsvis audit --allow/--deny`.
 *
 * A list file holds one pattern per line:
 *   example.com      the name itself (exact)
 *   *.example.com    any name strictly below example.com (not example.com)
 *   *                every name
 *   # text           a comment (a '#' anywhere starts one); blank lines skip
 * Names are RFC 1035 presentation text as the decoder writes them (no
 * trailing dot; "\." inside a label is not a label boundary).  Comparison is
 * ASCII case-insensitive and ignores one trailing dot on either side.
 *
 * Pure C (no libpcap, no libbpf): unit tests link it directly. */
#ifndef DNSVIS_ALLOWLIST_H
#define DNSVIS_ALLOWLIST_H

#include <stddef.h>

struct allowlist;

struct allowlist *allowlist_new(void);
void allowlist_free(struct allowlist *l);

/* Add one pattern (surrounding blanks are ignored).  0, or -1 with a
 * reason in *why (a static string). */
int allowlist_add(struct allowlist *l, const char *pattern, const char **why);

/* Parse a whole file's text: lines, comments, blanks.  0, or -1 with
 * "LINE: reason" in err. */
int allowlist_load_text(struct allowlist *l, const char *text, size_t len, char *err,
			size_t errlen);

/* Read and parse a file.  0, or -1 with "PATH:LINE: reason" / "PATH: errno
 * text" in err. */
int allowlist_load_file(struct allowlist *l, const char *path, char *err, size_t errlen);

/* Number of patterns. */
size_t allowlist_count(const struct allowlist *l);

/* 1 if name matches a pattern of the list, else 0. */
int allowlist_match(const struct allowlist *l, const char *name);

/* Search-list expansion: 1 if name is "P.S" for some S in search[] (a
 * search domain, compared like names) and P matches the list (P itself is
 * not a search-list expansion: one level is stripped).  *plen (if not NULL)
 * gets the length of P. */
int allowlist_match_expansion(const struct allowlist *l, const char *name,
			      const char *const *search, size_t nsearch, size_t *plen);

/* Name comparison helpers, exported for the audit aggregator and tests. */

/* Normalized length of name: without one trailing unescaped dot ("." -> 0). */
size_t dnsname_len(const char *name);

/* 1 if a (first alen bytes) and b (first blen bytes) are the same name,
 * ASCII case-insensitively. */
int dnsname_eq(const char *a, size_t alen, const char *b, size_t blen);

/* Offsets of the label starts of name[0..len): out[0] = 0, then one after
 * each unescaped dot.  Returns the number of labels (at most max). */
size_t dnsname_labels(const char *name, size_t len, size_t *out, size_t max);

#endif
