/* kprobe_cleanup.c - remove legacy (tracefs) kprobes left by dead libbpf
 * processes; see kprobe_cleanup.h for the naming it relies on. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enrich/host_root.h"
#include "live/kprobe_cleanup.h"
#include "live/tracefs.h"
#include "util/fs.h"

unsigned kprobe_event_pid(const char *event)
{
	unsigned long v = 0;
	const char *p;

	if (strncmp(event, "libbpf_", 7) != 0)
		return 0;
	p = event + 7;
	if (*p < '1' || *p > '9')
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 4194304) /* PID_MAX_LIMIT */
			return 0;
	}
	/* then "_<rest>": the function name, offset, index */
	if (*p != '_' || !p[1])
		return 0;
	for (p++; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return (unsigned)v;
}

int kprobe_event_parse(const char *line, char *ge, size_t gl, unsigned *pid)
{
	const char *p = line, *start, *slash = NULL;
	char event[256];
	size_t n;

	*pid = 0;
	if (gl)
		ge[0] = 0;
	if (*p != 'p' && *p != 'r')
		return -1;
	for (p++; isdigit((unsigned char)*p); p++) /* r<maxactive> */
		;
	if (*p++ != ':')
		return -1;
	start = p;
	for (; *p && !isspace((unsigned char)*p); p++)
		if (*p == '/' && !slash)
			slash = p;
	if (!slash || slash == start || slash + 1 == p)
		return -1;
	n = (size_t)(p - start);
	if (n >= gl || (size_t)(p - slash - 1) >= sizeof(event))
		return -1;
	memcpy(ge, start, n);
	ge[n] = 0;
	memcpy(event, slash + 1, (size_t)(p - slash - 1));
	event[p - slash - 1] = 0;
	*pid = kprobe_event_pid(event);
	return *pid ? 1 : 0;
}

/* kprobe_events_cleanup(); *busy counts the entries the kernel refused
 * because they are still in use. */
static int cleanup_entries(const char *dir, int (*stale)(unsigned pid, void *arg), void *arg,
			   int verbose, unsigned *busy)
{
	char path[4096], ge[512], cmd[600];
	char *text = NULL, *line, *next;
	size_t n = 0, cap = 0;
	int removed = 0, wfd = -1;
	unsigned pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* the whole list first: removing entries while reading it would skip */
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nt = realloc(text, cap ? cap * 2 : 65536);

			if (!nt) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = nt;
			cap = cap ? cap * 2 : 65536;
		}
		size_t r = fread(text + n, 1, 4096, f);

		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	text[n] = 0;
	for (line = text; *line; line = next) {
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (kprobe_event_parse(line, ge, sizeof(ge), &pid) != 1 || !stale(pid, arg))
			continue;
		if (wfd < 0)
			wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (wfd < 0) {
			if (verbose)
				fprintf(stderr, "dnsvis: cannot open %s: %s\n", path,
					strerror(errno));
			break;
		}
		len = (size_t)snprintf(cmd, sizeof(cmd), "-:%s\n", ge);
		if (write(wfd, cmd, len) == (ssize_t)len) {
			removed++;
			if (verbose)
				fprintf(stderr,
					"dnsvis: removed stale kprobe %s (pid %u is gone)\n", ge,
					pid);
		} else {
			if (errno == EBUSY)
				(*busy)++;
			if (verbose)
				fprintf(stderr, "dnsvis: cannot remove kprobe %s: %s\n", ge,
					strerror(errno));
		}
	}
	free(text);
	if (wfd >= 0)
		close(wfd);
	return removed;
}

int kprobe_events_cleanup(const char *dir, int (*stale)(unsigned pid, void *arg), void *arg,
			  int verbose)
{
	unsigned busy = 0;

	return cleanup_entries(dir, stale, arg, verbose, &busy);
}

/* The tracefs holding kprobe_events (the test hook's first). */
static const char *kprobe_events_dir(enum tracefs_mount may)
{
	const char *hook = getenv("DNSVIS_TRACEFS");

	if (hook && *hook)
		return hook;
	return tracefs_locate("kprobe_events", may);
}

