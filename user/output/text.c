/* text.c - the `text` format: one aligned, terminal-safe line per
 * question. */
#include <string.h>

#include "output/format.h"
#include "util/str.h"
#include "wire/dns_types.h"

/* Column widths of the text format. */
#define W_TIME	   15 /* HH:MM:SS.uuuuuu */
#define W_PROTO	   5
#define W_ENDPOINT 21 /* 255.255.255.255:65535; IPv6 may be wider */
#define W_TXID	   5
#define W_QTYPE	   8
#define W_PID	   7
#define W_COMM	   16
#define W_DOMAIN   32

/* "A", or "TXT/CH" when the class is not IN; "-" with no question. */
static void text_qtype(struct sbuf *b, const struct dnsvis_event *ev)
{
	char tbuf[32];

	if (ev->no_question) {
		sb_ch(b, '-');
		return;
	}
	text_str(b, dns_type_name(ev->qtype, tbuf, sizeof(tbuf)), NO_CAP, 0);
	if (ev->qclass != 1) {
		sb_ch(b, '/');
		text_str(b, dns_class_name(ev->qclass, tbuf, sizeof(tbuf)), NO_CAP, 0);
	}
}

/* The domain, "(no question)" for a query without one, then the opcode in
 * parentheses when it is not QUERY.  A name never holds a raw space (it is
 * escaped), so neither addition can be taken for part of it. */
static void text_domain(struct sbuf *b, const struct dnsvis_event *ev)
{
	char tbuf[32];

	if (ev->no_question)
		sb_lit(b, "(no question)");
	else
		text_str(b, ev->domain, NO_CAP, 1);
	if (ev->opcode != 0) {
		sb_lit(b, " (");
		sb_str(b, dns_opcode_name(ev->opcode, tbuf, sizeof(tbuf)));
		sb_ch(b, ')');
	}
}

/* s padded to width, then gap more spaces: one cell of the header. */
static void header_cell(struct sbuf *b, const char *s, size_t width, size_t gap)
{
	size_t col = b->len;

	sb_str(b, s);
	sb_pad(b, col, width, gap);
}

static void endpoint_cell(struct sbuf *b, int family, const uint8_t *a, uint16_t port, size_t gap)
{
	size_t col = b->len;

	put_endpoint(b, family, a, port);
	sb_pad(b, col, W_ENDPOINT, gap);
}

static void qtype_cell(struct sbuf *b, const struct dnsvis_event *ev)
{
	size_t col = b->len;

	text_qtype(b, ev);
	sb_pad(b, col, W_QTYPE, 2);
}

/* The columns after the time when no process is known (replay). */
static void text_packet_cols(struct sbuf *b, const struct dnsvis_event *ev)
{
	size_t col = b->len;

	put_proto(b, ev->proto);
	sb_pad(b, col, W_PROTO, 2);
	endpoint_cell(b, ev->family, ev->saddr, ev->sport, 1);
	sb_lit(b, "-> ");
	endpoint_cell(b, ev->family, ev->daddr, ev->dport, 2);
	sb_u64_right(b, ev->txid, W_TXID);
	sb_pad(b, b->len, 0, 2);
	qtype_cell(b, ev);
	text_domain(b, ev);
}

/* The columns after the time for the process p that sent ev (live). */
static void text_proc_cols(struct sbuf *b, const struct dnsvis_event *ev,
			   const struct dnsvis_proc *p)
{
	const char *ctr = str_or_empty(p->container_name);
	size_t ctr_max = FIELD_MAX, n, col;
	int trunc;

	if (!*ctr) {
		ctr = str_or_empty(p->container_id);
		ctr_max = 12;
	}
	col = b->len;
	sb_u64(b, p->pid);
	sb_pad(b, col, W_PID, 2);
	col = b->len;
	text_strn(b, p->comm, strnlen(p->comm, sizeof(p->comm)), 0, 0);
	sb_pad(b, col, W_COMM, 2);
	qtype_cell(b, ev);
	col = b->len;
	text_domain(b, ev);
	sb_pad(b, col, W_DOMAIN, 1);
	sb_lit(b, "-> ");
	endpoint_cell(b, ev->family, ev->daddr, ev->dport, 2);
	n = capped_len(ctr, ctr_max, &trunc);
	text_strn(b, ctr, n, trunc && ctr_max == FIELD_MAX, 0);
}

