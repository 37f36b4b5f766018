/* output.bpf.h - perf output with sample counts, and the tail-called
 * programs that describe a sender.
 *
 * A send program leaves its message in scratch m[0] (and, for a second
 * sendmmsg query, m[1]) and calls dv_finish(): when the sender's last
 * process record still describes it (kern/proc.bpf.h dv_proc_known), the
 * message goes out at once, in that one program run.  Else it tail-calls
 * DV_TAIL_PROC: dv_<map>_proc applies the cgroup filter and fills process
 * part 1, then tail-calls DV_TAIL_OUT: dv_<map>_out fills part 2 and sends
 * the PROC record, then the message(s).
 * A PROG_ARRAY holds programs of one type only, so the pair exists once per
 * program type (tail_tp for tracepoints, tail_kp for kprobes; user space
 * fills the one of the backend in use).
 * Every sample offered is counted per CPU in counters.
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_OUTPUT_BPF_H
#define DNSVIS_KERN_OUTPUT_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "proc.bpf.h"

/* Send len bytes of record rec (a struct starting with dv_rec_head),
 * from its type on, and count it (kern/dnsvis.h struct dv_counters).  0
 * when the ring took it (before 5.1: always). */
static __always_inline int dv_perf_out(void *ctx, struct dv_rec_head *rec, unsigned int len)
{
	__u32 k = 0;
	struct dv_counters *c;
	long err;

	rec->len = len;
	err =
	    bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, (char *)rec + DV_REC_SKIP, len);
	c = bpf_map_lookup_elem(&counters, &k);
	if (c) {
		if (rec->type == DV_REC_PROC)
			c->proc_out++;
		else
			c->msg_out++;
		if (rec->type == DV_REC_RESP)
			c->resp_out++;
		if (err)
			c->refused++;
	}
	return err ? -1 : 0;
}

/* Send message m: its fixed part and payload_len bytes (a received one
 * holds up to DV_RESP_MAX). */
static __always_inline int dv_msg_out(void *ctx, struct dv_msg *m)
{
	unsigned int n = m->payload_len;
	unsigned int max = m->h.type == DV_REC_RESP ? DV_RESP_MAX : DV_PAYLOAD_MAX;

	if (n > max)
		n = max;
	barrier_var(n);
	n &= DV_PAYLOAD_BUF - 1;
	return dv_perf_out(ctx, &m->h, n + DV_MSG_FIXED - DV_REC_SKIP);
}

/* m[0] and, if it waits, m[1], from the process proc_id. */
static __always_inline void dv_output_msgs(void *ctx, struct dv_scratch *sc, __u64 proc_id)
{
	sc->m[0].proc_id = proc_id;
	dv_msg_out(ctx, &sc->m[0]);
	if (!sc->pending)
		return;
	sc->pending = 0;
	sc->m[1].proc_id = proc_id;
	dv_msg_out(ctx, &sc->m[1]);
}

/* The process record (noted in proc_sent once the ring took it: a record
 * a full ring refused is made again for the next message), then the
 * message(s). */
static __always_inline void dv_output(void *ctx, struct dv_scratch *sc)
{
	if (dv_perf_out(ctx, &sc->p.h, dv_proc_send_len(&sc->p)) == 0)
		dv_proc_sent_note(sc);
	dv_output_msgs(ctx, sc, sc->p.proc_id);
}

/* The message(s) in scratch are complete: send them now when the sender is
 * described already, else make its record first (tail call). */
static __always_inline void dv_finish(void *ctx, struct dv_scratch *sc, void *tail)
{
	__u64 proc_id = dv_proc_known(sc);

	if (!proc_id) {
		bpf_tail_call(ctx, tail, DV_TAIL_PROC);
		return;
	}
	if (dv_cgroup_wanted())
		dv_output_msgs(ctx, sc, proc_id);
}

/* A sendmmsg batch is done (or its process record, kern/send_tracepoint.
 * bpf.h dv_mmsg_batch): on with the next batch, or, at the end of the
 * call, count the entries that were not looked at. */
static __always_inline void dv_mmsg_next(void *ctx, struct dv_scratch *sc, void *tail)
{
	struct dv_counters *c;
	__u32 k = 0;

	if (!sc->mm_active)
		return;
	if (sc->mm_next < sc->mm_end)
		bpf_tail_call(ctx, tail, DV_TAIL_MMSG);
	sc->mm_active = 0;
	if (!sc->mm_dns || sc->mm_vlen <= sc->mm_next)
		return;
	c = bpf_map_lookup_elem(&counters, &k);
	if (c)
		c->mmsg_beyond += sc->mm_vlen - sc->mm_next;
}

#define DV_TAIL_PROGS(type, map)                                                                   \
	SEC(type)                                                                                  \
	int dv_##map##_proc(void *ctx)                                                             \
	{                                                                                          \
		struct dv_scratch *sc = dv_scratch();                                              \
		if (!sc || !dv_cgroup_wanted())                                                    \
			return 0;                                                                  \
		dv_fill_proc1(&sc->p);                                                             \
		bpf_tail_call(ctx, &map, DV_TAIL_OUT);                                             \
		return 0;                                                                          \
	}                                                                                          \
	SEC(type)                                                                                  \
	int dv_##map##_out(void *ctx)                                                              \
	{                                                                                          \
		struct dv_scratch *sc = dv_scratch();                                              \
		if (!sc)                                                                           \
			return 0;                                                                  \
		dv_fill_proc2(&sc->p);                                                             \
		dv_output(ctx, sc);                                                                \
		dv_mmsg_next(ctx, sc, &map);                                                       \
		return 0;                                                                          \
	}

DV_TAIL_PROGS("tracepoint", tail_tp)
DV_TAIL_PROGS("kprobe", tail_kp)

#endif /* DNSVIS_KERN_OUTPUT_BPF_H */
