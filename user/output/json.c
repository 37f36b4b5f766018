/* json.c - the `json` format: one JSON object per question, JSON Lines
 * (the response side is json_response.c). */
#include <string.h>

#include "output/format.h"
#include "wire/dns_types.h"

void json_event(struct sbuf *b, const struct dnsvis_event *ev, int typed)
{
	if (typed)
		sb_lit(b, "{\"type\":\"query\",");
	else
		sb_ch(b, '{');
	json_event_fields(b, ev);
	sb_lit(b, "}\n");
}

/* The query's fields, from "time" on, without the braces. */
void json_event_fields(struct sbuf *b, const struct dnsvis_event *ev)
{
	const struct dnsvis_proc *p = ev->proc;
	char tbuf[32];

	sb_lit(b, "\"time\":\"");
	put_rfc3339(b, &ev->ts);
	put_str_field(b, "\",\"source\":", ev->source);
	sb_lit(b, ",\"family\":\"");
	put_family(b, ev->family);
	sb_lit(b, "\",\"proto\":\"");
	put_proto(b, ev->proto);
	sb_lit(b, "\",\"saddr\":\"");
	put_addr(b, ev->family, ev->saddr);
	put_u64_field(b, "\",\"sport\":", ev->sport);
	sb_lit(b, ",\"daddr\":\"");
	put_addr(b, ev->family, ev->daddr);
	put_u64_field(b, "\",\"dport\":", ev->dport);
	put_u64_field(b, ",\"txid\":", ev->txid);
	sb_lit(b, ",\"opcode\":");
	json_str(b, dns_opcode_name(ev->opcode, tbuf, sizeof(tbuf)), NO_CAP);
	sb_lit(b, ",\"domain\":");
	json_str(b, ev->domain, NO_CAP);
	/* a query with no question: domain, qtype and qclass are all "" */
	sb_lit(b, ",\"qtype\":");
	json_str(b, ev->no_question ? "" : dns_type_name(ev->qtype, tbuf, sizeof(tbuf)), NO_CAP);
	sb_lit(b, ",\"qclass\":");
	json_str(b, ev->no_question ? "" : dns_class_name(ev->qclass, tbuf, sizeof(tbuf)), NO_CAP);
	if (p) {
		put_u64_field(b, ",\"pid\":", p->pid);
		put_u64_field(b, ",\"tid\":", p->tid);
		put_u64_field(b, ",\"ppid\":", p->ppid);
		put_u64_field(b, ",\"uid\":", p->uid);
		put_u64_field(b, ",\"gid\":", p->gid);
		sb_lit(b, ",\"comm\":");
		json_strn(b, p->comm, strnlen(p->comm, sizeof(p->comm)), 0);
		put_str_field(b, ",\"exe\":", p->exe);
		put_str_field(b, ",\"cmdline\":", p->cmdline);
		put_u64_field(b, ",\"cgroup_id\":", p->cgroup_id);
		put_str_field(b, ",\"container_id\":", p->container_id);
		put_str_field(b, ",\"pod_uid\":", p->pod_uid);
		put_str_field(b, ",\"pod\":", p->pod);
		put_str_field(b, ",\"k8s_namespace\":", p->k8s_namespace);
		put_str_field(b, ",\"container\":", p->container_name);
		put_str_field(b, ",\"scope\":", p->scope);
		put_u64_field(b, ",\"ns_pid\":", p->ns_pid);
		put_u64_field(b, ",\"ns_ppid\":", p->ns_ppid);
		put_str_field(b, ",\"cwd\":", p->cwd);
		put_str_field(b, ",\"tty\":", p->tty);
		put_str_field(b, ",\"runtime\":", p->runtime);
		put_str_field(b, ",\"qos\":", p->qos);
		put_str_field(b, ",\"container_image\":", p->container_image);
	}
}
