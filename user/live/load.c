/* load.c - open the dnsvis skeleton with the split-read or the legacy
 * ELF, choose the kprobe or tracepoint programs, load them, fill the port
 * set, config and tail-call tables, attach; detach and free at the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "btf/lookup.h"
#include "wire/port_set.h"
#include "live/features.h"
#include "live/load.h"
#include "kern/dnsvis.h"

#include "dnsvis.skel.h"
#include "dnsvis_legacy.skel.h"

static const char *backend_name(enum backend b)
{
	return b == BACKEND_KPROBE ? "kprobe" : "tracepoint";
}

/* 1 when FUNC takes RHEL 7's leading iocb, 0 when not, -1 when the BTF
 * does not have it. */
static int func_takes_iocb(const char *btf_path, const char *func)
{
	int n = btf_func_arity(btf_path, func);

	return n < 0 ? -1 : n >= 4;
}

/* Which layout each kprobe function has: RHEL 7's leading iocb or not. */
struct kp_arity {
	int udp_iocb;	   /* udp_sendmsg, udpv6_sendmsg */
	int tcp_iocb;	   /* tcp_sendmsg */
	int tcp_recv_iocb; /* tcp_recvmsg */
};

/* Which kprobe programs fit: udp_sendmsg decides for udp_sendmsg and
 * udpv6_sendmsg, tcp_sendmsg and tcp_recvmsg for themselves.  A BTF
 * without tcp_sendmsg's or tcp_recvmsg's prototype (one minimized before
 * they were kept) follows udp_sendmsg: all lost their iocb in the same
 * kernel change (4.1).  tcp_recvmsg has 7 arguments with the iocb (RHEL
 * 7), 6 (4.1-5.18) or 5 (5.19+: no nonblock) without.  btf_func_arity's
 * -errno when udp_sendmsg's prototype cannot be read. */
static int kprobe_arity(const char *btf_path, struct kp_arity *a)
{
	int n = btf_func_arity(btf_path, "udp_sendmsg");

	if (n < 0)
		return n;
	a->udp_iocb = n >= 4;
	a->tcp_iocb = func_takes_iocb(btf_path, "tcp_sendmsg");
	if (a->tcp_iocb < 0)
		a->tcp_iocb = a->udp_iocb;
	n = btf_func_arity(btf_path, "tcp_recvmsg");
	a->tcp_recv_iocb = n < 0 ? a->udp_iocb : n >= 7;
	return 0;
}

/* The receive programs of the tracepoint backend (--responses). */
static void set_autoload_recv(struct dnsvis_bpf *s, int on)
{
	struct bpf_program *tp[] = {
	    s->progs.tp_recvfrom,     s->progs.tp_recvfrom_exit, s->progs.tp_recvmsg,
	    s->progs.tp_recvmsg_exit, s->progs.tp_recvmmsg,	 s->progs.tp_recvmmsg_exit,
	    s->progs.tp_read,	      s->progs.tp_read_exit,	 s->progs.tp_readv,
	    s->progs.tp_readv_exit,
	};

	for (unsigned i = 0; i < sizeof(tp) / sizeof(tp[0]); i++)
		bpf_program__set_autoload(tp[i], on);
}

/* The receive programs of the kprobe backend (--responses): tcp_recvmsg's
 * entry in its prototype's layout, tcp_cleanup_rbuf, skb_consume_udp. */
static void set_autoload_kp_recv(struct dnsvis_bpf *s, int on, int recv_iocb)
{
	bpf_program__set_autoload(s->progs.kp_skb_consume_udp, on);
	bpf_program__set_autoload(s->progs.kp_tcp_recvmsg, on && !recv_iocb);
	bpf_program__set_autoload(s->progs.kp_tcp_recvmsg_iocb, on && recv_iocb);
	bpf_program__set_autoload(s->progs.kp_tcp_cleanup_rbuf, on);
}

