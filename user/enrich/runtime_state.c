/* runtime_state.c - container metadata from the runtimes' state files and
 * kubelet's log layout (see runtime_state.h). */
#include "enrich/runtime_state.h"

#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enrich/bolt_reader.h"
#include "enrich/host_root.h"
#include "enrich/json_reader.h"
#include "util/clock.h"
#include "util/fs.h"

#define STATE_MAX  (4u << 20) /* bytes of a state file read */
#define LABELS_MAX 128
#define META_TRIES 30  /* reads of a container's state before giving up */
#define ID_SLOTS   256 /* containers whose metadata is remembered */

static const char *const containerd_bases[] = {
    "/run/containerd/io.containerd.runtime.v2.task",
    "/run/k3s/containerd/io.containerd.runtime.v2.task",
    "/run/containerd/io.containerd.runtime.v1.linux",
};

static const char *const storage_bases[] = {"/run/containers/storage",
					    "/var/lib/containers/storage"};

static void set_if_empty(char *dst, size_t dl, const char *src)
{
	if (!dst[0] && src && *src)
		snprintf(dst, dl, "%s", src);
}

/* A string member of obj into dst when dst is still empty. */
static void take_string(const char *obj, const char *end, const char *key, char *dst, size_t dl)
{
	char tmp[2048];
	const char *v;

	if (dst[0])
		return;
	v = json_get(obj, end, key);
	if (v && json_string(v, end, tmp, sizeof(tmp)) == 0)
		set_if_empty(dst, dl, tmp);
}

/* A sandbox or container id that names a state directory of its own. */
static int is_other_id(const char *sb, const char *id)
{
	return sb[0] && strcmp(sb, id) != 0 && strspn(sb, "0123456789abcdef") == strlen(sb);
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void runtime_state_labels(const char *obj, const char *end, char *out, size_t ol)
{
	char *items[LABELS_MAX];
	size_t n = 0, o = 0;
	const char *p = json_skip_ws(obj, end), *v;
	char k[512], val[1024];

	if (out[0] || !p || p >= end || *p != '{')
		return;
	while (n < LABELS_MAX && json_next_member(&p, end, k, sizeof(k), &v)) {
		char *it;

		if (!strncmp(k, "io.kubernetes.", 14) || !strncmp(k, "annotation.", 11) ||
		    json_string(v, end, val, sizeof(val)))
			continue;
		it = malloc(strlen(k) + strlen(val) + 2);
		if (!it)
			break;
		sprintf(it, "%s=%s", k, val);
		items[n++] = it;
	}
	qsort(items, n, sizeof(items[0]), label_cmp);
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + o, ol - o, "%s%s", i ? "," : "", items[i]);

		if (w > 0 && (size_t)w < ol - o)
			o += (size_t)w;
		free(items[i]);
	}
}

void runtime_state_parse_oci(const char *doc, size_t len, struct k8s_attr *a, char *sandbox,
			     size_t sl)
{
	const char *e = doc + len, *ann = json_get(doc, e, "annotations");
	char labels[4096];

	if (!ann)
		return;
	take_string(ann, e, "io.kubernetes.cri.sandbox-name", a->pod, sizeof(a->pod));
	take_string(ann, e, "io.kubernetes.pod.name", a->pod, sizeof(a->pod));
	take_string(ann, e, "io.kubernetes.cri.sandbox-namespace", a->k8s_namespace,
		    sizeof(a->k8s_namespace));
	take_string(ann, e, "io.kubernetes.pod.namespace", a->k8s_namespace,
		    sizeof(a->k8s_namespace));
	take_string(ann, e, "io.kubernetes.cri.container-name", a->container_name,
		    sizeof(a->container_name));
	take_string(ann, e, "io.kubernetes.container.name", a->container_name,
		    sizeof(a->container_name));
	take_string(ann, e, "io.kubernetes.cri.image-name", a->image, sizeof(a->image));
	take_string(ann, e, "io.kubernetes.cri-o.ImageName", a->image, sizeof(a->image));
	take_string(ann, e, "io.kubernetes.cri.sandbox-uid", a->ci.pod_uid, sizeof(a->ci.pod_uid));
	take_string(ann, e, "io.kubernetes.pod.uid", a->ci.pod_uid, sizeof(a->ci.pod_uid));
	if (sandbox) {
		take_string(ann, e, "io.kubernetes.cri-o.SandboxID", sandbox, sl);
		take_string(ann, e, "io.kubernetes.cri.sandbox-id", sandbox, sl);
	}
	labels[0] = 0;
	take_string(ann, e, "io.kubernetes.cri-o.Labels", labels, sizeof(labels));
	if (labels[0] && !sandbox) /* the sandbox's own: the pod labels */
		runtime_state_labels(labels, labels + strlen(labels), a->labels, sizeof(a->labels));
}

