/* audit.c - `dnsvis audit`: the aggregator behind the report.
 *
 * Events come in through an event_sink consumer (from trace_run() live, or
 * replay_run() with --replay).  Each is filed under its workload (pod,
 * container, host executable; the source address in replay, where no
 * process is known) and its domain (lowercased), counting queries, qtypes,
 * servers and first/last time.  Violations are kept apart, one entry per
 * (type, workload, process, domain, server) with a count:
 *   denied            the name matches --deny (or is a search-list
 *                     expansion of a denied name)
 *   not_allowed       --allow is given and neither the name nor the name
 *                     with one search domain stripped matches it
 *   unexpected_server the server is not a nameserver of the sending
 *                     process's own /etc/resolv.conf (read through
 *                     /proc/PID/root, cached per mount namespace), or the
 *                     port is not 53.  When the process is gone before it
 *                     could be read, the server is "unknown", not a
 *                     violation.
 */
#include "audit/audit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire/dns_types.h"
#include "output/sink.h"
#include "enrich/host_root.h"
#include "output/json_escape.h"
#include "replay/replay.h"
#include "live/trace.h"

#define MAX_NS	   8  /* nameservers kept per resolv.conf (glibc uses 3) */
#define MAX_SEARCH 16 /* search domains kept per resolv.conf */
#define MAX_QTYPES 32

/* ---- a small string-keyed hash map --------------------------------------- */

struct ment {
	char *key;
	void *val;
};

struct map {
	struct ment *e;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void *map_get(const struct map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = (size_t)hash_str(key) & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->e[i].key, key) == 0)
			return m->e[i].val;
	return NULL;
}

/* key is copied.  0 or -1 (out of memory). */
static int map_put(struct map *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct map nm = {0};

		nm.cap = m->cap ? m->cap * 2 : 64;
		nm.e = calloc(nm.cap, sizeof(*nm.e));
		if (!nm.e)
			return -1;
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->e[j].key)
				continue;
			for (i = (size_t)hash_str(m->e[j].key) & (nm.cap - 1); nm.e[i].key;
			     i = (i + 1) & (nm.cap - 1))
				;
			nm.e[i] = m->e[j];
		}
		nm.n = m->n;
		free(m->e);
		*m = nm;
	}
	for (i = (size_t)hash_str(key) & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1))
		;
	m->e[i].key = strdup(key);
	if (!m->e[i].key)
		return -1;
	m->e[i].val = val;
	m->n++;
	return 0;
}

/* Values in key order (a malloc'd array of m->n pointers). */
static int cmp_ment(const void *a, const void *b)
{
	return strcmp(((const struct ment *)a)->key, ((const struct ment *)b)->key);
}

static struct ment *map_sorted(const struct map *m)
{
	struct ment *v = calloc(m->n ? m->n : 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key)
			v[k++] = m->e[i];
	qsort(v, k, sizeof(*v), cmp_ment);
	return v;
}

static void map_free(struct map *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key) {
			free(m->e[i].key);
			if (free_val)
				free_val(m->e[i].val);
		}
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* ---- records ------------------------------------------------------------- */

struct server {
	int family;
	uint8_t addr[16];
	uint16_t port;
	int status; /* 1 expected, 0 unexpected, -1 unknown, -2 not checked */
	unsigned long count;
};

struct domain_rec {
	char *name;
	unsigned long count;
	uint16_t qtypes[MAX_QTYPES];
	unsigned nqtypes;
	struct server *servers;
	size_t nservers;
	struct timespec first, last;
};

struct workload {
	char *kind, *name; /* "pod" "ns/pod/container", "host" "/usr/bin/dig", ... */
	char *container_id;
	struct map domains;
	unsigned long events;
};

struct violation {
	char *type, *workload, *domain, *comm, *exe, *nameservers;
	uint32_t pid;
	int has_proc;
	struct server server;
	unsigned long count;
	struct timespec first, last;
};

struct resolv {
	int known;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
	unsigned nns, nsearch;
	int ns_family[MAX_NS];
	uint8_t ns_addr[MAX_NS][16];
	char *search[MAX_SEARCH];
	char text[256]; /* "127.0.0.1 ::1" for the report */
};

struct pid_ns {
	unsigned long mntns;
	char comm[16];
	struct timespec seen;
};

struct audit {
	struct audit_config cfg;
	struct map workloads, violations, resolvs, pids, all_domains;
	unsigned long long events, violation_events, unverified, oom;
};

static char *xstrdup(struct audit *a, const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		a->oom++;
	return d;
}

static void free_domain(void *p)
{
	struct domain_rec *d = p;

	free(d->name);
	free(d->servers);
	free(d);
}

