/* trace.c - `dnsvis trace`: the options, the main flow and the poll loop.
 *
 * Flow: options -> privileges -> BTF -> load and attach (trace_load.c) ->
 * seed the connected-socket map from /proc (sock_seed.c) -> "dnsvis: ready"
 * -> poll the perf buffer every 100 ms, decode, filter, print
 * (record.c) -> on a signal, --count, --duration or a closed output:
 * detach, flush, summary.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "btf/lookup.h"
#include "enrich/k8s_meta.h"
#include "live/cgroup_filter.h"
#include "output/sink.h"
#include "enrich/host_root.h"
#include "live/kprobe_cleanup.h"
#include "output/output.h"
#include "wire/dns_types.h"
#include "wire/port_set.h"
#include "enrich/proc_info.h"
#include "live/sock_seed.h"
#include "live/trace.h"
#include "live/record.h"
#include "live/features.h"
#include "live/tracefs.h"
#include "live/load.h"
#include "util/cli.h"
#include "util/clock.h"

struct trace_opts {
	enum backend backend;
	struct output_opts out;
	struct port_set ports;
	double duration;
	int perf_pages;
	int stats;
	const char *btf;
	int verbose;
	const char *write_path;	    /* -w FILE */
	struct event_filter filter; /* --pid, --comm, --domain, --count, containers */
	int responses;		    /* --responses */
	int64_t timeout_ns;	    /* --timeout; 0: the default */
	uint32_t max_pending;	    /* --max-pending; 0: the default */
};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

/* Every signal whose default action ends the process detaches and exits
 * cleanly instead: killed, dnsvis would leave legacy kprobes in tracefs.
 * SIGHUP reopens the -w file where there is one.  A signal other than
 * SIGINT and SIGTERM that came ignored stays ignored (nohup's SIGHUP).
 * SIGPIPE and SIGXFSZ are ignored: the write fails, and the sink says why.
 * Faults and SIGKILL cannot be caught; the kernel frees perf events with
 * the process, and the guard (kprobe_cleanup_guard()) removes legacy
 * kprobes. */
