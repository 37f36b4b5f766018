/* audit_internal.h - the aggregator's records, shared by the audit's own
 * files (aggregate.c fills them, report.c prints them, audit.c runs the
 * two); nothing outside user/audit/ includes it. */
#ifndef DNSVIS_AUDIT_INTERNAL_H
#define DNSVIS_AUDIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/resolv.h"
#include "audit/strmap.h"

#define MAX_QTYPES     32 /* distinct qtypes kept per domain */
#define RCODE_SLOTS    25 /* rcodes 0..23 by number, then every other one */
#define RECENT_QUERIES 16 /* per workload, for learning search-list expansions */

/* What a query's server is to the sender's resolv.conf.  The order
 * matters: of two known statuses of one server the smaller wins. */
enum server_status {
	SERVER_UNCHECKED = -2, /* no process (replay), or not asked to */
	SERVER_UNKNOWN = -1,   /* the process's resolv.conf cannot be known */
	SERVER_UNEXPECTED = 0, /* not a nameserver of it, or not port 53 */
	SERVER_EXPECTED = 1,
};

struct server {
	int family;
	uint8_t addr[16]; /* normalized (addr_normalize) */
	uint16_t port;
	int status; /* enum server_status */
	unsigned long count;
};

/* --responses: what came back for one domain of one workload. */
struct resp_stats {
	unsigned long rcodes[RCODE_SLOTS];
	unsigned long timeouts;
	uint32_t *latency_us; /* every response's, sorted by the report */
	size_t nlatency, cap;
};

/* A recent query of a workload: a candidate search-list expansion. */
struct recent_query {
	char *name; /* NULL: empty slot */
	struct timespec ts;
	char *vkey;   /* its not_allowed violation's key, or NULL */
	int rcode;    /* -1 until its response is seen */
	int answered; /* NOERROR with answers: the resolver stopped there */
	int used;     /* counted as an expansion already */
};

struct domain_rec {
	char *name; /* lowercased, no final dot; "." is the root */
	unsigned long count;
	uint16_t qtypes[MAX_QTYPES];
	unsigned nqtypes;
	struct server *servers;
	size_t nservers;
	struct timespec first, last;
	struct resp_stats *resp; /* NULL: no response-side record */
};

struct workload {
	char *kind, *name; /* "pod" "ns/pod/container", "host" "/usr/bin/dig", ... */
	char *container_id;
	struct strmap domains; /* name -> struct domain_rec */
	unsigned long events;
	unsigned long unsolicited; /* --responses */
	unsigned long expansions;  /* queries learned to be search-list expansions */
	struct recent_query recent[RECENT_QUERIES];
	unsigned next_recent;
};

/* One per (type, workload, process, domain, server). */
struct violation {
	char *type, *workload, *domain, *comm, *exe, *nameservers;
	uint32_t pid;
	int has_proc;
	struct server server;
	unsigned long count;
	struct timespec first, last;
};

struct audit {
	struct audit_config cfg;
	struct strmap workloads;   /* "kind:name" -> struct workload */
	struct strmap violations;  /* key of the violation -> struct violation */
	struct strmap all_domains; /* every name seen, for the total */
	struct resolv_cache resolvs;
	unsigned long long events, violation_events, unverified, oom;
	unsigned long long unsolicited, expansions, retracted;
};

/* aggregate.c: the records an event is filed under (NULL: out of memory). */
struct workload *workload_get(struct audit *a, const struct dnsvis_event *ev, char *wkey,
			      size_t wlen);
struct domain_rec *domain_get(struct audit *a, struct workload *w, const char *lname,
			      const struct timespec *ts);
char *domain_key(const struct dnsvis_event *ev);

/* learn.c: a query of w for lname at ts (vkey: its not_allowed violation's
 * key, NULL if none; allowed: lname passes --allow).  Earlier queries of w
 * for lname.S are search-list expansions of it: counted, and when lname is
 * allowed their not_allowed violations are taken back. */
void learn_query(struct audit *a, struct workload *w, const char *lname, const struct timespec *ts,
		 const char *vkey, int allowed);
void workload_free_recent(struct workload *w);
void resp_stats_free(struct resp_stats *r);

/* "1.2.3.4:53" or "[2001:db8::1]:53" */
void server_str(const struct server *s, char *out, size_t len);

/* Did an allocation fail, so that the report is incomplete? */
static inline int audit_out_of_memory(const struct audit *a)
{
	return a->oom || a->resolvs.oom;
}

#endif
