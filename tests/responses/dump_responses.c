/* dump_responses.c - every DNS response in a capture, decoded by
 * wire/dns_response.h, as one JSON line each, for comparison with tshark
 * (compare.py).  Frames go through the capture stage, as in replay; a
 * message whose capture is short (snap length, first fragment) is decoded
 * as a short copy.
 *
 * Usage: dump_responses FILE
 * Line: {"frame":N,"status":"ok","truncated_copy":0,"id":N,"rcode":N,
 *        "rcode_name":"..","rcode_exact":1,"flags":"..","ancount":N,
 *        "omitted":N,"answers":[{"name":..,"type":N,"class":N,"ttl":N,
 *        "data":..,"bad":0},...],"edns":null|{"udp_size":N,"version":N,"do":N}}
 * Exit 0, or 1 with one line on stderr (unreadable file, unsupported link).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "output/json_escape.h"
#include "wire/dns_response.h"
#include "wire/capture.h"
#include "wire/packet.h"
#include "wire/port_set.h"

static struct dns_response resp;
static unsigned long frame;

static void put_answers(const struct dns_response *r)
{
	for (unsigned i = 0; i < r->nanswers; i++) {
		const struct dns_answer *a = &r->answers[i];

		printf("%s{\"name\":", i ? "," : "");
		json_escape_file(stdout, a->name);
		printf(",\"type\":%u,\"class\":%u,\"ttl\":%u,\"data\":", a->type, a->rclass,
		       (unsigned)a->ttl);
		json_escape_file(stdout, a->data);
		printf(",\"bad\":%u}", a->rdata_bad);
	}
}

static void on_message(const struct pkt_dns *d, void *ctx)
{
	const struct dns_response *r = &resp;

	(void)ctx;
	dns_response_decode(d->msg, d->msg_len, d->truncated ? d->msg_len + 1 : d->msg_len, &resp);
	if (d->msg_len < DNS_HEADER_LEN || !r->header.qr)
		return;
	printf("{\"frame\":%lu,\"status\":", frame);
	json_escape_file(stdout, dns_status_str(r->status));
	printf(",\"truncated_copy\":%d,\"id\":%u,\"rcode\":%u,\"rcode_name\":\"%s\","
	       "\"rcode_exact\":%d,\"flags\":\"%s\",\"ancount\":%u,\"omitted\":%u,\"answers\":[",
	       r->truncated_copy, r->header.id, r->rcode, r->rcode_name, r->rcode_exact, r->flags,
	       r->header.ancount, r->answers_omitted);
	put_answers(r);
	printf("],\"edns\":");
	if (r->edns_state == DNS_EDNS_PRESENT)
		printf("{\"udp_size\":%u,\"version\":%u,\"do\":%u}", r->edns.udp_size,
		       r->edns.version, r->edns.do_bit);
	else
		printf("null");
	printf("}\n");
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct port_set ports;
	struct capture *cap;
	pcap_t *p;
	int link, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: dump_responses FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "dump_responses: %s: %s\n", argv[1], err);
		return 1;
	}
	link = pcap_datalink(p);
	if (link == DLT_RAW || link == 12 || link == 14)
		link = PKT_LINK_RAW; /* DLT_ and LINKTYPE_ differ only for raw IP */
	if (!packet_link_supported(link)) {
		fprintf(stderr, "dump_responses: %s: link type %d is not supported\n", argv[1],
			link);
		pcap_close(p);
		return 1;
	}
	port_set_default(&ports);
	cap = capture_new(&ports, on_message, NULL);
	if (!cap) {
		fprintf(stderr, "dump_responses: out of memory\n");
		pcap_close(p);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		frame++;
		capture_frame(cap, link, data, h->caplen,
			      (uint64_t)h->ts.tv_sec * 1000000000ull +
				  (uint64_t)h->ts.tv_usec * 1000ull);
	}
	capture_finish(cap);
	capture_free(cap);
	if (rc == PCAP_ERROR)
		fprintf(stderr, "dump_responses: %s: %s\n", argv[1], pcap_geterr(p));
	pcap_close(p);
	return rc == PCAP_ERROR;
}
