/* record.c - perf records in, dnsvis_event out: keep each process record
 * (live/proc_cache.h), and for each message record strip DNS over TCP's
 * length, validate every question, apply the process, name and container
 * filters, stamp wall-clock time, hand to the sink.  A message read before
 * its process record waits for the end of the next drain (record.h).
 * Received messages (DV_REC_RESP, --responses) are record_resp.c's. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire/dns_decode.h"
#include "wire/dns_query.h"
#include "wire/dns_stream.h"
#include "event.h"
#include "output/sink.h"
#include "enrich/k8s_meta.h"
#include "enrich/proc_info.h"
#include "live/proc_cache.h"
#include "live/record.h"
#include "live/record_int.h"
#include "kern/dnsvis.h"
#include "util/clock.h"

const char *record_hook_name(unsigned h)
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
	case DV_HOOK_TP_RECVFROM:
		return "tracepoint/syscalls/sys_exit_recvfrom";
	case DV_HOOK_TP_RECVMSG:
		return "tracepoint/syscalls/sys_exit_recvmsg";
	case DV_HOOK_TP_RECVMMSG:
		return "tracepoint/syscalls/sys_exit_recvmmsg";
	case DV_HOOK_TP_READ:
		return "tracepoint/syscalls/sys_exit_read";
	case DV_HOOK_TP_READV:
		return "tracepoint/syscalls/sys_exit_readv";
	case DV_HOOK_KPROBE_SKB_CONSUME_UDP:
		return "kprobe/skb_consume_udp";
	case DV_HOOK_KPROBE_TCP_CLEANUP_RBUF:
		return "kprobe/tcp_cleanup_rbuf";
	default:
		return "unknown";
	}
}

void record_clock_sync(struct record_reader *te)
{
	te->wall_off_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

int record_question_wanted(const struct event_filter *f, unsigned opcode, const char *name)
{
	if (f->opcodes && !(f->opcodes & (1u << (opcode & 15))))
		return 0;
	return !f->domain || !name || fnmatch(f->domain, name, FNM_CASEFOLD) == 0;
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
	/* wraps rather than overflows, whatever the record says */
	int64_t wall = (int64_t)(m->ts_ns + (uint64_t)te->wall_off_ns);

	memset(out, 0, sizeof(*out));
	out->ts.tv_sec = wall / 1000000000LL;
	out->ts.tv_nsec = wall % 1000000000LL;
	out->source = record_hook_name(m->hook);
	out->family = m->family == 10 ? AF_INET6 : AF_INET;
	out->proto = m->proto;
	memcpy(out->saddr, m->saddr, 16);
	memcpy(out->daddr, m->daddr, 16);
	out->sport = m->sport;
	out->dport = m->dport;
}

/* Process details, looked up once per record and only when needed. */
struct lazy_proc {
	const struct dv_msg *m;
	const struct dv_proc *p; /* NULL: never described, complete from /proc */
	struct dnsvis_proc proc;
	int have;
};

/* The process record and the message's thread ids, as the enrich stage
 * takes them. */
static void capture_of(const struct dv_proc *p, const struct dv_msg *m, struct proc_capture *c)
{
	*c = (struct proc_capture){
	    .pid = m->tgid,
	    .tid = m->tid,
	    .uid = m->uid,
	    .gid = m->gid,
	    .comm = "",
	    .exe = "",
	    .cwd = "",
	    .cmdline = "",
	    .tty = "",
	    .cgnames = "",
	    .flags = PROC_CAP_UNDESCRIBED,
	};
	if (!p)
		return;
	c->ppid = p->ppid;
	c->ns_pid = p->ns_pid;
	c->ns_ppid = p->ns_ppid;
	c->cgroup_id = p->cgroup_id;
	c->start_ns = p->start_ns;
	c->mnt_ns = p->mnt_ns;
	c->comm = p->comm;
	c->comm_len = sizeof(p->comm);
	c->cmdline = p->str;
	c->cmdline_len = p->cmdline_len;
	c->exe = p->str + p->cmdline_len;
	c->exe_len = p->exe_len;
	c->cwd = c->exe + p->exe_len;
	c->cwd_len = p->cwd_len;
	c->cgnames = c->cwd + p->cwd_len;
	c->cgnames_len = p->cgnames_len;
	c->tty = p->tty;
	c->tty_len = sizeof(p->tty);
	c->flags = ((p->flags & DV_F_EXE_TRUNC) ? PROC_CAP_EXE_TRUNC : 0) |
		   ((p->flags & DV_F_CWD_TRUNC) ? PROC_CAP_CWD_TRUNC : 0) |
		   ((p->flags & DV_F_CMDLINE_TRUNC) ? PROC_CAP_CMDLINE_TRUNC : 0) |
		   ((p->flags & DV_F_NO_MM) ? PROC_CAP_NO_MM : 0) |
		   ((p->flags & DV_F_CG_NAMES) ? PROC_CAP_CG_NAMES : 0) |
		   ((p->flags & DV_F_CG_TRUNC) ? PROC_CAP_CG_TRUNC : 0) |
		   ((p->flags & DV_F_CG_V1) ? PROC_CAP_CG_V1 : 0);
}

