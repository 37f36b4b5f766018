/* tcp_streams.h - DNS over TCP in live tracing: the kernel sends the bytes
 * of each send to a DNS port with the socket and the stream position of its
 * first byte (kern/dnsvis.h struct dv_msg, DV_M_SEQ); here each socket gets
 * a framer (wire/dns_stream.h) that finds the messages in its sends.
 *
 * Sends of one socket may come from different CPUs' rings in any order, so
 * they are collected during a drain of the rings and fed in stream order
 * at its end (tcp_streams_drain_end).  A send whose ports or addresses
 * differ from the stream's is of a new connection on a reused struct sock
 * (its ISN may land anywhere, even just after the old stream's end): the
 * old stream ends, and each connection's sends are fed in the order the
 * connections arrived.  Within one connection, positions say the rest:
 *   - the next send starts where the last one ended: fed as it is;
 *   - a send starts later (bytes not seen: a lost record): it waits one
 *     more drain for the missing one, then the bytes in between are a gap;
 *   - a send starts earlier, within the last one (the last call sent fewer
 *     bytes than it was given): the bytes already fed are skipped;
 *   - anything else is a new connection on a reused socket too: the old
 *     stream ends (a message under way goes out truncated), a new one starts.
 * A send longer than the kernel's copy leaves a gap after what was copied.
 *
 * Bounded: TCP_STREAMS_MAX sockets (a new one evicts the least recently
 * fed), TCP_STREAM_IDLE_NS without a send ends a stream, TCP_PENDING_MAX
 * sends wait at most; evictions and idle ends are counted. */
#ifndef DNSVIS_LIVE_TCP_STREAMS_H
#define DNSVIS_LIVE_TCP_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "wire/dns_stream.h"

struct dv_msg;

#define TCP_STREAMS_MAX	   256
#define TCP_PENDING_MAX	   1024
#define TCP_STREAM_IDLE_NS (30LL * 1000000000LL)
#define TCP_GAP_MAX	   (1u << 17) /* a larger jump is a new connection */

/* One DNS message found in socket rec's stream (rec: the send that
 * completed it).  truncated as in dns_stream_msg_fn. */
typedef void (*tcp_msg_fn)(void *arg, const struct dv_msg *rec, const uint8_t *msg, size_t len,
			   int truncated);

/* May send rec be fed now?  0: it waits one more drain (its process record
 * has not been read yet). */
typedef int (*tcp_ready_fn)(void *arg, const struct dv_msg *rec);

struct tcp_stream {
	uint64_t sock; /* 0: free */
	uint64_t conn; /* the connection fed (tcp_conn_of()): a reused sock is a new one */
	uint32_t tgid;
	uint32_t next_seq;   /* stream position after the last byte fed */
	uint32_t last_start; /* ... of the last send's first byte */
	int have_next;
	struct dv_msg *last; /* the last send fed (its fixed part): attribution */
	int64_t last_ns;     /* when it was last fed (CLOCK_MONOTONIC) */
	struct dns_stream st;
};

struct tcp_pending {
	struct dv_msg *m; /* a copy */
	unsigned drains;  /* drain ends it has waited through */
	unsigned order;	  /* arrival order, for sends without a position */
};

struct tcp_streams {
	struct tcp_stream s[TCP_STREAMS_MAX];
	struct tcp_pending p[TCP_PENDING_MAX];
	unsigned npending, arrivals;
	unsigned long long evicted; /* streams ended for room or idleness */
	unsigned long long gaps;    /* bytes of streams never seen */
	tcp_msg_fn msg;
	tcp_ready_fn ready;
	void *arg;
};

/* An empty table; msg, ready and arg for the callbacks. */
void tcp_streams_init(struct tcp_streams *t, tcp_msg_fn msg, tcp_ready_fn ready, void *arg);

/* A send read from a ring (copied); one without a socket (sock_id 0) is
 * ignored: the caller counts it as malformed. */
void tcp_streams_add(struct tcp_streams *t, const struct dv_msg *m);

/* Every ring has been drained once more: feed what is in order, end the
 * streams idle since before now - TCP_STREAM_IDLE_NS. */
void tcp_streams_drain_end(struct tcp_streams *t, int64_t now_ns);

/* The end: feed everything, end every stream, free what is held. */
void tcp_streams_flush(struct tcp_streams *t);

/* Free what is held without handing anything on. */
void tcp_streams_free(struct tcp_streams *t);

#endif
