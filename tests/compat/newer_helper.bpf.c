/* bad (helper): bpf_probe_read_user (5.5) without the _v55 marker. */
#include "common.h"

SEC("kprobe/do_sys_open")
int read_user(struct pt_regs *ctx)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), ctx);
	return (int)v;
}