static void free_workload(void *p)
{
	struct workload *w = p;

	free(w->kind);
	free(w->name);
	free(w->container_id);
	map_free(&w->domains, free_domain);
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

static void free_resolv(void *p)
{
	struct resolv *r = p;

	for (unsigned i = 0; i < r->nsearch; i++)
		free(r->search[i]);
	free(r);
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
	map_free(&a->workloads, free_workload);
	map_free(&a->violations, free_violation);
	map_free(&a->resolvs, free_resolv);
	map_free(&a->pids, free);
	map_free(&a->all_domains, NULL);
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

/* v4-mapped IPv6 -> IPv4, so both spellings of one server compare equal */
static void norm_addr(int *family, uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (*family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	if (*family == AF_INET)
		memset(addr + 4, 0, 12);
}

static void addr_str(int family, const uint8_t *addr, char *out, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)len))
		snprintf(out, len, "?");
}

static void server_str(const struct server *s, char *out, size_t len)
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

/* ---- resolv.conf --------------------------------------------------------- */

static void resolv_parse(struct resolv *r, FILE *f)
{
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *kw = strtok_r(line, " \t\r\n", &save), *arg;

		if (!kw || kw[0] == '#' || kw[0] == ';')
			continue;
		if (strcmp(kw, "nameserver") == 0) {
			uint8_t buf[16] = {0};
			char *pct;

			arg = strtok_r(NULL, " \t\r\n", &save);
			if (!arg || r->nns >= MAX_NS)
				continue;
			pct = strchr(arg, '%'); /* fe80::1%eth0 */
			if (pct)
				*pct = 0;
			if (inet_pton(AF_INET, arg, buf) == 1)
				r->ns_family[r->nns] = AF_INET;
			else if (inet_pton(AF_INET6, arg, buf) == 1)
				r->ns_family[r->nns] = AF_INET6;
			else
				continue;
			norm_addr(&r->ns_family[r->nns], buf);
			memcpy(r->ns_addr[r->nns++], buf, 16);
		} else if (strcmp(kw, "search") == 0 || strcmp(kw, "domain") == 0) {
			/* the last search/domain line wins (resolv.conf(5)) */
			for (unsigned i = 0; i < r->nsearch; i++)
				free(r->search[i]);
			r->nsearch = 0;
			while ((arg = strtok_r(NULL, " \t\r\n", &save)) &&
			       r->nsearch < MAX_SEARCH) {
				r->search[r->nsearch] = strdup(arg);
				if (r->search[r->nsearch])
					r->nsearch++;
			}
		}
	}
	if (r->nns == 0) { /* glibc's default: the local host */
		r->ns_family[0] = AF_INET;
		memset(r->ns_addr[0], 0, 16);
		r->ns_addr[0][0] = 127;
		r->ns_addr[0][3] = 1;
		r->ns_family[1] = AF_INET6;
		memset(r->ns_addr[1], 0, 16);
		r->ns_addr[1][15] = 1;
		r->nns = 2;
	}
	r->text[0] = 0;
	for (unsigned i = 0; i < r->nns; i++) {
		char s[INET6_ADDRSTRLEN];
		size_t l = strlen(r->text);

		addr_str(r->ns_family[i], r->ns_addr[i], s, sizeof(s));
		snprintf(r->text + l, sizeof(r->text) - l, "%s%s", i ? " " : "", s);
	}
}

/* The mount namespace of process p in *mntns: read from /proc (and noted
 * in a->pids), or, when p is gone now but was seen moments ago (an earlier
 * query of the same process), the noted one, and *gone is set.  0, or -1
 * when it cannot be known. */
static int mntns_of(struct audit *a, const struct dnsvis_proc *p, const struct timespec *now,
		    unsigned long *mntns, int *gone)
{
	char path[256], link[64], key[32];
	struct pid_ns *pn;
	ssize_t k;

	host_path(path, sizeof(path), "/proc/%u/ns/mnt", p->pid);
	k = readlink(path, link, sizeof(link) - 1);
	snprintf(key, sizeof(key), "%u", p->pid);
	pn = map_get(&a->pids, key);
	*gone = k <= 0;
	if (*gone) {
		if (!pn || strncmp(pn->comm, p->comm, sizeof(pn->comm)) != 0 ||
		    now->tv_sec - pn->seen.tv_sec >= 30)
			return -1;
		*mntns = pn->mntns;
		return 0;
	}
	link[k] = 0;
	if (sscanf(link, "mnt:[%lu]", mntns) != 1)
		return -1;
	if (!pn) {
		pn = calloc(1, sizeof(*pn));
		if (!pn || map_put(&a->pids, key, pn) != 0) {
			free(pn);
			a->oom++;
			return 0;
		}
	}
	pn->mntns = *mntns;
	memcpy(pn->comm, p->comm, sizeof(pn->comm));
	pn->seen = *now;
	return 0;
}

