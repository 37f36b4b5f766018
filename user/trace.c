/* trace.c - `dnsvis trace`: live DNS query tracing with eBPF, and
 * `dnsvis doctor`.
 *
 * Flow: options -> privileges -> BTF -> pick the BPF object (split-read
 * helpers or legacy) -> pick the backend (kprobe where it attaches, else
 * syscall tracepoints) -> load -> fill the port set and tail-call tables ->
 * attach -> seed the connected-socket map from /proc -> "dnsvis: ready" ->
 * poll the perf buffer every 100 ms, decode, filter, print -> on
 * SIGINT/SIGTERM, --count or --duration: detach, flush, summary.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "btf_lookup.h"
#include "container.h"
#include "host_root.h"
#include "k8s_meta.h"
#include "kprobe_cleanup.h"
#include "dns_decode.h"
#include "event.h"
#include "event_sink.h"
#include "output.h"
#include "port_set.h"
#include "proc_info.h"
#include "trace.h"
#include "trace_helpers.h"

#include "dnsvis.skel.h"
#include "dnsvis_legacy.skel.h"

enum backend { BACKEND_AUTO, BACKEND_KPROBE, BACKEND_TRACEPOINT };

struct trace_opts {
	enum backend backend;
	struct output_opts out;
	struct port_set ports;
	double duration;
	unsigned long long count;
	long pid;
	const char *comm;
	const char *domain;
	int perf_pages;
	int stats;
	const char *btf;
	int verbose;
	const char *write_path;	    /* -w FILE */
	struct container_filter cf; /* --host, --containers, --container, --pod... */
};

struct trace_state {
	struct trace_opts *o;
	struct event_sink *sink;
	unsigned long long events, lost, malformed, filtered;
	int done;
	int64_t wall_off_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static const char *hook_name(unsigned h)
{
	switch (h) {
	case DV_HOOK_KPROBE_UDP_SENDMSG:
		return "kprobe/udp_sendmsg";
	case DV_HOOK_KPROBE_UDPV6_SENDMSG:
		return "kprobe/udpv6_sendmsg";
	case DV_HOOK_TP_SENDTO:
		return "tracepoint/syscalls/sys_enter_sendto";
	case DV_HOOK_TP_SENDMSG:
		return "tracepoint/syscalls/sys_enter_sendmsg";
	case DV_HOOK_TP_SENDMMSG:
		return "tracepoint/syscalls/sys_enter_sendmmsg";
	case DV_HOOK_TP_WRITE:
		return "tracepoint/syscalls/sys_enter_write";
	case DV_HOOK_TP_WRITEV:
		return "tracepoint/syscalls/sys_enter_writev";
	default:
		return "unknown";
	}
}

static int64_t ts_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void update_wall_off(struct trace_state *st)
{
	st->wall_off_ns = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_MONOTONIC);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnsvis [trace] [options]\n"
		"  -o, --output text|json|kubearmor   output format (default text)\n"
		"  -p, --port N           DNS server port to watch (repeatable; default 53)\n"
		"  -d, --duration SECONDS stop after this long\n"
		"  -c, --count N          stop after N events\n"
		"      --pid PID          only this process\n"
		"      --comm NAME        only processes with this command name\n"
		"      --domain GLOB      only names matching GLOB (case-insensitive)\n"
		"      --backend auto|kprobe|tracepoint\n"
		"      --perf-pages N     perf buffer pages per CPU (default 256)\n"
		"      --stats SECONDS    print counters on stderr this often\n"
		"  -w, --write FILE       append events to FILE (SIGHUP reopens it)\n"
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

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "dnsvis: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see dnsvis trace --help)\n");
	return 2;
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
};

