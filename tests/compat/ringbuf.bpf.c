/* bad (map-type): a ring buffer map (5.8). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("kprobe/do_sys_open")
int has_ringbuf(struct pt_regs *ctx)
{
	return 0;
}
