/* container.c - cgroup path -> container runtime, id, pod UID, QoS class.
 * See container.h for the shapes recognised. */
#include "enrich/container.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

/* One path component: [s, s + n). */
struct comp {
	const char *s;
	size_t n;
};

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]))
			return 0;
	return 1;
}

static int has_prefix(const struct comp *c, const char *p)
{
	size_t l = strlen(p);

	return c->n >= l && memcmp(c->s, p, l) == 0;
}

static int has_suffix(const struct comp *c, const char *p)
{
	size_t l = strlen(p);

	return c->n >= l && memcmp(c->s + c->n - l, p, l) == 0;
}

static int comp_is(const struct comp *c, const char *p)
{
	return c->n == strlen(p) && memcmp(c->s, p, c->n) == 0;
}

static void copy_n(char *dst, size_t dl, const char *s, size_t n)
{
	if (n >= dl)
		n = dl - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* Container id: 12..128 lowercase hex digits (runtimes use 64). */
static int id_ok(const char *s, size_t n)
{
	return n >= 12 && n < CTR_ID_MAX && all_hex(s, n);
}

/* Pod UID: 32 hex digits and 4 separators ('-', or '_' in systemd names),
 * or a static pod's config hash (32 hex digits, no separators). */
static int uid_ok(const char *s, size_t n)
{
	size_t hex = 0;

	if (n != 36 && n != 32)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (is_hex(s[i]))
			hex++;
		else if (n != 36 || (s[i] != '-' && s[i] != '_') ||
			 (i != 8 && i != 13 && i != 18 && i != 23))
			return 0;
	}
	return hex == 32;
}

static void set_uid(struct container_info *ci, const char *s, size_t n)
{
	copy_n(ci->pod_uid, sizeof(ci->pod_uid), s, n);
	for (char *p = ci->pod_uid; *p; p++)
		if (*p == '_')
			*p = '-';
}

/* "<prefix><id>.scope" (systemd) or "<prefix><id>" (cgroupfs) -> id. */
static int prefixed_id(const struct comp *c, const char *prefix, const char **id, size_t *n,
		       int *systemd)
{
	size_t pl = strlen(prefix), l;

	if (!has_prefix(c, prefix))
		return 0;
	l = c->n - pl;
	*systemd = has_suffix(c, ".scope");
	if (*systemd)
		l -= 6;
	if (!id_ok(c->s + pl, l))
		return 0;
	*id = c->s + pl;
	*n = l;
	return 1;
}

struct rt_pattern {
	const char *prefix;
	const char *runtime;
};

static const struct rt_pattern patterns[] = {
    {"cri-containerd-", "containerd"},
    {"crio-", "cri-o"},
    {"docker-", "docker"},
    {"libpod-", "podman"},
    {"nerdctl-", "containerd"},
};

static const char *qos_of(const char *s, size_t n)
{
	if (n == 9 && memcmp(s, "burstable", 9) == 0)
		return "burstable";
	if (n == 10 && memcmp(s, "besteffort", 10) == 0)
		return "besteffort";
	return NULL;
}

/* systemd pod slice: "[<anything>-]kubepods[-<qos>]-pod<uid>.slice".  kind's
 * "kubelet-kubepods-besteffort-pod<uid>.slice" included. */
static int pod_slice(const struct comp *c, struct container_info *ci)
{
	const char *k, *end = c->s + c->n - 6, *p, *q;
	const char *qos;

	if (!has_suffix(c, ".slice") || c->n < 6 + 4)
		return 0;
	k = memmem(c->s, c->n, "kubepods-", 9);
	if (!k)
		return 0;
	p = k + 9;
	q = memmem(p, (size_t)(end - p), "pod", 3);
	if (!q || !uid_ok(q + 3, (size_t)(end - q - 3)))
		return 0;
	if (q == p) {
		qos = "guaranteed";
	} else {
		if (q[-1] != '-')
			return 0;
		qos = qos_of(p, (size_t)(q - 1 - p));
		if (!qos)
			return 0;
	}
	set_uid(ci, q + 3, (size_t)(end - q - 3));
	snprintf(ci->qos, sizeof(ci->qos), "%s", qos);
	snprintf(ci->driver, sizeof(ci->driver), "systemd");
	return 1;
}

