/* tp_report.bpf.c - the least a reporter of every DNS query can do on
 * sys_enter_sendto with a perf buffer: the port test of tp_floor.bpf.c,
 * the 4-byte IPv4 address, the sender's tgid, the query's bytes (up to
 * 256, one bpf_probe_read_user) and one bpf_perf_event_output of them.
 * No process attribution, no source address, no tail call.  bench-live.sh
 * runs the unpaced DNS sender with it (tp_attach reads its ring, woken as
 * dnsvis's is), next to dnsvis and no tracer: the cost of reporting each
 * query at all, against which dnsvis's slowdown is measured. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define REPORT_PAYLOAD 256 /* a power of two: the mask bounds the copy */

struct sys_enter {
	__u64 common;
	long nr;
	unsigned long args[6];
};

struct report {
	__u32 tgid;
	__u32 daddr;
	__u16 dport;
	__u16 len;
	__u8 payload[REPORT_PAYLOAD];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct report);
} report_scratch SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_sendto")
int report_sendto(struct sys_enter *ctx)
{
	const char *a = (const char *)ctx->args[4];
	unsigned long len = ctx->args[2];
	struct report *r;
	__u32 fp = 0, k = 0, sz;

	if (!a || !ctx->args[5] || bpf_probe_read_user(&fp, sizeof(fp), a))
		return 0;
	if ((fp >> 16) != __builtin_bswap16(53) || len == 0)
		return 0;
	r = bpf_map_lookup_elem(&report_scratch, &k);
	if (!r || bpf_probe_read_user(&r->daddr, 4, a + 4))
		return 0;
	if (len > REPORT_PAYLOAD)
		len = REPORT_PAYLOAD;
	sz = (((__u32)len - 1) & (REPORT_PAYLOAD - 1)) + 1;
	if (bpf_probe_read_user(r->payload, sz, (const void *)ctx->args[1]))
		return 0;
	r->tgid = bpf_get_current_pid_tgid() >> 32;
	r->dport = 53;
	r->len = (__u16)sz;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, r,
			      sz + __builtin_offsetof(struct report, payload));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