static int parse_opts(int argc, char **argv, struct trace_opts *o)
{
	static const struct option lo[] = {
	    {"output", required_argument, 0, 'o'},
	    {"port", required_argument, 0, 'p'},
	    {"duration", required_argument, 0, 'd'},
	    {"count", required_argument, 0, 'c'},
	    {"pid", required_argument, 0, OPT_PID},
	    {"comm", required_argument, 0, OPT_COMM},
	    {"domain", required_argument, 0, OPT_DOMAIN},
	    {"backend", required_argument, 0, OPT_BACKEND},
	    {"perf-pages", required_argument, 0, OPT_PAGES},
	    {"stats", required_argument, 0, OPT_STATS},
	    {"write", required_argument, 0, 'w'},
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
	unsigned long long v;
	const char *why;
	char *end;
	int c, f;

	memset(o, 0, sizeof(*o));
	o->out.format = OUTPUT_TEXT;
	o->perf_pages = 256;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:p:d:c:w:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			f = output_format_parse(optarg);
			if (f < 0)
				return usage_err("unknown output format '%s'", optarg);
			o->out.format = (enum output_format)f;
			break;
		case 'p':
			if (port_set_add(&o->ports, optarg, &why) != 0)
				return usage_err("bad --port: %s", why);
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || *end || !(o->duration > 0))
				return usage_err("bad --duration '%s'", optarg);
			break;
		case 'c':
			if (parse_ull(optarg, &o->count) || o->count == 0)
				return usage_err("bad --count '%s'", optarg);
			break;
		case OPT_PID:
			if (parse_ull(optarg, &v) || v == 0 || v > INT_MAX)
				return usage_err("bad --pid '%s'", optarg);
			o->pid = (long)v;
			break;
		case OPT_COMM:
			o->comm = optarg;
			break;
		case OPT_DOMAIN:
			o->domain = optarg;
			break;
		case OPT_BACKEND:
			if (!strcmp(optarg, "auto"))
				o->backend = BACKEND_AUTO;
			else if (!strcmp(optarg, "kprobe"))
				o->backend = BACKEND_KPROBE;
			else if (!strcmp(optarg, "tracepoint"))
				o->backend = BACKEND_TRACEPOINT;
			else
				return usage_err("unknown backend '%s'", optarg);
			break;
		case OPT_PAGES:
			if (parse_ull(optarg, &v) || v == 0 || v > (1u << 16) || (v & (v - 1)))
				return usage_err("bad --perf-pages '%s' (a power of two)", optarg);
			o->perf_pages = (int)v;
			break;
		case OPT_STATS:
			if (parse_ull(optarg, &v) || v == 0 || v > 86400)
				return usage_err("bad --stats '%s'", optarg);
			o->stats = (int)v;
			break;
		case OPT_BTF:
			o->btf = optarg;
			break;
		case OPT_CLUSTER:
			o->out.cluster_name = optarg;
			break;
		case OPT_HOSTNAME:
			o->out.host_name = optarg;
			break;
		case OPT_HOST:
			o->cf.host_only = 1;
			break;
		case OPT_CONTAINERS:
			o->cf.containers_only = 1;
			break;
		case OPT_CONTAINER:
			if (!*optarg)
				return usage_err("bad --container '%s'", optarg);
			o->cf.container = optarg;
			break;
		case OPT_POD_UID:
			if (!*optarg)
				return usage_err("bad --pod-uid '%s'", optarg);
			o->cf.pod_uid = optarg;
			break;
		case OPT_K8S_NS:
			if (!*optarg)
				return usage_err("bad --k8s-namespace '%s'", optarg);
			o->cf.k8s_namespace = optarg;
			break;
		case OPT_POD:
			if (!*optarg)
				return usage_err("bad --pod '%s'", optarg);
			o->cf.pod = optarg;
			break;
		case OPT_HOST_ROOT:
			if (host_root_set(optarg) != 0)
				return usage_err("--host-root '%s' is not a directory", optarg);
			break;
		case 'w':
			o->write_path = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	if (o->ports.n == 0)
		port_set_default(&o->ports);
	return 0;
}

/* ---- events ------------------------------------------------------------- */

static int domain_ok(const struct trace_opts *o, const char *name)
{
	return !o->domain || fnmatch(o->domain, name, FNM_CASEFOLD) == 0;
}

/* ---- container and pod filters -------------------------------------------- */

static int cgroup_event_ok(const struct container_filter *f, const struct dnsvis_proc *p,
			   const struct k8s_attr *a)
{
	struct container_facts c = {strcmp(p->scope, "container") == 0,
				    a->ci.id,
				    a->container_name,
				    a->ci.pod_uid,
				    a->k8s_namespace,
				    a->pod,
				    1};

	return container_filter_eval(f, &c) == CF_PASS;
}

/* The cgroup_filter map holds a 0 for every indexed cgroup the filter
 * surely drops: container cgroups that do not match, and (only where the
 * cgroup2 path is authoritative for "host") host cgroups under a container
 * filter.  Cgroups not yet resolved (metadata still missing) stay out of
 * the map: the kernel passes them and user space decides. */
struct cg_sync {
	int fd;
	const struct container_filter *f;
	int auth;
};

static void cg_sync_one(uint64_t id, struct k8s_attr *a, void *arg)
{
	const struct cg_sync *s = arg;
	struct container_facts c = {a->is_container,  a->ci.id, a->container_name, a->ci.pod_uid,
				    a->k8s_namespace, a->pod,	a->meta_complete};
	int v = container_filter_eval(s->f, &c);
	int drop = v == CF_DROP && (a->is_container || s->auth);
	__u64 key = id;
	__u8 zero = 0;

	if (drop && !a->kmap) {
		if (bpf_map_update_elem(s->fd, &key, &zero, BPF_ANY) == 0)
			a->kmap = 1;
	} else if (!drop && a->kmap) {
		bpf_map_delete_elem(s->fd, &key);
		a->kmap = 0;
	}
}

static void cg_gone(uint64_t id, struct k8s_attr *a, void *arg)
{
	__u64 key = id;

	if (a->kmap)
		bpf_map_delete_elem(*(int *)arg, &key);
}

