/* gen_bench_pcap.c - write a deterministic pcap of DNS queries for benchmarks.
 *
 * usage: gen_bench_pcap [-s SEED] [-t TCP_PERCENT] [-e EXPECT_FILE] OUT.pcap [COUNT]
 *
 * Writes COUNT (default 1000000) Ethernet frames, each one DNS query with
 * exactly one question, to OUT.pcap (classic pcap, LINKTYPE_EN10MB,
 * microsecond timestamps).  The traffic imitates a busy node: 40 IPv4 and 8
 * IPv6 clients, 3 IPv4 and 1 IPv6 resolver, Kubernetes pods walking their
 * search list (ndots:5), workstations asking A+AAAA (+HTTPS) pairs, and
 * some PTR, MX, TXT and SRV lookups.  Most queries carry an EDNS OPT
 * record.  All IPv4, UDP and TCP checksums are computed.
 *
 * With -t, that percentage of queries goes over TCP: one length-prefixed
 * message per PSH|ACK segment on one long-lived connection per client (the
 * handshake is before the capture: queries only, so every tool does the
 * same work per frame).  With -m as well, TCP is framed as stacks write
 * it: a client's messages are often held and sent several to a segment,
 * and some are split over two segments (length and body apart, or the body
 * cut), so a reader must reassemble the stream.
 *
 * With -e, EXPECT_FILE gets one line per frame, in file order:
 * "name<TAB>qtype-mnemonic<TAB>qtype-number".
 *
 * stdout: one line "packets=N questions=N" for scripts; a summary of the
 * mix goes to stderr.  The same seed and count always give the same file.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic PRNG (splitmix64 seeded xorshift64*) ---------------- */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	rng_state = (z ^ (z >> 31)) | 1;
}

static uint64_t rng64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rng64() >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static double rndf(void)
{
	return (double)(rng64() >> 11) * (1.0 / 9007199254740992.0);
}

/* Percent chance. */
static int chance(unsigned pct)
{
	return rnd(100) < pct;
}

/* Exponential with the given mean, in microseconds, at least 1. */
static uint64_t rnd_exp_us(double mean)
{
	double u = rndf();
	double x = -mean * log(1.0 - u);
	if (x < 1.0)
		return 1;
	if (x > mean * 40)
		x = mean * 40;
	return (uint64_t)x;
}

/* ---- qtypes ------------------------------------------------------------ */
enum {
	T_A = 1,
	T_PTR = 12,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_SRV = 33,
	T_HTTPS = 65,
};

static const char *qtype_name(uint16_t t)
{
	switch (t) {
	case T_A:
		return "A";
	case T_PTR:
		return "PTR";
	case T_MX:
		return "MX";
	case T_TXT:
		return "TXT";
	case T_AAAA:
		return "AAAA";
	case T_SRV:
		return "SRV";
	case T_HTTPS:
		return "HTTPS";
	}
	return "?";
}

/* ---- hosts ------------------------------------------------------------- */
#define N_CLIENT4 40
#define N_CLIENT6 8
#define N_CLIENTS (N_CLIENT4 + N_CLIENT6)
#define N_SERVER4 3
#define N_PODS	  16 /* clients 0..15 are Kubernetes pods (IPv4) */

struct host {
	int v6;
	uint8_t addr[16];
	uint8_t mac[6];
};

static struct host clients[N_CLIENTS];
static struct host servers[N_SERVER4 + 1]; /* last one is IPv6 */
static const uint8_t gw_mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

struct client_state {
	int server;	/* usual resolver */
	const char *ns; /* Kubernetes namespace, NULL for non-pods */
	uint16_t ip_id; /* IPv4 identification counter */
	/* one long-lived TCP connection per client (RFC 7766 reuse) */
	uint16_t tcp_port;
	uint32_t tcp_seq, tcp_ack;
};
static struct client_state cstate[N_CLIENTS];

static const char *namespaces[] = {"default", "prod", "monitoring", "kube-system", "payments"};

