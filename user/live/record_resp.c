/* record_resp.c - `trace --responses`: DV_REC_RESP records (DNS messages
 * as a process received them, kern/dnsvis.h) decoded by the wire stage
 * (wire/dns_response.h), paired with the query events by the match stage
 * (match/feed.h), and each outcome handed to the sink with the process
 * that received the response (a timeout: the one that sent the query).
 *
 * Order.  Records of different CPUs' rings come in any order, and a query
 * is handed to the match stage up to two drain ends after it was read (a
 * message held for its process record, a TCP send waiting a drain).  A
 * response read in drain k was written after its query, so the query was
 * read by drain k + 1 and fed by the end of drain k + 2: each response
 * waits RESP_WAIT_DRAINS drain ends (after the queries that drain end
 * released) before it is matched.  TCP receives are framed per socket as
 * the sends are (live/tcp_streams.h, a table of their own: a socket's
 * receive stream is not its send stream), then wait the same.
 *
 * Clock.  Timeouts go by the kernel's CLOCK_MONOTONIC, the clock of both
 * records' ts_ns (latency = response ts - query ts, where the response's
 * ts is its arrival when the kernel stamped a UDP one: rx_real_ns, moved to
 * CLOCK_MONOTONIC; see match.c answer_time).  The match stage's
 * clock is moved, at each drain end, not to now but to the end of the
 * drain CLOCK_LAG_DRAINS before (less CLOCK_SLACK_NS): every response
 * stamped before then has been matched by now (read a drain after it, one
 * more for a TCP receive to be framed, RESP_WAIT_DRAINS more), so a query
 * answered just before its deadline is never timed out first.  Timeout
 * records come that much (about 0.4 s) after their deadline.
 *
 * The end.  When the trace ends, every ring read, all responses are
 * matched, the clock moves to now (what was due by then times out), and
 * what is still outstanding times out with "end_of_input": the trace ended
 * before its deadline.
 *
 * Keys.  The match stage pairs by socket: live records name it (sock_id,
 * the kernel's address of it) on both sides, so the key is the socket, its
 * network namespace (the process record's net_ns), its port and the
 * server's address and port.  The client's address is left out: a send
 * and a receive on an unconnected socket may see it differently.  A send on
 * an unbound socket does not know its port yet (the kernel picks it during
 * the send): such a query is keyed with port 0, and a response that
 * answers nothing by its port is tried with port 0 too.  (The port tells
 * apart two sockets at one kernel address, the second opened after the
 * first closed.)  A record without sock_id is keyed by its whole 5-tuple. */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "enrich/proc_info.h"
#include "event.h"
#include "kern/dnsvis.h"
#include "live/record.h"
#include "live/record_int.h"
#include "live/tcp_streams.h"
#include "match/feed.h"
#include "output/sink.h"
#include "util/clock.h"
#include "wire/dns_response.h"

#define RESP_WAIT_DRAINS 2
#define CLOCK_LAG_DRAINS 4
#define CLOCK_RING	 8 /* > CLOCK_LAG_DRAINS, a power of two */
#define CLOCK_SLACK_NS	 1000000LL
#define RESP_WAIT_MAX	 65536 /* responses waiting; when full the oldest goes early */

/* A received message waiting to be matched. */
struct resp_wait {
	struct dv_msg *m;	/* the record's fixed part, then the message as payload */
	size_t wire_len;	/* the message's length: more than payload_len when cut */
	unsigned long long due; /* the drain end it is matched at */
};

/* A query's sender, kept for its outcome (a timeout names it): a copy of
 * the event's process, strings and all, shared by the queries of one
 * process record. */
struct kept_proc {
	unsigned refs;
	uint32_t tgid;
	uint64_t proc_id;
	int described; /* from its process record (else from /proc) */
	struct dnsvis_proc p;
	char str[];
};