static const struct resolv *known_or_null(const struct resolv *r)
{
	return r && r->known ? r : NULL;
}

/* Is r (still) what was read from the file st describes? */
static int same_file(const struct resolv *r, const struct stat *st)
{
	return r->dev == st->st_dev && r->ino == st->st_ino && r->size == st->st_size &&
	       r->mtime.tv_sec == st->st_mtim.tv_sec && r->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* (Re)read r from path, which st describes (st_ino 0: there is no file,
 * and r is the defaults).  0, or -1 when it cannot be read. */
static int resolv_load(struct resolv *r, const char *path, const struct stat *st)
{
	FILE *f;

	for (unsigned i = 0; i < r->nsearch; i++)
		free(r->search[i]);
	r->nsearch = r->nns = 0;
	r->known = 0;
	f = st->st_ino ? fopen(path, "re") : fmemopen((void *)"", 0, "r");
	if (!f)
		return -1;
	resolv_parse(r, f);
	fclose(f);
	r->dev = st->st_dev;
	r->ino = st->st_ino;
	r->size = st->st_size;
	r->mtime = st->st_mtim;
	r->known = 1;
	return 0;
}

/* The resolv.conf of process p, cached per mount namespace: NULL when it
 * cannot be known (the process is gone and was not seen before). */
static const struct resolv *resolv_of(struct audit *a, const struct dnsvis_proc *p,
				      const struct timespec *now)
{
	char path[256], key[32];
	unsigned long mntns = 0;
	struct resolv *r;
	struct stat st;
	int gone;

	if (mntns_of(a, p, now, &mntns, &gone) != 0)
		return NULL;
	snprintf(key, sizeof(key), "m%lu", mntns);
	r = map_get(&a->resolvs, key);
	if (gone) /* its namespace's file is in the cache, if anywhere */
		return known_or_null(r);
	host_path(path, sizeof(path), "/proc/%u/root/etc/resolv.conf", p->pid);
	if (stat(path, &st) != 0) {
		if (errno != ENOENT) /* ESRCH, EACCES: cannot know; keep a cached answer */
			return known_or_null(r);
		memset(&st, 0, sizeof(st)); /* no file: the defaults */
	}
	if (r && r->known && same_file(r, &st))
		return r;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r || map_put(&a->resolvs, key, r) != 0) {
			free(r);
			a->oom++;
			return NULL;
		}
	}
	return resolv_load(r, path, &st) == 0 ? r : NULL;
}

/* 1 expected, 0 unexpected, -1 unknown, -2 not checked */
static int server_status(struct audit *a, const struct dnsvis_event *ev, int family,
			 const uint8_t *addr, const struct resolv **rp)
{
	const struct resolv *r;

	*rp = NULL;
	if (!ev->proc || !a->cfg.check_servers)
		return -2;
	r = resolv_of(a, ev->proc, &ev->ts);
	*rp = r;
	if (!r)
		return -1;
	if (ev->dport != 53)
		return 0;
	for (unsigned i = 0; i < r->nns; i++)
		if (r->ns_family[i] == family && memcmp(r->ns_addr[i], addr, 16) == 0)
			return 1;
	return 0;
}

/* ---- aggregation --------------------------------------------------------- */

static void workload_of(const struct dnsvis_event *ev, char *kind, size_t kl, char *name, size_t nl)
{
	const struct dnsvis_proc *p = ev->proc;

	if (!p) {
		snprintf(kind, kl, "address");
		addr_str(ev->family, ev->saddr, name, nl);
	} else if (p->pod && *p->pod) {
		snprintf(kind, kl, "pod");
		snprintf(name, nl, "%s/%s%s%s", p->k8s_namespace ? p->k8s_namespace : "", p->pod,
			 p->container_name && *p->container_name ? "/" : "",
			 p->container_name ? p->container_name : "");
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

static struct domain_rec *domain_get(struct audit *a, struct workload *w, const char *lname,
				     const struct timespec *ts)
{
	struct domain_rec *d = map_get(&w->domains, lname);

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(lname)) || map_put(&w->domains, lname, d) != 0) {
		if (d)
			free(d->name);
		free(d);
		a->oom++;
		return NULL;
	}
	d->first = d->last = *ts;
	if (!map_get(&a->all_domains, lname))
		map_put(&a->all_domains, lname, (void *)1);
	return d;
}

