/* bad (bpf2bpf): a call to a __noinline function in .text. */
#include "common.h"

static __noinline int mix(__u64 x)
{
	return (int)(x * 3 + bpf_get_prandom_u32());
}

SEC("kprobe/do_sys_open")
int caller(struct pt_regs *ctx)
{
	return mix(bpf_get_current_pid_tgid());
}
