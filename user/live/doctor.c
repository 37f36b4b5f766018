/* doctor.c - `dnsvis doctor`: probe, one line each, what `dnsvis trace`
 * needs (privileges, BTF, tracefs, kprobes, tracepoints, helpers) and say
 * which backend it would use. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

#include "btf/archive.h"
#include "btf/lookup.h"
#include "enrich/host_root.h"
#include "live/doctor.h"
#include "live/features.h"
#include "live/tracefs.h"
#include "util/cli.h"

struct findings {
	const char *btf; /* the BTF path, NULL when there is none */
	int kp;		 /* kprobes can be created */
	int kpl;	 /* kprobe programs load */
	int tpok;	 /* 0, or -errno of perf_event_open on a syscall tracepoint */
	int bad;	 /* no privileges or no BTF: tracing cannot work */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dnsvis doctor [--btf FILE] [--host-root DIR]\n");
}

enum { OPT_BTF = 256, OPT_HOST_ROOT };

static const struct option long_opts[] = {
    {"btf", required_argument, NULL, OPT_BTF},
    {"host-root", required_argument, NULL, OPT_HOST_ROOT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --btf FILE into *btf_opt, --host-root DIR set: -1 to go on, else the
 * exit status (0 after --help, 2 on a usage error). */
static int parse_args(int argc, char **argv, const char **btf_opt)
{
	int c;

	cli_begin();
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_BTF:
			*btf_opt = optarg;
			break;
		case OPT_HOST_ROOT:
			if (host_root_set(optarg) != 0)
				return cli_usage_err("doctor",
						     "--host-root '%s' is not a directory", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_bad_option("doctor", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_err("doctor", "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* The distribution, as the embedded BTF lookup sees it (under --host-root). */
static void print_host(void)
{
	struct btf_host h;
	char why[512];

	if (btf_host_read(&h, host_root(), why, sizeof(why)) != 0)
		printf("host:          unknown (%s)\n", why);
	else if (host_root()[0])
		printf("host:          %s %s (--host-root %s)\n", h.id, h.version_id, host_root());
	else
		printf("host:          %s %s\n", h.id, h.version_id);
}

/* kernel, host, privileges, btf (and the sources passed over) */
static void check_access(const char *btf_opt, struct findings *f)
{
	struct utsname u;
	char why[1024];
	int custom;

	uname(&u);
	printf("kernel:        %s %s\n", u.release, u.machine);
	print_host();
	if (privileges_check(why, sizeof(why)) != 0) {
		printf("privileges:    NO (%s)\n", why);
		f->bad = 1;
	} else {
		printf("privileges:    ok\n");
	}
	f->btf = btf_select(btf_opt, host_root(), &custom, why, sizeof(why));
	if (f->btf) {
		printf("btf:           %s\n", btf_source_describe());
		for (int i = 0; i < btf_tried_count(); i++)
			printf("btf passed over: %s\n", btf_tried(i));
	} else {
		printf("btf:           NONE (%s)\n", why);
		f->bad = 1;
	}
}

/* tracefs, kprobes, udp_sendmsg, tcp_sendmsg, tracepoints, perf events, bpf helpers */
static void check_probes(struct findings *f)
{
	const char *t = tracefs_locate("events", TRACEFS_MAY_MOUNT);

	printf("tracefs:       %s\n", t ? t : "NONE (not mounted, could not mount)");
	f->kp = kernel_has_kprobes();
	f->kpl = !f->bad && kernel_loads_kprobe_progs();
	printf("kprobes:       %s\n", f->kp ? "yes" : "no (no kprobe PMU, no kprobe_events)");
	printf("kprobe progs:  %s\n", f->kpl ? "loadable" : "not loadable");
	if (f->btf && f->kp) {
		char why[640];
		int n = btf_func_arity(f->btf, "udp_sendmsg");

		if (n < 0)
			btf_func_problem(n, "udp_sendmsg", why, sizeof(why));
		printf("udp_sendmsg:   %s\n", n < 0    ? why
					      : n >= 4 ? "(iocb, sk, msg, len)"
						       : "(sk, msg, len)");
		n = btf_func_arity(f->btf, "tcp_sendmsg");
		printf("tcp_sendmsg:   %s\n", n < 0    ? "not in BTF (udp_sendmsg's arity is used)"
					      : n >= 4 ? "(iocb, sk, msg, size)"
						       : "(sk, msg, size)");
	}
	f->tpok = kernel_perf_tracepoint_ok();
	printf("tracepoints:   %s\n",
	       f->tpok == 0 ? "yes (perf_event_open of sys_enter_sendto ok)" : strerror(-f->tpok));
	printf("perf events:   %s\n", f->tpok == 0 ? "yes" : "unknown");
	printf("bpf helpers:   %s\n", f->bad ? "unknown"
				      : kernel_has_split_read()
					  ? "bpf_probe_read_user/kernel (5.5+)"
					  : "bpf_probe_read (legacy object)");
}

/* The backend `dnsvis trace` would use; the exit status. */
static int report_backend(const struct findings *f)
{
	if (f->bad) {
		printf("backend:       none\n");
		fprintf(stderr, "dnsvis: doctor: tracing cannot work here (see above)\n");
		return 1;
	}
	if (f->kp && f->kpl)
		printf("backend:       kprobe (auto; falls back to tracepoint if attach fails)\n");
	else if (f->tpok == 0)
		printf("backend:       tracepoint (auto)\n");
	else {
		printf("backend:       none\n");
		fprintf(stderr, "dnsvis: doctor: neither kprobes nor syscall tracepoints work\n");
		return 1;
	}
	return 0;
}

int doctor_main(int argc, char **argv)
{
	struct findings f = {0};
	const char *btf_opt = NULL;
	int rc = parse_args(argc, argv, &btf_opt);

	if (rc >= 0)
		return rc;
	libbpf_set_print(NULL);
	check_access(btf_opt, &f);
	check_probes(&f);
	return report_backend(&f);
}
