/* format.h - the record writers of each output format, called by
 * output.c with an empty line buffer (output/line.h). */
#ifndef DNSVIS_OUTPUT_FORMAT_H
#define DNSVIS_OUTPUT_FORMAT_H

#include "event.h"
#include "output/line.h"
#include "output/output.h"

#include "match/feed.h"

/* typed: the record starts with "type":"query" (--responses). */
void json_event(struct sbuf *b, const struct dnsvis_event *ev, int typed);
void json_event_fields(struct sbuf *b, const struct dnsvis_event *ev);
void json_outcome(struct sbuf *b, const struct dnsvis_outcome *o);
/* ,"answers":[{"name","type","class","ttl","data"},...]: json and ecs. */
void json_answers(struct sbuf *b, const struct dns_response *r);
void text_outcome(struct sbuf *b, const struct dnsvis_outcome *o);
/* Read the public suffix list once: 0, or -1 with one line on stderr. */
int ecs_prepare(void);
void ecs_event(struct sbuf *b, const struct output_opts *o, const struct dnsvis_event *ev);
void ecs_outcome(struct sbuf *b, const struct output_opts *o, const struct dnsvis_outcome *oc);
void kubearmor_event(struct sbuf *b, const struct output_opts *o, const struct dnsvis_event *ev);
void text_event(struct sbuf *b, const struct dnsvis_event *ev);
void text_header(struct sbuf *b, int with_proc);

#endif
