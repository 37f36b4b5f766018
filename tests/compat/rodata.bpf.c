/* bad (global-data): a constant in .rodata. */
#include "common.h"

const volatile __u32 target_pid = 42;

SEC("kprobe/do_sys_open")
int uses_rodata(struct pt_regs *ctx)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_pid;
}
