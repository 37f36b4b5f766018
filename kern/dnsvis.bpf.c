// SPDX-License-Identifier: GPL-2.0
/* dnsvis.bpf.c - report DNS queries as processes send them.
 *
 * Two backends, one record (struct dv_event, kern/dnsvis.h):
 *
 * kprobe: udp_sendmsg / udpv6_sendmsg, and tcp_sendmsg for DNS over TCP.
 *   UDP: the destination is msg->msg_name or, for a connected socket, the
 *   socket's peer.  TCP (one function for IPv4 and IPv6): the destination is
 *   always the socket's peer (skc_daddr / skc_v6_daddr / skc_dport, IPv4-
 *   mapped peers reported as AF_INET); each tcp_sendmsg call whose payload
 *   starts with a 2-byte length matching the rest is one message, as in the
 *   tracepoint backend (no stream reassembly).  The payload is read from
 *   the msghdr's iov_iter in every kernel flavour (compat/dv_compat.bpf.h).
 *   Two programs per function: (sk, msg, len) and RHEL 7's
 *   (iocb, sk, msg, len); user space loads the one matching each function's
 *   BTF prototype (tcp_sendmsg's own, else udp_sendmsg's).
 *   IPv4-mapped destinations on AF_INET6 sockets: udpv6_sendmsg hands those
 *   to udp_sendmsg, so the v6 program skips them and the v4 program reports
 *   them as AF_INET with the IPv4 address (no duplicates).
 *
 * tracepoint: syscalls/sys_enter_{sendto,sendmsg,sendmmsg,write,writev}.
 *   Destination from the syscall's sockaddr when it has one.  Connected
 *   sockets (send/write/writev, sendto/sendmsg without an address) are
 *   recognised through the dns_socks hash map keyed {tgid, fd}:
 *     - sys_enter_connect adds {tgid, fd} when a datagram socket connects to
 *       a port in the set, and removes it when it connects anywhere else or
 *       disconnects (AF_UNSPEC); sys_enter_close removes it;
 *     - at start-up user space adds the sockets already connected (it scans
 *       /proc/PID/net/udp{,6} per network namespace for peers on a port in
 *       the set, then /proc/PID/fd for those socket inodes), and later drops
 *       entries of processes that are gone.
 *   write/writev therefore cost one hash lookup for every descriptor that is
 *   not a DNS socket.  On a hit, the entry is checked against the live
 *   descriptor (fd table -> file -> socket: must be a datagram socket whose
 *   peer port is in the set; stale entries are deleted), and the peer
 *   address is taken from the socket itself.
 *   Not seen by this backend: descriptors inherited by fork or duplicated
 *   (dup/dup2/SCM_RIGHTS) after the connect, until they connect again.
 *   IPv4-mapped destinations are reported as AF_INET like the kprobe backend.
 *
 * Filtering in the kernel: destination port in the `ports` set, then QR=0 in
 * the header; at most DV_PAYLOAD_MAX bytes copied.  With a cgroup-scoped
 * filter, the process part (first tail call) drops senders whose cgroup id
 * has a 0 in the cgroup_filter map.
 *
 * Old-verifier rules: no loops (all unrolled), no BPF-to-BPF calls, no global
 * data (configuration is in maps), only 4.14 helpers in the legacy object.
 */
#include "dv_compat.bpf.h"
#include "dnsvis.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Destination ports to report: a bitmap (struct dv_port_bits). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_port_bits);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_config);
} config SEC(".maps");

/* Cgroup-scoped filters (--host, --containers, --container, --pod-uid,
 * --k8s-namespace, --pod): cgroup id -> verdict.  User space puts in the
 * cgroups it knows to be unwanted (value 0) and keeps the set current as
 * cgroups come and go; an id not in the map passes to user space, which
 * decides (so a container newer than the last rescan is never lost). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DV_CGROUPS_MAX);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct dv_sock_key);
	__type(value, struct dv_sock_val);
} dns_socks SEC(".maps");

/* Per-CPU event under construction: [0] is sent; [1] holds the second
 * message of a sendmmsg while [0] goes out. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct dv_event);
} scratch SEC(".maps");

/* Tail-call tables, one per program type (a PROG_ARRAY belongs to one). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DV_TAIL_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tail_tp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DV_TAIL_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tail_kp SEC(".maps");

/* Syscall tracepoint record: 8 bytes of common fields, the syscall number,
 * then the arguments as unsigned longs (stable since tracepoints came). */
