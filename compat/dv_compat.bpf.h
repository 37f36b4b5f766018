/* dv_compat.bpf.h - every difference between kernels that dnsvis's BPF
 * programs care about, decided by CO-RE existence checks on the running
 * kernel's BTF (never by version numbers).  Everything is always_inline: old
 * verifiers have no BPF-to-BPF calls.
 *
 * Memory reads:
 *   DV_SPLIT_READ=1  bpf_probe_read_user/_kernel[_str] (5.5+)
 *   DV_SPLIT_READ=0  bpf_probe_read[_str] (4.14 .. any x86 kernel)
 * The build compiles the programs twice, user space picks the object with a
 * helper probe (trace_helpers.c).  The split object also takes the cgroup id
 * from bpf_get_current_cgroup_id() (4.18+, so present wherever 5.5 helpers
 * are); the legacy object reads task->cgroups->dfl_cgrp->kn->id.
 *
 * Kernel shapes handled:
 *   msghdr        msg_iter (3.19+) or RHEL 7's msg_iov/msg_iovlen
 *   iov_iter      `type` with direction in bit 0 (3.19-5.13; ITER_IOVEC is
 *                 0 before 4.20 when enum iter_type appears), u8 iter_type
 *                 (5.14+), ITER_UBUF + ubuf (6.0+), iov or __iov (6.4+);
 *                 enum values are renumbered across versions, so read with
 *                 bpf_core_enum_value()
 *   pid           task->thread_pid (4.19+) or task->pids[PIDTYPE_PID].pid;
 *                 struct upid size differs (pid_chain until 4.14)
 *   cgroup id     kernfs_node.id u64 (5.5+) or union kernfs_node_id
 *   css_set       dfl_cgrp may be missing (very old kernels): id 0
 *   cgroup names  kernfs_node name/parent (3.15+; __parent from 6.15); before (RHEL 7) the
 *                 cgroup's own name/parent; the v1 controller's cgroup
 *                 (enum cgroup_subsys_id: <ctrl>_cgrp_id, <ctrl>_subsys_id
 *                 before 3.15) when the task is in the v2 root
 *   start_time    u64 ns (3.17+) or struct timespec (RHEL 7)
 *   namespaces    ns_common inum (3.19+) or proc_inum (RHEL 7)
 *   sk_buff       transport_header / network_header __u16 (3.11+) or a
 *                 4-byte sk_buff_data_t (3.10); offsets from head on 64-bit
 * The sender's side (pids, namespaces, cgroups, start time, path walks) is
 * in dv_compat_proc.bpf.h.
 */
#ifndef DNSVIS_COMPAT_BPF_H
#define DNSVIS_COMPAT_BPF_H

#include "dv_core_types.h"
#include "dnsvis.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#ifndef DV_SPLIT_READ
#define DV_SPLIT_READ 0
#endif

#if DV_SPLIT_READ
#define dv_read_user	   bpf_probe_read_user
#define dv_read_kernel	   bpf_probe_read_kernel
#define dv_read_user_str   bpf_probe_read_user_str
#define dv_read_kernel_str bpf_probe_read_kernel_str
#else
#define dv_read_user	   bpf_probe_read
#define dv_read_kernel	   bpf_probe_read
#define dv_read_user_str   bpf_probe_read_str
#define dv_read_kernel_str bpf_probe_read_str
#endif

/* Read kernel field `src` (an lvalue reached through CO-RE types) into dst. */
#define DV_KREAD(dst, src)                                                                         \
	dv_read_kernel(&(dst), sizeof(dst), (const void *)__builtin_preserve_access_index(&(src)))

/* Two 8-byte fields of one struct, a at address pa and b delta bytes after
 * it (delta from CO-RE offsets, so a constant once loaded): one read of the
 * block between them when it is at most 64 bytes, else one read each. */
static __always_inline void dv_read_u64_pair(const void *pa, long delta, __u64 *a, __u64 *b)
{
	__u64 blk[8] = {};

	if (delta > 0 && delta < (long)sizeof(blk) && delta % 8 == 0) {
		if (dv_read_kernel(blk, (__u32)delta + 8, pa) == 0) {
			*a = blk[0];
			*b = blk[(delta / 8) & 7];
		}
		return;
	}
	dv_read_kernel(a, 8, pa);
	dv_read_kernel(b, 8, (const char *)pa + delta);
}

#define DV_AF_INET     2
#define DV_AF_INET6    10
#define DV_SOCK_STREAM 1
#define DV_SOCK_DGRAM  2

