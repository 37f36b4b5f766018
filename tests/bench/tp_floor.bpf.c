/* tp_floor.bpf.c - the least a port filter on sys_enter_sendto, _sendmsg
 * and _write can do: sendto reads the 4 bytes of family and port of its
 * sockaddr (one bpf_probe_read_user) and compares the port with 53; sendmsg
 * reads msg_name and msg_namelen of the msghdr, then the same 4 bytes;
 * write reads one array element (the fd's entry of a table of connected DNS
 * sockets, here always 0) and compares it with 0.  No map output, no
 * further reads: a hand-written floor for "one port test", measured next
 * to dnsvis and the empty programs in bench-live.sh. */
#include "tp_port_test.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} floor_fds SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_sendto")
int floor_sendto(struct sys_enter *ctx)
{
	const void *a = (const void *)ctx->args[4];

	if (a && ctx->args[5] && port_is_dns(a))
		bpf_printk("dns");
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int floor_sendmsg(struct sys_enter *ctx)
{
	struct {
		void *name;
		int namelen;
	} mh = {};

	if (bpf_probe_read_user(&mh, sizeof(mh), (const void *)ctx->args[1]))
		return 0;
	if (mh.name && mh.namelen && port_is_dns(mh.name))
		bpf_printk("dns");
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int floor_write(struct sys_enter *ctx)
{
	__u32 k = (__u32)ctx->args[0];
	__u32 *n = bpf_map_lookup_elem(&floor_fds, &k);

	if (n && *n)
		bpf_printk("dns");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
