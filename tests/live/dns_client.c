/* dns_client.c - live-test client: sends ONE known DNS query through a
 * chosen send path, so the tracer's per-syscall handling can be checked.
 *
 * usage: dns_client [-r] [-n] [-f] [-S] PATH SERVER PORT NAME QTYPE TXID
 *        dns_client flood-udp N
 *        dns_client flood-write N
 *        dns_client flood-dns N SERVER PORT PREFIX
 *
 *   -r  require a reply: wait up to 1 s for it and check txid, QR and the
 *       echoed question; exit 1 if there is none or it does not match.
 *   -n  do not wait for a reply at all.
 *   -f  read UDP replies with recvfrom(2) and a source address (else recv(2)):
 *       an unconnected socket then takes a reply from any port, and the
 *       tracer sees where it came from.
 *   -S  slow reader: once a UDP reply is readable, wait 300 ms before the
 *       receive call, as an event loop busy elsewhere does (c-ares under
 *       libuv): the reply's latency is its arrival, not this read.
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
 *   sendmmsg8         the same with 8 messages: A and AAAA in turn
 *   sendmmsg20        ... with 20 messages
 *   sendmmsg-addr     unconnected UDP bound to an ephemeral port first,
 *                     sendmmsg(2) of A and AAAA, each entry's msg_name set
 *   sendmsg-namelen0  connected UDP, sendmsg(2) whose msg_name points at
 *                     SERVER port 9 but msg_namelen is 0: the kernel sends to
 *                     the connected peer (PORT)
 *   ipv6              sendto(2) on an AF_INET6 socket; SERVER must be IPv6
 *   v4mapped          AF_INET6 socket (V6ONLY off), sendto(2) to
 *                     ::ffff:SERVER; SERVER must be IPv4 (or already mapped)
 *   tcp               TCP connect, one write(2) of the 2-byte length + query
 *   tcp-writev        TCP connect, writev(2) with 2 iovecs (length | query),
 *                     as glibc's resolver does
 *   tcp-two           TCP, one write(2) of two messages: A with TXID and
 *                     AAAA with TXID+1, each after its 2-byte length
 *   tcp-vc            TCP, the same two as glibc's use-vc does: one writev(2)
 *                     of 4 iovecs (length | A | length | AAAA)
 *   tcp-lensplit      TCP, write(2) of the 2-byte length, then of the query
 *   tcp-len-apart     TCP, the same with send(2): the 2-byte length in one
 *                     send(2), the message in the next
 *   tcp-split         TCP, write(2) of the length and 10 bytes of the query,
 *                     then of the rest
 *   tc-retry          unconnected UDP sendto(2); a matching reply with TC set
 *                     is asked again over TCP (same TXID, one write(2) of
 *                     length + query), as a stub resolver does; with -r both
 *                     the TC reply and the TCP answer are required
 *   exit-fast         unconnected sendto(2) then _exit(0) at once
 *   exec-fast         unconnected sendto(2) then at once execve(2) /bin/true
 *                     (the query must keep the sender's exe, cmdline, cwd)
 *   exec-chain        a process described, changing: sendto(2) a.NAME,
 *                     chdir("/"), sendto(2) b.NAME (TXID+1), then execve(2)
 *                     ARGV0 (a path) as "ARGV0 -r sendto SERVER PORT c.NAME QTYPE
 *                     TXID+2" (a new exe image and cmdline, same pid)
 *   reparent          a child sends a.NAME and prints "child PID"; the
 *                     parent exits once it is sent; the child, reparented,
 *                     sends b.NAME (TXID+1) and prints "ppid PPID" (its new
 *                     parent)
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

#define MAXMSG	 512
#define MMSG_MAX 20 /* queries of one sendmmsg */

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

static int recv_with_from; /* -f */
static int slow_read;	   /* -S */

#define SLOW_READ_MS 300

