/* sock_seed.h - the tracepoint backend learns connected DNS sockets from
 * connect(); seed its map with the ones connected before dnsvis started,
 * and prune the entries of processes that are gone. */
#ifndef DNSVIS_SOCK_SEED_H
#define DNSVIS_SOCK_SEED_H

struct port_set;

/* Add {tgid, fd} to the dns_socks map (map_fd) for every established UDP
 * or TCP socket in /proc whose peer port is in ps, and pin the fd's count
 * in fd_counts (counts_fd).  Returns how many. */
unsigned sock_seed(int map_fd, int counts_fd, const struct port_set *ps);

/* Drop the map entries of processes that no longer exist (their fd counts
 * stay: a count too high costs a lookup, never a miss). */
void sock_prune(int map_fd);

#endif
