/* sock_seed.c - connected DNS sockets that predate dnsvis, from /proc (the
 * host's, under --host-root): for each network namespace (by
 * /proc/PID/ns/net) the socket tables give the inodes of the connected DNS
 * sockets, then /proc/PID/fd/N -> socket:[inode] gives their {tgid, fd}.
 * Every namespace and every socket is taken: the sets grow as needed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "enrich/host_root.h"
#include "wire/port_set.h"
#include "live/sock_seed.h"
#include "kern/dnsvis.h"

/* A set of inode numbers (never 0), open addressing, capacity a power of
 * two kept at most half full. */
struct ino_set {
	unsigned long *v;
	size_t n, cap;
};

static size_t ino_slot(const struct ino_set *s, unsigned long ino)
{
	size_t i = (size_t)(ino * 0x9E3779B97F4A7C15ULL) & (s->cap - 1);

	while (s->v[i] && s->v[i] != ino)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int ino_has(const struct ino_set *s, unsigned long ino)
{
	return s->cap && s->v[ino_slot(s, ino)] == ino;
}

/* Twice the room (256 slots at first).  0, or -1 out of memory. */
static int ino_grow(struct ino_set *s)
{
	size_t cap = s->cap ? 2 * s->cap : 256;
	struct ino_set g = {calloc(cap, sizeof(*g.v)), 0, cap};

	if (!g.v)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->v[i]) {
			g.v[ino_slot(&g, s->v[i])] = s->v[i];
			g.n++;
		}
	free(s->v);
	*s = g;
	return 0;
}

/* 1 added, 0 already there, -1 out of memory. */
static int ino_add(struct ino_set *s, unsigned long ino)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap && ino_grow(s) != 0)
		return -1;
	i = ino_slot(s, ino);
	if (s->v[i])
		return 0;
	s->v[i] = ino;
	s->n++;
	return 1;
}

/* The connected DNS sockets found so far, and the network namespaces
 * already scanned. */
struct dns_inodes {
	struct ino_set netns, socks;
	int oom;
};

static int is_pid_dir(const struct dirent *de)
{
	return de->d_name[0] >= '1' && de->d_name[0] <= '9';
}

/* Socket inodes whose peer port is in the set, from one /proc/PID/net file. */
static void scan_net_file(const char *path, const struct port_set *ps, struct dns_inodes *di)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char rem[64];
		unsigned rport, st;
		unsigned long ino;
		char *colon;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, "%*s %*s %63s %x %*s %*s %*s %*s %*s %lu", rem, &st, &ino) != 3)
			continue;
		colon = strrchr(rem, ':');
		if (!colon || sscanf(colon + 1, "%x", &rport) != 1)
			continue;
		/* UDP connected = 01 (ESTABLISHED); TCP established = 01 too */
		if (st != 1 || !port_set_has(ps, (uint16_t)rport) || ino == 0)
			continue;
		if (ino_add(&di->socks, ino) < 0)
			di->oom = 1;
	}
	fclose(f);
}

/* The socket tables of pid's network namespace, unless already scanned. */
static void scan_pid_netns(const char *pid, const struct port_set *ps, struct dns_inodes *di)
{
	static const char *files[] = {"udp", "udp6", "tcp", "tcp6"};
	char p[1200], l[128];
	unsigned long ns;
	ssize_t k;
	int added;

	k = readlink(host_path(p, sizeof(p), "/proc/%s/ns/net", pid), l, sizeof(l) - 1);
	if (k <= 0)
		return;
	l[k] = 0;
	if (sscanf(l, "net:[%lu]", &ns) != 1 || ns == 0)
		return;
	added = ino_add(&di->netns, ns);
	if (added < 0)
		di->oom = 1;
	if (added <= 0)
		return;
	for (unsigned i = 0; i < 4; i++)
		scan_net_file(host_path(p, sizeof(p), "/proc/%s/net/%s", pid, files[i]), ps, di);
}

/* The kernel skips the dns_socks lookup for an fd number whose count is 0
 * (kern/dnsvis.h DV_FD_PINNED): an fd seeded from here is pinned, a value
 * the kernel's own concurrent counting cannot take back to 0. */
static void pin_fd(int counts_fd, unsigned fd)
{
	__u32 n = DV_FD_PINNED;

	if (fd < DV_FD_COUNTS)
		bpf_map_update_elem(counts_fd, &fd, &n, BPF_ANY);
}

/* Add pid's descriptors that are one of those sockets; how many. */
static unsigned seed_pid_fds(int map_fd, int counts_fd, const char *pid,
			     const struct dns_inodes *di)
{
	char p[1200], l[128];
	struct dirent *fe;
	unsigned added = 0;
	DIR *fdd;

	fdd = opendir(host_path(p, sizeof(p), "/proc/%s/fd", pid));
	if (!fdd)
		return 0;
	while ((fe = readdir(fdd))) {
		unsigned long ino;
		ssize_t k;

		if (fe->d_name[0] < '0' || fe->d_name[0] > '9')
			continue;
		k = readlink(host_path(p, sizeof(p), "/proc/%s/fd/%s", pid, fe->d_name), l,
			     sizeof(l) - 1);
		if (k <= 0)
			continue;
		l[k] = 0;
		if (sscanf(l, "socket:[%lu]", &ino) != 1 || !ino_has(&di->socks, ino))
			continue;
		struct dv_sock_key key = {.tgid = (unsigned)atoi(pid),
					  .fd = (unsigned)atoi(fe->d_name)};
		struct dv_sock_val val = {0};

		pin_fd(counts_fd, key.fd); /* before: no send in between is missed */
		if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY) == 0)
			added++;
	}
	closedir(fdd);
	return added;
}

unsigned sock_seed(int map_fd, int counts_fd, const struct port_set *ps)
{
	struct dns_inodes di;
	char p[1100];
	struct dirent *de;
	unsigned added = 0;
	DIR *d;

	/* another pid namespace's /proc would give other processes' fds */
	if (!host_proc_is_host())
		return 0;
	d = opendir(host_path(p, sizeof(p), "/proc"));
	if (!d)
		return 0;
	memset(&di, 0, sizeof(di));
	/* pass 1: the socket tables of every network namespace */
	while ((de = readdir(d)))
		if (is_pid_dir(de))
			scan_pid_netns(de->d_name, ps, &di);
	/* pass 2: which descriptors are those sockets */
	if (di.socks.n > 0) {
		rewinddir(d);
		while ((de = readdir(d)))
			if (is_pid_dir(de))
				added += seed_pid_fds(map_fd, counts_fd, de->d_name, &di);
	}
	closedir(d);
	if (di.oom)
		fprintf(stderr, "dnsvis: out of memory listing connected sockets: some sockets "
				"connected before the start are not seen\n");
	free(di.netns.v);
	free(di.socks.v);
	return added;
}

void sock_prune(int map_fd)
{
	struct dv_sock_key k, next, dead[256];
	unsigned nd = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		if (host_pid_alive(next.tgid) == 0 && nd < 256)
			dead[nd++] = next;
		k = next;
		prev = &k;
	}
	for (unsigned i = 0; i < nd; i++)
		bpf_map_delete_elem(map_fd, &dead[i]);
}
