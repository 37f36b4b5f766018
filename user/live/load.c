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

/* Which kprobe programs fit: udp_sendmsg decides for udp_sendmsg and
 * udpv6_sendmsg, tcp_sendmsg for itself.  A BTF without tcp_sendmsg's
 * prototype (one minimized before it was kept) follows udp_sendmsg: both
 * lost their iocb in the same kernel change (4.1).  btf_func_arity's
 * -errno when udp_sendmsg's prototype cannot be read. */
static int kprobe_arity(const char *btf_path, int *udp_iocb, int *tcp_iocb)
{
	int n = btf_func_arity(btf_path, "udp_sendmsg");

	if (n < 0)
		return n;
	*udp_iocb = n >= 4;
	*tcp_iocb = func_takes_iocb(btf_path, "tcp_sendmsg");
	if (*tcp_iocb < 0)
		*tcp_iocb = *udp_iocb;
	return 0;
}

static void set_autoload(struct dnsvis_bpf *s, enum backend b, int iocb, int tcp_iocb)
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
	bpf_program__set_autoload(s->progs.kp_tcp_sendmsg, kpon && !tcp_iocb);
	bpf_program__set_autoload(s->progs.kp_tcp_sendmsg_iocb, kpon && tcp_iocb);
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
	int tail = bpf_map__fd(b == BACKEND_KPROBE ? s->maps.tail_kp : s->maps.tail_tp);
	struct bpf_program *pp =
	    b == BACKEND_KPROBE ? s->progs.dv_tail_kp_proc : s->progs.dv_tail_tp_proc;
	struct bpf_program *po =
	    b == BACKEND_KPROBE ? s->progs.dv_tail_kp_out : s->progs.dv_tail_tp_out;
	__u32 k = DV_TAIL_PROC;
	int fd = bpf_program__fd(pp);

	if (bpf_map_update_elem(tail, &k, &fd, BPF_ANY))
		return -errno;
	fd = bpf_program__fd(po);
	k = DV_TAIL_OUT;
	if (bpf_map_update_elem(tail, &k, &fd, BPF_ANY))
		return -errno;
	return 0;
}

