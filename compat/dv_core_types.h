/* dv_core_types.h - minimal hand-written CO-RE definitions of the kernel
 * structures dnsvis reads.  Only the fields used are listed; libbpf relocates
 * every access against the running kernel's BTF, so the layout here does not
 * matter, only names and types.  `___flavor` suffixes describe older shapes of
 * the same kernel type (libbpf strips the suffix when matching).
 *
 * Nothing here depends on the build host's kernel.
 */
#ifndef DNSVIS_COMPAT_CORE_TYPES_H
#define DNSVIS_COMPAT_CORE_TYPES_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* libbpf's bpf_helper_defs.h names these. */
struct bpf_perf_event_data;
struct bpf_sock;
struct bpf_sock_addr;
struct bpf_sock_ops;
struct bpf_spin_lock;
struct bpf_sysctl;
struct bpf_tcp_sock;
struct bpf_xdp_sock;
struct __sk_buff;
struct sk_msg_md;
struct sk_reuseport_md;
struct xdp_md;
struct bpf_fib_lookup;
struct bpf_sock_tuple;
struct bpf_redir_neigh;
struct bpf_dynptr;
struct bpf_pidns_info;
struct btf_ptr;
struct linux_binprm;
struct path;
struct seq_file;
struct tcp6_sock;
struct tcp_request_sock;
struct tcp_sock;
struct tcp_timewait_sock;
struct udp6_sock;
struct unix_sock;
struct mptcp_sock;
struct task_struct;
struct inode;
struct socket;
struct file;
struct cgroup;
struct sk_buff;
struct sock;
struct pt_regs;
struct bpf_timer;
struct bpf_map;
struct bpf_iter_num;
struct user_namespace;

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_LRU_HASH = 9,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

#define BPF_F_CURRENT_CPU 0xffffffffULL

/* ---- x86_64 struct pt_regs (uapi layout, the kprobe context) ---------- */
struct dv_pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/* ---- sockets ------------------------------------------------------------ */
struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be32 u6_addr32[4];
	} in6_u;
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sk_buff_head {
	struct sk_buff *next;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	struct sk_buff_head sk_receive_queue;
} __attribute__((preserve_access_index));

/* 4.11+: UDP receives take the datagrams queued here first, then splice
 * sk_receive_queue into it. */
struct udp_sock {
	struct sk_buff_head reader_queue;
} __attribute__((preserve_access_index));

struct tcp_sock {
	__u32 write_seq;
	__u32 copied_seq;
} __attribute__((preserve_access_index));

/* The receive path's view of a received packet (kern/recv_kprobe.bpf.h).
 * head is the buffer; tail (sk_buff_data_t), transport_header and
 * network_header are offsets from it on every 64-bit kernel
 * (NET_SKBUFF_DATA_USES_OFFSET: pointers only on 32-bit builds, which
 * dnsvis does not support).  The two header fields are __u16 from 3.11
 * on and a 4-byte sk_buff_data_t before (3.10, possibly RHEL 7): read at
 * their own size (compat/dv_compat.bpf.h dv_skb_hdrs).  In 5.19+ they sit
 * in the `headers` struct_group (an anonymous union member): CO-RE finds
 * them through it. */
struct sk_buff {
	long long tstamp; /* ktime_t: an s64 since 4.10 (a one-member union before) */
	unsigned int len;
	unsigned int data_len;
	__u16 transport_header;
	__u16 network_header;
	unsigned int tail;
	unsigned char *head;
} __attribute__((preserve_access_index));

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
} __attribute__((preserve_access_index));

/* ---- iov_iter: every flavour ------------------------------------------ */
struct iovec {
	void *iov_base;
	unsigned long iov_len;
} __attribute__((preserve_access_index));

/* 5.14+: u8 iter_type; 6.0+ ubuf; 6.4+ __iov (iov renamed). */
struct iov_iter {
	__u8 iter_type;
	unsigned long iov_offset;
	unsigned long count;
	const struct iovec *__iov;
	void *ubuf;
	unsigned long nr_segs;
} __attribute__((preserve_access_index));

/* 5.14 .. 6.3: u8 iter_type with `iov`. */
struct iov_iter___iov {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

/* 3.19 .. 5.13: `type` (int 3.19-4.19, unsigned int 4.20-5.13) holding the
 * iterator kind with the direction in bit 0. */
struct iov_iter___type {
	unsigned int type;
} __attribute__((preserve_access_index));

/* Values are only names: relocated with bpf_core_enum_value(). */
enum iter_type {
	ITER_IOVEC = 1,
	ITER_UBUF = 0,
};

struct msghdr {
	void *msg_name;
	int msg_namelen;
	struct iov_iter msg_iter;
} __attribute__((preserve_access_index));

/* RHEL 7 (3.10): iovec array in the msghdr. */
struct msghdr___rhel7 {
	void *msg_name;
	int msg_namelen;
	struct iovec *msg_iov;
	unsigned long msg_iovlen;
} __attribute__((preserve_access_index));

/* ---- files -------------------------------------------------------------- */
struct qstr {
	const unsigned char *name;
} __attribute__((preserve_access_index));

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
} __attribute__((preserve_access_index));

