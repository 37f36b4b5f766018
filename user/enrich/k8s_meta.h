/* k8s_meta.h - who is a cgroup: container runtime, container id, pod UID,
 * QoS class (from the cgroup path, container.h), and pod name, Kubernetes
 * namespace, container name, image and labels from the node's own files.
 * No API server.  Every path goes through host_path() (--host-root).
 *
 * cgroup id -> path:
 *   cgroup v2 (unified or hybrid): the id the kernel reports is the cgroup
 *   directory's kernfs id: its inode number (and its file handle).  The
 *   cgroup2 mount is walked and indexed by id; the index is rebuilt by
 *   k8s_meta_rescan() (the tracer calls it every second) and on a miss (at
 *   most every 250 ms).  Attributes found for a cgroup stay with it across
 *   rescans while its path is unchanged.
 *   cgroup v1 only (no cgroup2 mount): the id says nothing; the tracer
 *   falls back to /proc/PID/cgroup, which only works while the process
 *   lives (degraded: a process that exits before its event is read is not
 *   attributed), and cgroup filters run in user space only.
 *
 * Metadata, in this order (first found wins per field):
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json
 *               (also /run/k3s/containerd/..., and the v1 io.containerd.runtime.v1.linux)
 *               annotations io.kubernetes.cri.{sandbox-name,sandbox-namespace,
 *               sandbox-uid,container-name,image-name}
 *   CRI-O       /run/containers/storage/overlay-containers/<id>/userdata/config.json
 *               (or /var/lib/containers/storage/...): annotations
 *               io.kubernetes.{pod.name,pod.namespace,pod.uid,container.name},
 *               io.kubernetes.cri-o.ImageName; pod labels from the sandbox's
 *               io.kubernetes.cri-o.Labels (io.kubernetes.cri-o.SandboxID)
 *   podman      same storage; name and image from overlay-containers/containers.json
 *   docker      /var/lib/docker/containers/<id>/config.v2.json: Name,
 *               Config.Image, Config.Labels (io.kubernetes.* for cri-dockerd,
 *               pod labels on the sandbox: io.kubernetes.sandbox.id)
 *   kubelet     /var/log/pods/<namespace>_<pod>_<uid>/ (namespace, pod by
 *               UID) and /var/log/containers/<pod>_<namespace>_<container>-<id>.log
 *               (container name by id)
 * Labels are the pod's labels without the io.kubernetes.* / annotation.*
 * keys kubelet adds, as "k=v,k=v" sorted by key.
 */
#ifndef DNSVIS_K8S_META_H
#define DNSVIS_K8S_META_H

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
	int kmap; /* the tracer's: 1 while a drop verdict is in the BPF map */
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
/* Called with each cgroup the rescan found gone. */
void k8s_meta_on_remove(k8s_cg_fn fn, void *arg);

/* Resolve a cgroup path into *a (parse + metadata from the host files);
 * used by the above and by tests. */
void k8s_meta_resolve_path(const char *path, struct k8s_attr *a);

/* Minimal JSON helpers (exposed for unit tests).  js_get: the value of key
 * in the object at obj..end, or NULL.  js_str: decode the string value at
 * v into out; -1 when v is not a string. */
const char *js_get(const char *obj, const char *end, const char *key);
int js_str(const char *v, const char *end, char *out, size_t len);

#endif
