/* dns_client.c - live-test client: sends ONE known DNS query through a
 * chosen send path, so the tracer's per-syscall handling can be checked.
 *
 * usage: dns_client [-r] [-n] PATH SERVER PORT NAME QTYPE TXID
 *        dns_client flood-udp N
 *        dns_client flood-write N
 *        dns_client flood-dns N SERVER PORT PREFIX
 *
 *   -r  require a reply: wait up to 1 s for it and check txid, QR and the
 *       echoed question; exit 1 if there is none or it does not match.
 *   -n  do not wait for a reply at all.
 *   default: wait up to 1 s for a reply, ignore its absence.
 *
 * PATH (how the query leaves the process):
 *   sendto            unconnected UDP, sendto(2) with the address
 *   send              connected UDP, send(2)
 *   write             connected UDP, write(2)
 *   writev            connected UDP, writev(2) with 2 iovecs (header | rest)
 *   sendmsg1          unconnected UDP, sendmsg(2), msg_name, 1 iovec
 *   sendmsg3          unconnected UDP, sendmsg(2), msg_name, 3 iovecs
 *                     (12-byte header | qname | qtype+qclass)
 *   sendmsg-connected connected UDP, sendmsg(2), no msg_name, 1 iovec
 *   sendmmsg          connected UDP, sendmmsg(2) with 2 messages like glibc:
 *                     A with TXID and AAAA with TXID+1 (QTYPE is ignored)
 *   ipv6              sendto(2) on an AF_INET6 socket; SERVER must be IPv6
 *   v4mapped          AF_INET6 socket (V6ONLY off), sendto(2) to
 *                     ::ffff:SERVER; SERVER must be IPv4 (or already mapped)
 *   tcp               TCP connect, one write(2) of the 2-byte length + query
 *   tcp-writev        TCP connect, writev(2) with 2 iovecs (length | query),
 *                     as glibc's resolver does
 *   tcp-two           TCP, ONE send(2) holding two length-prefixed messages:
 *                     A with TXID and AAAA with TXID+1 (QTYPE is ignored)
 *   tcp-len-apart     TCP, the 2-byte length in one send(2), the message in
 *                     the next
 *   tcp-split         TCP, one message over two send(2)s: the length, the
 *                     header and 3 bytes of the name, then the rest
 *   sendmmsg8         connected UDP, one sendmmsg(2) of 8 queries for NAME:
 *                     A AAAA MX TXT NS SOA SRV PTR with TXID..TXID+7
 *   sendmsg-namelen0  connected UDP, sendmsg(2) with msg_name pointing at
 *                     another address (127.0.0.9:5353) but msg_namelen 0:
 *                     the kernel sends to the connected peer
 *   exit-fast         unconnected sendto(2) then _exit(0) at once
 *   flood-udp N       N non-DNS datagrams to 127.0.0.1:9999 (no DNS at all)
 *   flood-write N     N write(2)s of DNS-query-shaped bytes to a file in /tmp
 *                     (a tracer must not take file writes for queries)
 *   flood-dns N ...   N A queries for PREFIX-<i>.flood.example, sent with
 *                     sendto(2) as fast as possible, no replies read (to
 *                     overflow a tracer's buffers on purpose)
 *
 * SERVER is an IPv4 or IPv6 literal; the socket family follows it (except
 * for v4mapped).  QTYPE is a name (A, AAAA, MX, TXT, ...) or a number.  TXID
 * is decimal or 0x-hex.  Prints nothing on success; one line on stderr and
 * exit status 1 on failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAXMSG 512

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("dns_client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const struct {
	const char *name;
	unsigned code;
} qtypes[] = {
    {"A", 1},	  {"NS", 2},	 {"CNAME", 5}, {"SOA", 6},    {"PTR", 12}, {"MX", 15},
    {"TXT", 16},  {"AAAA", 28},	 {"SRV", 33},  {"NAPTR", 35}, {"DS", 43},  {"DNSKEY", 48},
    {"SVCB", 64}, {"HTTPS", 65}, {"ANY", 255}, {"CAA", 257},
};

static unsigned long parse_num(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		die("bad %s: %s", what, s);
	return v;
}

static uint16_t parse_qtype(const char *s)
{
	for (size_t i = 0; i < sizeof(qtypes) / sizeof(qtypes[0]); i++)
		if (!strcasecmp(s, qtypes[i].name))
			return (uint16_t)qtypes[i].code;
	if (!strncasecmp(s, "TYPE", 4))
		s += 4;
	return (uint16_t)parse_num(s, 65535, "qtype");
}

/* A query: 12-byte header, qname, qtype, qclass.  Offsets kept so sendmsg3
 * can split it. */
