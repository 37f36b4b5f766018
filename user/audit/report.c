/* report.c - the audit report: text (a block per workload, the violations,
 * the totals) or one JSON document (doc/dnsvis.8 "AUDIT REPORT").
 * Workloads, domains and violations are written in key order, so two runs
 * over the same events give the same report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_internal.h"
#include "output/json_escape.h"
#include "output/line.h"
#include "util/str.h"
#include "wire/dns_types.h"

/* What the report is about, besides the records. */
struct report_ctx {
	const char *mode; /* "live" or "replay" */
	const struct timespec *start, *end;
	unsigned long long lost, malformed;
	struct strmap_entry *workloads, *violations; /* sorted */
	size_t nviolations; /* those with a count: learned expansions take some back */
};

/* ---- --responses and what was learned ------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest latency with at least pct% at or below it. */
static uint32_t percentile(const struct resp_stats *r, unsigned pct)
{
	size_t rank = (r->nlatency * pct + 99) / 100;

	return r->latency_us[rank ? rank - 1 : 0];
}

static const char *rcode_slot_name(unsigned i, char *buf, size_t len)
{
	if (i == RCODE_SLOTS - 1)
		return "other";
	return dns_rcode_name((uint16_t)i, buf, len);
}

/* ,"responses":{"rcodes":{..},"timeouts":N,"latency_us":{p50,p95,p99,max}} */
static void json_resp(FILE *f, struct resp_stats *r)
{
	char buf[32];
	int first = 1;

	fprintf(f, ",\"responses\":{\"rcodes\":{");
	for (unsigned i = 0; i < RCODE_SLOTS; i++) {
		if (!r->rcodes[i])
			continue;
		fprintf(f, "%s\"%s\":%lu", first ? "" : ",", rcode_slot_name(i, buf, sizeof(buf)),
			r->rcodes[i]);
		first = 0;
	}
	fprintf(f, "},\"timeouts\":%lu,\"latency_us\":", r->timeouts);
	if (!r->nlatency) {
		fprintf(f, "null}");
		return;
	}
	qsort(r->latency_us, r->nlatency, sizeof(r->latency_us[0]), cmp_u32);
	fprintf(f, "{\"p50\":%u,\"p95\":%u,\"p99\":%u,\"max\":%u}}", percentile(r, 50),
		percentile(r, 95), percentile(r, 99), r->latency_us[r->nlatency - 1]);
}

/* "  NOERROR 3 NXDOMAIN 1 timeouts 0 latency p50/p95/p99/max 1.2/3.4/5.6/7.8 ms" */
static void text_resp(FILE *f, struct resp_stats *r)
{
	char buf[32];

	fprintf(f, "    responses:");
	for (unsigned i = 0; i < RCODE_SLOTS; i++)
		if (r->rcodes[i])
			fprintf(f, " %s %lu", rcode_slot_name(i, buf, sizeof(buf)), r->rcodes[i]);
	fprintf(f, "  timeouts %lu", r->timeouts);
	if (r->nlatency) {
		qsort(r->latency_us, r->nlatency, sizeof(r->latency_us[0]), cmp_u32);
		fprintf(f, "  latency p50/p95/p99/max %.3f/%.3f/%.3f/%.3f ms",
			percentile(r, 50) / 1e3, percentile(r, 95) / 1e3, percentile(r, 99) / 1e3,
			r->latency_us[r->nlatency - 1] / 1e3);
	}
	fprintf(f, "\n");
}

/* Times and process strings are written as the event formats write them
 * (output/line.h): RFC 3339 UTC, and terminal-safe text. */
static void put_time(FILE *f, const struct timespec *ts)
{
	struct sbuf *b = line_begin();

	put_rfc3339(b, ts);
	line_end(f, b);
}

static void text_s(FILE *f, const char *s)
{
	struct sbuf *b = line_begin();

	text_str(b, s, NO_CAP, 0);
	line_end(f, b);
}

