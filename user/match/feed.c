/* feed.c - see feed.h. */
#include "match/feed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL

/* An outstanding query's event, with its domain kept behind it. */
struct kept_query {
	struct dnsvis_event ev;
	char domain[];
};

struct match_feed {
	struct matcher *m;
	feed_emit_fn emit; /* NULL while feed_free() empties the table */
	void *ctx;
	void (*release)(void *ctx, const struct dnsvis_event *ev);
	const char *source;
	uint64_t untracked; /* queries not kept: no memory for their copy */
	/* the response under match_response(), for the result callback */
	const struct timespec *wall;
};

static struct timespec ts_of_ns(int64_t ns)
{
	struct timespec t;

	if (ns < 0)
		ns = 0;
	t.tv_sec = (time_t)(ns / NS_PER_S);
	t.tv_nsec = (long)(ns % NS_PER_S);
	return t;
}

/* The query's wall time moved on by the span the match clock saw. */
static struct timespec ts_after(const struct timespec *from, int64_t from_ns, int64_t to_ns)
{
	int64_t base = (int64_t)from->tv_sec * NS_PER_S + from->tv_nsec;

	return ts_of_ns(base + (to_ns > from_ns ? to_ns - from_ns : 0));
}

/* An unsolicited response as an event: the client is its destination. */
static void event_of_response(struct dnsvis_event *ev, const char *source,
			      const struct match_response *mr, const struct dns_response *r)
{
	const struct match_flow *fl = &mr->flow;

	memset(ev, 0, sizeof(*ev));
	ev->source = source;
	ev->family = fl->family;
	ev->proto = fl->proto;
	memcpy(ev->saddr, fl->daddr, sizeof(ev->saddr));
	memcpy(ev->daddr, fl->saddr, sizeof(ev->daddr));
	ev->sport = fl->dport;
	ev->dport = fl->sport;
	ev->txid = r->header.id;
	ev->opcode = r->header.opcode;
	ev->no_question = !r->has_question;
	ev->domain = r->has_question ? r->question.name.text : "";
	ev->qtype = r->has_question ? r->question.qtype : 0;
	ev->qclass = r->has_question ? r->question.qclass : 0;
}

static void on_result(const struct match_result *res, void *arg)
{
	struct match_feed *f = arg;
	struct kept_query *k = res->query ? res->query->user : NULL;
	struct dnsvis_outcome o = {.retries = res->retries};
	struct dnsvis_event unsolicited;

	/* every result but an unsolicited one has a query, kept as k */
	if (res->kind != MATCH_UNSOLICITED && !k)
		return;
	switch (res->kind) {
	case MATCH_PAIRED:
		o.kind = OUTCOME_RESPONSE;
		o.ts = *f->wall;
		o.query = &k->ev;
		o.resp = res->response->decoded;
		o.latency_us = res->latency_us;
		break;
	case MATCH_UNSOLICITED:
		o.kind = OUTCOME_UNSOLICITED;
		o.ts = *f->wall;
		event_of_response(&unsolicited, f->source, res->response, res->response->decoded);
		unsolicited.ts = o.ts;
		o.query = &unsolicited;
		o.resp = res->response->decoded;
		break;
	case MATCH_TIMEOUT:
		o.kind = OUTCOME_TIMEOUT;
		o.ts = ts_after(&k->ev.ts, res->query->ts_ns, res->ts_ns);
		o.query = &k->ev;
		o.waited_ms = res->waited_ms;
		o.end_of_input = res->end_of_input;
		break;
	case MATCH_EVICTED: /* counted in the matcher's stats only */
		break;
	}
	if (res->kind != MATCH_EVICTED && f->emit)
		f->emit(f->ctx, &o);
	if (k && f->release)
		f->release(f->ctx, &k->ev);
	free(k);
}

