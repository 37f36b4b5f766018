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

#define DV_AF_INET     2
#define DV_AF_INET6    10
#define DV_S_IFMT      0170000
#define DV_S_IFSOCK    0140000
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
	struct file **fds = 0;
	struct file *f = 0;
	unsigned int max = 0;

	DV_KREAD(files, task->files);
	if (!files)
		return 0;
	DV_KREAD(fdt, files->fdt);
	if (!fdt)
		return 0;
	if (bpf_core_field_offset(struct fdtable, fd) ==
	    bpf_core_field_offset(struct fdtable, max_fds) + 8) {
		struct {
			unsigned int max_fds, pad;
			struct file **fd;
		} head = {};

		/* one read: max_fds, then fd 8 bytes on (every kernel so far) */
		if (dv_read_kernel(&head, sizeof(head),
				   (const void *)__builtin_preserve_access_index(&fdt->max_fds)))
			return 0;
		max = head.max_fds;
		fds = head.fd;
	} else {
		DV_KREAD(max, fdt->max_fds);
		DV_KREAD(fds, fdt->fd);
	}
	if (fd >= max || !fds)
		return 0;
	dv_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The struct sock behind a socket file, if it is a datagram or stream
 * socket; *stype gets the socket type. */
static __always_inline struct sock *dv_file_sock(struct file *f, short *stype)
{
	struct inode *ino = 0;
	struct socket *so = 0;
	struct sock *sk = 0;
	unsigned short mode = 0;
	short type = 0;

	if (!f)
		return 0;
	DV_KREAD(ino, f->f_inode);
	if (!ino)
		return 0;
	DV_KREAD(mode, ino->i_mode);
	if ((mode & DV_S_IFMT) != DV_S_IFSOCK)
		return 0;
	DV_KREAD(so, f->private_data);
	if (!so)
		return 0;
	DV_KREAD(type, so->type);
	if (type != DV_SOCK_DGRAM && type != DV_SOCK_STREAM)
		return 0;
	*stype = type;
	DV_KREAD(sk, so->sk);
	return sk;
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

/* ---- process attribution ------------------------------------------------ */

static __always_inline struct pid *dv_task_pid(struct task_struct *t)
{
	struct pid *p = 0;

	if (bpf_core_field_exists(struct task_struct, thread_pid)) {
		DV_KREAD(p, t->thread_pid);
	} else {
		struct task_struct___old *o = (void *)t;

		DV_KREAD(p, o->pids[0].pid); /* PIDTYPE_PID */
	}
	return p;
}

/* numbers[level] of a struct pid: nr and ns. */
static __always_inline void dv_pid_upid(struct pid *p, unsigned int level, int *nr, void **ns)
{
	unsigned long base = (unsigned long)p + bpf_core_field_offset(struct pid, numbers) +
			     (unsigned long)(level & 63) * bpf_core_type_size(struct upid);

	dv_read_kernel(nr, sizeof(*nr), (void *)(base + bpf_core_field_offset(struct upid, nr)));
	dv_read_kernel(ns, sizeof(*ns), (void *)(base + bpf_core_field_offset(struct upid, ns)));
}

/* tgid and parent tgid as seen in the task's own (innermost) pid namespace;
 * ns_ppid is 0 when the parent lives outside that namespace. */
static __always_inline void dv_ns_pids(struct task_struct *task, __u32 *ns_pid, __u32 *ns_ppid)
{
	struct task_struct *leader = 0, *parent = 0;
	struct pid *p = 0, *pp = 0;
	unsigned int level = 0, plevel = 0;
	void *ns = 0, *pns = 0;
	int nr = 0, pnr = 0;

	DV_KREAD(leader, task->group_leader);
	if (!leader)
		return;
	p = dv_task_pid(leader);
	if (!p)
		return;
	DV_KREAD(level, p->level);
	dv_pid_upid(p, level, &nr, &ns);
	*ns_pid = nr;

	DV_KREAD(parent, task->real_parent);
	if (!parent)
		return;
	DV_KREAD(leader, parent->group_leader);
	if (!leader)
		return;
	pp = dv_task_pid(leader);
	if (!pp)
		return;
	DV_KREAD(plevel, pp->level);
	if (plevel < level)
		return;
	dv_pid_upid(pp, level, &pnr, &pns);
	if (pns == ns)
		*ns_ppid = pnr;
}

static __always_inline __u64 dv_cgroup_id(struct task_struct *task)
{
#if DV_SPLIT_READ
	(void)task;
	return bpf_get_current_cgroup_id();
#else
	struct css_set *cs = 0;
	struct cgroup *cg = 0;
	struct kernfs_node *kn = 0;
	__u64 id = 0;

	if (!bpf_core_field_exists(struct css_set, dfl_cgrp))
		return 0;
	DV_KREAD(cs, task->cgroups);
	if (!cs)
		return 0;
	DV_KREAD(cg, cs->dfl_cgrp);
	if (!cg)
		return 0;
	DV_KREAD(kn, cg->kn);
	if (!kn)
		return 0;
	if (bpf_core_type_exists(union kernfs_node_id)) {
		struct kernfs_node___old *okn = (void *)kn;

		DV_KREAD(id, okn->id.id);
	} else {
		DV_KREAD(id, kn->id);
	}
	return id;
#endif
}

/* ---- cgroup names ------------------------------------------------------- */

/* Name of one cgroup level into str + (base + off) & DV_STR_MASK; the
 * bytes read (incl. NUL), 0 on a fault or when the room is used up. */
static __always_inline unsigned int dv_cg_name(char *str, unsigned int base, unsigned int off,
					       const char *name, int *trunc)
{
	unsigned int dst = base + off;
	long n;

	if (off >= DV_CG_MAX || dst > DV_STR_MASK) {
		*trunc = 1;
		return 0;
	}
	barrier_var(dst); /* keep the mask: see dv_walk_path() */
	dst &= DV_STR_MASK;
	n = dv_read_kernel_str(str + dst, DV_CG_NAME_MAX, name);
	if (n <= 0) {
		*trunc = 1;
		return 0;
	}
	if (n >= DV_CG_NAME_MAX)
		*trunc = 1; /* the name may have been cut */
	return (unsigned int)n;
}

/* kn's parent: kernfs_node.parent, __parent from 6.15. */
static __always_inline struct kernfs_node *dv_kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node *parent = 0;

	if (bpf_core_field_exists(struct kernfs_node, parent)) {
		DV_KREAD(parent, kn->parent);
	} else {
		struct kernfs_node___rcu *k = (void *)kn;

		DV_KREAD(parent, k->__parent);
	}
	return parent;
}

