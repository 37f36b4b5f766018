/* replay.c - `dnsvis replay`: read pcap/pcapng files with libpcap, find DNS
 * queries with the packet parser and decoder, print them with the shared
 * formatter.  The only file that includes <pcap.h> (its struct bpf_insn
 * clashes with libbpf's). */
#include "replay/replay.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "match/feed.h"
#include "wire/capture.h"
#include "wire/dns_decode.h"
#include "wire/dns_query.h"
#include "wire/dns_response.h"
#include "wire/dns_types.h"
#include "event.h"
#include "output/sink.h"
#include "output/output.h"
#include "wire/packet.h"
#include "wire/port_set.h"
#include "util/cli.h"
#include "util/clock.h"

/* How each packet is counted in the end-of-run summary (one class per
 * packet, except that a TCP segment with several messages counts once):
 *   queries   - query messages (QR=0) to a DNS port, fully decoded; each of
 *               their questions is one output line (events)
 *   responses - DNS messages with QR=1 from or to a DNS port
 *   malformed - headers or DNS message that do not decode (truncated,
 *               bad pointer, bad label, ...)
 *   not DNS   - everything else: non-IP, non-UDP/TCP, fragments held for
 *               reassembly, TCP segments that end no message, other ports,
 *               empty payloads
 * Messages that the end of the capture cuts short (TCP) count as queries,
 * responses or malformed, but in no packet.  Questions --opcode leaves out
 * are counted as not selected. */
struct replay_stats {
	unsigned long long packets, queries, events, responses, malformed, not_dns, unselected;
};

struct replay_ctx {
	struct output_opts out;
	struct port_set ports;
	uint16_t opcodes; /* --opcode: bit n reports opcode n; 0: all */
	struct capture *cap;
	struct replay_stats st;
	struct timespec ts;
	struct dnsvis_event ev; /* the event under construction */
	/* per packet: what the callback saw */
	int saw_query, saw_response, saw_malformed;
	int header_done; /* text column header, once a file opened */
	struct event_sink *sink;
	const char *write_path; /* -w FILE */
	int stats;		/* --stats SECONDS */
	/* progress bar (stderr is a terminal) and --stats */
	int tty;
	unsigned long long bytes_total, bytes_done, last_events;
	double t_start, t_last_draw, t_last_stats, progress_after;
	int drawn;
	/* --responses: queries and responses through the match stage */
	int responses;
	int64_t timeout_ns;
	uint32_t max_pending;
	struct match_feed *feed;
	struct dns_response *resp; /* the response being decoded */
	int64_t ts_ns;		   /* the packet's capture time */
	int fed;		   /* this message's first question went to the feed */
	unsigned long long resp_malformed;
};

static double now_s(void)
{
	return (double)mono_ns() / 1e9;
}

/* Every few thousand packets: the SIGHUP reopen, --stats, and the progress
 * bar "dnsvis: replay [#####.....]  45%  123456 pkt/s" on a terminal. */
static void replay_tick(struct replay_ctx *c, pcap_t *p)
{
	double t = now_s(), el = t - c->t_start;

	sink_maintain(c->sink);
	if (c->stats && t - c->t_last_stats >= c->stats) {
		fprintf(stderr, "dnsvis: stats events=%llu events/s=%.1f lost=0 malformed=%llu\n",
			c->st.events,
			(double)(c->st.events - c->last_events) / (t - c->t_last_stats),
			c->st.malformed);
		c->last_events = c->st.events;
		c->t_last_stats = t;
	}
	if (c->tty && el >= c->progress_after && t - c->t_last_draw >= 0.2) {
		FILE *f = p ? pcap_file(p) : NULL;
		long pos = f ? ftell(f) : -1;
		unsigned long long done = c->bytes_done + (pos > 0 ? (unsigned long long)pos : 0);
		double frac = c->bytes_total ? (double)done / (double)c->bytes_total : 0;
		char bar[31];
		int fill;

		if (frac > 1)
			frac = 1;
		fill = (int)(frac * 30);
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(30 - fill));
		bar[30] = 0;
		fprintf(stderr, "\rdnsvis: replay [%s] %3d%%  %.0f pkt/s\033[K", bar,
			(int)(frac * 100), el > 0 ? (double)c->st.packets / el : 0.0);
		fflush(stderr);
		c->drawn = 1;
		c->t_last_draw = t;
	}
}