static __always_inline __u16 dv_ntohs(__u16 v)
{
	return (__u16)((v >> 8) | (v << 8));
}

/* ---- sockets ------------------------------------------------------------ */

/* struct file * of descriptor fd of the current task, 0 if none.  fd is
 * bounded by fdt->max_fds. */
static __always_inline struct file *dv_fd_file(struct task_struct *task, unsigned int fd)
{
	struct files_struct *files = 0;
	struct fdtable *fdt = 0;
	struct file **fds;
	struct file *f = 0;
	unsigned int max;
	__u64 max_word = 0, fds_p = 0;

	DV_KREAD(files, task->files);
	if (!files)
		return 0;
	DV_KREAD(fdt, files->fdt);
	if (!fdt)
		return 0;
	/* max_fds (its 4 bytes the low half of the word, x86) and fd: together */
	dv_read_u64_pair(__builtin_preserve_access_index(&fdt->max_fds),
			 (long)bpf_core_field_offset(struct fdtable, fd) -
			     (long)bpf_core_field_offset(struct fdtable, max_fds),
			 &max_word, &fds_p);
	max = (unsigned int)max_word;
	fds = (struct file **)fds_p;
	if (fd >= max || !fds)
		return 0;
	dv_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* type, file and sk of struct socket so.  They lie in its first 64 bytes
 * on every kernel so far ({state, type, flags, [wq,] file, sk}; the CO-RE
 * offsets decide): then one read of the block up to sk, else one each.
 * Non-zero when unreadable. */
static __always_inline int dv_socket_fields(struct socket *so, short *type, __u64 *file, __u64 *sk)
{
	__u64 blk[8] = {};
	long ot = (long)bpf_core_field_offset(struct socket, type);
	long of = (long)bpf_core_field_offset(struct socket, file);
	long os = (long)bpf_core_field_offset(struct socket, sk);
	long end = (of > os ? of : os) + 8;

	if (ot % 2 == 0 && ot + 2 <= end && of % 8 == 0 && os % 8 == 0 &&
	    end <= (long)sizeof(blk)) {
		if (dv_read_kernel(blk, (__u32)end, so))
			return -1;
		*type = (short)(blk[(ot / 8) & 7] >> ((ot % 8) * 8));
		*file = blk[(of / 8) & 7];
		*sk = blk[(os / 8) & 7];
		return 0;
	}
	return DV_KREAD(*type, so->type) || DV_KREAD(*file, so->file) || DV_KREAD(*sk, so->sk);
}

/* The struct sock behind a socket file, if it is a datagram or stream
 * socket; *stype gets the socket type.  A socket file and its socket point
 * at each other (file->private_data, socket->file: sock_alloc_file()), which
 * tells a socket file from any other in two reads, the inode's mode
 * unread. */
static __always_inline struct sock *dv_file_sock(struct file *f, short *stype)
{
	struct socket *so = 0;
	__u64 file = 0, sk = 0;
	short type = 0;

	if (!f || DV_KREAD(so, f->private_data) || !so)
		return 0;
	if (dv_socket_fields(so, &type, &file, &sk) || file != (__u64)(unsigned long)f)
		return 0;
	if (type != DV_SOCK_DGRAM && type != DV_SOCK_STREAM)
		return 0;
	*stype = type;
	return (struct sock *)(unsigned long)sk;
}

struct dv_sk_info {
	__u16 family;
	__u16 dport; /* host order */
	__u16 sport; /* host order */
	__u8 daddr[16] __attribute__((aligned(8)));
	__u8 saddr[16] __attribute__((aligned(8)));
};

/* A kernel built without IPv6 (CONFIG_IPV6=n) has no skc_v6_* fields: the
 * reads of them sit behind this check, so the IPv4 programs still load. */
#define DV_HAS_IPV6(sk) bpf_core_field_exists((sk)->__sk_common.skc_v6_daddr)

/* Connected peer and local address of sk (kernel memory). */
/* The first bytes of struct sock_common as every kernel so far lays them
 * out (the CO-RE offsets are checked before it is used). */
struct dv_skc_head {
	__be32 daddr, rcv_saddr;
	__u32 hash;
	__be16 dport;
	__u16 num;
	__u16 family;
};

#define DV_SKC_AT(field, off)                                                                      \
	(bpf_core_field_offset(struct sock_common, field) ==                                       \
	 bpf_core_field_offset(struct sock_common, skc_daddr) + (off))

/* The IPv4 addresses, ports and family of sk in one read when they sit
 * together (struct dv_skc_head), else one read each. */
static __always_inline void dv_skc_head_read(struct sock *sk, struct dv_skc_head *h)
{
	if (DV_SKC_AT(skc_rcv_saddr, 4) && DV_SKC_AT(skc_dport, 12) && DV_SKC_AT(skc_num, 14) &&
	    DV_SKC_AT(skc_family, 16)) {
		if (dv_read_kernel(h, sizeof(*h),
				   __builtin_preserve_access_index(&sk->__sk_common.skc_daddr)))
			__builtin_memset(h, 0, sizeof(*h));
		return;
	}
	DV_KREAD(h->daddr, sk->__sk_common.skc_daddr);
	DV_KREAD(h->rcv_saddr, sk->__sk_common.skc_rcv_saddr);
	DV_KREAD(h->dport, sk->__sk_common.skc_dport);
	DV_KREAD(h->num, sk->__sk_common.skc_num);
	DV_KREAD(h->family, sk->__sk_common.skc_family);
}

/* When received packet skb reached the host: its receive stamp
 * (CLOCK_REALTIME ns), which the kernel sets only while some socket asks
 * for timestamps (dnsvis --responses holds one that does).  0 when
 * unknown: not stamped, no such field (or not an s64), unreadable. */
static __always_inline __u64 dv_skb_rx_stamp(struct sk_buff *skb)
{
	long long ts = 0;

	if (!skb || !bpf_core_field_exists(skb->tstamp) || DV_KREAD(ts, skb->tstamp) || ts <= 0)
		return 0;
	return (__u64)ts;
}

/* The first packet of queue q (a struct sk_buff_head in kernel memory), 0
 * when it is empty (the head points to itself) or unreadable. */
static __always_inline struct sk_buff *dv_skb_queue_first(struct sk_buff_head *q)
{
	struct sk_buff *skb = 0;

	if (DV_KREAD(skb, q->next) || (void *)skb == (void *)q)
		return 0;
	return skb;
}

/* The receive stamp of the datagram a UDP receive on sk would return now:
 * the first of udp_sock.reader_queue (4.11+), else of sk_receive_queue, the
 * order __skb_recv_udp() takes them in.  0 when none is queued (a call that
 * will wait for one: it returns as one arrives) or it is not stamped. */
static __always_inline __u64 dv_udp_next_rx_stamp(struct sock *sk)
{
	struct udp_sock *up = (struct udp_sock *)sk;
	struct sk_buff *skb = 0;

	if (bpf_core_field_exists(up->reader_queue))
		skb = dv_skb_queue_first(__builtin_preserve_access_index(&up->reader_queue));
	if (!skb)
		skb = dv_skb_queue_first(__builtin_preserve_access_index(&sk->sk_receive_queue));
	return dv_skb_rx_stamp(skb);
}

static __always_inline void dv_sk_read(struct sock *sk, struct dv_sk_info *si)
{
	struct dv_skc_head h = {};

	dv_skc_head_read(sk, &h);
	si->family = h.family;
	si->dport = dv_ntohs(h.dport);
	si->sport = h.num;
	if (si->family == DV_AF_INET6 && DV_HAS_IPV6(sk)) {
		DV_KREAD(si->daddr, sk->__sk_common.skc_v6_daddr);
		DV_KREAD(si->saddr, sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		__builtin_memcpy(si->daddr, &h.daddr, 4);
		__builtin_memcpy(si->saddr, &h.rcv_saddr, 4);
	}
}

/* ::ffff:a.b.c.d ? */
static __always_inline int dv_v4mapped(const __u8 *a)
{
	/* byte by byte: the arrays may sit unaligned on the stack */
	return !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5] | a[6] | a[7] | a[8] | a[9]) &&
	       a[10] == 0xff && a[11] == 0xff;
}

