/* output.c - the one formatter for replay and live tracing: the format
 * names and the entry points, which pick the record writer of the format
 * (json.c, kubearmor.c, text.c) and write each record as one whole line
 * (line.h says how). */
#include "output/output.h"

#include <string.h>

#include "output/format.h"

/* ---- API --------------------------------------------------------------- */

static const struct output_opts default_opts = {.format = OUTPUT_TEXT};

int output_format_parse(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "text") == 0)
		return OUTPUT_TEXT;
	if (strcmp(name, "json") == 0)
		return OUTPUT_JSON;
	if (strcmp(name, "kubearmor") == 0)
		return OUTPUT_KUBEARMOR;
	if (strcmp(name, "ecs") == 0)
		return OUTPUT_ECS;
	return -1;
}

int output_prepare(const struct output_opts *o)
{
	return o && o->format == OUTPUT_ECS ? ecs_prepare() : 0;
}

void output_header(FILE *out, const struct output_opts *o, int with_proc)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	if (o->format != OUTPUT_TEXT)
		return;
	b = line_begin();
	text_header(b, with_proc);
	line_end(out, b);
}

void output_event(FILE *out, const struct output_opts *o, const struct dnsvis_event *ev)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	if (!ev)
		return;
	/* KubeArmor's DNS visibility knows queries only: its schema has no
	 * place for NOTIFY, UPDATE and the other opcodes */
	if (o->format == OUTPUT_KUBEARMOR && ev->opcode != 0)
		return;
	b = line_begin();
	switch (o->format) {
	case OUTPUT_JSON:
		json_event(b, ev, o->typed);
		break;
	case OUTPUT_KUBEARMOR:
		kubearmor_event(b, o, ev);
		break;
	case OUTPUT_ECS:
		ecs_event(b, o, ev);
		break;
	default:
		text_event(b, ev);
		break;
	}
	line_end(out, b);
}

void output_lost(FILE *out, const struct output_opts *o, uint64_t count, int cpu)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	b = line_begin();
	if (o->format == OUTPUT_TEXT) {
		sb_lit(b, "# lost ");
		sb_u64(b, count);
		sb_lit(b, " events on CPU ");
		sb_i64(b, cpu);
		sb_ch(b, '\n');
	} else {
		sb_lit(b, "{\"type\":\"lost\",\"count\":");
		sb_u64(b, count);
		sb_lit(b, ",\"cpu\":");
		sb_i64(b, cpu);
		sb_lit(b, "}\n");
	}
	line_end(out, b);
}

void output_outcome(FILE *out, const struct output_opts *o, const struct dnsvis_outcome *oc)
{
	struct sbuf *b;

	if (!o)
		o = &default_opts;
	if (o->format == OUTPUT_KUBEARMOR) /* its schema has queries only */
		return;
	b = line_begin();
	if (o->format == OUTPUT_JSON)
		json_outcome(b, oc);
	else if (o->format == OUTPUT_ECS)
		ecs_outcome(b, o, oc);
	else
		text_outcome(b, oc);
	line_end(out, b);
}
