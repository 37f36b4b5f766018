/* k8s_meta.c - cgroup id -> path index, and pod/runtime metadata from the
 * node's files (see k8s_meta.h). */
#include "enrich/k8s_meta.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "enrich/host_root.h"
#include "util/clock.h"
#include "util/fs.h"

#define CGROUP2_MAGIC 0x63677270
#define WALK_DEPTH    32
#define JSON_MAX      (4u << 20) /* bytes of a state file read */
#define META_RETRY_NS (1000000000ULL)

/* ---- JSON (just enough: objects, strings, skipping anything else) -------- */

static const char *js_ws(const char *p, const char *e)
{
	while (p && p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at p ('"'), or NULL. */
static const char *js_skip_str(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past the value at p, or NULL. */
static const char *js_skip(const char *p, const char *e)
{
	int depth = 0;

	p = js_ws(p, e);
	if (!p || p >= e)
		return NULL;
	do {
		if (p >= e)
			return NULL;
		if (*p == '"') {
			p = js_skip_str(p, e);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (depth == 0) {
			/* scalar at top level */
			while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
			       *p != '\n' && *p != '\r' && *p != '\t')
				p++;
			return p;
		}
		if (depth < 0)
			return NULL;
		p++;
	} while (depth > 0);
	return p;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int js_str(const char *v, const char *e, char *out, size_t len)
{
	size_t o = 0;

	if (!len)
		return -1;
	out[0] = 0;
	v = js_ws(v, e);
	if (!v || v >= e || *v != '"')
		return -1;
	for (v++; v < e && *v != '"'; v++) {
		char tmp[4];
		size_t n = 1;

		tmp[0] = *v;
		if (*v == '\\') {
			if (++v >= e)
				return -1;
			switch (*v) {
			case 'n':
				tmp[0] = '\n';
				break;
			case 't':
				tmp[0] = '\t';
				break;
			case 'r':
				tmp[0] = '\r';
				break;
			case 'b':
				tmp[0] = '\b';
				break;
			case 'f':
				tmp[0] = '\f';
				break;
			case 'u': {
				uint32_t cp = 0;

				if (e - v < 5)
					return -1;
				for (int i = 1; i <= 4; i++) {
					int h = hexv(v[i]);

					if (h < 0)
						return -1;
					cp = cp << 4 | (uint32_t)h;
				}
				v += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && e - v >= 7 && v[1] == '\\' &&
				    v[2] == 'u') {
					uint32_t lo = 0;
					int ok = 1;

					for (int i = 3; i <= 6; i++) {
						int h = hexv(v[i]);

						if (h < 0)
							ok = 0;
						lo = lo << 4 | (uint32_t)(h < 0 ? 0 : h);
					}
					if (ok && lo >= 0xdc00 && lo < 0xe000) {
						cp =
						    0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						v += 6;
					}
				}
				if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
					cp = 0xfffd;
				n = put_utf8(tmp, cp);
				break;
			}
			default:
				tmp[0] = *v; /* \" \\ \/ */
			}
		}
		if (o + n >= len)
			break; /* truncated */
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = 0;
	return 0;
}

/* Next member of the object: *p at '{' or ',' ... ; key decoded into key. */
static int js_member(const char **p, const char *e, char *key, size_t kl, const char **val)
{
	const char *q = js_ws(*p, e);

	if (!q || q >= e || (*q != '{' && *q != ','))
		return 0;
	q = js_ws(q + 1, e);
	if (!q || q >= e || *q != '"')
		return 0;
	if (js_str(q, e, key, kl))
		return 0;
	q = js_skip_str(q, e);
	q = js_ws(q, e);
	if (!q || q >= e || *q != ':')
		return 0;
	*val = js_ws(q + 1, e);
	q = js_skip(*val, e);
	if (!q)
		return 0;
	*p = js_ws(q, e);
	return 1;
}

const char *js_get(const char *obj, const char *e, const char *key)
{
	char k[256];
	const char *v, *p = js_ws(obj, e);

	if (!p || p >= e || *p != '{')
		return NULL;
	while (js_member(&p, e, k, sizeof(k), &v))
		if (strcmp(k, key) == 0)
			return v;
	return NULL;
}

/* ---- files ---------------------------------------------------------------- */

static void setf(char *dst, size_t dl, const char *src)
{
	if (!dst[0] && src && *src)
		snprintf(dst, dl, "%s", src);
}

/* A string member of obj into dst when dst is still empty. */
static void js_take(const char *obj, const char *e, const char *key, char *dst, size_t dl)
{
	char tmp[2048];
	const char *v;

	if (dst[0])
		return;
	v = js_get(obj, e, key);
	if (v && js_str(v, e, tmp, sizeof(tmp)) == 0)
		setf(dst, dl, tmp);
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Object of string labels -> "k=v,k=v" (sorted; kubelet's own keys left
 * out). */
static void labels_from(const char *obj, const char *e, char *out, size_t ol)
{
	char *items[128];
	size_t n = 0, o = 0;
	const char *p = js_ws(obj, e), *v;
	char k[512], val[1024];

	if (out[0] || !p || p >= e || *p != '{')
		return;
	while (n < 128 && js_member(&p, e, k, sizeof(k), &v)) {
		char *it;

		if (!strncmp(k, "io.kubernetes.", 14) || !strncmp(k, "annotation.", 11) ||
		    js_str(v, e, val, sizeof(val)))
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

/* OCI config.json (containerd, CRI-O, podman): annotations.  Returns 1 if
 * the file was there. */
static int read_oci(const char *path, struct k8s_attr *a, char *sandbox, size_t sl)
{
	size_t len = 0;
	char *b = fs_read_all(path, JSON_MAX, &len);
	const char *e, *ann;

	if (!b)
		return 0;
	e = b + len;
	ann = js_get(b, e, "annotations");
	if (ann) {
		char labels[4096];

		js_take(ann, e, "io.kubernetes.cri.sandbox-name", a->pod, sizeof(a->pod));
		js_take(ann, e, "io.kubernetes.pod.name", a->pod, sizeof(a->pod));
		js_take(ann, e, "io.kubernetes.cri.sandbox-namespace", a->k8s_namespace,
			sizeof(a->k8s_namespace));
		js_take(ann, e, "io.kubernetes.pod.namespace", a->k8s_namespace,
			sizeof(a->k8s_namespace));
		js_take(ann, e, "io.kubernetes.cri.container-name", a->container_name,
			sizeof(a->container_name));
		js_take(ann, e, "io.kubernetes.container.name", a->container_name,
			sizeof(a->container_name));
		js_take(ann, e, "io.kubernetes.cri.image-name", a->image, sizeof(a->image));
		js_take(ann, e, "io.kubernetes.cri-o.ImageName", a->image, sizeof(a->image));
		js_take(ann, e, "io.kubernetes.cri.sandbox-uid", a->ci.pod_uid,
			sizeof(a->ci.pod_uid));
		js_take(ann, e, "io.kubernetes.pod.uid", a->ci.pod_uid, sizeof(a->ci.pod_uid));
		if (sandbox) {
			js_take(ann, e, "io.kubernetes.cri-o.SandboxID", sandbox, sl);
			js_take(ann, e, "io.kubernetes.cri.sandbox-id", sandbox, sl);
		}
		labels[0] = 0;
		js_take(ann, e, "io.kubernetes.cri-o.Labels", labels, sizeof(labels));
		if (labels[0] && !sandbox) /* the sandbox's own: the pod labels */
			labels_from(labels, labels + strlen(labels), a->labels, sizeof(a->labels));
	}
	free(b);
	return 1;
}

/* docker config.v2.json.  Returns 1 if the file was there. */
static int read_docker(const char *id, struct k8s_attr *a, int sandbox)
{
	char path[1200], name[256] = "", sb[CTR_ID_MAX] = "";
	size_t len = 0;
	char *b;
	const char *e, *cfg, *lab;

	host_path(path, sizeof(path), "/var/lib/docker/containers/%s/config.v2.json", id);
	b = fs_read_all(path, JSON_MAX, &len);
	if (!b)
		return 0;
	e = b + len;
	cfg = js_get(b, e, "Config");
	lab = cfg ? js_get(cfg, e, "Labels") : NULL;
	if (sandbox) {
		if (lab)
			labels_from(lab, e, a->labels, sizeof(a->labels));
		free(b);
		return 1;
	}
	if (lab) {
		js_take(lab, e, "io.kubernetes.pod.name", a->pod, sizeof(a->pod));
		js_take(lab, e, "io.kubernetes.pod.namespace", a->k8s_namespace,
			sizeof(a->k8s_namespace));
		js_take(lab, e, "io.kubernetes.container.name", a->container_name,
			sizeof(a->container_name));
		js_take(lab, e, "io.kubernetes.pod.uid", a->ci.pod_uid, sizeof(a->ci.pod_uid));
		js_take(lab, e, "io.kubernetes.sandbox.id", sb, sizeof(sb));
	}
	if (cfg)
		js_take(cfg, e, "Image", a->image, sizeof(a->image));
	if (!a->container_name[0] && !a->pod[0] && !a->ci.pod_uid[0]) {
		js_take(b, e, "Name", name, sizeof(name));
		setf(a->container_name, sizeof(a->container_name),
		     name[0] == '/' ? name + 1 : name);
		if (lab) /* plain docker: the container's own labels */
			labels_from(lab, e, a->labels, sizeof(a->labels));
	}
	free(b);
	if (sb[0] && strcmp(sb, id) != 0 && strspn(sb, "0123456789abcdef") == strlen(sb))
		read_docker(sb, a, 1);
	return 1;
}

static int read_containerd(const char *id, struct k8s_attr *a)
{
	static const char *bases[] = {
	    "/run/containerd/io.containerd.runtime.v2.task",
	    "/run/k3s/containerd/io.containerd.runtime.v2.task",
	    "/run/containerd/io.containerd.runtime.v1.linux",
	};
	char dir[1100], path[1400];

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		DIR *d = opendir(host_path(dir, sizeof(dir), "%s", bases[i]));
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
		if (found)
			return 1;
	}
	return 0;
}

/* containers/storage (CRI-O, podman). */
static int read_storage(const char *id, struct k8s_attr *a, int podman)
{
	static const char *bases[] = {"/run/containers/storage", "/var/lib/containers/storage"};
	char path[1200], sb[CTR_ID_MAX] = "";
	int found = 0;

	for (size_t i = 0; i < 2 && !found; i++) {
		host_path(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
			  bases[i], id);
		found = read_oci(path, a, sb, sizeof(sb));
	}
	if (found && sb[0] && strcmp(sb, id) != 0 && strspn(sb, "0123456789abcdef") == strlen(sb)) {
		struct k8s_attr tmp;

		memset(&tmp, 0, sizeof(tmp));
		for (size_t i = 0; i < 2; i++) {
			host_path(path, sizeof(path),
				  "%s/overlay-containers/%s/userdata/config.json", bases[i], sb);
			if (read_oci(path, &tmp, NULL, 0))
				break;
		}
		setf(a->labels, sizeof(a->labels), tmp.labels);
	}
	if (podman && (!a->container_name[0] || !a->image[0])) {
		/* overlay-containers/containers.json: [{"id","names","metadata"}] */
		size_t len = 0;
		char *b;

		for (size_t i = 0; i < 2; i++) {
			const char *p, *e, *v;

			host_path(path, sizeof(path), "%s/overlay-containers/containers.json",
				  bases[i]);
			b = fs_read_all(path, JSON_MAX, &len);
			if (!b)
				continue;
			e = b + len;
			p = js_ws(b, e);
			if (p && p < e && *p == '[') {
				p++;
				while ((p = js_ws(p, e)) && p < e && *p == '{') {
					char cid[CTR_ID_MAX] = "", md[4096] = "";
					const char *next = js_skip(p, e);

					js_take(p, e, "id", cid, sizeof(cid));
					if (!strcmp(cid, id)) {
						v = js_get(p, e, "names");
						v = v ? js_ws(v, e) : NULL;
						if (v && v < e && *v == '[') {
							char nm[256] = "";

							js_str(v + 1, e, nm, sizeof(nm));
							setf(a->container_name,
							     sizeof(a->container_name), nm);
						}
						js_take(p, e, "metadata", md, sizeof(md));
						if (md[0])
							js_take(md, md + strlen(md), "image-name",
								a->image, sizeof(a->image));
						found = 1;
						break;
					}
					if (!next)
						break;
					p = js_ws(next, e);
					if (p && p < e && *p == ',')
						p++;
				}
			}
			free(b);
		}
	}
	return found;
}

/* /var/log/pods/<ns>_<pod>_<uid> and /var/log/containers/<pod>_<ns>_<name>-<id>.log */
static void read_kubelet_logs(struct k8s_attr *a)
{
	char dir[1100];
	DIR *d;
	struct dirent *de;

	if (a->ci.pod_uid[0] && (!a->pod[0] || !a->k8s_namespace[0])) {
		d = opendir(host_path(dir, sizeof(dir), "/var/log/pods"));
		while (d && (de = readdir(d))) {
			const char *u1 = strchr(de->d_name, '_');
			const char *u2 = u1 ? strchr(u1 + 1, '_') : NULL;

			if (!u2 || strchr(u2 + 1, '_') || strcmp(u2 + 1, a->ci.pod_uid) != 0)
				continue;
			if (!a->k8s_namespace[0])
				snprintf(a->k8s_namespace, sizeof(a->k8s_namespace), "%.*s",
					 (int)(u1 - de->d_name), de->d_name);
			if (!a->pod[0])
				snprintf(a->pod, sizeof(a->pod), "%.*s", (int)(u2 - u1 - 1),
					 u1 + 1);
			break;
		}
		if (d)
			closedir(d);
	}
	if (a->ci.id[0] && !a->container_name[0]) {
		size_t il = strlen(a->ci.id);

		d = opendir(host_path(dir, sizeof(dir), "/var/log/containers"));
		while (d && (de = readdir(d))) {
			size_t n = strlen(de->d_name);
			const char *u1 = strchr(de->d_name, '_');
			const char *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
			const char *tail = de->d_name + n - il - 4;

			if (!u2 || n < il + 6 || strcmp(de->d_name + n - 4, ".log") != 0 ||
			    memcmp(tail, a->ci.id, il) != 0 || tail[-1] != '-' ||
			    tail - 1 <= u2 + 1)
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
}

static void resolve_meta(struct k8s_attr *a)
{
	const char *id = a->ci.id, *rt = a->ci.runtime;
	int found = 0;

	a->meta_when = (uint64_t)mono_ns();
	if (!a->is_container) {
		a->meta_complete = 1;
		return;
	}
	if (!strcmp(rt, "docker")) {
		found = read_docker(id, a, 0);
	} else if (!strcmp(rt, "cri-o")) {
		found = read_storage(id, a, 0);
	} else if (!strcmp(rt, "podman")) {
		found = read_storage(id, a, 1);
	} else if (!strcmp(rt, "containerd")) {
		found = read_containerd(id, a);
		if (!found && a->ci.runtime_guessed && read_docker(id, a, 0)) {
			snprintf(a->ci.runtime, sizeof(a->ci.runtime), "docker");
			found = 1;
		}
	}
	if (found)
		a->ci.runtime_guessed = 0;
	if (a->ci.pod_uid[0] || !found)
		read_kubelet_logs(a);
	/* complete: nothing more will come (not a pod, or the pod is named) */
	a->meta_complete = a->ci.pod_uid[0] ? (a->pod[0] && a->k8s_namespace[0]) : 1;
}

void k8s_meta_resolve_path(const char *path, struct k8s_attr *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->cgroup_path, sizeof(a->cgroup_path), "%s", path);
	a->is_container = container_parse_path(path, &a->ci);
	resolve_meta(a);
}

/* ---- the cgroup2 index ------------------------------------------------------ */

/* A slot of the old table whose entry moved to the new one during a rescan
 * (kept occupied so probe chains stay intact). */
#define MOVED ((struct k8s_attr *)(uintptr_t)1)

struct cg_ent {
	uint64_t id;
	struct k8s_attr *a; /* a->cgroup_path is the path; NULL = free slot */
};

static struct {
	enum k8s_cgroup_mode mode;
	char mount[1100]; /* host path of the cgroup2 mount */
	char v1dir[1100]; /* a v1 hierarchy (hybrid/v1) */
	struct cg_ent *tab;
	size_t cap, n;
	uint64_t last_scan;
	int v1_containers;
	k8s_cg_fn on_remove;
	void *on_remove_arg;
} ix;

static size_t slot_of(uint64_t id, size_t cap)
{
	uint64_t h = id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (cap - 1);
}

static struct cg_ent *tab_find(struct cg_ent *t, size_t cap, uint64_t id)
{
	if (!t)
		return NULL;
	for (size_t i = slot_of(id, cap), k = 0; k < cap; i = (i + 1) & (cap - 1), k++) {
		if (!t[i].a)
			return NULL;
		if (t[i].id == id)
			return t[i].a == MOVED ? NULL : &t[i];
	}
	return NULL;
}

static int tab_put(struct cg_ent **t, size_t *cap, size_t *n, uint64_t id, struct k8s_attr *a)
{
	if ((*n + 1) * 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct cg_ent *nt = calloc(nc, sizeof(*nt));

		if (!nt)
			return -1;
		for (size_t i = 0; i < *cap; i++) {
			if ((*t)[i].a) {
				size_t j = slot_of((*t)[i].id, nc);

				while (nt[j].a)
					j = (j + 1) & (nc - 1);
				nt[j] = (*t)[i];
			}
		}
		free(*t);
		*t = nt;
		*cap = nc;
	}
	for (size_t i = slot_of(id, *cap);; i = (i + 1) & (*cap - 1)) {
		if (!(*t)[i].a) {
			(*t)[i].id = id;
			(*t)[i].a = a;
			(*n)++;
			return 0;
		}
		if ((*t)[i].id == id) {
			(*t)[i].a = a;
			return 0;
		}
	}
}

struct walk {
	struct cg_ent *tab;
	size_t cap, n;
};

/* The id the kernel reports for the cgroup directory: its file handle
 * (kernfs id, with the generation on old kernels), else the inode. */
static uint64_t cg_id(int dirfd, const char *name, uint64_t ino)
{
	struct {
		struct file_handle fh;
		unsigned char b[16];
	} h;
	int mnt;

	h.fh.handle_bytes = sizeof(h.b);
	if (name_to_handle_at(dirfd, name, &h.fh, &mnt, 0) == 0 && h.fh.handle_bytes == 8) {
		uint64_t id;

		memcpy(&id, h.fh.f_handle, 8);
		return id;
	}
	return ino;
}

static void add_cg(struct walk *w, uint64_t id, const char *rel)
{
	struct cg_ent *old = tab_find(ix.tab, ix.cap, id);
	struct k8s_attr *a;

	if (old && strcmp(old->a->cgroup_path, rel) == 0) {
		a = old->a;
		old->a = MOVED; /* not freed with the old table */
	} else {
		a = calloc(1, sizeof(*a));
		if (!a)
			return;
		snprintf(a->cgroup_path, sizeof(a->cgroup_path), "%s", rel);
		a->is_container = container_parse_path(rel, &a->ci);
		a->meta_complete = 0;
	}
	if (tab_put(&w->tab, &w->cap, &w->n, id, a))
		free(a);
}

/* What a visitor says about one cgroup directory. */
enum walk_verdict { WALK_DESCEND, WALK_STOP };
typedef enum walk_verdict (*cg_visit_fn)(void *arg, int dfd, const struct dirent *de,
					 const char *rel);

/* Visit every cgroup directory below dfd (its path rel, rl bytes long),
 * depth first, WALK_DEPTH levels at most.  1 when a visitor stopped it. */
static int walk_cgroups(int dfd, char *rel, size_t rl, int depth, cg_visit_fn visit, void *arg)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int stop = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while (!stop && (de = readdir(d))) {
		size_t nl;
		int cfd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		nl = strlen(de->d_name);
		if (rl + 1 + nl >= 1024)
			continue;
		rel[rl] = '/';
		memcpy(rel + rl + 1, de->d_name, nl + 1);
		if (visit(arg, dirfd(d), de, rel) == WALK_STOP) {
			stop = 1;
		} else if (depth < WALK_DEPTH) {
			cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (cfd >= 0)
				stop = walk_cgroups(cfd, rel, rl + 1 + nl, depth + 1, visit, arg);
		}
		rel[rl] = 0;
	}
	closedir(d);
	return stop;
}

/* Index every cgroup v2 directory by its id. */
static enum walk_verdict index_cgroup(void *arg, int dfd, const struct dirent *de, const char *rel)
{
	add_cg(arg, cg_id(dfd, de->d_name, de->d_ino), rel[0] ? rel : "/");
	return WALK_DESCEND;
}

/* Stop at the first container cgroup (v1 hierarchy, hybrid mode). */
static enum walk_verdict find_container(void *arg, int dfd, const struct dirent *de,
					const char *rel)
{
	struct container_info ci;

	(void)arg;
	(void)dfd;
	(void)de;
	return container_parse_path(rel, &ci) ? WALK_STOP : WALK_DESCEND;
}

void k8s_meta_rescan(int force)
{
	struct walk w = {0};
	char rel[1024] = "";
	uint64_t t = (uint64_t)mono_ns();
	int fd;
	struct stat st;

	if (!ix.mount[0] || (!force && t - ix.last_scan < 250000000ULL))
		return;
	ix.last_scan = t;
	fd = open(ix.mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0)
		add_cg(&w, st.st_ino, "/"); /* the root cgroup: id 1 */
	walk_cgroups(fd, rel, 0, 0, index_cgroup, &w);
	/* what is left in the old table is gone */
	for (size_t i = 0; i < ix.cap; i++) {
		struct k8s_attr *a = ix.tab[i].a;

		if (!a || a == MOVED)
			continue;
		if (ix.on_remove)
			ix.on_remove(ix.tab[i].id, a, ix.on_remove_arg);
		free(a);
	}
	free(ix.tab);
	ix.tab = w.tab;
	ix.cap = w.cap;
	ix.n = w.n;
	if (ix.mode == K8S_CG_HYBRID && ix.v1dir[0]) {
		fd = open(ix.v1dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rel[0] = 0;
		ix.v1_containers = fd >= 0 ? walk_cgroups(fd, rel, 0, 0, find_container, NULL) : 0;
	}
}

static int is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_MAGIC;
}

enum k8s_cgroup_mode k8s_meta_init(const char **note)
{
	static char msg[1400];
	char p[1100];
	static const char *v1s[] = {"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/memory",
				    "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpu"};

	*note = NULL;
	memset(&ix.mode, 0, sizeof(ix.mode));
	ix.mount[0] = ix.v1dir[0] = 0;
	for (size_t i = 0; i < sizeof(v1s) / sizeof(v1s[0]); i++) {
		struct statfs sf;

		host_path(p, sizeof(p), "%s", v1s[i]);
		if (statfs(p, &sf) == 0 && sf.f_type == 0x27e0eb /* CGROUP_SUPER_MAGIC */) {
			snprintf(ix.v1dir, sizeof(ix.v1dir), "%s", p);
			break;
		}
	}
	if (is_cgroup2(host_path(p, sizeof(p), "/sys/fs/cgroup"))) {
		ix.mode = K8S_CG_UNIFIED;
		snprintf(ix.mount, sizeof(ix.mount), "%s", p);
	} else if (is_cgroup2(host_path(p, sizeof(p), "/sys/fs/cgroup/unified"))) {
		ix.mode = K8S_CG_HYBRID;
		snprintf(ix.mount, sizeof(ix.mount), "%s", p);
	} else {
		/* elsewhere: the host's mount table */
		char line[2048];
		FILE *f = fopen(host_path(p, sizeof(p), "/proc/1/mountinfo"), "re");

		while (f && fgets(line, sizeof(line), f)) {
			char mp[1024], *sep = strstr(line, " - cgroup2 ");

			if (sep && sscanf(line, "%*s %*s %*s %*s %1023s", mp) == 1) {
				host_path(p, sizeof(p), "%s", mp);
				if (is_cgroup2(p)) {
					ix.mode = K8S_CG_HYBRID;
					snprintf(ix.mount, sizeof(ix.mount), "%s", p);
					break;
				}
			}
		}
		if (f)
			fclose(f);
	}
	if (!ix.mount[0]) {
		ix.mode = ix.v1dir[0] ? K8S_CG_V1 : K8S_CG_NONE;
		snprintf(msg, sizeof(msg),
			 "no cgroup2 mount under %s/sys/fs/cgroup: containers are attributed "
			 "from /proc/PID/cgroup while the process lives (one that exits before "
			 "its event is read is not), and cgroup filters run in user space only",
			 host_root());
		*note = msg;
		return ix.mode;
	}
	k8s_meta_rescan(1);
	if (ix.mode == K8S_CG_HYBRID) {
		snprintf(msg, sizeof(msg),
			 "cgroup hybrid mode (v2 at %s): containers the runtime keeps in v1 "
			 "hierarchies only are attributed from /proc/PID/cgroup while the "
			 "process lives%s",
			 ix.mount,
			 ix.v1_containers ? "; v1 holds container cgroups, so host/container "
					    "filters partly run in user space"
					  : "");
		*note = msg;
	}
	return ix.mode;
}

const char *k8s_meta_cgroup2_mount(void)
{
	return ix.mount;
}

int k8s_meta_v2_authoritative(void)
{
	return ix.mode == K8S_CG_UNIFIED || (ix.mode == K8S_CG_HYBRID && !ix.v1_containers);
}

static void ensure_meta(struct k8s_attr *a)
{
	if (!a->meta_complete &&
	    (!a->meta_when || (uint64_t)mono_ns() - a->meta_when >= META_RETRY_NS)) {
		int kmap = a->kmap;
		struct container_info keep = a->ci;

		/* re-read from scratch, keeping what the path said */
		memset(a->pod, 0, sizeof(a->pod));
		memset(a->k8s_namespace, 0, sizeof(a->k8s_namespace));
		memset(a->container_name, 0, sizeof(a->container_name));
		memset(a->image, 0, sizeof(a->image));
		memset(a->labels, 0, sizeof(a->labels));
		a->ci = keep;
		resolve_meta(a);
		a->kmap = kmap;
	}
}

void k8s_meta_foreach(int want_meta, k8s_cg_fn fn, void *arg)
{
	for (size_t i = 0; i < ix.cap; i++) {
		struct k8s_attr *a = ix.tab[i].a;

		if (!a)
			continue;
		if (want_meta)
			ensure_meta(a);
		fn(ix.tab[i].id, a, arg);
	}
}

void k8s_meta_on_remove(k8s_cg_fn fn, void *arg)
{
	ix.on_remove = fn;
	ix.on_remove_arg = arg;
}

/* ---- per event ---------------------------------------------------------------- */

#define PID_SLOTS 256

static struct {
	uint32_t pid;
	uint64_t when;
	struct k8s_attr a;
} pid_cache[PID_SLOTS];

int k8s_meta_attr(uint64_t cgroup_id, uint32_t pid, struct k8s_attr *out)
{
	struct cg_ent *e = NULL;

	if (cgroup_id && ix.mount[0]) {
		e = tab_find(ix.tab, ix.cap, cgroup_id);
		if (!e && cgroup_id >> 32)
			e = tab_find(ix.tab, ix.cap, cgroup_id & 0xffffffffULL);
		if (!e) {
			k8s_meta_rescan(0);
			e = tab_find(ix.tab, ix.cap, cgroup_id);
		}
	}
	/* v2 says container, or v2 is all there is: done */
	if (e && (e->a->is_container || ix.mode == K8S_CG_UNIFIED)) {
		ensure_meta(e->a);
		*out = *e->a;
		return 1;
	}
	/* /proc/PID/cgroup: v1 hierarchies (hybrid, legacy), or a miss */
	if (pid) {
		uint64_t t = (uint64_t)mono_ns();
		size_t s = pid % PID_SLOTS;

		if (pid_cache[s].pid != pid || t - pid_cache[s].when > 2000000000ULL) {
			char p[1100], path[1024];
			size_t len = 0;
			char *b = fs_read_all(host_path(p, sizeof(p), "/proc/%u/cgroup", pid),
					      JSON_MAX, &len);
			struct container_info ci;

			memset(&pid_cache[s], 0, sizeof(pid_cache[s]));
			if (b) {
				container_parse_proc_cgroup(b, len, &ci, path, sizeof(path));
				free(b);
				pid_cache[s].pid = pid;
				pid_cache[s].when = t;
				if (e && !ci.id[0]) {
					pid_cache[s].a = *e->a; /* v1 adds nothing */
					ensure_meta(e->a);
					pid_cache[s].a = *e->a;
				} else {
					k8s_meta_resolve_path(path, &pid_cache[s].a);
					pid_cache[s].a.from_proc = 1;
				}
			}
		}
		if (pid_cache[s].pid == pid) {
			*out = pid_cache[s].a;
			return 1;
		}
	}
	if (e) {
		ensure_meta(e->a);
		*out = *e->a;
		return 1;
	}
	memset(out, 0, sizeof(*out));
	return 0;
}
