/* proc_info.h - turn the process details captured in the kernel into the
 * strings of struct dnsvis_proc, completing them from /proc when the process
 * is still there, with a small per-pid cache. */
#ifndef DNSVIS_PROC_INFO_H
#define DNSVIS_PROC_INFO_H

#include "event.h"
#include "k8s_meta.h"
#include "../kern/dnsvis.h"

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

/* Fill p (and s, which p's pointers point into) from the kernel record. */
void proc_info_fill(const struct dv_event *ev, struct dnsvis_proc *p, struct proc_strings *s);

/* Forget cached data of processes that no longer exist. */
void proc_info_gc(void);

/* Join components stored leaf first ("b\0a\0") into "/a/b"; "/" when
 * there are none. */
void proc_join_path(const char *buf, unsigned len, char *out, size_t outlen);

/* argv bytes (NUL separated) -> space separated. */
void proc_join_cmdline(const char *buf, unsigned len, char *out, size_t outlen);

#endif
