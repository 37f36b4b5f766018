/* load.h - the BPF side of `dnsvis trace`: pick the object (split-read
 * helpers or legacy) and the backend (kprobe or syscall tracepoints), load,
 * fill the maps, attach, and take it all down again. */
#ifndef DNSVIS_TRACE_LOAD_H
#define DNSVIS_TRACE_LOAD_H

#include <stddef.h>

enum backend { BACKEND_AUTO, BACKEND_KPROBE, BACKEND_TRACEPOINT };

struct port_set;
struct dnsvis_bpf;

/* What to load: the backend asked for, the BTF btf_select() chose, and what
 * goes into the maps. */
struct load_req {
	enum backend backend; /* AUTO: kprobe where it loads and attaches, else tracepoint */
	const char *btf_path;
	int btf_custom; /* give btf_path to libbpf (not the kernel's own) */
	const struct port_set *ports;
	unsigned filter_tgid; /* --pid; 0: every process */
	int responses;	      /* load and attach the receive programs (DV_REC_RESP) */
};

/* Loaded and attached programs, and the maps the rest of the tracer uses.
 * A probe that fails to load or attach is left out, and named in one line on
 * stderr; only when none works does the backend fail. */
struct loaded_bpf {
	struct dnsvis_bpf *skel;
	enum backend backend; /* KPROBE or TRACEPOINT */
	int legacy;	      /* the bpf_probe_read-only object */
	int nprobes;	      /* the backend's probes (receive ones too, with responses) */
	int nattached;	      /* of those, attached */
	char kprobe_why[256]; /* auto chose tracepoints: why not kprobes ("" otherwise) */
	int events_fd;	      /* perf event array */
	int dns_socks_fd;     /* connected DNS sockets (tracepoint backend) */
	int fd_counts_fd;     /* dns_socks entries per fd number */
	int cgroup_filter_fd; /* cgroups the container filter drops */
	int config_fd;	      /* struct dv_config at key 0 */
	int counters_fd;      /* struct dv_counters per CPU */
	int proc_sent_fd;     /* what was last described of each process */
};

/* Load and attach as r asks.  0, or -errno with a one-line reason in why. */
int tracer_load(struct loaded_bpf *L, const struct load_req *r, char *why, size_t wl);

/* Detach every program (the maps stay readable). */
void tracer_detach(struct loaded_bpf *L);

/* Runs the kernel skipped because another BPF program was running on that
 * CPU (0 before 5.12, which does not count them). */
unsigned long long tracer_prog_misses(const struct loaded_bpf *L);

/* Empty the tail-call tables, then free everything. */
void tracer_close(struct loaded_bpf *L);

/* Free everything, on a path that never started tracing. */
void tracer_destroy(struct loaded_bpf *L);

/* Load (never attach) the programs the loader would pick for btf_path and
 * the kprobe or tracepoint backend, with the receive programs when
 * responses is set; `dnsvis btf load-check`. */
int trace_load_check(const char *btf_path, int legacy, int kprobe, int responses, char *why,
		     size_t wl);

#endif
