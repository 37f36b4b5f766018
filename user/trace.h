/* trace.h - `dnsvis trace` (live tracing with eBPF) and `dnsvis doctor`. */
#ifndef DNSVIS_TRACE_H
#define DNSVIS_TRACE_H

/* argv[0] is the subcommand name (or the program name for plain
 * `dnsvis [options]`).  Exit status: 0 ok, 1 runtime failure, 2 usage. */
int trace_main(int argc, char **argv);
int doctor_main(int argc, char **argv);

#endif
