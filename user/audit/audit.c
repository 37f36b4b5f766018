/* audit.c - `dnsvis audit`: the command line and the main flow.
 *
 * audit's own options (-d, --allow, --deny, --search, --replay, -o, -w, -h)
 * are taken here; every other argument is passed on to trace_run() or
 * replay_run() as it is.  The events come back through an event_sink
 * consumer (aggregate.c); the report (report.c) is printed when the trace
 * or the captures end.
 */
#include "audit/audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_internal.h"
#include "live/trace.h"
#include "output/sink.h"
#include "replay/replay.h"

/* ---- command line -------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnsvis audit [-d DURATION] [trace filters and options] [--allow FILE]\n"
		"                    [--deny FILE] [--search DOMAIN]... [-o text|json] [-w FILE]\n"
		"       dnsvis audit --replay [-p PORT]... [--allow FILE] [--deny FILE]\n"
		"                    [--search DOMAIN]... [-o text|json] [-w FILE] FILE...\n"
		"  -d, --duration D   trace this long (seconds, or with s/m/h suffix); else until\n"
		"                     SIGINT/SIGTERM\n"
		"      --allow FILE   names that may be queried (exact, *.suffix, # comments)\n"
		"      --deny FILE    names that must not be queried\n"
		"      --search DOM   a search domain whose expansions of allowed names are\n"
		"                     not violations (besides each process's resolv.conf)\n"
		"      --replay       read capture FILEs instead of tracing\n"
		"  -o, --output F     report format: text (default) or json\n"
		"  -w, --write FILE   also append every event as a JSON line to FILE\n"
		"Other options (--pid, --comm, --domain, -p, --stats, ...) are those of\n"
		"'dnsvis trace' (or 'dnsvis replay' with --replay).\n"
		"Exit status: 0 no violation, 3 violations, 1 error, 2 usage.\n");
}

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "dnsvis: audit: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, " (see 'dnsvis audit --help')\n");
	return AUDIT_EXIT_USAGE;
}

/* "90", "1.5", "30s", "5m", "2h" -> seconds; -1 if bad */
static double parse_duration(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -1;
	if (*end == 0 || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return -1;
}

/* Is argv[i] the option long/short (as "--long", "--long=V", "-s", "-sV")?
 * Sets *val for options with a value (consuming argv[i+1] when needed). */
static int is_opt(int argc, char **argv, int *i, const char *lng, char shrt, int has_val,
		  const char **val, int *missing)
{
	const char *a = argv[*i];
	size_t ll = strlen(lng);

	*missing = 0;
	if (!strncmp(a, "--", 2) && !strncmp(a + 2, lng, ll) &&
	    (a[2 + ll] == 0 || (has_val && a[2 + ll] == '='))) {
		if (!has_val)
			return 1;
		if (a[2 + ll] == '=') {
			*val = a + 3 + ll;
			return 1;
		}
	} else if (shrt && a[0] == '-' && a[1] == shrt) {
		if (!has_val)
			return a[2] == 0;
		if (a[2]) {
			*val = a + 2;
			return 1;
		}
	} else {
		return 0;
	}
	if (*i + 1 >= argc) {
		*missing = 1;
		return 1;
	}
	*val = argv[++*i];
	return 1;
}

/* What the command line of `dnsvis audit` asks for. */
struct audit_args {
	const char **fwd; /* the arguments for trace_run() or replay_run() */
	int nf;
	const char **search; /* the --search domains */
	struct audit_config cfg;
	struct allowlist *allow, *deny;
	const char *write_path;
	int replay, dashdash;
	char dur[64]; /* --duration in seconds, as passed on with -d */
};

#define ARGS_GO_ON (-1) /* parsed; not an exit status */

static int needs_value(const char *opt)
{
	return usage_err("option '%s' needs a value", opt);
}

static int opt_output(struct audit_args *aa, const char *v)
{
	if (!strcmp(v, "text"))
		aa->cfg.format = AUDIT_TEXT;
	else if (!strcmp(v, "json"))
		aa->cfg.format = AUDIT_JSON;
	else
		return usage_err("unknown report format '%s' (text, json)", v);
	return ARGS_GO_ON;
}

/* --allow or --deny FILE: add FILE's names to *l (made on first use). */
static int opt_list(struct allowlist **l, const char *path)
{
	char err[600];

	if (!*l && !(*l = allowlist_new())) {
		fprintf(stderr, "dnsvis: audit: out of memory\n");
		return AUDIT_EXIT_ERROR;
	}
	if (allowlist_load_file(*l, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "dnsvis: audit: %s\n", err);
		return AUDIT_EXIT_ERROR;
	}
	return ARGS_GO_ON;
}

static int opt_duration(struct audit_args *aa, const char *v)
{
	double s = parse_duration(v);

	if (s <= 0)
		return usage_err("bad --duration '%s' (e.g. 90, 30s, 5m, 1h)", v);
	snprintf(aa->dur, sizeof(aa->dur), "%.3f", s);
	aa->fwd[aa->nf++] = "-d";
	aa->fwd[aa->nf++] = aa->dur;
	return ARGS_GO_ON;
}

/* argv[*i], with its value when it takes one: audit's own options are
 * taken, the others are passed on in fwd.  An exit status, or ARGS_GO_ON. */
static int parse_arg(struct audit_args *aa, int argc, char **argv, int *i)
{
	const char *v = NULL;
	int missing, is_allow;

	if (aa->dashdash || argv[*i][0] != '-' || argv[*i][1] == 0) {
		aa->fwd[aa->nf++] = argv[*i];
		return ARGS_GO_ON;
	}
	if (!strcmp(argv[*i], "--")) {
		aa->dashdash = 1;
		aa->fwd[aa->nf++] = argv[*i];
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "help", 'h', 0, &v, &missing)) {
		usage(stdout);
		return AUDIT_EXIT_OK;
	}
	if (is_opt(argc, argv, i, "replay", 0, 0, &v, &missing)) {
		aa->replay = 1;
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "output", 'o', 1, &v, &missing))
		return missing ? needs_value(argv[*i]) : opt_output(aa, v);
	is_allow = is_opt(argc, argv, i, "allow", 0, 1, &v, &missing);
	if (is_allow || is_opt(argc, argv, i, "deny", 0, 1, &v, &missing))
		return missing ? needs_value(argv[*i])
			       : opt_list(is_allow ? &aa->allow : &aa->deny, v);
	if (is_opt(argc, argv, i, "search", 0, 1, &v, &missing)) {
		if (missing || !*v)
			return needs_value(argv[*i]);
		aa->search[aa->cfg.nsearch++] = v;
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "write", 'w', 1, &v, &missing)) {
		if (missing)
			return needs_value(argv[*i]);
		aa->write_path = v;
		return ARGS_GO_ON;
	}
	if (is_opt(argc, argv, i, "duration", 'd', 1, &v, &missing))
		return missing ? needs_value(argv[*i]) : opt_duration(aa, v);
	aa->fwd[aa->nf++] = argv[*i];
	return ARGS_GO_ON;
}