/* ---- sk_buff (kprobe receive path) --------------------------------------- */

/* Where a received packet's headers are: the buffer, the offsets of the
 * transport and network headers and of the end of the linear data. */
struct dv_skb_hdrs {
	const unsigned char *head;
	__u32 th, nh, tail;
};

#define DV_SKB_OFF_UNSET 0xffff /* (__u16)~0U: a header offset never set */

/* The header offsets of skb, each read at its size in this kernel (see
 * dv_core_types.h struct sk_buff).  0, or -1 when a read faults or a
 * header was never set. */
static __always_inline int dv_skb_hdrs(struct sk_buff *skb, struct dv_skb_hdrs *h)
{
	DV_KREAD(h->head, skb->head);
	DV_KREAD(h->tail, skb->tail);
	if (bpf_core_field_size(skb->transport_header) == 2) {
		__u16 th = DV_SKB_OFF_UNSET, nh = DV_SKB_OFF_UNSET;

		DV_KREAD(th, skb->transport_header);
		DV_KREAD(nh, skb->network_header);
		h->th = th;
		h->nh = nh;
	} else {
		h->th = h->nh = DV_SKB_OFF_UNSET;
		dv_read_kernel(&h->th, 4, __builtin_preserve_access_index(&skb->transport_header));
		dv_read_kernel(&h->nh, 4, __builtin_preserve_access_index(&skb->network_header));
	}
	if (!h->head || h->th >= DV_SKB_OFF_UNSET || h->nh >= DV_SKB_OFF_UNSET)
		return -1;
	return 0;
}