/* libbpf names an entry with getpid(), the pid in its own pid namespace,
 * which is the host's for host processes: gone only when neither the host's
 * /proc (under --host-root) nor our own pid namespace has it. */
static int pid_gone(unsigned pid, void *arg)
{
	(void)arg;
	if (pid == (unsigned)getpid() || host_pid_alive(pid) != 0)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static int pid_is(unsigned pid, void *arg)
{
	return pid == *(unsigned *)arg;
}

static int legacy_kprobes(void)
{
	const char *hook = getenv("DNSVIS_TRACEFS");

	return (hook && *hook) || !fs_exists("/sys/bus/event_source/devices/kprobe/type");
}

int kprobe_cleanup_stale(int verbose)
{
	const char *dir;

	/* Where the kprobe PMU exists our libbpf makes no kprobe_events entries,
	 * but another tool's (or an older libbpf's) may still be left there:
	 * clean them too, as long as tracefs is already mounted. */
	if (!legacy_kprobes()) {
		dir = kprobe_events_dir(TRACEFS_NO_MOUNT);
		return dir ? kprobe_events_cleanup(dir, pid_gone, NULL, verbose) : 0;
	}
	dir = kprobe_events_dir(TRACEFS_MAY_MOUNT);
	if (!dir)
		return -ENOENT;
	return kprobe_events_cleanup(dir, pid_gone, NULL, verbose);
}

int kprobe_cleanup_own(void)
{
	unsigned me = (unsigned)getpid();
	const char *dir;

	if (!legacy_kprobes())
		return 0;
	/* at exit: only where tracefs already is, never mount */
	dir = kprobe_events_dir(TRACEFS_NO_MOUNT);
	if (!dir)
		return 0;
	return kprobe_events_cleanup(dir, pid_is, &me, 0);
}

/* Close every descriptor but keep (and stderr when verbose): the guard must
 * hold nothing of dnsvis's, least of all its output. */
static void close_all_but(int keep, int verbose)
{
	int fds[1024], n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	if (d) {
		while ((de = readdir(d)) && n < 1024)
			if (isdigit((unsigned char)de->d_name[0]))
				fds[n++] = atoi(de->d_name);
		closedir(d);
	} else {
		for (; n < 1024; n++)
			fds[n] = n;
	}
	for (int i = 0; i < n; i++)
		if (fds[i] != keep && !(verbose && fds[i] == 2))
			close(fds[i]);
}

/* The guard process: wait for the end of parent, then remove its entries,
 * retrying while the kernel still holds them (EBUSY: the parent's perf
 * events are released a moment after its descriptors close). */
static void __attribute__((noreturn))
guard_run(int rfd, unsigned parent, const char *dir, int verbose)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2};
	char c;

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
	setpgid(0, 0); /* out of the terminal's signals to the process group */
	prctl(PR_SET_NAME, "dnsvis-guard", 0, 0, 0);
	close_all_but(rfd, verbose);
	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	for (int tries = 0; tries < 50; tries++) {
		unsigned busy = 0;

		if (cleanup_entries(dir, pid_is, &parent, verbose, &busy) < 0 || !busy)
			break;
		usleep(100000);
	}
	_exit(0);
}

static pid_t guard_pid = -1;
static int guard_fd = -1;

int kprobe_cleanup_guard(int verbose)
{
	static char dir[4096];
	const char *d;
	unsigned me = (unsigned)getpid();
	int p[2];
	pid_t child;

	if (!legacy_kprobes())
		return 0;
	d = kprobe_events_dir(TRACEFS_NO_MOUNT);
	if (!d)
		return 0;
	snprintf(dir, sizeof(dir), "%s", d);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	child = fork();
	if (child < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (child == 0) {
		close(p[1]);
		guard_run(p[0], me, dir, verbose);
	}
	close(p[0]);
	/* p[1] stays open until this process ends, however it ends */
	guard_pid = child;
	guard_fd = p[1];
	return 0;
}

void kprobe_cleanup_guard_end(void)
{
	if (guard_pid < 0)
		return;
	close(guard_fd);
	while (waitpid(guard_pid, NULL, 0) < 0 && errno == EINTR)
		;
	guard_pid = guard_fd = -1;
}
