/* record_int.h - what the parts of the record reader share: record.c
 * (records to events, held messages), record_resp.c (received messages to
 * outcomes, --responses) and record_ring.c (the perf buffer, counting what
 * was read and what was lost).  Not for other modules: they use record.h. */
#ifndef DNSVIS_LIVE_RECORD_INT_H
#define DNSVIS_LIVE_RECORD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "live/proc_cache.h"
#include "live/tcp_streams.h"
#include "kern/dnsvis.h"

struct record_reader;
struct resp_state;
struct dnsvis_event;
struct dnsvis_proc;
struct event_filter;
struct proc_strings;

/* A message read before its process record. */
struct held_msg {
	struct dv_msg *m; /* a copy */
	unsigned drains;  /* record_drain_end() calls it has seen */
};

#define HELD_MAX	 4096
#define PROC_CACHE_SLOTS 1024 /* buckets, PROC_CACHE_WAYS entries each */

/* Samples read from one CPU's ring, by type. */
struct cpu_rx {
	unsigned long long msg, proc;
};

struct record_state {
	struct proc_cache procs;
	struct held_msg held[HELD_MAX];
	struct tcp_streams tcp;
	unsigned nheld;
	int counters_fd;	  /* the kernel's struct dv_counters per CPU, or -1 */
	int proc_sent_fd;	  /* the kernel's proc_sent map, or -1 */
	struct cpu_rx *rx;	  /* [ncpu] */
	struct dv_counters *snap; /* [ncpu]: counters read at the last drain end */
	int have_snap;
	unsigned long long proc_lost; /* process records lost (attempted - read) */
	unsigned long long ring_lost; /* samples the kernel said it dropped (any type) */
	struct resp_state *resp;      /* --responses (record_resp.c); NULL: off */
};

/* One record; rec points at the raw sample's size field, avail bytes from
 * there are the sample's. */
void record_handle(struct record_reader *te, const struct dv_rec_head *rec, size_t avail);

/* The kernel is to describe process tgid again if what it last sent of it
 * is proc_id (the cache gave that record up, or it never came). */
void record_forget_proc(struct record_reader *te, uint32_t tgid, uint64_t proc_id);

/* Hand on the held messages whose process record came, and those held
 * through a whole drain (undescribed); feed the TCP streams; then the
 * responses due (record_resp.c).  now_ns: CLOCK_MONOTONIC. */
void record_release_held(struct record_reader *te, int64_t now_ns);

/* te->st made: the process cache and the TCP streams, no rings (record_
 * ring.c adds them; the tests and fuzz targets feed records by hand).
 * counters_fd, proc_sent_fd: the maps' fds, or -1.  0, or -1 out of
 * memory. */
int record_state_open(struct record_reader *te, int counters_fd, int proc_sent_fd);

/* Free te->st and what it holds (the rings' arrays are the caller's). */
void record_state_close(struct record_reader *te);

/* "tracepoint/syscalls/sys_enter_sendto", ... for enum dv_hook h. */
const char *record_hook_name(unsigned h);

/* Does a question (opcode, name; NULL: none) pass --opcode and --domain? */
int record_question_wanted(const struct event_filter *f, unsigned opcode, const char *name);

/* The process of m, or NULL (then counted as unattributed, and the kernel
 * asked to describe it again). */
const struct dv_proc *record_proc_of(struct record_reader *te, const struct dv_msg *m);

/* The process of record m (p, or NULL: from /proc) as events have it, in
 * out and ps; 0 when --comm or the container filters leave it out. */
int record_describe(struct record_reader *te, const struct dv_msg *m, const struct dv_proc *p,
		    struct dnsvis_proc *out, struct proc_strings *ps);

/* ---- record_resp.c: --responses ------------------------------------------ */

/* A DV_REC_RESP record (avail bytes: its own). */
void resp_record(struct record_reader *te, const struct dv_msg *m, size_t avail);

/* The first reported question of query message m (from process p, NULL:
 * undescribed), as event ev: to the match stage. */
void resp_query(struct record_reader *te, const struct dv_msg *m, const struct dv_proc *p,
		const struct dnsvis_event *ev);

/* A drain ended at now_ns: the responses due to the match stage, and its
 * clock moved on (record_resp.c says how far). */
void resp_drain_end(struct record_reader *te, int64_t now_ns);

/* The end (every ring read): every response to the match stage, then what
 * is still outstanding times out. */
void resp_flush(struct record_reader *te, int64_t now_ns);

/* Free what --responses holds, without outcomes. */
void resp_free(struct record_reader *te);

/* The match stage's counts into x. */
struct record_extra;
void resp_extra(const struct record_reader *te, struct record_extra *x);

#endif
