/* audit.c - `dnsvis audit`: the command line and the main flow.
 *
 * audit's own options (-d, --allow, --deny, --search, --replay, -o, -w, -h)
 * are taken here.  Every other option of trace (or, with --replay, of
 * replay) is passed on to trace_run() or replay_run() in its full
 * spelling, with its value, and the capture FILEs follow a "--": so audit
 * accepts what those accept, and they judge the values.  The events come
 * back through an event_sink consumer (aggregate.c); the report
 * (report.c) is printed when the trace or the captures end.
 */
#include "audit/audit.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_internal.h"
#include "live/trace.h"
#include "output/sink.h"
#include "replay/replay.h"
#include "util/cli.h"

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
		"      --responses    rcodes, timeouts, unsolicited responses and latency\n"
		"                     p50/p95/p99/max per workload and domain (--timeout S,\n"
		"                     --max-pending N as for trace and replay)\n"
		"  -o, --output F     report format: text (default) or json\n"
		"  -w, --write FILE   also append every event as a JSON line to FILE\n"
		"Other options (--pid, --comm, --domain, -p, --stats, ...) are those of\n"
		"'dnsvis trace' (or 'dnsvis replay' with --replay).\n"
		"Exit status: 0 no violation, 3 violations, 1 error, 2 usage.\n");
}