/* An OCI config.json file into *a.  1 if the file was there. */
static int read_oci(const char *path, struct k8s_attr *a, char *sandbox, size_t sl)
{
	size_t len = 0;
	char *b = fs_read_all(path, STATE_MAX, &len);

	if (!b)
		return 0;
	runtime_state_parse_oci(b, len, a, sandbox, sl);
	free(b);
	return 1;
}

void runtime_state_parse_docker(const char *doc, size_t len, struct k8s_attr *a, int sandbox,
				char *sb, size_t sbl)
{
	const char *e = doc + len, *cfg, *lab;
	char name[256] = "";

	sb[0] = 0;
	cfg = json_get(doc, e, "Config");
	lab = cfg ? json_get(cfg, e, "Labels") : NULL;
	if (sandbox) {
		if (lab)
			runtime_state_labels(lab, e, a->labels, sizeof(a->labels));
		return;
	}
	if (lab) {
		take_string(lab, e, "io.kubernetes.pod.name", a->pod, sizeof(a->pod));
		take_string(lab, e, "io.kubernetes.pod.namespace", a->k8s_namespace,
			    sizeof(a->k8s_namespace));
		take_string(lab, e, "io.kubernetes.container.name", a->container_name,
			    sizeof(a->container_name));
		take_string(lab, e, "io.kubernetes.pod.uid", a->ci.pod_uid, sizeof(a->ci.pod_uid));
		take_string(lab, e, "io.kubernetes.sandbox.id", sb, sbl);
	}
	if (cfg)
		take_string(cfg, e, "Image", a->image, sizeof(a->image));
	if (!a->container_name[0] && !a->pod[0] && !a->ci.pod_uid[0]) {
		take_string(doc, e, "Name", name, sizeof(name));
		set_if_empty(a->container_name, sizeof(a->container_name),
			     name[0] == '/' ? name + 1 : name);
		if (lab) /* plain docker: the container's own labels */
			runtime_state_labels(lab, e, a->labels, sizeof(a->labels));
	}
}

/* docker config.v2.json of id, and then its sandbox's.  1 if the file was
 * there. */
static int read_docker(const char *id, struct k8s_attr *a, int sandbox)
{
	char path[1200], sb[CTR_ID_MAX];
	size_t len = 0;
	char *b;

	host_path(path, sizeof(path), "/var/lib/docker/containers/%s/config.v2.json", id);
	b = fs_read_all(path, STATE_MAX, &len);
	if (!b)
		return 0;
	runtime_state_parse_docker(b, len, a, sandbox, sb, sizeof(sb));
	free(b);
	if (is_other_id(sb, id))
		read_docker(sb, a, 1);
	return 1;
}

/* The task's OCI spec in any containerd namespace.  A container of
 * containerd's own clients (ctr) has no name but its id: that is its name. */
