/* proc.bpf.h - the sender: the pid filter (send paths), the cgroup filter and
 * the process record, struct dv_proc (first and second tail-called
 * programs).
 *
 * The record is filled in two parts, each by its own tail-called program
 * (kern/output.bpf.h), for old verifiers' size and complexity limits:
 *   dv_fill_proc1  ids, comm, parent, namespace pids and inodes, cgroup id,
 *                  start time, command line, executable path
 *   dv_fill_proc2  working directory, tty, cgroup names (leaf first: the
 *                  path of the sender's cgroup as it was at send time, so
 *                  a container that is gone when the record is read is
 *                  still named; compat's dv_cgroup_names())
 * The strings go back to back into p->str (kern/dnsvis.h DV_STR_BUF), so
 * the record is sent at its used length.  The path walks, namespace pids
 * and cgroup id differ between kernels and live in compat/dv_compat.bpf.h.
 * Included by kern/dnsvis.bpf.c only.
 *
 * Cgroup names: where kernels fall short
 *   - the names are read when the record is made; a css_set change (a
 *     cgroup move) makes a new record, a rename of the cgroup directory
 *     (allowed by cgroupfs) does not: the old name stays until the next;
 *   - more than DV_CG_DEPTH levels, or over DV_CG_MAX bytes (or what the
 *     command line and paths left of the buffer): DV_F_CG_TRUNC, and user
 *     space goes by the cgroup id and /proc as before;
 *   - the task in the v2 root: the v1 cgroup of the first of memory,
 *     pids, cpu that has a v1 hierarchy is named instead (DV_F_CG_V1;
 *     memory may have none: 6.12 built without CONFIG_MEMCG_V1, or booted
 *     with cgroup_disable=memory); with none of them, the root;
 *   - 3.10-3.14 (RHEL 7): no kernfs, no v2 hierarchy; struct cgroup_name.
 */
#ifndef DNSVIS_KERN_PROC_BPF_H
#define DNSVIS_KERN_PROC_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"

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

/* The path of p (a struct path: the exe file's, the working directory)
 * into p->str from offset base on; flag into p->flags when the walk was
 * cut short. */
static __always_inline unsigned int dv_walk_fpath(struct dv_proc *pr, unsigned int base,
						  struct path *p, unsigned short flag)
{
	struct dentry *d = 0;
	struct vfsmount *vm = 0;
	unsigned int n;
	int trunc = 0;

	DV_KREAD(d, p->dentry);
	DV_KREAD(vm, p->mnt);
	n = dv_walk_path(pr->str, base, d, vm, &trunc);
	if (trunc)
		pr->flags |= flag;
	return n;
}

/* The command line, at the start of p->str. */
static __always_inline void dv_fill_cmdline(struct dv_proc *p, struct mm_struct *mm)
{
	unsigned long as = 0, ae = 0, len;

	DV_KREAD(as, mm->arg_start);
	DV_KREAD(ae, mm->arg_end);
	if (ae <= as)
		return;
	len = ae - as;
	if (len > DV_CMDLINE_MAX) {
		len = DV_CMDLINE_MAX;
		p->flags |= DV_F_CMDLINE_TRUNC;
	}
	barrier_var(len); /* keep the mask: see dv_copy_iov_upto() */
	len = (((unsigned int)len - 1) & (DV_CMDLINE_MAX - 1)) + 1;
	if (dv_read_user(p->str, len, (const void *)as) == 0)
		p->cmdline_len = len;
}

/* Part 1: ids, namespaces, cgroup, start time, command line, executable. */
static __always_inline void dv_fill_proc1(struct dv_proc *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *parent = 0, *leader = 0;
	struct nsproxy *np = 0;
	struct mm_struct *mm = 0;
	struct file *exe = 0;

	p->h.type = DV_REC_PROC;
	p->proc_id = bpf_ktime_get_ns();
	p->tgid = pid_tgid >> 32;
	p->flags = 0;
	p->ppid = 0;
	p->ns_pid = 0;
	p->ns_ppid = 0;
	p->mnt_ns = 0;
	p->net_ns = 0;
	p->cmdline_len = 0;
	p->exe_len = 0;
	p->cwd_len = 0;
	p->cgnames_len = 0;
	p->start_ns = 0;
	p->tty[0] = 0;
	/* The process's name and start, not the sending thread's: dig sends
	 * from a worker thread named "isc-net-0000". */
	DV_KREAD(leader, task->group_leader);
	if (leader)
		p->start_ns = dv_task_start_ns(leader);
	if (!leader || dv_read_kernel(p->comm, sizeof(p->comm),
				      __builtin_preserve_access_index(&leader->comm)))
		bpf_get_current_comm(p->comm, sizeof(p->comm));

	DV_KREAD(parent, task->real_parent);
	if (parent)
		DV_KREAD(p->ppid, parent->tgid);
	dv_ns_pids(task, &p->ns_pid, &p->ns_ppid);
	DV_KREAD(np, task->nsproxy);
	dv_ns_inums(np, &p->mnt_ns, &p->net_ns);
	p->cgroup_id = dv_cgroup_id(task);

	DV_KREAD(mm, task->mm);
	if (!mm) {
		p->flags |= DV_F_NO_MM;
		return;
	}
	dv_fill_cmdline(p, mm);
	DV_KREAD(exe, mm->exe_file);
	if (exe)
		p->exe_len = dv_walk_fpath(p, p->cmdline_len & (DV_CMDLINE_MAX * 2 - 1),
					   &exe->f_path, DV_F_EXE_TRUNC);
}