static int out_of_memory(void)
{
	fprintf(stderr, "dnsvis: audit: out of memory\n");
	return AUDIT_EXIT_ERROR;
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

/* ---- the option table ---------------------------------------------------- */

enum {
	OPT_ALLOW = 256,
	OPT_DENY,
	OPT_SEARCH,
	OPT_REPLAY,
	OPT_RESPONSES,
	OPT_PASS = 512, /* OPT_PASS + i: passed-on long option i */
};

static const char own_short[] = "o:d:w:h";
static const struct option own_long[] = {
    {"output", required_argument, NULL, 'o'},
    {"duration", required_argument, NULL, 'd'},
    {"write", required_argument, NULL, 'w'},
    {"allow", required_argument, NULL, OPT_ALLOW},
    {"deny", required_argument, NULL, OPT_DENY},
    {"search", required_argument, NULL, OPT_SEARCH},
    {"replay", no_argument, NULL, OPT_REPLAY},
    {"responses", no_argument, NULL, OPT_RESPONSES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A long option of trace or replay that audit passes on. */
struct passed_option {
	char *spelled; /* "--NAME" */
	int has_value;
};

/* getopt_long()'s view of the command line: audit's own options, then the
 * other options of trace and replay.  Each passed-on long option has a val
 * of its own, so that getopt_long() still finds abbreviations of two of
 * them ambiguous, as trace and replay do. */
struct opt_table {
	struct option *longs;
	struct passed_option *pass;
	size_t npass;
	char shorts[64];     /* ":" then each option letter once */
	char letter[128][3]; /* "-c" for option letter c */
};

static size_t count_options(const struct option *o)
{
	size_t n = 0;

	while (o[n].name)
		n++;
	return n;
}

static int has_long(const struct option *o, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(o[i].name, name))
			return 1;
	return 0;
}

/* The letters of optstring src (each with its colons) not in t yet. */
static void add_shorts(struct opt_table *t, const char *src)
{
	while (*src) {
		size_t k = 1, len = strlen(t->shorts);

		while (src[k] == ':')
			k++;
		if (*src != ':' && !strchr(t->shorts, *src) && len + k < sizeof(t->shorts)) {
			memcpy(t->shorts + len, src, k);
			t->shorts[len + k] = 0;
			snprintf(t->letter[*src & 0x7f], sizeof(t->letter[0]), "-%c", *src);
		}
		src += k;
	}
}

/* The long options of src not in t yet, as passed-on options.  0 or -1. */
static int add_longs(struct opt_table *t, size_t *n, const struct option *src)
{
	for (; src->name; src++) {
		struct passed_option *p = &t->pass[t->npass];

		if (has_long(t->longs, *n, src->name))
			continue;
		if (asprintf(&p->spelled, "--%s", src->name) < 0)
			return -1;
		p->has_value = src->has_arg != no_argument;
		t->longs[*n] =
		    (struct option){src->name, src->has_arg, NULL, OPT_PASS + (int)t->npass};
		t->npass++;
		(*n)++;
	}
	return 0;
}

static void opt_table_free(struct opt_table *t)
{
	for (size_t i = 0; i < t->npass; i++)
		free(t->pass[i].spelled);
	free(t->pass);
	free(t->longs);
}

/* 0, or -1 when out of memory. */
static int opt_table_make(struct opt_table *t)
{
	size_t max = count_options(own_long) + count_options(trace_options) +
		     count_options(replay_options),
	       n = count_options(own_long);

	memset(t, 0, sizeof(*t));
	t->longs = calloc(max + 1, sizeof(*t->longs)); /* + 1: the end mark */
	t->pass = calloc(max + 1, sizeof(*t->pass));   /* + 1: never calloc(0) */
	if (!t->longs || !t->pass)
		return -1;
	memcpy(t->longs, own_long, n * sizeof(*t->longs));
	if (add_longs(t, &n, trace_options) != 0 || add_longs(t, &n, replay_options) != 0)
		return -1;
	t->shorts[0] = ':'; /* ':' for a missing value, '?' for an unknown option */
	add_shorts(t, own_short);
	add_shorts(t, trace_optstring);
	add_shorts(t, replay_optstring);
	return 0;
}

static int short_has_value(const struct opt_table *t, int c)
{
	const char *s = strchr(t->shorts, c);

	return s && s[1] == ':';
}

/* ---- the command line ---------------------------------------------------- */

/* What the command line of `dnsvis audit` asks for. */
struct audit_args {
	const char **fwd; /* the arguments for trace_run() or replay_run() */
	int nf, fwd_cap;
	const char **search; /* the --search domains */
	struct audit_config cfg;
	struct allowlist *allow, *deny;
	const char *write_path;
	int replay, duration_given;
	char dur[64]; /* --duration in seconds, as passed on with -d */
};

#define ARGS_GO_ON (-1) /* parsed; not an exit status */

/* Append arg to fwd (which stays NULL-terminated).  0 or -1. */
static int fwd_push(struct audit_args *aa, const char *arg)
{
	if (aa->nf + 1 >= aa->fwd_cap) {
		int cap = aa->fwd_cap ? aa->fwd_cap * 2 : 16;
		const char **f = realloc(aa->fwd, (size_t)cap * sizeof(*f));

		if (!f)
			return -1;
		aa->fwd = f;
		aa->fwd_cap = cap;
	}
	aa->fwd[aa->nf++] = arg;
	aa->fwd[aa->nf] = NULL;
	return 0;
}

/* An option of trace or replay: its spelling, then its value (if any). */
static int pass_on(struct audit_args *aa, const char *spelled, const char *value)
{
	if (fwd_push(aa, spelled) != 0 || (value && fwd_push(aa, value) != 0))
		return out_of_memory();
	return ARGS_GO_ON;
}

static int opt_output(struct audit_args *aa, const char *v)
{
	if (!strcmp(v, "text"))
		aa->cfg.format = AUDIT_TEXT;
	else if (!strcmp(v, "json"))
		aa->cfg.format = AUDIT_JSON;
	else
		return cli_usage_err("audit", "unknown report format '%s' (text, json)", v);
	return ARGS_GO_ON;
}

/* --allow or --deny FILE: add FILE's names to *l (made on first use).  A
 * bad file is an error (1), not a usage error. */
static int opt_list(struct allowlist **l, const char *path)
{
	char err[600];

	if (!*l && !(*l = allowlist_new()))
		return out_of_memory();
	if (allowlist_load_file(*l, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "dnsvis: audit: %s\n", err);
		return AUDIT_EXIT_ERROR;
	}
	return ARGS_GO_ON;
}

/* trace's -d takes plain seconds: the suffix is resolved here. */
static int opt_duration(struct audit_args *aa, const char *v)
{
	double s = parse_duration(v);

	if (s <= 0)
		return cli_usage_err("audit", "bad --duration '%s' (e.g. 90, 30s, 5m, 1h)", v);
	snprintf(aa->dur, sizeof(aa->dur), "%.3f", s);
	aa->duration_given = 1;
	return ARGS_GO_ON;
}

/* One of audit's own options (value arg): an exit status, or ARGS_GO_ON. */
static int own_option(struct audit_args *aa, int c, const char *arg)
{
	switch (c) {
	case 'o':
		return opt_output(aa, arg);
	case 'd':
		return opt_duration(aa, arg);
	case 'w':
		aa->write_path = arg;
		return ARGS_GO_ON;
	case OPT_ALLOW:
		return opt_list(&aa->allow, arg);
	case OPT_DENY:
		return opt_list(&aa->deny, arg);
	case OPT_SEARCH:
		if (!*arg)
			return cli_usage_err("audit", "option '%s' needs a value", "--search");
		aa->search[aa->cfg.nsearch++] = arg;
		return ARGS_GO_ON;
	case OPT_REPLAY:
		aa->replay = 1;
		return ARGS_GO_ON;
	case OPT_RESPONSES: /* audit's too: the report gets rcodes and latency */
		aa->cfg.responses = 1;
		return pass_on(aa, "--responses", NULL);
	default: /* 'h' */
		usage(stdout);
		return AUDIT_EXIT_OK;
	}
}

/* What getopt_long() returned (c): an exit status, or ARGS_GO_ON. */
static int take_option(struct audit_args *aa, const struct opt_table *t, int c, char **argv)
{
	if (c == ':' || c == '?')
		return cli_bad_option("audit", c, argv);
	if (c >= OPT_PASS) {
		const struct passed_option *p = &t->pass[c - OPT_PASS];

		return pass_on(aa, p->spelled, p->has_value ? optarg : NULL);
	}
	if (c < OPT_ALLOW && !strchr(own_short, c))
		return pass_on(aa, t->letter[c & 0x7f], short_has_value(t, c) ? optarg : NULL);
	return own_option(aa, c, optarg);
}

/* The whole command line: an exit status, or ARGS_GO_ON. */
static int parse_args(struct audit_args *aa, const struct opt_table *t, int argc, char **argv)
{
	int c, rc;

	if (fwd_push(aa, argv[0]) != 0)
		return out_of_memory();
	cli_begin();
	while ((c = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1) {
		rc = take_option(aa, t, c, argv);
		if (rc != ARGS_GO_ON)
			return rc;
	}
	if (aa->replay && aa->duration_given)
		return cli_usage_err("audit", "%s: -d/--duration is for live audits", "--replay");
	if (aa->duration_given && pass_on(aa, "-d", aa->dur) != ARGS_GO_ON)
		return AUDIT_EXIT_ERROR;
	/* the capture FILEs: after "--", so none is read as an option */
	if (optind < argc && fwd_push(aa, "--") != 0)
		return out_of_memory();
	for (; optind < argc; optind++)
		if (fwd_push(aa, argv[optind]) != 0)
			return out_of_memory();
	return ARGS_GO_ON;
}

/* ---- the main flow ------------------------------------------------------- */

/* Feed a from the live trace or the captures (the times it took in t0 and
 * t1): 0, or the exit status of a failure. */
static int audit_collect(const struct audit_args *aa, struct audit *a, struct event_sink *sink,
			 struct timespec *t0, struct timespec *t1)
{
	const struct output_opts jo = {.format = OUTPUT_JSON, .typed = aa->cfg.responses};
	int rc;

	memset(sink, 0, sizeof(*sink));
	sink->consume = audit_consume;
	sink->consume_outcome = audit_consume_outcome;
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

	/* a reader that went away took what it wanted: the verdict stands */
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE &&
	    !sink_reader_gone(stdout)) {
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
	if (!a)
		return out_of_memory();
	rc = audit_collect(aa, a, &sink, &t0, &t1);
	if (rc == 0)
		rc = audit_finish(a, aa, &sink, &t0, &t1);
	audit_free(a);
	return rc;
}

int audit_main(int argc, char **argv)
{
	struct audit_args aa;
	struct opt_table t;
	int rc;

	memset(&aa, 0, sizeof(aa));
	aa.search = calloc((size_t)argc + 1, sizeof(char *)); /* each takes an argument */
	if (opt_table_make(&t) != 0 || !aa.search) {
		rc = out_of_memory();
	} else {
		rc = parse_args(&aa, &t, argc, argv);
		if (rc == ARGS_GO_ON)
			rc = audit_run(&aa);
	}
	opt_table_free(&t);
	allowlist_free(aa.allow);
	allowlist_free(aa.deny);
	free(aa.fwd);
	free(aa.search);
	return rc;
}