struct dv_sys_enter {
	__u64 common;
	long nr;
	unsigned long args[6];
};

/* uapi layouts (user memory: no CO-RE) */
struct dv_uiovec {
	const void *base;
	unsigned long len;
};

struct dv_umsghdr {
	void *name;
	int namelen;
	int pad;
	const struct dv_uiovec *iov;
	unsigned long iovlen;
};

#define DV_MMSGHDR_SIZE 64 /* struct mmsghdr: msghdr (56) + msg_len + pad */

struct dv_sockaddr {
	__u16 family;
	__be16 port;
	__u32 flowinfo_or_v4; /* sin_addr for AF_INET, sin6_flowinfo for AF_INET6 */
	__u8 addr6[16];
};

struct dv_dest {
	__u16 family;
	__u16 dport;
	__u16 sport;
	__u8 flags;
	__u8 have_src;
	__u8 proto; /* 0 = UDP, else IPPROTO_TCP */
	__u8 daddr[16] __attribute__((aligned(8)));
	__u8 saddr[16] __attribute__((aligned(8)));
};

static __always_inline int dv_port_ok(__u16 port)
{
	__u32 k = 0;
	struct dv_port_bits *pb = bpf_map_lookup_elem(&ports, &k);

	return pb && (pb->bits[(port >> 3) & (DV_PORT_BITS_LEN - 1)] & (1u << (port & 7)));
}

static __always_inline struct dv_event *dv_scratch(__u32 k)
{

	return bpf_map_lookup_elem(&scratch, &k);
}

/* ::ffff:a.b.c.d -> AF_INET a.b.c.d */
static __always_inline void dv_unmap(__u8 *a)
{
	a[0] = a[12];
	a[1] = a[13];
	a[2] = a[14];
	a[3] = a[15];
	__builtin_memset(a + 4, 0, 12);
}

static __always_inline void dv_dest_from_sk(struct sock *sk, struct dv_dest *d, int src_only)
{
	struct dv_sk_info si = {};

	dv_sk_read(sk, &si);
	d->sport = si.sport;
	__builtin_memcpy(d->saddr, si.saddr, 16);
	d->have_src = 1;
	if (si.family == DV_AF_INET6 && dv_v4mapped(si.saddr))
		dv_unmap(d->saddr);
	if (src_only)
		return;
	d->family = si.family;
	d->dport = si.dport;
	__builtin_memcpy(d->daddr, si.daddr, 16);
	if (si.family == DV_AF_INET6 && dv_v4mapped(si.daddr)) {
		dv_unmap(d->daddr);
		d->family = DV_AF_INET;
		d->flags |= DV_F_V4MAPPED;
	}
}

/* sockaddr in user memory -> d.  Non-zero when not AF_INET/AF_INET6. */
static __always_inline int dv_user_sockaddr(const void *uaddr, struct dv_dest *d)
{
	struct dv_sockaddr sa = {};

	if (dv_read_user(&sa, 8, uaddr))
		return -1;
	d->dport = dv_ntohs(sa.port);
	if (sa.family == DV_AF_INET) {
		d->family = DV_AF_INET;
		__builtin_memcpy(d->daddr, &sa.flowinfo_or_v4, 4);
		return 0;
	}
	if (sa.family != DV_AF_INET6)
		return -1;
	if (dv_read_user(d->daddr, 16, (const char *)uaddr + 8))
		return -1;
	d->family = DV_AF_INET6;
	if (dv_v4mapped(d->daddr)) {
		dv_unmap(d->daddr);
		d->family = DV_AF_INET;
		d->flags |= DV_F_V4MAPPED;
	}
	return 0;
}

