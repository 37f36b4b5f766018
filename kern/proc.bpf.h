/* proc.bpf.h - the sender: the pid filter (send paths), the cgroup filter and
 * the process record (first and second tail-called programs).
 *
 * Process capture is split in two parts, each filled by its own tail-called
 * program (kern/output.bpf.h), for old verifiers' size and complexity limits:
 *   dv_fill_proc1  ids, comm, parent, namespace pids, cgroup id, command
 *                  line, executable path
 *   dv_fill_proc2  working directory, tty
 * The path walks, namespace pids and cgroup id differ between kernels and
 * live in compat/dv_compat.bpf.h.  Included by kern/dnsvis.bpf.c only.
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
 * into buf, leaf first; flag into *flags when the walk was cut short. */
static __always_inline unsigned int dv_walk_fpath(char *buf, struct path *p, unsigned short *flags,
						  unsigned short flag)
{
	struct dentry *d = 0;
	struct vfsmount *vm = 0;
	unsigned int n;
	int trunc = 0;

	DV_KREAD(d, p->dentry);
	DV_KREAD(vm, p->mnt);
	n = dv_walk_path(buf, d, vm, &trunc);
	if (trunc)
		*flags |= flag;
	return n;
}

/* Part 1: ids, namespaces, cgroup, command line, executable. */
static __always_inline void dv_fill_proc1(struct dv_event *ev)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	struct task_struct *parent = 0;
	struct mm_struct *mm = 0;

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
	if (exe)
		ev->exe_len = dv_walk_fpath(ev->exe, &exe->f_path, &ev->flags, DV_F_EXE_TRUNC);
}

/* Part 2: working directory, tty. */
static __always_inline void dv_fill_proc2(struct dv_event *ev)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct signal_struct *sig = 0;
	struct tty_struct *tty = 0;
	struct fs_struct *fs = 0;

	DV_KREAD(fs, task->fs);
	if (fs)
		ev->cwd_len = dv_walk_fpath(ev->cwd, &fs->pwd, &ev->flags, DV_F_CWD_TRUNC);
	DV_KREAD(sig, task->signal);
	if (sig)
		DV_KREAD(tty, sig->tty);
	if (tty)
		dv_read_kernel_str(ev->tty, sizeof(ev->tty),
				   __builtin_preserve_access_index(&tty->name));
}

#endif /* DNSVIS_KERN_PROC_BPF_H */