static int cg_map_fd = -1;

/* Rescan the cgroup tree (every second) and bring the map up to date. */
static void cgroup_filter_tick(const struct trace_opts *o)
{
	struct cg_sync s = {cg_map_fd, &o->cf, k8s_meta_v2_authoritative()};

	k8s_meta_rescan(1);
	if (cg_map_fd >= 0)
		k8s_meta_foreach(container_filter_needs_meta(&o->cf), cg_sync_one, &s);
}

/* Index the cgroups; with a cgroup-scoped filter, fill the map and turn it
 * on in the kernel. */
static void cgroup_filter_start(struct dnsvis_bpf *skel, const struct trace_opts *o)
{
	const char *note = NULL;
	enum k8s_cgroup_mode mode = k8s_meta_init(&note);
	struct dv_config cfg;
	__u32 k = 0;

	if (note && (mode == K8S_CG_V1 || mode == K8S_CG_NONE || o->verbose ||
		     (container_filter_active(&o->cf) && !k8s_meta_v2_authoritative())))
		fprintf(stderr, "dnsvis: %s\n", note);
	if (!container_filter_active(&o->cf) || !k8s_meta_cgroup2_mount()[0])
		return;
	cg_map_fd = bpf_map__fd(skel->maps.cgroup_filter);
	k8s_meta_on_remove(cg_gone, &cg_map_fd);
	cgroup_filter_tick(o);
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.config), &k, &cfg) == 0) {
		cfg.flags |= DV_CFG_CGROUP;
		bpf_map_update_elem(bpf_map__fd(skel->maps.config), &k, &cfg, BPF_ANY);
	}
}

static void handle_event(void *ctx, int cpu, void *data, __u32 size)
{
	struct trace_state *st = ctx;
	const struct trace_opts *o = st->o;
	const struct dv_event *ev = data;
	const struct dv_msg *m;
	static struct proc_strings ps;
	struct dnsvis_proc proc;
	struct dnsvis_event out;
	struct dns_header h;
	const uint8_t *msg;
	size_t len, off;
	int64_t wall;
	int have_proc = 0;

	(void)cpu;
	if (st->done || size < DV_EVENT_SEND_SIZE)
		return;
	m = &ev->m;
	if (o->pid && ev->tgid != (uint32_t)o->pid)
		return;
	if (o->comm && strncmp(ev->comm, o->comm, sizeof(ev->comm)) != 0)
		return;
	msg = m->payload;
	len = m->payload_len > DV_PAYLOAD_MAX ? DV_PAYLOAD_MAX : m->payload_len;
	if (m->proto == IPPROTO_TCP && len >= 2 && (size_t)((msg[0] << 8) | msg[1]) + 2 >= len) {
		msg += 2; /* the 2-byte length of DNS over TCP */
		len -= 2;
	}
	if (dns_decode_header(msg, len, &h) != DNS_OK || h.qr || h.qdcount == 0) {
		st->malformed++;
		return;
	}
	/* Validate every question before printing any: no partial output. */
	off = DNS_HEADER_LEN;
	for (unsigned i = 0; i < h.qdcount; i++) {
		struct dns_question q;

		if (dns_decode_question(msg, len, &off, &q) != DNS_OK) {
			st->malformed++;
			return;
		}
	}
	/* container / pod filters: the kernel dropped the cgroups it knows to
	 * be unwanted; the rest is decided here */
	if (container_filter_active(&o->cf)) {
		proc_info_fill(ev, &proc, &ps);
		have_proc = 1;
		if (!cgroup_event_ok(&o->cf, &proc, &ps.attr)) {
			st->filtered++;
			return;
		}
	}
	wall = (int64_t)m->ts_ns + st->wall_off_ns;
	memset(&out, 0, sizeof(out));
	out.ts.tv_sec = wall / 1000000000LL;
	out.ts.tv_nsec = wall % 1000000000LL;
	out.source = hook_name(m->hook);
	out.family = m->family == 10 ? AF_INET6 : AF_INET;
	out.proto = m->proto;
	memcpy(out.saddr, m->saddr, 16);
	memcpy(out.daddr, m->daddr, 16);
	out.sport = m->sport;
	out.dport = m->dport;
	out.txid = h.id;
	off = DNS_HEADER_LEN;
	for (unsigned i = 0; i < h.qdcount; i++) {
		struct dns_question q;

		if (dns_decode_question(msg, len, &off, &q) != DNS_OK)
			break;
		if (!domain_ok(o, q.name.text)) {
			st->filtered++;
			continue;
		}
		if (!have_proc) {
			proc_info_fill(ev, &proc, &ps);
			have_proc = 1;
		}
		out.domain = q.name.text;
		out.qtype = q.qtype;
		out.qclass = q.qclass;
		out.proc = &proc;
		sink_event(st->sink, &out);
		st->events++;
		if (o->count && st->events >= o->count) {
			st->done = 1;
			break;
		}
	}
}

