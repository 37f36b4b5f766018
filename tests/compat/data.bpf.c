/* bad (global-data): an initialised global variable in .data. */
#include "common.h"

__u64 calls = 1;

SEC("kprobe/do_sys_open")
int uses_data(struct pt_regs *ctx)
{
	calls = bpf_get_current_pid_tgid();
	return 0;
}
