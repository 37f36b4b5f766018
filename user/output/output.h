/* output.h - the one formatter for replay and live tracing.
 *
 * Stage output (user/output/): events to lines, and lines to their sinks.
 * Formats in json.c, kubearmor.c and text.c over one line buffer (line.h),
 * JSON escaping in json_escape.h, sinks (stdout, the -w file, a consumer
 * such as the audit) in sink.h.  Pure: no libbpf or libpcap. */
#ifndef DNSVIS_OUTPUT_H
#define DNSVIS_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "match/feed.h"

enum output_format { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_KUBEARMOR, OUTPUT_ECS };

struct output_opts {
	enum output_format format;
	const char *cluster_name; /* kubearmor ClusterName, default "default" */
	const char *host_name;	  /* kubearmor HostName */
	int typed;		  /* json: query records carry "type":"query" (--responses) */
};

/* "text", "json", "kubearmor", "ecs" -> format; -1 if unknown. */
int output_format_parse(const char *name);

/* What a format needs before the first line: ecs reads the public suffix
 * list (ecs.c).  0, or -1 with one line on stderr.  (Without the call, ecs
 * reads it at its first document and, when it is missing, says so once and
 * writes documents without the three fields the list gives.) */
int output_prepare(const struct output_opts *o);

/* Header line for text output (nothing for the JSON formats). */
void output_header(FILE *out, const struct output_opts *o, int with_proc);

/* Write exactly one complete line for ev.  The line is built in memory
 * first, so a write is never a partial line. */
void output_event(FILE *out, const struct output_opts *o, const struct dnsvis_event *ev);

/* One line for a response, timeout or unsolicited response (json and
 * text; nothing for kubearmor, whose schema has queries only). */
void output_outcome(FILE *out, const struct output_opts *o, const struct dnsvis_outcome *oc);

/* JSON record for lost perf samples: {"type":"lost","count":N,"cpu":C}
 * (json only; text writes a comment-style line). */
void output_lost(FILE *out, const struct output_opts *o, uint64_t count, int cpu);

#endif