static void handle_lost(void *ctx, int cpu, __u64 cnt)
{
	struct trace_state *st = ctx;

	st->lost += cnt;
	sink_lost(st->sink, cnt, cpu);
}

/* Records as the kernel writes them into the perf ring (perf_event_open(2)). */
struct perf_sample_raw {
	struct perf_event_header header;
	__u32 size;
	char data[];
};

struct perf_lost_rec {
	struct perf_event_header header;
	__u64 id;
	__u64 lost;
};

static enum bpf_perf_event_ret handle_perf_record(void *ctx, int cpu, struct perf_event_header *hdr)
{
	if (hdr->type == PERF_RECORD_SAMPLE) {
		struct perf_sample_raw *r = (struct perf_sample_raw *)hdr;

		handle_event(ctx, cpu, r->data, r->size);
	} else if (hdr->type == PERF_RECORD_LOST) {
		handle_lost(ctx, cpu, ((struct perf_lost_rec *)hdr)->lost);
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/* libbpf's perf_buffer__new() asks the kernel to wake the reader on every
 * event, which costs the sender several microseconds per query.  Ask for a
 * wakeup when a quarter of the ring is full instead; the poll loop drains
 * every ring at least every 100 ms, so output latency stays bounded. */
static struct perf_buffer *open_perf_buffer(int map_fd, int pages, struct trace_state *st)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.watermark = 1;
	attr.wakeup_watermark = (unsigned)pages * (unsigned)getpagesize() / 4;
	return perf_buffer__new_raw(map_fd, (size_t)pages, &attr, handle_perf_record, st, NULL);
}

/* ---- connected sockets that predate us ---------------------------------- */

/* Socket inodes whose peer port is in the set, from one /proc/PID/net file. */
static void scan_net_file(const char *path, const struct port_set *ps, unsigned long *inodes,
			  size_t *n, size_t max)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f) && *n < max) {
		char rem[64];
		unsigned rport, st;
		unsigned long ino;
		char *colon;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, "%*s %*s %63s %x %*s %*s %*s %*s %*s %lu", rem, &st, &ino) != 3)
			continue;
		colon = strrchr(rem, ':');
		if (!colon || sscanf(colon + 1, "%x", &rport) != 1)
			continue;
		/* UDP connected = 01 (ESTABLISHED); TCP established = 01 too */
		if (st != 1 || !port_set_has(ps, (uint16_t)rport) || ino == 0)
			continue;
		inodes[(*n)++] = ino;
	}
	fclose(f);
}

static int ino_in(const unsigned long *v, size_t n, unsigned long ino)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == ino)
			return 1;
	return 0;
}

/* For each network namespace (by /proc/PID/ns/net), list the connected
 * DNS sockets, then map /proc/PID/fd/N -> socket:[inode] to {tgid, fd}. */
static unsigned seed_connected(int map_fd, const struct port_set *ps)
{
	enum { MAXNS = 64, MAXINO = 4096 };
	static unsigned long netns[MAXNS];
	static unsigned long inodes[MAXINO];
	size_t nns = 0, nino = 0;
	unsigned added = 0;
	DIR *d = opendir("/proc"), *fdd;
	struct dirent *de, *fe;
	char p[600], l[128];

	if (!d)
		return 0;
	/* pass 1: the socket tables of every network namespace */
	while ((de = readdir(d))) {
		unsigned long ns;
		ssize_t k;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/ns/net", de->d_name);
		k = readlink(p, l, sizeof(l) - 1);
		if (k <= 0)
			continue;
		l[k] = 0;
		if (sscanf(l, "net:[%lu]", &ns) != 1 || ino_in(netns, nns, ns) || nns >= MAXNS)
			continue;
		netns[nns++] = ns;
		static const char *files[] = {"udp", "udp6", "tcp", "tcp6"};
		for (unsigned i = 0; i < 4; i++) {
			snprintf(p, sizeof(p), "/proc/%s/net/%s", de->d_name, files[i]);
			scan_net_file(p, ps, inodes, &nino, MAXINO);
		}
	}
	if (nino == 0) {
		closedir(d);
		return 0;
	}
	/* pass 2: which descriptors are those sockets */
	rewinddir(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/fd", de->d_name);
		fdd = opendir(p);
		if (!fdd)
			continue;
		while ((fe = readdir(fdd))) {
			char lp[600];
			unsigned long ino;
			ssize_t k;

			if (fe->d_name[0] < '0' || fe->d_name[0] > '9')
				continue;
			snprintf(lp, sizeof(lp), "/proc/%s/fd/%s", de->d_name, fe->d_name);
			k = readlink(lp, l, sizeof(l) - 1);
			if (k <= 0)
				continue;
			l[k] = 0;
			if (sscanf(l, "socket:[%lu]", &ino) != 1 || !ino_in(inodes, nino, ino))
				continue;
			struct dv_sock_key key = {.tgid = (unsigned)atoi(de->d_name),
						  .fd = (unsigned)atoi(fe->d_name)};
			struct dv_sock_val val = {0};

			if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY) == 0)
				added++;
		}
		closedir(fdd);
	}
	closedir(d);
	return added;
}

