/* record.c - one perf record in, zero or more dnsvis_event out: strip
 * DNS over TCP's length, validate every question, apply the process, name
 * and container filters, stamp wall-clock time, hand to the sink. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "wire/dns_decode.h"
#include "wire/dns_query.h"
#include "wire/dns_stream.h"
#include "event.h"
#include "output/sink.h"
#include "enrich/k8s_meta.h"
#include "enrich/proc_info.h"
#include "live/record.h"
#include "kern/dnsvis.h"
#include "util/clock.h"

static const char *hook_name(unsigned h)
{
	switch (h) {
	case DV_HOOK_KPROBE_UDP_SENDMSG:
		return "kprobe/udp_sendmsg";
	case DV_HOOK_KPROBE_UDPV6_SENDMSG:
		return "kprobe/udpv6_sendmsg";
	case DV_HOOK_KPROBE_TCP_SENDMSG:
		return "kprobe/tcp_sendmsg";
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

void record_clock_sync(struct record_reader *te)
{
	te->wall_off_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

static int domain_ok(const struct event_filter *f, const char *name)
{
	return !f->domain || fnmatch(f->domain, name, FNM_CASEFOLD) == 0;
}

static int process_ok(const struct event_filter *f, const struct dv_event *ev)
{
	if (f->pid && ev->tgid != (uint32_t)f->pid)
		return 0;
	return !f->comm || strncmp(ev->comm, f->comm, sizeof(ev->comm)) == 0;
}

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

/* Everything of the event but the question. */
static void event_common(const struct record_reader *te, const struct dv_msg *m,
			 struct dnsvis_event *out)
{
	int64_t wall = (int64_t)m->ts_ns + te->wall_off_ns;

	memset(out, 0, sizeof(*out));
	out->ts.tv_sec = wall / 1000000000LL;
	out->ts.tv_nsec = wall % 1000000000LL;
	out->source = hook_name(m->hook);
	out->family = m->family == 10 ? AF_INET6 : AF_INET;
	out->proto = m->proto;
	memcpy(out->saddr, m->saddr, 16);
	memcpy(out->daddr, m->daddr, 16);
	out->sport = m->sport;
	out->dport = m->dport;
}

/* Process details, looked up once per record and only when needed. */
struct lazy_proc {
	const struct dv_event *ev;
	struct dnsvis_proc proc;
	int have;
};

/* The BPF record's process part, as the enrich stage takes it. */
static void capture_of(const struct dv_event *ev, struct proc_capture *c)
{
	*c = (struct proc_capture){
	    .pid = ev->tgid,
	    .tid = ev->tid,
	    .ppid = ev->ppid,
	    .uid = ev->uid,
	    .gid = ev->gid,
	    .ns_pid = ev->ns_pid,
	    .ns_ppid = ev->ns_ppid,
	    .cgroup_id = ev->cgroup_id,
	    .comm = ev->comm,
	    .comm_len = sizeof(ev->comm),
	    .exe = ev->exe,
	    .exe_len = ev->exe_len > DV_PATH_BUF ? DV_PATH_BUF : ev->exe_len,
	    .cwd = ev->cwd,
	    .cwd_len = ev->cwd_len > DV_PATH_BUF ? DV_PATH_BUF : ev->cwd_len,
	    .cmdline = ev->cmdline,
	    .cmdline_len = ev->cmdline_len > DV_CMDLINE_MAX ? DV_CMDLINE_MAX : ev->cmdline_len,
	    .tty = ev->tty,
	    .tty_len = sizeof(ev->tty),
	    .flags = ((ev->flags & DV_F_EXE_TRUNC) ? PROC_CAP_EXE_TRUNC : 0) |
		     ((ev->flags & DV_F_CWD_TRUNC) ? PROC_CAP_CWD_TRUNC : 0) |
		     ((ev->flags & DV_F_CMDLINE_TRUNC) ? PROC_CAP_CMDLINE_TRUNC : 0) |
		     ((ev->flags & DV_F_NO_MM) ? PROC_CAP_NO_MM : 0),
	};
}

static struct dnsvis_proc *lazy_proc_get(struct lazy_proc *lp, struct proc_strings *ps)
{
	if (!lp->have) {
		struct proc_capture c;

		capture_of(lp->ev, &c);
		proc_info_fill(&c, &lp->proc, ps);
		lp->have = 1;
	}
	return &lp->proc;
}

/* What the question callback needs of the record being read. */
struct record_ctx {
	struct record_reader *te;
	struct dnsvis_event *out;
	struct lazy_proc *lp;
	struct proc_strings *ps;
	int passed; /* the container filter was asked, and passed */
};

