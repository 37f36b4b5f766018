/* helper_v55 (good): a 5.5 helper in a program whose name carries the _v55
 * feature-probe marker; must pass. */
#include "common.h"

SEC("kprobe/do_sys_open")
int read_user_v55(struct pt_regs *ctx)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), ctx);
	return (int)v;
}
