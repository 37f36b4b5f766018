/* test_resolv.c - the audit's resolv.conf lookup (user/audit/resolv.c) by
 * the sender's mount namespace, on a fake host root whose proc/PID/ns/mnt
 * are symlinks ("mnt:[N]", as the kernel's read) and proc/PID/root/etc
 * hold the files: a live sender, a sender gone before its event was read
 * whose namespace was captured at send time (the host's, read through
 * init; another, read through the process it was last read through, then
 * from the cache), an unknown namespace, and a pid reused by a process of
 * another namespace; and the file's own grammar (resolv_parse()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "audit/resolv.h"
#include "enrich/host_root.h"

#define HOST_NS 4026531840UL

static char root[] = "/tmp/dnsvis-resolv.XXXXXX";

static void proc_entry(unsigned pid, unsigned long ns, const char *resolv)
{
	char p[512], cmd[600], link[64];

	snprintf(p, sizeof(p), "%s/proc/%u/root/etc", root, pid);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s/proc/%u/ns'", p, root, pid);
	CHECK_INT(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/proc/%u/ns/mnt", root, pid);
	snprintf(link, sizeof(link), "mnt:[%lu]", ns);
	CHECK_INT(symlink(link, p), 0);
	snprintf(p, sizeof(p), "%s/proc/%u/root/etc/resolv.conf", root, pid);
	FILE *f = fopen(p, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(resolv, f);
		fclose(f);
	}
}

static void proc_gone(unsigned pid)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/%u'", root, pid);
	CHECK_INT(system(cmd), 0);
}

/* The nameservers the lookup gives for pid (captured namespace mnt_ns; 0 =
 * none), or "unknown". */
static const char *servers(struct resolv_cache *c, unsigned pid, unsigned long mnt_ns)
{
	struct dnsvis_proc p;
	struct timespec now = {1000, 0};
	const struct resolv *r;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.mnt_ns = mnt_ns;
	snprintf(p.comm, sizeof(p.comm), "dig");
	r = resolv_of(c, &p, &now);
	return r ? r->text : "unknown";
}

/* text parsed as a resolv.conf: its report text; r keeps the rest. */
static const char *parse_text(struct resolv *r, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	CHECK(f != NULL);
	if (!f)
		return "";
	resolv_parse(r, f);
	fclose(f);
	return r->text;
}

/* The file's own grammar: servers, the last search line, comments, the
 * defaults, and a line over 1023 bytes whose tail is not a line of its
 * own (a comment's tail must not add a server). */
static void test_parse(void)
{
	static char text[4096];
	struct resolv r;
	size_t n;

	memset(&r, 0, sizeof(r));
	CHECK_STR(parse_text(&r, "# c\n; c\nnameserver 10.0.0.1\nnameserver ::ffff:10.0.0.2\n"
				 "nameserver fe80::1%eth0\nsearch a.example b.example\n"
				 "domain c.example\n"),
		  "10.0.0.1 10.0.0.2 fe80::1");
	CHECK_INT(r.nsearch, 1);
	CHECK_STR(r.nsearch ? r.search[0] : "", "c.example");
	CHECK_STR(parse_text(&r, "options ndots:5\nnameserver not-an-address\n"), "127.0.0.1 ::1");
	CHECK_INT(r.nsearch, 0);

	n = (size_t)snprintf(text, sizeof(text), "#"); /* the tail starts at byte 1023 */
	memset(text + n, 'x', 1022);
	n += 1022;
	snprintf(text + n, sizeof(text) - n, " nameserver 6.6.6.6\nnameserver 10.9.9.9\n");
	CHECK_STR(parse_text(&r, text), "10.9.9.9");
	n = (size_t)snprintf(text, sizeof(text), "nameserver 10.1.1.1");
	memset(text + n, ' ', 1100);
	n += 1100;
	snprintf(text + n, sizeof(text) - n, "nameserver 6.6.6.6\n");
	CHECK_STR(parse_text(&r, text), "10.1.1.1");
	resolv_clear_search(&r);
}

int main(void)
{
	struct resolv_cache c;
	char cmd[600];

	test_parse();
	memset(&c, 0, sizeof(c));
	if (!mkdtemp(root)) {
		CHECK(0);
		return check_report("resolv");
	}
	proc_entry(1, HOST_NS, "nameserver 127.0.0.53\n");
	proc_entry(100, 111, "nameserver 10.0.0.1\n");
	proc_entry(300, 333, "nameserver 10.3.3.3\n");
	CHECK_INT(host_root_set(root), 0);

	/* live, nothing captured: its namespace now */
	CHECK_STR(servers(&c, 100, 0), "10.0.0.1");
	/* gone, the host's namespace captured: read through init */
	CHECK_STR(servers(&c, 200, HOST_NS), "127.0.0.53");
	/* gone, namespace 111 captured: through pid 100, last read through */
	CHECK_STR(servers(&c, 201, 111), "10.0.0.1");
	/* pid 100 gone too: the cached reading of namespace 111 */
	proc_gone(100);
	CHECK_STR(servers(&c, 202, 111), "10.0.0.1");
	/* a namespace never read, nobody alive in it */
	CHECK_STR(servers(&c, 203, 999), "unknown");
	/* gone, nothing captured, never seen: unknown */
	CHECK_STR(servers(&c, 204, 0), "unknown");
	/* pid 300 is a process of namespace 333 now, but the sender was in the
	 * host's: the captured namespace decides */
	CHECK_STR(servers(&c, 300, HOST_NS), "127.0.0.53");
	CHECK_STR(servers(&c, 300, 0), "10.3.3.3");

	resolv_cache_free(&c);
	host_root_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	return check_report("resolv");
}
