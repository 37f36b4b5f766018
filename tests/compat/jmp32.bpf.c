/* bad (isa): built with -mcpu=v3, so 32-bit compares become JMP32 (5.1). */
#include "common.h"

SEC("kprobe/do_sys_open")
int cmp32(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (pid > 100)
		return 1;
	return 0;
}