/* One question of a replayed query: one event. */
static int emit_question(const struct dns_header *h, const struct dns_question *q, void *arg)
{
	struct replay_ctx *c = arg;

	if (c->opcodes && !(c->opcodes & (1u << h->opcode))) {
		c->st.unselected++;
		return 0;
	}
	dns_query_event(&c->ev, h, q);
	sink_event(c->sink, &c->ev);
	c->st.events++;
	if (c->feed && !c->fed) {
		feed_query(c->feed, &c->ev, 0, c->ts_ns);
		c->fed = 1;
	}
	return 0;
}

/* Everything of the event but the question. */
static void event_of_packet(struct replay_ctx *c, const struct pkt_dns *d)
{
	struct dnsvis_event *ev = &c->ev;

	memset(ev, 0, sizeof(*ev));
	ev->ts = c->ts;
	ev->source = "pcap";
	ev->family = d->family;
	ev->proto = d->proto;
	memcpy(ev->saddr, d->saddr, sizeof(ev->saddr));
	memcpy(ev->daddr, d->daddr, sizeof(ev->daddr));
	ev->sport = d->sport;
	ev->dport = d->dport;
}

/* --responses: a message with QR=1 decoded for the match stage; one that
 * does not decode is counted, never matched. */
static void take_response(struct replay_ctx *c, const struct pkt_dns *d)
{
	struct match_flow fl = {
	    .family = d->family, .proto = d->proto, .sport = d->sport, .dport = d->dport};

	if (!c->feed)
		return;
	if (dns_response_decode(d->msg, d->msg_len, d->truncated ? d->msg_len + 1 : d->msg_len,
				c->resp) != DNS_OK) {
		c->resp_malformed++;
		return;
	}
	memcpy(fl.saddr, d->saddr, sizeof(fl.saddr));
	memcpy(fl.daddr, d->daddr, sizeof(fl.daddr));
	feed_response(c->feed, &fl, c->ts_ns, &c->ts, c->resp);
}

static void on_dns_message(const struct pkt_dns *d, void *arg)
{
	struct replay_ctx *c = arg;
	int to_server = port_set_has(&c->ports, d->dport);
	struct dns_header h;

	if (!to_server && !port_set_has(&c->ports, d->sport))
		return;
	if (!to_server) {
		/* from a server port: a response, or a query to elsewhere (not
		 * egress DNS) */
		if (dns_decode_header(d->msg, d->msg_len, &h) != DNS_OK)
			c->saw_malformed = 1;
		else if (h.qr) {
			c->saw_response = 1;
			take_response(c, d);
		}
		return;
	}
	event_of_packet(c, d);
	c->fed = 0;
	switch (dns_query_questions(d->msg, d->msg_len, &h, emit_question, c)) {
	case DNS_QUERY_OK:
		c->saw_query = 1;
		c->st.queries++;
		break;
	case DNS_QUERY_RESPONSE:
		c->saw_response = 1;
		take_response(c, d);
		break;
	default:
		c->saw_malformed = 1;
		break;
	}
}

static int linktype_of(pcap_t *p)
{
	int dlt = pcap_datalink(p);

	/* libpcap hands out DLT_ values; the parser wants LINKTYPE_ values.
	 * They differ only for raw IP (DLT_RAW is 12 or 14 by platform). */
	if (dlt == DLT_RAW || dlt == 12 || dlt == 14)
		return PKT_LINK_RAW;
	return dlt;
}

static void count_packet(struct replay_ctx *c, enum pkt_status s)
{
	if (c->saw_malformed || s == PKT_MALFORMED)
		c->st.malformed++;
	else if (!c->saw_query && !c->saw_response)
		c->st.not_dns++;
	else if (c->saw_response && !c->saw_query)
		c->st.responses++;
}

/* The capture at path ("-" is standard input), read through a 1 MiB stdio
 * buffer: the default 4 KiB one costs a read(2) per few packets. */
static pcap_t *open_capture(const char *path, char *err)
{
	FILE *f;
	pcap_t *p;

	if (strcmp(path, "-") == 0)
		return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							       err);
	f = fopen(path, "rbe");
	if (!f) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p)
		fclose(f);
	return p;
}

