/* cmd.c - `dnsvis btf`: list and extract the BTF built into dnsvis,
 * say which BTF dnsvis would use here, show the msghdr/iov_iter layout the
 * kprobe backend depends on, and load-check the programs against a BTF
 * file (old kernels' layouts checked on this kernel). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf/archive.h"
#include "btf/cmd.h"
#include "btf/lookup.h"
#include "enrich/host_root.h"
#include "live/features.h"
#include "live/load.h"
#include "util/cli.h"

static void btf_usage(FILE *f)
{
	fprintf(f,
		"usage: dnsvis btf list                  kernels whose BTF is built in\n"
		"       dnsvis btf which [--btf FILE] [--host-root DIR]\n"
		"                                        the BTF dnsvis would use here, and why\n"
		"       dnsvis btf extract DIR           write the built-in BTF files to\n"
		"                                        DIR/ID/VERSION_ID/ARCH/RELEASE.btf\n"
		"       dnsvis btf offsets FILE          msghdr/iov_iter layout in a BTF file\n"
		"       dnsvis btf load-check --btf FILE [--legacy] [--backend kprobe|tracepoint]\n"
		"                                        [--responses]\n"
		"       dnsvis btf load-check --btf FILE --obj BPF_OBJECT\n"
		"                                        load (not attach) the programs with FILE\n"
		"                                        as the relocation target (root);\n"
		"                                        --responses: the receive programs too;\n"
		"                                        -v, --verbose: libbpf's log on stderr\n");
}

static int btf_list(void)
{
	struct btf_archive a;
	struct btf_archive_entry e;
	unsigned long long zt = 0, rt = 0;
	char why[256];

	if (btf_embedded_archive(&a, why, sizeof(why)) != 0) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return 1;
	}
	if (a.count == 0) {
		printf("no BTF built in (dnsvis was built without a BTFHub archive)\n");
		return 0;
	}
	printf("%-10s %-10s %-7s %-44s %8s %9s\n", "ID", "VERSION_ID", "ARCH", "RELEASE", "PACKED",
	       "BTF");
	for (uint32_t i = 0; i < a.count; i++) {
		btf_archive_entry(&a, i, &e);
		printf("%-10s %-10s %-7s %-44s %8u %9u\n", e.key.id, e.key.version_id, e.key.arch,
		       e.key.release, e.zlen, e.rawlen);
		zt += e.zlen;
		rt += e.rawlen;
	}
	printf("%u kernels, %llu bytes packed, %llu bytes of BTF\n", a.count, zt, rt);
	return 0;
}

static int btf_which(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"btf", required_argument, NULL, 'b'},
	    {"host-root", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *opt = NULL, *p;
	char why[1024];
	int custom, c;

	cli_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'b') {
			opt = optarg;
		} else if (c == 'R') {
			if (host_root_set(optarg) != 0)
				return cli_usage_err("btf which",
						     "--host-root '%s' is not a directory", optarg);
		} else if (c == 'h') {
			btf_usage(stdout);
			return 0;
		} else {
			return cli_bad_option("btf which", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_err("btf which", "unexpected argument '%s'", argv[optind]);
	p = btf_select(opt, host_root(), &custom, why, sizeof(why));
	if (!p) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return 1;
	}
	for (int i = 0; i < btf_tried_count(); i++)
		printf("passed over: %s\n", btf_tried(i));
	printf("btf: %s\n", btf_source_describe());
	printf("path: %s%s\n", p, custom ? " (given to libbpf as btf_custom_path)" : "");
	return 0;
}

static int mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

static int btf_extract(int argc, char **argv)
{
	struct btf_archive a;
	struct btf_archive_entry e;
	char why[256], path[PATH_MAX];
	int bad = 0;

	if (argc != 2) {
		btf_usage(stderr);
		return 2;
	}
	if (btf_embedded_archive(&a, why, sizeof(why)) != 0) {
		fprintf(stderr, "dnsvis: %s\n", why);
		return 1;
	}
	for (uint32_t i = 0; i < a.count; i++) {
		unsigned char *raw;
		size_t rl;
		FILE *f;

		btf_archive_entry(&a, i, &e);
		snprintf(path, sizeof(path), "%s/%s/%s/%s/%s.btf", argv[1], e.key.id,
			 e.key.version_id, e.key.arch, e.key.release);
		if (btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)) != 0) {
			fprintf(stderr, "dnsvis: %s\n", why);
			bad = 1;
			continue;
		}
		f = mkdirs(path) == 0 ? fopen(path, "we") : NULL;
		if (!f || fwrite(raw, 1, rl, f) != rl) {
			fprintf(stderr, "dnsvis: %s: %s\n", path, strerror(errno));
			bad = 1;
		} else {
			printf("%s\n", path);
		}
		if (f && fclose(f) != 0)
			bad = 1;
		free(raw);
	}
	return bad;
}

/* ---- offsets: the layout the kprobe backend depends on ------------------- */

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* Member name of struct/union tid, looking into anonymous members; bit
 * offset from the start of tid in *bits, its type in *mtype. */