/* Names of kn and its ancestors below the root, leaf first, into str from
 * base on (kernfs, 3.15+).  *trunc when the root was not reached. */
static __always_inline unsigned int dv_walk_kn(char *str, unsigned int base, struct kernfs_node *kn,
					       int *trunc)
{
	unsigned int off = 0, n;

#pragma unroll
	for (int i = 0; i < DV_CG_DEPTH; i++) {
		struct kernfs_node *parent = dv_kn_parent(kn);
		const char *name = 0;

		if (!parent)
			return off; /* the root has no name of its own */
		DV_KREAD(name, kn->name);
		n = dv_cg_name(str, base, off, name, trunc);
		if (!n)
			return off;
		off += n;
		kn = parent;
	}
	*trunc = 1;
	return off;
}

/* The same before kernfs (3.10-3.14, RHEL 7): cgroup->name, ->parent. */
static __always_inline unsigned int dv_walk_cg_old(char *str, unsigned int base,
						   struct cgroup___old *cg, int *trunc)
{
	unsigned int off = 0, n;

#pragma unroll
	for (int i = 0; i < DV_CG_DEPTH; i++) {
		struct cgroup___old *parent = 0;
		struct cgroup_name *cn = 0;

		DV_KREAD(parent, cg->parent);
		if (!parent)
			return off;
		DV_KREAD(cn, cg->name);
		if (!cn) {
			*trunc = 1;
			return off;
		}
		n = dv_cg_name(str, base, off, __builtin_preserve_access_index(&cn->name[0]),
			       trunc);
		if (!n)
			return off;
		off += n;
		cg = parent;
	}
	*trunc = 1;
	return off;
}

