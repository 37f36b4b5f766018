/* test_host_root.c - /proc under --host-root: whether it is the host's (the
 * initial pid namespace: pid 2 is kthreadd), pid liveness through it, and
 * proc_info reading the parent's exe from it, or not at all when it is
 * another pid namespace's. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "enrich/host_root.h"
#include "enrich/proc_info.h"

static char root[] = "/tmp/dnsvis-test-hostroot-XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[512], cmd[1200];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s%s')\"", root, rel);
	CHECK_INT(system(cmd), 0);
	snprintf(p, sizeof(p), "%s%s", root, rel);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void link_exe(unsigned pid, const char *target)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/proc/%u", root, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/proc/%u/exe", root, pid);
	CHECK_INT(symlink(target, p), 0);
}

/* The parent exe proc_info_fill() gives a sender whose parent is ppid. */
static const char *parent_exe_of(unsigned ppid)
{
	static struct proc_strings s;
	struct proc_capture c;
	struct dnsvis_proc p;

	memset(&c, 0, sizeof(c));
	c.pid = 999999;
	c.ppid = ppid;
	c.comm = "dig";
	c.comm_len = 3;
	proc_info_fill(&c, &p, &s);
	return p.parent_exe;
}

static void test_not_host(void)
{
	/* a container's own /proc: pid 2 is one of its processes */
	put("/proc/2/stat", "2 (sh) S 1 2 2 0 -1 4194560 100 0 0 0\n");
	link_exe(4242, "/usr/bin/container-process");
	CHECK_INT(host_root_set(root), 0);
	CHECK_INT(host_proc_is_host(), 0);
	CHECK_INT(host_pid_alive(4242), -1);
	/* pid 4242 there is not the kernel's pid 4242: not read */
	CHECK_STR(parent_exe_of(4242), "");
}

static void test_host(void)
{
	put("/proc/2/stat", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0\n");
	link_exe(4343, "/usr/sbin/fake-parent");
	CHECK_INT(host_root_set(root), 0); /* asked anew */
	CHECK_INT(host_proc_is_host(), 1);
	CHECK_INT(host_pid_alive(4343), 1);
	CHECK_INT(host_pid_alive(4344), 0);
	CHECK_STR(parent_exe_of(4343), "/usr/sbin/fake-parent");
}

static void test_no_proc(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc'", root);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(host_root_set(root), 0);
	CHECK_INT(host_proc_is_host(), 0);
	CHECK_INT(host_pid_alive(4343), -1);
	CHECK_INT(host_root_set(NULL), 0);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_not_host();
	test_host();
	test_no_proc();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	return check_report("host_root");
}
