/* container.h - what a cgroup path says about the process in it: container
 * runtime and id, Kubernetes pod UID and QoS class.  Pure string work (no
 * file system, no libbpf), so unit tests and fuzz targets link it.
 *
 * Recognised (systemd and cgroupfs drivers, cgroup v1 and v2 alike):
 *   docker      .../docker-<id>.scope           /docker/<id>
 *   containerd  .../cri-containerd-<id>.scope   /kubepods/.../pod<uid>/<id>
 *               .../nerdctl-<id>.scope
 *   CRI-O       .../crio-<id>.scope             /kubepods/.../pod<uid>/crio-<id>
 *   podman      .../libpod-<id>.scope           /libpod_parent/libpod-<id>
 *               machine-libpod_pod_<pod>.slice/ /libpod_parent/<pod>/libpod-<id>
 *   pod         kubepods[-<qos>]-pod<uid>.slice ('_' stands for '-')
 *               /kubepods[/<qos>]/pod<uid>/
 * The innermost container component wins (docker-in-docker, kind), and a
 * sub-cgroup below it (".../libpod-<id>.scope/container") still belongs to
 * it.  Runtime monitors (crio-conmon-<id>.scope, libpod-conmon-<id>.scope)
 * and their cgroupfs twins (/libpod_parent/[<pod>/]conmon, crio-conmon-<id>)
 * are not containers, nor is a podman pod's own cgroup.  A bare 64-hex leaf
 * under a pod cgroup is reported as containerd with runtime_guessed set
 * (docker's cri-dockerd uses the same shape; the runtime state on disk
 * settles it, see runtime_state.c).  Shapes a string cannot tell from a
 * host cgroup, such as containerd's own /<namespace>/<id> (ctr, any id),
 * are settled by the runtime's state on disk (runtime_state_probe()).
 */
#ifndef DNSVIS_CONTAINER_H
#define DNSVIS_CONTAINER_H

#include <stddef.h>

#define CTR_ID_MAX  129 /* hex digits + NUL */
#define CTR_UID_MAX 64

struct container_info {
	char runtime[16]; /* "docker", "containerd", "cri-o", "podman"; "" = none */
	char id[CTR_ID_MAX];
	char pod_uid[CTR_UID_MAX]; /* with '-' */
	char qos[16];		   /* "guaranteed", "burstable", "besteffort"; "" = no pod */
	char driver[16];	   /* "systemd", "cgroupfs"; "" = unknown */
	int runtime_guessed;	   /* runtime inferred from the shape only */
};

/* Parse one cgroup path ("/kubepods.slice/..."); 1 if it names a container,
 * else 0 (info still gets pod_uid/qos when the path is a pod's).  Never
 * fails on any input. */
int container_parse_path(const char *path, struct container_info *info);

/* Parse the contents of /proc/PID/cgroup (v1 "N:ctrl:/path" lines and the
 * v2 "0::/path" line): the first line that names a container wins, the
 * unified line first; a line of 1024 bytes or more is not looked at.
 * Returns like container_parse_path(); when path is non-NULL it gets the
 * chosen line's path. */
int container_parse_proc_cgroup(const char *text, size_t len, struct container_info *info,
				char *path, size_t pathlen);

/* Filters on the attribution of an event (--host, --containers,
 * --container, --pod-uid, --k8s-namespace, --pod).  NULL/0 = not set. */
struct container_filter {
	int host_only;
	int containers_only;
	const char *container; /* id or id prefix, or a container name */
	const char *pod_uid;
	const char *k8s_namespace;
	const char *pod;
};

/* The facts a filter looks at; NULL strings are "". */
struct container_facts {
	int is_container;
	const char *id, *name, *pod_uid, *k8s_namespace, *pod;
	int meta_complete; /* pod name / namespace lookups are done */
};

enum { CF_DROP = 0, CF_PASS = 1, CF_UNDECIDED = 2 };

/* Is any filter set? */
int container_filter_active(const struct container_filter *f);
/* Does the filter use pod metadata (namespace, pod name, container name)? */
int container_filter_needs_meta(const struct container_filter *f);
/* CF_PASS / CF_DROP, or CF_UNDECIDED when a needed fact is not known yet
 * (the caller then treats the event as not matching in user space, but does
 * not put a kernel verdict in place). */
int container_filter_eval(const struct container_filter *f, const struct container_facts *c);

#endif
