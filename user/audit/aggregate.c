/* aggregate.c - the audit's consume path: each event is filed under its
 * workload (pod, container, host executable; the source address in replay,
 * where no process is known) and its domain (lowercased), counting queries,
 * qtypes, servers and first/last time.  Violations are kept apart, one
 * entry per (type, workload, process, domain, server) with a count:
 *   denied            the name matches --deny (or is a search-list
 *                     expansion of a denied name)
 *   not_allowed       --allow is given and neither the name nor the name
 *                     with one search domain stripped matches it
 *   unexpected_server the server is not a nameserver of the sending
 *                     process's own /etc/resolv.conf (resolv.c), or the
 *                     port is not 53.  When the process is gone before it
 *                     could be read, the server is "unknown", not a
 *                     violation.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "audit/audit_internal.h"
#include "util/str.h"

static char *xstrdup(struct audit *a, const char *s)
{
	char *d = strdup(str_or_empty(s));

	if (!d)
		a->oom++;
	return d;
}

static void free_domain(void *p)
{
	struct domain_rec *d = p;

	free(d->name);
	free(d->servers);
	resp_stats_free(d->resp);
	free(d);
}

static void free_workload(void *p)
{
	struct workload *w = p;

	free(w->kind);
	free(w->name);
	free(w->container_id);
	strmap_free(&w->domains, free_domain);
	workload_free_recent(w);
	free(w);
}

static void free_violation(void *p)
{
	struct violation *v = p;

	free(v->type);
	free(v->workload);
	free(v->domain);
	free(v->comm);
	free(v->exe);
	free(v->nameservers);
	free(v);
}

struct audit *audit_new(const struct audit_config *cfg)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cfg = *cfg;
	return a;
}

void audit_free(struct audit *a)
{
	if (!a)
		return;
	strmap_free(&a->workloads, free_workload);
	strmap_free(&a->violations, free_violation);
	strmap_free(&a->all_domains, NULL);
	resolv_cache_free(&a->resolvs);
	free(a);
}

/* ---- helpers ------------------------------------------------------------- */

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Widen the span [*first, *last] to take in ts. */
static void seen_at(struct timespec *first, struct timespec *last, const struct timespec *ts)
{
	if (ts_before(ts, first))
		*first = *ts;
	if (ts_before(last, ts))
		*last = *ts;
}

void server_str(const struct server *s, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(s->family, s->addr, a, sizeof(a));
	if (s->family == AF_INET6)
		snprintf(out, len, "[%s]:%u", a, s->port);
	else
		snprintf(out, len, "%s:%u", a, s->port);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* ---- records ------------------------------------------------------------- */

static void workload_of(const struct dnsvis_event *ev, char *kind, size_t kl, char *name, size_t nl)
{
	const struct dnsvis_proc *p = ev->proc;

	if (!p) {
		snprintf(kind, kl, "address");
		addr_str(ev->family, ev->saddr, name, nl);
	} else if (p->pod && *p->pod) {
		snprintf(kind, kl, "pod");
		snprintf(name, nl, "%s/%s%s%s", str_or_empty(p->k8s_namespace), p->pod,
			 p->container_name && *p->container_name ? "/" : "",
			 str_or_empty(p->container_name));
	} else if ((p->container_name && *p->container_name) ||
		   (p->container_id && *p->container_id)) {
		snprintf(kind, kl, "container");
		if (p->container_name && *p->container_name)
			snprintf(name, nl, "%s", p->container_name);
		else
			snprintf(name, nl, "%.12s", p->container_id);
	} else {
		snprintf(kind, kl, "host");
		if (p->exe && *p->exe)
			snprintf(name, nl, "%s", p->exe);
		else
			snprintf(name, nl, "[%.16s]", p->comm);
	}
}

/* The workload ev is filed under, made on first sight; its key
 * ("kind:name") goes to wkey.  NULL when out of memory. */
struct workload *workload_get(struct audit *a, const struct dnsvis_event *ev, char *wkey,
			      size_t wlen)
{
	char kind[16], name[4200];
	struct workload *w;

	workload_of(ev, kind, sizeof(kind), name, sizeof(name));
	snprintf(wkey, wlen, "%s:%s", kind, name);
	w = strmap_get(&a->workloads, wkey);
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w || strmap_put(&a->workloads, wkey, w) != 0) {
		free(w);
		a->oom++;
		return NULL;
	}
	w->kind = xstrdup(a, kind);
	w->name = xstrdup(a, name);
	w->container_id = xstrdup(a, ev->proc ? ev->proc->container_id : "");
	return w;
}

