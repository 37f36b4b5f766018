/* test_kprobe_cleanup.c - libbpf legacy kprobe names, kprobe_events lines,
 * and the removal of stale entries on a fake tracefs directory. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "live/kprobe_cleanup.h"

static void test_names(void)
{
	/* libbpf 1.0-1.4 (dnsvis links 1.1): libbpf_<pid>_<func>_0x<off>_<n> */
	CHECK_INT(kprobe_event_pid("libbpf_1234_udp_sendmsg_0x0_0"), 1234);
	CHECK_INT(kprobe_event_pid("libbpf_7_udpv6_sendmsg_0x0_1"), 7);
	CHECK_INT(kprobe_event_pid("libbpf_4194304_tcp_connect_0x10_12"), 4194304);
	/* a sanitized function name ("foo.isra.0" -> "foo_isra_0") */
	CHECK_INT(kprobe_event_pid("libbpf_55_foo_isra_0_0x0_3"), 55);
	/* libbpf 0.5-0.8: no index */
	CHECK_INT(kprobe_event_pid("libbpf_99_udp_sendmsg_0x0"), 99);
	/* libbpf 1.5+: index first, possibly truncated */
	CHECK_INT(kprobe_event_pid("libbpf_77_3_udp_sendmsg_0x0"), 77);
	CHECK_INT(kprobe_event_pid("libbpf_77_3_a_very_long_function_name_cut_at_sixty_thr"), 77);
	/* not libbpf's */
	CHECK_INT(kprobe_event_pid("libbpf_0_udp_sendmsg_0x0_0"), 0);
	CHECK_INT(kprobe_event_pid("libbpf_012_x"), 0);
	CHECK_INT(kprobe_event_pid("libbpf__udp_sendmsg"), 0);
	CHECK_INT(kprobe_event_pid("libbpf_12"), 0);
	CHECK_INT(kprobe_event_pid("libbpf_12_"), 0);
	CHECK_INT(kprobe_event_pid("libbpf_12x_y"), 0);
	CHECK_INT(kprobe_event_pid("libbpf_99999999999_x_0x0_0"), 0);
	CHECK_INT(kprobe_event_pid("libbpf_12_a.b"), 0);
	CHECK_INT(kprobe_event_pid("bcc_1234_udp_sendmsg"), 0);
	CHECK_INT(kprobe_event_pid("p_udp_sendmsg_0"), 0);
	CHECK_INT(kprobe_event_pid(""), 0);
}

static void line(const char *l, int want, const char *want_ge, unsigned want_pid)
{
	char ge[128];
	unsigned pid = 9;

	CHECK_INT(kprobe_event_parse(l, ge, sizeof(ge), &pid), want);
	if (want >= 0)
		CHECK_STR(ge, want_ge);
	CHECK_INT(pid, want_pid);
}

static void test_lines(void)
{
	/* as the kernel prints kprobe_events */
	line("p:kprobes/libbpf_1234_udp_sendmsg_0x0_0 udp_sendmsg", 1,
	     "kprobes/libbpf_1234_udp_sendmsg_0x0_0", 1234);
	line("p:kprobes/libbpf_1234_udp_sendmsg_0x0_0 udp_sendmsg\n", 1,
	     "kprobes/libbpf_1234_udp_sendmsg_0x0_0", 1234);
	line("r:kretprobes/libbpf_42_tcp_v4_connect_0x0_1 tcp_v4_connect", 1,
	     "kretprobes/libbpf_42_tcp_v4_connect_0x0_1", 42);
	line("r16:kretprobes/libbpf_42_x_0x0_2 x", 1, "kretprobes/libbpf_42_x_0x0_2", 42);
	line("p:kprobes/libbpf_8_udp_sendmsg_0x10_0 udp_sendmsg+16", 1,
	     "kprobes/libbpf_8_udp_sendmsg_0x10_0", 8);
	/* other tools' probes: recognised, not libbpf's */
	line("p:kprobes/myprobe do_sys_open dfd=%ax", 0, "kprobes/myprobe", 0);
	line("p:perf_probe/udp_sendmsg udp_sendmsg", 0, "perf_probe/udp_sendmsg", 0);
	/* not kprobe definitions */
	line("", -1, "", 0);
	line("-:kprobes/libbpf_1_x_0x0_0", -1, "", 0);
	line("p:noslash udp_sendmsg", -1, "", 0);
	line("p:/libbpf_1_x_0x0_0 x", -1, "", 0);
	line("p:kprobes/ x", -1, "", 0);
	line("x:kprobes/libbpf_1_x_0x0_0 x", -1, "", 0);
	line("p kprobes/libbpf_1_x_0x0_0 x", -1, "", 0);
	/* too long for the caller's buffer: rejected, not overflowed */
	{
		char ge[8];
		unsigned pid;

		CHECK_INT(kprobe_event_parse("p:kprobes/libbpf_1_x_0x0_0 x", ge, sizeof(ge), &pid),
			  -1);
	}
}

