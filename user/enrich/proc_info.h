/* proc_info.h - turn the process details captured at send time into the
 * strings of struct dnsvis_proc, completing them from /proc when the process
 * is still there, with a small per-pid cache.  The capture comes from the
 * live stage (live/record.c maps the BPF record onto struct proc_capture),
 * so nothing here knows the kernel's record layout. */
#ifndef DNSVIS_PROC_INFO_H
#define DNSVIS_PROC_INFO_H

#include "event.h"
#include "enrich/k8s_meta.h"

/* proc_capture.flags */
#define PROC_CAP_EXE_TRUNC     0x01 /* the exe walk did not reach the root */
#define PROC_CAP_CWD_TRUNC     0x02 /* likewise the cwd walk */
#define PROC_CAP_CMDLINE_TRUNC 0x04 /* arguments longer than what was copied */
#define PROC_CAP_NO_MM	       0x08 /* no mm (kernel thread): no exe/cmdline */
#define PROC_CAP_UNDESCRIBED   0x10 /* only ids captured: the rest from /proc */
#define PROC_CAP_CG_NAMES      0x20 /* cgnames holds the cgroup path at send time */
#define PROC_CAP_CG_TRUNC      0x40 /* ... cut short: its top levels are missing */
#define PROC_CAP_CG_V1	       0x80 /* ... of a v1 hierarchy (the task is in the v2 root) */

/* The sender as captured at send time.  exe, cwd and cgnames (its cgroup
 * and the cgroup's ancestors below the root) hold NUL-terminated path
 * components leaf first ("dig\0bin\0usr\0"); cmdline the argv bytes. */
struct proc_capture {
	uint32_t pid, tid, ppid, uid, gid;
	uint32_t ns_pid, ns_ppid;
	uint64_t cgroup_id;
	uint64_t start_ns; /* task start, ns since boot; 0 = unknown */
	uint64_t mnt_ns;   /* mount namespace inode at send time; 0: not captured */
	const char *comm;  /* at most comm_len bytes, NUL-padded */
	const char *exe, *cwd, *cmdline, *tty, *cgnames;
	unsigned comm_len, exe_len, cwd_len, cmdline_len, tty_len, cgnames_len;
	unsigned flags; /* PROC_CAP_* */
};

/* Strings for one event; valid until the next proc_info_fill(). */
struct proc_strings {
	char exe[4096];
	char cmdline[4096];
	char parent_exe[4096];
	char cwd[4096];
	char tty[64];
	char container_id[CTR_ID_MAX];
	struct k8s_attr attr; /* container and pod (k8s_meta.h) */
};

/* Fill p (and s, which p's pointers point into) from the capture. */
void proc_info_fill(const struct proc_capture *ev, struct dnsvis_proc *p, struct proc_strings *s);

/* The mount namespace inode of a live process (/proc/PID/ns/mnt); 0 when
 * it is gone. */
uint64_t proc_mnt_ns(uint32_t pid);
/* ... and its network namespace inode (/proc/PID/ns/net). */
uint64_t proc_net_ns(uint32_t pid);

/* Forget cached data of processes that no longer exist. */
void proc_info_gc(void);

/* Join components stored leaf first ("b\0a\0") into "/a/b"; "/" when
 * there are none.  At most PROC_PATH_COMPONENTS components are read. */
#define PROC_PATH_COMPONENTS 160
void proc_join_path(const char *buf, unsigned len, char *out, size_t outlen);

/* argv bytes (NUL separated) -> space separated. */
void proc_join_cmdline(const char *buf, unsigned len, char *out, size_t outlen);

#endif
