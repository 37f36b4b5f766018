/* resolv.h - each process's own /etc/resolv.conf, for the audit's server
 * check and search list: read through /proc/PID/root (under --host-root),
 * cached per mount namespace, re-read when the file changes.  Also the
 * address helpers that make a query's server and a nameserver line compare
 * and print alike. */
#ifndef DNSVIS_AUDIT_RESOLV_H
#define DNSVIS_AUDIT_RESOLV_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "audit/strmap.h"
#include "event.h"

#define RESOLV_MAX_NS	  8  /* nameservers kept per resolv.conf (glibc uses 3) */
#define RESOLV_MAX_SEARCH 16 /* search domains kept per resolv.conf */

/* One resolv.conf as read, with what identifies the file it came from. */
struct resolv {
	int known; /* read successfully */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
	unsigned nns, nsearch;
	int ns_family[RESOLV_MAX_NS];
	uint8_t ns_addr[RESOLV_MAX_NS][16]; /* normalized (addr_normalize) */
	char *search[RESOLV_MAX_SEARCH];
	char text[256]; /* "127.0.0.1 ::1" for the report */
	uint32_t via;	/* the process it was last read through */
};

/* All zero is an empty cache. */
struct resolv_cache {
	struct strmap by_mntns; /* "mMNTNS" -> struct resolv */
	struct strmap pids;	/* "PID" -> the mount namespace it was last seen in */
	unsigned long long oom; /* allocations that failed */
};

/* The resolv.conf of process p (now is the query's time), by its mount
 * namespace: p->mnt_ns when the event carries it (captured at send time, so
 * a process that has exited is judged like any other), else the one
 * /proc/PID/ns/mnt shows now.  NULL when it cannot be known (the process
 * is gone, its namespace was not captured and it was not seen before). */
const struct resolv *resolv_of(struct resolv_cache *c, const struct dnsvis_proc *p,
			       const struct timespec *now);

/* 1 if a nameserver line of r names the (normalized) address, else 0. */
int resolv_lists_server(const struct resolv *r, int family, const uint8_t *addr);

void resolv_cache_free(struct resolv_cache *c);

/* Read a resolv.conf from f into r (zeroed, or filled by an earlier
 * resolv_parse(): its search list is freed first): up to RESOLV_MAX_NS nameserver lines, the last
 * search or domain line, glibc's default servers when there is no
 * nameserver line, and the report text.  A line is its first 1023 bytes;
 * the rest of a longer one is skipped.  Never fails on any input. */
void resolv_parse(struct resolv *r, FILE *f);

/* Free r's search domains (nsearch becomes 0). */
void resolv_clear_search(struct resolv *r);

/* A v4-mapped IPv6 address as IPv4, and an IPv4 address's unused 12 bytes
 * zeroed, so both spellings of one server compare equal. */
void addr_normalize(int *family, uint8_t *addr);

/* addr as inet_ntop() writes it ("?" if it cannot). */
void addr_str(int family, const uint8_t *addr, char *out, size_t len);

#endif
