/* psl.h - the Public Suffix List (publicsuffix.org): which part of a name
 * is a public suffix, and so which is the registered domain.
 *
 * The list is read at run time, as Debian's publicsuffix package installs
 * it (PSL_DEFAULT_PATH), one rule a line: "com", "*.ck" (a wildcard),
 * "!www.ck" (an exception), "//" comments.  Both sections (ICANN and
 * private) are used, as Packetbeat and the ECS guidelines do.  The
 * algorithm is the list's own: an exception rule wins, then the rule with
 * the most labels, else the default rule "*" (the last label).
 */
#ifndef DNSVIS_OUTPUT_PSL_H
#define DNSVIS_OUTPUT_PSL_H

#include <stddef.h>

#define PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"
#define PSL_NAME_MAX	 1024

struct psl;

/* The rules of text[0, len) (any bytes: bad lines are skipped).  NULL when
 * out of memory. */
struct psl *psl_parse(const char *text, size_t len);
/* The list at path; NULL with a reason in err when it cannot be read. */
struct psl *psl_load(const char *path, char *err, size_t errlen);
void psl_free(struct psl *p);
size_t psl_rules(const struct psl *p);

struct psl_split {
	const char *top_level_domain;  /* the public suffix: "co.uk" */
	const char *registered_domain; /* one label more: "example.co.uk"; NULL if none */
	const char *subdomain;	       /* the labels before it: "www"; NULL if none */
	char buf[3 * PSL_NAME_MAX];
};

/* Split name (presentation text, no final dot; compared without regard to
 * ASCII case, written lowercased).  -1 for a name it does not apply to: the
 * root, an empty label, an escaped character, longer than PSL_NAME_MAX. */
int psl_split_name(const struct psl *p, const char *name, struct psl_split *out);

#endif