/* Part 2: working directory, tty, cgroup names. */
static __always_inline void dv_fill_proc2(struct dv_proc *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct signal_struct *sig = 0;
	struct tty_struct *tty = 0;
	struct fs_struct *fs = 0;
	unsigned int base = (unsigned int)p->cmdline_len + p->exe_len;

	DV_KREAD(fs, task->fs);
	if (fs)
		p->cwd_len = dv_walk_fpath(p, base & DV_STR_MASK, &fs->pwd, DV_F_CWD_TRUNC);
	DV_KREAD(sig, task->signal);
	if (sig)
		DV_KREAD(tty, sig->tty);
	if (tty)
		dv_read_kernel_str(p->tty, sizeof(p->tty),
				   __builtin_preserve_access_index(&tty->name));
	base += p->cwd_len;
	p->cgnames_len = dv_cgroup_names(task, p->str, base & DV_STR_MASK, &p->flags);
}

/* The sender as it is now: what says whether its last process record still
 * describes it (kern/dnsvis.h struct dv_proc_key).  Pointers are read, not
 * followed, so this costs the task's own cache lines, its leader's and
 * the fs_struct's. */
static __always_inline void dv_proc_key_now(struct dv_proc_key *k)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *leader;
	struct fs_struct *fs;
	__u64 leader_p = 0, fs_p = 0;

	__builtin_memset(k, 0, sizeof(*k));
	/* real_parent and group_leader, fs and nsproxy: a few words apart */
	DV_TASK_PAIR(task, real_parent, group_leader, &k->parent, &leader_p);
	DV_TASK_PAIR(task, fs, nsproxy, &fs_p, &k->nsproxy);
	leader = (struct task_struct *)leader_p;
	if (leader) {
		k->start_ns = dv_task_start_ns(leader);
		dv_read_kernel(k->comm, sizeof(k->comm),
			       __builtin_preserve_access_index(&leader->comm));
	}
	DV_KREAD(k->mm, task->mm);
	DV_KREAD(k->css_set, task->cgroups);
	fs = (struct fs_struct *)fs_p;
	if (!fs)
		return;
	/* struct path is {mnt, dentry}: one read */
	dv_read_u64_pair(__builtin_preserve_access_index(&fs->pwd.mnt),
			 (long)bpf_core_field_offset(struct path, dentry) -
			     (long)bpf_core_field_offset(struct path, mnt),
			 &k->pwd_mnt, &k->pwd_dentry);
}

static __always_inline int dv_key_eq(const struct dv_proc_key *a, const struct dv_proc_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*a) / 8); i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* The proc_id of the record that describes the sender as it is now, or 0
 * (not described yet, or changed).  Leaves the sender's key in sc->key
 * for dv_proc_sent_note(). */
static __always_inline __u64 dv_proc_known(struct dv_scratch *sc)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct dv_proc_sent *v;

	dv_proc_key_now(&sc->key);
	v = bpf_map_lookup_elem(&proc_sent, &tgid);
	if (!v || !dv_key_eq(&v->key, &sc->key))
		return 0;
	return v->proc_id;
}

/* The sender's record sc->p went out: remember what it describes. */
static __always_inline void dv_proc_sent_note(struct dv_scratch *sc)
{
	struct dv_proc_sent v;
	__u32 tgid = sc->p.tgid;

	__builtin_memcpy(&v.key, &sc->key, sizeof(v.key));
	v.proc_id = sc->p.proc_id;
	bpf_map_update_elem(&proc_sent, &tgid, &v, BPF_ANY);
}

/* Bytes of p to send (from p->h.type on). */
static __always_inline unsigned int dv_proc_send_len(const struct dv_proc *p)
{
	unsigned int n = (unsigned int)p->cmdline_len + p->exe_len + p->cwd_len + p->cgnames_len;

	if (n > DV_STR_BUF - 1)
		n = DV_STR_BUF - 1;
	barrier_var(n);
	return (n & (DV_STR_BUF - 1)) + DV_PROC_FIXED - DV_REC_SKIP;
}

#endif /* DNSVIS_KERN_PROC_BPF_H */
