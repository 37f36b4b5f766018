/* test_record_resp.c - `trace --responses` in user space (user/live/
 * record_resp.c): synthesized process, query and response records pushed
 * through the record reader as the perf ring hands them, drain ends
 * between them.  A UDP response is paired with its query (kernel
 * timestamps: latency), named after the receiving process, even when the
 * query left an unbound socket without its port or was read after the
 * response; a TCP response split over two receives, and two responses in
 * one receive; a short copy is a truncated_copy; a response that does not
 * decode is malformed, with no record; one nobody asked for is
 * unsolicited; an unanswered query times out by the clock, naming its
 * sender, and one answered just before its deadline does not; what is
 * outstanding at the end times out with end_of_input. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dns_build.h"
#include "kern/dnsvis.h"
#include "live/record.h"
#include "live/record_int.h"
#include "match/feed.h"
#include "output/output.h"
#include "output/sink.h"

#define MS	  1000000LL
#define TGID	  4000001u /* no such process: nothing is read from /proc */
#define TGID2	  4000002u
#define NETNS	  4026531840u
#define SOCK_UDP  0xffff888001000000ULL
#define SOCK_TCP  0xffff888002000000ULL
#define SOCK_TCP2 0xffff888003000000ULL

/* ---- what came out ----------------------------------------------------- */

#define MAX_OUT 16
static char lines[MAX_OUT][4096];
static struct dnsvis_outcome outs[MAX_OUT];
static int nout, nevents, forgot;

static void on_event(void *arg, const struct dnsvis_event *ev)
{
	(void)arg;
	(void)ev;
	nevents++;
}

static void on_outcome(void *arg, const struct dnsvis_outcome *o)
{
	static const struct output_opts json = {.format = OUTPUT_JSON, .typed = 1};
	FILE *f;

	(void)arg;
	if (nout >= MAX_OUT)
		return;
	outs[nout] = *o;
	outs[nout].query = NULL; /* valid during the call only */
	outs[nout].resp = NULL;
	f = fmemopen(lines[nout], sizeof(lines[0]) - 1, "w");
	output_outcome(f, &json, o);
	fclose(f);
	nout++;
}

/* The kernel is asked to describe a process again (record_ring.c's, which
 * talks to the BPF map: here it is only counted). */
void record_forget_proc(struct record_reader *te, uint32_t tgid, uint64_t proc_id)
{
	(void)te;
	(void)tgid;
	(void)proc_id;
	forgot++;
}

/* ---- the reader ---------------------------------------------------------- */

static struct event_filter filter;
static struct event_sink sink;

static struct record_reader *reader_new(int64_t timeout_ns)
{
	struct record_reader *te = calloc(1, sizeof(*te));

	memset(&filter, 0, sizeof(filter));
	memset(&sink, 0, sizeof(sink));
	sink.consume = on_event;
	sink.consume_outcome = on_outcome;
	nout = nevents = forgot = 0;
	te->f = &filter;
	te->sink = &sink;
	CHECK_INT(record_state_open(te, -1, -1), 0);
	CHECK_INT(record_responses_start(te, timeout_ns, 0), 0);
	return te;
}

static void reader_free(struct record_reader *te)
{
	record_state_close(te);
	free(te);
}

/* ---- records ------------------------------------------------------------- */

static void push(struct record_reader *te, const void *rec)
{
	const struct dv_rec_head *h = rec;

	record_handle(te, h, DV_REC_SKIP + (size_t)h->len);
}

static void push_proc(struct record_reader *te, uint32_t tgid, uint64_t id, const char *comm)
{
	static struct dv_proc p;
	static const char strs[] = "/usr/bin/x\0-y\0" /* cmdline */
				   "x\0bin\0usr\0"    /* exe, leaf first */
				   "tmp\0";	      /* cwd */

	memset(&p, 0, sizeof(p));
	p.h.type = DV_REC_PROC;
	p.proc_id = id;
	p.tgid = tgid;
	p.ppid = 1;
	p.net_ns = NETNS;
	p.cmdline_len = 14;
	p.exe_len = 10;
	p.cwd_len = 4;
	memcpy(p.str, strs, sizeof(strs) - 1);
	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.h.len = (unsigned short)(DV_PROC_FIXED + sizeof(strs) - 1 - DV_REC_SKIP);
	push(te, &p);
}