/* The cgroup of controller id in css_set cs (0 if none). */
static __always_inline struct cgroup *dv_cg_css(struct css_set *cs, int id)
{
	struct cgroup_subsys_state *css = 0;
	struct cgroup *cg = 0;

	if (id < 0 || (unsigned int)id >= bpf_core_field_size(struct css_set, subsys) / 8)
		return 0;
	dv_read_kernel(&css, sizeof(css),
		       (char *)cs + bpf_core_field_offset(struct css_set, subsys) + id * 8);
	if (css)
		DV_KREAD(cg, css->cgroup);
	return cg;
}

#define DV_CG_V1_TRY(enum_type, name)                                                              \
	if (bpf_core_enum_value_exists(enum_type, name)) {                                         \
		cg = dv_cg_css(cs, bpf_core_enum_value(enum_type, name));                          \
		if (cg && cg != dfl)                                                               \
			return cg;                                                                 \
	}

/* The task's cgroup in a v1 hierarchy when no v2 one is in use: that of
 * the memory, else pids, else cpu controller (a container runtime puts
 * every container into each) whose cgroup is not dfl (the v2 one: a
 * controller bound to v2, or with no v1 mount, is in the v2 root); 0 when
 * there is none (6.12 may lack memory's v1 side: CONFIG_MEMCG_V1). */
static __always_inline struct cgroup *dv_cg_v1(struct css_set *cs, struct cgroup *dfl)
{
	struct cgroup *cg = 0;

	DV_CG_V1_TRY(enum cgroup_subsys_id, memory_cgrp_id)
	DV_CG_V1_TRY(enum cgroup_subsys_id, pids_cgrp_id)
	DV_CG_V1_TRY(enum cgroup_subsys_id, cpu_cgrp_id)
	DV_CG_V1_TRY(enum cgroup_subsys_id___old, mem_cgroup_subsys_id)
	DV_CG_V1_TRY(enum cgroup_subsys_id___old, cpu_cgroup_subsys_id)
	return 0;
}

/* The names of the task's cgroup and its ancestors (leaf first, below the
 * root) into str from base on; their length, and DV_F_CG_* into *flags.
 * The hierarchy: v2 (dfl_cgrp) when the task is below its root; else,
 * when no v2 hierarchy is in use (cgroup v1, or hybrid with the runtime
 * in v1 only), the memory/pids/cpu controller's.  Kernels without kernfs
 * (RHEL 7's 3.10) have no dfl_cgrp and name cgroups in struct
 * cgroup_name. */
static __always_inline unsigned int dv_cgroup_names(struct task_struct *task, char *str,
						    unsigned int base, unsigned short *flags)
{
	struct css_set *cs = 0;
	struct cgroup *cg = 0;
	struct kernfs_node *kn = 0, *up = 0;
	unsigned int n = 0;
	int trunc = 0;

	DV_KREAD(cs, task->cgroups);
	if (!cs)
		return 0;
	if (!bpf_core_field_exists(struct cgroup, kn)) {
		cg = dv_cg_v1(cs, 0);
		if (!cg)
			return 0;
		n = dv_walk_cg_old(str, base, (struct cgroup___old *)cg, &trunc);
		*flags |= DV_F_CG_NAMES | DV_F_CG_V1 | (trunc ? DV_F_CG_TRUNC : 0);
		return n;
	}
	if (bpf_core_field_exists(struct css_set, dfl_cgrp))
		DV_KREAD(cg, cs->dfl_cgrp);
	if (cg)
		DV_KREAD(kn, cg->kn);
	if (kn)
		up = dv_kn_parent(kn);
	if (!up) { /* v2 root (or no v2): the v1 controller's cgroup */
		struct cgroup *v1 = dv_cg_v1(cs, cg);

		if (v1) {
			kn = 0;
			DV_KREAD(kn, v1->kn);
			*flags |= DV_F_CG_V1;
		}
	}
	if (!kn)
		return 0;
	n = dv_walk_kn(str, base, kn, &trunc);
	*flags |= DV_F_CG_NAMES | (trunc ? DV_F_CG_TRUNC : 0);
	return n;
}