static void add_violation(struct audit *a, const char *type, const char *wl,
			  const struct dnsvis_event *ev, const char *lname,
			  const struct server *srv, const struct resolv *r)
{
	const struct dnsvis_proc *p = ev->proc;
	char key[2048], sbuf[64];
	struct violation *v;

	server_str(srv, sbuf, sizeof(sbuf));
	snprintf(key, sizeof(key), "%s\t%s\t%u\t%.16s\t%s\t%s", type, wl, p ? p->pid : 0,
		 p ? p->comm : "", lname, sbuf);
	a->violation_events++;
	v = map_get(&a->violations, key);
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v || map_put(&a->violations, key, v) != 0) {
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

/* name allowed by --allow, directly or as a search-list expansion */
static int in_list(struct audit *a, const struct allowlist *l, const char *name,
		   const struct resolv *r)
{
	const char *search[MAX_SEARCH + 64];
	size_t n = 0;

	if (allowlist_match(l, name))
		return 1;
	if (r)
		for (unsigned i = 0; i < r->nsearch && n < MAX_SEARCH; i++)
			search[n++] = r->search[i];
	for (size_t i = 0; i < a->cfg.nsearch && n < sizeof(search) / sizeof(search[0]); i++)
		search[n++] = a->cfg.search[i];
	return allowlist_match_expansion(l, name, search, n, NULL);
}

/* The workload ev is filed under, made on first sight; its key
 * ("kind:name") goes to wkey.  NULL when out of memory. */
static struct workload *workload_get(struct audit *a, const struct dnsvis_event *ev, char *wkey,
				     size_t wlen)
{
	char kind[16], name[4200];
	struct workload *w;

	workload_of(ev, kind, sizeof(kind), name, sizeof(name));
	snprintf(wkey, wlen, "%s:%s", kind, name);
	w = map_get(&a->workloads, wkey);
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w || map_put(&a->workloads, wkey, w) != 0) {
		free(w);
		a->oom++;
		return NULL;
	}
	w->kind = xstrdup(a, kind);
	w->name = xstrdup(a, name);
	w->container_id = xstrdup(a, ev->proc ? ev->proc->container_id : "");
	return w;
}

/* The domain of ev as it is filed: lowercased, without the final dot, "."
 * for the root.  malloc'd; NULL when out of memory. */
static char *domain_key(const struct dnsvis_event *ev)
{
	const char *dom = ev->domain ? ev->domain : "";
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

/* The server ev went to, with its status; *rp is the sender's resolv.conf
 * (NULL when unknown or not checked). */
static void server_of(struct audit *a, const struct dnsvis_event *ev, struct server *srv,
		      const struct resolv **rp)
{
	memset(srv, 0, sizeof(*srv));
	srv->family = ev->family;
	memcpy(srv->addr, ev->daddr, 16);
	norm_addr(&srv->family, srv->addr);
	srv->port = ev->dport;
	srv->status = server_status(a, ev, srv->family, srv->addr, rp);
	if (srv->status == -1)
		a->unverified++;
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

/* File the violations of one query of workload wkey for domain lname. */
static void check_query(struct audit *a, const char *wkey, const struct dnsvis_event *ev,
			const char *lname, const struct server *srv, const struct resolv *r)
{
	if (a->cfg.deny && in_list(a, a->cfg.deny, lname, r))
		add_violation(a, "denied", wkey, ev, lname, srv, r);
	if (a->cfg.allow && !in_list(a, a->cfg.allow, lname, r))
		add_violation(a, "not_allowed", wkey, ev, lname, srv, r);
	if (srv->status == 0)
		add_violation(a, "unexpected_server", wkey, ev, lname, srv, r);
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
	check_query(a, wkey, ev, lname, &srv, r);
	free(lname);
}

/* ---- report -------------------------------------------------------------- */

static void put_time(FILE *f, const struct timespec *ts)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "%s.%06ldZ", buf, ts->tv_nsec / 1000);
}