struct query {
	unsigned char buf[MAXMSG];
	size_t len;	 /* whole message */
	size_t name_len; /* encoded qname, including the root label */
	uint16_t txid, qtype;
};

static void build_query(struct query *q, const char *name, uint16_t qtype, uint16_t txid)
{
	unsigned char *p;
	size_t off = 12;
	const char *label = name;

	memset(q, 0, sizeof(*q));
	p = q->buf;
	p[0] = (unsigned char)(txid >> 8);
	p[1] = (unsigned char)txid;
	p[2] = 0x01; /* RD */
	p[5] = 1;    /* QDCOUNT */
	if (!strcmp(name, ".") || !*name) {
		p[off++] = 0;
	} else {
		while (*label) {
			const char *dot = strchr(label, '.');
			size_t n = dot ? (size_t)(dot - label) : strlen(label);

			if (n == 0 || n > 63)
				die("bad name: %s", name);
			if (off + 1 + n + 5 > 255 + 12)
				die("name too long: %s", name);
			p[off++] = (unsigned char)n;
			memcpy(p + off, label, n);
			off += n;
			if (!dot)
				break;
			label = dot + 1;
		}
		p[off++] = 0;
	}
	q->name_len = off - 12;
	p[off++] = (unsigned char)(qtype >> 8);
	p[off++] = (unsigned char)qtype;
	p[off++] = 0;
	p[off++] = 1; /* IN */
	q->len = off;
	q->txid = txid;
	q->qtype = qtype;
}

/* Check a reply against the query it answers: same id, QR set, same
 * question section (names compared case-insensitively). */
static int reply_matches(const unsigned char *r, size_t rlen, const struct query *q)
{
	size_t qlen = q->len - 12;

	if (rlen < q->len)
		return 0;
	if (r[0] != q->buf[0] || r[1] != q->buf[1] || !(r[2] & 0x80))
		return 0;
	if (r[4] != 0 || r[5] != 1)
		return 0;
	for (size_t i = 0; i < qlen; i++) {
		unsigned char a = r[12 + i], b = q->buf[12 + i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b + 32);
		if (a != b)
			return 0;
	}
	return 1;
}

struct target {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

static void parse_server(struct target *t, const char *host, uint16_t port, int v4mapped)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->ss;
	struct in_addr a4;

	memset(t, 0, sizeof(*t));
	if (v4mapped) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET, host, &a4) == 1) {
			s6->sin6_addr.s6_addr[10] = 0xff;
			s6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&s6->sin6_addr.s6_addr[12], &a4, 4);
		} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1 ||
			   !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			die("v4mapped needs an IPv4 server address, got %s", host);
		}
		t->len = sizeof(*s6);
		t->family = AF_INET6;
	} else if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		t->len = sizeof(*s4);
		t->family = AF_INET;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		t->len = sizeof(*s6);
		t->family = AF_INET6;
	} else {
		die("bad server address: %s", host);
	}
}