/* A message record: type DV_REC_MSG (a send: client -> server) or
 * DV_REC_RESP (a receive: the server as daddr, the socket as saddr). */
struct rec_spec {
	unsigned short type;
	uint32_t tgid;
	uint64_t proc_id, sock;
	int tcp;
	int64_t ts;
	uint16_t cport;	   /* the client socket's port (0: unknown) */
	uint16_t server;   /* the server's port */
	uint32_t seq;	   /* TCP */
	uint32_t orig_len; /* 0: payload_len */
	uint64_t rx_real;  /* DV_REC_RESP: the kernel's receive stamp (0: none) */
};

static void push_msg(struct record_reader *te, const struct rec_spec *s, const void *payload,
		     size_t len)
{
	static struct dv_msg m;

	memset(&m, 0, sizeof(m));
	m.h.type = s->type;
	m.ts_ns = (unsigned long long)s->ts;
	m.proc_id = s->proc_id;
	m.sock_id = s->sock;
	m.tgid = m.tid = s->tgid;
	m.hook = s->type == DV_REC_RESP ? DV_HOOK_TP_RECVFROM : DV_HOOK_TP_SENDTO;
	m.family = 2;
	m.proto = s->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	m.dport = s->server;
	m.sport = s->cport;
	memcpy(m.daddr, "\x7f\x00\x00\x35", 4);
	memcpy(m.saddr, s->cport ? "\x7f\x00\x00\x01" : "\0\0\0\0", 4);
	m.flags = DV_M_LEN_KNOWN | (s->tcp ? DV_M_SEQ : 0);
	m.stream_seq = s->seq;
	m.rx_real_ns = s->rx_real;
	m.orig_len = s->orig_len ? s->orig_len : (uint32_t)len;
	m.payload_len = (unsigned short)len;
	memcpy(m.payload, payload, len);
	m.h.len = (unsigned short)(DV_MSG_FIXED + len - DV_REC_SKIP);
	push(te, &m);
}

/* ---- DNS messages -------------------------------------------------------- */

static void query(struct msgbuf *m, unsigned txid, const char *name, unsigned qtype)
{
	header(m, txid, 0x0100, 1, 0, 0, 0);
	putname(m, name);
	put16(m, qtype);
	put16(m, 1);
}

/* rcode, and for NOERROR a CNAME to "cdn.example.net" and an A 192.0.2.7 */
static void answer(struct msgbuf *m, unsigned txid, const char *name, unsigned qtype,
		   unsigned rcode)
{
	header(m, txid, 0x8180 | rcode, 1, rcode ? 0 : 2, 0, 0);
	putname(m, name);
	put16(m, qtype);
	put16(m, 1);
	if (rcode)
		return;
	putptr(m, 12);
	put16(m, 5); /* CNAME */
	put16(m, 1);
	put32(m, 300);
	put16(m, 17);
	putname(m, "cdn.example.net");
	putlabels(m, "cdn.example.net");
	put8(m, 0);
	put16(m, 1);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	putraw(m, "\xc0\x00\x02\x07", 4);
}

/* The stream bytes of message m: its 2-byte length, then it. */
static size_t framed(uint8_t *out, const struct msgbuf *m)
{
	out[0] = (uint8_t)(m->n >> 8);
	out[1] = (uint8_t)m->n;
	memcpy(out + 2, m->b, m->n);
	return m->n + 2;
}

static void drains(struct record_reader *te, int64_t *now, int n)
{
	while (n-- > 0) {
		*now += 100 * MS;
		record_release_held(te, *now);
	}
}

static int has(int i, const char *s)
{
	return i < nout && strstr(lines[i], s) != NULL;
}

/* ---- the cases ----------------------------------------------------------- */

