/* cgroup_filter.h - let the kernel drop the events of cgroups that the
 * container filter (--host, --containers, --container, --pod...) surely
 * drops, by keeping the BPF cgroup_filter map in step with the cgroup index
 * of k8s_meta.  User space still decides the rest. */
#ifndef DNSVIS_CGROUP_FILTER_H
#define DNSVIS_CGROUP_FILTER_H

struct container_filter;

/* Index the cgroups; with a cgroup-scoped filter, fill the map (map_fd) and
 * turn it on in the config map (config_fd).  verbose: say every note. */
void cgroup_filter_start(const struct container_filter *cf, int verbose, int map_fd, int config_fd);

/* Rescan the cgroup tree and bring the map up to date (every second). */
void cgroup_filter_tick(const struct container_filter *cf);

#endif
