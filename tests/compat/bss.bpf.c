/* bad (global-data): a global variable in .bss. */
#include "common.h"

__u64 last_pid;

SEC("kprobe/do_sys_open")
int uses_bss(struct pt_regs *ctx)
{
	last_pid = bpf_get_current_pid_tgid();
	return 0;
}
