/* tp_null.bpf.c - an empty program on sys_enter_sendto: the least any
 * tracer that watches sendto through its syscall tracepoint costs the
 * sender (the kernel's tracepoint path and a BPF program run per call).
 * The baseline for dnsvis's tracepoint backend in bench-live.sh. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_null(void *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
