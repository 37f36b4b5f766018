/* good: kprobe, kretprobe, tracepoint and perf_event programs with 4.14 maps
 * and helpers only, an unrolled loop; must pass. */
#include "common.h"

struct rec {
	__u64 ts;
	__u32 pid;
	char comm[16];
	char buf[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec);
} scratch SEC(".maps");

static __always_inline int emit(void *ctx, const void *src)
{
	__u32 zero = 0;
	struct rec *r = bpf_map_lookup_elem(&scratch, &zero);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32;
	__u64 *n;

	if (!r)
		return 0;
	r->ts = bpf_ktime_get_ns();
	r->pid = pid;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	bpf_probe_read_str(r->buf, sizeof(r->buf), src);
#pragma unroll
	for (int i = 0; i < 8; i++)
		r->buf[i] ^= 0x20;
	n = bpf_map_lookup_elem(&seen, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, r, sizeof(*r));
	return 0;
}

SEC("kprobe/do_sys_open")
int good_kprobe(struct pt_regs *ctx)
{
	void *task = (void *)bpf_get_current_task();

	return emit(ctx, task);
}

SEC("kretprobe/do_sys_open")
int good_kretprobe(struct pt_regs *ctx)
{
	__u64 v = 0;

	bpf_probe_read(&v, sizeof(v), ctx);
	return emit(ctx, &v);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int good_tracepoint(void *ctx)
{
	return emit(ctx, ctx);
}

SEC("perf_event")
int good_perf_event(void *ctx)
{
	return emit(ctx, ctx);
}
