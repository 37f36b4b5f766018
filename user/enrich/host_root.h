/* host_root.h - every host path dnsvis reads (/proc, /sys/fs/cgroup,
 * /var/log/pods, runtime state under /run and /var/lib) goes through
 * host_path(), which prefixes it with --host-root DIR.
 *
 * Running inside a container with the host's root mounted at /host:
 *   dnsvis trace --host-root /host
 * Tests with a fake tree: the fake root holds the fake /var/log/pods and
 * runtime state, plus symlinks `proc -> /proc` and `sys -> /sys`, so the live
 * processes and cgroups are still the real ones.  (Symlinks inside the tree
 * are followed as usual: an absolute link target is not re-prefixed.)
 *
 * The kernel numbers processes in the initial pid namespace, so /proc under
 * the host root is only of use when it is the host's: a /proc of a pid
 * namespace of its own (a container without the host's pid namespace and
 * without --host-root) names other processes by those numbers, and is not
 * read (host_proc_is_host()). */
#ifndef DNSVIS_HOST_ROOT_H
#define DNSVIS_HOST_ROOT_H

#include <stddef.h>
#include <stdint.h>

/* Set the prefix (NULL or "" or "/" = none).  0, or -1 if it is not a
 * directory. */
int host_root_set(const char *dir);
/* The prefix, "" when none. */
const char *host_root(void);
/* out = prefix + printf(fmt, ...) (fmt starts with '/'); returns out. */
char *host_path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 1 when /proc under the host root shows the initial pid namespace (its
 * pid 2 is the kernel thread kthreadd, whose parent is 0: kernel threads are
 * in no other pid namespace), else 0.  Asked once per host_root_set(). */
int host_proc_is_host(void);

/* Is the process the kernel numbers pid alive: 1 when /proc/PID under the
 * host root exists, 0 when not, -1 when that /proc cannot tell (it is not
 * the host's). */
int host_pid_alive(uint32_t pid);

#endif