void text_event(struct sbuf *b, const struct dnsvis_event *ev)
{
	size_t col = b->len;

	put_clock(b, &ev->ts);
	sb_pad(b, col, W_TIME, 2);
	if (ev->proc)
		text_proc_cols(b, ev, ev->proc);
	else
		text_packet_cols(b, ev);
	while (!b->oom && b->len > 0 && b->p[b->len - 1] == ' ')
		b->len--;
	sb_ch(b, '\n');
}

/* The column header line. */
void text_header(struct sbuf *b, int with_proc)
{
	header_cell(b, "TIME(UTC)", W_TIME, 2);
	if (!with_proc) {
		header_cell(b, "PROTO", W_PROTO, 2);
		header_cell(b, "SOURCE", W_ENDPOINT, 4);
		header_cell(b, "DESTINATION", W_ENDPOINT, 2);
		sb_lit(b, " TXID  ");
		header_cell(b, "QTYPE", W_QTYPE, 2);
		sb_lit(b, "DOMAIN\n");
	} else {
		header_cell(b, "PID", W_PID, 2);
		header_cell(b, "COMM", W_COMM, 2);
		header_cell(b, "QTYPE", W_QTYPE, 2);
		header_cell(b, "DOMAIN", W_DOMAIN, 4);
		header_cell(b, "SERVER", W_ENDPOINT, 2);
		sb_lit(b, "CONTAINER\n");
	}
}

/* Up to TEXT_ANSWERS answers as "TYPE data", comma-separated. */
#define TEXT_ANSWERS 4

static void text_answers(struct sbuf *b, const struct dns_response *r)
{
	char tbuf[32];
	unsigned i;

	for (i = 0; i < r->nanswers && i < TEXT_ANSWERS; i++) {
		sb_str(b, i ? ", " : " ");
		text_str(b, dns_type_name(r->answers[i].type, tbuf, sizeof(tbuf)), NO_CAP, 0);
		sb_ch(b, ' ');
		text_str(b, r->answers[i].data, FIELD_MAX, 0);
	}
	if (r->nanswers + r->answers_omitted > i) {
		sb_lit(b, " (+");
		sb_u64(b, r->nanswers + r->answers_omitted - i);
		sb_lit(b, " more)");
	}
	if (r->truncated_copy)
		sb_lit(b, " [truncated copy]");
}

/* The query's line, then "=> RCODE answers  latency" (a response), "=>
 * TIMEOUT after N ms" or "=> UNSOLICITED RCODE answers". */
void text_outcome(struct sbuf *b, const struct dnsvis_outcome *o)
{
	struct dnsvis_event ev = *o->query;

	ev.ts = o->ts;
	text_event(b, &ev);
	if (!b->oom && b->len > 0)
		b->len--; /* the newline */
	sb_lit(b, "  => ");
	if (o->kind == OUTCOME_UNSOLICITED)
		sb_lit(b, "UNSOLICITED ");
	if (o->kind == OUTCOME_TIMEOUT) {
		sb_lit(b, "TIMEOUT after ");
		sb_u64(b, (uint64_t)o->waited_ms);
		sb_lit(b, " ms");
	} else {
		text_str(b, o->resp->rcode_name, NO_CAP, 0);
		text_answers(b, o->resp);
	}
	if (o->kind == OUTCOME_RESPONSE) {
		sb_lit(b, "  ");
		sb_u64(b, (uint64_t)o->latency_us / 1000);
		sb_ch(b, '.');
		sb_u64(b, (uint64_t)o->latency_us / 100 % 10);
		sb_u64(b, (uint64_t)o->latency_us / 10 % 10);
		sb_u64(b, (uint64_t)o->latency_us % 10);
		sb_lit(b, " ms");
	}
	if (o->retries) {
		sb_lit(b, " (");
		sb_u64(b, o->retries);
		sb_str(b, o->retries == 1 ? " retry)" : " retries)");
	}
	sb_ch(b, '\n');
}