/* Terminal-safe text: printable ASCII only, other bytes as \xHH */
static void text_s(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

static const char *status_name(int st)
{
	switch (st) {
	case 1:
		return "expected";
	case 0:
		return "unexpected";
	case -1:
		return "unknown";
	default:
		return "unchecked";
	}
}

static void qtype_name(uint16_t t, char *buf, size_t len)
{
	const char *n = dns_type_name(t, buf, len);

	if (n != buf)
		snprintf(buf, len, "%s", n);
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* A literal key (with the separator before it) and a JSON string. */
static void json_field(FILE *f, const char *key, const char *s)
{
	fputs(key, f);
	json_escape_file(f, s);
}

static void json_domain(FILE *f, struct domain_rec *d)
{
	char buf[64];

	json_field(f, "{\"domain\":", d->name);
	fprintf(f, ",\"count\":%lu,\"qtypes\":[", d->count);
	qsort(d->qtypes, d->nqtypes, sizeof(d->qtypes[0]), cmp_u16);
	for (unsigned q = 0; q < d->nqtypes; q++) {
		qtype_name(d->qtypes[q], buf, sizeof(buf));
		json_field(f, q ? "," : "", buf);
	}
	fprintf(f, "],\"servers\":[");
	for (size_t s = 0; s < d->nservers; s++) {
		server_str(&d->servers[s], buf, sizeof(buf));
		json_field(f, s ? ",{\"server\":" : "{\"server\":", buf);
		fprintf(f, ",\"count\":%lu,\"status\":\"%s\"}", d->servers[s].count,
			status_name(d->servers[s].status));
	}
	fprintf(f, "],\"first_seen\":\"");
	put_time(f, &d->first);
	fprintf(f, "\",\"last_seen\":\"");
	put_time(f, &d->last);
	fprintf(f, "\"}");
}

static void json_workload(FILE *f, const char *key, struct workload *w)
{
	struct ment *dl = map_sorted(&w->domains);

	json_field(f, "{\"workload\":", key);
	json_field(f, ",\"kind\":", w->kind);
	json_field(f, ",\"name\":", w->name);
	json_field(f, ",\"container_id\":", w->container_id);
	fprintf(f, ",\"queries\":%lu,\"domains\":[", w->events);
	for (size_t j = 0; dl && j < w->domains.n; j++) {
		if (j)
			fputc(',', f);
		json_domain(f, dl[j].val);
	}
	fprintf(f, "]}");
	free(dl);
}

static void json_violation(FILE *f, const struct violation *v)
{
	char buf[64];

	server_str(&v->server, buf, sizeof(buf));
	json_field(f, "{\"type\":", v->type);
	json_field(f, ",\"workload\":", v->workload);
	json_field(f, ",\"domain\":", v->domain);
	json_field(f, ",\"server\":", buf);
	if (v->has_proc) {
		fprintf(f, ",\"pid\":%u", v->pid);
		json_field(f, ",\"comm\":", v->comm);
		json_field(f, ",\"exe\":", v->exe);
	} else {
		fprintf(f, ",\"pid\":null,\"comm\":null,\"exe\":null");
	}
	if (!strcmp(v->type, "unexpected_server"))
		json_field(f, ",\"nameservers\":", v->nameservers);
	fprintf(f, ",\"count\":%lu,\"first_seen\":\"", v->count);
	put_time(f, &v->first);
	fprintf(f, "\",\"last_seen\":\"");
	put_time(f, &v->last);
	fprintf(f, "\"}");
}

static void report_json(struct audit *a, FILE *f, const char *mode, const struct timespec *start,
			const struct timespec *end, unsigned long long lost,
			unsigned long long malformed, struct ment *wl, struct ment *vl)
{
	json_field(f, "{\"type\":\"dnsvis_audit\",\"mode\":", mode);
	fprintf(f, ",\"start\":\"");
	put_time(f, start);
	fprintf(f, "\",\"end\":\"");
	put_time(f, end);
	fprintf(f, "\",\"server_check\":%s,\"workloads\":[",
		a->cfg.check_servers ? "true" : "false");
	for (size_t i = 0; i < a->workloads.n; i++) {
		if (i)
			fputc(',', f);
		json_workload(f, wl[i].key, wl[i].val);
	}
	fprintf(f, "],\"violations\":[");
	for (size_t i = 0; i < a->violations.n; i++) {
		if (i)
			fputc(',', f);
		json_violation(f, vl[i].val);
	}
	fprintf(f,
		"],\"totals\":{\"events\":%llu,\"workloads\":%zu,\"domains\":%zu,"
		"\"violations\":%zu,\"violation_events\":%llu,\"servers_unknown\":%llu,"
		"\"lost\":%llu,\"malformed\":%llu}}\n",
		a->events, a->workloads.n, a->all_domains.n, a->violations.n, a->violation_events,
		a->unverified, lost, malformed);
}

/* One row of a workload's table: domain, count, qtypes, servers, times. */
static void text_domain(FILE *f, struct domain_rec *d)
{
	char buf[64], qt[256] = "", sv[1024] = "";

	qsort(d->qtypes, d->nqtypes, sizeof(d->qtypes[0]), cmp_u16);
	for (unsigned q = 0; q < d->nqtypes; q++) {
		size_t l = strlen(qt);

		qtype_name(d->qtypes[q], buf, sizeof(buf));
		snprintf(qt + l, sizeof(qt) - l, "%s%s", q ? "," : "", buf);
	}
	for (size_t s = 0; s < d->nservers; s++) {
		size_t l = strlen(sv);
		int st = d->servers[s].status;

		server_str(&d->servers[s], buf, sizeof(buf));
		snprintf(sv + l, sizeof(sv) - l, "%s%s%s", s ? "," : "", buf,
			 st == 0    ? "(unexpected)"
			 : st == -1 ? "(unknown)"
				    : "");
	}
	fprintf(f, "  ");
	text_s(f, d->name);
	fprintf(f, "%*s %6lu  %-12s %-24s ", strlen(d->name) < 40 ? (int)(40 - strlen(d->name)) : 0,
		"", d->count, qt, sv);
	put_time(f, &d->first);
	fprintf(f, "  ");
	put_time(f, &d->last);
	fprintf(f, "\n");
}

static void text_workload(FILE *f, struct workload *w)
{
	struct ment *dl = map_sorted(&w->domains);

	fprintf(f, "\nWORKLOAD %s ", w->kind);
	text_s(f, w->name);
	fprintf(f, "  (%lu queries)\n", w->events);
	fprintf(f, "  %-40s %6s  %-12s %-24s %-27s %s\n", "DOMAIN", "COUNT", "QTYPES", "SERVERS",
		"FIRST SEEN", "LAST SEEN");
	for (size_t j = 0; dl && j < w->domains.n; j++)
		text_domain(f, dl[j].val);
	free(dl);
}

static void text_violation(FILE *f, const struct violation *v)
{
	char buf[64];

	server_str(&v->server, buf, sizeof(buf));
	fprintf(f, "  %-17s ", v->type);
	text_s(f, v->domain);
	fprintf(f, "  workload ");
	text_s(f, v->workload);
	if (v->has_proc) {
		fprintf(f, "  pid %u comm ", v->pid);
		text_s(f, v->comm);
		fprintf(f, " exe ");
		text_s(f, v->exe);
	}
	fprintf(f, "  server %s", buf);
	if (!strcmp(v->type, "unexpected_server"))
		fprintf(f, " (resolv.conf: %s)", v->nameservers);
	fprintf(f, "  count %lu\n", v->count);
}

static void report_text(struct audit *a, FILE *f, const char *mode, const struct timespec *start,
			const struct timespec *end, unsigned long long lost,
			unsigned long long malformed, struct ment *wl, struct ment *vl)
{
	fprintf(f, "dnsvis audit (%s) ", mode);
	put_time(f, start);
	fprintf(f, " .. ");
	put_time(f, end);
	fprintf(f, "\n");
	for (size_t i = 0; i < a->workloads.n; i++)
		text_workload(f, wl[i].val);
	fprintf(f, "\nVIOLATIONS (%zu)\n", a->violations.n);
	for (size_t i = 0; i < a->violations.n; i++)
		text_violation(f, vl[i].val);
	fprintf(f,
		"\nTOTALS events %llu  workloads %zu  domains %zu  violations %zu (%llu events)  "
		"servers unknown %llu  lost %llu  malformed %llu\n",
		a->events, a->workloads.n, a->all_domains.n, a->violations.n, a->violation_events,
		a->unverified, lost, malformed);
}

unsigned long audit_report(struct audit *a, FILE *out, const char *mode,
			   const struct timespec *start, const struct timespec *end,
			   unsigned long long lost, unsigned long long malformed)
{
	struct ment *wl = map_sorted(&a->workloads), *vl = map_sorted(&a->violations);

	if (wl && vl) {
		if (a->cfg.format == AUDIT_JSON)
			report_json(a, out, mode, start, end, lost, malformed, wl, vl);
		else
			report_text(a, out, mode, start, end, lost, malformed, wl, vl);
	} else {
		a->oom++;
	}
	free(wl);
	free(vl);
	return a->violations.n;
}

/* ---- command line -------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnsvis audit [-d DURATION] [trace filters and options] [--allow FILE]\n"
		"                    [--deny FILE] [--search DOMAIN]... [-o text|json] [-w FILE]\n"
		"       dnsvis audit --replay [-p PORT]... [--allow FILE] [--deny FILE]\n"
		"                    [--search DOMAIN]... [-o text|json] [-w FILE] FILE...\n"
		"  -d, --duration D   trace this long (seconds, or with s/m/h suffix); else until\n"
		"                     SIGINT/SIGTERM\n"
		"      --allow FILE   names that may be queried (exact, *.suffix, # comments)\n"
		"      --deny FILE    names that must not be queried\n"
		"      --search DOM   a search domain whose expansions of allowed names are\n"
		"                     not violations (besides each process's resolv.conf)\n"
		"      --replay       read capture FILEs instead of tracing\n"
		"  -o, --output F     report format: text (default) or json\n"
		"  -w, --write FILE   also append every event as a JSON line to FILE\n"
		"Other options (--pid, --comm, --domain, -p, --stats, ...) are those of\n"
		"'dnsvis trace' (or 'dnsvis replay' with --replay).\n"
		"Exit status: 0 no violation, 3 violations, 1 error, 2 usage.\n");
}

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "dnsvis: audit: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, " (see 'dnsvis audit --help')\n");
	return AUDIT_EXIT_USAGE;
}

/* "90", "1.5", "30s", "5m", "2h" -> seconds; -1 if bad */
static double parse_duration(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -1;
	if (*end == 0 || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return -1;
}

/* Is argv[i] the option long/short (as "--long", "--long=V", "-s", "-sV")?
 * Sets *val for options with a value (consuming argv[i+1] when needed). */
static int is_opt(int argc, char **argv, int *i, const char *lng, char shrt, int has_val,
		  const char **val, int *missing)
{
	const char *a = argv[*i];
	size_t ll = strlen(lng);

	*missing = 0;
	if (!strncmp(a, "--", 2) && !strncmp(a + 2, lng, ll) &&
	    (a[2 + ll] == 0 || (has_val && a[2 + ll] == '='))) {
		if (!has_val)
			return 1;
		if (a[2 + ll] == '=') {
			*val = a + 3 + ll;
			return 1;
		}
	} else if (shrt && a[0] == '-' && a[1] == shrt) {
		if (!has_val)
			return a[2] == 0;
		if (a[2]) {
			*val = a + 2;
			return 1;
		}
	} else {
		return 0;
	}
	if (*i + 1 >= argc) {
		*missing = 1;
		return 1;
	}
	*val = argv[++*i];
	return 1;
}

/* What the command line of `dnsvis audit` asks for. */
struct audit_args {
	const char **fwd; /* the arguments for trace_run() or replay_run() */
	int nf;
	const char **search; /* the --search domains */
	struct audit_config cfg;
	struct allowlist *allow, *deny;
	const char *write_path;
	int replay, dashdash;
	char dur[64]; /* --duration in seconds, as passed on with -d */
};

#define ARGS_GO_ON (-1) /* parsed; not an exit status */

static int needs_value(const char *opt)
{
	return usage_err("option '%s' needs a value", opt);
}

static int opt_output(struct audit_args *aa, const char *v)
{
	if (!strcmp(v, "text"))
		aa->cfg.format = AUDIT_TEXT;
	else if (!strcmp(v, "json"))
		aa->cfg.format = AUDIT_JSON;
	else
		return usage_err("unknown report format '%s' (text, json)", v);
	return ARGS_GO_ON;
}

/* --allow or --deny FILE: add FILE's names to *l (made on first use). */
static int opt_list(struct allowlist **l, const char *path)
{
	char err[600];

	if (!*l && !(*l = allowlist_new())) {
		fprintf(stderr, "dnsvis: audit: out of memory\n");
		return AUDIT_EXIT_ERROR;
	}
	if (allowlist_load_file(*l, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "dnsvis: audit: %s\n", err);
		return AUDIT_EXIT_ERROR;
	}
	return ARGS_GO_ON;
}

static int opt_duration(struct audit_args *aa, const char *v)
{
	double s = parse_duration(v);

	if (s <= 0)
		return usage_err("bad --duration '%s' (e.g. 90, 30s, 5m, 1h)", v);
	snprintf(aa->dur, sizeof(aa->dur), "%.3f", s);
	aa->fwd[aa->nf++] = "-d";
	aa->fwd[aa->nf++] = aa->dur;
	return ARGS_GO_ON;
}

/* argv[*i], with its value when it takes one: audit's own options are
 * taken, the others are passed on in fwd.  An exit status, or ARGS_GO_ON. */
static int parse_arg(struct audit_args *aa, int argc, char **argv, int *i)
{
	const char *v = NULL;
	int missing, is_allow;

	if (aa->dashdash || argv[*i][0] != '-' || argv[*i][1] == 0) {
		aa->fwd[aa->nf++] = argv[*i];
		return ARGS_GO_ON;
	}
	if (!strcmp(argv[*i], "--")) {
		aa->dashdash = 1;
		aa->fwd[aa->nf++] = argv[*i];
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "help", 'h', 0, &v, &missing)) {
		usage(stdout);
		return AUDIT_EXIT_OK;
	}
	if (is_opt(argc, argv, i, "replay", 0, 0, &v, &missing)) {
		aa->replay = 1;
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "output", 'o', 1, &v, &missing))
		return missing ? needs_value(argv[*i]) : opt_output(aa, v);
	is_allow = is_opt(argc, argv, i, "allow", 0, 1, &v, &missing);
	if (is_allow || is_opt(argc, argv, i, "deny", 0, 1, &v, &missing))
		return missing ? needs_value(argv[*i])
			       : opt_list(is_allow ? &aa->allow : &aa->deny, v);
	if (is_opt(argc, argv, i, "search", 0, 1, &v, &missing)) {
		if (missing || !*v)
			return needs_value(argv[*i]);
		aa->search[aa->cfg.nsearch++] = v;
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "write", 'w', 1, &v, &missing)) {
		if (missing)
			return needs_value(argv[*i]);
		aa->write_path = v;
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "duration", 'd', 1, &v, &missing))
		return missing ? needs_value(argv[*i]) : opt_duration(aa, v);
	aa->fwd[aa->nf++] = argv[*i];
	return ARGS_GO_ON;
}