static int replay_file(struct replay_ctx *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	int linktype, rc = 0;

	p = open_capture(path, err);
	if (!p) {
		size_t n = strlen(path);
		const char *why = err;

		/* libpcap names the file itself in some messages */
		if (strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0)
			why = err + n + 2;
		fprintf(stderr, "dnsvis: replay: %s: %s\n", path, why);
		return -1;
	}
	linktype = linktype_of(p);
	if (!packet_link_supported(linktype)) {
		const char *name = pcap_datalink_val_to_name(pcap_datalink(p));

		fprintf(stderr, "dnsvis: replay: %s: link type %s (%d) is not supported\n", path,
			name ? name : "unknown", pcap_datalink(p));
		pcap_close(p);
		return -1;
	}
	if (!c->header_done) {
		sink_header(c->sink, 0);
		c->header_done = 1;
	}
	/* until the end, or a closed output (the sink stops) */
	while (!sink_stopped(c->sink) && (rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		enum pkt_status s;

		c->st.packets++;
		c->ts.tv_sec = hdr->ts.tv_sec;
		c->ts.tv_nsec = hdr->ts.tv_usec; /* nanoseconds: opened with NANO precision */
		c->saw_query = c->saw_response = c->saw_malformed = 0;
		c->ts_ns = (int64_t)hdr->ts.tv_sec * 1000000000LL + (int64_t)hdr->ts.tv_usec;
		if (c->feed)
			feed_advance(c->feed, c->ts_ns);
		s = capture_frame(c->cap, linktype, data, hdr->caplen, (uint64_t)c->ts_ns);
		count_packet(c, s);
		if ((c->st.packets & 4095) == 0)
			replay_tick(c, p);
	}
	if (!sink_stopped(c->sink) && rc == PCAP_ERROR) {
		fprintf(stderr, "dnsvis: replay: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	{
		struct stat sb;

		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			c->bytes_done += (unsigned long long)sb.st_size;
	}
	return 0;
}

/* The end-of-run line: the packet classes, then what reassembly did. */
static void print_summary(const struct replay_ctx *c)
{
	const struct tcp_reasm_stats *t = capture_tcp_stats(c->cap);
	const struct ip_frag_stats *f = capture_frag_stats(c->cap);

	fprintf(stderr,
		"dnsvis: replay: %llu packets read, %llu queries (%llu questions), %llu malformed, "
		"%llu not DNS, %llu responses",
		c->st.packets, c->st.queries, c->st.events, c->st.malformed, c->st.not_dns,
		c->st.responses);
	if (c->opcodes)
		fprintf(stderr, ", %llu questions not selected by --opcode", c->st.unselected);
	if (c->feed) {
		const struct match_stats *m = feed_stats(c->feed);

		fprintf(stderr,
			"; matched: %llu responses paired, %llu timeouts (%llu at end of input), "
			"%llu unsolicited, %llu retries, %llu evicted, %llu untracked, "
			"%llu responses not decoded",
			(unsigned long long)m->paired, (unsigned long long)m->timeouts,
			(unsigned long long)m->flushed, (unsigned long long)m->unsolicited,
			(unsigned long long)m->retries, (unsigned long long)m->evicted,
			(unsigned long long)m->untracked +
			    (unsigned long long)feed_untracked(c->feed),
			c->resp_malformed);
	}
	fprintf(
	    stderr,
	    "; tcp: %llu streams, %llu gaps (%llu bytes), %llu evicted, %llu bytes "
	    "retransmitted; ip fragments: %llu in %llu datagrams, %llu timed out, %llu evicted, "
	    "%llu refused\n",
	    t->flows, t->gaps, t->gap_bytes, t->evicted, t->dup_bytes, f->fragments, f->datagrams,
	    f->timed_out, f->evicted, f->refused);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dnsvis replay [-o text|json|kubearmor|ecs] [-p|--port N]... "
		   "[--opcode LIST] [--cluster-name NAME] [-w FILE] [--stats SECONDS]\n"
		   "                     [--responses [--timeout SECONDS] [--max-pending N]] "
		   "FILE...\n");
}

const char replay_optstring[] = ":o:p:w:h";

const struct option replay_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"port", required_argument, NULL, 'p'},
    {"opcode", required_argument, NULL, 'O'},
    {"cluster-name", required_argument, NULL, 'C'},
    {"write", required_argument, NULL, 'w'},
    {"stats", required_argument, NULL, 'S'},
    {"responses", no_argument, NULL, 'R'},
    {"timeout", required_argument, NULL, 'T'},
    {"max-pending", required_argument, NULL, 'M'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A whole number 1..max. */
static int parse_count(const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || end == s || *end || *v <= 0 || *v > max ? -1 : 0;
}

static int parse_args(struct replay_ctx *c, int argc, char **argv)
{
	const char *why;
	int opt, fmt;
	long v;

	cli_begin();
	while ((opt = getopt_long(argc, argv, replay_optstring, replay_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			fmt = output_format_parse(optarg);
			if (fmt < 0) {
				cli_usage_err("replay", "unknown output format '%s'", optarg);
				return -1;
			}
			c->out.format = (enum output_format)fmt;
			break;
		case 'p':
			if (port_set_add(&c->ports, optarg, &why) != 0) {
				cli_usage_err("replay", "bad --port: %s", why);
				return -1;
			}
			break;
		case 'O':
			if (dns_opcode_list_parse(optarg, &c->opcodes, &why) != 0) {
				cli_usage_err("replay", "bad --opcode '%s'", why);
				return -1;
			}
			break;
		case 'C':
			c->out.cluster_name = optarg;
			break;
		case 'w':
			c->write_path = optarg;
			break;
		case 'S':
			if (parse_count(optarg, 86400, &v) != 0) {
				cli_usage_err("replay", "bad --stats '%s'", optarg);
				return -1;
			}
			c->stats = (int)v;
			break;
		case 'R':
			c->responses = 1;
			break;
		case 'T':
			if (parse_count(optarg, 86400, &v) != 0) {
				cli_usage_err("replay", "bad --timeout '%s'", optarg);
				return -1;
			}
			c->timeout_ns = v * 1000000000LL;
			break;
		case 'M':
			if (parse_count(optarg, 1 << 30, &v) != 0) {
				cli_usage_err("replay", "bad --max-pending '%s'", optarg);
				return -1;
			}
			c->max_pending = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			cli_bad_option("replay", opt, argv);
			return -1;
		}
	}
	if (optind >= argc) {
		cli_usage_err("replay", "no capture file given%s", "");
		return -1;
	}
	if ((c->timeout_ns || c->max_pending) && !c->responses) {
		cli_usage_err("replay", "--timeout and --max-pending need --responses%s", "");
		return -1;
	}
	c->out.typed = c->responses;
	port_set_default(&c->ports);
	if (output_prepare(&c->out) != 0)
		return 1;
	return 0;
}

static void emit_outcome(void *arg, const struct dnsvis_outcome *o)
{
	struct replay_ctx *c = arg;

	sink_outcome(c->sink, o);
}

/* --responses: the match stage and the buffer responses decode into. */
static int start_responses(struct replay_ctx *c)
{
	struct feed_opts fo = {.max_pending = c->max_pending,
			       .timeout_ns = c->timeout_ns,
			       .seed = (uint64_t)mono_ns(),
			       .emit = emit_outcome,
			       .ctx = c};

	c->resp = malloc(sizeof(*c->resp));
	c->feed = c->resp ? feed_new(&fo) : NULL;
	if (!c->feed) {
		fprintf(stderr, "dnsvis: replay: out of memory\n");
		return -1;
	}
	return 0;
}

int replay_main(int argc, char **argv)
{
	return replay_run(argc, argv, NULL);
}

int replay_run(int argc, char **argv, struct event_sink *sink)
{
	static char outbuf[1 << 16];
	struct event_sink printer;
	struct replay_ctx c;
	const char *pa;
	int failed = 0, rc;

	memset(&c, 0, sizeof(c));
	c.out.format = OUTPUT_TEXT;
	rc = parse_args(&c, argc, argv);
	if (rc != 0)
		return rc < 0 ? 2 : 1; /* usage, or what the format needs is missing */
	/* a closed output is a failed write, and ends the replay (sink.h) */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (!sink) {
		sink_init_printer(&printer, &c.out);
		if (c.write_path)
			printer.print = NULL; /* -w: events go to the file only */
		sink = &printer;
	}
	c.sink = sink;
	if (c.write_path) {
		if (sink_open_write(sink, c.write_path, &c.out) != 0)
			return 1;
		sink_catch_sighup();
	}
	c.tty = isatty(STDERR_FILENO);
	pa = getenv("DNSVIS_PROGRESS_AFTER");
	c.progress_after = pa ? atof(pa) : 0.5;
	for (int i = optind; i < argc; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) == 0 && S_ISREG(sb.st_mode))
			c.bytes_total += (unsigned long long)sb.st_size;
	}
	c.t_start = c.t_last_stats = now_s();
	c.t_last_draw = -1e9;
	c.cap = capture_new(&c.ports, on_dns_message, &c);
	if (!c.cap) {
		fprintf(stderr, "dnsvis: replay: out of memory\n");
		return 1;
	}
	if (c.responses && start_responses(&c) != 0)
		return 1;
	for (int i = optind; i < argc && !sink_stopped(sink); i++)
		if (replay_file(&c, argv[i]) != 0)
			failed = 1;
	capture_finish(c.cap); /* streams the capture's end cuts short */
	if (c.feed)
		feed_flush(c.feed); /* what is still outstanding times out now */
	if (c.drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	sink->malformed = c.st.malformed;
	if (sink_close(sink) != 0)
		return 1; /* the sink said why */
	if (failed)
		return 1; /* the error lines said why; no summary of a partial read */
	print_summary(&c);
	capture_free(c.cap);
	feed_free(c.feed);
	free(c.resp);
	return 0;
}
