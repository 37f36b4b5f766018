/* k8s_meta.c - who sent an event: the cgroup index (cgroup_index.c) or
 * /proc/PID/cgroup for the cgroup, the runtimes' state files
 * (runtime_state.c) for its names (see k8s_meta.h). */
#include "enrich/k8s_meta.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/cgroup_index.h"
#include "enrich/container.h"
#include "enrich/host_root.h"
#include "enrich/runtime_state.h"
#include "util/clock.h"
#include "util/fs.h"

#define META_RETRY_NS	(1000000000ULL)
#define PROC_CGROUP_MAX (4u << 20) /* bytes of /proc/PID/cgroup read */
#define PID_SLOTS	256
#define PID_CACHE_NS	2000000000ULL

enum k8s_cgroup_mode k8s_meta_init(const char **note)
{
	return cgroup_index_init(note);
}

void k8s_meta_rescan(int force)
{
	cgroup_index_rescan(force);
}

const char *k8s_meta_cgroup2_mount(void)
{
	return cgroup_index_mount();
}

int k8s_meta_v2_authoritative(void)
{
	return cgroup_index_v2_authoritative();
}

void k8s_meta_on_remove(k8s_cg_fn fn, void *arg)
{
	cgroup_index_on_remove(fn, arg);
}

void k8s_meta_resolve_path(const char *path, struct k8s_attr *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->cgroup_path, sizeof(a->cgroup_path), "%s", path);
	a->is_container = container_parse_path(path, &a->ci) || runtime_state_probe(a);
	runtime_state_resolve(a);
}

/* Metadata of an indexed cgroup: read at first use, and read again from
 * scratch (keeping what the path said) every META_RETRY_NS while
 * incomplete. */
static void ensure_meta(struct k8s_attr *a)
{
	if (!a->meta_complete &&
	    (!a->meta_when || (uint64_t)mono_ns() - a->meta_when >= META_RETRY_NS)) {
		int kmap = a->kmap;
		struct container_info keep = a->ci;

		memset(a->pod, 0, sizeof(a->pod));
		memset(a->k8s_namespace, 0, sizeof(a->k8s_namespace));
		memset(a->container_name, 0, sizeof(a->container_name));
		memset(a->image, 0, sizeof(a->image));
		memset(a->labels, 0, sizeof(a->labels));
		a->ci = keep;
		runtime_state_resolve(a);
		a->kmap = kmap;
	}
}

struct foreach_ctx {
	k8s_cg_fn fn;
	void *arg;
};

static void with_meta(uint64_t id, struct k8s_attr *a, void *arg)
{
	const struct foreach_ctx *c = arg;

	ensure_meta(a);
	c->fn(id, a, c->arg);
}

void k8s_meta_foreach(int want_meta, k8s_cg_fn fn, void *arg)
{
	struct foreach_ctx c = {fn, arg};

	if (want_meta)
		cgroup_index_foreach(with_meta, &c);
	else
		cgroup_index_foreach(fn, arg);
}

/* ---- per event ---------------------------------------------------------------- */

static struct {
	uint32_t pid;
	uint64_t when;
	struct k8s_attr a;
} pid_cache[PID_SLOTS];

/* Attribution through /proc/PID/cgroup (v1 hierarchies, or an index miss),
 * cached per pid for PID_CACHE_NS; ca is the index's entry, if any.  1
 * with *out filled, 0 when the pid is gone. */
static int attr_from_proc(uint32_t pid, struct k8s_attr *ca, struct k8s_attr *out)
{
	uint64_t t = (uint64_t)mono_ns();
	size_t s = pid % PID_SLOTS;

	if (pid_cache[s].pid != pid || t - pid_cache[s].when > PID_CACHE_NS) {
		char p[1100], path[1024];
		size_t len = 0;
		char *b = fs_read_all(host_path(p, sizeof(p), "/proc/%u/cgroup", pid),
				      PROC_CGROUP_MAX, &len);
		struct container_info ci;

		memset(&pid_cache[s], 0, sizeof(pid_cache[s]));
		if (b) {
			container_parse_proc_cgroup(b, len, &ci, path, sizeof(path));
			free(b);
			pid_cache[s].pid = pid;
			pid_cache[s].when = t;
			if (ca && !ci.id[0]) {
				pid_cache[s].a = *ca; /* v1 adds nothing */
				ensure_meta(ca);
				pid_cache[s].a = *ca;
			} else {
				k8s_meta_resolve_path(path, &pid_cache[s].a);
				pid_cache[s].a.from_proc = 1;
			}
		}
	}
	if (pid_cache[s].pid != pid)
		return 0;
	*out = pid_cache[s].a;
	return 1;
}

int k8s_meta_attr(uint64_t cgroup_id, uint32_t pid, struct k8s_attr *out)
{
	struct k8s_attr *ca = cgroup_index_find(cgroup_id);

	/* v2 says container, or v2 is all there is: done */
	if (ca && (ca->is_container || cgroup_index_mode() == K8S_CG_UNIFIED)) {
		ensure_meta(ca);
		*out = *ca;
		return 1;
	}
	if (pid && attr_from_proc(pid, ca, out))
		return 1;
	if (ca) {
		ensure_meta(ca);
		*out = *ca;
		return 1;
	}
	memset(out, 0, sizeof(*out));
	return 0;
}

const char *k8s_meta_summary(char *buf, size_t len)
{
	struct cgroup_index_stats st;

	cgroup_index_get_stats(&st);
	buf[0] = 0;
	if (st.held || st.misses || st.overflows || st.unwatched)
		snprintf(buf, len,
			 "cgroups: %llu found as made, %llu lookups waited for the watcher "
			 "(%llu in vain), %llu not found, %llu watch queue overflows, %llu "
			 "not watched (inotify limit)",
			 st.watched, st.held, st.hold_timeouts, st.misses, st.overflows,
			 st.unwatched);
	return buf;
}