/* The last descriptions made, one per strings buffer ps (the query path's
 * and the response path's), each reused for the next messages of the same
 * process record and thread for up to FILL_REUSE_NS: a busy sender's
 * messages come in runs, and describing one (paths, cgroup and container
 * lookups) cost more than the rest of its event.  Enrichment is at most
 * that much older than the message. */
#define FILL_REUSE_NS 100000000LL
#define FILL_SLOTS    2
struct fill_slot {
	const struct dv_proc *p;
	uint64_t proc_id;
	uint32_t tgid, tid, uid, gid;
	int64_t when;
	const struct proc_strings *ps;
	struct dnsvis_proc proc;
};
static struct fill_slot fill_slots[FILL_SLOTS];

/* The slot that holds ps's description, else the oldest (to be refilled). */
static struct fill_slot *fill_slot_of(const struct proc_strings *ps)
{
	struct fill_slot *old = &fill_slots[0];

	for (int i = 0; i < FILL_SLOTS; i++) {
		if (fill_slots[i].ps == ps)
			return &fill_slots[i];
		if (fill_slots[i].when < old->when)
			old = &fill_slots[i];
	}
	return old;
}

static int fill_fresh(const struct fill_slot *f, const struct dv_proc *p, const struct dv_msg *m,
		      const struct proc_strings *ps, int64_t now)
{
	return p && f->p == p && f->ps == ps && f->proc_id == p->proc_id && f->tgid == m->tgid &&
	       f->tid == m->tid && f->uid == m->uid && f->gid == m->gid &&
	       now - f->when < FILL_REUSE_NS;
}

/* The sender of m (process record p, NULL when undescribed) into out and
 * ps: the description made last for ps when it still holds. */
static void describe(const struct dv_proc *p, const struct dv_msg *m, struct dnsvis_proc *out,
		     struct proc_strings *ps)
{
	int64_t now = mono_ns();
	struct fill_slot *f = fill_slot_of(ps);
	struct proc_capture c;

	if (fill_fresh(f, p, m, ps, now)) {
		*out = f->proc;
		return;
	}
	capture_of(p, m, &c);
	proc_info_fill(&c, out, ps);
	f->p = p; /* undescribed (NULL) never matches */
	f->proc_id = p ? p->proc_id : 0;
	f->tgid = m->tgid;
	f->tid = m->tid;
	f->uid = m->uid;
	f->gid = m->gid;
	f->when = now;
	f->ps = ps;
	f->proc = *out;
}

