/* cgroup_filter.c - the cgroup_filter map holds a 0 for every indexed
 * cgroup the filter surely drops: container cgroups that do not match, and
 * (only where the cgroup2 path is authoritative for "host") host cgroups
 * under a container filter.  Cgroups not yet resolved (metadata still
 * missing) stay out of the map: the kernel passes them and user space
 * decides. */
#include <stdio.h>

#include <bpf/bpf.h>

#include "live/cgroup_filter.h"
#include "enrich/container.h"
#include "enrich/k8s_meta.h"
#include "kern/dnsvis.h"

struct cg_sync {
	int fd;
	const struct container_filter *f;
	int auth;
};

static int cg_map_fd = -1;

static void cg_sync_one(uint64_t id, struct k8s_attr *a, void *arg)
{
	const struct cg_sync *s = arg;
	struct container_facts c = {a->is_container,  a->ci.id, a->container_name, a->ci.pod_uid,
				    a->k8s_namespace, a->pod,	a->meta_complete};
	int v = container_filter_eval(s->f, &c);
	int drop = v == CF_DROP && (a->is_container || s->auth);
	__u64 key = id;
	__u8 zero = 0;

	if (drop && !a->kmap) {
		if (bpf_map_update_elem(s->fd, &key, &zero, BPF_ANY) == 0)
			a->kmap = 1;
	} else if (!drop && a->kmap) {
		bpf_map_delete_elem(s->fd, &key);
		a->kmap = 0;
	}
}

static void cg_gone(uint64_t id, struct k8s_attr *a, void *arg)
{
	__u64 key = id;

	if (a->kmap)
		bpf_map_delete_elem(*(int *)arg, &key);
}

void cgroup_filter_tick(const struct container_filter *cf)
{
	struct cg_sync s = {cg_map_fd, cf, k8s_meta_v2_authoritative()};

	k8s_meta_rescan(1);
	if (cg_map_fd >= 0)
		k8s_meta_foreach(container_filter_needs_meta(cf), cg_sync_one, &s);
}

static void config_set_cgroup_flag(int config_fd)
{
	struct dv_config cfg;
	__u32 k = 0;

	if (bpf_map_lookup_elem(config_fd, &k, &cfg) == 0) {
		cfg.flags |= DV_CFG_CGROUP;
		bpf_map_update_elem(config_fd, &k, &cfg, BPF_ANY);
	}
}

void cgroup_filter_start(const struct container_filter *cf, int verbose, int map_fd, int config_fd)
{
	const char *note = NULL;
	enum k8s_cgroup_mode mode = k8s_meta_init(&note);

	if (note && (mode == K8S_CG_V1 || mode == K8S_CG_NONE || verbose ||
		     (container_filter_active(cf) && !k8s_meta_v2_authoritative())))
		fprintf(stderr, "dnsvis: %s\n", note);
	if (!container_filter_active(cf) || !k8s_meta_cgroup2_mount()[0])
		return;
	cg_map_fd = map_fd;
	k8s_meta_on_remove(cg_gone, &cg_map_fd);
	cgroup_filter_tick(cf);
	config_set_cgroup_flag(config_fd);
}