static int find_member(const struct btf *btf, __u32 tid, const char *name, long base, long *bits,
		       __u32 *mtype, int depth)
{
	const struct btf_type *t = skip_mods(btf, &tid);
	const struct btf_member *m;

	if (!t || depth > 8 || !(btf_is_struct(t) || btf_is_union(t)))
		return -1;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf__name_by_offset(btf, m[i].name_off);
		long off = base + (long)btf_member_bit_offset(t, (__u32)i);

		if (mn && *mn && !strcmp(mn, name)) {
			*bits = off;
			*mtype = m[i].type;
			return 0;
		}
		if ((!mn || !*mn) &&
		    find_member(btf, m[i].type, name, off, bits, mtype, depth + 1) == 0)
			return 0;
	}
	return -1;
}

/* Print "SNAME.FIELD OFFSET [TYPE]" for the first of names found in tid or,
 * failing that, in any struct named like tid's type (BTF that is not
 * deduplicated, or minimized, has several copies; libbpf's candidate search
 * looks at all of them the same way).  "SNAME.NAME -" when none has it. */
static void print_member(const struct btf *btf, __u32 tid, const char *sname,
			 const char *const *names, int with_type, __u32 *found_type)
{
	const struct btf_type *st = btf__type_by_id(btf, tid);
	const char *tname = st ? btf__name_by_offset(btf, st->name_off) : NULL;
	__u32 n = btf__type_cnt(btf);
	long bits;
	__u32 mt;

	for (__u32 cand = 0; cand < n; cand++) {
		__u32 id = cand ? cand : tid;

		if (cand) {
			const struct btf_type *t = btf__type_by_id(btf, cand);
			const char *cn = btf__name_by_offset(btf, t->name_off);

			if (cand == tid || !btf_is_struct(t) || !tname || !cn ||
			    strcmp(cn, tname) != 0)
				continue;
		}
		for (int k = 0; names[k]; k++) {
			if (find_member(btf, id, names[k], 0, &bits, &mt, 0) != 0)
				continue;
			printf("%s.%s %ld", sname, names[k], bits / 8);
			if (with_type) {
				const struct btf_type *t = btf__type_by_id(btf, mt);
				const char *tn = t ? btf__name_by_offset(btf, t->name_off) : NULL;

				printf(" %s", tn && *tn ? tn : "(anon)");
			}
			printf("\n");
			if (found_type)
				*found_type = mt;
			return;
		}
	}
	printf("%s.%s -\n", sname, names[0]);
}

/* ITER_IOVEC: enum iter_type (4.20+), else the unnamed enum before it */
static void print_iter_iovec(const struct btf *btf)
{
	for (__u32 i = 1; i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *en = btf__name_by_offset(btf, t->name_off);

		if (!btf_is_enum(t))
			continue;
		for (int k = 0; k < btf_vlen(t); k++) {
			const struct btf_enum *v = btf_enum(t) + k;

			if (strcmp(btf__name_by_offset(btf, v->name_off), "ITER_IOVEC") != 0)
				continue;
			printf("ITER_IOVEC %d %s%s\n", v->val,
			       en && *en ? "enum " : "anonymous enum", en && *en ? en : "");
			return;
		}
	}
	printf("ITER_IOVEC - none\n");
}

