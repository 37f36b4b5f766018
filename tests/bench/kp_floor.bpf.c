/* kp_floor.bpf.c - the least a port filter on the udp_sendmsg kprobe can
 * do: one read of msg_name and msg_namelen from the kernel msghdr (the
 * second argument; struct msghdr starts with them on every kernel), then,
 * for an address given with the call, one read of its family and port and
 * a compare with 53.  A hand-written floor for "one port test", attached
 * next to dnsvis and the empty kprobe in bench-vm.sh. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct regs { /* x86-64 struct pt_regs */
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di;
};

SEC("kprobe/udp_sendmsg")
int floor_udp_send(struct regs *ctx)
{
	struct {
		void *name;
		int namelen;
	} mh = {};
	__u32 fp = 0;

	if (bpf_probe_read_kernel(&mh, sizeof(mh), (const void *)ctx->si) || !mh.name ||
	    !mh.namelen)
		return 0;
	if (bpf_probe_read_kernel(&fp, sizeof(fp), mh.name) == 0 &&
	    (fp >> 16) == __builtin_bswap16(53))
		bpf_printk("dns");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