struct domain_rec *domain_get(struct audit *a, struct workload *w, const char *lname,
			      const struct timespec *ts)
{
	struct domain_rec *d = strmap_get(&w->domains, lname);

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(lname)) || strmap_put(&w->domains, lname, d) != 0) {
		if (d)
			free(d->name);
		free(d);
		a->oom++;
		return NULL;
	}
	d->first = d->last = *ts;
	if (!strmap_get(&a->all_domains, lname))
		strmap_put(&a->all_domains, lname, (void *)1);
	return d;
}

/* The domain of ev as it is filed: lowercased, without the final dot, "."
 * for the root.  malloc'd; NULL when out of memory. */
char *domain_key(const struct dnsvis_event *ev)
{
	const char *dom = str_or_empty(ev->domain);
	size_t n = strlen(dom);
	char *lname = malloc(n + 2); /* + 2: room for "." */

	if (!lname)
		return NULL;
	memcpy(lname, dom, n + 1);
	lower(lname);
	lname[dnsname_len(lname)] = 0;
	if (!*lname)
		strcpy(lname, "."); /* the root */
	return lname;
}

static void domain_add_qtype(struct domain_rec *d, uint16_t qtype)
{
	unsigned i;

	for (i = 0; i < d->nqtypes && d->qtypes[i] != qtype; i++)
		;
	if (i == d->nqtypes && i < MAX_QTYPES)
		d->qtypes[d->nqtypes++] = qtype;
}

/* Count one query to srv under d (the server is added on first sight). */
static void domain_add_server(struct audit *a, struct domain_rec *d, const struct server *srv)
{
	size_t k;

	for (k = 0; k < d->nservers; k++)
		if (d->servers[k].family == srv->family && d->servers[k].port == srv->port &&
		    memcmp(d->servers[k].addr, srv->addr, 16) == 0)
			break;
	if (k == d->nservers) {
		struct server *ns = realloc(d->servers, (k + 1) * sizeof(*ns));

		if (ns) {
			d->servers = ns;
			d->servers[k] = *srv;
			d->servers[k].count = 0;
			d->nservers++;
		} else {
			a->oom++;
		}
	}
	if (k < d->nservers) {
		struct server *s = &d->servers[k];

		s->count++;
		/* known beats unknown; unexpected beats expected */
		if (s->status < 0 || (srv->status >= 0 && srv->status < s->status))
			s->status = srv->status;
	}
}

/* ---- servers ------------------------------------------------------------- */

/* What the server (family, addr) of ev is to its sender; *rp is the
 * sender's resolv.conf (NULL when unknown or not checked). */
static enum server_status server_status(struct audit *a, const struct dnsvis_event *ev, int family,
					const uint8_t *addr, const struct resolv **rp)
{
	const struct resolv *r;

	*rp = NULL;
	if (!ev->proc || !a->cfg.check_servers)
		return SERVER_UNCHECKED;
	r = resolv_of(&a->resolvs, ev->proc, &ev->ts);
	*rp = r;
	if (!r)
		return SERVER_UNKNOWN;
	if (ev->dport != 53)
		return SERVER_UNEXPECTED;
	return resolv_lists_server(r, family, addr) ? SERVER_EXPECTED : SERVER_UNEXPECTED;
}

/* The server ev went to, with its status; *rp as for server_status(). */
static void server_of(struct audit *a, const struct dnsvis_event *ev, struct server *srv,
		      const struct resolv **rp)
{
	memset(srv, 0, sizeof(*srv));
	srv->family = ev->family;
	memcpy(srv->addr, ev->daddr, 16);
	addr_normalize(&srv->family, srv->addr);
	srv->port = ev->dport;
	srv->status = server_status(a, ev, srv->family, srv->addr, rp);
	if (srv->status == SERVER_UNKNOWN)
		a->unverified++;
}

