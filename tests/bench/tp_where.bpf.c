/* tp_where.bpf.c - where a port test's cost is, for bench-live.sh step 1
 * (each program attached alone: tp_attach OBJ PROG):
 *   exit_null_sendto   empty, on sys_exit_sendto: that hook's floor;
 *   exit_floor_sendto  the port test of tp_floor.bpf.c on sys_exit_sendto,
 *                      after the syscall has read the sockaddr itself: the
 *                      address comes from the caller's saved registers
 *                      (bpf_task_pt_regs, 5.15+; x86_64 layout), checked
 *                      against the syscall number (a mismatch is counted
 *                      in where_bad and not tested);
 *   twice_sendto       the port test on sys_enter_sendto reading the 4
 *                      bytes twice: what a second user read costs.
 * No output but bpf_printk on a DNS port (which the non-DNS flood never
 * has). */
#include <asm/ptrace.h>
#include <stddef.h>
#include "tp_port_test.bpf.h"

struct task_struct;

struct sys_exit {
	__u64 common;
	long nr;
	long ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} where_bad SEC(".maps");

/* sendto's addr (r8) and addrlen (r9), then orig_ax: one read */
struct saved_args {
	unsigned long r9, r8, ax, cx, dx, si, di, orig_ax;
};

SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_null_sendto(void *ctx)
{
	(void)ctx;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_floor_sendto(struct sys_exit *ctx)
{
	const char *regs =
	    (const char *)bpf_task_pt_regs((struct task_struct *)bpf_get_current_task_btf());
	struct saved_args a;
	__u32 zero = 0;
	__u64 *bad;

	_Static_assert(offsetof(struct pt_regs, r8) == offsetof(struct pt_regs, r9) + 8 &&
			   offsetof(struct pt_regs, orig_rax) ==
			       offsetof(struct pt_regs, r9) + 7 * 8,
		       "x86_64 pt_regs layout");
	if (bpf_probe_read_kernel(&a, sizeof(a), regs + offsetof(struct pt_regs, r9)))
		return 0;
	if ((long)a.orig_ax != ctx->nr) {
		bad = bpf_map_lookup_elem(&where_bad, &zero);
		if (bad)
			__sync_fetch_and_add(bad, 1);
		return 0;
	}
	if (a.r8 && a.r9 && port_is_dns((const void *)a.r8))
		bpf_printk("dns");
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int twice_sendto(struct sys_enter *ctx)
{
	const void *a = (const void *)ctx->args[4];
	int first, second;

	if (!a || !ctx->args[5])
		return 0;
	first = port_is_dns(a);
	second = port_is_dns(a); /* read whatever the first found */
	if (first && second)
		bpf_printk("dns");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