/* Wait up to 1 s for replies to all of qs[0..n).  Returns how many matched. */
static int wait_udp(int fd, const struct query *qs, int n)
{
	struct timespec deadline;
	int got[MMSG_MAX] = {0}, ngot = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 1;
	while (ngot < n) {
		unsigned char r[4096];
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long left = ms_left(&deadline);
		ssize_t rn;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		if (slow_read) {
			struct timespec busy = {0, SLOW_READ_MS * 1000000L};

			nanosleep(&busy, NULL);
		}
		if (recv_with_from) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);

			rn =
			    recvfrom(fd, r, sizeof(r), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		} else {
			rn = recv(fd, r, sizeof(r), MSG_DONTWAIT);
		}
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

/* Replies to all n queries (in any order) within 1 s?  Returns how many. */
static int wait_tcp_n(int fd, const struct query *qs, int n)
{
	int got = 0;

	for (int i = 0; i < n; i++) {
		struct timespec deadline;
		unsigned char lenb[2], r[65536];
		size_t rlen;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += 1;
		if (read_full(fd, lenb, 2, &deadline) < 0)
			break;
		rlen = (size_t)lenb[0] << 8 | lenb[1];
		if (read_full(fd, r, rlen, &deadline) < 0)
			break;
		for (int k = 0; k < n; k++)
			if (reply_matches(r, rlen, &qs[k])) {
				got++;
				break;
			}
	}
	return got;
}

/* The tcp-two, tcp-vc, tcp-lensplit, tcp-len-apart and tcp-split paths (see the top) on a
 * connected fd; how many queries they sent into qs. */
static int tcp_framings(int fd, const char *path, struct query *qs, const char *name,
			uint16_t qtype, uint16_t txid)
{
	unsigned char l0[2], l1[2], buf[2 * (MAXMSG + 2)];
	size_t n0, n1;

	build_query(&qs[0], name, strcmp(path, "tcp-two") && strcmp(path, "tcp-vc") ? qtype : 1,
		    txid);
	build_query(&qs[1], name, 28, (uint16_t)(txid + 1));
	n0 = qs[0].len;
	n1 = qs[1].len;
	l0[0] = (unsigned char)(n0 >> 8), l0[1] = (unsigned char)n0;
	l1[0] = (unsigned char)(n1 >> 8), l1[1] = (unsigned char)n1;
	if (!strcmp(path, "tcp-two")) {
		memcpy(buf, l0, 2);
		memcpy(buf + 2, qs[0].buf, n0);
		memcpy(buf + 2 + n0, l1, 2);
		memcpy(buf + 4 + n0, qs[1].buf, n1);
		check_sent(write(fd, buf, n0 + n1 + 4), n0 + n1 + 4, "write");
		return 2;
	}
	if (!strcmp(path, "tcp-vc")) {
		struct iovec iov[4] = {{l0, 2}, {qs[0].buf, n0}, {l1, 2}, {qs[1].buf, n1}};

		check_sent(writev(fd, iov, 4), n0 + n1 + 4, "writev");
		return 2;
	}
	if (!strcmp(path, "tcp-lensplit")) {
		check_sent(write(fd, l0, 2), 2, "write");
		check_sent(write(fd, qs[0].buf, n0), n0, "write");
		return 1;
	}
	if (!strcmp(path, "tcp-len-apart")) {
		check_sent(send(fd, l0, 2, 0), 2, "send");
		check_sent(send(fd, qs[0].buf, n0, 0), n0, "send");
		return 1;
	}
	memcpy(buf, l0, 2);
	memcpy(buf + 2, qs[0].buf, 10);
	check_sent(write(fd, buf, 12), 12, "write");
	check_sent(write(fd, qs[0].buf + 10, n0 - 10), n0 - 10, "write");
	return 1;
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

/* nq queries for name in one sendmmsg(2) on fd: A (txid) and AAAA
 * (txid + 1) in turn; to t connected, or (with_addr) with t in every
 * entry's msg_name from a socket bound to an ephemeral port, so that the
 * source is known before the call. */
static void send_mmsg(int fd, const struct target *t, struct query *qs, int nq, const char *name,
		      uint16_t txid, int with_addr)
{
	struct mmsghdr mm[MMSG_MAX];
	struct iovec iov[MMSG_MAX];
	int sent;

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < nq; i++) {
		build_query(&qs[i], name, i % 2 ? 28 : 1, (uint16_t)(txid + i % 2));
		iov[i] = (struct iovec){qs[i].buf, qs[i].len};
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (with_addr) {
			mm[i].msg_hdr.msg_name = (void *)&t->ss;
			mm[i].msg_hdr.msg_namelen = t->len;
		}
	}
	if (with_addr) {
		struct sockaddr_storage any;

		memset(&any, 0, sizeof(any));
		any.ss_family = t->ss.ss_family; /* the wildcard address, port 0 */
		if (bind(fd, (struct sockaddr *)&any, t->len) != 0)
			die("bind: %s", strerror(errno));
	} else {
		do_connect(fd, t);
	}
	sent = sendmmsg(fd, mm, (unsigned)nq, 0);
	if (sent < 0)
		die("sendmmsg: %s", strerror(errno));
	if (sent != nq)
		die("sendmmsg: sent %d of %d messages", sent, nq);
}

/* One sendto(2) query for name on fd; with require, its reply too. */
static void send_one(int fd, const struct target *t, const char *name, uint16_t qtype,
		     uint16_t txid, int require)
{
	struct query q;

	build_query(&q, name, qtype, txid);
	check_sent(sendto(fd, q.buf, q.len, 0, (const struct sockaddr *)&t->ss, t->len), q.len,
		   "sendto");
	if (require && wait_udp(fd, &q, 1) != 1)
		die("no matching reply for %s", name);
}

/* exec-chain (see the top): never returns. */
static void exec_chain(const char *argv0, const struct target *t, int fd, char **argv, int require)
{
	uint16_t qtype = parse_qtype(argv[4]), txid = (uint16_t)parse_num(argv[5], 65535, "txid");
	char name[300], txt[16];

	snprintf(name, sizeof(name), "a.%s", argv[3]);
	send_one(fd, t, name, qtype, txid, require);
	if (chdir("/") != 0)
		die("chdir /: %s", strerror(errno));
	snprintf(name, sizeof(name), "b.%s", argv[3]);
	send_one(fd, t, name, qtype, (uint16_t)(txid + 1), require);
	close(fd);
	snprintf(name, sizeof(name), "c.%s", argv[3]);
	snprintf(txt, sizeof(txt), "%u", (unsigned)(uint16_t)(txid + 2));
	execl(argv0, argv0, "-r", "sendto", argv[1], argv[2], name, argv[4], txt, (char *)NULL);
	die("execl %s: %s", argv0, strerror(errno));
}

/* reparent (see the top): never returns.  The child is described with
 * this process as its parent, then sends again from under its new one. */
static void reparent(const struct target *t, int fd, char **argv, int require)
{
	uint16_t qtype = parse_qtype(argv[4]), txid = (uint16_t)parse_num(argv[5], 65535, "txid");
	pid_t parent = getpid(), child;
	char name[300];
	int sync[2], i;

	if (pipe(sync) != 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child > 0) { /* exit once the child's first query is out */
		close(sync[1]);
		if (read(sync[0], name, 1) != 1)
			die("the child did not send its first query");
		_exit(0);
	}
	close(sync[0]);
	snprintf(name, sizeof(name), "a.%s", argv[3]);
	send_one(fd, t, name, qtype, txid, require);
	printf("child %d\n", (int)getpid());
	fflush(stdout);
	if (write(sync[1], "x", 1) != 1)
		die("write: %s", strerror(errno));
	for (i = 0; i < 500 && getppid() == parent; i++)
		usleep(10000);
	if (getppid() == parent)
		die("not reparented within 5 s");
	snprintf(name, sizeof(name), "b.%s", argv[3]);
	send_one(fd, t, name, qtype, (uint16_t)(txid + 1), require);
	printf("ppid %d\n", (int)getppid());
	fflush(stdout);
	_exit(0);
}

/* tc-retry: the query over UDP; when the reply that matches it is
 * truncated (TC), the same query over TCP. */
static void tc_retry(const struct target *t, const struct query *q, int require, const char *name)
{
	unsigned char r[4096], msg[MAXMSG + 2];
	struct timespec deadline;
	int fd = open_socket(t, SOCK_DGRAM, 0), tc = 0;

	check_sent(sendto(fd, q->buf, q->len, 0, (const struct sockaddr *)&t->ss, t->len), q->len,
		   "sendto");
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 1;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long left = ms_left(&deadline);
		ssize_t rn;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		rn = recv(fd, r, sizeof(r), MSG_DONTWAIT);
		if (rn < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (rn < 0)
			break;
		if (reply_matches(r, (size_t)rn, q)) {
			tc = !!(r[2] & 0x02);
			break;
		}
	}
	close(fd);
	if (!tc) {
		if (require)
			die("no truncated reply over udp for %s", name);
		return;
	}
	fd = open_socket(t, SOCK_STREAM, 0);
	do_connect(fd, t);
	msg[0] = (unsigned char)(q->len >> 8);
	msg[1] = (unsigned char)q->len;
	memcpy(msg + 2, q->buf, q->len);
	check_sent(write(fd, msg, q->len + 2), q->len + 2, "write");
	if (!wait_tcp(fd, q) && require)
		die("no matching reply over tcp for %s after the truncated one", name);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *argv0 = argv[0];
	int opt, require = 0, nowait = 0, v4mapped, fd, ok, nq = 1;
	const char *path;
	struct target t;
	struct query qs[MMSG_MAX];
	uint16_t port, txid, qtype;

	while ((opt = getopt(argc, argv, "+rnfS")) != -1) {
		switch (opt) {
		case 'r':
			require = 1;
			break;
		case 'n':
			nowait = 1;
			break;
		case 'f':
			recv_with_from = 1;
			break;
		case 'S':
			slow_read = 1;
			break;
		default:
			die("usage: dns_client [-r] [-n] [-f] [-S] PATH SERVER PORT NAME QTYPE "
			    "TXID");
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
		die("usage: dns_client [-r] [-n] [-f] [-S] PATH SERVER PORT NAME QTYPE TXID");

	path = argv[0];
	port = (uint16_t)parse_num(argv[2], 65535, "port");
	qtype = parse_qtype(argv[4]);
	txid = (uint16_t)parse_num(argv[5], 65535, "txid");
	v4mapped = !strcmp(path, "v4mapped");
	parse_server(&t, argv[1], port, v4mapped);
	build_query(&qs[0], argv[3], qtype, txid);

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

	if (!strcmp(path, "tcp-two") || !strcmp(path, "tcp-vc") || !strcmp(path, "tcp-lensplit") ||
	    !strcmp(path, "tcp-len-apart") || !strcmp(path, "tcp-split")) {
		fd = open_socket(&t, SOCK_STREAM, 0);
		do_connect(fd, &t);
		nq = tcp_framings(fd, path, qs, argv[3], qtype, txid);
		ok = nowait ? 0 : wait_tcp_n(fd, qs, nq);
		if (require && ok != nq)
			die("got %d of %d matching replies over tcp for %s", ok, nq, argv[3]);
		close(fd);
		return 0;
	}
	if (!strcmp(path, "tc-retry")) {
		tc_retry(&t, &qs[0], require, argv[3]);
		return 0;
	}
	if (!strcmp(path, "ipv6") && t.family != AF_INET6)
		die("ipv6 needs an IPv6 server address, got %s", argv[1]);
	fd = open_socket(&t, SOCK_DGRAM, v4mapped);

	if (!strcmp(path, "exec-chain"))
		exec_chain(argv0, &t, fd, argv, require);
	if (!strcmp(path, "reparent"))
		reparent(&t, fd, argv, require);
	if (!strcmp(path, "sendto") || !strcmp(path, "ipv6") || !strcmp(path, "v4mapped") ||
	    !strcmp(path, "exit-fast") || !strcmp(path, "exec-fast")) {
		check_sent(sendto(fd, qs[0].buf, qs[0].len, 0, (struct sockaddr *)&t.ss, t.len),
			   qs[0].len, "sendto");
		if (!strcmp(path, "exit-fast"))
			_exit(0);
		if (!strcmp(path, "exec-fast")) {
			execl("/bin/true", "true", (char *)NULL);
			die("execl /bin/true: %s", strerror(errno));
		}
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
		   !strcmp(path, "sendmsg-connected") || !strcmp(path, "sendmsg-namelen0")) {
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
		} else if (!strcmp(path, "sendmsg-namelen0")) {
			static struct target other;

			do_connect(fd, &t);
			parse_server(&other, argv[1], 9, 0);
			mh.msg_name = &other.ss; /* ignored: msg_namelen is 0 */
			mh.msg_namelen = 0;
		} else {
			mh.msg_name = &t.ss;
			mh.msg_namelen = t.len;
		}
		check_sent(sendmsg(fd, &mh, 0), qs[0].len, "sendmsg");
	} else if (!strcmp(path, "sendmmsg") || !strcmp(path, "sendmmsg8") ||
		   !strcmp(path, "sendmmsg20") || !strcmp(path, "sendmmsg-addr")) {
		nq = !strcmp(path, "sendmmsg8") ? 8 : !strcmp(path, "sendmmsg20") ? MMSG_MAX : 2;
		send_mmsg(fd, &t, qs, nq, argv[3], txid, !strcmp(path, "sendmmsg-addr"));
	} else {
		die("unknown path: %s", path);
	}

	ok = nowait ? 0 : wait_udp(fd, qs, nq);
	if (require && ok != nq)
		die("got %d of %d matching replies for %s", ok, nq, argv[3]);
	close(fd);
	return 0;
}