static void test_udp_pair(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 0, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP, 0, 1012500000LL, 40000, 53, 0, 0, 0};
	struct msgbuf m;
	int64_t now = 1000 * MS;

	push_proc(te, TGID, 11, "getent");
	query(&m, 0x1234, "www.example.com", 1);
	push_msg(te, &q, m.b, m.n); /* an unbound socket: its port not known yet */
	answer(&m, 0x1234, "www.example.com", 1, 0);
	push_msg(te, &r, m.b, m.n);
	CHECK_INT(nevents, 1);
	drains(te, &now, 2);
	CHECK_INT(nout, 0); /* the response waits for queries read late */
	drains(te, &now, 1);
	CHECK_INT(nout, 1);
	CHECK_INT(outs[0].kind, OUTCOME_RESPONSE);
	CHECK_INT(outs[0].latency_us, 12500);
	CHECK(strstr(lines[0], "{\"type\":\"response\",") == lines[0]);
	CHECK(has(0, "\"txid\":4660,\"opcode\":\"QUERY\",\"domain\":\"www.example.com\","
		     "\"qtype\":\"A\",\"qclass\":\"IN\",\"pid\":4000001,"));
	CHECK(has(0, "\"comm\":\"getent\",\"exe\":\"/usr/bin/x\",\"cmdline\":\"/usr/bin/x -y\""));
	CHECK(has(0, "\"rcode\":\"NOERROR\",\"flags\":[\"rd\",\"ra\"],\"answers\":[{\"name\":"
		     "\"www.example.com\",\"type\":\"CNAME\",\"class\":\"IN\",\"ttl\":300,\"data\":"
		     "\"cdn.example.net\"},{\"name\":\"cdn.example.net\",\"type\":\"A\",\"class\":"
		     "\"IN\",\"ttl\":60,\"data\":\"192.0.2.7\"}]"));
	CHECK(has(0, "\"latency_us\":12500,\"retries\":0}"));
	CHECK(has(0, "\"source\":\"tracepoint/syscalls/sys_enter_sendto\""));
	/* the client as the receive found it: the send did not know its port */
	CHECK(has(0, "\"saddr\":\"127.0.0.1\",\"sport\":40000,\"daddr\":\"127.0.0.53\","));
	CHECK(!has(0, "truncated_copy"));
	record_flush(te, now);
	CHECK_INT(nout, 1); /* nothing outstanding */
	reader_free(te);
}

/* The response is read before its query (another CPU's ring), and received
 * by another process than the one that sent the query (same socket): the
 * record names the receiver. */
static void test_udp_reordered_receiver(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 40001, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID2, 12, SOCK_UDP, 0, 1001 * MS, 40001, 53, 0, 0, 0};
	struct msgbuf m;
	int64_t now = 1000 * MS;

	push_proc(te, TGID2, 12, "reader");
	answer(&m, 7, "a.example.com", 28, 3);
	push_msg(te, &r, m.b, m.n);
	drains(te, &now, 1);
	push_proc(te, TGID, 11, "writer");
	query(&m, 7, "a.example.com", 28);
	push_msg(te, &q, m.b, m.n);
	drains(te, &now, 2);
	CHECK_INT(nout, 1);
	CHECK_INT(outs[0].kind, OUTCOME_RESPONSE);
	CHECK(has(0, "\"rcode\":\"NXDOMAIN\",\"flags\":[\"rd\",\"ra\"],\"answers\":[]"));
	CHECK(has(0, "\"qtype\":\"AAAA\",\"qclass\":\"IN\",\"pid\":4000002,"));
	CHECK(has(0, "\"comm\":\"reader\""));
	CHECK(has(0, "\"latency_us\":1000,"));
	reader_free(te);
}

/* Two processes one after the other ask the same question from a socket
 * at the same kernel address (the second opened after the first closed),
 * each from its own port: two queries, two responses, no retry. */