static int fill_maps(struct dnsvis_bpf *s, const struct load_req *r, enum backend b)
{
	struct dv_config cfg = {.flags = DV_CFG_ON, .filter_tgid = r->filter_tgid};
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

/* The plain or the iocb programs, whichever were loaded. */
static int attach_kprobes(struct loaded_bpf *L)
{
	struct dnsvis_bpf *s = L->skel;
	struct bpf_program *p4 = s->progs.kp_udp_sendmsg, *p6 = s->progs.kp_udpv6_sendmsg;
	struct bpf_link **l4 = &s->links.kp_udp_sendmsg, **l6 = &s->links.kp_udpv6_sendmsg;
	struct bpf_program *pt = s->progs.kp_tcp_sendmsg;
	struct bpf_link **lt = &s->links.kp_tcp_sendmsg;
	int err;

	if (bpf_program__autoload(s->progs.kp_udp_sendmsg_iocb)) {
		p4 = s->progs.kp_udp_sendmsg_iocb;
		p6 = s->progs.kp_udpv6_sendmsg_iocb;
		l4 = &s->links.kp_udp_sendmsg_iocb;
		l6 = &s->links.kp_udpv6_sendmsg_iocb;
	}
	if (bpf_program__autoload(s->progs.kp_tcp_sendmsg_iocb)) {
		pt = s->progs.kp_tcp_sendmsg_iocb;
		lt = &s->links.kp_tcp_sendmsg_iocb;
	}
	err = attach_prog(p4, l4, &L->nattached);
	if (!err)
		err = attach_prog(p6, l6, &L->nattached);
	if (!err)
		err = attach_prog(pt, lt, &L->nattached);
	return err;
}

static int attach_tracepoints(struct loaded_bpf *L)
{
	struct dnsvis_bpf *s = L->skel;
	int err;

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

static void note_map_fds(struct loaded_bpf *L)
{
	L->events_fd = bpf_map__fd(L->skel->maps.events);
	L->dns_socks_fd = bpf_map__fd(L->skel->maps.dns_socks);
	L->cgroup_filter_fd = bpf_map__fd(L->skel->maps.cgroup_filter);
	L->config_fd = bpf_map__fd(L->skel->maps.config);
	L->out_fail_fd = bpf_map__fd(L->skel->maps.out_fail);
}

/* Load, fill and attach the opened skeleton for backend b.  0 or -errno
 * with a reason in why. */
static int load_fill_attach(struct loaded_bpf *L, const struct load_req *r, enum backend b,
			    char *why, size_t wl)
{
	char what[640];
	int err;

	libbpf_warning_reset();
	err = dnsvis_bpf__load(L->skel);
	if (err) {
		snprintf(what, sizeof(what), "loading the %s programs with the BTF from %s",
			 backend_name(b), btf_source_describe());
		libbpf_failure_why(what, err, why, wl);
		return err;
	}
	err = fill_maps(L->skel, r, b);
	if (err) {
		snprintf(why, wl, "filling BPF maps failed: %s", strerror(-err));
		return err;
	}
	err = b == BACKEND_KPROBE ? attach_kprobes(L) : attach_tracepoints(L);
	if (err)
		snprintf(why, wl, "attaching the %s programs failed: %s", backend_name(b),
			 strerror(-err));
	return err;
}

/* Load and attach one backend.  0 or -errno with a reason in why. */
static int load_backend(struct loaded_bpf *L, const struct load_req *r, enum backend b, char *why,
			size_t wl)
{
	int iocb = 0, tcp_iocb = 0, err;

	memset(L, 0, sizeof(*L));
	L->backend = b;
	/* DNSVIS_FORCE_LEGACY=1 tests the 4.14 object on a new kernel */
	L->legacy = !kernel_has_split_read() || getenv("DNSVIS_FORCE_LEGACY");
	if (b == BACKEND_KPROBE) {
		err = kprobe_arity(r->btf_path, &iocb, &tcp_iocb);
		if (err) {
			char what[600];

			btf_func_problem(err, "udp_sendmsg", what, sizeof(what));
			snprintf(why, wl, "kprobe backend: %s", what);
			return err;
		}
	}
	L->skel = open_skel(L->legacy, r->btf_custom ? r->btf_path : NULL);
	if (!L->skel) {
		err = -errno;
		snprintf(why, wl, "cannot open the BPF object: %s", strerror(errno));
		return err;
	}
	set_autoload(L->skel, b, iocb, tcp_iocb);
	err = load_fill_attach(L, r, b, why, wl);
	if (err) {
		tracer_destroy(L);
		return err;
	}
	note_map_fds(L);
	return 0;
}

int tracer_load(struct loaded_bpf *L, const struct load_req *r, char *why, size_t wl)
{
	int err = -ENOTSUP;

	why[0] = 0;
	if (r->backend == BACKEND_KPROBE || (r->backend == BACKEND_AUTO && kernel_has_kprobes()))
		err = load_backend(L, r, BACKEND_KPROBE, why, wl);
	if (r->backend == BACKEND_TRACEPOINT || (err && r->backend == BACKEND_AUTO))
		err = load_backend(L, r, BACKEND_TRACEPOINT, why, wl);
	if (err && !why[0])
		snprintf(why, wl, "%s", strerror(-err));
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

/* Open and load, without attaching, the programs the loader would choose
 * for this BTF (the relocation target) and backend; prints "loaded PROG"
 * for each.  For `dnsvis btf load-check`: old kernels' layouts checked on
 * this kernel.  0 or -errno with a reason in why. */
int trace_load_check(const char *btf_path, int legacy, int kprobe, char *why, size_t wl)
{
	enum backend b = kprobe ? BACKEND_KPROBE : BACKEND_TRACEPOINT;
	struct dnsvis_bpf *s;
	struct bpf_program *p;
	int iocb = 0, tcp_iocb = 0, err;

	if (kprobe) {
		if (kprobe_arity(btf_path, &iocb, &tcp_iocb)) {
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
	set_autoload(s, b, iocb, tcp_iocb);
	err = dnsvis_bpf__load(s);
	if (err)
		snprintf(why, wl, "loading the %s programs failed: %s", backend_name(b),
			 strerror(-err));
	for (p = bpf_object__next_program(s->obj, NULL); p && !err;
	     p = bpf_object__next_program(s->obj, p))
		if (bpf_program__autoload(p))
			printf("loaded %s\n", bpf_program__name(p));
	dnsvis_bpf__destroy(s);
	return err;
}