/* Connected DNS socket {tgid, fd}?  One hash lookup on the miss path. */
static __always_inline int dv_connected_dest(__u32 tgid, unsigned long fd, struct dv_dest *d)
{
	struct dv_sock_key key = {.tgid = tgid, .fd = (__u32)fd};
	struct task_struct *task;
	struct sock *sk;
	short stype = 0;

	if (!bpf_map_lookup_elem(&dns_socks, &key))
		return -1;
	task = (struct task_struct *)bpf_get_current_task();
	sk = dv_file_sock(dv_fd_file(task, (unsigned int)fd), &stype);
	if (!sk) {
		bpf_map_delete_elem(&dns_socks, &key);
		return -1;
	}
	dv_dest_from_sk(sk, d, 0);
	if (stype == DV_SOCK_STREAM)
		d->proto = 6;
	if (!dv_port_ok(d->dport)) {
		bpf_map_delete_elem(&dns_socks, &key);
		return -1;
	}
	return 0;
}

/* Source address of fd, for destinations given with the call. */
static __always_inline void dv_src_from_fd(unsigned long fd, struct dv_dest *d)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	short stype = 0;
	struct sock *sk = dv_file_sock(dv_fd_file(task, (unsigned int)fd), &stype);

	if (sk && stype == DV_SOCK_DGRAM)
		dv_dest_from_sk(sk, d, 1);
}

/* ---- payload copies ----------------------------------------------------- */

static __always_inline void dv_copy_ubuf(struct dv_msg *m, const void *buf, unsigned long len)
{
	unsigned int sz;

	m->payload_len = 0;
	if (len == 0 || !buf)
		return;
	if (len > DV_PAYLOAD_MAX)
		len = DV_PAYLOAD_MAX;
	barrier_var(len); /* keep the mask: see dv_copy_iov() */
	sz = (((unsigned int)len - 1) & (DV_PAYLOAD_MAX - 1)) + 1;
	if (dv_read_user(m->payload, sz, buf) == 0)
		m->payload_len = sz;
}

/* Concatenate up to DV_IOV_SEGS segments.  arr is a user array
 * (tracepoints) or the kernel's copy of it (kprobes). */
static __always_inline void dv_copy_iov(struct dv_msg *m, const struct dv_uiovec *arr,
					unsigned long nseg, unsigned long skip, int arr_kernel)
{
	unsigned int off = 0;

#pragma unroll
	for (int i = 0; i < DV_IOV_SEGS; i++) {
		struct dv_uiovec v = {};
		unsigned long len;
		unsigned int sz, dst;

		if ((unsigned long)i >= nseg || off >= DV_PAYLOAD_MAX)
			break;
		if (arr_kernel) {
			if (dv_read_kernel(&v, sizeof(v), &arr[i]))
				break;
		} else {
			if (dv_read_user(&v, sizeof(v), &arr[i]))
				break;
		}
		len = v.len;
		if (i == 0 && skip) {
			if (skip >= len)
				continue;
			v.base = (const char *)v.base + skip;
			len -= skip;
		}
		if (len == 0)
			continue;
		if (len > DV_PAYLOAD_MAX - off)
			len = DV_PAYLOAD_MAX - off;
		barrier_var(len);
		sz = (((unsigned int)len - 1) & (DV_PAYLOAD_MAX - 1)) + 1;
		/* clang knows off < DV_PAYLOAD_MAX here and drops a plain mask,
		 * but the verifier does not know it: hide off from clang first,
		 * so the mask stays and bounds the pointer (6.1 rejected it). */
		dst = off;
		barrier_var(dst);
		dst &= DV_PAYLOAD_MAX - 1;
		barrier_var(sz);
		if (dv_read_user(m->payload + dst, sz, v.base))
			break;
		off += sz;
	}
	m->payload_len = off;
}

/* DNS query?  Header flags byte: QR is the top bit of byte 2, or of byte 4
 * over TCP when the message starts with its 2-byte length. */
static __always_inline int dv_is_query(const struct dv_msg *m, const struct dv_dest *d)
{
	if (d->proto && m->payload_len >= 5 &&
	    ((m->payload[0] << 8) | m->payload[1]) == m->payload_len - 2)
		return !(m->payload[4] & 0x80);
	return m->payload_len >= 3 && !(m->payload[2] & 0x80);
}

