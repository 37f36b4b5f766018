/* kprobe_cleanup.h - remove kprobes that dead libbpf users left in tracefs.
 *
 * Before 4.17 (no kprobe PMU) libbpf creates kprobes by writing to tracefs
 * `kprobe_events`, and removes them when the link is destroyed.  A process
 * killed by SIGKILL leaves them behind.  libbpf names them after the pid:
 *   libbpf 0.5-0.8:  libbpf_<pid>_<func>_0x<offset>
 *   libbpf 1.0-1.4:  libbpf_<pid>_<func>_0x<offset>_<index>   (dnsvis: 1.1)
 *   libbpf 1.5+:     libbpf_<pid>_<index>_<func>_0x<offset>   (truncated to 63)
 * with every non-alphanumeric character of the name turned into '_', in
 * group "kprobes" (or "kretprobes" for return probes).  The pid always comes
 * first, which is all the cleanup relies on.
 *
 * No libbpf here: the parsing is unit-tested on its own.
 * Test hook: DNSVIS_TRACEFS=DIR uses DIR/kprobe_events (a plain file is
 * fine) instead of the real tracefs, and never mounts anything.
 */
#ifndef DNSVIS_KPROBE_CLEANUP_H
#define DNSVIS_KPROBE_CLEANUP_H

#include <stddef.h>

/* pid of a libbpf legacy probe event name, 0 when name is not one. */
unsigned kprobe_event_pid(const char *event);

/* One line of kprobe_events, e.g. "p:kprobes/libbpf_42_udp_sendmsg_0x0_0
 * udp_sendmsg" or "r16:kretprobes/x y".  1 and the "GROUP/EVENT" of the
 * entry (what "-:" removes) in ge, and its pid, when it is a libbpf entry;
 * 0 for other entries, -1 for lines that are not kprobe definitions. */
int kprobe_event_parse(const char *line, char *ge, size_t gl, unsigned *pid);

/* Remove every libbpf entry of dir/kprobe_events whose owner is stale
 * (stale(pid, arg) true).  Returns the number removed (entries still in use
 * are refused by the kernel with EBUSY and left), or -errno when the file
 * cannot be read.  Messages go to stderr when verbose. */
int kprobe_events_cleanup(const char *dir, int (*stale)(unsigned pid, void *arg), void *arg,
			  int verbose);

/* Start-up: remove the kprobes of libbpf processes that no longer exist.
 * Does nothing where the kernel has the kprobe PMU (libbpf never uses
 * kprobe_events there); otherwise finds tracefs (mounting it when neither
 * /sys/kernel/tracing nor /sys/kernel/debug/tracing is).  Returns the
 * number removed, or -errno. */
int kprobe_cleanup_stale(int verbose);

/* Exit: remove any entry still carrying this process's pid (libbpf removes
 * its own when the links are destroyed; this is the safety net). */
int kprobe_cleanup_own(void);

/* Before attaching, where libbpf would use kprobe_events: fork a guard
 * process ("dnsvis-guard") that waits for this one to end, however it ends
 * (SIGKILL and crashes included: a pipe closes), and then removes the
 * entries still carrying this process's pid.  It holds no descriptor of
 * ours and ignores the signals a terminal or a process group gets.  0 (also
 * when no guard is needed), or -errno. */
int kprobe_cleanup_guard(int verbose);

/* At a normal exit, after kprobe_cleanup_own(): end the guard and reap it. */
void kprobe_cleanup_guard_end(void);

#endif
