/* bad (insns): more than 4096 instructions, straight-line. */
#include "common.h"

#define X4(s)	 s s s s
#define X4096(s) X4(X4(X4(X4(X4(X4(s))))))

SEC("kprobe/do_sys_open")
int huge(struct pt_regs *ctx)
{
	volatile __u64 v = 0;

	X4096(v = v + 1;)
	return 0;
}