static void catch_stop_signals(int hup_reopens)
{
	static const int sigs[] = {SIGINT,  SIGTERM,   SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2,  SIGALRM,
				   SIGPROF, SIGVTALRM, SIGXCPU, SIGPWR, SIGIO,	 SIGSTKFLT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the poll returns */
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction was;

		if (sigs[i] == SIGHUP && hup_reopens)
			continue;
		if (sigs[i] != SIGINT && sigs[i] != SIGTERM &&
		    sigaction(sigs[i], NULL, &was) == 0 && was.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnsvis [trace] [options]\n"
		"  -o, --output text|json|kubearmor|ecs  output format (default text)\n"
		"  -p, --port N           DNS server port to watch (repeatable; default 53)\n"
		"  -d, --duration SECONDS stop after this long\n"
		"  -c, --count N          stop after N events\n"
		"      --pid PID          only this process\n"
		"      --comm NAME        only processes with this command name\n"
		"      --domain GLOB      only names matching GLOB (case-insensitive)\n"
		"      --opcode LIST      only these opcodes (QUERY,NOTIFY,...; default all)\n"
		"      --backend auto|kprobe|tracepoint\n"
		"      --perf-pages N     perf buffer pages per CPU (default: 64 MiB over\n"
		"                         all CPUs, 64 to 512 pages each)\n"
		"      --stats SECONDS    print counters on stderr this often\n"
		"  -w, --write FILE       append events to FILE (SIGHUP reopens it)\n"
		"      --responses        also responses, timeouts and unsolicited responses\n"
		"      --timeout SECONDS  a query unanswered this long times out (default 5)\n"
		"      --max-pending N    queries awaiting a response at most (default 65536)\n"
		"      --btf FILE         kernel BTF when /sys/kernel/btf/vmlinux is missing\n"
		"      --cluster-name NAME  kubearmor ClusterName\n"
		"      --host-name NAME   kubearmor HostName (default: this host's name)\n"
		"      --host             only host processes (not in a container)\n"
		"      --containers       only processes in containers\n"
		"      --container ID     only this container (id, id prefix or name)\n"
		"      --pod-uid UID      only containers of this pod\n"
		"      --k8s-namespace NS only containers of pods in this namespace\n"
		"      --pod NAME         only containers of pods with this name\n"
		"      --host-root DIR    read host files (/proc, /sys/fs/cgroup, /var/log/pods,\n"
		"                         runtime state) under DIR (dnsvis in a container)\n"
		"  -v, --verbose          libbpf diagnostics on stderr\n");
}

static int parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -1;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

enum {
	OPT_PID = 256,
	OPT_COMM,
	OPT_DOMAIN,
	OPT_BACKEND,
	OPT_PAGES,
	OPT_STATS,
	OPT_BTF,
	OPT_CLUSTER,
	OPT_HOSTNAME,
	OPT_HOST,
	OPT_CONTAINERS,
	OPT_CONTAINER,
	OPT_POD_UID,
	OPT_K8S_NS,
	OPT_POD,
	OPT_HOST_ROOT,
	OPT_OPCODE,
	OPT_RESPONSES,
	OPT_TIMEOUT,
	OPT_MAX_PENDING,
};

/* -d, -c, --pid, --perf-pages, --stats: 0 or 2 (usage). */
static int set_number_opt(struct trace_opts *o, int c, const char *arg)
{
	unsigned long long v;
	char *end;

	switch (c) {
	case 'd':
		errno = 0;
		o->duration = strtod(arg, &end);
		if (errno || *end || !(o->duration > 0))
			return cli_usage_err("trace", "bad --duration '%s'", arg);
		return 0;
	case 'c':
		if (parse_ull(arg, &o->filter.count) || o->filter.count == 0)
			return cli_usage_err("trace", "bad --count '%s'", arg);
		return 0;
	case OPT_PID:
		if (parse_ull(arg, &v) || v == 0 || v > INT_MAX)
			return cli_usage_err("trace", "bad --pid '%s'", arg);
		o->filter.pid = (long)v;
		return 0;
	case OPT_PAGES:
		if (parse_ull(arg, &v) || v == 0 || v > (1u << 16) || (v & (v - 1)))
			return cli_usage_err("trace", "bad --perf-pages '%s' (a power of two)",
					     arg);
		o->perf_pages = (int)v;
		return 0;
	case OPT_TIMEOUT: /* as replay's */
		if (parse_ull(arg, &v) || v == 0 || v > 86400)
			return cli_usage_err("trace", "bad --timeout '%s'", arg);
		o->timeout_ns = (int64_t)v * 1000000000LL;
		return 0;
	case OPT_MAX_PENDING:
		if (parse_ull(arg, &v) || v == 0 || v > (1u << 30))
			return cli_usage_err("trace", "bad --max-pending '%s'", arg);
		o->max_pending = (uint32_t)v;
		return 0;
	default: /* OPT_STATS */
		if (parse_ull(arg, &v) || v == 0 || v > 86400)
			return cli_usage_err("trace", "bad --stats '%s'", arg);
		o->stats = (int)v;
		return 0;
	}
}

/* --comm, --domain and the container filters: 0 or 2 (usage). */
static int set_filter_opt(struct trace_opts *o, int c, const char *arg)
{
	struct container_filter *cf = &o->filter.cf;

	switch (c) {
	case OPT_COMM:
		o->filter.comm = arg;
		return 0;
	case OPT_DOMAIN:
		o->filter.domain = arg;
		return 0;
	case OPT_OPCODE: {
		const char *bad;

		if (dns_opcode_list_parse(arg, &o->filter.opcodes, &bad) != 0)
			return cli_usage_err("trace", "bad --opcode '%s'", bad);
		return 0;
	}
	case OPT_HOST:
		cf->host_only = 1;
		return 0;
	case OPT_CONTAINERS:
		cf->containers_only = 1;
		return 0;
	case OPT_CONTAINER:
		if (!*arg)
			return cli_usage_err("trace", "bad --container '%s'", arg);
		cf->container = arg;
		return 0;
	case OPT_POD_UID:
		if (!*arg)
			return cli_usage_err("trace", "bad --pod-uid '%s'", arg);
		cf->pod_uid = arg;
		return 0;
	case OPT_K8S_NS:
		if (!*arg)
			return cli_usage_err("trace", "bad --k8s-namespace '%s'", arg);
		cf->k8s_namespace = arg;
		return 0;
	default: /* OPT_POD */
		if (!*arg)
			return cli_usage_err("trace", "bad --pod '%s'", arg);
		cf->pod = arg;
		return 0;
	}
}

static int set_backend(struct trace_opts *o, const char *arg)
{
	if (!strcmp(arg, "auto"))
		o->backend = BACKEND_AUTO;
	else if (!strcmp(arg, "kprobe"))
		o->backend = BACKEND_KPROBE;
	else if (!strcmp(arg, "tracepoint"))
		o->backend = BACKEND_TRACEPOINT;
	else
		return cli_usage_err("trace", "unknown backend '%s'", arg);
	return 0;
}

/* -o, --cluster-name, --host-name, -w: 0 or 2 (usage). */
static int set_output_opt(struct trace_opts *o, int c, const char *arg)
{
	int f;

	switch (c) {
	case 'o':
		f = output_format_parse(arg);
		if (f < 0)
			return cli_usage_err("trace", "unknown output format '%s'", arg);
		o->out.format = (enum output_format)f;
		return 0;
	case OPT_CLUSTER:
		o->out.cluster_name = arg;
		return 0;
	case OPT_HOSTNAME:
		o->out.host_name = arg;
		return 0;
	default: /* 'w' */
		o->write_path = arg;
		return 0;
	}
}

/* One option c (argument optarg): 0, 1 (--help) or 2 (usage). */
static int set_opt(struct trace_opts *o, int c, char **argv)
{
	const char *why;

	switch (c) {
	case 'd':
	case 'c':
	case OPT_PID:
	case OPT_PAGES:
	case OPT_STATS:
	case OPT_TIMEOUT:
	case OPT_MAX_PENDING:
		return set_number_opt(o, c, optarg);
	case OPT_RESPONSES:
		o->responses = 1;
		return 0;
	case OPT_COMM:
	case OPT_DOMAIN:
	case OPT_OPCODE:
	case OPT_HOST:
	case OPT_CONTAINERS:
	case OPT_CONTAINER:
	case OPT_POD_UID:
	case OPT_K8S_NS:
	case OPT_POD:
		return set_filter_opt(o, c, optarg);
	case OPT_BACKEND:
		return set_backend(o, optarg);
	case 'o':
	case OPT_CLUSTER:
	case OPT_HOSTNAME:
	case 'w':
		return set_output_opt(o, c, optarg);
	case 'p':
		if (port_set_add(&o->ports, optarg, &why) != 0)
			return cli_usage_err("trace", "bad --port: %s", why);
		return 0;
	case OPT_BTF:
		o->btf = optarg;
		return 0;
	case OPT_HOST_ROOT:
		if (host_root_set(optarg) != 0)
			return cli_usage_err("trace", "--host-root '%s' is not a directory",
					     optarg);
		return 0;
	case 'v':
		o->verbose = 1;
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	default:
		return cli_bad_option("trace", c, argv);
	}
}

const char trace_optstring[] = ":o:p:d:c:w:vh";

const struct option trace_options[] = {
    {"output", required_argument, 0, 'o'},
    {"port", required_argument, 0, 'p'},
    {"duration", required_argument, 0, 'd'},
    {"count", required_argument, 0, 'c'},
    {"pid", required_argument, 0, OPT_PID},
    {"comm", required_argument, 0, OPT_COMM},
    {"domain", required_argument, 0, OPT_DOMAIN},
    {"opcode", required_argument, 0, OPT_OPCODE},
    {"backend", required_argument, 0, OPT_BACKEND},
    {"perf-pages", required_argument, 0, OPT_PAGES},
    {"stats", required_argument, 0, OPT_STATS},
    {"write", required_argument, 0, 'w'},
    {"responses", no_argument, 0, OPT_RESPONSES},
    {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"max-pending", required_argument, 0, OPT_MAX_PENDING},
    {"btf", required_argument, 0, OPT_BTF},
    {"cluster-name", required_argument, 0, OPT_CLUSTER},
    {"host-name", required_argument, 0, OPT_HOSTNAME},
    {"host", no_argument, 0, OPT_HOST},
    {"containers", no_argument, 0, OPT_CONTAINERS},
    {"container", required_argument, 0, OPT_CONTAINER},
    {"pod-uid", required_argument, 0, OPT_POD_UID},
    {"k8s-namespace", required_argument, 0, OPT_K8S_NS},
    {"pod", required_argument, 0, OPT_POD},
    {"host-root", required_argument, 0, OPT_HOST_ROOT},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* Default perf ring pages per CPU: about 64 MiB in all, between 64 and 512
 * pages each, a power of two.  Few CPUs get deep rings (a burst lands on one
 * CPU); many CPUs share the load and the memory. */
static int default_perf_pages(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	long want = (64L << 20) / (ncpu > 0 ? ncpu : 1) / 4096;
	int pages = 64;

	while (pages < 512 && (long)pages * 2 <= want)
		pages *= 2;
	return pages;
}

/* 0 to trace, 1 after --help, 2 on a usage error. */
static int parse_opts(int argc, char **argv, struct trace_opts *o)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->out.format = OUTPUT_TEXT;
	o->perf_pages = default_perf_pages();
	cli_begin();
	while ((c = getopt_long(argc, argv, trace_optstring, trace_options, NULL)) != -1) {
		rc = set_opt(o, c, argv);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return cli_usage_err("trace", "unexpected argument '%s'", argv[optind]);
	if ((o->timeout_ns || o->max_pending) && !o->responses)
		return cli_usage_err("trace", "--timeout and --max-pending need --responses%s", "");
	o->out.typed = o->responses;
	if (o->ports.n == 0)
		port_set_default(&o->ports);
	return 0;
}

/* ---- main flow ------------------------------------------------------------ */

/* In a pid namespace of its own, without the host's /proc: one line on
 * what cannot be seen (the kernel's record still describes each sender). */
static void say_what_proc_hides(void)
{
	if (host_proc_is_host())
		return;
	fprintf(stderr,
		"dnsvis: %s/proc is not the host's (a pid namespace of its own): no parent exe, "
		"no long exe, cwd or command line past the kernel's copy, no cgroup v1 "
		"containers, no sockets connected before the start; %s\n",
		host_root(),
		host_root()[0] ? "give --host-root the host's / with its /proc"
			       : "run in the host's pid namespace, or pass --host-root with the "
				 "host's / mounted");
}

/* Privileges, BTF, tracefs, stale probes, signals; then load and attach.
 * 0, or -1 with the reason on stderr. */
static int prepare_and_load(const struct trace_opts *o, struct loaded_bpf *L, int hup_reopens)
{
	struct load_req r = {.backend = o->backend,
			     .ports = &o->ports,
			     .filter_tgid = (unsigned)o->filter.pid,
			     .responses = o->responses};
	char why[1024];
	int err;

	libbpf_logging_set(o->verbose);
	if (privileges_check(why, sizeof(why)) != 0) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return -1;
	}
	r.btf_path = btf_select(o->btf, host_root(), &r.btf_custom, why, sizeof(why));
	if (!r.btf_path) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return -1;
	}
	memlock_raise();
	if (!tracefs_locate("events", TRACEFS_MAY_MOUNT) && o->backend != BACKEND_KPROBE) {
		fprintf(stderr, "dnsvis: no tracefs or debugfs: cannot find tracepoints\n");
		return -1;
	}
	say_what_proc_hides();
	/* legacy (tracefs) kprobes that SIGKILLed libbpf users left behind */
	kprobe_cleanup_stale(o->verbose);

	/* before attaching: a signal must never kill us with probes attached
	 * (legacy kprobes would stay in tracefs); the guard, forked before
	 * anything is attached, covers SIGKILL */
	catch_stop_signals(hup_reopens);
	err = o->backend != BACKEND_TRACEPOINT ? kprobe_cleanup_guard(o->verbose) : 0;
	if (err < 0)
		fprintf(stderr,
			"dnsvis: no guard process for legacy kprobes: %s (a SIGKILL "
			"would leave them until the next start)\n",
			strerror(-err));

	if (tracer_load(L, &r, why, sizeof(why)) != 0) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return -1;
	}
	return 0;
}

