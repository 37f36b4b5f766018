/* bad (map-type): a CPUMAP, which appeared in 4.15, not 4.14. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} cpus SEC(".maps");

SEC("kprobe/do_sys_open")
int has_cpumap(struct pt_regs *ctx)
{
	return 0;
}