static int read_containerd(const char *id, struct k8s_attr *a)
{
	char dir[1100], path[1400];

	for (size_t i = 0; i < sizeof(containerd_bases) / sizeof(containerd_bases[0]); i++) {
		DIR *d = opendir(host_path(dir, sizeof(dir), "%s", containerd_bases[i]));
		struct dirent *de;
		int found = 0;

		if (!d)
			continue;
		while (!found && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s/config.json", dir, de->d_name, id);
			found = read_oci(path, a, NULL, 0);
		}
		closedir(d);
		if (found) {
			if (!a->ci.pod_uid[0] && !a->pod[0])
				set_if_empty(a->container_name, sizeof(a->container_name), id);
			return 1;
		}
	}
	return 0;
}

/* containerd_bases[i]/<namespace> is a directory (namespace at ns..end). */
static int ns_dir_exists(size_t i, const char *ns, const char *end)
{
	char path[1400];

	host_path(path, sizeof(path), "%s/%.*s", containerd_bases[i], (int)(end - ns), ns);
	return fs_is_dir(path);
}

int runtime_state_probe(struct k8s_attr *a)
{
	const char *p = a->cgroup_path, *leaf = strrchr(p, '/'), *par;
	char path[1400];
	size_t ll;

	if (a->is_container || !leaf || leaf == p)
		return 0;
	for (par = leaf - 1; par > p && par[-1] != '/'; par--)
		;
	ll = strlen(leaf + 1);
	if (!ll || ll >= sizeof(a->ci.id) || leaf[1] == '.')
		return 0;
	for (size_t i = 0; i < sizeof(containerd_bases) / sizeof(containerd_bases[0]); i++) {
		host_path(path, sizeof(path), "%s/%.*s/%s/config.json", containerd_bases[i],
			  (int)(leaf - par), par, leaf + 1);
		/* the task's bundle; or, for exactly /<namespace>/<id> (a path
		 * captured at send time, read after the task and its bundle are
		 * gone), containerd's directory of that namespace, which stays */
		if (access(path, F_OK) == 0 || (par == p + 1 && ns_dir_exists(i, par, leaf))) {
			a->is_container = 1;
			snprintf(a->ci.runtime, sizeof(a->ci.runtime), "containerd");
			snprintf(a->ci.id, sizeof(a->ci.id), "%s", leaf + 1);
			if (!a->ci.driver[0])
				snprintf(a->ci.driver, sizeof(a->ci.driver), "cgroupfs");
			return 1;
		}
	}
	return 0;
}

/* The name and image of the list entry at p ({"id","names","metadata"}). */
static void podman_entry(const char *p, const char *e, struct k8s_attr *a)
{
	char md[4096] = "";
	const char *v = json_get(p, e, "names");

	v = v ? json_skip_ws(v, e) : NULL;
	if (v && v < e && *v == '[') {
		char nm[256] = "";

		json_string(v + 1, e, nm, sizeof(nm));
		set_if_empty(a->container_name, sizeof(a->container_name), nm);
	}
	take_string(p, e, "metadata", md, sizeof(md));
	if (md[0])
		take_string(md, md + strlen(md), "image-name", a->image, sizeof(a->image));
}

int runtime_state_parse_podman(const char *doc, size_t len, const char *id, struct k8s_attr *a)
{
	const char *e = doc + len, *p = json_skip_ws(doc, e);

	if (!p || p >= e || *p != '[')
		return 0;
	p++;
	while ((p = json_skip_ws(p, e)) && p < e && *p == '{') {
		char cid[CTR_ID_MAX] = "";
		const char *next = json_skip_value(p, e);

		take_string(p, e, "id", cid, sizeof(cid));
		if (!strcmp(cid, id)) {
			podman_entry(p, e, a);
			return 1;
		}
		if (!next)
			break;
		p = json_skip_ws(next, e);
		if (p && p < e && *p == ',')
			p++;
	}
	return 0;
}