static void setup_hosts(void)
{
	int i;
	for (i = 0; i < N_CLIENTS; i++) {
		struct host *h = &clients[i];
		memset(h, 0, sizeof(*h));
		h->mac[0] = 0x02;
		h->mac[1] = 0x42;
		h->mac[2] = 0x0a;
		h->mac[3] = (uint8_t)(rng64() >> 8);
		h->mac[4] = (uint8_t)(i >> 8);
		h->mac[5] = (uint8_t)i;
		if (i < N_PODS) {
			/* pods: 10.244.x.y */
			h->addr[0] = 10;
			h->addr[1] = 244;
			h->addr[2] = (uint8_t)(i / 6);
			h->addr[3] = (uint8_t)(2 + 7 * i);
			cstate[i].server = 0;
			cstate[i].ns = namespaces[rnd(5)];
		} else if (i < N_CLIENT4) {
			/* workstations and servers: 192.168.1.x and 172.16.5.x */
			if (i % 3) {
				h->addr[0] = 192;
				h->addr[1] = 168;
				h->addr[2] = 1;
			} else {
				h->addr[0] = 172;
				h->addr[1] = 16;
				h->addr[2] = 5;
			}
			h->addr[3] = (uint8_t)(20 + 3 * i);
			cstate[i].server = 1 + (int)rnd(2);
		} else {
			/* IPv6 clients: 2001:db8:100::/64 with EUI-64-ish ids */
			static const uint8_t pfx[8] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0};
			h->v6 = 1;
			memcpy(h->addr, pfx, 8);
			h->addr[8] = 0x02;
			h->addr[9] = 0x42;
			h->addr[10] = 0x0a;
			h->addr[11] = 0xff;
			h->addr[12] = 0xfe;
			h->addr[13] = h->mac[3];
			h->addr[14] = (uint8_t)(i >> 8);
			h->addr[15] = (uint8_t)i;
			cstate[i].server = N_SERVER4;
		}
		cstate[i].ip_id = (uint16_t)rng64();
		cstate[i].tcp_port = (uint16_t)(33000 + 611 * i);
		cstate[i].tcp_seq = (uint32_t)rng64();
		cstate[i].tcp_ack = (uint32_t)rng64();
	}
	/* kube-dns, LAN resolver, public resolver, IPv6 resolver */
	static const uint8_t s4[N_SERVER4][4] = {{10, 96, 0, 10}, {192, 168, 1, 1}, {9, 9, 9, 9}};
	for (i = 0; i < N_SERVER4; i++) {
		memset(&servers[i], 0, sizeof(servers[i]));
		memcpy(servers[i].addr, s4[i], 4);
		memcpy(servers[i].mac, gw_mac, 6);
	}
	static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0,
				       0,    0,	   0,	 0,    0,    0,	   0, 0x53};
	memset(&servers[N_SERVER4], 0, sizeof(servers[N_SERVER4]));
	servers[N_SERVER4].v6 = 1;
	memcpy(servers[N_SERVER4].addr, s6, 16);
	memcpy(servers[N_SERVER4].mac, gw_mac, 6);
}

/* ---- domains ----------------------------------------------------------- */
#define N_DOMAINS     320
#define NAME_MAX_TEXT 512 /* buffer size; names are checked to fit 253 */

static char domains[N_DOMAINS][NAME_MAX_TEXT];
static int domain_labels[N_DOMAINS];

static const char *syll[] = {"ka",  "lo",   "mi",   "net",  "zu",  "ra",  "po",	 "tek", "vi",
			     "sol", "data", "shop", "mail", "app", "go",  "fin", "bit", "nova",
			     "ex",  "tra",  "pix",  "lab",  "hub", "sky", "one", "box", "cor",
			     "med", "ion",  "ver",  "pay",  "bo",  "tiv", "lux", "qua", "stat"};
static const char *tlds[] = {"com", "com", "com", "com", "net",	  "org",    "io",
			     "de",  "fr",  "dev", "jp",	 "co.uk", "com.au", "cloud"};