/* Drop map entries of processes that are gone. */
static void prune_connected(int map_fd)
{
	struct dv_sock_key k, next, dead[256];
	unsigned nd = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		if (kill((pid_t)next.tgid, 0) != 0 && errno == ESRCH && nd < 256)
			dead[nd++] = next;
		k = next;
		prev = &k;
	}
	for (unsigned i = 0; i < nd; i++)
		bpf_map_delete_elem(map_fd, &dead[i]);
}

/* ---- loading ------------------------------------------------------------ */

struct loaded {
	struct dnsvis_bpf *skel;
	enum backend backend;
	int legacy;
	int nattached;
};

static void set_autoload(struct dnsvis_bpf *s, enum backend b, int iocb)
{
	struct bpf_program *tp[] = {
	    s->progs.tp_sendto,	 s->progs.tp_write,	   s->progs.tp_writev,
	    s->progs.tp_sendmsg, s->progs.tp_sendmmsg,	   s->progs.tp_connect,
	    s->progs.tp_close,	 s->progs.dv_tail_tp_proc, s->progs.dv_tail_tp_out,
	};
	int tpon = b == BACKEND_TRACEPOINT, kpon = b == BACKEND_KPROBE;

	for (unsigned i = 0; i < sizeof(tp) / sizeof(tp[0]); i++)
		bpf_program__set_autoload(tp[i], tpon);
	bpf_program__set_autoload(s->progs.dv_tail_kp_proc, kpon);
	bpf_program__set_autoload(s->progs.dv_tail_kp_out, kpon);
	bpf_program__set_autoload(s->progs.kp_udp_sendmsg, kpon && !iocb);
	bpf_program__set_autoload(s->progs.kp_udpv6_sendmsg, kpon && !iocb);
	bpf_program__set_autoload(s->progs.kp_udp_sendmsg_iocb, kpon && iocb);
	bpf_program__set_autoload(s->progs.kp_udpv6_sendmsg_iocb, kpon && iocb);
}

