/* record.h - records from the perf ring to sink events: keep the process
 * records, decode each message record's DNS query, filter (process, name,
 * container), count.
 *
 * Records from different CPUs' rings come in any order: a message whose
 * process record has not been read yet is held until the end of the next
 * complete drain of all rings (record_drain_end); by then its process
 * record has been read unless it was lost, and the message is described
 * from /proc as far as the process is still there (counted as
 * unattributed). */
#ifndef DNSVIS_TRACE_EVENT_H
#define DNSVIS_TRACE_EVENT_H

#include <stdint.h>

#include "enrich/container.h"

struct event_sink;
struct perf_buffer;
struct record_state;

/* What user space filters events on. */
struct event_filter {
	long pid;		    /* --pid; 0: every process */
	const char *comm;	    /* --comm */
	const char *domain;	    /* --domain GLOB, case-insensitive */
	uint16_t opcodes;	    /* --opcode: bit n reports opcode n; 0: every opcode */
	unsigned long long count;   /* --count: stop after this many; 0: never */
	struct container_filter cf; /* --host, --containers, --container, --pod... */
};

struct record_reader {
	const struct event_filter *f;
	struct event_sink *sink;
	unsigned long long events, lost, malformed, filtered;
	unsigned long long unattributed; /* messages whose process record never came */
	unsigned long long *lost_cpu;	 /* lost reported by the kernel, per CPU */
	int ncpu;
	int done;	     /* --count reached */
	int64_t wall_off_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct record_state *st;
};

/* The BPF maps the reader uses. */
struct record_maps {
	int events;    /* the perf event array */
	int counters;  /* samples offered per CPU (-1: trust the kernel's loss reports) */
	int proc_sent; /* what the kernel last described per process (-1: none) */
};

/* The perf buffer on m->events (pages per CPU per ring), records handed to
 * te. */
struct perf_buffer *record_reader_open(const struct record_maps *m, int pages,
				       struct record_reader *te);

/* Free the perf buffer and what the reader holds. */
void record_reader_close(struct perf_buffer *pb, struct record_reader *te);

/* Every ring has just been drained once more: hand on the held messages
 * whose process record came, and describe those held a whole drain from
 * /proc; report the messages now known to be lost. */
void record_drain_end(struct record_reader *te);

/* After the last drain: hand on everything still held (now_ns:
 * CLOCK_MONOTONIC, for what times out). */
void record_flush(struct record_reader *te, int64_t now_ns);

/* Forget process records of processes that are gone (a 5 s tick). */
void record_gc(struct record_reader *te);

/* At exit, after the last drain: messages the BPF side offered to a ring
 * and that were never read are reported now, as lost, per CPU. */
void record_reconcile_lost(struct record_reader *te);

/* What else was cut short, besides lost and malformed messages. */
struct record_extra {
	unsigned long long unattributed;  /* messages whose process record never came */
	unsigned long long proc_lost;	  /* process records offered and never read */
	unsigned long long tcp_evicted;	  /* TCP streams ended for room or idleness */
	unsigned long long mmsg_skipped;  /* sendmmsg entries past the limit, not looked at */
	unsigned long long tcp_gap_bytes; /* TCP bytes never seen, sent or received */
	/* --responses (match/match.h's counts) */
	int responses; /* on */
	unsigned long long paired, timeouts, flushed, unsolicited, evicted, retries, untracked;
};

void record_extra(const struct record_reader *te, struct record_extra *x);

/* The end of the summary line on stderr (stats: of a --stats line): the
 * --responses counts of x, then the newline. */
void record_print_responses(const struct record_extra *x, int stats);

/* --responses: received messages (DV_REC_RESP) decoded, paired with the
 * query events, and their outcomes (response, timeout, unsolicited) handed
 * to the sink; timeout_ns and max_pending 0 for the defaults (match.h).
 * After record_reader_open().  0, or -1 with errno set. */
int record_responses_start(struct record_reader *te, int64_t timeout_ns, uint32_t max_pending);

/* Re-read the wall clock offset: the kernel stamps events with
 * CLOCK_MONOTONIC, and the wall clock may be set at any time. */
void record_clock_sync(struct record_reader *te);

#endif