static const char *subs[] = {"eu-west-1", "edge", "static", "img", "login",  "auth",	 "m", "v2",
			     "prod",	  "us",	  "media",  "ws",  "events", "telemetry"};
/* single-label Kubernetes service names */
static const char *svcnames[] = {"redis",	  "postgres", "kafka",	  "api-gateway",
				 "auth",	  "payments", "grafana",  "prometheus",
				 "elasticsearch", "vault",    "rabbitmq", "minio",
				 "etcd",	  "checkout", "cart",	  "frontend"};

static void gen_label(char *out, size_t size)
{
	int n = 2 + (int)rnd(2), i;
	out[0] = 0;
	for (i = 0; i < n; i++)
		strncat(out, syll[rnd(sizeof(syll) / sizeof(syll[0]))], size - strlen(out) - 1);
	if (chance(10)) {
		size_t l = strlen(out);
		snprintf(out + l, size - l, "%u", rnd(99) + 1);
	}
}

static int count_labels(const char *s)
{
	int n = 1;
	for (; *s; s++)
		n += *s == '.';
	return n;
}

static void setup_domains(void)
{
	int i;
	for (i = 0; i < N_DOMAINS; i++) {
		char *d = domains[i];
		char base[64];
		unsigned r = rnd(100);
		if (i < (int)(sizeof(svcnames) / sizeof(svcnames[0]))) {
			/* 1 label: service names, resolved through the search list */
			snprintf(d, NAME_MAX_TEXT, "%s", svcnames[i]);
		} else {
			const char *tld = tlds[rnd(sizeof(tlds) / sizeof(tlds[0]))];
			gen_label(base, sizeof(base));
			int nsub = r < 50 ? 0 : r < 80 ? 1 : r < 94 ? 2 : 3;
			d[0] = 0;
			while (nsub-- > 0 &&
			       count_labels(tld) + 1 + (d[0] ? count_labels(d) : 0) < 5) {
				size_t l = strlen(d);
				snprintf(d + l, NAME_MAX_TEXT - l, "%s.",
					 subs[rnd(sizeof(subs) / sizeof(subs[0]))]);
			}
			size_t l = strlen(d);
			snprintf(d + l, NAME_MAX_TEXT - l, "%s.%s", base, tld);
		}
		domain_labels[i] = count_labels(d);
	}
}

/* Popular names dominate: skewed toward low indexes (roughly Zipf-like). */
static int pick_domain(void)
{
	double u = rndf();
	return (int)(N_DOMAINS * u * u * u);
}

/* A name for an A/AAAA/HTTPS lookup: maybe www./api./cdn. on short domains. */
static void pick_host_name(char *out, int *is_svc)
{
	int d = pick_domain();
	*is_svc = domain_labels[d] == 1;
	if (!*is_svc && domain_labels[d] == 2) {
		unsigned r = rnd(100);
		const char *p = r < 35 ? "www." : r < 47 ? "api." : r < 57 ? "cdn." : "";
		snprintf(out, NAME_MAX_TEXT, "%s%s", p, domains[d]);
	} else {
		snprintf(out, NAME_MAX_TEXT, "%s", domains[d]);
	}
}

/* A registrable-ish domain (for MX/TXT/SRV): the last two or three labels. */
static const char *pick_zone(void)
{
	int d;
	do
		d = pick_domain();
	while (domain_labels[d] == 1);
	const char *s = domains[d];
	int skip = domain_labels[d] - 2;
	if (strstr(s, ".co.uk") || strstr(s, ".com.au"))
		skip--;
	while (skip-- > 0)
		s = strchr(s, '.') + 1;
	return s;
}

/* ---- pending queries, emitted in timestamp order (binary heap) --------- */
struct query {
	uint64_t ts;  /* microseconds since the epoch */
	uint64_t seq; /* tie-breaker: creation order */
	int client, server;
	uint16_t sport, txid, qtype;
	uint8_t tcp;
	char name[NAME_MAX_TEXT];
};