/* The whole command line: an exit status, or ARGS_GO_ON. */
static int parse_args(struct audit_args *aa, int argc, char **argv)
{
	aa->fwd[aa->nf++] = argv[0];
	for (int i = 1; i < argc; i++) {
		int rc = parse_arg(aa, argc, argv, &i);

		if (rc != ARGS_GO_ON)
			return rc;
	}
	aa->fwd[aa->nf] = NULL;
	if (aa->replay) {
		for (int i = 1; i < aa->nf; i++)
			if (!strcmp(aa->fwd[i], "-d") && aa->fwd[i + 1] == aa->dur)
				return usage_err("%s: -d/--duration is for live audits",
						 "--replay");
	}
	return ARGS_GO_ON;
}

/* Feed a from the live trace or the captures (the times it took in t0 and
 * t1): 0, or the exit status of a failure. */
static int audit_collect(const struct audit_args *aa, struct audit *a, struct event_sink *sink,
			 struct timespec *t0, struct timespec *t1)
{
	static const struct output_opts jo = {OUTPUT_JSON, NULL, NULL};
	int rc;

	memset(sink, 0, sizeof(*sink));
	sink->consume = audit_consume;
	sink->arg = a;
	if (aa->write_path) {
		if (sink_open_write(sink, aa->write_path, &jo) != 0)
			return AUDIT_EXIT_ERROR;
		sink_catch_sighup();
	}
	clock_gettime(CLOCK_REALTIME, t0);
	if (aa->replay)
		rc = replay_run(aa->nf, (char **)aa->fwd, sink);
	else
		rc = trace_run(aa->nf, (char **)aa->fwd, sink);
	clock_gettime(CLOCK_REALTIME, t1);
	if (sink->wfile && sink_close(sink) != 0 && rc == 0)
		rc = AUDIT_EXIT_ERROR;
	if (rc != 0) /* 2 stays 2 (usage); any other failure is an error */
		return rc == AUDIT_EXIT_USAGE ? AUDIT_EXIT_USAGE : AUDIT_EXIT_ERROR;
	return 0;
}