static __always_inline int dv_pid_wanted(__u32 tgid)
{
	__u32 k = 0;
	struct dv_config *c = bpf_map_lookup_elem(&config, &k);

	if (!c)
		return 1;
	return !c->filter_tgid || c->filter_tgid == tgid;
}

static __always_inline int dv_cgroup_wanted(void)
{
	__u32 k = 0;
	struct dv_config *c = bpf_map_lookup_elem(&config, &k);
	__u64 id;
	__u8 *v;

	if (!c || !(c->flags & DV_CFG_CGROUP))
		return 1;
	id = dv_cgroup_id((struct task_struct *)bpf_get_current_task());
	v = bpf_map_lookup_elem(&cgroup_filter, &id);
	return !v || *v;
}

static __always_inline void dv_set_dest(struct dv_msg *m, const struct dv_dest *d, __u16 hook,
					unsigned long orig_len, int idx)
{
	m->ts_ns = bpf_ktime_get_ns();
	m->hook = hook;
	m->msg_index = idx;
	m->pending = 0;
	m->orig_len = orig_len > 0xffffffffUL ? 0xffffffffU : (__u32)orig_len;
	m->family = d->family;
	m->dport = d->dport;
	m->sport = d->have_src ? d->sport : 0;
	m->mflags = d->flags;
	m->proto = d->proto ? d->proto : 17; /* IPPROTO_TCP / IPPROTO_UDP */
	__builtin_memcpy(m->daddr, d->daddr, 16);
	if (d->have_src)
		__builtin_memcpy(m->saddr, d->saddr, 16);
	else
		__builtin_memset(m->saddr, 0, 16);
}

/* ---- process attribution and output (tail-called) ------------------------ */

/* Part 1: ids, namespaces, cgroup, command line, executable. */
static __always_inline void dv_fill_proc1(struct dv_event *ev)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	struct task_struct *parent = 0;
	struct mm_struct *mm = 0;
	int trunc;

	ev->tgid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->uid = (__u32)uid_gid;
	ev->gid = uid_gid >> 32;
	ev->flags = 0;
	ev->ppid = 0;
	ev->ns_pid = 0;
	ev->ns_ppid = 0;
	ev->exe_len = 0;
	ev->cwd_len = 0;
	ev->cmdline_len = 0;
	ev->tty[0] = 0;
	/* The process's name, not the sending thread's: dig sends from a
	 * worker thread named "isc-net-0000". */
	struct task_struct *leader = 0;

	DV_KREAD(leader, task->group_leader);
	if (!leader || dv_read_kernel(ev->comm, sizeof(ev->comm),
				      __builtin_preserve_access_index(&leader->comm)))
		bpf_get_current_comm(ev->comm, sizeof(ev->comm));

	DV_KREAD(parent, task->real_parent);
	if (parent)
		DV_KREAD(ev->ppid, parent->tgid);
	dv_ns_pids(task, &ev->ns_pid, &ev->ns_ppid);
	ev->cgroup_id = dv_cgroup_id(task);

	DV_KREAD(mm, task->mm);
	if (!mm) {
		ev->flags |= DV_F_NO_MM;
		return;
	}
	unsigned long as = 0, ae = 0, len;
	struct file *exe = 0;

	DV_KREAD(as, mm->arg_start);
	DV_KREAD(ae, mm->arg_end);
	if (ae > as) {
		len = ae - as;
		if (len > DV_CMDLINE_MAX) {
			len = DV_CMDLINE_MAX;
			ev->flags |= DV_F_CMDLINE_TRUNC;
		}
		barrier_var(len); /* keep the mask: see dv_copy_iov() */
		len = (((unsigned int)len - 1) & (DV_CMDLINE_MAX - 1)) + 1;
		if (dv_read_user(ev->cmdline, len, (const void *)as) == 0)
			ev->cmdline_len = len;
	}
	DV_KREAD(exe, mm->exe_file);
	if (exe) {
		struct dentry *d = 0;
		struct vfsmount *vm = 0;

		DV_KREAD(d, exe->f_path.dentry);
		DV_KREAD(vm, exe->f_path.mnt);
		trunc = 0;
		ev->exe_len = dv_walk_path(ev->exe, d, vm, &trunc);
		if (trunc)
			ev->flags |= DV_F_EXE_TRUNC;
	}
}