static char dir[] = "/tmp/test_kprobe_cleanup.XXXXXX";

static void write_events(const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/kprobe_events", dir);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *read_events(void)
{
	static char buf[8192];
	char p[256];
	size_t n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/kprobe_events", dir);
	f = fopen(p, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static int stale_1111(unsigned pid, void *arg)
{
	(*(int *)arg)++;
	return pid == 1111;
}

static void test_cleanup_dir(void)
{
	int calls = 0;
	char *t;

	write_events("p:kprobes/libbpf_1111_udp_sendmsg_0x0_0 udp_sendmsg\n"
		     "p:kprobes/libbpf_2222_udp_sendmsg_0x0_0 udp_sendmsg\n"
		     "p:kprobes/myprobe do_sys_open\n"
		     "r:kretprobes/libbpf_1111_udpv6_sendmsg_0x0_1 udpv6_sendmsg\n");
	CHECK_INT(kprobe_events_cleanup(dir, stale_1111, &calls, 0), 2);
	CHECK_INT(calls, 3); /* only libbpf entries are asked about */
	t = read_events();
	/* a plain file: the removals are appended, as written to tracefs */
	CHECK(strstr(t, "\n-:kprobes/libbpf_1111_udp_sendmsg_0x0_0\n"
			"-:kretprobes/libbpf_1111_udpv6_sendmsg_0x0_1\n") != NULL);
	CHECK(strstr(t, "-:kprobes/libbpf_2222") == NULL);
	CHECK(strstr(t, "-:kprobes/myprobe") == NULL);

	/* empty list, missing file */
	write_events("");
	CHECK_INT(kprobe_events_cleanup(dir, stale_1111, &calls, 0), 0);
	CHECK_INT(kprobe_events_cleanup("/nonexistent/tracing", stale_1111, &calls, 0), -ENOENT);
}

/* Through the start-up entry point with the DNSVIS_TRACEFS test hook: the
 * entries of a pid that exited go, a live process's and ours stay. */
static void test_startup_hook(void)
{
	char text[1024], want[256], *t;
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(text, sizeof(text),
		 "p:kprobes/libbpf_%d_udp_sendmsg_0x0_0 udp_sendmsg\n"
		 "p:kprobes/libbpf_1_udp_sendmsg_0x0_0 udp_sendmsg\n"
		 "p:kprobes/libbpf_%d_udp_sendmsg_0x0_0 udp_sendmsg\n",
		 (int)dead, (int)getpid());
	write_events(text);
	setenv("DNSVIS_TRACEFS", dir, 1);
	CHECK_INT(kprobe_cleanup_stale(0), 1);
	t = read_events();
	snprintf(want, sizeof(want), "-:kprobes/libbpf_%d_udp_sendmsg_0x0_0\n", (int)dead);
	CHECK(strstr(t, want) != NULL);
	CHECK(strstr(t, "-:kprobes/libbpf_1_") == NULL);
	snprintf(want, sizeof(want), "-:kprobes/libbpf_%d_", (int)getpid());
	CHECK(strstr(t, want) == NULL);

	/* at exit: our own entries go */
	write_events(text);
	CHECK_INT(kprobe_cleanup_own(), 1);
	t = read_events();
	snprintf(want, sizeof(want), "-:kprobes/libbpf_%d_udp_sendmsg_0x0_0\n", (int)getpid());
	CHECK(strstr(t, want) != NULL);
	unsetenv("DNSVIS_TRACEFS");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_names();
	test_lines();
	test_cleanup_dir();
	test_startup_hook();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_report("kprobe_cleanup");
}