/* The report on stdout, and the exit status it makes. */
static int audit_finish(struct audit *a, const struct audit_args *aa, const struct event_sink *sink,
			const struct timespec *t0, const struct timespec *t1)
{
	unsigned long nv = audit_report(a, stdout, aa->replay ? "replay" : "live", t0, t1,
					sink->lost, sink->malformed);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dnsvis: audit: writing the report: %s\n", strerror(errno));
		return AUDIT_EXIT_ERROR;
	}
	if (a->oom) {
		fprintf(stderr, "dnsvis: audit: out of memory: the report is incomplete\n");
		return AUDIT_EXIT_ERROR;
	}
	return nv ? AUDIT_EXIT_VIOLATION : AUDIT_EXIT_OK;
}

static int audit_run(struct audit_args *aa)
{
	struct event_sink sink;
	struct timespec t0, t1;
	struct audit *a;
	int rc;

	aa->cfg.allow = aa->allow;
	aa->cfg.deny = aa->deny;
	aa->cfg.search = aa->search;
	aa->cfg.check_servers = !aa->replay;
	a = audit_new(&aa->cfg);
	if (!a) {
		fprintf(stderr, "dnsvis: audit: out of memory\n");
		return AUDIT_EXIT_ERROR;
	}
	rc = audit_collect(aa, a, &sink, &t0, &t1);
	if (rc == 0)
		rc = audit_finish(a, aa, &sink, &t0, &t1);
	audit_free(a);
	return rc;
}

int audit_main(int argc, char **argv)
{
	struct audit_args aa;
	int rc;

	memset(&aa, 0, sizeof(aa));
	/* each argument passes on as at most two ("-d5" is "-d" "5.000") */
	aa.fwd = calloc(2 * (size_t)argc + 2, sizeof(char *));
	aa.search = calloc((size_t)argc + 1, sizeof(char *));
	if (!aa.fwd || !aa.search) {
		fprintf(stderr, "dnsvis: audit: out of memory\n");
		rc = AUDIT_EXIT_ERROR;
	} else {
		rc = parse_args(&aa, argc, argv);
		if (rc == ARGS_GO_ON)
			rc = audit_run(&aa);
	}
	allowlist_free(aa.allow);
	allowlist_free(aa.deny);
	free(aa.fwd);
	free(aa.search);
	return rc;
}