/* Start time of task t in ns (CLOCK_MONOTONIC since boot). */
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

/* task's fields fa and fb (8 bytes each, fb after fa) into va and vb. */
#define DV_TASK_PAIR(task, fa, fb, va, vb)                                                         \
	dv_read_u64_pair(__builtin_preserve_access_index(&(task)->fa),                             \
			 (long)bpf_core_field_offset(struct task_struct, fb) -                     \
			     (long)bpf_core_field_offset(struct task_struct, fa),                  \
			 (va), (vb))

static __always_inline __u64 dv_task_start_ns(struct task_struct *t)
{
	__u64 ns = 0;

	if (bpf_core_field_size(struct task_struct, start_time) == 8) {
		DV_KREAD(ns, t->start_time);
	} else {
		struct task_struct___ts *o = (void *)t;
		struct dv_timespec ts = {};

		DV_KREAD(ts, o->start_time);
		ns = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	}
	return ns;
}

/* Inode numbers of the mount and network namespaces of nsproxy np (0 when
 * unknown). */
static __always_inline void dv_ns_inums(struct nsproxy *np, __u32 *mnt, __u32 *net)
{
	struct mnt_namespace *mn = 0;
	struct net *nn = 0;

	if (!np)
		return;
	DV_KREAD(mn, np->mnt_ns);
	DV_KREAD(nn, np->net_ns);
	if (bpf_core_field_exists(struct mnt_namespace, ns)) {
		if (mn)
			DV_KREAD(*mnt, mn->ns.inum);
		if (nn)
			DV_KREAD(*net, nn->ns.inum);
	} else if (bpf_core_field_exists(struct mnt_namespace___old, proc_inum)) {
		struct mnt_namespace___old *om = (void *)mn;
		struct net___old *on = (void *)nn;

		if (mn)
			DV_KREAD(*mnt, om->proc_inum);
		if (nn)
			DV_KREAD(*net, on->proc_inum);
	}
}

/* Walk dentry/mount parents from (d, vm) to the root of the task's mount
 * tree, writing component names leaf first, NUL-separated, into str from
 * offset base on (base < DV_STR_MASK; str has DV_STR_BUF bytes).  Returns
 * the bytes used, at most DV_PATH_BUF; *trunc set when the walk or the
 * buffer ran out first. */
static __always_inline unsigned int dv_walk_path(char *str, unsigned int base, struct dentry *d,
						 struct vfsmount *vm, int *trunc)
{
	struct mount *m = (void *)((char *)vm - bpf_core_field_offset(struct mount, mnt));
	unsigned int off = 0;
	int done = 0;

	if (!d || !vm) {
		*trunc = 1;
		return 0;
	}
#pragma unroll
	for (int i = 0; i < DV_PATH_DEPTH; i++) {
		struct dentry *root = 0, *parent = 0;
		const unsigned char *name = 0;
		unsigned int dst;
		long n;

		DV_KREAD(root, m->mnt.mnt_root);
		DV_KREAD(parent, d->d_parent);
		if (d == root || d == parent) {
			struct mount *mp = 0;

			DV_KREAD(mp, m->mnt_parent);
			if (d != root || !mp || mp == m) {
				done = 1; /* the root of the namespace (or a detached tree) */
				break;
			}
			DV_KREAD(d, m->mnt_mountpoint);
			m = mp;
			continue;
		}
		if (off >= DV_PATH_MAX)
			break;
		DV_KREAD(name, d->d_name.name);
		/* One mask on the sum bounds the pointer for the verifier; hide
		 * the sum's range from clang so the mask is not optimised away. */
		dst = base + off;
		barrier_var(dst);
		dst &= DV_STR_MASK;
		n = dv_read_kernel_str(str + dst, DV_NAME_MAX, name);
		if (n <= 0)
			break;
		off += (unsigned int)n;
		d = parent;
	}
	if (!done)
		*trunc = 1;
	return off > DV_PATH_BUF ? DV_PATH_BUF : off;
}

#endif
