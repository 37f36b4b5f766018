/* trace.h - `dnsvis trace`: live tracing with eBPF.
 *
 * Stage live (user/live/), a source: load and attach the BPF programs
 * (load.h), read their perf records (record.h) and hand each DNS message
 * to the wire stage and each sender to the enrich stage, keep the kernel's
 * maps current (sock_seed.h, cgroup_filter.h), probe the kernel
 * (features.h, tracefs.h), clean up legacy kprobes (kprobe_cleanup.h), and
 * `dnsvis doctor` (doctor.h).  The one stage that talks to libbpf. */
#ifndef DNSVIS_TRACE_H
#define DNSVIS_TRACE_H

#include <getopt.h>

/* argv[0] is the subcommand name (or the program name for plain
 * `dnsvis [options]`).  Exit status: 0 ok, 1 runtime failure, 2 usage. */
int trace_main(int argc, char **argv);

/* trace_main() with the events handed to sink (NULL: the stdout printer,
 * or the -w file).  Used by `dnsvis audit`. */
struct event_sink;
int trace_run(int argc, char **argv, struct event_sink *sink);

/* trace's getopt_long() options, so that `dnsvis audit` knows which of the
 * options it passes on take a value. */
extern const char trace_optstring[];
extern const struct option trace_options[];

#endif
