/* kp_null.bpf.c - an empty kprobe on udp_sendmsg: the least any tracer that
 * watches UDP sends through that function costs the sender (the kprobe's
 * own path and a BPF program run per call).  The baseline for dnsvis's
 * kprobe backend in bench-vm.sh, attached in the same guest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/udp_sendmsg")
int null_udp_send(void *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
