/* ecs.c - the `ecs` format: one Elastic Common Schema document per line,
 * nested objects as ECS writes them.  A query is a dns.type "query"
 * document; with --responses a response is a dns.type "answer" document
 * with the query's fields and the answers (ECS: "a full exchange"), a
 * timeout a query document with event.outcome "failure".  The question's
 * registered domain, subdomain and top-level domain come from the Public
 * Suffix List (psl.h), read once at the first document. */
#include <stdio.h>
#include <stdlib.h>

#include "output/format.h"
#include "output/psl.h"
#include "util/str.h"
#include "wire/dns_types.h"

#define ECS_VERSION "8.11.0"

static struct psl *psl;
static int psl_tried;

static const char *ecs_psl_path(void)
{
	const char *p = getenv("DNSVIS_PSL");

	return p && *p ? p : PSL_DEFAULT_PATH;
}

int ecs_prepare(void)
{
	char err[512];

	if (psl_tried)
		return psl ? 0 : -1;
	psl_tried = 1;
	psl = psl_load(ecs_psl_path(), err, sizeof(err));
	if (psl)
		return 0;
	fprintf(stderr, "dnsvis: -o ecs: the public suffix list %s (Debian package publicsuffix)\n",
		err);
	return -1;
}

/* ,"key":"s" when s is set and not empty */
static void opt_str(struct sbuf *b, const char *key, const char *s)
{
	if (!s || !*s)
		return;
	sb_str(b, key);
	json_str(b, s, FIELD_MAX);
}

static void put_question(struct sbuf *b, const struct dnsvis_event *ev)
{
	struct psl_split sp;
	char tbuf[32];

	sb_lit(b, ",\"question\":{\"name\":");
	json_str(b, ev->domain, NO_CAP);
	sb_lit(b, ",\"type\":");
	json_str(b, dns_type_name(ev->qtype, tbuf, sizeof(tbuf)), NO_CAP);
	sb_lit(b, ",\"class\":");
	json_str(b, dns_class_name(ev->qclass, tbuf, sizeof(tbuf)), NO_CAP);
	if ((psl || ecs_prepare() == 0) && psl_split_name(psl, ev->domain, &sp) == 0) {
		opt_str(b, ",\"registered_domain\":", sp.registered_domain);
		opt_str(b, ",\"subdomain\":", sp.subdomain);
		opt_str(b, ",\"top_level_domain\":", sp.top_level_domain);
	}
	sb_ch(b, '}');
}

/* "header_flags":["RD","RA",...] as ECS spells them, DO from the OPT. */
static void put_header_flags(struct sbuf *b, const struct dns_response *r)
{
	const struct dns_header *h = &r->header;
	const char *names[7] = {"AA", "TC", "RD", "RA", "AD", "CD", "DO"};
	int set[7] = {h->aa,
		      h->tc,
		      h->rd,
		      h->ra,
		      h->ad,
		      h->cd,
		      r->edns_state == DNS_EDNS_PRESENT && r->edns.do_bit};
	int first = 1;

	sb_lit(b, ",\"header_flags\":[");
	for (int i = 0; i < 7; i++) {
		if (!set[i])
			continue;
		if (!first)
			sb_ch(b, ',');
		json_str(b, names[i], NO_CAP);
		first = 0;
	}
	sb_ch(b, ']');
}

static void put_answers(struct sbuf *b, const struct dns_response *r)
{
	int nip = 0;

	json_answers(b, r);
	sb_lit(b, ",\"resolved_ip\":[");
	for (unsigned i = 0; i < r->nanswers; i++) {
		const struct dns_answer *a = &r->answers[i];

		if ((a->type != 1 && a->type != 28) || a->rdata_bad)
			continue;
		if (nip++)
			sb_ch(b, ',');
		json_str(b, a->data, NO_CAP);
	}
	sb_ch(b, ']');
}

/* "dns":{...}: resp NULL for a query document. */
static void put_dns(struct sbuf *b, const struct dnsvis_event *ev, const struct dns_response *r)
{
	char tbuf[32];

	sb_str(b, r ? ",\"dns\":{\"type\":\"answer\",\"id\":\""
		    : ",\"dns\":{\"type\":\"query\",\"id\":\"");
	sb_u64(b, ev->txid);
	sb_lit(b, "\",\"op_code\":");
	json_str(b, dns_opcode_name(ev->opcode, tbuf, sizeof(tbuf)), NO_CAP);
	if (r) {
		put_header_flags(b, r);
		sb_lit(b, ",\"response_code\":");
		json_str(b, r->rcode_name, NO_CAP);
	}
	if (!ev->no_question)
		put_question(b, ev);
	if (r)
		put_answers(b, r);
	sb_ch(b, '}');
}