struct resp_state {
	struct match_feed *feed;
	struct dns_response *dec; /* the response being matched */
	struct tcp_streams tcp;	  /* receive streams */
	struct resp_wait *wait;	  /* [RESP_WAIT_MAX], a ring */
	unsigned head, n;
	unsigned long long drains; /* drain ends so far */
	int64_t ends[CLOCK_RING];  /* when the last ones were */
	struct kept_proc *last;	   /* the last sender kept (one reference) */
	/* during feed_response(): the record and its receiving process */
	const struct dv_msg *cur;
	const struct dnsvis_proc *receiver;
	int stamp_fd; /* asks the kernel to stamp received packets; -1 none */
};

/* ---- the senders kept ------------------------------------------------------ */

#define PROC_STRS 15

/* The string fields of p, in one order. */
static void proc_strs(struct dnsvis_proc *p, const char **f[PROC_STRS])
{
	const char **all[PROC_STRS] = {
	    &p->exe,	       &p->cmdline,	 &p->parent_exe,     &p->cwd, &p->tty,
	    &p->scope,	       &p->container_id, &p->container_name, &p->pod, &p->pod_uid,
	    &p->k8s_namespace, &p->labels,	 &p->runtime,	     &p->qos, &p->container_image,
	};

	memcpy(f, all, sizeof(all));
}

static struct kept_proc *kept_new(const struct dnsvis_proc *src)
{
	struct dnsvis_proc tmp = *src;
	const char **f[PROC_STRS];
	struct kept_proc *k;
	size_t total = 0, off = 0;

	proc_strs(&tmp, f);
	for (unsigned i = 0; i < PROC_STRS; i++)
		total += *f[i] ? strlen(*f[i]) + 1 : 0;
	k = malloc(sizeof(*k) + total);
	if (!k)
		return NULL;
	k->p = tmp;
	proc_strs(&k->p, f);
	for (unsigned i = 0; i < PROC_STRS; i++) {
		size_t n;

		if (!*f[i])
			continue;
		n = strlen(*f[i]) + 1;
		memcpy(k->str + off, *f[i], n);
		*f[i] = k->str + off;
		off += n;
	}
	k->refs = 1;
	return k;
}

static void kept_put(struct kept_proc *k)
{
	if (k && --k->refs == 0)
		free(k);
}

/* A reference to a copy of ev's process (m's sender, record p), or NULL. */
static struct kept_proc *kept_get(struct resp_state *rs, const struct dv_msg *m,
				  const struct dv_proc *p, const struct dnsvis_proc *proc)
{
	struct kept_proc *k = rs->last;

	if (k && k->tgid == m->tgid && k->proc_id == m->proc_id && k->described == (p != NULL)) {
		k->refs++;
		return k;
	}
	k = kept_new(proc);
	if (!k)
		return NULL;
	k->tgid = m->tgid;
	k->proc_id = m->proc_id;
	k->described = p != NULL;
	kept_put(rs->last);
	rs->last = k;
	k->refs++; /* the query's; the first is rs->last's */
	return k;
}

/* The feed holds a query no more: its sender may go. */
static void on_release(void *ctx, const struct dnsvis_event *ev)
{
	(void)ctx;
	if (ev->proc)
		kept_put((struct kept_proc *)((const char *)ev->proc -
					      __builtin_offsetof(struct kept_proc, p)));
}

/* ---- keys ------------------------------------------------------------------ */

static int v4mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, pre, sizeof(pre)) == 0;
}

static void unmap(uint8_t *a)
{
	memmove(a, a + 12, 4);
	memset(a + 4, 0, 12);
}

/* The key of record m (a query: client -> server; a response: server ->
 * client) in fl; by_sock 0: the whole 5-tuple whatever sock_id says. */
static void key_of(const struct dv_msg *m, uint64_t netns, int response, int by_sock,
		   struct match_flow *fl)
{
	uint8_t client[16], server[16];

	memcpy(client, m->saddr, 16);
	memcpy(server, m->daddr, 16);
	memset(fl, 0, sizeof(*fl));
	fl->netns = netns;
	fl->proto = m->proto;
	fl->family = m->family == 10 ? AF_INET6 : AF_INET;
	if (fl->family == AF_INET6 && v4mapped(server)) { /* as sends report them */
		fl->family = AF_INET;
		unmap(server);
		if (v4mapped(client))
			unmap(client);
	}
	if (by_sock && m->sock_id) {
		fl->sock = m->sock_id;
		memset(client, 0, 16);
	}
	memcpy(response ? fl->daddr : fl->saddr, client, 16);
	memcpy(response ? fl->saddr : fl->daddr, server, 16);
	fl->sport = response ? m->dport : m->sport;
	fl->dport = response ? m->sport : m->dport;
}