/* The stdout printer unless a sink is given; -w FILE opened.  0 or -1. */
static int open_sink(const struct trace_opts *o, struct event_sink *printer,
		     struct event_sink **sink)
{
	static char outbuf[1 << 16];

	/* Fewer, larger writes, flushed each poll loop (sink_maintain): 4 KiB
	 * writes cost ext4 a quarter of dnsvis's CPU at 150k q/s (tests/bench). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (!*sink) {
		sink_init_printer(printer, &o->out);
		if (o->write_path)
			printer->print = NULL; /* -w: events go to the file only */
		*sink = printer;
	}
	if (o->write_path) {
		if (sink_open_write(*sink, o->write_path, &o->out) != 0)
			return -1;
		sink_catch_sighup();
	}
	return 0;
}

/* Connected sockets, cgroup filter, header; then "dnsvis: ready". */
static void start_tracing(const struct trace_opts *o, const struct loaded_bpf *L,
			  struct event_sink *sink)
{
	if (L->backend == BACKEND_TRACEPOINT)
		sock_seed(L->dns_socks_fd, L->fd_counts_fd, &o->ports);
	cgroup_filter_start(&o->filter.cf, o->verbose, L->cgroup_filter_fd, L->config_fd);

	sink_header(sink, 1);
	sink_maintain(sink);
	fprintf(stderr, "dnsvis: ready (backend %s, ",
		L->backend == BACKEND_KPROBE ? "kprobe" : "tracepoint");
	if (L->nattached < L->nprobes)
		fprintf(stderr, "%d of %d probes, ", L->nattached, L->nprobes);
	else
		fprintf(stderr, "%d probes, ", L->nattached);
	fprintf(stderr, "%s helpers%s%s)\n",
		L->legacy ? "bpf_probe_read" : "bpf_probe_read_user/kernel",
		L->kprobe_why[0] ? "; kprobe backend not used: " : "", L->kprobe_why);
	fflush(stderr);
}

