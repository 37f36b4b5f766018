/* responder.c - tiny DNS responder for the VM tests (static, no libc DNS).
 *
 * usage: responder [READY_FILE]
 *
 * Listens on UDP 127.0.0.1:53 and [::1]:53 and answers every query that
 * carries one question: A -> 127.0.0.2, AAAA -> ::2, anything else
 * NOERROR with no answer; by the question's first label (the response
 * cases of guest-init.sh, as tests/live/responder.py answers them):
 *   "nx-..."        NXDOMAIN, "servfail-..." SERVFAIL, "refused-..."
 *                   REFUSED, each with no answer;
 *   "chain-..."     A / AAAA behind a CNAME chain: NAME CNAME alias1.NAME,
 *                   alias1.NAME CNAME alias2.NAME, alias2.NAME A / AAAA;
 *   "late-..."      the answer 300 ms late (UDP);
 *   "truncate-..."  over UDP an empty answer with TC set, over TCP the
 *                   answer;
 *   "wrongport-..." the answer from UDP 127.0.0.1:5353 (another socket),
 *                   as a spoofer would send it;
 *   "silent-..."    no reply.
 * Also listens on TCP 127.0.0.1:53: length-prefixed queries, answered the
 * same way (length-prefixed) until the client closes; a client that sends
 * nothing within 1 s is dropped.  Creates READY_FILE once all sockets are
 * bound.  Runs until killed.  Exits 2 with one line on stderr if it cannot
 * bind.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static int bind_sock(int family, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	fd = socket(family, type, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(53);
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(53);
		s->sin6_addr = in6addr_loopback;
		len = sizeof(*s);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

#define WRONG_PORT 5353
#define LATE_MS	   300

static int first_label_is(const unsigned char *q, const char *prefix)
{
	size_t n = strlen(prefix);

	return q[12] > n && memcmp(q + 13, prefix, n) == 0;
}

/* One answer record at a: owner a pointer to offset owner, TTL ttl, rdata
 * rd (rdlen bytes).  Returns its length. */
static size_t put_rr(unsigned char *a, unsigned owner, unsigned type, unsigned ttl,
		     const unsigned char *rd, size_t rdlen)
{
	a[0] = (unsigned char)(0xc0 | owner >> 8), a[1] = (unsigned char)owner;
	a[2] = 0, a[3] = (unsigned char)type; /* type */
	a[4] = 0, a[5] = 1;		      /* class IN */
	a[6] = 0, a[7] = 0, a[8] = (unsigned char)(ttl >> 8), a[9] = (unsigned char)ttl;
	a[10] = 0, a[11] = (unsigned char)rdlen;
	memcpy(a + 12, rd, rdlen);
	return 12 + rdlen;
}

/* The answers to qtype at r + off: for "chain-" names two CNAMEs first
 * (each alias one label before a pointer to the question's name), then
 * the address, owned by the last name.  Returns the new end offset and
 * sets the answer count. */
static size_t put_answers(unsigned char *r, size_t off, unsigned qtype, int chain)
{
	static const unsigned char a4[4] = {127, 0, 0, 2}, a6[16] = {[15] = 2};
	static const char *const alias[2] = {"alias1", "alias2"};
	unsigned owner = 12, count = 0;

	for (int i = 0; chain && i < 2; i++) {
		unsigned char rd[9] = {6};

		memcpy(rd + 1, alias[i], 6);
		rd[7] = 0xc0, rd[8] = 12;
		off += put_rr(r + off, owner, 5, 300, rd, sizeof(rd));
		owner = (unsigned)(off - sizeof(rd)); /* the alias just written */
		count++;
	}
	if (qtype == 1 || qtype == 28) {
		off += put_rr(r + off, owner, qtype, 60, qtype == 1 ? a4 : a6, qtype == 1 ? 4 : 16);
		count++;
	}
	r[7] = (unsigned char)count;
	return off;
}

/* Build the answer to q (n bytes, over UDP if udp) in r; return its length
 * or 0 to drop. */
static size_t answer(const unsigned char *q, size_t n, unsigned char *r, int udp)
{
	size_t off = 12, qend;
	unsigned qtype;

	if (n < 12 || (q[2] & 0x80) || q[4] != 0 || q[5] != 1)
		return 0;
	while (off < n && q[off] != 0) {
		if (q[off] & 0xc0)
			return 0;
		off += q[off] + 1;
	}
	if (off + 5 > n)
		return 0;
	qend = off + 5;
	qtype = (unsigned)q[off + 1] << 8 | q[off + 2];
	if (first_label_is(q, "silent-"))
		return 0;
	memcpy(r, q, qend);
	r[2] = 0x80 | (q[2] & 0x79); /* QR, keep opcode and RD */
	r[3] = 0x80;		     /* RA, NOERROR */
	memset(r + 6, 0, 6);	     /* AN, NS, AR counts */
	if (udp && first_label_is(q, "truncate-")) {
		r[2] |= 0x02; /* TC, no answer: the client asks again over TCP */
		return qend;
	}
	if (first_label_is(q, "nx-") || first_label_is(q, "servfail-") ||
	    first_label_is(q, "refused-")) {
		r[3] |= first_label_is(q, "nx-") ? 3 : first_label_is(q, "servfail-") ? 2 : 5;
		return qend;
	}
	return put_answers(r, qend, qtype, first_label_is(q, "chain-"));
}