static void put_endpoints(struct sbuf *b, const struct dnsvis_event *ev)
{
	sb_lit(b, ",\"source\":{\"ip\":\"");
	put_addr(b, ev->family, ev->saddr);
	put_u64_field(b, "\",\"port\":", ev->sport);
	sb_lit(b, "},\"destination\":{\"ip\":\"");
	put_addr(b, ev->family, ev->daddr);
	put_u64_field(b, "\",\"port\":", ev->dport);
	sb_lit(b, "},\"network\":{\"transport\":\"");
	put_proto(b, ev->proto);
	sb_str(b, ev->family == 10 ? "\",\"type\":\"ipv6\"" : "\",\"type\":\"ipv4\"");
	sb_lit(b, ",\"protocol\":\"dns\"}");
}

/* process.*, user.id, container.*, orchestrator.* (live only). */
static void put_process(struct sbuf *b, const struct output_opts *o, const struct dnsvis_proc *p)
{
	put_u64_field(b, ",\"process\":{\"pid\":", p->pid);
	sb_lit(b, ",\"name\":");
	json_strn(b, p->comm, strnlen(p->comm, sizeof(p->comm)), 0);
	opt_str(b, ",\"executable\":", p->exe);
	opt_str(b, ",\"command_line\":", p->cmdline);
	opt_str(b, ",\"working_directory\":", p->cwd);
	put_u64_field(b, ",\"thread\":{\"id\":", p->tid);
	put_u64_field(b, "},\"parent\":{\"pid\":", p->ppid);
	sb_lit(b, "}},\"user\":{\"id\":\"");
	sb_u64(b, p->uid);
	sb_lit(b, "\"},\"group\":{\"id\":\"");
	sb_u64(b, p->gid);
	sb_lit(b, "\"}");
	if (p->container_id && *p->container_id) {
		put_str_field(b, ",\"container\":{\"id\":", p->container_id);
		opt_str(b, ",\"name\":", p->container_name);
		opt_str(b, ",\"runtime\":", p->runtime);
		if (p->container_image && *p->container_image)
			put_str_field(b, ",\"image\":{\"name\":", p->container_image),
			    sb_ch(b, '}');
		sb_ch(b, '}');
	}
	if (p->pod && *p->pod) {
		sb_lit(b, ",\"orchestrator\":{\"type\":\"kubernetes\"");
		opt_str(b, ",\"namespace\":", p->k8s_namespace);
		put_str_field(b, ",\"resource\":{\"type\":\"pod\",\"name\":", p->pod);
		opt_str(b, ",\"id\":", p->pod_uid);
		put_str_field(
		    b, "},\"cluster\":{\"name\":", o->cluster_name ? o->cluster_name : "default");
		sb_lit(b, "}}");
	}
}

/* One document: action, outcome and duration (ns; < 0: none) for event. */
static void ecs_doc(struct sbuf *b, const struct output_opts *o, const struct dnsvis_event *ev,
		    const struct dns_response *r, const char *action, const char *outcome,
		    int64_t duration_ns)
{
	sb_lit(b, "{\"@timestamp\":\"");
	put_rfc3339(b, &ev->ts);
	sb_lit(b, "\",\"ecs\":{\"version\":\"" ECS_VERSION "\"},\"event\":{\"kind\":\"event\","
		  "\"category\":[\"network\"],\"type\":[\"protocol\"],\"dataset\":\"dnsvis.dns\","
		  "\"action\":\"");
	sb_str(b, action);
	sb_ch(b, '"');
	if (outcome)
		sb_str(b, ",\"outcome\":\""), sb_str(b, outcome), sb_ch(b, '"');
	if (duration_ns >= 0)
		put_u64_field(b, ",\"duration\":", (uint64_t)duration_ns);
	sb_ch(b, '}');
	put_dns(b, ev, r);
	put_endpoints(b, ev);
	if (ev->proc)
		put_process(b, o, ev->proc);
	sb_lit(b, "}\n");
}

void ecs_event(struct sbuf *b, const struct output_opts *o, const struct dnsvis_event *ev)
{
	ecs_doc(b, o, ev, NULL, "dns-query", NULL, -1);
}

void ecs_outcome(struct sbuf *b, const struct output_opts *o, const struct dnsvis_outcome *oc)
{
	struct dnsvis_event ev = *oc->query;

	ev.ts = oc->ts;
	if (oc->kind == OUTCOME_RESPONSE)
		ecs_doc(b, o, &ev, oc->resp, "dns-answer", "success", oc->latency_us * 1000);
	else if (oc->kind == OUTCOME_TIMEOUT)
		ecs_doc(b, o, &ev, NULL, "dns-timeout", "failure", oc->waited_ms * 1000000);
	else
		ecs_doc(b, o, &ev, oc->resp, "dns-unsolicited", "unknown", -1);
}
