/* audit.h - `dnsvis audit`.
 *
 * Stage audit (user/audit/), after the sink: a consumer of events from a
 * live trace or a replay.  Aggregation per workload and domain
 * (aggregate.c), allow/deny lists (allowlist.h), resolv.conf per mount
 * namespace (resolv.h), the report (report.c), options (audit.c).
 *
 * Aggregate the events of a live trace or of
 * replayed captures into one report per workload and domain, check them
 * against --allow/--deny lists and each process's own resolv.conf, and exit
 * 0 (no violation), 3 (violations), 1 (error) or 2 (usage). */
#ifndef DNSVIS_AUDIT_H
#define DNSVIS_AUDIT_H

#include <stdio.h>
#include <time.h>

#include "audit/allowlist.h"
#include "event.h"
#include "match/feed.h"

#define AUDIT_EXIT_OK	     0
#define AUDIT_EXIT_ERROR     1
#define AUDIT_EXIT_USAGE     2
#define AUDIT_EXIT_VIOLATION 3

enum audit_format { AUDIT_TEXT, AUDIT_JSON };

struct audit_config {
	enum audit_format format;
	const struct allowlist *allow; /* NULL: no allowlist */
	const struct allowlist *deny;  /* NULL: no denylist */
	const char *const *search;     /* extra search domains (--search) */
	size_t nsearch;
	int responses;	   /* --responses: rcodes, timeouts, latency in the report */
	int check_servers; /* read /proc/PID/root/etc/resolv.conf (live; under
			    * --host-root when given) */
};

struct audit;

struct audit *audit_new(const struct audit_config *cfg);
void audit_free(struct audit *a);

/* One event (an event_sink consumer: arg is the struct audit). */
void audit_consume(void *arg, const struct dnsvis_event *ev);
/* One response, timeout or unsolicited response (--responses; learn.c). */
void audit_consume_outcome(void *arg, const struct dnsvis_outcome *o);

/* Write the report.  mode is "live" or "replay"; lost and malformed are the
 * producer's counters.  Returns the number of distinct violations. */
unsigned long audit_report(struct audit *a, FILE *out, const char *mode,
			   const struct timespec *start, const struct timespec *end,
			   unsigned long long lost, unsigned long long malformed);

/* `dnsvis audit ...` (argv[0] is "audit"). */
int audit_main(int argc, char **argv);

#endif