/* Open the skeleton with the split-read or the legacy ELF. */
static struct dnsvis_bpf *open_skel(int legacy, const char *btf_custom)
{
	struct bpf_object_open_opts oo = {.sz = sizeof(oo), .btf_custom_path = btf_custom};
	struct dnsvis_bpf *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	err = dnsvis_bpf__create_skeleton(s);
	if (!err && legacy)
		s->skeleton->data = (void *)dnsvis_legacy_bpf__elf_bytes(&s->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(s->skeleton, &oo);
	if (err) {
		dnsvis_bpf__destroy(s);
		errno = -err;
		return NULL;
	}
	return s;
}

static int fill_maps(struct dnsvis_bpf *s, const struct trace_opts *o, enum backend b)
{
	struct dv_config cfg = {.flags = DV_CFG_ON, .filter_tgid = (unsigned)o->pid};
	int tail = bpf_map__fd(b == BACKEND_KPROBE ? s->maps.tail_kp : s->maps.tail_tp);
	struct bpf_program *pp =
	    b == BACKEND_KPROBE ? s->progs.dv_tail_kp_proc : s->progs.dv_tail_tp_proc;
	struct bpf_program *po =
	    b == BACKEND_KPROBE ? s->progs.dv_tail_kp_out : s->progs.dv_tail_tp_out;
	__u32 k = 0;
	__u8 one = 1;
	int fd;

	for (unsigned i = 0; i < o->ports.n; i++) {
		__u16 port = o->ports.port[i];

		if (bpf_map_update_elem(bpf_map__fd(s->maps.ports), &port, &one, BPF_ANY))
			return -errno;
	}
	if (bpf_map_update_elem(bpf_map__fd(s->maps.config), &k, &cfg, BPF_ANY))
		return -errno;
	fd = bpf_program__fd(pp);
	k = DV_TAIL_PROC;
	if (bpf_map_update_elem(tail, &k, &fd, BPF_ANY))
		return -errno;
	fd = bpf_program__fd(po);
	k = DV_TAIL_OUT;
	if (bpf_map_update_elem(tail, &k, &fd, BPF_ANY))
		return -errno;
	return 0;
}

/* A prog array holds references to the programs in it; empty it before
 * closing, so the tail-called programs go with the rest at exit instead of
 * lingering until the kernel releases the map. */
static void clear_tail_calls(struct dnsvis_bpf *s)
{
	const struct bpf_map *maps[] = {s->maps.tail_kp, s->maps.tail_tp};
	__u32 keys[] = {DV_TAIL_PROC, DV_TAIL_OUT};

	for (unsigned m = 0; m < 2; m++)
		for (unsigned k = 0; k < 2; k++)
			bpf_map_delete_elem(bpf_map__fd(maps[m]), &keys[k]);
}

static int attach_prog(struct bpf_program *p, struct bpf_link **link, int *n)
{
	*link = bpf_program__attach(p);
	if (!*link)
		return -errno;
	(*n)++;
	return 0;
}

static int attach_backend(struct loaded *L)
{
	struct dnsvis_bpf *s = L->skel;
	int err;

	if (L->backend == BACKEND_KPROBE) {
		struct bpf_program *p4 = s->progs.kp_udp_sendmsg, *p6 = s->progs.kp_udpv6_sendmsg;
		struct bpf_link **l4 = &s->links.kp_udp_sendmsg, **l6 = &s->links.kp_udpv6_sendmsg;

		if (bpf_program__autoload(s->progs.kp_udp_sendmsg_iocb)) {
			p4 = s->progs.kp_udp_sendmsg_iocb;
			p6 = s->progs.kp_udpv6_sendmsg_iocb;
			l4 = &s->links.kp_udp_sendmsg_iocb;
			l6 = &s->links.kp_udpv6_sendmsg_iocb;
		}
		err = attach_prog(p4, l4, &L->nattached);
		if (!err)
			err = attach_prog(p6, l6, &L->nattached);
		return err;
	}
	/* bookkeeping first, so no connect is missed between them */
	if ((err = attach_prog(s->progs.tp_connect, &s->links.tp_connect, &L->nattached)) ||
	    (err = attach_prog(s->progs.tp_close, &s->links.tp_close, &L->nattached)) ||
	    (err = attach_prog(s->progs.tp_sendto, &s->links.tp_sendto, &L->nattached)) ||
	    (err = attach_prog(s->progs.tp_sendmsg, &s->links.tp_sendmsg, &L->nattached)) ||
	    (err = attach_prog(s->progs.tp_sendmmsg, &s->links.tp_sendmmsg, &L->nattached)) ||
	    (err = attach_prog(s->progs.tp_write, &s->links.tp_write, &L->nattached)) ||
	    (err = attach_prog(s->progs.tp_writev, &s->links.tp_writev, &L->nattached)))
		return err;
	return 0;
}

/* Load and attach one backend.  0 or -errno with a reason in why. */
static int load_backend(struct loaded *L, const struct trace_opts *o, enum backend b,
			const char *btf_path, int btf_custom, char *why, size_t wl)
{
	int iocb = 0, err;

	memset(L, 0, sizeof(*L));
	L->backend = b;
	/* DNSVIS_FORCE_LEGACY=1 tests the 4.14 object on a new kernel */
	L->legacy = !th_have_split_read() || getenv("DNSVIS_FORCE_LEGACY");
	if (b == BACKEND_KPROBE) {
		int n = btf_func_arity(btf_path, "udp_sendmsg");

		if (n < 0) {
			snprintf(why, wl, "udp_sendmsg not found in the kernel BTF");
			return -ENOENT;
		}
		iocb = n >= 4;
	}
	L->skel = open_skel(L->legacy, btf_custom ? btf_path : NULL);
	if (!L->skel) {
		err = -errno;
		snprintf(why, wl, "cannot open the BPF object: %s", strerror(errno));
		return err;
	}
	set_autoload(L->skel, b, iocb);
	err = dnsvis_bpf__load(L->skel);
	if (err) {
		snprintf(why, wl, "loading the %s programs failed: %s (run with -v for details)",
			 b == BACKEND_KPROBE ? "kprobe" : "tracepoint", strerror(-err));
		goto fail;
	}
	err = fill_maps(L->skel, o, b);
	if (err) {
		snprintf(why, wl, "filling BPF maps failed: %s", strerror(-err));
		goto fail;
	}
	err = attach_backend(L);
	if (err) {
		snprintf(why, wl, "attaching the %s programs failed: %s",
			 b == BACKEND_KPROBE ? "kprobe" : "tracepoint", strerror(-err));
		goto fail;
	}
	return 0;
fail:
	dnsvis_bpf__destroy(L->skel);
	L->skel = NULL;
	return err;
}

/* Open and load, without attaching, the programs the loader would choose
 * for this BTF (the relocation target) and backend; prints "loaded PROG"
 * for each.  For `dnsvis btf load-check`: old kernels' layouts checked on
 * this kernel.  0 or -errno with a reason in why. */
int trace_load_check(const char *btf_path, int legacy, int kprobe, char *why, size_t wl)
{
	struct dnsvis_bpf *s;
	struct bpf_program *p;
	int iocb = 0, err;

	if (kprobe) {
		int n = btf_func_arity(btf_path, "udp_sendmsg");

		if (n < 0) {
			snprintf(why, wl, "udp_sendmsg not found in the BTF");
			return -ENOENT;
		}
		iocb = n >= 4;
	}
	s = open_skel(legacy, btf_path);
	if (!s) {
		err = -errno;
		snprintf(why, wl, "cannot open the BPF object: %s", strerror(errno));
		return err;
	}
	set_autoload(s, kprobe ? BACKEND_KPROBE : BACKEND_TRACEPOINT, iocb);
	err = dnsvis_bpf__load(s);
	if (err)
		snprintf(why, wl, "loading the %s programs failed: %s",
			 kprobe ? "kprobe" : "tracepoint", strerror(-err));
	for (p = bpf_object__next_program(s->obj, NULL); p && !err;
	     p = bpf_object__next_program(s->obj, p))
		if (bpf_program__autoload(p))
			printf("loaded %s\n", bpf_program__name(p));
	dnsvis_bpf__destroy(s);
	return err;
}

/* ---- main --------------------------------------------------------------- */

int trace_main(int argc, char **argv)
{
	return trace_run(argc, argv, NULL);
}

/* Runs the kernel skipped because another BPF program was already running
 * on that CPU (bpf_prog_info.recursion_misses, 5.12+; 0 where the kernel
 * does not count them).  Those sends were never seen, so say how many. */
static unsigned long long prog_misses(struct dnsvis_bpf *s)
{
	unsigned long long n = 0;
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj)
	{
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			n += info.recursion_misses;
	}
	return n;
}