static uint64_t netns_of(const struct dv_msg *m, const struct dv_proc *p)
{
	return p && p->net_ns ? p->net_ns : proc_net_ns(m->tgid);
}

void resp_query(struct record_reader *te, const struct dv_msg *m, const struct dv_proc *p,
		const struct dnsvis_event *ev)
{
	struct resp_state *rs = te->st->resp;
	struct dnsvis_event q = *ev;
	struct kept_proc *k = ev->proc ? kept_get(rs, m, p, ev->proc) : NULL;
	struct match_flow fl;

	q.proc = k ? &k->p : NULL;
	key_of(m, netns_of(m, p), 0, 1, &fl);
	feed_query_flow(rs->feed, &q, &fl, (int64_t)m->ts_ns);
}

/* ---- outcomes -------------------------------------------------------------- */

/* A response or an unsolicited one names the process that received it.
 * The client is the receiving socket as the record has it for an
 * unsolicited one, and for a response to a query sent before the socket
 * had its port. */
static void on_outcome(void *ctx, const struct dnsvis_outcome *o)
{
	struct record_reader *te = ctx;
	struct resp_state *rs = te->st->resp;
	struct dnsvis_outcome out = *o;
	struct dnsvis_event ev = *o->query;

	if (o->kind != OUTCOME_TIMEOUT && rs->cur) {
		ev.proc = rs->receiver;
		if (o->kind == OUTCOME_UNSOLICITED || !ev.sport) {
			struct match_flow fl;

			key_of(rs->cur, 0, 1, 0, &fl);
			memcpy(ev.saddr, fl.daddr, 16);
			ev.sport = fl.dport;
		}
		if (o->kind == OUTCOME_UNSOLICITED)
			ev.source = record_hook_name(rs->cur->hook);
	}
	out.query = &ev;
	sink_outcome(te->sink, &out);
}

/* When record m's datagram reached the host, on ts_ns's clock
 * (CLOCK_MONOTONIC), from its CLOCK_REALTIME receive stamp and the offset
 * between the clocks (resynced every second); 0 when not stamped. */
static int64_t arrival_of(const struct record_reader *te, const struct dv_msg *m)
{
	if (!m->rx_real_ns || m->rx_real_ns > (uint64_t)INT64_MAX)
		return 0;
	/* wraps rather than overflows, whatever the record says */
	return (int64_t)(m->rx_real_ns - (uint64_t)te->wall_off_ns);
}

/* Decoded response r of record m to the match stage, unless a filter
 * leaves it out (as it left out its query). */
static void match_decoded(struct record_reader *te, const struct dv_msg *m,
			  const struct dns_response *r)
{
	static struct proc_strings ps;
	struct resp_state *rs = te->st->resp;
	/* wraps rather than overflows, whatever the record says */
	int64_t wall = (int64_t)(m->ts_ns + (uint64_t)te->wall_off_ns);
	struct timespec ts = {(time_t)(wall / 1000000000LL), (long)(wall % 1000000000LL)};
	struct feed_times t = {(int64_t)m->ts_ns, arrival_of(te, m), &ts};
	struct dnsvis_proc proc;
	const struct dv_proc *p;
	struct match_flow fl, alt;

	if (!record_question_wanted(te->f, r->header.opcode,
				    r->has_question ? r->question.name.text : NULL)) {
		te->filtered++;
		return;
	}
	p = record_proc_of(te, m);
	if (!record_describe(te, m, p, &proc, &ps)) {
		te->filtered++;
		return;
	}
	key_of(m, netns_of(m, p), 1, 1, &fl);
	alt = fl;
	alt.dport = 0; /* a query sent before its socket had a port */
	rs->cur = m;
	rs->receiver = &proc;
	feed_response_alt(rs->feed, &fl, fl.sock && fl.dport ? &alt : NULL, &t, r);
	rs->cur = NULL;
	rs->receiver = NULL;
}