/* ---- msghdr / iov_iter (kprobe backend: kernel msghdr) ------------------- */

/* msg->msg_name and msg->msg_namelen: one read when msg_namelen follows
 * msg_name at +8 (every kernel so far; the CO-RE offsets say), else two.
 * Non-zero when unreadable. */
static __always_inline int dv_msghdr_name(struct msghdr *msg, void **name, int *namelen)
{
	struct {
		void *name;
		int namelen;
		int next;
	} h = {};

	if (bpf_core_field_offset(struct msghdr, msg_namelen) ==
	    bpf_core_field_offset(struct msghdr, msg_name) + 8) {
		if (dv_read_kernel(&h, sizeof(h),
				   (const void *)__builtin_preserve_access_index(&msg->msg_name)))
			return -1;
	} else if (DV_KREAD(h.name, msg->msg_name) || DV_KREAD(h.namelen, msg->msg_namelen)) {
		return -1;
	}
	*name = h.name;
	*namelen = h.namelen;
	return 0;
}

/* What the msghdr's payload looks like: either one user buffer, or an array
 * of iovecs in kernel memory. */
struct dv_msg_src {
	const void *ubuf; /* single user buffer, or 0 */
	unsigned long ubuf_len;
	const struct iovec *kiov; /* kernel copy of the user's iovec array */
	unsigned long nr_segs;
	unsigned long first_skip; /* iov_offset into the first segment */
	unsigned long total;	  /* bytes of the send, ~0UL when unknown */
};

static __always_inline int dv_msghdr_src(struct msghdr *msg, struct dv_msg_src *s)
{
	if (bpf_core_field_exists(struct msghdr___rhel7, msg_iov)) {
		struct msghdr___rhel7 *m7 = (void *)msg;

		DV_KREAD(s->kiov, m7->msg_iov);
		DV_KREAD(s->nr_segs, m7->msg_iovlen);
		s->total = ~0UL;
		return 0;
	}

	struct iov_iter *it = &msg->msg_iter;
	unsigned int kind = 0;
	unsigned int iovec_kind = 0; /* 3.19-4.19: ITER_IOVEC == 0 */
	unsigned long skip = 0;

	if (bpf_core_field_exists(struct iov_iter, iter_type)) {
		__u8 k = 0;

		DV_KREAD(k, it->iter_type);
		kind = k;
	} else {
		struct iov_iter___type *ot = (void *)it;

		DV_KREAD(kind, ot->type);
		kind &= ~1U; /* direction (READ 0 / WRITE 1) */
	}
	if (bpf_core_enum_value_exists(enum iter_type, ITER_IOVEC))
		iovec_kind = bpf_core_enum_value(enum iter_type, ITER_IOVEC);
	DV_KREAD(skip, it->iov_offset);
	DV_KREAD(s->total, it->count);

	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) &&
	    bpf_core_field_exists(struct iov_iter, ubuf)) {
		if (kind == (unsigned int)bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
			void *base = 0;

			DV_KREAD(base, it->ubuf);
			s->ubuf = (const char *)base + skip;
			s->ubuf_len = s->total;
			return 0;
		}
	}
	if (kind != iovec_kind)
		return -1; /* kvec/bvec: kernel-internal senders, not DNS clients */
	if (bpf_core_field_exists(struct iov_iter, __iov)) {
		DV_KREAD(s->kiov, it->__iov);
	} else {
		struct iov_iter___iov *oi = (void *)it;

		DV_KREAD(s->kiov, oi->iov);
	}
	DV_KREAD(s->nr_segs, it->nr_segs);
	s->first_skip = skip;
	return 0;
}

#include "dv_compat_proc.bpf.h"

#endif