struct vfsmount {
	struct dentry *mnt_root;
} __attribute__((preserve_access_index));

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
} __attribute__((preserve_access_index));

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} __attribute__((preserve_access_index));

struct file {
	struct path f_path;
	void *private_data;
} __attribute__((preserve_access_index));

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __attribute__((preserve_access_index));

struct files_struct {
	struct fdtable *fdt;
} __attribute__((preserve_access_index));

struct fs_struct {
	struct path pwd;
} __attribute__((preserve_access_index));

/* ---- processes ---------------------------------------------------------- */
struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	struct file *exe_file;
} __attribute__((preserve_access_index));

struct pid_namespace;

struct upid {
	int nr;
	struct pid_namespace *ns;
} __attribute__((preserve_access_index));

struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));

/* Before 4.19: task->pids[PIDTYPE_PID].pid. */
struct pid_link {
	struct pid *pid;
} __attribute__((preserve_access_index));

struct tty_struct {
	char name[64];
} __attribute__((preserve_access_index));

struct signal_struct {
	struct tty_struct *tty;
} __attribute__((preserve_access_index));

/* cgroup id: css_set->dfl_cgrp->kn->id; kn->id is u64 from 5.5, before a
 * union kernfs_node_id whose u64 `id` member is the same number. */
struct kernfs_node {
	__u64 id;
	struct kernfs_node *parent; /* NULL at a hierarchy's root */
	const char *name;
} __attribute__((preserve_access_index));

/* 6.15 renamed parent to __parent (RCU-protected). */
struct kernfs_node___rcu {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

union kernfs_node_id {
	__u64 id;
} __attribute__((preserve_access_index));

struct kernfs_node___old {
	union kernfs_node_id id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

/* Before kernfs (3.10-3.14, RHEL 7): the cgroup names itself and its
 * parent; the root's parent is NULL. */
struct cgroup_name {
	char name[1];
} __attribute__((preserve_access_index));

struct cgroup___old {
	struct cgroup___old *parent;
	struct cgroup_name *name;
} __attribute__((preserve_access_index));

struct cgroup_subsys_state {
	struct cgroup *cgroup;
} __attribute__((preserve_access_index));

/* dfl_cgrp: the task's cgroup in the v2 (default) hierarchy, its root
 * when no v2 hierarchy is in use; subsys[]: one css per controller,
 * indexed by enum cgroup_subsys_id. */
struct css_set {
	struct cgroup *dfl_cgrp;
	struct cgroup_subsys_state *subsys[16];
} __attribute__((preserve_access_index));

/* Controller ids (values relocated with bpf_core_enum_value()): named
 * <ctrl>_cgrp_id from 3.15, <ctrl>_subsys_id before (RHEL 7). */
enum cgroup_subsys_id {
	memory_cgrp_id,
	pids_cgrp_id,
	cpu_cgrp_id,
};

enum cgroup_subsys_id___old {
	mem_cgroup_subsys_id,
	cpu_cgroup_subsys_id,
};

/* Namespaces: nsproxy -> mnt_ns / net_ns -> ns.inum (3.19+); before,
 * proc_inum in each (RHEL 7). */
struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct mnt_namespace {
	struct ns_common ns;
} __attribute__((preserve_access_index));

struct net {
	struct ns_common ns;
} __attribute__((preserve_access_index));

struct mnt_namespace___old {
	unsigned int proc_inum;
} __attribute__((preserve_access_index));

struct net___old {
	unsigned int proc_inum;
} __attribute__((preserve_access_index));

struct nsproxy {
	struct mnt_namespace *mnt_ns;
	struct net *net_ns;
} __attribute__((preserve_access_index));

/* task->start_time: u64 ns (3.17+), struct timespec before (RHEL 7). */
struct dv_timespec {
	long tv_sec;
	long tv_nsec;
};

struct task_struct___ts {
	struct dv_timespec start_time;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	__u64 start_time;
	struct nsproxy *nsproxy;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct mm_struct *mm;
	struct files_struct *files;
	struct fs_struct *fs;
	struct signal_struct *signal;
	struct css_set *cgroups;
	struct pid *thread_pid;
	char comm[16];
} __attribute__((preserve_access_index));

struct task_struct___old {
	struct pid_link pids[4];
} __attribute__((preserve_access_index));

#endif