/* Match waiting response w (and free it).  One that does not decode is
 * malformed; a query on a receive stream (TCP: the kernel tests only UDP's
 * QR bit) is not a response. */
static void match_one(struct record_reader *te, struct resp_wait *w)
{
	struct resp_state *rs = te->st->resp;
	struct dv_msg *m = w->m;

	if (dns_response_decode(m->payload, m->payload_len, w->wire_len, rs->dec) != DNS_OK)
		te->malformed++;
	else if (rs->dec->header.qr)
		match_decoded(te, m, rs->dec);
	free(m);
	w->m = NULL;
}

static void match_oldest(struct record_reader *te)
{
	struct resp_state *rs = te->st->resp;
	struct resp_wait *w = &rs->wait[rs->head];

	rs->head = (rs->head + 1) % RESP_WAIT_MAX;
	rs->n--;
	match_one(te, w);
}

/* A received message (len bytes of one wire_len long) of record rec: it
 * waits its drains. */
static void wait_resp(struct record_reader *te, const struct dv_msg *rec, const uint8_t *msg,
		      size_t len, size_t wire_len)
{
	struct resp_state *rs = te->st->resp;
	struct resp_wait *w;
	struct dv_msg *copy;

	if (rs->n == RESP_WAIT_MAX) /* full: the oldest is matched early */
		match_oldest(te);
	copy = malloc(DV_MSG_FIXED + len);
	if (!copy) {
		te->malformed++; /* not decoded: counted with those that do not decode */
		return;
	}
	memcpy(copy, rec, DV_MSG_FIXED);
	memcpy(copy->payload, msg, len);
	copy->payload_len = (unsigned short)len;
	w = &rs->wait[(rs->head + rs->n) % RESP_WAIT_MAX];
	w->m = copy;
	w->wire_len = wire_len;
	w->due = rs->drains + RESP_WAIT_DRAINS;
	rs->n++;
}

/* ---- records in ------------------------------------------------------------ */

void resp_record(struct record_reader *te, const struct dv_msg *m, size_t avail)
{
	struct resp_state *rs = te->st->resp;
	size_t wire;

	if (avail < DV_MSG_FIXED || m->payload_len > DV_RESP_MAX ||
	    DV_MSG_FIXED + (size_t)m->payload_len > avail ||
	    (m->proto != IPPROTO_UDP && m->proto != IPPROTO_TCP) ||
	    (m->proto == IPPROTO_TCP && !m->sock_id) || /* a stream needs its socket */
	    (m->proto == IPPROTO_UDP && (m->flags & DV_M_LEN_KNOWN) &&
	     m->orig_len < m->payload_len)) {
		te->malformed++;
		return;
	}
	if (!rs || (te->f->pid && m->tgid != (uint32_t)te->f->pid))
		return; /* not asked for */
	if (m->proto == IPPROTO_TCP) {
		tcp_streams_add(&rs->tcp, m);
		return;
	}
	wire = (m->flags & DV_M_LEN_KNOWN) ? m->orig_len : m->payload_len;
	wait_resp(te, m, m->payload, m->payload_len, wire);
}

/* tcp_streams callbacks: a message found in a receive stream. */
static void tcp_resp(void *arg, const struct dv_msg *rec, const uint8_t *msg, size_t len,
		     int truncated)
{
	struct record_reader *te = arg;

	wait_resp(te, rec, msg, len, truncated ? len + 1 : len);
}

static int tcp_resp_ready(void *arg, const struct dv_msg *rec)
{
	struct record_reader *te = arg;

	return proc_cache_get(&te->st->procs, rec->tgid, rec->proc_id) != NULL;
}

/* ---- the clock ------------------------------------------------------------- */

void resp_drain_end(struct record_reader *te, int64_t now_ns)
{
	struct resp_state *rs = te->st->resp;

	if (!rs)
		return;
	tcp_streams_drain_end(&rs->tcp, now_ns);
	while (rs->n && rs->wait[rs->head].due <= rs->drains)
		match_oldest(te);
	rs->ends[rs->drains % CLOCK_RING] = now_ns;
	if (rs->drains >= CLOCK_LAG_DRAINS)
		feed_advance(rs->feed, rs->ends[(rs->drains - CLOCK_LAG_DRAINS) % CLOCK_RING] -
					   CLOCK_SLACK_NS);
	rs->drains++;
}

