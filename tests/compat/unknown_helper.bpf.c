/* bad (helper): a helper id no kernel has. */
#include "common.h"

static long (*bpf_no_such_helper)(void) = (void *)999;

SEC("kprobe/do_sys_open")
int unknown(struct pt_regs *ctx)
{
	return (int)bpf_no_such_helper();
}
