/* capture.c - see capture.h. */
#include "wire/capture.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct capture {
	const struct port_set *ports;
	pkt_dns_cb cb;
	void *ctx;
	struct ip_frags *frags;
	struct tcp_reasm *tcp;
};

struct capture *capture_new(const struct port_set *ports, pkt_dns_cb cb, void *ctx)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ports = ports;
	c->cb = cb;
	c->ctx = ctx;
	c->frags = ip_frags_new();
	c->tcp = tcp_reasm_new(cb, ctx);
	if (!c->frags || !c->tcp) {
		capture_free(c);
		return NULL;
	}
	return c;
}

/* A UDP payload is one message; a TCP segment of a DNS port's stream goes
 * to the reassembler. */
static void on_segment(const struct pkt_segment *seg, void *arg)
{
	struct capture *c = arg;
	struct pkt_dns d;

	if (seg->flow.proto == IPPROTO_TCP) {
		if (port_set_has(c->ports, seg->flow.dport) ||
		    port_set_has(c->ports, seg->flow.sport))
			tcp_reasm_segment(c->tcp, seg);
		return;
	}
	d.family = seg->flow.family;
	d.proto = seg->flow.proto;
	memcpy(d.saddr, seg->flow.saddr, sizeof(d.saddr));
	memcpy(d.daddr, seg->flow.daddr, sizeof(d.daddr));
	d.sport = seg->flow.sport;
	d.dport = seg->flow.dport;
	d.msg = seg->data;
	d.msg_len = seg->len;
	d.truncated = seg->truncated;
	c->cb(&d, c->ctx);
}

enum pkt_status capture_frame(struct capture *c, int linktype, const uint8_t *frame, size_t caplen,
			      uint64_t ts_ns)
{
	struct pkt_parser pp = {on_segment, c, c->frags, ts_ns};

	return packet_parse(&pp, linktype, frame, caplen);
}

void capture_finish(struct capture *c)
{
	tcp_reasm_finish(c->tcp);
}

const struct ip_frag_stats *capture_frag_stats(const struct capture *c)
{
	return ip_frags_stats(c->frags);
}

const struct tcp_reasm_stats *capture_tcp_stats(const struct capture *c)
{
	return tcp_reasm_stats(c->tcp);
}

struct tcp_reasm *capture_tcp(struct capture *c)
{
	return c->tcp;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	ip_frags_free(c->frags);
	tcp_reasm_free(c->tcp);
	free(c);
}