#define HEAP_MAX 4096
static struct query heap[HEAP_MAX];
static int heap_n;

static int q_less(const struct query *a, const struct query *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void heap_push(const struct query *q)
{
	int i = heap_n++;
	if (heap_n > HEAP_MAX) {
		fprintf(stderr, "gen_bench_pcap: query heap overflow\n");
		exit(1);
	}
	while (i > 0) {
		int p = (i - 1) / 2;
		if (!q_less(q, &heap[p]))
			break;
		heap[i] = heap[p];
		i = p;
	}
	heap[i] = *q;
}

static void heap_pop(struct query *out)
{
	*out = heap[0];
	struct query last = heap[--heap_n];
	int i = 0;
	for (;;) {
		int c = 2 * i + 1;
		if (c >= heap_n)
			break;
		if (c + 1 < heap_n && q_less(&heap[c + 1], &heap[c]))
			c++;
		if (!q_less(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (heap_n > 0)
		heap[i] = last;
}

/* ---- packet building --------------------------------------------------- */
static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Write the DNS query message; returns its length. */
static size_t build_dns(uint8_t *p, const struct query *q)
{
	uint8_t *s = p;
	int edns = chance(85);
	p = put16(p, q->txid);
	p = put16(p, chance(30) ? 0x0120 : 0x0100); /* RD, sometimes AD */
	p = put16(p, 1);
	p = put16(p, 0);
	p = put16(p, 0);
	p = put16(p, (uint16_t)edns);
	const char *n = q->name;
	while (*n) {
		const char *dot = strchr(n, '.');
		size_t l = dot ? (size_t)(dot - n) : strlen(n);
		*p++ = (uint8_t)l;
		memcpy(p, n, l);
		p += l;
		n += l + (dot ? 1 : 0);
	}
	*p++ = 0;
	p = put16(p, q->qtype);
	p = put16(p, 1); /* IN */
	if (edns) {
		int cookie = chance(40);
		*p++ = 0; /* root */
		p = put16(p, 41);
		p = put16(p, chance(75) ? 1232 : 4096);
		p = put32(p, chance(10) ? 0x8000 : 0); /* DO bit sometimes */
		p = put16(p, cookie ? 12 : 0);
		if (cookie) {
			p = put16(p, 10); /* COOKIE, client part only */
			p = put16(p, 8);
			uint64_t c = rng64();
			memcpy(p, &c, 8);
			p += 8;
		}
	}
	return (size_t)(p - s);
}

/* Build the whole Ethernet frame; returns its length.  tcp_data: the TCP
 * payload to send (NULL: q's own message, length-prefixed). */
static size_t build_frame(uint8_t *f, const struct query *q, const uint8_t *tcp_data,
			  size_t tcp_len)
{
	const struct host *c = &clients[q->client], *s = &servers[q->server];
	struct client_state *cs = &cstate[q->client];
	uint8_t *p = f;
	memcpy(p, s->mac, 6);
	memcpy(p + 6, c->mac, 6);
	p = put16(p + 12, c->v6 ? 0x86dd : 0x0800);

	uint8_t *ip = p;
	size_t iphl = c->v6 ? 40 : 20;
	uint8_t *l4 = ip + iphl;
	size_t l4hl = q->tcp ? 32 : 8;
	uint8_t *dns = l4 + l4hl + (q->tcp ? 2 : 0);
	size_t dlen;
	if (tcp_data) {
		memcpy(l4 + l4hl, tcp_data, tcp_len);
		dlen = tcp_len - 2; /* the payload is dlen + 2 bytes below */
	} else {
		dlen = build_dns(dns, q);
	}
	size_t l4len = l4hl + (q->tcp ? 2 : 0) + dlen;
	uint8_t proto = q->tcp ? 6 : 17;

	/* transport header */
	put16(l4, q->sport);
	put16(l4 + 2, 53);
	if (q->tcp) {
		put32(l4 + 4, cs->tcp_seq);
		put32(l4 + 8, cs->tcp_ack);
		l4[12] = 8 << 4; /* data offset: 32 bytes */
		l4[13] = 0x18;	 /* PSH|ACK */
		put16(l4 + 14, 502);
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
		/* NOP NOP Timestamps */
		l4[20] = 1;
		l4[21] = 1;
		l4[22] = 8;
		l4[23] = 10;
		put32(l4 + 24, (uint32_t)(q->ts / 1000));
		put32(l4 + 28, (uint32_t)(q->ts / 1000) * 3 + cs->tcp_port * 65537u);
		if (!tcp_data)
			put16(l4 + 32, (uint16_t)dlen);
		cs->tcp_seq += (uint32_t)(dlen + 2);
		cs->tcp_ack += 60 + rnd(200); /* the server's answers */
	} else {
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
	}

	/* IP header and pseudo-header checksum */
	uint32_t sum;
	if (c->v6) {
		put32(ip, 0x60000000u | (rnd(1u << 20)));
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, c->addr, 16);
		memcpy(ip + 24, s->addr, 16);
		sum = csum_add(0, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, cs->ip_id++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, c->addr, 4);
		memcpy(ip + 16, s->addr, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	}
	sum += proto;
	sum += (uint32_t)l4len;
	uint16_t ck = csum_fold(csum_add(sum, l4, l4len));
	if (!q->tcp && ck == 0)
		ck = 0xffff;
	put16(l4 + (q->tcp ? 16 : 6), ck);
	return (size_t)(l4 + l4len - f);
}

/* ---- traffic model ----------------------------------------------------- */
static uint64_t now_us;
static uint64_t created, qseq;
static uint64_t target;
static unsigned tcp_pct;

static uint16_t eph_port(void)
{
	return (uint16_t)(32768 + rnd(60999 - 32768 + 1));
}

/* Queue one query at time ts; returns 0 once COUNT queries exist. */
static int add(uint64_t ts, int client, uint16_t sport, uint16_t qtype, const char *name)
{
	if (created >= target)
		return 0;
	if (strlen(name) > 253) {
		fprintf(stderr, "gen_bench_pcap: name too long: %s\n", name);
		exit(1);
	}
	struct query q;
	q.ts = ts;
	q.seq = qseq++;
	q.client = client;
	q.server = cstate[client].server;
	/* IPv4 clients sometimes use another resolver (fallback / DHCP option) */
	if (!clients[client].v6 && client >= N_PODS && chance(5))
		q.server = (int)rnd(N_SERVER4 - 1) + 1;
	q.sport = sport;
	q.txid = (uint16_t)rng64();
	q.qtype = qtype;
	q.tcp = tcp_pct && chance(tcp_pct);
	if (q.tcp) {
		q.sport = cstate[client].tcp_port;
		q.server = cstate[client].server;
	}
	snprintf(q.name, sizeof(q.name), "%s", name);
	heap_push(&q);
	created++;
	return 1;
}

/* glibc-style A+AAAA pair from one socket, a few microseconds apart. */
static void pair(uint64_t *t, int client, const char *name)
{
	uint16_t port = eph_port();
	add(*t, client, port, T_A, name);
	add(*t + 5 + rnd(60), client, port, T_AAAA, name);
}

static void ptr_name(char *out)
{
	if (chance(12)) {
		/* ip6.arpa for one of the IPv6 clients */
		const struct host *h = &clients[N_CLIENT4 + (int)rnd(N_CLIENT6)];
		char *o = out;
		int i;
		for (i = 15; i >= 0; i--)
			o += sprintf(o, "%x.%x.", h->addr[i] & 15, h->addr[i] >> 4);
		strcpy(o, "ip6.arpa");
		return;
	}
	unsigned a, b, c, d;
	if (chance(50)) { /* a local client */
		const struct host *h = &clients[rnd(N_CLIENT4)];
		a = h->addr[0], b = h->addr[1], c = h->addr[2], d = h->addr[3];
	} else { /* a remote peer from a small pool */
		unsigned k = rnd(64);
		a = 23 + k % 7 * 20, b = 17 + k * 3 % 200, c = k * 7 % 256, d = 1 + k * 13 % 254;
	}
	sprintf(out, "%u.%u.%u.%u.in-addr.arpa", d, c, b, a);
}

/* out = a + b + c (out holds NAME_MAX_TEXT bytes); exits if it does not fit. */
static void join3(char *out, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	if (la + lb + lc >= NAME_MAX_TEXT) {
		fprintf(stderr, "gen_bench_pcap: name too long\n");
		exit(1);
	}
	memmove(out, a, la);
	memcpy(out + la, b, lb);
	memcpy(out + la + lb, c, lc + 1);
}

static const char *srv_prefix[] = {"_ldap._tcp.",  "_sip._udp.",      "_xmpp-client._tcp.",
				   "_imaps._tcp.", "_kerberos._udp.", "_https._tcp."};

/* One client activity (a resolver call, or a browser's parallel lookups). */
static void burst(void)
{
	int client = (int)rnd(N_CLIENTS);
	/* pods are chattier than the rest */
	if (chance(10))
		client = (int)rnd(N_PODS);
	uint64_t t = now_us;
	char name[NAME_MAX_TEXT], full[NAME_MAX_TEXT];
	int is_svc;
	unsigned r = rnd(1000);

	if (r < 110) { /* PTR */
		ptr_name(name);
		add(t, client, eph_port(), T_PTR, name);
	} else if (r < 150) { /* MX */
		add(t, client, eph_port(), T_MX, pick_zone());
	} else if (r < 205) { /* TXT */
		const char *z = pick_zone();
		unsigned k = rnd(3);
		snprintf(full, sizeof(full), "%s%s",
			 k == 0	  ? "_dmarc."
			 : k == 1 ? "s1._domainkey."
				  : "",
			 z);
		add(t, client, eph_port(), T_TXT, full);
	} else if (r < 245) { /* SRV */
		if (cstate[client].ns && chance(50))
			snprintf(full, sizeof(full), "_http._tcp.%s.%s.svc.cluster.local",
				 svcnames[rnd(sizeof(svcnames) / sizeof(svcnames[0]))],
				 cstate[client].ns);
		else
			snprintf(full, sizeof(full), "%s%s",
				 srv_prefix[rnd(sizeof(srv_prefix) / sizeof(srv_prefix[0]))],
				 pick_zone());
		add(t, client, eph_port(), T_SRV, full);
	} else if (cstate[client].ns) {
		/* pod: ndots:5 search list; each step waits for an NXDOMAIN */
		const char *ns = cstate[client].ns;
		pick_host_name(name, &is_svc);
		const char *suffix[3];
		char s0[64];
		snprintf(s0, sizeof(s0), "%s.svc.cluster.local", ns);
		suffix[0] = s0;
		suffix[1] = "svc.cluster.local";
		suffix[2] = "cluster.local";
		int i;
		for (i = 0; i < 3; i++) {
			join3(full, name, ".", suffix[i]);
			pair(&t, client, full);
			if (is_svc)
				return; /* service found in its namespace */
			t += 150 + rnd(900);
		}
		pair(&t, client, name);
	} else if (r < 420) {
		/* browser: HTTPS + A + AAAA */
		pick_host_name(name, &is_svc);
		if (is_svc) {
			join3(full, name, ".corp.example.com", "");
			join3(name, full, "", "");
		}
		uint16_t port = eph_port();
		add(t, client, port, T_HTTPS, name);
		add(t + 3 + rnd(30), client, eph_port(), T_A, name);
		add(t + 6 + rnd(30), client, eph_port(), T_AAAA, name);
	} else if (r < 470) {
		/* single A (old software, IPv4-only) */
		pick_host_name(name, &is_svc);
		if (is_svc) {
			join3(full, name, ".corp.example.com", "");
			add(t, client, eph_port(), T_A, full);
		} else {
			add(t, client, eph_port(), T_A, name);
		}
	} else {
		pick_host_name(name, &is_svc);
		if (is_svc) {
			/* workstation with search domain corp.example.com */
			join3(full, name, ".corp.example.com", "");
			pair(&t, client, full);
		} else {
			pair(&t, client, name);
		}
	}
}

/* ---- pcap output ------------------------------------------------------- */
static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen_bench_pcap: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- -m: TCP as stacks write it --------------------------------------- */
static int mixed_tcp;
#define PEND_MSGS 6
struct pending {
	uint8_t buf[PEND_MSGS * 600];
	size_t len, end[PEND_MSGS];
	int n, server;
	char name[PEND_MSGS][NAME_MAX_TEXT];
	uint16_t qtype[PEND_MSGS];
	struct query last; /* the query whose frame carries the bytes */
};
static struct pending pend[64];
static FILE *g_out, *g_exp;
static uint64_t frames, frame_bytes;

static void write_frame(const struct query *q, const uint8_t *tcp_data, size_t tcp_len)
{
	uint8_t frame[2048 + sizeof(pend[0].buf)], rh[16];
	size_t len = build_frame(frame, q, tcp_data, tcp_len);

	put_le32(rh, (uint32_t)(q->ts / 1000000));
	put_le32(rh + 4, (uint32_t)(q->ts % 1000000));
	put_le32(rh + 8, (uint32_t)len);
	put_le32(rh + 12, (uint32_t)len);
	fwrite(rh, 1, sizeof(rh), g_out);
	fwrite(frame, 1, len, g_out);
	frames++;
	frame_bytes += len;
}

/* Send the first upto pending bytes of client c; the messages they end go
 * to the expect file. */
static void pend_emit(int c, size_t upto)
{
	struct pending *p = &pend[c];
	int done = 0;

	if (upto == 0)
		return;
	write_frame(&p->last, p->buf, upto);
	while (done < p->n && p->end[done] <= upto) {
		if (g_exp)
			fprintf(g_exp, "%s\t%s\t%u\n", p->name[done], qtype_name(p->qtype[done]),
				p->qtype[done]);
		done++;
	}
	memmove(p->buf, p->buf + upto, p->len - upto);
	p->len -= upto;
	for (int i = done; i < p->n; i++) {
		p->end[i - done] = p->end[i] - upto;
		memcpy(p->name[i - done], p->name[i], NAME_MAX_TEXT);
		p->qtype[i - done] = p->qtype[i];
	}
	p->n -= done;
}

/* A TCP query of -m: held, sent with what is held, or split. */
static void pend_query(const struct query *q)
{
	struct pending *p = &pend[q->client];
	size_t start, mlen;
	unsigned r;

	if ((p->n && p->server != q->server) || p->n == PEND_MSGS)
		pend_emit(q->client, p->len);
	start = p->len;
	mlen = build_dns(p->buf + start + 2, q);
	put16(p->buf + start, (uint16_t)mlen);
	p->len += mlen + 2;
	p->end[p->n] = p->len;
	snprintf(p->name[p->n], NAME_MAX_TEXT, "%s", q->name);
	p->qtype[p->n] = q->qtype;
	p->n++;
	p->server = q->server;
	p->last = *q;
	r = rnd(100);
	if (r < 35 && p->n < 4)
		return; /* held: goes with the next one */
	if (r < 55)	/* split: the length alone, or the body cut */
		pend_emit(q->client, start + (r < 45 ? 2 : 2 + 1 + rnd((uint32_t)mlen - 1)));
	else
		pend_emit(q->client, p->len);
}

static void pend_flush(void)
{
	for (size_t c = 0; c < sizeof(pend) / sizeof(pend[0]); c++)
		if (pend[c].len) {
			pend[c].last.ts += 1000;
			pend_emit((int)c, pend[c].len);
		}
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_bench_pcap [-s SEED] [-t TCP_PERCENT [-m]] [-e EXPECT_FILE] "
			"OUT.pcap [COUNT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = 20240501;
	const char *expect_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "s:t:e:mh")) != -1) {
		switch (opt) {
		case 'm':
			mixed_tcp = 1;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			tcp_pct = (unsigned)strtoul(optarg, NULL, 10);
			if (tcp_pct > 100)
				usage();
			break;
		case 'e':
			expect_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || argc - optind > 2)
		usage();
	const char *out_path = argv[optind];
	target = 1000000;
	if (argc - optind == 2) {
		char *end;
		target = strtoull(argv[optind + 1], &end, 10);
		if (*end || target == 0)
			usage();
	}

	rng_seed(seed);
	setup_hosts();
	setup_domains();

	FILE *out = fopen(out_path, "wb");
	if (!out)
		die("cannot create", out_path);
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof(obuf));
	FILE *exp = NULL;
	if (expect_path) {
		exp = fopen(expect_path, "w");
		if (!exp)
			die("cannot create", expect_path);
	}

	uint8_t gh[24];
	put_le32(gh, 0xa1b2c3d4);
	gh[4] = 2, gh[5] = 0, gh[6] = 4, gh[7] = 0; /* version 2.4, little-endian */
	put_le32(gh + 8, 0);
	put_le32(gh + 12, 0);
	put_le32(gh + 16, 262144); /* snaplen */
	put_le32(gh + 20, 1);	   /* LINKTYPE_EN10MB */
	fwrite(gh, 1, sizeof(gh), out);

	/* 2024-05-01 12:00:00 UTC; about 2,500 queries/s on average, with a
	 * slow daily-ish swing in load. */
	now_us = 1714564800ULL * 1000000ULL;
	uint64_t written = 0, bytes = 0, n_v6 = 0, n_tcp = 0;
	uint64_t by_type[256] = {0};
	g_out = out;
	g_exp = exp;
	while (written < target) {
		if (created < target) {
			double load = 1.0 + 0.5 * sin((double)created / 150000.0);
			now_us += rnd_exp_us(900.0 / load);
			burst();
		}
		/* emit everything that can no longer be preceded by a new burst */
		while (heap_n > 0 && (created >= target || heap[0].ts <= now_us)) {
			struct query q;
			heap_pop(&q);
			if (mixed_tcp && q.tcp) {
				pend_query(&q);
			} else {
				write_frame(&q, NULL, 0);
				if (exp)
					fprintf(exp, "%s\t%s\t%u\n", q.name, qtype_name(q.qtype),
						q.qtype);
			}
			written++;
			n_v6 += clients[q.client].v6;
			n_tcp += q.tcp;
			by_type[q.qtype & 0xff]++;
		}
	}
	pend_flush();
	bytes = frame_bytes;
	if (fflush(out) || ferror(out) || fclose(out))
		die("cannot write", out_path);
	if (exp && (fflush(exp) || ferror(exp) || fclose(exp)))
		die("cannot write", expect_path);

	fprintf(
	    stderr,
	    "gen_bench_pcap: %llu frames, %.1f MB, %.1f%% IPv6, %.1f%% TCP, %.0f s of traffic\n",
	    (unsigned long long)written, (double)bytes / 1e6,
	    100.0 * (double)n_v6 / (double)written, 100.0 * (double)n_tcp / (double)written,
	    (double)(now_us / 1000000 - 1714564800ULL));
	static const uint16_t shown[] = {T_A, T_AAAA, T_HTTPS, T_PTR, T_MX, T_TXT, T_SRV};
	fprintf(stderr, "gen_bench_pcap: qtypes");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		fprintf(stderr, " %s %.1f%%", qtype_name(shown[i]),
			100.0 * (double)by_type[shown[i]] / (double)written);
	fprintf(stderr, "\n");
	printf("packets=%llu questions=%llu\n", (unsigned long long)frames,
	       (unsigned long long)written);
	return 0;
}
