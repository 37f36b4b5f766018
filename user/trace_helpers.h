/* trace_helpers.h - privileges, memlock, tracefs, feature probes and libbpf
 * logging for the live tracer.  No kernel-version checks: everything is
 * probed. */
#ifndef DNSVIS_TRACE_HELPERS_H
#define DNSVIS_TRACE_HELPERS_H

#include <stddef.h>

/* 0 when the process may load and attach tracing programs; else -1 and a
 * one-line reason naming the missing capabilities in why. */
int th_check_privileges(char *why, size_t len);

/* Raise RLIMIT_MEMLOCK as far as allowed (needed before 5.11). */
void th_raise_memlock(void);

/* Directory holding tracefs `events/` (mounting tracefs or debugfs when
 * neither is mounted); NULL when there is none. */
const char *th_tracefs(void);

/* Does the kernel offer bpf_probe_read_user/_kernel (5.5+)? */
int th_have_split_read(void);
/* Can kprobes be created (kprobe PMU or tracefs kprobe_events)? */
int th_have_kprobes(void);
/* Can a BPF program of type kprobe be loaded at all? */
int th_kprobe_prog_loadable(void);
/* perf_event_open of the tracepoint syscalls/sys_enter_sendto works? 0 ok,
 * else -errno. */
int th_perf_tracepoint_ok(void);

/* libbpf messages: none, or all with verbose. */
void th_libbpf_logging(int verbose);

#endif