/* ---- poll loop -------------------------------------------------------------- */

/* When the periodic work last ran (CLOCK_MONOTONIC ns). */
struct ticks {
	int64_t start, last_stats, last_gc, last_wall;
	unsigned long long stats_events; /* events at the last --stats line */
};

static void print_stats(const struct loaded_bpf *L, const struct record_reader *te, struct ticks *t,
			int64_t now)
{
	struct record_extra x;

	record_extra(te, &x);
	fprintf(stderr,
		"dnsvis: stats events=%llu events/s=%.1f lost=%llu malformed=%llu missed=%llu "
		"unattributed=%llu tcp-evicted=%llu mmsg-skipped=%llu tcp-gap-bytes=%llu",
		te->events,
		(double)(te->events - t->stats_events) * 1e9 / (double)(now - t->last_stats),
		te->lost, te->malformed, tracer_prog_misses(L), x.unattributed, x.tcp_evicted,
		x.mmsg_skipped, x.tcp_gap_bytes);
	record_print_responses(&x, 1);
	t->stats_events = te->events;
	t->last_stats = now;
}

/* Every second: clock offset, cgroups; every --stats: counters; every 5 s:
 * forget sockets and processes that are gone. */
static void periodic(const struct trace_opts *o, const struct loaded_bpf *L,
		     struct record_reader *te, struct ticks *t, int64_t now)
{
	if (now - t->last_wall > 1000000000LL) {
		record_clock_sync(te);
		cgroup_filter_tick(&o->filter.cf);
		t->last_wall = now;
	}
	if (o->stats && now - t->last_stats >= (int64_t)o->stats * 1000000000LL)
		print_stats(L, te, t, now);
	if (now - t->last_gc > 5000000000LL) {
		if (L->backend == BACKEND_TRACEPOINT)
			sock_prune(L->dns_socks_fd);
		proc_info_gc();
		record_gc(te);
		t->last_gc = now;
	}
}

