/* trace.h - `dnsvis trace` (live tracing with eBPF) and `dnsvis doctor`. */
#ifndef DNSVIS_TRACE_H
#define DNSVIS_TRACE_H

#include <stddef.h>

/* argv[0] is the subcommand name (or the program name for plain
 * `dnsvis [options]`).  Exit status: 0 ok, 1 runtime failure, 2 usage. */
int trace_main(int argc, char **argv);

/* trace_main() with the events handed to sink (NULL: the stdout printer,
 * or the -w file).  Used by `dnsvis audit`. */
struct event_sink;
int trace_run(int argc, char **argv, struct event_sink *sink);
int doctor_main(int argc, char **argv);

/* Load (never attach) the programs the loader would pick for btf_path and
 * the kprobe or tracepoint backend; `dnsvis btf load-check`. */
int trace_load_check(const char *btf_path, int legacy, int kprobe, char *why, size_t wl);

#endif