static struct dnsvis_proc *lazy_proc_get(struct lazy_proc *lp, struct proc_strings *ps)
{
	if (!lp->have) {
		describe(lp->p, lp->m, &lp->proc, ps);
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
	int fed;    /* --responses: the message's first question went to the feed */
};

/* One question: an event, when its name passes --domain; stops at --count. */
static int emit_question(const struct dns_header *h, const struct dns_question *q, void *arg)
{
	struct record_ctx *rc = arg;
	struct record_reader *te = rc->te;

	if (!record_question_wanted(te->f, h->opcode, q->name.text)) {
		te->filtered++;
		return 0;
	}
	rc->out->proc = lazy_proc_get(rc->lp, rc->ps);
	dns_query_event(rc->out, h, q);
	sink_event(te->sink, rc->out);
	te->events++;
	if (te->st->resp && !rc->fed) {
		resp_query(te, rc->lp->m, rc->lp->p, rc->out);
		rc->fed = 1;
	}
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
	if (dns_decode_header(msg, len, &h) != DNS_OK) {
		te->malformed++;
		return;
	}
	if (h.qr) /* not a query (over TCP; the kernel tests UDP's QR bit) */
		return;
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

/* DNS message msg (len bytes) of record m from process p (NULL: its
 * record never came): filter, events. */
static void emit_bytes(struct record_reader *te, const struct dv_msg *m, const struct dv_proc *p,
		       const uint8_t *msg, size_t len, int truncated)
{
	static struct proc_strings ps;
	struct lazy_proc lp = {.m = m, .p = p};
	struct dnsvis_event out;
	struct record_ctx rc = {te, &out, &lp, &ps, 0, 0};

	if (te->done)
		return;
	if (te->f->comm) {
		const char *comm = p ? p->comm : lazy_proc_get(&lp, &ps)->comm;

		if (strncmp(comm, te->f->comm, sizeof(p->comm)) != 0)
			return;
	}
	event_common(te, m, &out);
	handle_message(msg, len, truncated, &rc);
}

/* A UDP message record: its payload is the message. */
static void emit_msg(struct record_reader *te, const struct dv_msg *m, const struct dv_proc *p)
{
	size_t orig = (m->flags & DV_M_LEN_KNOWN) ? m->orig_len : m->payload_len;

	emit_bytes(te, m, p, m->payload, m->payload_len, orig > m->payload_len);
}

int record_describe(struct record_reader *te, const struct dv_msg *m, const struct dv_proc *p,
		    struct dnsvis_proc *out, struct proc_strings *ps)
{
	if (te->f->comm && p && strncmp(p->comm, te->f->comm, sizeof(p->comm)) != 0)
		return 0;
	describe(p, m, out, ps);
	if (te->f->comm && !p && strncmp(out->comm, te->f->comm, sizeof(out->comm)) != 0)
		return 0;
	return !container_filter_active(&te->f->cf) || cgroup_event_ok(&te->f->cf, out, &ps->attr);
}

const struct dv_proc *record_proc_of(struct record_reader *te, const struct dv_msg *m)
{
	const struct dv_proc *p = proc_cache_get(&te->st->procs, m->tgid, m->proc_id);

	if (!p) {
		te->unattributed++;
		record_forget_proc(te, m->tgid, m->proc_id);
	}
	return p;
}

/* tcp_streams callbacks (live/tcp_streams.h). */
static void tcp_msg(void *arg, const struct dv_msg *rec, const uint8_t *msg, size_t len,
		    int truncated)
{
	struct record_reader *te = arg;

	emit_bytes(te, rec, record_proc_of(te, rec), msg, len, truncated);
}

static int tcp_ready(void *arg, const struct dv_msg *rec)
{
	struct record_reader *te = arg;

	return proc_cache_get(&te->st->procs, rec->tgid, rec->proc_id) != NULL;
}

int record_state_open(struct record_reader *te, int counters_fd, int proc_sent_fd)
{
	struct record_state *st = calloc(1, sizeof(*st));

	te->st = st;
	if (!st)
		return -1;
	st->counters_fd = counters_fd;
	st->proc_sent_fd = proc_sent_fd;
	if (proc_cache_init(&st->procs, PROC_CACHE_SLOTS) != 0) {
		free(st);
		te->st = NULL;
		return -1;
	}
	tcp_streams_init(&st->tcp, tcp_msg, tcp_ready, te);
	return 0;
}

void record_state_close(struct record_reader *te)
{
	struct record_state *st = te->st;

	if (!st)
		return;
	resp_free(te);
	while (st->nheld)
		free(st->held[--st->nheld].m);
	tcp_streams_free(&st->tcp);
	proc_cache_free(&st->procs);
	free(st);
	te->st = NULL;
}

/* ---- held messages -------------------------------------------------------- */

/* Hand on held message i (described or not) and forget it. */
static void release_held(struct record_reader *te, unsigned i)
{
	struct record_state *st = te->st;
	struct dv_msg *m = st->held[i].m;

	emit_msg(te, m, record_proc_of(te, m));
	free(m);
	st->held[i] = st->held[--st->nheld];
}

static void hold_msg(struct record_reader *te, const struct dv_msg *m)
{
	struct record_state *st = te->st;
	size_t len = DV_REC_SKIP + (size_t)m->h.len;
	struct dv_msg *copy;

	if (st->nheld == HELD_MAX) /* full: the oldest goes out as it is */
		release_held(te, 0);
	copy = malloc(len);
	if (!copy) {
		te->unattributed++;
		emit_msg(te, m, NULL);
		return;
	}
	memcpy(copy, m, len);
	st->held[st->nheld].m = copy;
	st->held[st->nheld].drains = 0;
	st->nheld++;
}

void record_release_held(struct record_reader *te, int64_t now_ns)
{
	struct record_state *st = te->st;

	for (unsigned i = 0; st && i < st->nheld;) {
		struct held_msg *h = &st->held[i];
		const struct dv_proc *p = proc_cache_get(&st->procs, h->m->tgid, h->m->proc_id);

		if (p || ++h->drains >= 2)
			release_held(te, i); /* moves the last one to i */
		else
			i++;
	}
	tcp_streams_drain_end(&st->tcp, now_ns);
	resp_drain_end(te, now_ns); /* after the queries the drain released */
}

void record_flush(struct record_reader *te, int64_t now_ns)
{
	struct record_state *st = te->st;

	if (!st)
		return;
	while (st->nheld)
		release_held(te, st->nheld - 1);
	tcp_streams_flush(&st->tcp);
	resp_flush(te, now_ns);
}

static int pid_alive(uint32_t pid)
{
	return !(kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

void record_gc(struct record_reader *te)
{
	if (te->st)
		proc_cache_gc(&te->st->procs, pid_alive);
}

/* ---- records in ----------------------------------------------------------- */

static void handle_msg(struct record_reader *te, const struct dv_msg *m, size_t avail)
{
	const struct dv_proc *p;

	if (avail < DV_MSG_FIXED || m->payload_len > DV_PAYLOAD_MAX ||
	    DV_MSG_FIXED + (size_t)m->payload_len > DV_REC_SKIP + (size_t)m->h.len ||
	    (m->proto == IPPROTO_TCP && !m->sock_id)) { /* a stream needs its socket */
		te->malformed++;
		return;
	}
	if (te->f->pid && m->tgid != (uint32_t)te->f->pid)
		return;
	if (m->proto == IPPROTO_TCP) {
		tcp_streams_add(&te->st->tcp, m);
		return;
	}
	p = proc_cache_get(&te->st->procs, m->tgid, m->proc_id);
	if (p)
		emit_msg(te, m, p);
	else
		hold_msg(te, m);
}

static void handle_proc(struct record_reader *te, const struct dv_proc *p, size_t avail)
{
	size_t strs;

	if (avail < DV_PROC_FIXED) { /* the lengths below are not in it */
		te->malformed++;
		return;
	}
	strs = (size_t)p->cmdline_len + p->exe_len + p->cwd_len + p->cgnames_len;
	if (DV_PROC_FIXED + strs > avail) {
		te->malformed++;
		return;
	}
	proc_cache_put(&te->st->procs, p, avail);
}

void record_handle(struct record_reader *te, const struct dv_rec_head *rec, size_t avail)
{
	if (avail < sizeof(*rec) || DV_REC_SKIP + (size_t)rec->len > avail) {
		te->malformed++;
		return;
	}
	avail = DV_REC_SKIP + (size_t)rec->len;
	if (rec->type == DV_REC_MSG)
		handle_msg(te, (const struct dv_msg *)rec, avail);
	else if (rec->type == DV_REC_PROC)
		handle_proc(te, (const struct dv_proc *)rec, avail);
	else if (rec->type == DV_REC_RESP)
		resp_record(te, (const struct dv_msg *)rec, avail);
	else
		te->malformed++;
}