/* Split path into components; ".." and "." (paths relative to a cgroup
 * namespace) are skipped.  Returns the number kept (at most max). */
static size_t split_path(const char *s, struct comp *comps, size_t max)
{
	size_t nc = 0;

	while (*s && nc < max) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		if (!((e - s == 1 && s[0] == '.') || (e - s == 2 && s[0] == '.' && s[1] == '.'))) {
			comps[nc].s = s;
			comps[nc].n = (size_t)(e - s);
			nc++;
		}
		s = e;
	}
	return nc;
}

/* Is component i part of a pod's path (systemd slices, or cgroupfs
 * /kubepods[/<qos>]/pod<uid>)?  Updates *pod and *kube (the index of the
 * last kubepods component) when it is. */
static int pod_component(const struct comp *comps, size_t i, struct container_info *pod,
			 size_t *kube)
{
	const struct comp *c = &comps[i];
	int after_kube = *kube != (size_t)-1 && i == *kube + 1;

	if (pod_slice(c, pod) || comp_is(c, "kubepods") || comp_is(c, "kubepods.slice") ||
	    (has_suffix(c, "-kubepods.slice") && !has_prefix(c, "kubepods-")) ||
	    (after_kube && qos_of(c->s, c->n))) {
		*kube = i;
		return 1;
	}
	if (after_kube && has_prefix(c, "pod") && uid_ok(c->s + 3, c->n - 3)) {
		const char *q = qos_of(comps[i - 1].s, comps[i - 1].n);

		set_uid(pod, c->s + 3, c->n - 3);
		snprintf(pod->qos, sizeof(pod->qos), "%s", q ? q : "guaranteed");
		snprintf(pod->driver, sizeof(pod->driver), "cgroupfs");
		*kube = i;
		return 1;
	}
	return 0;
}

/* The container component i names, if any: its runtime, id and how it
 * was recognised. */
struct ctr_match {
	const char *rt, *id;
	size_t idn;
	int systemd, guessed;
};

static int container_component(const struct comp *comps, size_t i, const struct container_info *pod,
			       size_t kube, struct ctr_match *m)
{
	const struct comp *c = &comps[i];

	memset(m, 0, sizeof(*m));
	for (size_t k = 0; k < sizeof(patterns) / sizeof(patterns[0]) && !m->id; k++)
		if (prefixed_id(c, patterns[k].prefix, &m->id, &m->idn, &m->systemd))
			m->rt = patterns[k].runtime;
	if (m->id)
		return 1;
	/* cgroupfs docker: /docker/<id>.  (A bare id under podman's
	 * /libpod_parent is a pod, whose containers are libpod-<id> below it.) */
	if (i > 0 && comp_is(&comps[i - 1], "docker") && id_ok(c->s, c->n))
		m->rt = "docker";
	else if (kube != (size_t)-1 && i == kube + 1 && pod->pod_uid[0] && c->n == 64 &&
		 all_hex(c->s, c->n)) {
		m->rt = "containerd"; /* cgroupfs kubelet: /kubepods/<qos>/pod<uid>/<id> */
		m->guessed = 1;
	}
	if (!m->rt)
		return 0;
	m->id = c->s;
	m->idn = c->n;
	return 1;
}

int container_parse_path(const char *path, struct container_info *ci)
{
	struct comp comps[64];
	struct container_info pod; /* the pod seen last (uid, qos, driver) */
	size_t nc, kube = (size_t)-1;
	int found = 0;

	memset(ci, 0, sizeof(*ci));
	memset(&pod, 0, sizeof(pod));
	nc = split_path(path ? path : "", comps, sizeof(comps) / sizeof(comps[0]));
	for (size_t i = 0; i < nc; i++) {
		struct ctr_match m;

		if (pod_component(comps, i, &pod, &kube) ||
		    !container_component(comps, i, &pod, kube, &m))
			continue;
		*ci = pod;
		snprintf(ci->runtime, sizeof(ci->runtime), "%s", m.rt);
		copy_n(ci->id, sizeof(ci->id), m.id, m.idn);
		ci->runtime_guessed = m.guessed;
		if (m.systemd)
			snprintf(ci->driver, sizeof(ci->driver), "systemd");
		else if (!ci->driver[0])
			snprintf(ci->driver, sizeof(ci->driver), "cgroupfs");
		found = 1;
		/* what follows is inside this container (its own pods, in
		 * kind or docker-in-docker): start afresh */
		memset(&pod, 0, sizeof(pod));
		kube = (size_t)-1;
	}
	if (!found) /* a pod cgroup, or nothing */
		*ci = pod;
	return found;
}