static void set_autoload(struct dnsvis_bpf *s, enum backend b, const struct kp_arity *a,
			 int responses)
{
	int iocb = a->udp_iocb, tcp_iocb = a->tcp_iocb;

	struct bpf_program *tp[] = {
	    s->progs.tp_sendto,	      s->progs.tp_write,	s->progs.tp_writev,
	    s->progs.tp_sendmsg,      s->progs.tp_sendmmsg,	s->progs.tp_connect,
	    s->progs.tp_close,	      s->progs.dv_tail_tp_proc, s->progs.dv_tail_tp_out,
	    s->progs.dv_tail_tp_mmsg,
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
	bpf_program__set_autoload(s->progs.kp_tcp_sendmsg, kpon && !tcp_iocb);
	bpf_program__set_autoload(s->progs.kp_tcp_sendmsg_iocb, kpon && tcp_iocb);
	set_autoload_recv(s, tpon && responses);
	set_autoload_kp_recv(s, kpon && responses, a->tcp_recv_iocb);
}

/* Open the skeleton with the split-read or the legacy ELF: both have the
 * same maps and programs, so the dnsvis_bpf type serves for either. */
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

/* The port set as the programs' constants: every BPF_MOV64_IMM of a
 * placeholder (kern/dnsvis.h DV_PORT_MAGIC) gets its slot's value.  Before
 * loading; 0, or -errno (-ENOENT: no placeholder found). */
static int patch_ports(struct dnsvis_bpf *s, const struct port_set *ps)
{
	__s32 val[DV_PORT_SLOTS + 1];
	struct bpf_program *p;
	unsigned patched = 0;

	for (unsigned i = 0; i < DV_PORT_SLOTS; i++)
		val[i] = ps->n <= DV_PORT_SLOTS && i < ps->n ? ps->port[i] : DV_PORT_NONE;
	val[DV_PORT_SLOTS] = ps->n > DV_PORT_SLOTS;
	bpf_object__for_each_program(p, s->obj)
	{
		size_t n = bpf_program__insn_cnt(p);
		struct bpf_insn *in = malloc(n * sizeof(*in));
		int err;

		if (!in)
			return -ENOMEM;
		memcpy(in, bpf_program__insns(p), n * sizeof(*in));
		for (size_t i = 0; i < n; i++) {
			if (in[i].code != (BPF_ALU64 | BPF_MOV | BPF_K) ||
			    in[i].imm < DV_PORT_MAGIC || in[i].imm > DV_PORT_MAGIC + DV_PORT_SLOTS)
				continue;
			in[i].imm = val[in[i].imm - DV_PORT_MAGIC];
			patched++;
		}
		err = bpf_program__set_insns(p, in, n);
		free(in);
		if (err)
			return err;
	}
	return patched ? 0 : -ENOENT;
}

static int fill_ports(struct dnsvis_bpf *s, const struct port_set *ports)
{
	static struct dv_port_bits pb;
	__u32 k = 0;

	memset(&pb, 0, sizeof(pb));
	for (unsigned i = 0; i < ports->n; i++)
		pb.bits[ports->port[i] >> 3] |= (unsigned char)(1u << (ports->port[i] & 7));
	if (bpf_map_update_elem(bpf_map__fd(s->maps.ports), &k, &pb, BPF_ANY))
		return -errno;
	return 0;
}

static int fill_tail_calls(struct dnsvis_bpf *s, enum backend b)
{
	int kp = b == BACKEND_KPROBE;
	int tail = bpf_map__fd(kp ? s->maps.tail_kp : s->maps.tail_tp);
	struct bpf_program *progs[DV_TAIL_MAX] = {
	    [DV_TAIL_PROC] = kp ? s->progs.dv_tail_kp_proc : s->progs.dv_tail_tp_proc,
	    [DV_TAIL_OUT] = kp ? s->progs.dv_tail_kp_out : s->progs.dv_tail_tp_out,
	    [DV_TAIL_MMSG] = kp ? NULL : s->progs.dv_tail_tp_mmsg, /* no sendmmsg probe */
	};

	for (__u32 k = 0; k < DV_TAIL_MAX; k++) {
		int fd = progs[k] ? bpf_program__fd(progs[k]) : -1;

		if (fd >= 0 && bpf_map_update_elem(tail, &k, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int fill_maps(struct dnsvis_bpf *s, const struct load_req *r, enum backend b)
{
	struct dv_config cfg = {.flags = DV_CFG_ON | (r->responses ? DV_CFG_RESP : 0),
				.filter_tgid = r->filter_tgid};
	__u32 k = 0;
	int err = fill_ports(s, r->ports);

	if (err)
		return err;
	if (bpf_map_update_elem(bpf_map__fd(s->maps.config), &k, &cfg, BPF_ANY))
		return -errno;
	return fill_tail_calls(s, b);
}

/* A prog array holds references to the programs in it; empty it before
 * closing, so the tail-called programs go with the rest at exit instead of
 * lingering until the kernel releases the map. */
static void clear_tail_calls(struct dnsvis_bpf *s)
{
	const struct bpf_map *maps[] = {s->maps.tail_kp, s->maps.tail_tp};

	for (unsigned m = 0; m < 2; m++)
		for (__u32 k = 0; k < DV_TAIL_MAX; k++)
			bpf_map_delete_elem(bpf_map__fd(maps[m]), &k);
}

static void note_map_fds(struct loaded_bpf *L)
{
	L->events_fd = bpf_map__fd(L->skel->maps.events);
	L->dns_socks_fd = bpf_map__fd(L->skel->maps.dns_socks);
	L->fd_counts_fd = bpf_map__fd(L->skel->maps.fd_counts);
	L->cgroup_filter_fd = bpf_map__fd(L->skel->maps.cgroup_filter);
	L->config_fd = bpf_map__fd(L->skel->maps.config);
	L->counters_fd = bpf_map__fd(L->skel->maps.counters);
	L->proc_sent_fd = bpf_map__fd(L->skel->maps.proc_sent);
}

/* ---- probes: each one loads and attaches on its own terms ---------------- */

enum { MAX_PROBES = 24 };

/* A probe: a program the kernel runs on a send (or, for the tracepoint
 * backend, on connect and close: bookkeeping; with responses, on a
 * receive), and its link.  The tail-called parts are no probes: every
 * probe needs them.  A receive's enter and exit programs work only
 * together: with_next marks the first of such a pair, and one left out
 * takes the other with it. */
struct probe {
	struct bpf_program *prog;
	struct bpf_link **link;
	int sends;     /* sees sends (not bookkeeping, not receives) */
	int with_next; /* works only with the next probe */
};

/* What load_backend() loads: the backend and the kprobe functions' arity. */
struct load_plan {
	const struct load_req *r;
	enum backend b;
	int legacy;
	struct kp_arity ar;
};

/* Why probes were left out: printed once the backend is settled. */
static char notes[MAX_PROBES][320];
static int nnotes;

static void note(const struct bpf_program *p, const char *what, int err)
{
	if (nnotes < MAX_PROBES)
		snprintf(notes[nnotes++], sizeof(notes[0]),
			 "dnsvis: probe %s: cannot %s: %s (tracing without it%s)",
			 bpf_program__section_name(p), what, strerror(-err),
			 strcmp(what, "load") ? "" : "; -v shows the verifier's log");
}

/* p is left out because the other half of its pair (other) is. */
static void note_pair(const struct bpf_program *p, const struct bpf_program *other)
{
	if (nnotes < MAX_PROBES)
		snprintf(notes[nnotes++], sizeof(notes[0]),
			 "dnsvis: probe %s: left out with %s (tracing without both)",
			 bpf_program__section_name(p), bpf_program__section_name(other));
}

/* Probe i of a pair failed: the other half (j) is left out too. */
static int pair_of(const struct probe *p, int n, int i)
{
	if (p[i].with_next && i + 1 < n)
		return i + 1;
	if (i > 0 && p[i - 1].with_next)
		return i - 1;
	return -1;
}

/* The probes of the backend as set_autoload() chose them; how many. */
static int backend_probes(struct dnsvis_bpf *s, const struct load_plan *pl, struct probe *p)
{
	int n = 0;

#define PROBE2(prog_, sends_, next_)                                                               \
	p[n++] = (struct probe)                                                                    \
	{                                                                                          \
		s->progs.prog_, &s->links.prog_, sends_, next_                                     \
	}
#define PROBE(prog_, sends_) PROBE2(prog_, sends_, 0)
	if (pl->b == BACKEND_TRACEPOINT) {
		/* bookkeeping first, so no connect is missed between them */
		PROBE(tp_connect, 0);
		PROBE(tp_close, 0);
		PROBE(tp_sendto, 1);
		PROBE(tp_sendmsg, 1);
		PROBE(tp_sendmmsg, 1);
		PROBE(tp_write, 1);
		PROBE(tp_writev, 1);
		if (!pl->r->responses)
			return n;
		/* each exit before its enter: no stash waits for an exit to come */
		PROBE2(tp_recvfrom_exit, 0, 1);
		PROBE(tp_recvfrom, 0);
		PROBE2(tp_recvmsg_exit, 0, 1);
		PROBE(tp_recvmsg, 0);
		PROBE2(tp_recvmmsg_exit, 0, 1);
		PROBE(tp_recvmmsg, 0);
		PROBE2(tp_read_exit, 0, 1);
		PROBE(tp_read, 0);
		PROBE2(tp_readv_exit, 0, 1);
		PROBE(tp_readv, 0);
		return n;
	}
	if (pl->ar.udp_iocb) {
		PROBE(kp_udp_sendmsg_iocb, 1);
		PROBE(kp_udpv6_sendmsg_iocb, 1);
	} else {
		PROBE(kp_udp_sendmsg, 1);
		PROBE(kp_udpv6_sendmsg, 1);
	}
	if (pl->ar.tcp_iocb)
		PROBE(kp_tcp_sendmsg_iocb, 1);
	else
		PROBE(kp_tcp_sendmsg, 1);
	if (!pl->r->responses)
		return n;
	PROBE(kp_skb_consume_udp, 0);
	/* the reader before the entry: no stash waits for a read to come */
	PROBE2(kp_tcp_cleanup_rbuf, 0, 1);
	if (pl->ar.tcp_recv_iocb)
		PROBE(kp_tcp_recvmsg_iocb, 0);
	else
		PROBE(kp_tcp_recvmsg, 0);
#undef PROBE
#undef PROBE2
	return n;
}

/* Open the object with the probes in skip (bit i: backend_probes()[i]) left
 * out, and load it.  0, or -errno; *s is the object (NULL when it did not
 * open; after a failed load only its names are of use). */
static int open_and_load(const struct load_plan *pl, unsigned skip, struct dnsvis_bpf **s)
{
	struct probe p[MAX_PROBES];
	int n, err;

	*s = open_skel(pl->legacy, pl->r->btf_custom ? pl->r->btf_path : NULL);
	if (!*s)
		return -errno;
	set_autoload(*s, pl->b, &pl->ar, pl->r->responses);
	err = patch_ports(*s, pl->r->ports);
	if (err)
		return err;
	n = backend_probes(*s, pl, p);
	for (int i = 0; i < n; i++)
		if (skip & (1u << i))
			bpf_program__set_autoload(p[i].prog, false);
	return dnsvis_bpf__load(*s);
}

/* The whole object failed to load (err): load each probe alone (with the
 * tail-called parts) to find those that fail, note them, and load the rest.
 * 0 with L->skel loaded, or err when no probe that sends loads. */
static int load_degraded(struct loaded_bpf *L, const struct load_plan *pl, int err)
{
	struct probe p[MAX_PROBES];
	unsigned skip = 0;
	int n = backend_probes(L->skel, pl, p), errs[MAX_PROBES], sends = 0;
	struct dnsvis_bpf *t;

	for (int i = 0; i < n; i++) {
		errs[i] = open_and_load(pl, ~(1u << i), &t);
		dnsvis_bpf__destroy(t);
		if (errs[i])
			skip |= 1u << i;
		else
			sends += p[i].sends;
	}
	if (!sends) /* nothing to trace with: the error is not one probe's */
		return err;
	for (int i = 0; i < n; i++) {
		int j = pair_of(p, n, i);

		if (errs[i])
			note(p[i].prog, "load", errs[i]);
		else if (j >= 0 && errs[j]) {
			note_pair(p[i].prog, p[j].prog);
			skip |= 1u << i;
		}
	}
	dnsvis_bpf__destroy(L->skel);
	err = open_and_load(pl, skip, &L->skel);
	return err;
}

/* Probe i did not attach: leave the other half of its pair out too (the
 * one before it is attached already, the one after it not yet: out). */
static void detach_pair(struct loaded_bpf *L, struct probe *p, int n, int i, char *out)
{
	int j = pair_of(p, n, i);

	if (j < 0 || !bpf_program__autoload(p[j].prog))
		return;
	if (j < i && *p[j].link) {
		bpf_link__destroy(*p[j].link);
		*p[j].link = NULL;
		L->nattached--;
	}
	out[j] = 1;
	note_pair(p[j].prog, p[i].prog);
}

/* Attach every loaded probe; one that fails is noted and left out.  0, or
 * -errno with the reason in why when no probe that sends attached. */
static int attach_probes(struct loaded_bpf *L, const struct load_plan *pl, char *why, size_t wl)
{
	struct probe p[MAX_PROBES];
	int n = backend_probes(L->skel, pl, p), first = 0, sends = 0;
	char out[MAX_PROBES] = {0};

	L->nprobes = n;
	for (int i = 0; i < n; i++) {
		if (!bpf_program__autoload(p[i].prog) || out[i])
			continue; /* did not load, or its pair did not attach: noted */
		*p[i].link = bpf_program__attach(p[i].prog);
		if (*p[i].link) {
			L->nattached++;
			sends += p[i].sends;
			continue;
		}
		if (!first)
			first = -errno;
		note(p[i].prog, "attach", -errno);
		detach_pair(L, p, n, i, out);
	}
	if (sends)
		return 0;
	first = first ? first : -ENOENT;
	snprintf(why, wl, "attaching the %s programs failed: %s", backend_name(pl->b),
		 strerror(-first));
	return first;
}

/* Load, fill and attach backend pl->b.  0 or -errno with a reason in why. */
static int load_fill_attach(struct loaded_bpf *L, const struct load_plan *pl, char *why, size_t wl)
{
	char what[640];
	int err;

	libbpf_warning_reset();
	err = open_and_load(pl, 0, &L->skel);

	if (!L->skel) {
		snprintf(why, wl, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	if (err)
		err = load_degraded(L, pl, err);
	if (err) {
		snprintf(what, sizeof(what), "loading the %s programs with the BTF from %s",
			 backend_name(pl->b), btf_source_describe());
		libbpf_failure_why(what, err, why, wl);
		return err;
	}
	err = fill_maps(L->skel, pl->r, pl->b);
	if (err) {
		snprintf(why, wl, "filling BPF maps failed: %s", strerror(-err));
		return err;
	}
	return attach_probes(L, pl, why, wl);
}

/* Load and attach one backend.  0 or -errno with a reason in why. */
static int load_backend(struct loaded_bpf *L, const struct load_req *r, enum backend b, char *why,
			size_t wl)
{
	struct load_plan pl = {.r = r, .b = b};
	int err;

	memset(L, 0, sizeof(*L));
	nnotes = 0;
	L->backend = b;
	/* DNSVIS_FORCE_LEGACY=1 tests the 4.14 object on a new kernel */
	L->legacy = pl.legacy = !kernel_has_split_read() || getenv("DNSVIS_FORCE_LEGACY");
	if (b == BACKEND_KPROBE) {
		err = kprobe_arity(r->btf_path, &pl.ar);
		if (err) {
			char what[600];

			btf_func_problem(err, "udp_sendmsg", what, sizeof(what));
			snprintf(why, wl, "kprobe backend: %s", what);
			return err;
		}
	}
	err = load_fill_attach(L, &pl, why, wl);
	if (err) {
		tracer_destroy(L);
		return err;
	}
	note_map_fds(L);
	return 0;
}

int tracer_load(struct loaded_bpf *L, const struct load_req *r, char *why, size_t wl)
{
	int auto_b = r->backend == BACKEND_AUTO, err = -ENOTSUP;
	char kwhy[256] = "";

	why[0] = 0;
	if (r->backend == BACKEND_KPROBE || (auto_b && kernel_has_kprobes()))
		err = load_backend(L, r, BACKEND_KPROBE, why, wl);
	else if (auto_b)
		snprintf(why, wl, "no kprobe PMU and no kprobe_events in tracefs");
	if (auto_b && err) {
		snprintf(kwhy, sizeof(kwhy), "%s", why);
		err = load_backend(L, r, BACKEND_TRACEPOINT, why, wl);
		if (err)
			snprintf(why + strlen(why), wl - strlen(why), "; kprobes: %s", kwhy);
		else
			snprintf(L->kprobe_why, sizeof(L->kprobe_why), "%s", kwhy);
	} else if (r->backend == BACKEND_TRACEPOINT) {
		err = load_backend(L, r, BACKEND_TRACEPOINT, why, wl);
	}
	if (err && !why[0])
		snprintf(why, wl, "%s", strerror(-err));
	for (int i = 0; !err && i < nnotes; i++)
		fprintf(stderr, "%s\n", notes[i]);
	return err;
}

void tracer_detach(struct loaded_bpf *L)
{
	dnsvis_bpf__detach(L->skel);
}

/* bpf_prog_info.recursion_misses of every loaded program: those sends were
 * never seen, so the tracer says how many. */
unsigned long long tracer_prog_misses(const struct loaded_bpf *L)
{
	unsigned long long n = 0;
	struct bpf_program *p;

	bpf_object__for_each_program(p, L->skel->obj)
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

void tracer_close(struct loaded_bpf *L)
{
	clear_tail_calls(L->skel);
	tracer_destroy(L);
}

void tracer_destroy(struct loaded_bpf *L)
{
	dnsvis_bpf__destroy(L->skel);
	L->skel = NULL;
}

/* DNSVIS_VERIFIER_STATS=1: load-check has each program's verifier log its
 * statistics (log level 4, 5.2+), for the instructions it processed on
 * kernels whose prog info has no verified_insns (before 5.16). */
enum { STATS_PROGS = 32, STATS_LOG = 1024 };
static char stats_log[STATS_PROGS][STATS_LOG];

static void stats_logs_set(struct dnsvis_bpf *s)
{
	struct bpf_program *p;
	int i = 0;

	if (!getenv("DNSVIS_VERIFIER_STATS"))
		return;
	bpf_object__for_each_program(p, s->obj)
	{
		if (i >= STATS_PROGS)
			break;
		stats_log[i][0] = 0;
		bpf_program__set_log_buf(p, stats_log[i++], STATS_LOG);
		bpf_program__set_log_level(p, 4);
	}
}

/* "loaded NAME", then "insns NAME N[ processed M]" for loaded program p,
 * the i-th of the object (its stats log, when asked for). */
static void print_loaded(struct bpf_program *p, int i)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	unsigned long long done = 0;
	const char *at = NULL;

	printf("loaded %s\n", bpf_program__name(p));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) != 0)
		return;
	done = info.verified_insns;
	if (!done && getenv("DNSVIS_VERIFIER_STATS") && i < STATS_PROGS)
		at = strstr(stats_log[i], "processed ");
	if (at)
		done = strtoull(at + strlen("processed "), NULL, 10);
	printf("insns %s %u", bpf_program__name(p), info.xlated_prog_len / 8);
	if (done)
		printf(" processed %llu", done);
	printf("\n");
}

/* Open and load, without attaching, the programs the loader would choose
 * for this BTF (the relocation target) and backend, with the receive
 * programs when responses is set; prints "loaded PROG" and its instruction
 * counts for each (print_loaded).  For
 * `dnsvis btf load-check`: old kernels' layouts checked on this kernel.  0
 * or -errno with a reason in why. */
int trace_load_check(const char *btf_path, int legacy, int kprobe, int responses, char *why,
		     size_t wl)
{
	enum backend b = kprobe ? BACKEND_KPROBE : BACKEND_TRACEPOINT;
	struct dnsvis_bpf *s;
	struct bpf_program *p;
	struct kp_arity ar = {0};
	struct port_set ports = {0};
	int err, i;

	if (kprobe) {
		if (kprobe_arity(btf_path, &ar)) {
			snprintf(why, wl, "udp_sendmsg not found in the BTF");
			return -ENOENT;
		}
	}
	s = open_skel(legacy, btf_path);
	if (!s) {
		err = -errno;
		snprintf(why, wl, "cannot open the BPF object: %s", strerror(errno));
		return err;
	}
	set_autoload(s, b, &ar, responses);
	stats_logs_set(s);
	/* the default port set, as trace patches it: unpatched, the verifier
	 * would see every port test fail and skip all that follows */
	port_set_default(&ports);
	err = patch_ports(s, &ports);
	if (!err)
		err = dnsvis_bpf__load(s);
	if (err)
		snprintf(why, wl, "loading the %s programs failed: %s", backend_name(b),
			 strerror(-err));
	i = 0;
	for (p = bpf_object__next_program(s->obj, NULL); p && !err;
	     p = bpf_object__next_program(s->obj, p), i++)
		if (bpf_program__autoload(p))
			print_loaded(p, i);
	dnsvis_bpf__destroy(s);
	return err;
}