static const char *status_name(int st)
{
	switch (st) {
	case SERVER_EXPECTED:
		return "expected";
	case SERVER_UNEXPECTED:
		return "unexpected";
	case SERVER_UNKNOWN:
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

/* ---- json ---------------------------------------------------------------- */

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
	fprintf(f, "\"");
	if (d->resp)
		json_resp(f, d->resp);
	fprintf(f, "}");
}

static void json_workload(FILE *f, const struct audit *a, const char *key, struct workload *w)
{
	struct strmap_entry *dl = strmap_sorted(&w->domains);

	json_field(f, "{\"workload\":", key);
	json_field(f, ",\"kind\":", w->kind);
	json_field(f, ",\"name\":", w->name);
	json_field(f, ",\"container_id\":", w->container_id);
	fprintf(f, ",\"queries\":%lu", w->events);
	if (a->cfg.responses)
		fprintf(f, ",\"unsolicited\":%lu", w->unsolicited);
	if (a->cfg.responses || w->expansions)
		fprintf(f, ",\"search_list_waste\":%lu", w->expansions);
	fprintf(f, ",\"domains\":[");
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

static void report_json(const struct audit *a, FILE *f, const struct report_ctx *rc)
{
	json_field(f, "{\"type\":\"dnsvis_audit\",\"mode\":", rc->mode);
	fprintf(f, ",\"start\":\"");
	put_time(f, rc->start);
	fprintf(f, "\",\"end\":\"");
	put_time(f, rc->end);
	fprintf(f, "\",\"server_check\":%s,\"workloads\":[",
		a->cfg.check_servers ? "true" : "false");
	for (size_t i = 0; i < a->workloads.n; i++) {
		if (i)
			fputc(',', f);
		json_workload(f, a, rc->workloads[i].key, rc->workloads[i].val);
	}
	fprintf(f, "],\"violations\":[");
	for (size_t i = 0; i < rc->nviolations; i++) {
		if (i)
			fputc(',', f);
		json_violation(f, rc->violations[i].val);
	}
	fprintf(f,
		"],\"totals\":{\"events\":%llu,\"workloads\":%zu,\"domains\":%zu,"
		"\"violations\":%zu,\"violation_events\":%llu,\"servers_unknown\":%llu,"
		"\"lost\":%llu,\"malformed\":%llu",
		a->events, a->workloads.n, a->all_domains.n, rc->nviolations, a->violation_events,
		a->unverified, rc->lost, rc->malformed);
	if (a->cfg.responses)
		fprintf(f, ",\"unsolicited\":%llu", a->unsolicited);
	if (a->cfg.responses || a->expansions)
		fprintf(f, ",\"search_list_waste\":%llu", a->expansions);
	fprintf(f, "}}\n");
}

/* ---- text ---------------------------------------------------------------- */

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
			 st == SERVER_UNEXPECTED ? "(unexpected)"
			 : st == SERVER_UNKNOWN	 ? "(unknown)"
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
	if (d->resp)
		text_resp(f, d->resp);
}

static void text_workload(FILE *f, struct workload *w)
{
	struct strmap_entry *dl = strmap_sorted(&w->domains);

	fprintf(f, "\nWORKLOAD %s ", w->kind);
	text_s(f, w->name);
	fprintf(f, "  (%lu queries", w->events);
	if (w->expansions)
		fprintf(f, ", %lu search-list expansions", w->expansions);
	if (w->unsolicited)
		fprintf(f, ", %lu unsolicited responses", w->unsolicited);
	fprintf(f, ")\n");
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

static void report_text(const struct audit *a, FILE *f, const struct report_ctx *rc)
{
	fprintf(f, "dnsvis audit (%s) ", rc->mode);
	put_time(f, rc->start);
	fprintf(f, " .. ");
	put_time(f, rc->end);
	fprintf(f, "\n");
	for (size_t i = 0; i < a->workloads.n; i++)
		text_workload(f, rc->workloads[i].val);
	fprintf(f, "\nVIOLATIONS (%zu)\n", rc->nviolations);
	for (size_t i = 0; i < rc->nviolations; i++)
		text_violation(f, rc->violations[i].val);
	fprintf(f,
		"\nTOTALS events %llu  workloads %zu  domains %zu  violations %zu (%llu events)  "
		"servers unknown %llu  lost %llu  malformed %llu",
		a->events, a->workloads.n, a->all_domains.n, rc->nviolations, a->violation_events,
		a->unverified, rc->lost, rc->malformed);
	if (a->cfg.responses)
		fprintf(f, "  unsolicited %llu", a->unsolicited);
	if (a->cfg.responses || a->expansions)
		fprintf(f, "  search-list waste %llu", a->expansions);
	fprintf(f, "\n");
}

unsigned long audit_report(struct audit *a, FILE *out, const char *mode,
			   const struct timespec *start, const struct timespec *end,
			   unsigned long long lost, unsigned long long malformed)
{
	struct report_ctx rc = {mode,
				start,
				end,
				lost,
				malformed,
				strmap_sorted(&a->workloads),
				strmap_sorted(&a->violations),
				0};

	if (rc.violations) /* drop those learned expansions took back whole */
		for (size_t i = 0; i < a->violations.n; i++)
			if (((const struct violation *)rc.violations[i].val)->count)
				rc.violations[rc.nviolations++] = rc.violations[i];
	if (rc.workloads && rc.violations) {
		if (a->cfg.format == AUDIT_JSON)
			report_json(a, out, &rc);
		else
			report_text(a, out, &rc);
	} else {
		a->oom++;
	}
	free(rc.workloads);
	free(rc.violations);
	return (unsigned long)rc.nviolations;
}