/* Part 2: working directory, tty. */
static __always_inline void dv_fill_proc2(struct dv_event *ev)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct signal_struct *sig = 0;
	struct tty_struct *tty = 0;
	struct fs_struct *fs = 0;
	int trunc;

	DV_KREAD(fs, task->fs);
	if (fs) {
		struct dentry *d = 0;
		struct vfsmount *vm = 0;

		DV_KREAD(d, fs->pwd.dentry);
		DV_KREAD(vm, fs->pwd.mnt);
		trunc = 0;
		ev->cwd_len = dv_walk_path(ev->cwd, d, vm, &trunc);
		if (trunc)
			ev->flags |= DV_F_CWD_TRUNC;
	}
	DV_KREAD(sig, task->signal);
	if (sig)
		DV_KREAD(tty, sig->tty);
	if (tty)
		dv_read_kernel_str(ev->tty, sizeof(ev->tty),
				   __builtin_preserve_access_index(&tty->name));
}

/* Samples the perf ring refused because it was full, per CPU.  The kernel
 * tells the reader of such losses only before its next sample, so the last
 * ones of a run would never be reported; user space reconciles with this
 * count at exit. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} out_fail SEC(".maps");

static __always_inline void dv_perf_out(void *ctx, struct dv_event *ev)
{
	__u32 k = 0;
	__u64 *n;

	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev, DV_EVENT_SEND_SIZE) == 0)
		return;
	n = bpf_map_lookup_elem(&out_fail, &k);
	if (n)
		(*n)++;
}

/* Send [0]; if a second message waits in [1], move it in and send it. */
static __always_inline void dv_output(void *ctx, struct dv_event *ev)
{
	struct dv_event *ev1;
	int pending = ev->m.pending;

	ev->m.pending = 0;
	dv_perf_out(ctx, ev);
	if (!pending)
		return;
	ev1 = dv_scratch(1);
	if (!ev1)
		return;
	/* map value to map value, one helper call instead of an unrolled copy */
	if (dv_read_kernel(&ev->m, sizeof(ev->m) - (DV_PAYLOAD_BUF - DV_PAYLOAD_MAX), &ev1->m))
		return;
	dv_perf_out(ctx, ev);
}

#define DV_TAIL_PROGS(type, map)                                                                   \
	SEC(type)                                                                                  \
	int dv_##map##_proc(void *ctx)                                                             \
	{                                                                                          \
		struct dv_event *ev = dv_scratch(0);                                               \
		if (!ev || !dv_cgroup_wanted())                                                    \
			return 0;                                                                  \
		dv_fill_proc1(ev);                                                                 \
		bpf_tail_call(ctx, &map, DV_TAIL_OUT);                                             \
		return 0;                                                                          \
	}                                                                                          \
	SEC(type)                                                                                  \
	int dv_##map##_out(void *ctx)                                                              \
	{                                                                                          \
		struct dv_event *ev = dv_scratch(0);                                               \
		if (!ev)                                                                           \
			return 0;                                                                  \
		dv_fill_proc2(ev);                                                                 \
		dv_output(ctx, ev);                                                                \
		return 0;                                                                          \
	}

DV_TAIL_PROGS("tracepoint", tail_tp)
DV_TAIL_PROGS("kprobe", tail_kp)

/* ---- tracepoint backend ------------------------------------------------- */

