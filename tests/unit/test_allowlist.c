/* test_allowlist.c - pattern rules of `dnsvis audit --allow/--deny`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/allowlist.h"
#include "check.h"

static struct allowlist *from_text(const char *text)
{
	struct allowlist *l = allowlist_new();
	char err[256];

	CHECK(l != NULL);
	if (allowlist_load_text(l, text, strlen(text), err, sizeof(err)) != 0) {
		fprintf(stderr, "unexpected load error: %s\n", err);
		check_failed++;
	}
	return l;
}

static void test_exact(void)
{
	struct allowlist *l = from_text("example.com\nWWW.Example.ORG.\n");

	CHECK_INT(allowlist_count(l), 2);
	CHECK_INT(allowlist_match(l, "example.com"), 1);
	CHECK_INT(allowlist_match(l, "EXAMPLE.com"), 1);
	CHECK_INT(allowlist_match(l, "example.com."), 1);
	CHECK_INT(allowlist_match(l, "www.example.org"), 1);
	CHECK_INT(allowlist_match(l, "www.EXAMPLE.org."), 1);
	/* exact is exact: no subdomains, no parents, no look-alikes */
	CHECK_INT(allowlist_match(l, "a.example.com"), 0);
	CHECK_INT(allowlist_match(l, "example.org"), 0);
	CHECK_INT(allowlist_match(l, "example.co"), 0);
	CHECK_INT(allowlist_match(l, "xexample.com"), 0);
	CHECK_INT(allowlist_match(l, "example.com.evil"), 0);
	CHECK_INT(allowlist_match(l, ""), 0);
	CHECK_INT(allowlist_match(l, "."), 0);
	allowlist_free(l);
}

static void test_suffix(void)
{
	struct allowlist *l = from_text("*.corp.example\n");

	CHECK_INT(allowlist_match(l, "a.corp.example"), 1);
	CHECK_INT(allowlist_match(l, "A.B.CORP.example"), 1);
	CHECK_INT(allowlist_match(l, "x.corp.example."), 1);
	/* the suffix itself is not below itself */
	CHECK_INT(allowlist_match(l, "corp.example"), 0);
	/* label boundary: no partial label */
	CHECK_INT(allowlist_match(l, "evilcorp.example"), 0);
	CHECK_INT(allowlist_match(l, "a.evilcorp.example"), 0);
	CHECK_INT(allowlist_match(l, "corp.example.net"), 0);
	/* an escaped dot is not a label boundary */
	CHECK_INT(allowlist_match(l, "a\\.corp.example"), 0);
	CHECK_INT(allowlist_match(l, "b.a\\.corp.example"), 0);
	CHECK_INT(allowlist_match(l, "a\\\\.corp.example"), 1); /* "\\" then a real dot */
	allowlist_free(l);
}

static void test_star_and_comments(void)
{
	struct allowlist *l = from_text("# full-line comment\n"
					"\n"
					"   \t  \n"
					"  spaced.example   # trailing comment\r\n"
					"last.example");

	CHECK_INT(allowlist_count(l), 2);
	CHECK_INT(allowlist_match(l, "spaced.example"), 1);
	CHECK_INT(allowlist_match(l, "last.example"), 1);
	CHECK_INT(allowlist_match(l, "comment"), 0);
	allowlist_free(l);

	l = from_text("*\n");
	CHECK_INT(allowlist_match(l, "anything.at.all"), 1);
	CHECK_INT(allowlist_match(l, "x"), 1);
	allowlist_free(l);

	l = from_text("");
	CHECK_INT(allowlist_count(l), 0);
	CHECK_INT(allowlist_match(l, "example.com"), 0);
	allowlist_free(l);
}