static int btf_offsets(int argc, char **argv)
{
	static const char *const name_f[] = {"msg_name", NULL};
	static const char *const iter_f[] = {"msg_iter", NULL};
	static const char *const type_f[] = {"type", "iter_type", NULL};
	static const char *const iov_f[] = {"iov", "__iov", NULL};
	const char *path = argc == 2 ? argv[1] : argc == 3 ? argv[2] : NULL;
	__u32 iter_t = 0;
	struct btf *btf;
	int id;

	if (!path || (argc == 3 && strcmp(argv[1], "--btf") != 0)) {
		btf_usage(stderr);
		return 2;
	}
	libbpf_set_print(NULL);
	btf = btf__parse(path, NULL);
	if (!btf) {
		fprintf(stderr, "dnsvis: %s: not a BTF file: %s\n", path, strerror(errno));
		return 1;
	}
	id = btf__find_by_name_kind(btf, "msghdr", BTF_KIND_STRUCT);
	if (id <= 0) {
		printf("msghdr.msg_name -\nmsghdr.msg_iter -\n");
	} else {
		print_member(btf, (__u32)id, "msghdr", name_f, 0, NULL);
		print_member(btf, (__u32)id, "msghdr", iter_f, 0, &iter_t);
	}
	if (iter_t) {
		skip_mods(btf, &iter_t);
		print_member(btf, iter_t, "iov_iter", type_f, 1, NULL);
		print_member(btf, iter_t, "iov_iter", iov_f, 0, NULL);
	} else {
		printf("iov_iter.type -\niov_iter.iov -\n");
	}
	print_iter_iovec(btf);
	btf__free(btf);
	return 0;
}

/* ---- load-check ---------------------------------------------------------- */

static char *logbuf;
static size_t loglen, logcap;
static int log_echo;

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	(void)level;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq); // NOLINT(clang-analyzer-valist.Uninitialized): va_copy'd
	va_end(aq);
	if (n <= 0)
		return n;
	if (loglen + (size_t)n + 1 > logcap) {
		size_t nc = (logcap ? logcap * 2 : 65536) + (size_t)n;
		char *nb = realloc(logbuf, nc);

		if (!nb)
			return 0;
		logbuf = nb;
		logcap = nc;
	}
	vsnprintf(logbuf + loglen, (size_t)n + 1, fmt, ap);
	if (log_echo)
		fputs(logbuf + loglen, stderr);
	loglen += (size_t)n;
	return n;
}

/* "<byte_off> [123] struct msghdr.msg_iter (0:6 @ offset 16)" without the
 * type id, which differs between candidates. */
static void spec_noid(const char *s, char *out, size_t ol)
{
	const char *b = strchr(s, '[');
	const char *e = b ? strchr(b, ']') : NULL;

	if (b && e && e[1] == ' ')
		snprintf(out, ol, "%.*s%s", (int)(b - s), s, e + 2);
	else
		snprintf(out, ol, "%s", s);
}

