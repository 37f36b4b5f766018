/* features.h - privileges, memlock, tracefs, feature probes and libbpf
 * logging for the live tracer.  No kernel-version checks: everything is
 * probed. */
#ifndef DNSVIS_TRACE_HELPERS_H
#define DNSVIS_TRACE_HELPERS_H

#include <stddef.h>

/* 0 when the process may load and attach tracing programs; else -1 and a
 * one-line reason naming the missing capabilities in why. */
int privileges_check(char *why, size_t len);

/* Raise RLIMIT_MEMLOCK as far as allowed (needed before 5.11). */
void memlock_raise(void);

/* Does the kernel offer bpf_probe_read_user/_kernel (5.5+)? */
int kernel_has_split_read(void);
/* Can kprobes be created (kprobe PMU or tracefs kprobe_events)? */
int kernel_has_kprobes(void);
/* Can a BPF program of type kprobe be loaded at all? */
int kernel_loads_kprobe_progs(void);
/* perf_event_open of the tracepoint syscalls/sys_enter_sendto works? 0 ok,
 * else -errno. */
int kernel_perf_tracepoint_ok(void);

/* libbpf messages: none, or all with verbose.  Either way the first
 * warning after libbpf_warning_reset() is kept for libbpf_failure_why(). */
void libbpf_logging_set(int verbose);
void libbpf_warning_reset(void);

/* One line for a failed libbpf step: "WHAT failed: STRERROR(err) (libbpf:
 * FIRST WARNING)", plus "; -v shows libbpf's log" unless already verbose. */
void libbpf_failure_why(const char *what, int err, char *why, size_t len);

#endif