struct match_feed *feed_new(const struct feed_opts *o)
{
	struct match_opts mo = {
	    .max_pending = o->max_pending,
	    .timeout_ns = o->timeout_ns,
	    .seed = o->seed,
	    .on_result = on_result,
	};
	struct match_feed *f;

	if (!o->emit) {
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	mo.ctx = f;
	f->emit = o->emit;
	f->ctx = o->ctx;
	f->release = o->release;
	f->source = o->source ? o->source : "pcap";
	f->m = match_new(&mo);
	if (!f->m) {
		free(f);
		return NULL;
	}
	return f;
}

void feed_free(struct match_feed *f)
{
	if (!f)
		return;
	f->emit = NULL; /* what is still outstanding goes without outcomes */
	match_flush(f->m);
	match_free(f->m);
	free(f);
}

void feed_query(struct match_feed *f, const struct dnsvis_event *ev, uint64_t netns, int64_t ts_ns)
{
	struct match_flow fl = {.netns = netns,
				.family = ev->family,
				.proto = ev->proto,
				.sport = ev->sport,
				.dport = ev->dport};

	memcpy(fl.saddr, ev->saddr, sizeof(fl.saddr));
	memcpy(fl.daddr, ev->daddr, sizeof(fl.daddr));
	feed_query_flow(f, ev, &fl, ts_ns);
}

void feed_query_flow(struct match_feed *f, const struct dnsvis_event *ev,
		     const struct match_flow *flow, int64_t ts_ns)
{
	size_t n = strlen(ev->domain) + 1;
	struct kept_query *k = malloc(sizeof(*k) + n);
	struct match_query q = {
	    .flow = *flow,
	    .ts_ns = ts_ns,
	    .txid = ev->txid,
	    .opcode = ev->opcode,
	    .qtype = ev->qtype,
	    .qclass = ev->qclass,
	    .name = ev->domain,
	    .user = k,
	};

	if (!k) {
		f->untracked++;
		if (f->release)
			f->release(f->ctx, ev);
		return;
	}
	k->ev = *ev;
	memcpy(k->domain, ev->domain, n);
	k->ev.domain = k->domain;
	if (match_query(f->m, &q) != MATCH_Q_NEW) {
		if (f->release)
			f->release(f->ctx, &k->ev);
		free(k);
	}
}

void feed_response(struct match_feed *f, const struct match_flow *flow, int64_t ts_ns,
		   const struct timespec *wall, const struct dns_response *r)
{
	struct feed_times t = {.ts_ns = ts_ns, .wall = wall};

	feed_response_alt(f, flow, NULL, &t, r);
}

void feed_response_alt(struct match_feed *f, const struct match_flow *flow,
		       const struct match_flow *alt, const struct feed_times *t,
		       const struct dns_response *r)
{
	struct match_response mr = {
	    .flow = *flow,
	    .ts_ns = t->ts_ns,
	    .arrival_ns = t->arrival_ns,
	    .txid = r->header.id,
	    .has_question = r->has_question,
	    .qtype = r->has_question ? r->question.qtype : 0,
	    .qclass = r->has_question ? r->question.qclass : 0,
	    .name = r->has_question ? r->question.name.text : "",
	    .decoded = r,
	};

	f->wall = t->wall;
	/* an answer to the flow as it came, the common case: one lookup */
	if (!match_response_paired(f->m, &mr)) {
		int paired = 0;

		if (alt) {
			mr.flow = *alt;
			paired = match_response_paired(f->m, &mr);
			mr.flow = *flow; /* unsolicited: as it came */
		}
		if (!paired)
			match_response(f->m, &mr);
	}
	f->wall = NULL;
}

void feed_advance(struct match_feed *f, int64_t now_ns)
{
	match_advance(f->m, now_ns);
}

void feed_flush(struct match_feed *f)
{
	match_flush(f->m);
}

const struct match_stats *feed_stats(const struct match_feed *f)
{
	return match_stats(f->m);
}

uint64_t feed_untracked(const struct match_feed *f)
{
	return f->untracked;
}
