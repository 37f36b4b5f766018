/* cgroup_watch.h - follow the cgroup2 tree as it changes, so that a
 * container's cgroup is known (id, path, and the runtime's metadata) from
 * the moment it is made, not from the next rescan: a container that sends
 * one query and exits is often gone, cgroup and state files, before its
 * event is read.
 *
 * One thread blocks on inotify watches of every cgroup directory (IN_CREATE
 * of a directory; the kernel's mkdir(2) path notifies for cgroupfs as for
 * any file system).  For each new cgroup it takes the id (its file handle,
 * as the kernel reports it), parses the path and, for a container, reads
 * the runtime's state files at once, then queues the entry for the main
 * thread, which takes it into the index (cgroup_index.c).  Nothing else is
 * shared.  Where inotify is missing or the watch limit
 * (fs.inotify.max_user_watches) is reached, the periodic rescans are what
 * is left; a queue overflow asks for a rescan.  The cgroup v1 hierarchies
 * are not followed (the kernel reports the v2 cgroup only). */
#ifndef DNSVIS_CGROUP_WATCH_H
#define DNSVIS_CGROUP_WATCH_H

#include <stdint.h>

#include "enrich/k8s_meta.h"

/* Watch the tree at the host path mount and start the thread.  The number
 * of directories watched, or -errno (nothing is followed then). */
int cgroup_watch_start(const char *mount);

/* Is the watcher running? */
int cgroup_watch_active(void);

/* Hand each cgroup found since the last call to fn, in the order made;
 * fn owns the entry (malloc'd) from then on.  Main thread only. */
typedef void (*cgroup_watch_fn)(uint64_t id, struct k8s_attr *a, void *arg);
void cgroup_watch_drain(cgroup_watch_fn fn, void *arg);

/* Wait at most max_ns until the watcher has handled every event queued
 * now.  1 when it has (or there was nothing to wait for), 0 on timeout. */
int cgroup_watch_catch_up(uint64_t max_ns);

/* Did the event queue overflow (or a watch fail) since the last call?  The
 * caller then rescans. */
int cgroup_watch_take_overflow(void);

/* Directories that could not be watched (the limit was reached). */
unsigned long long cgroup_watch_unwatched(void);

#endif