static void test_socket_reused(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 40010, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP, 0, 1001 * MS, 40010, 53, 0, 0, 0};
	struct msgbuf m;
	int64_t now = 1000 * MS;
	struct record_extra x;

	push_proc(te, TGID, 11, "first");
	push_proc(te, TGID2, 12, "second");
	query(&m, 1, "same.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	q.tgid = r.tgid = TGID2;
	q.proc_id = r.proc_id = 12;
	q.cport = r.cport = 40011;
	q.ts = 1002 * MS;
	query(&m, 2, "same.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	r.tgid = TGID;
	r.proc_id = 11;
	r.cport = 40010;
	answer(&m, 1, "same.example.com", 1, 0);
	push_msg(te, &r, m.b, m.n);
	r.tgid = TGID2;
	r.proc_id = 12;
	r.cport = 40011;
	r.ts = 1003 * MS;
	answer(&m, 2, "same.example.com", 1, 0);
	push_msg(te, &r, m.b, m.n);
	drains(te, &now, 3);
	CHECK_INT(nout, 2);
	CHECK_INT(outs[0].kind, OUTCOME_RESPONSE);
	CHECK_INT(outs[1].kind, OUTCOME_RESPONSE);
	CHECK(has(0, "\"txid\":1,") && has(0, "\"comm\":\"first\""));
	CHECK(has(1, "\"txid\":2,") && has(1, "\"comm\":\"second\""));
	memset(&x, 0, sizeof(x));
	resp_extra(te, &x);
	CHECK_INT(x.retries, 0);
	reader_free(te);
}

/* One TCP query; its response split over two receives.  Then two queries
 * (A, AAAA) in one send and both responses in one receive. */
static void test_tcp(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_TCP, 1, 1000 * MS, 41000, 53, 5000, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_TCP, 1, 1020 * MS, 41000, 53, 9000, 0, 0};
	uint8_t buf[1024];
	struct msgbuf m, m2;
	size_t n, n2;
	int64_t now = 1000 * MS;

	push_proc(te, TGID, 11, "getent");
	query(&m, 0x99, "tc.example.com", 1);
	n = framed(buf, &m);
	push_msg(te, &q, buf, n);
	answer(&m, 0x99, "tc.example.com", 1, 0);
	n = framed(buf, &m);
	push_msg(te, &r, buf, 20);
	drains(te, &now, 1);
	r.seq += 20;
	r.ts = 1021 * MS;
	push_msg(te, &r, buf + 20, n - 20);
	drains(te, &now, 4);
	CHECK_INT(nout, 1);
	CHECK_INT(outs[0].kind, OUTCOME_RESPONSE);
	CHECK_INT(outs[0].latency_us, 21000); /* to the receive that completed it */
	CHECK(has(0, "\"proto\":\"tcp\""));
	CHECK(has(0, "\"data\":\"192.0.2.7\""));

	q.sock = r.sock = SOCK_TCP2;
	q.seq = 100;
	r.seq = 700;
	q.ts = 2000 * MS;
	r.ts = 2005 * MS;
	query(&m, 0x10, "two.example.com", 1);
	query(&m2, 0x11, "two.example.com", 28);
	n = framed(buf, &m);
	n += framed(buf + n, &m2);
	push_msg(te, &q, buf, n);
	answer(&m, 0x10, "two.example.com", 1, 0);
	answer(&m2, 0x11, "two.example.com", 28, 2);
	n2 = framed(buf, &m);
	n2 += framed(buf + n2, &m2);
	push_msg(te, &r, buf, n2);
	drains(te, &now, 4);
	CHECK_INT(nevents, 3);
	CHECK_INT(nout, 3);
	CHECK(has(1, "\"txid\":16,") && has(1, "\"rcode\":\"NOERROR\""));
	CHECK(has(2, "\"txid\":17,") && has(2, "\"qtype\":\"AAAA\"") &&
	      has(2, "\"rcode\":\"SERVFAIL\""));
	CHECK_INT(outs[2].latency_us, 5000);
	reader_free(te);
}

/* A response longer than the copy; a response that does not decode; a
 * record that breaks the format. */