/* overlay-containers/containers.json of both storage roots. */
static int read_podman_list(const char *id, struct k8s_attr *a)
{
	char path[1200];
	int found = 0;

	for (size_t i = 0; i < 2; i++) {
		size_t len = 0;
		char *b;

		host_path(path, sizeof(path), "%s/overlay-containers/containers.json",
			  storage_bases[i]);
		b = fs_read_all(path, STATE_MAX, &len);
		if (!b)
			continue;
		if (runtime_state_parse_podman(b, len, id, a))
			found = 1;
		free(b);
	}
	return found;
}

/* containers/storage (CRI-O, podman). */
static int read_storage(const char *id, struct k8s_attr *a, int podman)
{
	char path[1200], sb[CTR_ID_MAX] = "";
	int found = 0;

	for (size_t i = 0; i < 2 && !found; i++) {
		host_path(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
			  storage_bases[i], id);
		found = read_oci(path, a, sb, sizeof(sb));
	}
	if (found && is_other_id(sb, id)) {
		struct k8s_attr tmp;

		memset(&tmp, 0, sizeof(tmp));
		for (size_t i = 0; i < 2; i++) {
			host_path(path, sizeof(path),
				  "%s/overlay-containers/%s/userdata/config.json", storage_bases[i],
				  sb);
			if (read_oci(path, &tmp, NULL, 0))
				break;
		}
		set_if_empty(a->labels, sizeof(a->labels), tmp.labels);
	}
	if (podman && (!a->container_name[0] || !a->image[0]) && read_podman_list(id, a))
		found = 1;
	return found;
}

/* /var/log/pods/<ns>_<pod>_<uid>: namespace and pod of the pod UID. */
static void read_kubelet_pods(struct k8s_attr *a)
{
	char dir[1100];
	DIR *d = opendir(host_path(dir, sizeof(dir), "/var/log/pods"));
	struct dirent *de;

	while (d && (de = readdir(d))) {
		const char *u1 = strchr(de->d_name, '_');
		const char *u2 = u1 ? strchr(u1 + 1, '_') : NULL;

		if (!u2 || strchr(u2 + 1, '_') || strcmp(u2 + 1, a->ci.pod_uid) != 0)
			continue;
		if (!a->k8s_namespace[0])
			snprintf(a->k8s_namespace, sizeof(a->k8s_namespace), "%.*s",
				 (int)(u1 - de->d_name), de->d_name);
		if (!a->pod[0])
			snprintf(a->pod, sizeof(a->pod), "%.*s", (int)(u2 - u1 - 1), u1 + 1);
		break;
	}
	if (d)
		closedir(d);
}

/* /var/log/containers/<pod>_<ns>_<name>-<id>.log: the container's name
 * (and pod and namespace when still unknown). */
static void read_kubelet_containers(struct k8s_attr *a)
{
	char dir[1100];
	size_t il = strlen(a->ci.id);
	DIR *d = opendir(host_path(dir, sizeof(dir), "/var/log/containers"));
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		const char *u1 = strchr(de->d_name, '_');
		const char *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
		const char *tail;

		if (!u2 || n < il + 6)
			continue;
		tail = de->d_name + n - il - 4; /* "<id>.log" */
		if (strcmp(de->d_name + n - 4, ".log") != 0 || memcmp(tail, a->ci.id, il) != 0 ||
		    tail[-1] != '-' || tail - 1 <= u2 + 1)
			continue;
		/* the pod and namespace in the name must agree */
		if (a->pod[0] && ((size_t)(u1 - de->d_name) != strlen(a->pod) ||
				  memcmp(de->d_name, a->pod, strlen(a->pod)) != 0))
			continue;
		snprintf(a->container_name, sizeof(a->container_name), "%.*s",
			 (int)(tail - 1 - u2 - 1), u2 + 1);
		if (!a->pod[0])
			snprintf(a->pod, sizeof(a->pod), "%.*s", (int)(u1 - de->d_name),
				 de->d_name);
		if (!a->k8s_namespace[0])
			snprintf(a->k8s_namespace, sizeof(a->k8s_namespace), "%.*s",
				 (int)(u2 - u1 - 1), u1 + 1);
		break;
	}
	if (d)
		closedir(d);
}