static int open_socket(const struct target *t, int type, int v4mapped)
{
	int fd = socket(t->family, type | SOCK_CLOEXEC, 0);
	int off = 0;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (v4mapped && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		die("setsockopt IPV6_V6ONLY: %s", strerror(errno));
	return fd;
}

static void do_connect(int fd, const struct target *t)
{
	if (connect(fd, (const struct sockaddr *)&t->ss, t->len) < 0)
		die("connect: %s", strerror(errno));
}

static void check_sent(ssize_t n, size_t want, const char *what)
{
	if (n < 0)
		die("%s: %s", what, strerror(errno));
	if ((size_t)n != want)
		die("%s: short send %zd of %zu", what, n, want);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Wait up to 1 s for replies to all of qs[0..n).  Returns how many matched. */
static int wait_udp(int fd, const struct query *qs, int n)
{
	struct timespec deadline;
	int got[8] = {0}, ngot = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 1;
	while (ngot < n) {
		unsigned char r[4096];
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long left = ms_left(&deadline);
		ssize_t rn;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		rn = recv(fd, r, sizeof(r), MSG_DONTWAIT);
		if (rn < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break; /* e.g. ECONNREFUSED: nothing listening */
		}
		for (int i = 0; i < n; i++)
			if (!got[i] && reply_matches(r, (size_t)rn, &qs[i])) {
				got[i] = 1;
				ngot++;
			}
	}
	return ngot;
}

static int read_full(int fd, unsigned char *p, size_t len, const struct timespec *deadline)
{
	while (len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long left = ms_left(deadline);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		n = read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int wait_tcp(int fd, const struct query *q)
{
	struct timespec deadline;
	unsigned char lenb[2], r[65536];
	size_t rlen;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 1;
	if (read_full(fd, lenb, 2, &deadline) < 0)
		return 0;
	rlen = (size_t)lenb[0] << 8 | lenb[1];
	if (read_full(fd, r, rlen, &deadline) < 0)
		return 0;
	return reply_matches(r, rlen, q);
}

static void flood_udp(unsigned long n)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9999)};
	char payload[64];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (unsigned long i = 0; i < n; i++) {
		int len =
		    snprintf(payload, sizeof(payload), "dnsvis flood datagram %lu, not DNS", i);
		ssize_t s =
		    sendto(fd, payload, (size_t)len, 0, (struct sockaddr *)&sin, sizeof(sin));

		/* Nothing listens on 9999; an unconnected socket may still see
		 * an ICMP error reported on a later send. */
		if (s < 0 && errno != ECONNREFUSED)
			die("sendto: %s", strerror(errno));
	}
	close(fd);
}

static void flood_write(unsigned long n)
{
	char path[] = "/tmp/dnsvis-flood-XXXXXX";
	struct query q;
	int fd = mkstemp(path);

	if (fd < 0)
		die("mkstemp: %s", strerror(errno));
	unlink(path);
	/* DNS-query-shaped bytes: a tracer hooking write(2) must check that
	 * the descriptor is a socket to port 53 before decoding anything. */
	build_query(&q, "flood-write.dnsvis.invalid", 1, 0x5353);
	for (unsigned long i = 0; i < n; i++) {
		if (i % 256 == 0 && lseek(fd, 0, SEEK_SET) < 0)
			die("lseek: %s", strerror(errno));
		check_sent(write(fd, q.buf, q.len), q.len, "write");
	}
	close(fd);
}

static void flood_dns(unsigned long n, const char *server, uint16_t port, const char *prefix)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	char name[200];
	struct query q;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (inet_pton(AF_INET, server, &sin.sin_addr) != 1)
		die("flood-dns: SERVER must be an IPv4 literal: %s", server);
	for (unsigned long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s-%lu.flood.example", prefix, i);
		build_query(&q, name, 1, (uint16_t)i);
		if (sendto(fd, q.buf, q.len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		    errno != ECONNREFUSED)
			die("sendto: %s", strerror(errno));
	}
	close(fd);
}

/* TCP framing cases: the queries leave as the path says; each reply is
 * read and checked in order.  Returns the number of matching replies. */
static int tcp_framing(const char *path, const struct target *t, const char *name, uint16_t qtype,
		       uint16_t txid, int nowait, int *nq)
{
	unsigned char buf[2 * (MAXMSG + 2)];
	struct query qs[2];
	size_t len = 0, cut;
	int fd, one = 1, ok = 0, two = !strcmp(path, "tcp-two");

	build_query(&qs[0], name, two ? 1 : qtype, txid);
	build_query(&qs[1], name, 28, (uint16_t)(txid + 1));
	*nq = two ? 2 : 1;
	for (int i = 0; i < *nq; i++) {
		buf[len++] = (unsigned char)(qs[i].len >> 8);
		buf[len++] = (unsigned char)qs[i].len;
		memcpy(buf + len, qs[i].buf, qs[i].len);
		len += qs[i].len;
	}
	fd = open_socket(t, SOCK_STREAM, 0);
	/* each send its own segment */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		die("setsockopt TCP_NODELAY: %s", strerror(errno));
	do_connect(fd, t);
	if (two) {
		check_sent(send(fd, buf, len, 0), len, "send");
	} else {
		cut = !strcmp(path, "tcp-len-apart") ? 2 : 2 + 12 + 3;
		check_sent(send(fd, buf, cut, 0), cut, "send");
		usleep(50000);
		check_sent(send(fd, buf + cut, len - cut, 0), len - cut, "send");
	}
	for (int i = 0; !nowait && i < *nq; i++)
		ok += wait_tcp(fd, &qs[i]);
	close(fd);
	return ok;
}

/* sendmmsg8: eight queries in one sendmmsg(2) on a connected socket. */
static int send_mmsg8(const struct target *t, const char *name, uint16_t txid, int nowait)
{
	static const uint16_t types[8] = {1, 28, 15, 16, 2, 6, 33, 12};
	struct query qs[8];
	struct mmsghdr mm[8];
	struct iovec iov[8];
	int fd = open_socket(t, SOCK_DGRAM, 0), sent, ok;

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 8; i++) {
		build_query(&qs[i], name, types[i], (uint16_t)(txid + i));
		iov[i] = (struct iovec){qs[i].buf, qs[i].len};
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	do_connect(fd, t);
	sent = sendmmsg(fd, mm, 8, 0);
	if (sent != 8)
		die("sendmmsg: sent %d of 8: %s", sent, sent < 0 ? strerror(errno) : "short");
	ok = nowait ? 0 : wait_udp(fd, qs, 8);
	close(fd);
	return ok == 8 ? 1 : 0;
}

/* sendmsg-namelen0: msg_name set, msg_namelen 0, on a connected socket. */
static int send_namelen0(const struct target *t, const struct query *q, int nowait)
{
	struct sockaddr_in other = {.sin_family = AF_INET, .sin_port = htons(5353)};
	struct iovec iov = {(void *)q->buf, q->len};
	struct msghdr mh;
	int fd = open_socket(t, SOCK_DGRAM, 0), ok;

	inet_pton(AF_INET, "127.0.0.9", &other.sin_addr);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &other;
	mh.msg_namelen = 0;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do_connect(fd, t);
	check_sent(sendmsg(fd, &mh, 0), q->len, "sendmsg");
	ok = nowait ? 0 : wait_udp(fd, q, 1);
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	int opt, require = 0, nowait = 0, v4mapped, fd, ok, nq = 1;
	const char *path;
	struct target t;
	struct query qs[2];
	uint16_t port, txid, qtype;

	while ((opt = getopt(argc, argv, "+rn")) != -1) {
		switch (opt) {
		case 'r':
			require = 1;
			break;
		case 'n':
			nowait = 1;
			break;
		default:
			die("usage: dns_client [-r] [-n] PATH SERVER PORT NAME QTYPE TXID");
		}
	}
	argv += optind;
	argc -= optind;
	if (argc == 2 && !strcmp(argv[0], "flood-udp")) {
		flood_udp(parse_num(argv[1], 10000000, "count"));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "flood-write")) {
		flood_write(parse_num(argv[1], 10000000, "count"));
		return 0;
	}
	if (argc == 5 && !strcmp(argv[0], "flood-dns")) {
		flood_dns(parse_num(argv[1], 10000000, "count"), argv[2],
			  (uint16_t)parse_num(argv[3], 65535, "port"), argv[4]);
		return 0;
	}
	if (argc != 6)
		die("usage: dns_client [-r] [-n] PATH SERVER PORT NAME QTYPE TXID");

	path = argv[0];
	port = (uint16_t)parse_num(argv[2], 65535, "port");
	qtype = parse_qtype(argv[4]);
	txid = (uint16_t)parse_num(argv[5], 65535, "txid");
	v4mapped = !strcmp(path, "v4mapped");
	parse_server(&t, argv[1], port, v4mapped);
	build_query(&qs[0], argv[3], qtype, txid);

	if (!strcmp(path, "tcp-two") || !strcmp(path, "tcp-len-apart") ||
	    !strcmp(path, "tcp-split")) {
		ok = tcp_framing(path, &t, argv[3], qtype, txid, nowait, &nq);
		if (require && ok != nq)
			die("got %d of %d matching replies over tcp for %s", ok, nq, argv[3]);
		return 0;
	}
	if (!strcmp(path, "sendmmsg8")) {
		if (!send_mmsg8(&t, argv[3], txid, nowait) && require)
			die("not all 8 replies for %s", argv[3]);
		return 0;
	}
	if (!strcmp(path, "sendmsg-namelen0")) {
		if (!send_namelen0(&t, &qs[0], nowait) && require)
			die("no matching reply for %s", argv[3]);
		return 0;
	}
	if (!strcmp(path, "tcp") || !strcmp(path, "tcp-writev")) {
		unsigned char msg[MAXMSG + 2];
		unsigned char lenb[2] = {(unsigned char)(qs[0].len >> 8), (unsigned char)qs[0].len};

		fd = open_socket(&t, SOCK_STREAM, 0);
		do_connect(fd, &t);
		if (!strcmp(path, "tcp")) {
			memcpy(msg, lenb, 2);
			memcpy(msg + 2, qs[0].buf, qs[0].len);
			check_sent(write(fd, msg, qs[0].len + 2), qs[0].len + 2, "write");
		} else {
			struct iovec iov[2] = {{lenb, 2}, {qs[0].buf, qs[0].len}};

			check_sent(writev(fd, iov, 2), qs[0].len + 2, "writev");
		}
		ok = nowait ? 0 : wait_tcp(fd, &qs[0]);
		if (require && !ok)
			die("no matching reply over tcp for %s", argv[3]);
		close(fd);
		return 0;
	}

	if (!strcmp(path, "ipv6") && t.family != AF_INET6)
		die("ipv6 needs an IPv6 server address, got %s", argv[1]);
	fd = open_socket(&t, SOCK_DGRAM, v4mapped);

	if (!strcmp(path, "sendto") || !strcmp(path, "ipv6") || !strcmp(path, "v4mapped") ||
	    !strcmp(path, "exit-fast")) {
		check_sent(sendto(fd, qs[0].buf, qs[0].len, 0, (struct sockaddr *)&t.ss, t.len),
			   qs[0].len, "sendto");
		if (!strcmp(path, "exit-fast"))
			_exit(0);
	} else if (!strcmp(path, "send")) {
		do_connect(fd, &t);
		check_sent(send(fd, qs[0].buf, qs[0].len, 0), qs[0].len, "send");
	} else if (!strcmp(path, "write")) {
		do_connect(fd, &t);
		check_sent(write(fd, qs[0].buf, qs[0].len), qs[0].len, "write");
	} else if (!strcmp(path, "writev")) {
		struct iovec iov[2] = {{qs[0].buf, 12}, {qs[0].buf + 12, qs[0].len - 12}};

		do_connect(fd, &t);
		check_sent(writev(fd, iov, 2), qs[0].len, "writev");
	} else if (!strcmp(path, "sendmsg1") || !strcmp(path, "sendmsg3") ||
		   !strcmp(path, "sendmsg-connected")) {
		struct iovec iov[3];
		struct msghdr mh;

		memset(&mh, 0, sizeof(mh));
		if (!strcmp(path, "sendmsg3")) {
			iov[0] = (struct iovec){qs[0].buf, 12};
			iov[1] = (struct iovec){qs[0].buf + 12, qs[0].name_len};
			iov[2] = (struct iovec){qs[0].buf + 12 + qs[0].name_len, 4};
			mh.msg_iovlen = 3;
		} else {
			iov[0] = (struct iovec){qs[0].buf, qs[0].len};
			mh.msg_iovlen = 1;
		}
		mh.msg_iov = iov;
		if (!strcmp(path, "sendmsg-connected")) {
			do_connect(fd, &t);
		} else {
			mh.msg_name = &t.ss;
			mh.msg_namelen = t.len;
		}
		check_sent(sendmsg(fd, &mh, 0), qs[0].len, "sendmsg");
	} else if (!strcmp(path, "sendmmsg")) {
		struct mmsghdr mm[2];
		struct iovec iov[2];
		int sent;

		build_query(&qs[0], argv[3], 1, txid);
		build_query(&qs[1], argv[3], 28, (uint16_t)(txid + 1));
		nq = 2;
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < 2; i++) {
			iov[i] = (struct iovec){qs[i].buf, qs[i].len};
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		do_connect(fd, &t);
		sent = sendmmsg(fd, mm, 2, 0);
		if (sent < 0)
			die("sendmmsg: %s", strerror(errno));
		if (sent != 2)
			die("sendmmsg: sent %d of 2 messages", sent);
	} else {
		die("unknown path: %s", path);
	}

	ok = nowait ? 0 : wait_udp(fd, qs, nq);
	if (require && ok != nq)
		die("got %d of %d matching replies for %s", ok, nq, argv[3]);
	close(fd);
	return 0;
}