/* The whole command line: an exit status, or ARGS_GO_ON. */
static int parse_args(struct audit_args *aa, int argc, char **argv)
{
	aa->fwd[aa->nf++] = argv[0];
	for (int i = 1; i < argc; i++) {
		int rc = parse_arg(aa, argc, argv, &i);

		if (rc != ARGS_GO_ON)
			return rc;
	}
	aa->fwd[aa->nf] = NULL;
	if (aa->replay) {
		for (int i = 1; i < aa->nf; i++)
			if (!strcmp(aa->fwd[i], "-d") && aa->fwd[i + 1] == aa->dur)
				return usage_err("%s: -d/--duration is for live audits",
						 "--replay");
	}
	return ARGS_GO_ON;
}

/* Feed a from the live trace or the captures (the times it took in t0 and
 * t1): 0, or the exit status of a failure. */
static int audit_collect(const struct audit_args *aa, struct audit *a, struct event_sink *sink,
			 struct timespec *t0, struct timespec *t1)
{
	static const struct output_opts jo = {OUTPUT_JSON, NULL, NULL};
	int rc;

	memset(sink, 0, sizeof(*sink));
	sink->consume = audit_consume;
	sink->arg = a;
	if (aa->write_path) {
		if (sink_open_write(sink, aa->write_path, &jo) != 0)
			return AUDIT_EXIT_ERROR;
		sink_catch_sighup();
	}
	clock_gettime(CLOCK_REALTIME, t0);
	if (aa->replay)
		rc = replay_run(aa->nf, (char **)aa->fwd, sink);
	else
		rc = trace_run(aa->nf, (char **)aa->fwd, sink);
	clock_gettime(CLOCK_REALTIME, t1);
	if (sink->wfile && sink_close(sink) != 0 && rc == 0)
		rc = AUDIT_EXIT_ERROR;
	if (rc != 0) /* 2 stays 2 (usage); any other failure is an error */
		return rc == AUDIT_EXIT_USAGE ? AUDIT_EXIT_USAGE : AUDIT_EXIT_ERROR;
	return 0;
}

/* The report on stdout, and the exit status it makes. */
static int audit_finish(struct audit *a, const struct audit_args *aa, const struct event_sink *sink,
			const struct timespec *t0, const struct timespec *t1)
{
	unsigned long nv = audit_report(a, stdout, aa->replay ? "replay" : "live", t0, t1,
					sink->lost, sink->malformed);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dnsvis: audit: writing the report: %s\n", strerror(errno));
		return AUDIT_EXIT_ERROR;
	}
	if (audit_out_of_memory(a)) {
		fprintf(stderr, "dnsvis: audit: out of memory: the report is incomplete\n");
		return AUDIT_EXIT_ERROR;
	}
	return nv ? AUDIT_EXIT_VIOLATION : AUDIT_EXIT_OK;
}

static int audit_run(struct audit_args *aa)
{
	struct event_sink sink;
	struct timespec t0, t1;
	struct audit *a;
	int rc;

	aa->cfg.allow = aa->allow;
	aa->cfg.deny = aa->deny;
	aa->cfg.search = aa->search;
	aa->cfg.check_servers = !aa->replay;
	a = audit_new(&aa->cfg);
	if (!a) {
		fprintf(stderr, "dnsvis: audit: out of memory\n");
		return AUDIT_EXIT_ERROR;
	}
	rc = audit_collect(aa, a, &sink, &t0, &t1);
	if (rc == 0)
		rc = audit_finish(a, aa, &sink, &t0, &t1);
	audit_free(a);
	return rc;
}

int audit_main(int argc, char **argv)
{
	struct audit_args aa;
	int rc;

	memset(&aa, 0, sizeof(aa));
	/* each argument passes on as at most two ("-d5" is "-d" "5.000") */
	aa.fwd = calloc(2 * (size_t)argc + 2, sizeof(char *));
	aa.search = calloc((size_t)argc + 1, sizeof(char *));
	if (!aa.fwd || !aa.search) {
		fprintf(stderr, "dnsvis: audit: out of memory\n");
		rc = AUDIT_EXIT_ERROR;
	} else {
		rc = parse_args(&aa, argc, argv);
		if (rc == ARGS_GO_ON)
			rc = audit_run(&aa);
	}
	allowlist_free(aa.allow);
	allowlist_free(aa.deny);
	free(aa.fwd);
	free(aa.search);
	return rc;
}
