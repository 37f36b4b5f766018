/* record_ring.c - the perf buffer of the record reader, and its loss
 * accounting: every sample the kernel offered to a ring is counted per CPU
 * and type (kern/dnsvis.h struct dv_counters), every sample read here
 * likewise, and messages lost = offered - read, on every kernel, whether or
 * not the kernel reports its own drops (PERF_RECORD_LOST). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "output/sink.h"
#include "live/record.h"
#include "live/record_int.h"
#include "util/clock.h"

static void report_lost(struct record_reader *te, int cpu, unsigned long long n)
{
	te->lost += n;
	if (cpu >= 0 && cpu < te->ncpu)
		te->lost_cpu[cpu] += n;
	sink_lost(te->sink, n, cpu);
}

static int read_counters(const struct record_reader *te, struct dv_counters *out)
{
	__u32 k = 0;

	return te->st->counters_fd < 0 ? -1 : bpf_map_lookup_elem(te->st->counters_fd, &k, out);
}

/* Messages offered (as counted in c, read before the rings were last
 * drained) that were not read are lost; report the new ones. */
static void account(struct record_reader *te, const struct dv_counters *c)
{
	struct record_state *st = te->st;
	unsigned long long proc_lost = 0;

	for (int cpu = 0; cpu < te->ncpu; cpu++) {
		unsigned long long seen = st->rx[cpu].msg + te->lost_cpu[cpu];

		if (c[cpu].msg_out > seen)
			report_lost(te, cpu, c[cpu].msg_out - seen);
		if (c[cpu].proc_out > st->rx[cpu].proc)
			proc_lost += c[cpu].proc_out - st->rx[cpu].proc;
	}
	if (proc_lost > st->proc_lost)
		st->proc_lost = proc_lost;
}

void record_drain_end(struct record_reader *te)
{
	struct record_state *st = te->st;

	if (!st)
		return;
	record_release_held(te, mono_ns());
	if (st->have_snap)
		account(te, st->snap);
	st->have_snap = read_counters(te, st->snap) == 0;
}

void record_reconcile_lost(struct record_reader *te)
{
	struct record_state *st = te->st;

	if (st && read_counters(te, st->snap) == 0) {
		st->have_snap = 1;
		account(te, st->snap);
	}
}

void record_extra(const struct record_reader *te, struct record_extra *x)
{
	memset(x, 0, sizeof(*x));
	x->unattributed = te->unattributed;
	if (!te->st)
		return;
	resp_extra(te, x);
	x->proc_lost = te->st->proc_lost;
	x->tcp_evicted = te->st->tcp.evicted;
	x->tcp_gap_bytes += te->st->tcp.gaps; /* (resp_extra() adds the received) */
	for (int cpu = 0; te->st->have_snap && cpu < te->ncpu; cpu++)
		x->mmsg_skipped += te->st->snap[cpu].mmsg_beyond;
}

/* Records as the kernel writes them into the perf ring (perf_event_open(2)). */
struct perf_sample_raw {
	struct perf_event_header header;
	__u32 size;
	char data[];
};

struct perf_lost_rec {
	struct perf_event_header header;
	__u64 id;
	__u64 lost;
};

static void count_rx(struct record_reader *te, int cpu, const struct dv_rec_head *rec, size_t avail)
{
	if (cpu < 0 || cpu >= te->ncpu)
		return;
	if (avail >= sizeof(*rec) && rec->type == DV_REC_PROC)
		te->st->rx[cpu].proc++;
	else
		te->st->rx[cpu].msg++;
}

static enum bpf_perf_event_ret handle_perf_record(void *ctx, int cpu, struct perf_event_header *hdr)
{
	struct record_reader *te = ctx;

	if (hdr->type == PERF_RECORD_SAMPLE) {
		struct perf_sample_raw *r = (struct perf_sample_raw *)hdr;
		/* Read in place: the size field is 8-aligned, and every record
		 * struct starts with a u32 standing for it (kern/dnsvis.h). */
		const struct dv_rec_head *rec = (const struct dv_rec_head *)&r->size;
		size_t avail = (size_t)r->size + sizeof(r->size);

		count_rx(te, cpu, rec, avail);
		if (!te->done)
			record_handle(te, rec, avail);
	} else if (hdr->type == PERF_RECORD_LOST) {
		unsigned long long n = ((struct perf_lost_rec *)hdr)->lost;

		te->st->ring_lost += n;
		if (te->st->counters_fd < 0) /* no counters: the kernel's word */
			report_lost(te, cpu, n);
	}
	return LIBBPF_PERF_EVENT_CONT;
}

void record_forget_proc(struct record_reader *te, uint32_t tgid, uint64_t proc_id)
{
	struct dv_proc_sent v;

	if (te->st->proc_sent_fd >= 0 &&
	    bpf_map_lookup_elem(te->st->proc_sent_fd, &tgid, &v) == 0 && v.proc_id == proc_id)
		bpf_map_delete_elem(te->st->proc_sent_fd, &tgid);
}

static void on_evict(void *arg, uint32_t tgid, uint64_t proc_id)
{
	record_forget_proc(arg, tgid, proc_id);
}

/* te->st with a read position and a loss snapshot per CPU ring. */
static int state_new(struct record_reader *te, const struct record_maps *m)
{
	if (record_state_open(te, m->counters, m->proc_sent) != 0)
		return -1;
	te->st->rx = calloc((size_t)te->ncpu, sizeof(*te->st->rx));
	te->st->snap = calloc((size_t)te->ncpu, sizeof(*te->st->snap));
	if (!te->st->rx || !te->st->snap)
		return -1;
	te->st->procs.evict = on_evict;
	te->st->procs.evict_arg = te;
	return 0;
}

/* libbpf's perf_buffer__new() asks the kernel to wake the reader on every
 * event, which costs the sender several microseconds per query.  Ask for a
 * wakeup when a quarter of the ring is full instead; the poll loop drains
 * every ring at least every 100 ms, so output latency stays bounded. */
struct perf_buffer *record_reader_open(const struct record_maps *m, int pages,
				       struct record_reader *te)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.watermark = 1;
	attr.wakeup_watermark = (unsigned)pages * (unsigned)getpagesize() / 4;
	te->ncpu = libbpf_num_possible_cpus();
	if (te->ncpu <= 0) {
		errno = -te->ncpu;
		return NULL;
	}
	te->lost_cpu = calloc((size_t)te->ncpu, sizeof(*te->lost_cpu));
	if (!te->lost_cpu || state_new(te, m) != 0) {
		record_reader_close(NULL, te);
		errno = ENOMEM;
		return NULL;
	}
	return perf_buffer__new_raw(m->events, (size_t)pages, &attr, handle_perf_record, te, NULL);
}

void record_reader_close(struct perf_buffer *pb, struct record_reader *te)
{
	struct record_state *st = te->st;

	perf_buffer__free(pb);
	if (st) {
		free(st->rx);
		free(st->snap);
		record_state_close(te);
	}
	free(te->lost_cpu);
	te->lost_cpu = NULL;
	te->ncpu = 0;
}