int trace_run(int argc, char **argv, struct event_sink *sink)
{
	struct event_sink printer;
	struct trace_opts o;
	struct trace_state st;
	struct perf_buffer *pb = NULL;
	struct loaded L = {0};
	struct sigaction sa;
	char why[512], host[256] = "";
	const char *btf_path;
	int btf_custom, rc, err, write_failed = 0;
	int64_t start, last_stats, last_gc, last_wall;
	unsigned long long stats_events = 0, missed;

	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (!o.out.host_name && gethostname(host, sizeof(host) - 1) == 0)
		o.out.host_name = host;
	th_libbpf_logging(o.verbose);
	if (th_check_privileges(why, sizeof(why)) != 0) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return 1;
	}
	btf_path = btf_select(o.btf, &btf_custom, why, sizeof(why));
	if (!btf_path) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return 1;
	}
	th_raise_memlock();
	if (!th_tracefs() && o.backend != BACKEND_KPROBE) {
		fprintf(stderr, "dnsvis: no tracefs or debugfs: cannot find tracepoints\n");
		return 1;
	}
	/* legacy (tracefs) kprobes that SIGKILLed libbpf users left behind */
	kprobe_cleanup_stale(o.verbose);

	/* before attaching: a signal must never kill us with probes attached
	 * (legacy kprobes would stay in tracefs) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	why[0] = 0;
	err = -ENOTSUP;
	if (o.backend == BACKEND_KPROBE || (o.backend == BACKEND_AUTO && th_have_kprobes()))
		err = load_backend(&L, &o, BACKEND_KPROBE, btf_path, btf_custom, why, sizeof(why));
	if (o.backend == BACKEND_TRACEPOINT || (err && o.backend == BACKEND_AUTO))
		err = load_backend(&L, &o, BACKEND_TRACEPOINT, btf_path, btf_custom, why,
				   sizeof(why));
	if (err) {
		fprintf(stderr, "dnsvis: %s\n", why[0] ? why : strerror(-err));
		return 1;
	}

	memset(&st, 0, sizeof(st));
	st.o = &o;
	if (!sink) {
		sink_init_printer(&printer, &o.out);
		if (o.write_path)
			printer.print = NULL; /* -w: events go to the file only */
		sink = &printer;
	}
	st.sink = sink;
	if (o.write_path) {
		if (sink_open_write(sink, o.write_path, &o.out) != 0) {
			dnsvis_bpf__destroy(L.skel);
			return 1;
		}
		sink_catch_sighup();
	}
	update_wall_off(&st);
	pb = open_perf_buffer(bpf_map__fd(L.skel->maps.events), o.perf_pages, &st);
	if (!pb) {
		fprintf(stderr, "dnsvis: cannot open the perf buffer: %s\n", strerror(errno));
		dnsvis_bpf__destroy(L.skel);
		return 1;
	}
	if (L.backend == BACKEND_TRACEPOINT)
		seed_connected(bpf_map__fd(L.skel->maps.dns_socks), &o.ports);
	cgroup_filter_start(L.skel, &o);

	sink_header(sink, 1);
	sink_maintain(sink);
	fprintf(stderr, "dnsvis: ready (backend %s, %d probes, %s helpers)\n",
		L.backend == BACKEND_KPROBE ? "kprobe" : "tracepoint", L.nattached,
		L.legacy ? "bpf_probe_read" : "bpf_probe_read_user/kernel");
	fflush(stderr);

	start = last_stats = last_gc = last_wall = ts_ns(CLOCK_MONOTONIC);
	while (!stop_sig && !st.done) {
		int64_t now;

		err = perf_buffer__poll(pb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "dnsvis: perf buffer: %s\n", strerror(-err));
			break;
		}
		/* rings below the wakeup watermark are drained here */
		perf_buffer__consume(pb);
		sink_maintain(sink);
		now = ts_ns(CLOCK_MONOTONIC);
		if (o.duration > 0 && (double)(now - start) / 1e9 >= o.duration)
			break;
		if (now - last_wall > 1000000000LL) {
			update_wall_off(&st);
			cgroup_filter_tick(&o);
			last_wall = now;
		}
		if (o.stats && now - last_stats >= (int64_t)o.stats * 1000000000LL) {
			fprintf(stderr,
				"dnsvis: stats events=%llu events/s=%.1f lost=%llu malformed=%llu "
				"missed=%llu\n",
				st.events,
				(double)(st.events - stats_events) * 1e9 /
				    (double)(now - last_stats),
				st.lost, st.malformed, prog_misses(L.skel));
			stats_events = st.events;
			last_stats = now;
		}
		if (now - last_gc > 5000000000LL) {
			if (L.backend == BACKEND_TRACEPOINT)
				prune_connected(bpf_map__fd(L.skel->maps.dns_socks));
			proc_info_gc();
			last_gc = now;
		}
	}
	/* detach first, then drain what is already in the buffers */
	dnsvis_bpf__detach(L.skel);
	missed = prog_misses(L.skel);
	if (!st.done)
		perf_buffer__consume(pb);
	sink->malformed = st.malformed;
	if (sink_close(sink) != 0)
		write_failed = 1;
	perf_buffer__free(pb);
	clear_tail_calls(L.skel);
	dnsvis_bpf__destroy(L.skel);
	kprobe_cleanup_own();
	fprintf(stderr, "dnsvis: %llu events, %llu lost, %llu malformed, %llu missed\n", st.events,
		st.lost, st.malformed, missed);
	return write_failed ? 1 : 0;
}