/* One buffer, to fd, destination uaddr (or the connected peer). */
static __always_inline int dv_tp_buf(void *ctx, __u16 hook, unsigned long fd, const void *buf,
				     unsigned long len, const void *uaddr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct dv_dest d = {};
	struct dv_event *ev;

	if (uaddr) {
		if (dv_user_sockaddr(uaddr, &d) || !dv_port_ok(d.dport))
			return 0;
	} else if (dv_connected_dest(pid_tgid >> 32, fd, &d)) {
		return 0;
	}
	ev = dv_scratch(0);
	if (!ev)
		return 0;
	dv_copy_ubuf(&ev->m, buf, len);
	if (!dv_is_query(&ev->m, &d) || !dv_pid_wanted(pid_tgid >> 32))
		return 0;
	if (uaddr)
		dv_src_from_fd(fd, &d);
	dv_set_dest(&ev->m, &d, hook, len, 0);
	bpf_tail_call(ctx, &tail_tp, DV_TAIL_PROC);
	return 0;
}

/* Destination of the user msghdr m on fd; non-zero when not DNS. */
static __always_inline int dv_tp_msg_dest(const struct dv_umsghdr *m, unsigned long fd, __u32 tgid,
					  struct dv_dest *d)
{
	if (m->name) {
		if (dv_user_sockaddr(m->name, d) || !dv_port_ok(d->dport))
			return -1;
		dv_src_from_fd(fd, d);
		return 0;
	}
	return dv_connected_dest(tgid, fd, d);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sendto(struct dv_sys_enter *ctx)
{
	return dv_tp_buf(ctx, DV_HOOK_TP_SENDTO, ctx->args[0], (const void *)ctx->args[1],
			 ctx->args[2], (const void *)ctx->args[4]);
}

SEC("tracepoint/syscalls/sys_enter_write")
int tp_write(struct dv_sys_enter *ctx)
{
	return dv_tp_buf(ctx, DV_HOOK_TP_WRITE, ctx->args[0], (const void *)ctx->args[1],
			 ctx->args[2], 0);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int tp_writev(struct dv_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct dv_dest d = {};
	struct dv_event *ev;

	if (dv_connected_dest(pid_tgid >> 32, ctx->args[0], &d))
		return 0;
	ev = dv_scratch(0);
	if (!ev)
		return 0;
	dv_copy_iov(&ev->m, (const struct dv_uiovec *)ctx->args[1], ctx->args[2], 0, 0);
	if (!dv_is_query(&ev->m, &d) || !dv_pid_wanted(pid_tgid >> 32))
		return 0;
	dv_set_dest(&ev->m, &d, DV_HOOK_TP_WRITEV, ev->m.payload_len, 0);
	bpf_tail_call(ctx, &tail_tp, DV_TAIL_PROC);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int tp_sendmsg(struct dv_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct dv_umsghdr um = {};
	struct dv_dest d = {};
	struct dv_event *ev;

	if (dv_read_user(&um, sizeof(um), (const void *)ctx->args[1]))
		return 0;
	if (dv_tp_msg_dest(&um, ctx->args[0], pid_tgid >> 32, &d))
		return 0;
	ev = dv_scratch(0);
	if (!ev)
		return 0;
	dv_copy_iov(&ev->m, um.iov, um.iovlen, 0, 0);
	if (!dv_is_query(&ev->m, &d) || !dv_pid_wanted(pid_tgid >> 32))
		return 0;
	dv_set_dest(&ev->m, &d, DV_HOOK_TP_SENDMSG, ev->m.payload_len, 0);
	bpf_tail_call(ctx, &tail_tp, DV_TAIL_PROC);
	return 0;
}

/* glibc sends the A and AAAA queries with one sendmmsg: the first
 * DV_MMSG_MAX entries are looked at.  The first DNS query goes to scratch
 * [0]; a second one to [1], sent after [0] by dv_output. */
SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int tp_sendmmsg(struct dv_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	unsigned long fd = ctx->args[0];
	const char *vec = (const char *)ctx->args[1];
	unsigned long vlen = ctx->args[2];
	struct dv_event *ev0, *ev1;
	int n = 0;

	if (!dv_pid_wanted(pid_tgid >> 32))
		return 0;
	ev0 = dv_scratch(0);
	ev1 = dv_scratch(1);
	if (!ev0 || !ev1)
		return 0;
#pragma unroll
	for (int i = 0; i < DV_MMSG_MAX; i++) {
		struct dv_umsghdr um = {};
		struct dv_dest d = {};
		struct dv_msg *m = n ? &ev1->m : &ev0->m;

		if ((unsigned long)i >= vlen)
			break;
		if (dv_read_user(&um, sizeof(um), vec + i * DV_MMSGHDR_SIZE))
			break;
		if (dv_tp_msg_dest(&um, fd, pid_tgid >> 32, &d))
			continue;
		dv_copy_iov(m, um.iov, um.iovlen, 0, 0);
		if (!dv_is_query(m, &d))
			continue;
		dv_set_dest(m, &d, DV_HOOK_TP_SENDMMSG, m->payload_len, i);
		n++;
	}
	if (!n)
		return 0;
	ev0->m.pending = n > 1;
	bpf_tail_call(ctx, &tail_tp, DV_TAIL_PROC);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct dv_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct dv_sock_key key = {.tgid = pid_tgid >> 32, .fd = (__u32)ctx->args[0]};
	struct dv_sock_val val = {};
	struct dv_dest d = {};
	struct task_struct *task;
	struct file *f;
	short stype = 0;

	if (!ctx->args[1] || dv_user_sockaddr((const void *)ctx->args[1], &d) ||
	    !dv_port_ok(d.dport)) {
		bpf_map_delete_elem(&dns_socks, &key);
		return 0;
	}
	task = (struct task_struct *)bpf_get_current_task();
	f = dv_fd_file(task, key.fd);
	if (!dv_file_sock(f, &stype)) {
		bpf_map_delete_elem(&dns_socks, &key);
		return 0;
	}
	val.file = (unsigned long)f;
	bpf_map_update_elem(&dns_socks, &key, &val, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int tp_close(struct dv_sys_enter *ctx)
{
	struct dv_sock_key key = {.tgid = bpf_get_current_pid_tgid() >> 32,
				  .fd = (__u32)ctx->args[0]};

	bpf_map_delete_elem(&dns_socks, &key);
	return 0;
}

/* ---- kprobe backend ----------------------------------------------------- */

static __always_inline int dv_kprobe(struct dv_pt_regs *ctx, struct sock *sk, struct msghdr *msg,
				     int v6)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct dv_msg_src src = {};
	struct dv_sockaddr sa = {};
	struct dv_dest d = {};
	struct dv_event *ev;
	void *name = 0;

	if (!sk || !msg)
		return 0;
	DV_KREAD(name, msg->msg_name);
	if (name) {
		if (dv_read_kernel(&sa, 8, name))
			return 0;
		if (v6) {
			if (sa.family != DV_AF_INET6)
				return 0; /* AF_INET: udpv6_sendmsg calls udp_sendmsg */
			if (dv_read_kernel(d.daddr, 16, (char *)name + 8))
				return 0;
			if (dv_v4mapped(d.daddr))
				return 0; /* reported by the udp_sendmsg probe */
			d.family = DV_AF_INET6;
		} else {
			d.family = DV_AF_INET;
			__builtin_memcpy(d.daddr, &sa.flowinfo_or_v4, 4);
		}
		d.dport = dv_ntohs(sa.port);
	} else {
		__be16 port = 0;

		DV_KREAD(port, sk->__sk_common.skc_dport);
		d.dport = dv_ntohs(port);
		if (v6) {
			DV_KREAD(d.daddr, sk->__sk_common.skc_v6_daddr);
			if (dv_v4mapped(d.daddr))
				return 0;
			d.family = DV_AF_INET6;
		} else {
			dv_read_kernel(d.daddr, 4,
				       __builtin_preserve_access_index(&sk->__sk_common.skc_daddr));
			d.family = DV_AF_INET;
		}
	}
	if (!dv_port_ok(d.dport))
		return 0;
	ev = dv_scratch(0);
	if (!ev)
		return 0;
	if (dv_msghdr_src(msg, &src))
		return 0;
	if (src.ubuf)
		dv_copy_ubuf(&ev->m, src.ubuf, src.ubuf_len);
	else
		dv_copy_iov(&ev->m, (const struct dv_uiovec *)src.kiov, src.nr_segs, src.first_skip,
			    1);
	if (!dv_is_query(&ev->m, &d) || !dv_pid_wanted(pid_tgid >> 32))
		return 0;
	dv_dest_from_sk(sk, &d, 1);
	dv_set_dest(&ev->m, &d, v6 ? DV_HOOK_KPROBE_UDPV6_SENDMSG : DV_HOOK_KPROBE_UDP_SENDMSG,
		    ev->m.payload_len, 0);
	bpf_tail_call(ctx, &tail_kp, DV_TAIL_PROC);
	return 0;
}

/* TCP (IPv4 and IPv6: one function).  The destination is the socket's peer
 * (msg_name is ignored by a connected stream socket; a TCP Fast Open
 * sendto's address is not looked at).  Every tcp_sendmsg call whose payload
 * starts with a 2-byte length matching the rest counts as one message, as
 * in the tracepoint backend: no stream reassembly. */
static __always_inline int dv_kprobe_tcp(struct dv_pt_regs *ctx, struct sock *sk,
					 struct msghdr *msg)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct dv_msg_src src = {};
	struct dv_dest d = {};
	struct dv_event *ev;
	__be16 port = 0;

	if (!sk || !msg)
		return 0;
	DV_KREAD(port, sk->__sk_common.skc_dport);
	if (!dv_port_ok(dv_ntohs(port)))
		return 0;
	ev = dv_scratch(0);
	if (!ev)
		return 0;
	if (dv_msghdr_src(msg, &src))
		return 0;
	if (src.ubuf)
		dv_copy_ubuf(&ev->m, src.ubuf, src.ubuf_len);
	else
		dv_copy_iov(&ev->m, (const struct dv_uiovec *)src.kiov, src.nr_segs, src.first_skip,
			    1);
	d.proto = 6; /* IPPROTO_TCP: the message starts with its length */
	if (!dv_is_query(&ev->m, &d) || !dv_pid_wanted(pid_tgid >> 32))
		return 0;
	dv_dest_from_sk(sk, &d, 0);
	dv_set_dest(&ev->m, &d, DV_HOOK_KPROBE_TCP_SENDMSG, ev->m.payload_len, 0);
	bpf_tail_call(ctx, &tail_kp, DV_TAIL_PROC);
	return 0;
}

/* (struct sock *sk, struct msghdr *msg, size_t len): 4.1+ */
SEC("kprobe/udp_sendmsg")
int kp_udp_sendmsg(struct dv_pt_regs *ctx)
{
	return dv_kprobe(ctx, (struct sock *)ctx->di, (struct msghdr *)ctx->si, 0);
}

SEC("kprobe/udpv6_sendmsg")
int kp_udpv6_sendmsg(struct dv_pt_regs *ctx)
{
	return dv_kprobe(ctx, (struct sock *)ctx->di, (struct msghdr *)ctx->si, 1);
}

/* (struct kiocb *iocb, struct sock *sk, struct msghdr *msg, size_t len): RHEL 7 */
SEC("kprobe/udp_sendmsg")
int kp_udp_sendmsg_iocb(struct dv_pt_regs *ctx)
{
	return dv_kprobe(ctx, (struct sock *)ctx->si, (struct msghdr *)ctx->dx, 0);
}

SEC("kprobe/udpv6_sendmsg")
int kp_udpv6_sendmsg_iocb(struct dv_pt_regs *ctx)
{
	return dv_kprobe(ctx, (struct sock *)ctx->si, (struct msghdr *)ctx->dx, 1);
}

/* tcp_sendmsg: (sk, msg, size) on 4.1+, (iocb, sk, msg, size) on RHEL 7 */
SEC("kprobe/tcp_sendmsg")
int kp_tcp_sendmsg(struct dv_pt_regs *ctx)
{
	return dv_kprobe_tcp(ctx, (struct sock *)ctx->di, (struct msghdr *)ctx->si);
}

SEC("kprobe/tcp_sendmsg")
int kp_tcp_sendmsg_iocb(struct dv_pt_regs *ctx)
{
	return dv_kprobe_tcp(ctx, (struct sock *)ctx->si, (struct msghdr *)ctx->dx);
}
