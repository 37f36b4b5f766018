/* feed.h - the response path shared by the sources: query events and
 * decoded responses in, outcomes (response, timeout, unsolicited) out.
 *
 * A source (replay now, live later) hands every query event it reports and
 * every response it decoded, each with its socket (network namespace and
 * 5-tuple) and a timestamp on one clock (replay: capture time; live: the
 * kernel's); the feed keeps a copy of each outstanding query's event, runs
 * the outstanding-query table (match.h) and turns each of its results into
 * a struct dnsvis_outcome for the output stage.  Pure: no libbpf, no
 * libpcap.  A query's proc pointer is kept as given, so the caller keeps
 * what it points to alive until the feed releases the query (release) or
 * passes NULL.
 */
#ifndef DNSVIS_MATCH_FEED_H
#define DNSVIS_MATCH_FEED_H

#include <stdint.h>
#include <time.h>

#include "event.h"
#include "match/match.h"
#include "wire/dns_response.h"

enum dnsvis_outcome_kind {
	OUTCOME_RESPONSE,    /* a query and its response */
	OUTCOME_TIMEOUT,     /* a query that got none within the timeout */
	OUTCOME_UNSOLICITED, /* a response that answers no outstanding query */
};

struct dnsvis_outcome {
	enum dnsvis_outcome_kind kind;
	struct timespec ts; /* response arrival, or when the query timed out */
	/* The query's fields (its first transmission).  Unsolicited: the
	 * fields as the response has them, the client as saddr/sport. */
	const struct dnsvis_event *query;
	const struct dns_response *resp; /* response, unsolicited; else NULL */
	int64_t latency_us;		 /* response: arrival - first transmission */
	int64_t waited_ms;		 /* timeout */
	uint32_t retries;		 /* further transmissions of the question */
	int end_of_input;		 /* timeout: the input ended before its deadline */
};

typedef void (*feed_emit_fn)(void *ctx, const struct dnsvis_outcome *o);

struct feed_opts {
	uint32_t max_pending; /* 0: MATCH_DEFAULT_MAX_PENDING */
	int64_t timeout_ns;   /* 0: MATCH_DEFAULT_TIMEOUT_NS */
	uint64_t seed;
	const char *source; /* of unsolicited records; NULL: "pcap" */
	feed_emit_fn emit;
	void *ctx;
	/* NULL, or called once for every query event given to feed_query(),
	 * with the feed's copy of it, when the feed holds it no more (after
	 * its outcome or eviction; at once for a retry or one not kept; in
	 * feed_free()): what its proc points to may go then. */
	void (*release)(void *ctx, const struct dnsvis_event *ev);
};

struct match_feed;

/* NULL with errno set. */
struct match_feed *feed_new(const struct feed_opts *o);
/* Outstanding queries are dropped without outcomes (feed_flush first). */
void feed_free(struct match_feed *f);

/* A query event sent at ts_ns from the socket in network namespace netns
 * (0: unknown).  Only a message's first question is kept (the one a
 * response's question is compared with). */
void feed_query(struct match_feed *f, const struct dnsvis_event *ev, uint64_t netns, int64_t ts_ns);

/* feed_query() keyed by flow as given rather than by the event's own
 * addresses: live keys by the socket (flow.sock; match.h). */
void feed_query_flow(struct match_feed *f, const struct dnsvis_event *ev,
		     const struct match_flow *flow, int64_t ts_ns);

/* A decoded response (QR=1) that travelled server -> client along flow,
 * arriving at ts_ns (wall: its wall-clock time, for the record). */
void feed_response(struct match_feed *f, const struct match_flow *flow, int64_t ts_ns,
		   const struct timespec *wall, const struct dns_response *r);

/* When a live response came: the receive (ts_ns), the arrival when the
 * kernel stamped it (match.h), the receive's wall-clock time. */
struct feed_times {
	int64_t ts_ns, arrival_ns;
	const struct timespec *wall;
};

/* feed_response() where a query may have been keyed otherwise (live: a
 * send on an unbound socket, without its port): alt, when flow answers
 * none. */
void feed_response_alt(struct match_feed *f, const struct match_flow *flow,
		       const struct match_flow *alt, const struct feed_times *t,
		       const struct dns_response *r);

/* The clock moves on: time out what is due. */
void feed_advance(struct match_feed *f, int64_t now_ns);
/* End of input: every outstanding query times out. */
void feed_flush(struct match_feed *f);

const struct match_stats *feed_stats(const struct match_feed *f);
/* Queries not kept because their event could not be copied. */
uint64_t feed_untracked(const struct match_feed *f);

#endif
