/* runtime_state.h - pod name, Kubernetes namespace, container name, image
 * and labels of a container from the node's own files, filling the fields
 * of struct k8s_attr that its cgroup path (container.h) cannot give.  No
 * API server; every path goes through host_path() (--host-root).  The
 * files, read in this order for the container's runtime (first found wins
 * per field):
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json
 *               (also /run/k3s/containerd/..., and the v1 io.containerd.runtime.v1.linux)
 *               annotations io.kubernetes.cri.{sandbox-name,sandbox-namespace,
 *               sandbox-uid,container-name,image-name}; without them (ctr)
 *               the name is the id, and the image (and io.kubernetes.*
 *               labels) come from containerd's metadata database
 *               (bolt_reader.h)
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
 * keys kubelet adds, as "k=v,k=v" sorted by key.  The parsers of the state
 * files' contents are exposed too (unit tests, fuzz target); their input is
 * untrusted and needs no NUL terminator.
 */
#ifndef DNSVIS_RUNTIME_STATE_H
#define DNSVIS_RUNTIME_STATE_H

#include <stddef.h>

#include "enrich/k8s_meta.h"

/* Read the runtime's files for the container a->ci names (a->is_container;
 * a host cgroup is complete at once).  Fills the empty metadata fields,
 * settles a guessed runtime, sets a->meta_complete when nothing more will
 * come (the files were read, or 30 reads found nothing) and a->meta_when
 * to now.  What was read is remembered by container id (the last 256
 * containers), so a container whose files are gone (removed right after it
 * exited) is still named.  Safe to call from more than one thread. */
void runtime_state_resolve(struct k8s_attr *a);

/* A cgroup the path parser does not call a container (a->cgroup_path,
 * !a->is_container) that is one all the same by the runtime's state: a
 * containerd task's cgroup /<namespace>/<id> (what ctr makes: the id can be
 * any name), when <namespace>/<id> is a task of containerd's, or the path
 * is exactly /<namespace>/<id> of a namespace containerd has (its task may
 * be gone by the time a path captured at send time is read).  Sets
 * is_container, runtime "containerd" and the id; 1 when it is one. */
int runtime_state_probe(struct k8s_attr *a);

/* An object of string labels at obj..end -> "k=v,k=v" into out (sorted by
 * key; io.kubernetes.* and annotation.* keys left out; at most 128 labels).
 * Nothing when out is not empty or obj is not an object. */
void runtime_state_labels(const char *obj, const char *end, char *out, size_t ol);

/* An OCI config.json (containerd, CRI-O, podman): its annotations into *a.
 * With sandbox, the id of the pod's sandbox goes there (sl bytes) and the
 * labels are left alone; without, io.kubernetes.cri-o.Labels gives them. */
void runtime_state_parse_oci(const char *doc, size_t len, struct k8s_attr *a, char *sandbox,
			     size_t sl);

/* A docker config.v2.json into *a.  With sandbox set it is the pod's
 * sandbox container: only its labels are taken.  Else the id of the
 * container's sandbox (cri-dockerd) goes into sb (sbl > 0 bytes; "" if
 * none). */
void runtime_state_parse_docker(const char *doc, size_t len, struct k8s_attr *a, int sandbox,
				char *sb, size_t sbl);

/* podman's overlay-containers/containers.json: name and image of the
 * container id into *a.  1 when the list has it. */
int runtime_state_parse_podman(const char *doc, size_t len, const char *id, struct k8s_attr *a);

#endif
