/* record_int.h - what the two halves of the record reader share:
 * record.c (records to events, held messages) and record_ring.c (the perf
 * buffer, counting what was read and what was lost).  Not for other
 * modules: they use record.h. */
#ifndef DNSVIS_LIVE_RECORD_INT_H
#define DNSVIS_LIVE_RECORD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "live/proc_cache.h"
#include "live/tcp_streams.h"
#include "kern/dnsvis.h"

struct record_reader;

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
};

/* One record; rec points at the raw sample's size field, avail bytes from
 * there are the sample's. */
void record_handle(struct record_reader *te, const struct dv_rec_head *rec, size_t avail);

/* The kernel is to describe process tgid again if what it last sent of it
 * is proc_id (the cache gave that record up, or it never came). */
void record_forget_proc(struct record_reader *te, uint32_t tgid, uint64_t proc_id);

/* Hand on the held messages whose process record came, and those held
 * through a whole drain (undescribed); feed the TCP streams. */
void record_release_held(struct record_reader *te);

/* The TCP streams' callbacks set up. */
void record_tcp_init(struct record_reader *te);

#endif