/* Until a signal, --count, --duration, a closed output or a perf buffer
 * error. */
static void poll_loop(const struct trace_opts *o, const struct loaded_bpf *L,
		      struct record_reader *te, struct perf_buffer *pb)
{
	struct ticks t = {0};
	int err;

	t.start = t.last_stats = t.last_gc = t.last_wall = mono_ns();
	while (!stop_sig && !te->done && !sink_stopped(te->sink)) {
		int64_t now;

		err = perf_buffer__poll(pb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "dnsvis: perf buffer: %s\n", strerror(-err));
			break;
		}
		/* rings below the wakeup watermark are drained here */
		perf_buffer__consume(pb);
		record_drain_end(te);
		sink_maintain(te->sink);
		now = mono_ns();
		if (o->duration > 0 && (double)(now - t.start) / 1e9 >= o->duration)
			break;
		periodic(o, L, te, &t, now);
	}
}

/* Detach, drain, close, summary.  The exit status: 0, also for a reader
 * that went away; 1 after a write error (the sink said which). */
static int finish(struct loaded_bpf *L, struct record_reader *te, struct perf_buffer *pb)
{
	unsigned long long missed;
	struct record_extra x;
	int write_failed = 0;
	char cg[512];

	/* detach first, then drain what is already in the buffers */
	tracer_detach(L);
	missed = tracer_prog_misses(L);
	/* a closed output takes nothing more: no drain */
	if (!te->done) {
		if (!sink_stopped(te->sink)) {
			perf_buffer__consume(pb);
			record_flush(te, mono_ns());
		}
		record_reconcile_lost(te);
	}
	te->sink->malformed = te->malformed;
	if (sink_close(te->sink) != 0)
		write_failed = 1;
	record_extra(te, &x);
	record_reader_close(pb, te);
	tracer_close(L);
	kprobe_cleanup_own();
	fprintf(stderr,
		"dnsvis: %llu events, %llu lost, %llu malformed, %llu missed, %llu unattributed, "
		"%llu tcp-evicted, %llu mmsg-skipped, %llu tcp-gap-bytes",
		te->events, te->lost, te->malformed, missed, x.unattributed, x.tcp_evicted,
		x.mmsg_skipped, x.tcp_gap_bytes);
	record_print_responses(&x, 0);
	if (k8s_meta_summary(cg, sizeof(cg))[0])
		fprintf(stderr, "dnsvis: %s\n", cg);
	return write_failed ? 1 : 0;
}