/* ---- what was read, by container id ------------------------------------- */

/* The metadata last read for a container, kept after its files are gone
 * (a container removed right after it exits is still named).  Direct-mapped
 * by id; locked, since the cgroup watcher resolves too. */
static struct k8s_attr id_cache[ID_SLOTS];
static pthread_mutex_t id_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct k8s_attr *id_slot(const struct k8s_attr *a)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = a->ci.id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return &id_cache[h % ID_SLOTS];
}

static void id_cache_put(const struct k8s_attr *a)
{
	struct k8s_attr *e = id_slot(a);

	pthread_mutex_lock(&id_cache_lock);
	*e = *a;
	e->cgroup_path[0] = 0;
	pthread_mutex_unlock(&id_cache_lock);
}

/* The remembered fields of a's container into a's empty ones; 1 if known. */
static int id_cache_get(struct k8s_attr *a)
{
	const struct k8s_attr *e = id_slot(a);
	int hit;

	pthread_mutex_lock(&id_cache_lock);
	hit = e->ci.id[0] && !strcmp(e->ci.id, a->ci.id) && !strcmp(e->ci.runtime, a->ci.runtime);
	if (hit) {
		set_if_empty(a->container_name, sizeof(a->container_name), e->container_name);
		set_if_empty(a->image, sizeof(a->image), e->image);
		set_if_empty(a->pod, sizeof(a->pod), e->pod);
		set_if_empty(a->k8s_namespace, sizeof(a->k8s_namespace), e->k8s_namespace);
		set_if_empty(a->labels, sizeof(a->labels), e->labels);
		set_if_empty(a->ci.pod_uid, sizeof(a->ci.pod_uid), e->ci.pod_uid);
	}
	pthread_mutex_unlock(&id_cache_lock);
	return hit;
}

/* The runtime's own files for a's container; 1 when they were there. */
static int read_runtime(struct k8s_attr *a)
{
	const char *id = a->ci.id, *rt = a->ci.runtime;
	int found = 0;

	if (!strcmp(rt, "docker")) {
		found = read_docker(id, a, 0);
	} else if (!strcmp(rt, "cri-o")) {
		found = read_storage(id, a, 0);
	} else if (!strcmp(rt, "podman")) {
		found = read_storage(id, a, 1);
	} else if (!strcmp(rt, "containerd")) {
		found = read_containerd(id, a);
		/* ctr's image is only in the metadata database */
		if (!a->image[0] && bolt_containerd_lookup(id, a) && !found) {
			found = 1;
			if (!a->ci.pod_uid[0] && !a->pod[0])
				set_if_empty(a->container_name, sizeof(a->container_name), id);
		}
		if (!found && a->ci.runtime_guessed && read_docker(id, a, 0)) {
			snprintf(a->ci.runtime, sizeof(a->ci.runtime), "docker");
			found = 1;
		}
	}
	if (found)
		a->ci.runtime_guessed = 0;
	return found;
}

void runtime_state_resolve(struct k8s_attr *a)
{
	int found;

	a->meta_when = (uint64_t)mono_ns();
	if (!a->is_container) {
		a->meta_complete = 1;
		return;
	}
	found = read_runtime(a) || id_cache_get(a);
	if (a->ci.pod_uid[0] || !found) {
		if (a->ci.pod_uid[0] && (!a->pod[0] || !a->k8s_namespace[0]))
			read_kubelet_pods(a);
		if (a->ci.id[0] && !a->container_name[0])
			read_kubelet_containers(a);
	}
	/* complete: the runtime's files were read and, for a pod, it is
	 * named; or META_TRIES reads found nothing more */
	a->meta_tries++;
	a->meta_complete = (found && (!a->ci.pod_uid[0] || (a->pod[0] && a->k8s_namespace[0]))) ||
			   a->meta_tries >= META_TRIES;
	if (found)
		id_cache_put(a);
}
