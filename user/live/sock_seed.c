/* sock_seed.c - connected DNS sockets that predate dnsvis, from /proc: for
 * each network namespace (by /proc/PID/ns/net) the socket tables give the
 * inodes of the connected DNS sockets, then /proc/PID/fd/N -> socket:[inode]
 * gives their {tgid, fd}. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "wire/port_set.h"
#include "live/sock_seed.h"
#include "kern/dnsvis.h"

enum { MAXNS = 64, MAXINO = 4096 };

/* Inodes of the connected DNS sockets found so far, and the network
 * namespaces already scanned. */
struct dns_inodes {
	unsigned long netns[MAXNS];
	unsigned long ino[MAXINO];
	size_t nns, nino;
};

static int ino_in(const unsigned long *v, size_t n, unsigned long ino)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == ino)
			return 1;
	return 0;
}

static int is_pid_dir(const struct dirent *de)
{
	return de->d_name[0] >= '1' && de->d_name[0] <= '9';
}

/* Socket inodes whose peer port is in the set, from one /proc/PID/net file. */
static void scan_net_file(const char *path, const struct port_set *ps, unsigned long *inodes,
			  size_t *n, size_t max)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f) && *n < max) {
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
		inodes[(*n)++] = ino;
	}
	fclose(f);
}

/* The socket tables of pid's network namespace, unless already scanned. */
static void scan_pid_netns(const char *pid, const struct port_set *ps, struct dns_inodes *di)
{
	static const char *files[] = {"udp", "udp6", "tcp", "tcp6"};
	char p[600], l[128];
	unsigned long ns;
	ssize_t k;

	snprintf(p, sizeof(p), "/proc/%s/ns/net", pid);
	k = readlink(p, l, sizeof(l) - 1);
	if (k <= 0)
		return;
	l[k] = 0;
	if (sscanf(l, "net:[%lu]", &ns) != 1 || ino_in(di->netns, di->nns, ns) || di->nns >= MAXNS)
		return;
	di->netns[di->nns++] = ns;
	for (unsigned i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "/proc/%s/net/%s", pid, files[i]);
		scan_net_file(p, ps, di->ino, &di->nino, MAXINO);
	}
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
	char p[600], l[128];
	struct dirent *fe;
	unsigned added = 0;
	DIR *fdd;

	snprintf(p, sizeof(p), "/proc/%s/fd", pid);
	fdd = opendir(p);
	if (!fdd)
		return 0;
	while ((fe = readdir(fdd))) {
		unsigned long ino;
		ssize_t k;

		if (fe->d_name[0] < '0' || fe->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/fd/%s", pid, fe->d_name);
		k = readlink(p, l, sizeof(l) - 1);
		if (k <= 0)
			continue;
		l[k] = 0;
		if (sscanf(l, "socket:[%lu]", &ino) != 1 || !ino_in(di->ino, di->nino, ino))
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
	static struct dns_inodes di;
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned added = 0;

	if (!d)
		return 0;
	di.nns = di.nino = 0;
	/* pass 1: the socket tables of every network namespace */
	while ((de = readdir(d)))
		if (is_pid_dir(de))
			scan_pid_netns(de->d_name, ps, &di);
	/* pass 2: which descriptors are those sockets */
	if (di.nino > 0) {
		rewinddir(d);
		while ((de = readdir(d)))
			if (is_pid_dir(de))
				added += seed_pid_fds(map_fd, counts_fd, de->d_name, &di);
	}
	closedir(d);
	return added;
}

void sock_prune(int map_fd)
{
	struct dv_sock_key k, next, dead[256];
	unsigned nd = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		if (kill((pid_t)next.tgid, 0) != 0 && errno == ESRCH && nd < 256)
			dead[nd++] = next;
		k = next;
		prev = &k;
	}
	for (unsigned i = 0; i < nd; i++)
		bpf_map_delete_elem(map_fd, &dead[i]);
}
