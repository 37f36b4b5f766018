/* learn.c - what the audit learns from the traffic itself:
 *
 * Search-list expansions.  A stub resolver with a search list (ndots)
 * tries N.S1, N.S2, ... and then N, each failing one NXDOMAIN; so a
 * workload's queries for N.S followed shortly by N are expansions of N.
 * "Shortly" is EXPANSION_WINDOW_NS, or EXPANSION_NXDOMAIN_NS when N.S was
 * seen answered NXDOMAIN (--responses: more surely an expansion); a N.S
 * answered NOERROR with answers is no expansion (the resolver would have
 * stopped there).  Each expansion is counted as search-list waste of its
 * workload, and when N itself is allowed the not_allowed violation of N.S
 * is taken back, so no --search is needed for a capture (replay has no
 * resolv.conf to read).
 *
 * --responses: counts by rcode, timeouts and latencies per workload and
 * domain, and unsolicited responses per workload.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"

#define EXPANSION_WINDOW_NS   1000000000LL /* 1 s */
#define EXPANSION_NXDOMAIN_NS 5000000000LL /* 5 s */
#define RCODE_NXDOMAIN	      3

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

void resp_stats_free(struct resp_stats *r)
{
	if (r)
		free(r->latency_us);
	free(r);
}

static void recent_clear(struct recent_query *q)
{
	free(q->name);
	free(q->vkey);
	memset(q, 0, sizeof(*q));
}

void workload_free_recent(struct workload *w)
{
	for (unsigned i = 0; i < RECENT_QUERIES; i++)
		recent_clear(&w->recent[i]);
}

/* name is lname plus at least one more label: "lname.S". */
static int expands(const char *name, const char *lname)
{
	size_t n = strlen(lname);

	return strcmp(lname, ".") != 0 && strncmp(name, lname, n) == 0 && name[n] == '.' &&
	       name[n + 1];
}

/* The not_allowed violation of one query of an expansion is taken back. */
static void retract(struct audit *a, const char *vkey)
{
	struct violation *v = strmap_get(&a->violations, vkey);

	if (!v || v->count == 0)
		return;
	v->count--;
	a->violation_events--;
	a->retracted++;
}

void learn_query(struct audit *a, struct workload *w, const char *lname, const struct timespec *ts,
		 const char *vkey, int allowed)
{
	struct recent_query *slot;
	int64_t now = ns_of(ts);

	for (unsigned i = 0; i < RECENT_QUERIES; i++) {
		struct recent_query *q = &w->recent[i];
		int64_t window =
		    q->rcode == RCODE_NXDOMAIN ? EXPANSION_NXDOMAIN_NS : EXPANSION_WINDOW_NS;

		if (!q->name || q->used || q->answered || now - ns_of(&q->ts) > window ||
		    !expands(q->name, lname))
			continue;
		q->used = 1;
		w->expansions++;
		a->expansions++;
		if (allowed && q->vkey)
			retract(a, q->vkey);
	}
	slot = &w->recent[w->next_recent];
	w->next_recent = (w->next_recent + 1) % RECENT_QUERIES;
	recent_clear(slot);
	slot->name = strdup(lname);
	slot->vkey = vkey ? strdup(vkey) : NULL;
	if (!slot->name || (vkey && !slot->vkey)) {
		a->oom++;
		recent_clear(slot);
		return;
	}
	slot->ts = *ts;
	slot->rcode = -1;
}

/* The newest query of w for lname still waiting for its rcode. */
static void recent_answered(struct workload *w, const char *lname, const struct dns_response *r)
{
	for (unsigned k = 0; k < RECENT_QUERIES; k++) {
		unsigned i = (w->next_recent + RECENT_QUERIES - 1 - k) % RECENT_QUERIES;
		struct recent_query *q = &w->recent[i];

		if (q->name && q->rcode < 0 && strcmp(q->name, lname) == 0) {
			q->rcode = r->rcode;
			q->answered = r->rcode == 0 && r->header.ancount > 0;
			return;
		}
	}
}

static struct resp_stats *resp_of(struct audit *a, struct domain_rec *d)
{
	if (!d->resp && !(d->resp = calloc(1, sizeof(*d->resp))))
		a->oom++;
	return d->resp;
}

static void add_latency(struct audit *a, struct resp_stats *s, int64_t us)
{
	if (s->nlatency == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		uint32_t *l = realloc(s->latency_us, cap * sizeof(*l));

		if (!l) {
			a->oom++;
			return;
		}
		s->latency_us = l;
		s->cap = cap;
	}
	s->latency_us[s->nlatency++] = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

void audit_consume_outcome(void *arg, const struct dnsvis_outcome *o)
{
	struct audit *a = arg;
	struct domain_rec *d;
	struct resp_stats *s;
	struct workload *w;
	char wkey[4300], *lname;

	w = workload_get(a, o->query, wkey, sizeof(wkey));
	if (!w)
		return;
	if (o->kind == OUTCOME_UNSOLICITED) {
		w->unsolicited++;
		a->unsolicited++;
		return;
	}
	lname = domain_key(o->query);
	if (!lname) {
		a->oom++;
		return;
	}
	d = domain_get(a, w, lname, &o->query->ts);
	s = d ? resp_of(a, d) : NULL;
	if (s && o->kind == OUTCOME_TIMEOUT) {
		s->timeouts++;
	} else if (s) {
		s->rcodes[o->resp->rcode < RCODE_SLOTS - 1 ? o->resp->rcode : RCODE_SLOTS - 1]++;
		add_latency(a, s, o->latency_us);
		recent_answered(w, lname, o->resp);
	}
	free(lname);
}
