/* json_response.c - the response side of the `json` format (--responses):
 * "type":"response", "timeout" and "unsolicited" records, each with the
 * query's fields (json.c) and what came back. */
#include "output/format.h"
#include "wire/dns_types.h"

/* "flags":["rd","ra"]: the set ones, from the space-separated text. */
static void put_flags(struct sbuf *b, const char *flags)
{
	const char *p = flags;

	sb_lit(b, ",\"flags\":[");
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (p != flags)
			sb_ch(b, ',');
		json_strn(b, p, n, 0);
		p += n;
		while (*p == ' ')
			p++;
	}
	sb_ch(b, ']');
}

void json_answers(struct sbuf *b, const struct dns_response *r)
{
	char tbuf[32];

	sb_lit(b, ",\"answers\":[");
	for (unsigned i = 0; i < r->nanswers; i++) {
		const struct dns_answer *a = &r->answers[i];

		sb_str(b, i ? ",{\"name\":" : "{\"name\":");
		json_str(b, a->name, NO_CAP);
		sb_lit(b, ",\"type\":");
		json_str(b, dns_type_name(a->type, tbuf, sizeof(tbuf)), NO_CAP);
		sb_lit(b, ",\"class\":");
		json_str(b, dns_class_name(a->rclass, tbuf, sizeof(tbuf)), NO_CAP);
		put_u64_field(b, ",\"ttl\":", a->ttl);
		sb_lit(b, ",\"data\":");
		json_str(b, a->data, NO_CAP);
		sb_ch(b, '}');
	}
	sb_ch(b, ']');
}

/* What came back: rcode, flags, answers, counts, EDNS, short copy. */
static void put_response(struct sbuf *b, const struct dns_response *r)
{
	sb_lit(b, ",\"rcode\":");
	json_str(b, r->rcode_name, NO_CAP);
	if (!r->rcode_exact) /* the OPT with the upper bits may not have been copied */
		sb_lit(b, ",\"rcode_exact\":false");
	put_flags(b, r->flags);
	json_answers(b, r);
	if (r->answers_omitted)
		put_u64_field(b, ",\"answers_omitted\":", r->answers_omitted);
	put_u64_field(b, ",\"authority\":", r->authority);
	put_u64_field(b, ",\"additional\":", r->additional);
	if (r->edns_state == DNS_EDNS_PRESENT) {
		put_u64_field(b, ",\"edns\":{\"udp_size\":", r->edns.udp_size);
		put_u64_field(b, ",\"version\":", r->edns.version);
		sb_str(b, r->edns.do_bit ? ",\"do\":true}" : ",\"do\":false}");
	}
	if (r->truncated_copy)
		sb_lit(b, ",\"truncated_copy\":true");
}

void json_outcome(struct sbuf *b, const struct dnsvis_outcome *o)
{
	struct dnsvis_event ev = *o->query;

	ev.ts = o->ts; /* the record's time: arrival, or when it timed out */
	switch (o->kind) {
	case OUTCOME_RESPONSE:
		sb_lit(b, "{\"type\":\"response\",");
		break;
	case OUTCOME_TIMEOUT:
		sb_lit(b, "{\"type\":\"timeout\",");
		break;
	default:
		sb_lit(b, "{\"type\":\"unsolicited\",");
		break;
	}
	json_event_fields(b, &ev);
	if (o->resp)
		put_response(b, o->resp);
	if (o->kind == OUTCOME_RESPONSE)
		put_u64_field(b, ",\"latency_us\":", (uint64_t)o->latency_us);
	if (o->kind == OUTCOME_TIMEOUT) {
		put_u64_field(b, ",\"waited_ms\":", (uint64_t)o->waited_ms);
		if (o->end_of_input)
			sb_lit(b, ",\"end_of_input\":true");
	}
	if (o->kind != OUTCOME_UNSOLICITED)
		put_u64_field(b, ",\"retries\":", o->retries);
	sb_lit(b, "}\n");
}