void resp_flush(struct record_reader *te, int64_t now_ns)
{
	struct resp_state *rs = te->st->resp;

	if (!rs)
		return;
	tcp_streams_flush(&rs->tcp);
	while (rs->n)
		match_oldest(te);
	feed_advance(rs->feed, now_ns);
	feed_flush(rs->feed);
}

/* A socket with SO_TIMESTAMP: while one is open the kernel stamps every
 * packet it receives (one clock read each), and the receive programs read
 * the stamp of the datagram a call returns (kern/recv_tracepoint.bpf.h: the
 * first queued at the call's start; recv_kprobe.bpf.h: the skb's): the
 * latency runs to the arrival, not to when the process got round to
 * reading it.  Without one, it runs to the read. */
static int stamps_on(void)
{
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one)) == 0)
		return fd;
	fprintf(stderr,
		"dnsvis: warning: cannot turn on receive timestamps (%s): UDP latency "
		"runs to the receive call\n",
		strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int record_responses_start(struct record_reader *te, int64_t timeout_ns, uint32_t max_pending)
{
	struct resp_state *rs = calloc(1, sizeof(*rs));
	struct feed_opts fo = {.max_pending = max_pending,
			       .timeout_ns = timeout_ns,
			       .seed = (uint64_t)mono_ns() ^ (uint64_t)(uintptr_t)rs,
			       .source = "live",
			       .emit = on_outcome,
			       .release = on_release,
			       .ctx = te};

	if (!rs)
		return -1;
	te->st->resp = rs;
	rs->stamp_fd = stamps_on();
	tcp_streams_init(&rs->tcp, tcp_resp, tcp_resp_ready, te);
	rs->dec = malloc(sizeof(*rs->dec));
	rs->wait = calloc(RESP_WAIT_MAX, sizeof(*rs->wait));
	rs->feed = rs->dec && rs->wait ? feed_new(&fo) : NULL;
	if (!rs->feed) {
		resp_free(te);
		return -1;
	}
	return 0;
}

void resp_free(struct record_reader *te)
{
	struct resp_state *rs = te->st ? te->st->resp : NULL;

	if (!rs)
		return;
	feed_free(rs->feed); /* releases every kept sender */
	while (rs->n) {
		free(rs->wait[rs->head].m);
		rs->head = (rs->head + 1) % RESP_WAIT_MAX;
		rs->n--;
	}
	kept_put(rs->last);
	tcp_streams_free(&rs->tcp);
	if (rs->stamp_fd >= 0)
		close(rs->stamp_fd);
	free(rs->wait);
	free(rs->dec);
	free(rs);
	te->st->resp = NULL;
}

void resp_extra(const struct record_reader *te, struct record_extra *x)
{
	const struct resp_state *rs = te->st->resp;
	const struct match_stats *s;

	if (!rs)
		return;
	s = feed_stats(rs->feed);
	x->responses = 1;
	x->paired = s->paired;
	x->timeouts = s->timeouts;
	x->flushed = s->flushed;
	x->unsolicited = s->unsolicited;
	x->evicted = s->evicted;
	x->retries = s->retries;
	x->untracked = s->untracked + feed_untracked(rs->feed);
	x->tcp_gap_bytes += rs->tcp.gaps;
}

void record_print_responses(const struct record_extra *x, int stats)
{
	if (x->responses && stats)
		fprintf(stderr, " responses=%llu timeouts=%llu unsolicited=%llu evicted=%llu",
			x->paired, x->timeouts, x->unsolicited, x->evicted);
	else if (x->responses) /* the match stage's counts (match.h) */
		fprintf(stderr,
			", %llu responses, %llu timeouts (%llu at exit), %llu unsolicited, "
			"%llu evicted, %llu retries, %llu untracked",
			x->paired, x->timeouts, x->flushed, x->unsolicited, x->evicted, x->retries,
			x->untracked);
	fputc('\n', stderr);
}