/* One question: an event, when its name passes --domain; stops at --count. */
static int emit_question(const struct dns_header *h, const struct dns_question *q, void *arg)
{
	struct record_ctx *rc = arg;
	struct record_reader *te = rc->te;

	if (!domain_ok(te->f, q->name.text) ||
	    (te->f->opcodes && !(te->f->opcodes & (1u << h->opcode)))) {
		te->filtered++;
		return 0;
	}
	rc->out->proc = lazy_proc_get(rc->lp, rc->ps);
	dns_query_event(rc->out, h, q);
	sink_event(te->sink, rc->out);
	te->events++;
	if (te->f->count && te->events >= te->f->count) {
		te->done = 1;
		return 1;
	}
	return 0;
}

/* One DNS message of the record: every question, or nothing. */
static void handle_message(const uint8_t *msg, size_t len, int truncated, void *arg)
{
	struct record_ctx *rc = arg;
	struct record_reader *te = rc->te;
	struct dns_header h;

	(void)truncated; /* decoded as far as it was copied */
	if (te->done)
		return;
	if (dns_decode_header(msg, len, &h) != DNS_OK || h.qr) {
		te->malformed++;
		return;
	}
	/* container / pod filters: the kernel dropped the cgroups it knows to
	 * be unwanted; the rest is decided here, once per record */
	if (!rc->passed && container_filter_active(&te->f->cf)) {
		if (!cgroup_event_ok(&te->f->cf, lazy_proc_get(rc->lp, rc->ps), &rc->ps->attr)) {
			te->filtered++;
			return;
		}
		rc->passed = 1;
	}
	rc->out->txid = h.id;
	if (dns_query_questions(msg, len, &h, emit_question, rc) == DNS_QUERY_MALFORMED)
		te->malformed++;
}

/* The DNS messages of a record: the payload itself for UDP; for TCP, the
 * length-prefixed messages in it (wire/dns_stream.h).  Bytes the kernel
 * did not copy (a send longer than the copy) cut the last one short. */
static void record_messages(const struct dv_msg *m, struct record_ctx *rc)
{
	size_t len = m->payload_len > DV_PAYLOAD_MAX ? DV_PAYLOAD_MAX : m->payload_len;
	struct dns_stream st;

	if (m->proto != IPPROTO_TCP) {
		handle_message(m->payload, len, m->orig_len > len, rc);
		return;
	}
	dns_stream_init(&st);
	dns_stream_feed(&st, m->payload, len, handle_message, rc);
	if (m->orig_len > len)
		dns_stream_gap(&st, m->orig_len - len, handle_message, rc);
	dns_stream_flush(&st, handle_message, rc);
}

static void handle_event(void *ctx, int cpu, void *data, __u32 size)
{
	struct record_reader *te = ctx;
	/* A raw sample's data sits 4 bytes past an 8-byte boundary: copy it
	 * out before reading its 8-byte fields. */
	static struct dv_event aligned;
	const struct dv_event *ev = &aligned;
	static struct proc_strings ps;
	struct lazy_proc lp = {.ev = ev};
	struct dnsvis_event out;
	struct record_ctx rc = {te, &out, &lp, &ps, 0};

	(void)cpu;
	if (te->done || size < DV_EVENT_SEND_SIZE)
		return;
	memcpy(&aligned, data, DV_EVENT_SEND_SIZE);
	if (!process_ok(te->f, ev))
		return;
	event_common(te, &ev->m, &out);
	record_messages(&ev->m, &rc);
}

static void handle_lost(void *ctx, int cpu, __u64 cnt)
{
	struct record_reader *te = ctx;

	te->lost += cnt;
	if (cpu >= 0 && cpu < te->ncpu)
		te->lost_cpu[cpu] += cnt;
	sink_lost(te->sink, cnt, cpu);
}

void record_reconcile_lost(struct record_reader *te, int out_fail_fd)
{
	__u64 *refused;
	__u32 k = 0;

	if (te->ncpu <= 0 || out_fail_fd < 0)
		return;
	refused = calloc((size_t)te->ncpu, sizeof(*refused));
	if (!refused)
		return;
	if (bpf_map_lookup_elem(out_fail_fd, &k, refused) == 0) {
		for (int cpu = 0; cpu < te->ncpu; cpu++)
			if (refused[cpu] > te->lost_cpu[cpu])
				handle_lost(te, cpu, refused[cpu] - te->lost_cpu[cpu]);
	}
	free(refused);
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
struct perf_buffer *record_reader_open(int map_fd, int pages, struct record_reader *te)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.watermark = 1;
	attr.wakeup_watermark = (unsigned)pages * (unsigned)getpagesize() / 4;
	te->ncpu = libbpf_num_possible_cpus();
	if (te->ncpu > 0)
		te->lost_cpu = calloc((size_t)te->ncpu, sizeof(*te->lost_cpu));
	if (!te->lost_cpu)
		te->ncpu = 0;
	return perf_buffer__new_raw(map_fd, (size_t)pages, &attr, handle_perf_record, te, NULL);
}

void record_reader_close(struct perf_buffer *pb, struct record_reader *te)
{
	perf_buffer__free(pb);
	free(te->lost_cpu);
	te->lost_cpu = NULL;
	te->ncpu = 0;
}