static int seen(char (*list)[256], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

/* Summarise the captured libbpf log: every resolved relocation target
 * (deduplicated), every relocation libbpf could not resolve and poisoned
 * (harmless only when the verifier proves it unreachable), and the
 * verifier's "failed to resolve CO-RE relocation" lines. */
static int report_relos(int failed)
{
	enum { MAXR = 512 };
	static char resolved[MAXR][256], poisoned[MAXR][256];
	static char local[MAXR][256]; /* "prog#relo local-spec" of the last seen */
	int nr = 0, np = 0, nl = 0, unres = 0;
	char *line = logbuf, *next;

	for (; line && *line; line = next) {
		char *nl_p = strchr(line, '\n'), prog[128], rest[1024], buf[256];
		int relo, cand;

		next = nl_p ? nl_p + 1 : NULL;
		if (nl_p)
			*nl_p = 0;
		if (strstr(line, "failed to resolve CO-RE relocation")) {
			printf("unresolved relocation: %s\n", strstr(line, "failed to resolve"));
			unres++;
		} else if (sscanf(line,
				  "libbpf: prog '%127[^']': relo #%d: matching candidate #%d "
				  "%1023[^\n]",
				  prog, &relo, &cand, rest) == 4) {
			spec_noid(rest, buf, sizeof(buf));
			if (nr < MAXR && !seen(resolved, nr, buf))
				snprintf(resolved[nr++], sizeof(buf), "%s", buf);
		} else if (strstr(line, "w/ invalid insn") &&
			   sscanf(line, "libbpf: prog '%127[^']': relo #%d:", prog, &relo) == 2) {
			char key[160];

			snprintf(key, sizeof(key), "%s#%d ", prog, relo);
			for (int i = nl - 1; i >= 0; i--) {
				if (strncmp(local[i], key, strlen(key)) != 0)
					continue;
				if (np < MAXR && !seen(poisoned, np, local[i] + strlen(key)))
					snprintf(poisoned[np++], sizeof(buf), "%s",
						 local[i] + strlen(key));
				break;
			}
		} else if (sscanf(line, "libbpf: prog '%127[^']': relo #%d: %1023[^\n]", prog,
				  &relo, rest) == 3 &&
			   rest[0] == '<' && nl < MAXR) {
			spec_noid(rest, buf, sizeof(buf));
			snprintf(local[nl++], sizeof(local[0]), "%.100s#%d %.140s", prog, relo,
				 buf);
		}
	}
	for (int i = 0; i < nr; i++)
		printf("resolved %s\n", resolved[i]);
	for (int i = 0; i < np; i++)
		printf("poisoned %s%s\n", poisoned[i],
		       failed ? "" : " (not in this kernel; guarded, unreachable)");
	return unres;
}

struct load_check_args {
	const char *btf, *obj;
	int legacy, kprobe, responses;
};

/* One option of load-check: -1 to go on, else the exit status. */
static int load_check_opt(int c, char **argv, struct load_check_args *a)
{
	switch (c) {
	case 'b':
		a->btf = optarg;
		return -1;
	case 'O':
		a->obj = optarg;
		return -1;
	case 'L':
		a->legacy = 1;
		return -1;
	case 'R':
		a->responses = 1;
		return -1;
	case 'B':
		if (!strcmp(optarg, "kprobe"))
			a->kprobe = 1;
		else if (strcmp(optarg, "tracepoint") != 0)
			return cli_usage_err("btf load-check", "unknown backend '%s'", optarg);
		return -1;
	case 'v':
		log_echo = 1;
		return -1;
	case 'h':
		btf_usage(stdout);
		return 0;
	default:
		return cli_bad_option("btf load-check", c, argv);
	}
}

/* -1 to go on, else the exit status. */
static int load_check_parse(int argc, char **argv, struct load_check_args *a)
{
	static const struct option opts[] = {
	    {"btf", required_argument, NULL, 'b'},     {"obj", required_argument, NULL, 'O'},
	    {"legacy", no_argument, NULL, 'L'},	       {"responses", no_argument, NULL, 'R'},
	    {"backend", required_argument, NULL, 'B'}, {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	int c, rc;

	cli_begin();
	while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
		rc = load_check_opt(c, argv, a);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage_err("btf load-check", "unexpected argument '%s'", argv[optind]);
	if (!a->btf || access(a->btf, R_OK) != 0) {
		return cli_usage_err("btf load-check", "--btf FILE needed (%s)",
				     a->btf ? strerror(errno) : "missing");
	}
	return -1;
}

/* --obj: load any BPF object with btf as the relocation target.  0 or
 * -errno with a reason in why. */
static int load_object(const char *obj, const char *btf, char *why, size_t wl)
{
	struct bpf_object_open_opts oo;
	struct bpf_object *o;
	struct bpf_program *p;
	int err;

	memset(&oo, 0, sizeof(oo));
	oo.sz = sizeof(oo);
	oo.btf_custom_path = btf;
	o = bpf_object__open_file(obj, &oo);

	err = o ? 0 : -errno;
	if (!err)
		err = bpf_object__load(o);
	if (err)
		snprintf(why, wl, "loading %s failed: %s", obj, strerror(-err));
	for (p = o ? bpf_object__next_program(o, NULL) : NULL; p && !err;
	     p = bpf_object__next_program(o, p))
		printf("loaded %s\n", bpf_program__name(p));
	bpf_object__close(o);
	return err;
}

static int btf_load_check(int argc, char **argv)
{
	struct load_check_args a = {0};
	char why[512] = "";
	int err, unres;

	err = load_check_parse(argc, argv, &a);
	if (err >= 0)
		return err;
	memlock_raise();
	libbpf_set_print(capture_print);
	if (a.obj)
		err = load_object(a.obj, a.btf, why, sizeof(why));
	else
		err = trace_load_check(a.btf, a.legacy, a.kprobe, a.responses, why, sizeof(why));
	libbpf_set_print(NULL);
	unres = report_relos(err != 0);
	if (err || unres) {
		printf("result: FAIL: %s\n", why[0] ? why : "unresolved relocations");
		return 1;
	}
	printf("result: ok\n");
	return 0;
}

int btf_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		btf_usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "list") && argc == 2)
		return btf_list();
	if (!strcmp(cmd, "which"))
		return btf_which(argc - 1, argv + 1);
	if (!strcmp(cmd, "extract"))
		return btf_extract(argc - 1, argv + 1);
	if (!strcmp(cmd, "offsets"))
		return btf_offsets(argc - 1, argv + 1);
	if (!strcmp(cmd, "load-check"))
		return btf_load_check(argc - 1, argv + 1);
	fprintf(stderr, "dnsvis: btf: unknown command '%s'\n", cmd);
	btf_usage(stderr);
	return 2;
}
