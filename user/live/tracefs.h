/* tracefs.h - the one tracefs locator: where `events/` (tracepoints) and
 * `kprobe_events` (legacy kprobes) are, mounting tracefs when the kernel
 * has it but nobody mounted it. */
#ifndef DNSVIS_LIVE_TRACEFS_H
#define DNSVIS_LIVE_TRACEFS_H

enum tracefs_mount { TRACEFS_NO_MOUNT = 0, TRACEFS_MAY_MOUNT = 1 };

/* The tracefs directory holding the entry `need` ("events",
 * "kprobe_events"), at /sys/kernel/tracing or /sys/kernel/debug/tracing.
 * With may = TRACEFS_MAY_MOUNT and no tracefs mounted at either place (no
 * `events/` at either), tracefs is mounted at /sys/kernel/tracing, else
 * debugfs at /sys/kernel/debug (whose tracing/ is tracefs on old kernels).
 * A mounted tracefs without `need` means the kernel lacks that feature:
 * NULL, and nothing is mounted. */
const char *tracefs_locate(const char *need, enum tracefs_mount may);

#endif