static void test_short_and_malformed(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 40002, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP, 0, 1003 * MS, 40002, 53, 0, 0, 0};
	struct msgbuf m;
	int64_t now = 1000 * MS;

	push_proc(te, TGID, 11, "dig");
	query(&m, 1, "big.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	answer(&m, 1, "big.example.com", 1, 0);
	r.orig_len = 1500;
	push_msg(te, &r, m.b, m.n - 6); /* the A record cut */
	drains(te, &now, 3);
	CHECK_INT(nout, 1);
	CHECK(has(0, "\"type\":\"response\","));
	CHECK(has(0, "\"truncated_copy\":true"));
	CHECK(has(0, "\"type\":\"CNAME\"") && !has(0, "192.0.2.7"));

	/* the same cut with the whole length copied: malformed, no record */
	query(&m, 2, "bad.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	answer(&m, 2, "bad.example.com", 1, 0);
	r.orig_len = 0;
	push_msg(te, &r, m.b, m.n - 6);
	drains(te, &now, 3);
	CHECK_INT(nout, 1);
	CHECK_INT(te->malformed, 1);
	/* payload_len past DV_RESP_MAX; then a length the record does not have */
	{
		static struct dv_msg bad;

		bad.h.type = DV_REC_RESP;
		bad.proto = IPPROTO_UDP;
		bad.payload_len = DV_RESP_MAX + 1;
		bad.h.len = (unsigned short)(DV_MSG_FIXED + DV_RESP_MAX + 1 - DV_REC_SKIP);
		push(te, &bad);
		bad.payload_len = 100;
		bad.h.len = (unsigned short)(DV_MSG_FIXED + 99 - DV_REC_SKIP);
		push(te, &bad);
		CHECK_INT(te->malformed, 3);
	}
	record_flush(te, now); /* the unanswered one times out at the end */
	CHECK_INT(nout, 2);
	CHECK(has(1, "{\"type\":\"timeout\",") && has(1, "\"domain\":\"bad.example.com\""));
	CHECK(has(1, "\"end_of_input\":true"));
	reader_free(te);
}

static void test_unsolicited(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 40003, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP, 0, 1002 * MS, 40003, 5353, 0, 0, 0};
	struct record_extra x;
	struct msgbuf m;
	int64_t now = 1000 * MS;

	push_proc(te, TGID, 11, "client");
	query(&m, 5, "x.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	answer(&m, 5, "x.example.com", 1, 0);
	push_msg(te, &r, m.b, m.n); /* from the wrong port */
	drains(te, &now, 3);
	CHECK_INT(nout, 1);
	CHECK_INT(outs[0].kind, OUTCOME_UNSOLICITED);
	CHECK(strstr(lines[0], "{\"type\":\"unsolicited\",") == lines[0]);
	CHECK(has(0, "\"source\":\"tracepoint/syscalls/sys_exit_recvfrom\""));
	CHECK(has(0, "\"saddr\":\"127.0.0.1\",\"sport\":40003,\"daddr\":\"127.0.0.53\","
		     "\"dport\":5353"));
	CHECK(has(0, "\"pid\":4000001,") && has(0, "\"comm\":\"client\""));
	memset(&x, 0, sizeof(x));
	resp_extra(te, &x); /* record_extra()'s part for --responses */
	CHECK_INT(x.responses, 1);
	CHECK_INT(x.unsolicited, 1);
	CHECK_INT(x.paired, 0);
	reader_free(te);
}

/* Timeout 1 s: the unanswered query times out once the clock has passed
 * its deadline by the lag, naming its sender; a response stamped just
 * before its deadline, read after it, still answers its query. */
static void test_timeout_clock(void)
{
	struct record_reader *te = reader_new(1000 * MS);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 40004, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP + 1, 0, 1990 * MS, 40005, 53, 0, 0, 0};
	struct msgbuf m;
	int64_t now = 1000 * MS;

	push_proc(te, TGID, 11, "waiter");
	query(&m, 9, "slow.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	q.cport = 40005;
	q.sock = SOCK_UDP + 1;
	query(&m, 10, "late.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	/* other processes' events in between: the sender is kept as it was */
	push_proc(te, TGID2, 12, "other");
	q.tgid = TGID2;
	q.proc_id = 12;
	q.sock = SOCK_UDP + 2;
	query(&m, 11, "other.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	drains(te, &now, 10); /* now 2.0 s */
	CHECK_INT(nout, 0);
	answer(&m, 10, "late.example.com", 1, 0);
	push_msg(te, &r, m.b, m.n); /* stamped 1.99 s, read at 2.05 s */
	drains(te, &now, 3);
	CHECK_INT(nout, 1);
	CHECK_INT(outs[0].kind, OUTCOME_RESPONSE);
	CHECK(has(0, "\"domain\":\"late.example.com\""));
	drains(te, &now, 3); /* 2.6 s: the clock (2.6 - 0.4 s lag) passed 2.0 s */
	CHECK_INT(nout, 3);
	CHECK_INT(outs[1].kind, OUTCOME_TIMEOUT);
	CHECK_INT(outs[1].end_of_input, 0);
	CHECK(outs[1].waited_ms >= 1000);
	CHECK(has(1, "\"domain\":\"slow.example.com\"") && has(1, "\"comm\":\"waiter\""));
	CHECK(has(1, "\"pid\":4000001,") && has(1, "\"waited_ms\":1000,"));
	CHECK(has(2, "\"domain\":\"other.example.com\"") && has(2, "\"comm\":\"other\""));
	reader_free(te);
}

/* --domain leaves out a query: its response is left out too, never
 * unsolicited. */
static void test_filtered(void)
{
	struct record_reader *te = reader_new(0);
	struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 40006, 53, 0, 0, 0};
	struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP, 0, 1002 * MS, 40006, 53, 0, 0, 0};
	struct msgbuf m;
	int64_t now = 1000 * MS;

	filter.domain = "*.wanted.org";
	push_proc(te, TGID, 11, "client");
	query(&m, 5, "x.example.com", 1);
	push_msg(te, &q, m.b, m.n);
	answer(&m, 5, "x.example.com", 1, 0);
	push_msg(te, &r, m.b, m.n);
	drains(te, &now, 3);
	record_flush(te, now);
	CHECK_INT(nevents, 0);
	CHECK_INT(nout, 0);
	CHECK_INT(te->filtered, 2);
	reader_free(te);
}

/* A UDP response read 310 ms after it arrived: the latency runs to the
 * arrival, its CLOCK_REALTIME stamp moved to the records' clock by the
 * reader's offset; a stamp that is no time at all leaves the read's. */
static void test_udp_arrival(void)
{
	static const struct {
		uint64_t rx_real_off; /* added to the reader's offset; ~0: a hostile value */
		int64_t want_us;
	} cases[] = {{1002500000ULL, 2500}, {~0ULL, 312500}, {0, 312500}};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct record_reader *te = reader_new(0);
		struct rec_spec q = {DV_REC_MSG, TGID, 11, SOCK_UDP, 0, 1000 * MS, 0, 53, 0, 0, 0};
		struct rec_spec r = {DV_REC_RESP, TGID, 11, SOCK_UDP, 0, 1312500000LL,
				     40000,	  53,	0,  0,	      0};
		struct msgbuf m;
		int64_t now = 1000 * MS;

		te->wall_off_ns = 1700000000LL * 1000000000LL;
		if (cases[i].rx_real_off == ~0ULL)
			r.rx_real = ~0ULL;
		else if (cases[i].rx_real_off)
			r.rx_real = (uint64_t)te->wall_off_ns + cases[i].rx_real_off;
		push_proc(te, TGID, 11, "node");
		query(&m, 0x4321, "slow.example.com", 1);
		push_msg(te, &q, m.b, m.n);
		answer(&m, 0x4321, "slow.example.com", 1, 0);
		push_msg(te, &r, m.b, m.n);
		drains(te, &now, 3);
		CHECK_INT(nout, 1);
		CHECK_INT(outs[0].kind, OUTCOME_RESPONSE);
		CHECK_INT(outs[0].latency_us, cases[i].want_us);
		reader_free(te);
	}
}

int main(void)
{
	test_udp_pair();
	test_udp_arrival();
	test_udp_reordered_receiver();
	test_socket_reused();
	test_tcp();
	test_short_and_malformed();
	test_unsolicited();
	test_timeout_clock();
	test_filtered();
	return check_report("test_record_resp");
}