/* Trace with the programs loaded and attached; the exit status. */
static int trace_loaded(const struct trace_opts *o, struct loaded_bpf *L, struct event_sink *sink)
{
	struct event_sink printer;
	struct record_reader te;
	struct record_maps maps;
	struct perf_buffer *pb;

	if (open_sink(o, &printer, &sink) != 0) {
		tracer_destroy(L);
		return 1;
	}
	memset(&te, 0, sizeof(te));
	te.f = &o->filter;
	te.sink = sink;
	record_clock_sync(&te);
	maps = (struct record_maps){L->events_fd, L->counters_fd, L->proc_sent_fd};
	pb = record_reader_open(&maps, o->perf_pages, &te);
	if (!pb || (o->responses && record_responses_start(&te, o->timeout_ns, o->max_pending))) {
		fprintf(stderr, "dnsvis: cannot %s: %s\n",
			pb ? "set up --responses" : "open the perf buffer", strerror(errno));
		record_reader_close(pb, &te);
		tracer_destroy(L);
		return 1;
	}
	start_tracing(o, L, sink);
	poll_loop(o, L, &te, pb);
	return finish(L, &te, pb);
}

int trace_run(int argc, char **argv, struct event_sink *sink)
{
	struct trace_opts o;
	struct loaded_bpf L = {0};
	char host[256] = "";
	int rc;

	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (output_prepare(&o.out) != 0)
		return 1; /* it said what the format needs */
	if (!o.out.host_name && gethostname(host, sizeof(host) - 1) == 0)
		o.out.host_name = host;
	rc = prepare_and_load(&o, &L, o.write_path || (sink && sink->wpath)) != 0
		 ? 1
		 : trace_loaded(&o, &L, sink);
	kprobe_cleanup_guard_end();
	return rc;
}

int trace_main(int argc, char **argv)
{
	return trace_run(argc, argv, NULL);
}
