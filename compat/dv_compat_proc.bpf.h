/* dv_compat_proc.bpf.h - the kernel differences in describing a sender:
 * its pids and namespaces, cgroup id and names, start time and the path
 * walks of its exe and working directory (the shapes are listed in
 * dv_compat.bpf.h).  Included by dv_compat.bpf.h only, at its end: it uses
 * that file's read macros. */
#ifndef DNSVIS_COMPAT_PROC_BPF_H
#define DNSVIS_COMPAT_PROC_BPF_H

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

/* task's fields fa and fb (8 bytes each, fb after fa) into va and vb. */
#define DV_TASK_PAIR(task, fa, fb, va, vb)                                                         \
	dv_read_u64_pair(__builtin_preserve_access_index(&(task)->fa),                             \
			 (long)bpf_core_field_offset(struct task_struct, fb) -                     \
			     (long)bpf_core_field_offset(struct task_struct, fa),                  \
			 (va), (vb))

/* Start time of task t in ns (CLOCK_MONOTONIC since boot). */
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
