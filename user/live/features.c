/* features.c - privileges, memlock, tracefs, feature probes, libbpf
 * logging.  Every answer comes from asking the kernel, never from its
 * version number. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "live/features.h"
#include "live/tracefs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int cap_has(const struct __user_cap_data_struct *d, int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* CAP_BPF and CAP_PERFMON exist from 5.8; before, CAP_SYS_ADMIN covers all.
 * dnsvis also reads other processes' /proc entries and mounts tracefs when
 * needed, which CAP_SYS_ADMIN gives. */
int privileges_check(char *why, size_t len)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	char missing[96] = "";

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0) {
		snprintf(why, len, "cannot read capabilities: %s", strerror(errno));
		return -1;
	}
	if (cap_has(d, CAP_SYS_ADMIN))
		return 0;
	if (!cap_has(d, CAP_BPF))
		strcat(missing, " CAP_BPF");
	if (!cap_has(d, CAP_PERFMON))
		strcat(missing, " CAP_PERFMON");
	strcat(missing, " CAP_SYS_ADMIN");
	if (cap_has(d, CAP_BPF) && cap_has(d, CAP_PERFMON) && geteuid() == 0)
		return 0;
	snprintf(why, len, "need root or capabilities; missing:%s", missing);
	return -1;
}

void memlock_raise(void)
{
	struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};

	if (setrlimit(RLIMIT_MEMLOCK, &r) == 0)
		return;
	/* no CAP_SYS_RESOURCE: at least the soft limit up to the hard one */
	if (getrlimit(RLIMIT_MEMLOCK, &r) == 0) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &r);
	}
}

int kernel_has_split_read(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_probe_read_user, NULL) ==
		   1 &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_probe_read_kernel,
				       NULL) == 1;
}

int kernel_has_kprobes(void)
{
	const char *t = tracefs_locate("events", TRACEFS_MAY_MOUNT);
	char p[256];

	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0)
		return 1;
	if (t) {
		snprintf(p, sizeof(p), "%s/kprobe_events", t);
		if (access(p, F_OK) == 0)
			return 1;
	}
	return 0;
}

int kernel_loads_kprobe_progs(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) == 1;
}

int kernel_perf_tracepoint_ok(void)
{
	const char *t = tracefs_locate("events", TRACEFS_MAY_MOUNT);
	struct perf_event_attr a;
	char p[256];
	FILE *f;
	int id = -1, fd;

	if (!t)
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_sendto/id", t);
	f = fopen(p, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%d", &id) != 1)
		id = -1;
	fclose(f);
	if (id < 0)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (unsigned)id;
	a.sample_period = 1;
	a.wakeup_events = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int verbose_log;
static char first_warn[256], relo_warn[256];

/* The first warning, and the first unresolved CO-RE relocation the
 * verifier names (the real cause when a program is rejected). */
static void keep_warning(const char *fmt, va_list ap)
{
	static char buf[8192];
	const char *r;

	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): the caller va_copy'd it
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!first_warn[0])
		snprintf(first_warn, sizeof(first_warn), "%.*s", (int)strcspn(buf, "\n"), buf);
	r = strstr(buf, "failed to resolve CO-RE relocation");
	if (r && !relo_warn[0])
		snprintf(relo_warn, sizeof(relo_warn), "%.*s", (int)strcspn(r, "\n"), r);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN) {
		va_list aq;

		va_copy(aq, ap);
		keep_warning(fmt, aq);
		va_end(aq);
	}
	if (!verbose_log)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void libbpf_warning_reset(void)
{
	first_warn[0] = 0;
	relo_warn[0] = 0;
}

void libbpf_failure_why(const char *what, int err, char *why, size_t len)
{
	const char *w = relo_warn[0] ? relo_warn : first_warn;

	if (!strncmp(w, "libbpf: ", 8))
		w += 8;
	snprintf(why, len, "%s failed: %s%s%s%s%s", what, strerror(err < 0 ? -err : err),
		 *w ? " (libbpf: " : "", w, *w ? ")" : "",
		 verbose_log ? "" : "; -v shows libbpf's log");
}

void libbpf_logging_set(int verbose)
{
	verbose_log = verbose;
	libbpf_set_print(libbpf_print);
}