/* ---- doctor ------------------------------------------------------------- */

int doctor_main(int argc, char **argv)
{
	struct utsname u;
	char why[512];
	const char *btf, *t;
	int custom, kp, kpl, tpok, bad = 0;
	const char *btf_opt = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--btf") && i + 1 < argc)
			btf_opt = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: dnsvis doctor [--btf FILE]\n");
			return 0;
		} else {
			fprintf(stderr, "dnsvis: doctor: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	libbpf_set_print(NULL);
	uname(&u);
	printf("kernel:        %s %s\n", u.release, u.machine);
	if (th_check_privileges(why, sizeof(why)) != 0) {
		printf("privileges:    NO (%s)\n", why);
		bad = 1;
	} else {
		printf("privileges:    ok\n");
	}
	btf = btf_select(btf_opt, &custom, why, sizeof(why));
	if (btf)
		printf("btf:           %s\n", btf_source_describe());
	else {
		printf("btf:           NONE (%s)\n", why);
		bad = 1;
	}
	t = th_tracefs();
	printf("tracefs:       %s\n", t ? t : "NONE (not mounted, could not mount)");
	kp = th_have_kprobes();
	kpl = !bad && th_kprobe_prog_loadable();
	printf("kprobes:       %s\n", kp ? "yes" : "no (no kprobe PMU, no kprobe_events)");
	printf("kprobe progs:  %s\n", kpl ? "loadable" : "not loadable");
	if (btf && kp) {
		int n = btf_func_arity(btf, "udp_sendmsg");

		printf("udp_sendmsg:   %s\n", n < 0    ? "not in BTF"
					      : n >= 4 ? "(iocb, sk, msg, len)"
						       : "(sk, msg, len)");
	}
	tpok = th_perf_tracepoint_ok();
	printf("tracepoints:   %s\n",
	       tpok == 0 ? "yes (perf_event_open of sys_enter_sendto ok)" : strerror(-tpok));
	printf("perf events:   %s\n", tpok == 0 ? "yes" : "unknown");
	printf("bpf helpers:   %s\n", bad		     ? "unknown"
				      : th_have_split_read() ? "bpf_probe_read_user/kernel (5.5+)"
							     : "bpf_probe_read (legacy object)");
	if (bad) {
		printf("backend:       none\n");
		fprintf(stderr, "dnsvis: doctor: tracing cannot work here (see above)\n");
		return 1;
	}
	if (kp && kpl)
		printf("backend:       kprobe (auto; falls back to tracepoint if attach fails)\n");
	else if (tpok == 0)
		printf("backend:       tracepoint (auto)\n");
	else {
		printf("backend:       none\n");
		fprintf(stderr, "dnsvis: doctor: neither kprobes nor syscall tracepoints work\n");
		return 1;
	}
	return 0;
}
