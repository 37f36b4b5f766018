/* replay.c - `dnsvis replay`: read pcap/pcapng files with libpcap, find DNS
 * queries with the packet parser and decoder, print them with the shared
 * formatter.  The only file that includes <pcap.h> (its struct bpf_insn
 * clashes with libbpf's). */
#include "replay.h"

#include <getopt.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_decode.h"
#include "event.h"
#include "output.h"
#include "packet.h"
#include "port_set.h"

/* How each packet is counted in the end-of-run summary (one class per
 * packet, except that a TCP segment with several messages counts once):
 *   queries   - query messages (QR=0) to a DNS port, fully decoded; each of
 *               their questions is one output line (events)
 *   responses - DNS messages with QR=1 from or to a DNS port
 *   malformed - headers or DNS message that do not decode (truncated,
 *               bad pointer, bad label, ...)
 *   not DNS   - everything else: non-IP, non-UDP/TCP, later fragments,
 *               other ports, empty payloads */
struct replay_stats {
	unsigned long long packets, queries, events, responses, malformed, not_dns;
};

struct replay_ctx {
	struct output_opts out;
	struct port_set ports;
	struct replay_stats st;
	struct timespec ts;
	/* per packet: what the callback saw */
	int saw_query, saw_response, saw_malformed;
	int header_done; /* text column header, once a file opened */
};

/* A query's questions are all decoded before any is printed, so a message
 * whose third question is malformed prints nothing (no partial output). */
#define REPLAY_QUESTIONS_INLINE 8

static int emit_questions(struct replay_ctx *c, const struct pkt_dns *d, const struct dns_header *h,
			  size_t off)
{
	static struct dns_question qs[REPLAY_QUESTIONS_INLINE];
	struct dnsvis_event ev;
	size_t first = off;
	unsigned i;

	for (i = 0; i < h->qdcount; i++) {
		struct dns_question tmp;
		struct dns_question *q = i < REPLAY_QUESTIONS_INLINE ? &qs[i] : &tmp;

		if (dns_decode_question(d->msg, d->msg_len, &off, q) != DNS_OK)
			return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.ts = c->ts;
	ev.source = "pcap";
	ev.family = d->family;
	ev.proto = d->proto;
	memcpy(ev.saddr, d->saddr, sizeof(ev.saddr));
	memcpy(ev.daddr, d->daddr, sizeof(ev.daddr));
	ev.sport = d->sport;
	ev.dport = d->dport;
	ev.txid = h->id;
	off = first;
	for (i = 0; i < h->qdcount; i++) {
		struct dns_question tmp;
		const struct dns_question *q = &qs[i];

		if (i >= REPLAY_QUESTIONS_INLINE) {
			/* validated above: cannot fail now */
			if (dns_decode_question(d->msg, d->msg_len, &off, &tmp) != DNS_OK)
				return -1;
			q = &tmp;
		}
		ev.domain = q->name.text;
		ev.qtype = q->qtype;
		ev.qclass = q->qclass;
		output_event(stdout, &c->out, &ev);
	}
	c->st.events += h->qdcount;
	return 0;
}

static void on_dns_message(const struct pkt_dns *d, void *arg)
{
	struct replay_ctx *c = arg;
	struct dns_header h;
	size_t off = DNS_HEADER_LEN;
	int to_server = port_set_has(&c->ports, d->dport);

	if (!to_server && !port_set_has(&c->ports, d->sport))
		return;
	if (dns_decode_header(d->msg, d->msg_len, &h) != DNS_OK) {
		c->saw_malformed = 1;
		return;
	}
	if (h.qr) {
		c->saw_response = 1;
		return;
	}
	if (!to_server)
		return; /* a query from a server port to elsewhere: not egress DNS */
	if (emit_questions(c, d, &h, off) != 0) {
		c->saw_malformed = 1;
		return;
	}
	c->saw_query = 1;
	c->st.queries++;
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

static int replay_file(struct replay_ctx *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	int linktype, rc;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
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
		output_header(stdout, &c->out, 0);
		c->header_done = 1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		enum pkt_status s;

		c->st.packets++;
		c->ts.tv_sec = hdr->ts.tv_sec;
		c->ts.tv_nsec = hdr->ts.tv_usec; /* nanoseconds: opened with NANO precision */
		c->saw_query = c->saw_response = c->saw_malformed = 0;
		s = packet_parse(linktype, data, hdr->caplen, on_dns_message, c);
		count_packet(c, s);
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "dnsvis: replay: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dnsvis replay [-o text|json|kubearmor] [-p|--port N]... "
		   "[--cluster-name NAME] FILE...\n");
}

static int parse_args(struct replay_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"port", required_argument, NULL, 'p'},
	    {"cluster-name", required_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *why;
	int opt, fmt;

	optind = 1;
	opterr = 0; /* one line of our own per error */
	while ((opt = getopt_long(argc, argv, ":o:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			fmt = output_format_parse(optarg);
			if (fmt < 0) {
				fprintf(stderr,
					"dnsvis: replay: unknown output format '%s' "
					"(text, json, kubearmor)\n",
					optarg);
				return -1;
			}
			c->out.format = (enum output_format)fmt;
			break;
		case 'p':
			if (port_set_add(&c->ports, optarg, &why) != 0) {
				fprintf(stderr, "dnsvis: replay: --port %s: %s\n", optarg, why);
				return -1;
			}
			break;
		case 'C':
			c->out.cluster_name = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr,
				"dnsvis: replay: option '%s' needs a value (see 'dnsvis replay "
				"--help')\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(
			    stderr,
			    "dnsvis: replay: unknown option '%s' (see 'dnsvis replay --help')\n",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
			"dnsvis: replay: no capture file given (see 'dnsvis replay --help')\n");
		return -1;
	}
	port_set_default(&c->ports);
	return 0;
}

int replay_main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct replay_ctx c;
	int failed = 0;

	memset(&c, 0, sizeof(c));
	c.out.format = OUTPUT_TEXT;
	if (parse_args(&c, argc, argv) != 0)
		return 2;
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	for (int i = optind; i < argc; i++)
		if (replay_file(&c, argv[i]) != 0)
			failed = 1;
	if (fflush(stdout) != 0) {
		perror("dnsvis: replay: writing output");
		return 1;
	}
	if (failed)
		return 1; /* the error lines said why; no summary of a partial read */
	fprintf(stderr,
		"dnsvis: replay: %llu packets read, %llu queries (%llu questions), %llu malformed, "
		"%llu not DNS, %llu responses\n",
		c.st.packets, c.st.queries, c.st.events, c.st.malformed, c.st.not_dns,
		c.st.responses);
	return 0;
}
