/* output.bpf.h - perf output with loss counting, and the tail-called
 * programs that finish an event.
 *
 * A send program leaves its message in scratch[0] (and, for a second
 * sendmmsg query, scratch[1]) and tail-calls DV_TAIL_PROC: dv_<map>_proc
 * applies the cgroup filter and fills process part 1, then tail-calls
 * DV_TAIL_OUT: dv_<map>_out fills part 2 and sends.  A PROG_ARRAY holds
 * programs of one type only, so the pair exists once per program type
 * (tail_tp for tracepoints, tail_kp for kprobes; user space fills the one
 * of the backend in use).
 * Samples a full perf ring refuses are counted per CPU in out_fail.
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_OUTPUT_BPF_H
#define DNSVIS_KERN_OUTPUT_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "proc.bpf.h"

static __always_inline void dv_perf_out(void *ctx, struct dv_event *ev)
{
	__u32 k = 0;
	__u64 *n;

	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev, DV_EVENT_SEND_SIZE) == 0)
		return;
	n = bpf_map_lookup_elem(&out_fail, &k);
	if (n)
		(*n)++;
}

/* Send [0]; if a second message waits in [1], move it in and send it. */
static __always_inline void dv_output(void *ctx, struct dv_event *ev)
{
	struct dv_event *ev1;
	int pending = ev->m.pending;

	ev->m.pending = 0;
	dv_perf_out(ctx, ev);
	if (!pending)
		return;
	ev1 = dv_scratch(1);
	if (!ev1)
		return;
	/* map value to map value, one helper call instead of an unrolled copy */
	if (dv_read_kernel(&ev->m, sizeof(ev->m) - (DV_PAYLOAD_BUF - DV_PAYLOAD_MAX), &ev1->m))
		return;
	dv_perf_out(ctx, ev);
}

#define DV_TAIL_PROGS(type, map)                                                                   \
	SEC(type)                                                                                  \
	int dv_##map##_proc(void *ctx)                                                             \
	{                                                                                          \
		struct dv_event *ev = dv_scratch(0);                                               \
		if (!ev || !dv_cgroup_wanted())                                                    \
			return 0;                                                                  \
		dv_fill_proc1(ev);                                                                 \
		bpf_tail_call(ctx, &map, DV_TAIL_OUT);                                             \
		return 0;                                                                          \
	}                                                                                          \
	SEC(type)                                                                                  \
	int dv_##map##_out(void *ctx)                                                              \
	{                                                                                          \
		struct dv_event *ev = dv_scratch(0);                                               \
		if (!ev)                                                                           \
			return 0;                                                                  \
		dv_fill_proc2(ev);                                                                 \
		dv_output(ctx, ev);                                                                \
		return 0;                                                                          \
	}

DV_TAIL_PROGS("tracepoint", tail_tp)
DV_TAIL_PROGS("kprobe", tail_kp)

#endif /* DNSVIS_KERN_OUTPUT_BPF_H */