/* ---- violations ---------------------------------------------------------- */

/* The violation's key goes to key[2048]. */
static void add_violation(struct audit *a, const char *type, const char *wl,
			  const struct dnsvis_event *ev, const char *lname,
			  const struct server *srv, const struct resolv *r, char *key)
{
	const struct dnsvis_proc *p = ev->proc;
	char sbuf[64];
	struct violation *v;

	server_str(srv, sbuf, sizeof(sbuf));
	snprintf(key, 2048, "%s\t%s\t%u\t%.16s\t%s\t%s", type, wl, p ? p->pid : 0, p ? p->comm : "",
		 lname, sbuf);
	a->violation_events++;
	v = strmap_get(&a->violations, key);
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v || strmap_put(&a->violations, key, v) != 0) {
			free(v);
			a->oom++;
			return;
		}
		v->type = xstrdup(a, type);
		v->workload = xstrdup(a, wl);
		v->domain = xstrdup(a, lname);
		v->has_proc = p != NULL;
		v->pid = p ? p->pid : 0;
		v->comm = xstrdup(a, p ? p->comm : "");
		v->exe = xstrdup(a, p ? p->exe : "");
		v->nameservers = xstrdup(a, r ? r->text : "");
		v->server = *srv;
		v->first = v->last = ev->ts;
	}
	v->count++;
	seen_at(&v->first, &v->last, &ev->ts);
}

/* name is in list l, directly or as a search-list expansion (r's search
 * domains, then --search's) */
static int in_list(struct audit *a, const struct allowlist *l, const char *name,
		   const struct resolv *r)
{
	const char *search[RESOLV_MAX_SEARCH + 64];
	size_t n = 0;

	if (allowlist_match(l, name))
		return 1;
	if (r)
		for (unsigned i = 0; i < r->nsearch && n < RESOLV_MAX_SEARCH; i++)
			search[n++] = r->search[i];
	for (size_t i = 0; i < a->cfg.nsearch && n < sizeof(search) / sizeof(search[0]); i++)
		search[n++] = a->cfg.search[i];
	return allowlist_match_expansion(l, name, search, n, NULL);
}

/* File the violations of one query of workload w (key wkey) for domain
 * lname, and learn from it what was a search-list expansion. */
static void check_query(struct audit *a, struct workload *w, const char *wkey,
			const struct dnsvis_event *ev, const char *lname, const struct server *srv,
			const struct resolv *r)
{
	char key[2048], na_key[2048];
	int allowed = a->cfg.allow && in_list(a, a->cfg.allow, lname, r);

	if (a->cfg.deny && in_list(a, a->cfg.deny, lname, r))
		add_violation(a, "denied", wkey, ev, lname, srv, r, key);
	if (a->cfg.allow && !allowed)
		add_violation(a, "not_allowed", wkey, ev, lname, srv, r, na_key);
	if (srv->status == SERVER_UNEXPECTED)
		add_violation(a, "unexpected_server", wkey, ev, lname, srv, r, key);
	learn_query(a, w, lname, &ev->ts, a->cfg.allow && !allowed ? na_key : NULL, allowed);
}

void audit_consume(void *arg, const struct dnsvis_event *ev)
{
	struct audit *a = arg;
	const struct resolv *r;
	char wkey[4300], *lname;
	struct workload *w;
	struct domain_rec *d;
	struct server srv;

	a->events++;
	w = workload_get(a, ev, wkey, sizeof(wkey));
	if (!w)
		return;
	w->events++;
	lname = domain_key(ev);
	if (!lname) {
		a->oom++;
		return;
	}
	server_of(a, ev, &srv, &r);
	d = domain_get(a, w, lname, &ev->ts);
	if (d) {
		d->count++;
		seen_at(&d->first, &d->last, &ev->ts);
		domain_add_qtype(d, ev->qtype);
		domain_add_server(a, d, &srv);
	}
	check_query(a, w, wkey, ev, lname, &srv, r);
	free(lname);
}