static void bad(const char *text, unsigned want_line)
{
	struct allowlist *l = allowlist_new();
	char err[256] = "", want[16];

	CHECK_INT(allowlist_load_text(l, text, strlen(text), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%u: ", want_line);
	if (strncmp(err, want, strlen(want)) != 0) {
		fprintf(stderr, "error for %s: '%s', want line %u\n", text, err, want_line);
		check_failed++;
	} else {
		check_passed++;
	}
	allowlist_free(l);
}

static void test_errors(void)
{
	bad("ok.example\n*.\n", 2);
	bad("a.*.example\n", 1);
	bad("**.example\n", 1);
	bad("x*.example\n", 1);
	bad("# c\n\na..b\n", 3);
	bad(".leading\n", 1);
	bad("two words\n", 1);
	bad("trailing\\\n", 1);
	bad(".\n", 1);
	bad("ok\n*.a..b\n", 2);
}

static void test_expansion(void)
{
	struct allowlist *l = from_text("google.com\n*.example.org\n");
	const char *search[] = {"default.svc.cluster.local", "svc.cluster.local.", "cluster.local"};
	size_t plen = 0;

	CHECK_INT(allowlist_match(l, "google.com.svc.cluster.local"), 0);
	CHECK_INT(allowlist_match_expansion(l, "google.com.svc.cluster.local", search, 3, &plen),
		  1);
	CHECK_INT(plen, strlen("google.com"));
	CHECK_INT(
	    allowlist_match_expansion(l, "GOOGLE.com.default.svc.cluster.local", search, 3, NULL),
	    1);
	CHECK_INT(allowlist_match_expansion(l, "www.example.org.cluster.local", search, 3, NULL),
		  1);
	CHECK_INT(allowlist_match_expansion(l, "google.com.cluster.local.", search, 3, NULL), 1);
	/* not a search domain */
	CHECK_INT(allowlist_match_expansion(l, "google.com.evil.example", search, 3, NULL), 0);
	CHECK_INT(allowlist_match_expansion(l, "google.com.local", search, 3, NULL), 0);
	/* prefix not allowed */
	CHECK_INT(allowlist_match_expansion(l, "evil.com.svc.cluster.local", search, 3, NULL), 0);
	/* the search domain alone, or the suffix glued without a dot */
	CHECK_INT(allowlist_match_expansion(l, "svc.cluster.local", search, 3, NULL), 0);
	CHECK_INT(allowlist_match_expansion(l, "google.comsvc.cluster.local", search, 3, NULL), 0);
	/* one level only: an expansion of an expansion is not allowed */
	CHECK_INT(
	    allowlist_match_expansion(l, "google.com.cluster.local.cluster.local", search, 3, NULL),
	    0);
	/* no search list: nothing is an expansion */
	CHECK_INT(allowlist_match_expansion(l, "google.com.svc.cluster.local", search, 0, NULL), 0);
	allowlist_free(l);
}

static void test_helpers(void)
{
	size_t lab[8];

	CHECK_INT(dnsname_len("a.b."), 3);
	CHECK_INT(dnsname_len("a.b"), 3);
	CHECK_INT(dnsname_len("."), 0);
	CHECK_INT(dnsname_len("a\\."), 3); /* escaped trailing dot stays */
	CHECK_INT(dnsname_labels("a.bc.d", 6, lab, 8), 3);
	CHECK_INT(lab[1], 2);
	CHECK_INT(lab[2], 5);
	CHECK_INT(dnsname_labels("a\\.b.c", 6, lab, 8), 2);
	CHECK_INT(dnsname_labels("x\\046y.z", 8, lab, 8), 2);
	CHECK_INT(dnsname_eq("ABC", 3, "abc", 3), 1);
	CHECK_INT(dnsname_eq("ABC", 3, "abd", 3), 0);
}

static void test_file(void)
{
	char path[] = "/tmp/test_allowlist.XXXXXX", err[512];
	struct allowlist *l = allowlist_new();
	int fd = mkstemp(path);
	const char text[] = "# allow\nfile.example\n*.file.example\nbad pattern\n";

	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, sizeof(text) - 1), (long long)sizeof(text) - 1);
	close(fd);
	CHECK_INT(allowlist_load_file(l, path, err, sizeof(err)), -1);
	CHECK(strstr(err, ":4: ") != NULL);
	unlink(path);
	CHECK_INT(allowlist_load_file(l, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file") != NULL);
	allowlist_free(l);
}

int main(void)
{
	test_exact();
	test_suffix();
	test_star_and_comments();
	test_errors();
	test_expansion();
	test_helpers();
	test_file();
	return check_report("allowlist");
}
