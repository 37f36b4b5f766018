/* bad (loop): a loop the compiler must keep (volatile bound, no unrolling). */
#include "common.h"

SEC("kprobe/do_sys_open")
int looping(struct pt_regs *ctx)
{
	volatile int n = 10;
	__u64 s = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < n; i++)
		s += bpf_get_prandom_u32();
	return (int)s;
}
