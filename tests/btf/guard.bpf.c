// SPDX-License-Identifier: GPL-2.0
/* guard.bpf.c - self-test of tests/btf/run.sh: a CO-RE read of a field no
 * kernel has.  DV_GUARD=1 checks bpf_core_field_exists() first, so libbpf's
 * poisoned instruction is dead code and the program loads; DV_GUARD=0 does
 * not, and the load must fail with the relocation reported. */
#include "dv_core_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct msghdr___dvtest {
	int dv_no_such_field;
} __attribute__((preserve_access_index));

SEC("tracepoint/syscalls/sys_enter_sendto")
int dv_guard_test(void *ctx)
{
	struct msghdr___dvtest *m = (void *)bpf_get_current_task();
	int v = 0;

	(void)ctx;
#if DV_GUARD
	if (!bpf_core_field_exists(m->dv_no_such_field))
		return 0;
#endif
	bpf_probe_read(&v, sizeof(v), &m->dv_no_such_field);
	return v;
}
