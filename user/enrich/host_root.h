/* host_root.h - every host path dnsvis reads (/proc, /sys/fs/cgroup,
 * /var/log/pods, runtime state under /run and /var/lib) goes through
 * host_path(), which prefixes it with --host-root DIR.
 *
 * Running inside a container with the host's root mounted at /host:
 *   dnsvis trace --host-root /host
 * Tests with a fake tree: the fake root holds the fake /var/log/pods and
 * runtime state, plus symlinks `proc -> /proc` and `sys -> /sys`, so the live
 * processes and cgroups are still the real ones.  (Symlinks inside the tree
 * are followed as usual: an absolute link target is not re-prefixed.) */
#ifndef DNSVIS_HOST_ROOT_H
#define DNSVIS_HOST_ROOT_H

#include <stddef.h>

/* Set the prefix (NULL or "" or "/" = none).  0, or -1 if it is not a
 * directory. */
int host_root_set(const char *dir);
/* The prefix, "" when none. */
const char *host_root(void);
/* out = prefix + printf(fmt, ...) (fmt starts with '/'); returns out. */
char *host_path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
