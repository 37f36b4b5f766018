/* k8s_meta.h - the enrich stage's entry point.
 *
 * Stage enrich (user/enrich/): what a sender captured at send time (a pid,
 * a cgroup id, path components) becomes the strings of an event: process
 * strings (proc_info.h), container and pod (this file), from /proc, the
 * cgroup tree and the runtimes' state under --host-root (host_root.h).  No
 * libbpf, libpcap or BPF record layout: the live stage hands a struct
 * proc_capture in.
 *
 * Who is a cgroup: container runtime, container id, pod UID,
 * QoS class (from the cgroup path, container.h), and pod name, Kubernetes
 * namespace, container name, image and labels from the node's own files
 * (runtime_state.h; no API server, every path through host_path(), i.e.
 * --host-root).  An event's cgroup id is looked up in the cgroup2 index
 * (cgroup_index.h), which follows cgroup creation as it happens
 * (cgroup_watch.h); when the index cannot tell (cgroup v1 only, a v1
 * hierarchy in hybrid mode, or a miss) /proc/PID/cgroup is read while the
 * process lives (degraded: a process that exits before its event is read
 * is not attributed).  A container's metadata is read when its cgroup is
 * found and, while incomplete, again at most every second; what was read
 * is kept by container id after the runtime removed its files.  This is the interface the
 * rest of the program uses; the parts behind it are cgroup_index.c,
 * runtime_state.c and json_reader.c.
 */
#ifndef DNSVIS_K8S_META_H
#define DNSVIS_K8S_META_H

#include <stddef.h>
#include <stdint.h>

#include "enrich/container.h"

struct k8s_attr {
	int is_container;
	struct container_info ci;
	char cgroup_path[1024];
	char pod[256];
	char k8s_namespace[256];
	char container_name[256];
	char image[512];
	char labels[2048];
	int meta_complete; /* pod/namespace known, or nothing more to look for */
	int from_proc;	   /* attributed through /proc/PID/cgroup (degraded) */
	uint64_t meta_when;
	unsigned meta_tries; /* reads of the runtime's files so far */
	int kmap;	     /* the tracer's: 1 while a drop verdict is in the BPF map */
};

enum k8s_cgroup_mode { K8S_CG_NONE, K8S_CG_V1, K8S_CG_HYBRID, K8S_CG_UNIFIED };

/* Find the cgroup2 mount under the host root and index it.  Returns the
 * mode; *note gets a line describing what is degraded (or NULL). */
enum k8s_cgroup_mode k8s_meta_init(const char **note);
/* Walk the cgroup2 tree again (rate-limited to every 250 ms unless force). */
void k8s_meta_rescan(int force);

/* Attribution for an event: by cgroup id (v2), else /proc/PID/cgroup while
 * pid lives.  Fills *out; 1 when something is known, 0 when not. */
int k8s_meta_attr(uint64_t cgroup_id, uint32_t pid, struct k8s_attr *out);

/* The cgroup2 path of the mount the index walks ("" when none). */
const char *k8s_meta_cgroup2_mount(void);

/* Do cgroup2 paths say for sure which processes are host processes?  True
 * in unified mode, and in hybrid mode while no v1 hierarchy holds a
 * container cgroup. */
int k8s_meta_v2_authoritative(void);

/* Every indexed cgroup (metadata resolved first when want_meta).  The
 * callback may change a->kmap only. */
typedef void (*k8s_cg_fn)(uint64_t id, struct k8s_attr *a, void *arg);
void k8s_meta_foreach(int want_meta, k8s_cg_fn fn, void *arg);
/* Called with each cgroup before it is forgotten (30 s after a rescan
 * found it gone). */
void k8s_meta_on_remove(k8s_cg_fn fn, void *arg);

/* A line on how the cgroup index kept up (waits for the watcher, misses,
 * overflows) into buf; "" when there is nothing to say. */
const char *k8s_meta_summary(char *buf, size_t len);

/* Resolve a cgroup path into *a (parse + metadata from the host files);
 * used by the above and by tests. */
void k8s_meta_resolve_path(const char *path, struct k8s_attr *a);

#endif