/* n bytes from fd (its receive timeout bounds each read); 0 or -1. */
static int read_full(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One TCP client: [len | query] in, [len | answer] out, for each message
 * (at most 16) until the client closes; then close. */
static void serve_tcp(int lfd)
{
	struct timeval tv = {.tv_sec = 1};
	unsigned char lenb[2], q[65536], r[2 + 1600];
	size_t n, rl;
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 16 && read_full(fd, lenb, 2) == 0; i++) {
		n = (size_t)lenb[0] << 8 | lenb[1];
		if (read_full(fd, q, n) != 0)
			break;
		if (n <= 1500 && (rl = answer(q, n, r + 2, 0)) > 0) {
			r[0] = (unsigned char)(rl >> 8);
			r[1] = (unsigned char)rl;
			if (write(fd, r, rl + 2) < 0)
				perror("responder: tcp write");
		}
	}
	close(fd);
}

/* UDP answers held back for "late-" names, sent when due. */
struct late {
	struct timespec due;
	int fd;
	struct sockaddr_storage to;
	socklen_t tolen;
	size_t len;
	unsigned char msg[1600];
};
static struct late late_q[8];
static int late_n;

/* Whole milliseconds until t, rounded up: 0 only once t has come (rounded
 * down, an answer went out up to a millisecond early, 299.8 ms "late"). */
static long ms_until(const struct timespec *t)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(t->tv_sec - now.tv_sec) * 1000000000LL + (t->tv_nsec - now.tv_nsec);
	return ns <= 0 ? 0 : (long)((ns + 999999) / 1000000);
}

/* Send the due late answers; return the poll timeout until the next. */
static int send_late(void)
{
	long wait = -1;

	for (int i = 0; i < late_n;) {
		struct late *l = &late_q[i];
		long left = ms_until(&l->due);

		if (left > 0) {
			wait = wait < 0 || left < wait ? left : wait;
			i++;
			continue;
		}
		sendto(l->fd, l->msg, l->len, 0, (struct sockaddr *)&l->to, l->tolen);
		*l = late_q[--late_n];
	}
	return (int)wait;
}

/* One UDP query on fd: answer it now, late, or from the wrong port. */
static void serve_udp(int fd, int wrong_fd)
{
	unsigned char q[1500], r[1600];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	size_t rl;

	if (n <= 0 || (rl = answer(q, (size_t)n, r, 1)) == 0)
		return;
	if (first_label_is(q, "late-")) {
		struct late *l;

		if (late_n == (int)(sizeof(late_q) / sizeof(late_q[0])))
			return; /* more than the tests send at once: dropped */
		l = &late_q[late_n++];
		clock_gettime(CLOCK_MONOTONIC, &l->due);
		l->due.tv_nsec += LATE_MS * 1000000L;
		if (l->due.tv_nsec >= 1000000000L) {
			l->due.tv_sec++;
			l->due.tv_nsec -= 1000000000L;
		}
		l->fd = fd, l->to = from, l->tolen = fl, l->len = rl;
		memcpy(l->msg, r, rl);
		return;
	}
	if (first_label_is(q, "wrongport-")) {
		if (from.ss_family != AF_INET)
			return; /* the wrong port is bound on 127.0.0.1 only */
		fd = wrong_fd;
	}
	sendto(fd, r, rl, 0, (struct sockaddr *)&from, fl);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[3];
	struct sockaddr_in w = {.sin_family = AF_INET, .sin_port = htons(WRONG_PORT)};
	int i, wrong_fd;

	pfd[0].fd = bind_sock(AF_INET, SOCK_DGRAM);
	pfd[1].fd = bind_sock(AF_INET6, SOCK_DGRAM);
	pfd[2].fd = bind_sock(AF_INET, SOCK_STREAM);
	if (pfd[0].fd < 0 || pfd[1].fd < 0 || pfd[2].fd < 0) {
		perror("responder: bind port 53");
		return 2;
	}
	w.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	wrong_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (wrong_fd < 0 || bind(wrong_fd, (struct sockaddr *)&w, sizeof(w)) < 0) {
		perror("responder: bind udp 127.0.0.1:5353");
		return 2;
	}
	if (argc > 1) {
		int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}
	for (;;) {
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if (poll(pfd, 3, send_late()) <= 0)
			continue;
		if (pfd[2].revents & POLLIN)
			serve_tcp(pfd[2].fd);
		for (i = 0; i < 2; i++)
			if (pfd[i].revents & POLLIN)
				serve_udp(pfd[i].fd, wrong_fd);
	}
}
