/* objmark_v55 (good): 4.18/5.5 helpers in an object whose name carries the
 * _v55 marker (the split-read object); must pass. */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_write")
int tp_write(void *ctx)
{
	__u64 v = bpf_get_current_cgroup_id();

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	return (int)v;
}
