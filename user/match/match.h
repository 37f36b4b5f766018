/* match.h - the outstanding-query table: queries paired with responses.
 *
 * Stage match (user/match/), between wire and enrich: wire -> match ->
 * enrich.  The sources (live, replay) feed it every query and response the
 * wire stage decoded, and advance its clock; it hands back, through one
 * callback, each query paired with its response (with latency), each query
 * that got none in time (a timeout), each response that matches nothing (an
 * unsolicited one: a late answer, or a spoofing attempt) and each query
 * pushed out of a full table (evicted).  Pure: it knows nothing of where
 * the messages came from, and the clock is whatever the caller says (live:
 * the monotonic clock of kernel timestamps; replay: capture time).
 *
 * Matching is by socket (network namespace and 5-tuple), question and
 * transaction id.  A query for the same question from the same socket
 * while the first is outstanding is a retry: it is counted on the first
 * (retries), which keeps waiting until no transmission of it has been
 * answered for the timeout, and a response to any of the first
 * MATCH_TXIDS_KEPT transaction ids it was sent with answers it.  A
 * response without a question (some FORMERR and NOTIMP answers) is matched
 * by socket and the first transmission's id.  Names compare without regard
 * to ASCII case, as glibc's res_queriesmatch does (RFC 4343).
 *
 * The table is bounded (max_pending, default 65,536): when it is full the
 * oldest query is evicted, with a result; nothing leaves it silently.
 * Every query the table keeps comes back exactly once, in a result of kind
 * paired, timeout or evicted, with the caller's user pointer.
 */
#ifndef DNSVIS_MATCH_H
#define DNSVIS_MATCH_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_DEFAULT_MAX_PENDING 65536
#define MATCH_DEFAULT_TIMEOUT_NS  (5LL * 1000000000LL)
#define MATCH_TXIDS_KEPT	  4

struct dns_response; /* wire/dns_response.h: passed through, never read */

/* One message's endpoints as it travelled: a query's source is the client,
 * a response's source is the server. */
struct match_flow {
	uint64_t netns; /* network namespace inode; 0 when unknown (replay) */
	/* The client's socket itself (live: its kernel address), 0 when
	 * unknown (replay).  A source that knows it may leave the client's
	 * address and port 0, as a send on an unbound socket has them. */
	uint64_t sock;
	int family;    /* AF_INET (4 address bytes compared) or AF_INET6 */
	uint8_t proto; /* IPPROTO_UDP / IPPROTO_TCP */
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
};

struct match_query {
	struct match_flow flow;
	int64_t ts_ns; /* when it was sent */
	uint16_t txid;
	uint8_t opcode;
	uint16_t qtype, qclass;
	const char *name; /* presentation text (wire/dns_decode.h) */
	void *user;	  /* the caller's, kept with a new query */
};

struct match_response {
	struct match_flow flow;
	int64_t ts_ns;	    /* when it arrived (live: when the receive call returned it) */
	int64_t arrival_ns; /* live UDP: when it reached the host, on ts_ns's clock; 0 unknown */
	uint16_t txid;
	int has_question; /* qtype, qclass and name hold its first question */
	uint16_t qtype, qclass;
	const char *name;
	const struct dns_response *decoded; /* the caller's, for the output */
	void *user;
};

enum match_kind {
	MATCH_PAIRED,	   /* query and response */
	MATCH_TIMEOUT,	   /* query, no response within the timeout */
	MATCH_UNSOLICITED, /* response, no outstanding query */
	MATCH_EVICTED,	   /* query, pushed out of the full table */
};

struct match_result {
	enum match_kind kind;
	/* The query (its first transmission); NULL when unsolicited.  Valid
	 * only during the callback. */
	const struct match_query *query;
	const struct match_response *response; /* paired and unsolicited */
	int64_t ts_ns;		 /* response arrival, or when it timed out / was evicted */
	uint32_t retries;	 /* further transmissions of the question */
	int64_t latency_us;	 /* paired: arrival - first transmission */
	int64_t latency_last_us; /* paired: arrival - latest transmission */
	int64_t waited_ms;	 /* timeout, evicted: ts_ns - first transmission */
	int end_of_input;	 /* timeout from match_flush() before its deadline */
};

/* Runs inside match_query/match_response/match_advance/match_flush; it
 * must not call back into the matcher. */
typedef void (*match_result_fn)(const struct match_result *r, void *ctx);

struct match_opts {
	uint32_t max_pending; /* 0: MATCH_DEFAULT_MAX_PENDING */
	int64_t timeout_ns;   /* 0: MATCH_DEFAULT_TIMEOUT_NS */
	uint64_t seed;	      /* of the hash; pick it at random against crafted collisions */
	match_result_fn on_result;
	void *ctx;
};

struct match_stats {
	uint64_t queries;	  /* match_query() calls */
	uint64_t retries;	  /* of them, retries of an outstanding question */
	uint64_t untracked;	  /* of them, not kept: out of memory */
	uint64_t responses;	  /* match_response() calls */
	uint64_t paired;	  /* results of each kind */
	uint64_t unsolicited;	  /* */
	uint64_t timeouts;	  /* flushed ones included */
	uint64_t flushed;	  /* of the timeouts, cut short by match_flush() */
	uint64_t evicted;	  /* */
	uint64_t clock_backwards; /* match_advance() to an earlier time: ignored */
	uint64_t latency_clamped; /* responses stamped before their query: latency 0 */
	uint32_t pending, pending_max;
};

struct matcher;

/* NULL with errno set (EINVAL: bad options, ENOMEM). */
struct matcher *match_new(const struct match_opts *o);
/* Frees the table; queries still in it are dropped without results (call
 * match_flush() first to have them back). */
void match_free(struct matcher *m);

enum match_query_status {
	MATCH_Q_NEW,   /* kept: q->user comes back in a result */
	MATCH_Q_RETRY, /* counted on the outstanding query; q->user not kept */
	MATCH_Q_NOMEM, /* not kept (counted as untracked); q->user not kept */
};

enum match_query_status match_query(struct matcher *m, const struct match_query *q);
/* Always produces one result: paired or unsolicited. */
void match_response(struct matcher *m, const struct match_response *r);
/* Paired (one result, counted as match_response() counts it) when r
 * answers an outstanding query: 1; else 0, no result, nothing counted. */
int match_response_paired(struct matcher *m, const struct match_response *r);
/* Move the clock to now_ns and time out what is due.  An earlier time than
 * the clock's is counted and ignored: the clock never goes back. */
void match_advance(struct matcher *m, int64_t now_ns);
/* End of input: every outstanding query times out now. */
void match_flush(struct matcher *m);

const struct match_stats *match_stats(const struct matcher *m);
/* Bytes the table holds: entries, buckets, and names kept outside them. */
size_t match_memory(const struct matcher *m);

#endif
