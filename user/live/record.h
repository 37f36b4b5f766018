/* record.h - records from the perf ring to sink events: decode the DNS
 * query, filter (process, name, container), count. */
#ifndef DNSVIS_TRACE_EVENT_H
#define DNSVIS_TRACE_EVENT_H

#include <stdint.h>

#include "enrich/container.h"

struct event_sink;
struct perf_buffer;

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
	unsigned long long *lost_cpu; /* lost reported by the kernel, per CPU */
	int ncpu;
	int done;	     /* --count reached */
	int64_t wall_off_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* The perf buffer on map_fd (pages per CPU per ring), records handed to te. */
struct perf_buffer *record_reader_open(int map_fd, int pages, struct record_reader *te);

/* Free the perf buffer and what the reader holds. */
void record_reader_close(struct perf_buffer *pb, struct record_reader *te);

/* At exit, after the last drain: the samples the BPF side counted as refused
 * by a full ring (out_fail_fd, per CPU) but the kernel never reported are
 * reported now, as lost, per CPU. */
void record_reconcile_lost(struct record_reader *te, int out_fail_fd);

/* Re-read the wall clock offset: the kernel stamps events with
 * CLOCK_MONOTONIC, and the wall clock may be set at any time. */
void record_clock_sync(struct record_reader *te);

#endif