int container_parse_proc_cgroup(const char *text, size_t len, struct container_info *info,
				char *path, size_t pathlen)
{
	char line[1024];
	struct container_info ci;
	int best = -1, pass;

	memset(info, 0, sizeof(*info));
	if (path && pathlen)
		path[0] = 0;
	/* pass 0: the unified line ("0::"); pass 1: every other line */
	for (pass = 0; pass < 2; pass++) {
		size_t i = 0;

		while (i < len) {
			size_t e = i, l;
			const char *c1, *c2;

			while (e < len && text[e] != '\n')
				e++;
			l = e - i;
			i = e + 1;
			if (l >= sizeof(line))
				continue; /* cut short, its path would name another cgroup */
			memcpy(line, text + e - l, l);
			line[l] = 0;
			c1 = strchr(line, ':');
			c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (!c2)
				continue;
			if ((c2 == c1 + 1) != (pass == 0))
				continue;
			if (container_parse_path(c2 + 1, &ci)) {
				*info = ci;
				if (path && pathlen)
					snprintf(path, pathlen, "%s", c2 + 1);
				return 1;
			}
			if (best < 0 || (ci.pod_uid[0] && !info->pod_uid[0])) {
				*info = ci;
				best = 1;
				if (path && pathlen)
					snprintf(path, pathlen, "%s", c2 + 1);
			}
		}
	}
	return 0;
}

/* ---- filters ------------------------------------------------------------- */

int container_filter_active(const struct container_filter *f)
{
	return f->host_only || f->containers_only || f->container || f->pod_uid ||
	       f->k8s_namespace || f->pod;
}

int container_filter_needs_meta(const struct container_filter *f)
{
	return f->k8s_namespace || f->pod || f->container;
}

static int id_prefix(const char *id, const char *want)
{
	size_t n = strlen(want);

	if (!n || n > strlen(id))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a = id[i], b = want[i];

		if (b >= 'A' && b <= 'F')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

int container_filter_eval(const struct container_filter *f, const struct container_facts *c)
{
	int undecided = 0;

	if (f->host_only && c->is_container)
		return CF_DROP;
	if (f->host_only && !c->is_container && !f->containers_only && !f->container &&
	    !f->pod_uid && !f->k8s_namespace && !f->pod)
		return CF_PASS;
	if (f->host_only)
		return CF_DROP; /* --host with a container filter: nothing matches */
	if ((f->containers_only || f->container || f->pod_uid || f->k8s_namespace || f->pod) &&
	    !c->is_container)
		return CF_DROP;
	if (f->pod_uid && strcmp(str_or_empty(c->pod_uid), f->pod_uid) != 0)
		return CF_DROP;
	if (f->container && !id_prefix(str_or_empty(c->id), f->container)) {
		if (!c->meta_complete)
			undecided = 1;
		else if (strcmp(str_or_empty(c->name), f->container) != 0)
			return CF_DROP;
	}
	if (f->k8s_namespace) {
		if (!c->meta_complete)
			undecided = 1;
		else if (strcmp(str_or_empty(c->k8s_namespace), f->k8s_namespace) != 0)
			return CF_DROP;
	}
	if (f->pod) {
		if (!c->meta_complete)
			undecided = 1;
		else if (strcmp(str_or_empty(c->pod), f->pod) != 0)
			return CF_DROP;
	}
	return undecided ? CF_UNDECIDED : CF_PASS;
}
