/* tp_null.bpf.c - empty programs on sys_enter_sendto, sys_enter_sendmsg and
 * sys_enter_write: the least any tracer that watches those syscalls through
 * their tracepoints costs the sender (the kernel's tracepoint path and a BPF
 * program run per call).  The baseline for dnsvis's tracepoint backend in
 * bench-live.sh. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_sendto")
int null_sendto(void *ctx)
{
	(void)ctx;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int null_sendmsg(void *ctx)
{
	(void)ctx;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int null_write(void *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
