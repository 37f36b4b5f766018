/* cgroup_index.h - cgroup id -> path, for the ids the kernel reports.  With
 * cgroup v2 (unified or hybrid) that id is the cgroup directory's kernfs id:
 * its inode number (and its file handle).  The cgroup2 mount is walked and
 * indexed by id; the index is rebuilt by cgroup_index_rescan() (the tracer
 * calls it every second through k8s_meta_rescan()) and on a miss (at most
 * every 250 ms), and between rescans cgroup_watch.c adds each cgroup the
 * moment it is made, with its container's metadata read at once.  A lookup
 * that misses waits up to 50 ms for the watcher to handle what the kernel
 * has queued for it (counted).  Each entry is a struct k8s_attr whose
 * container fields come from the path (container.h); the attributes found
 * for a cgroup stay with it across rescans while its path is unchanged, a
 * cgroup gone at a rescan stays findable for 30 s (its events may be read
 * after it is removed), and is then handed to the on_remove callback and
 * freed.  With
 * cgroup v1 only (no cgroup2 mount) the id says nothing: the index is empty
 * and attribution falls back to /proc/PID/cgroup (k8s_meta.c), which only
 * works while the process lives, and cgroup filters run in user space only.
 * In hybrid mode the v1 hierarchy is searched for container cgroups too
 * (cgroup_index_v2_authoritative()).
 */
#ifndef DNSVIS_CGROUP_INDEX_H
#define DNSVIS_CGROUP_INDEX_H

#include <stdint.h>

#include "enrich/k8s_meta.h"

/* Find the cgroup2 mount under the host root and index it.  Returns the
 * mode; *note gets a line describing what is degraded (or NULL). */
enum k8s_cgroup_mode cgroup_index_init(const char **note);

/* Walk the cgroup2 tree again (rate-limited to every 250 ms unless force). */
void cgroup_index_rescan(int force);

/* The entry of cgroup id (0: none), else of its low 32 bits, else of id
 * after a rate-limited rescan; NULL when unknown or there is no index.  The
 * entry lives until a rescan finds the cgroup gone. */
struct k8s_attr *cgroup_index_find(uint64_t id);

enum k8s_cgroup_mode cgroup_index_mode(void);

/* The host path of the cgroup2 mount the index walks ("" when none). */
const char *cgroup_index_mount(void);

/* True in unified mode, and in hybrid mode while no v1 hierarchy holds a
 * container cgroup. */
int cgroup_index_v2_authoritative(void);

/* Every indexed cgroup, in table order. */
void cgroup_index_foreach(k8s_cg_fn fn, void *arg);

/* Called with each cgroup before it is forgotten (30 s after a rescan
 * found it gone). */
void cgroup_index_on_remove(k8s_cg_fn fn, void *arg);

/* A new entry for the cgroup at rel: what its path says (container.h) or,
 * failing that, the runtime's state (runtime_state_probe()), and for a
 * container its metadata, read now.  NULL when out of memory. */
struct k8s_attr *cgroup_attr_new(const char *rel);

/* The id the kernel reports for the cgroup directory name in dirfd: its
 * file handle (kernfs id, with the generation on old kernels), else ino. */
uint64_t cgroup_dir_id(int dirfd, const char *name, uint64_t ino);

struct cgroup_index_stats {
	int watching;		    /* cgroup_watch.c follows the tree */
	unsigned long long watched; /* cgroups the watcher found */
	unsigned long long held;    /* lookups that waited for the watcher */
	unsigned long long hold_timeouts;
	unsigned long long misses; /* ids not found at all */
	unsigned long long rescans, overflows, unwatched;
};
void cgroup_index_get_stats(struct cgroup_index_stats *st);

#endif
