/* responder.c - tiny DNS responder for the VM tests (static, no libc DNS).
 *
 * usage: responder [READY_FILE]
 *
 * Listens on UDP 127.0.0.1:53 and [::1]:53 and answers every query that
 * carries one question: A -> 127.0.0.2, AAAA -> ::2, anything else
 * NOERROR with no answer; by the question's first label: "nx-..." ->
 * NXDOMAIN with no answer, "silent-..." -> no reply (the response cases
 * of guest-init.sh).  Also listens on TCP 127.0.0.1:53: one
 * length-prefixed query per connection, answered the same way (length-
 * prefixed), then the connection is closed; a client that sends nothing
 * within 1 s is dropped.  Creates READY_FILE once all sockets are bound.
 * Runs until killed.  Exits 2 with one line on stderr if it cannot bind.
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

/* Build the answer to q (n bytes) in r; return its length or 0 to drop. */
static size_t answer(const unsigned char *q, size_t n, unsigned char *r)
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
	if (q[12] > 7 && memcmp(q + 13, "silent-", 7) == 0)
		return 0;
	memcpy(r, q, qend);
	r[2] = 0x80 | (q[2] & 0x79); /* QR, keep opcode and RD */
	r[3] = 0x80;		     /* RA, NOERROR */
	memset(r + 6, 0, 6);	     /* AN, NS, AR counts */
	if (q[12] > 3 && memcmp(q + 13, "nx-", 3) == 0) {
		r[3] = 0x83; /* RA, NXDOMAIN */
		return qend;
	}
	if (qtype == 1 || qtype == 28) {
		size_t rdlen = qtype == 1 ? 4 : 16;
		unsigned char *a = r + qend;

		r[7] = 1;
		a[0] = 0xc0, a[1] = 12;			 /* name: pointer to question */
		a[2] = 0, a[3] = (unsigned char)qtype;	 /* type */
		a[4] = 0, a[5] = 1;			 /* class IN */
		a[6] = 0, a[7] = 0, a[8] = 0, a[9] = 60; /* TTL */
		a[10] = 0, a[11] = (unsigned char)rdlen;
		memset(a + 12, 0, rdlen);
		if (qtype == 1) {
			a[12] = 127, a[15] = 2;
		} else {
			a[12 + 15] = 2;
		}
		return qend + 12 + rdlen;
	}
	return qend;
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
		if (n <= 1500 && (rl = answer(q, n, r + 2)) > 0) {
			r[0] = (unsigned char)(rl >> 8);
			r[1] = (unsigned char)rl;
			if (write(fd, r, rl + 2) < 0)
				perror("responder: tcp write");
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[3];
	int i;

	pfd[0].fd = bind_sock(AF_INET, SOCK_DGRAM);
	pfd[1].fd = bind_sock(AF_INET6, SOCK_DGRAM);
	pfd[2].fd = bind_sock(AF_INET, SOCK_STREAM);
	if (pfd[0].fd < 0 || pfd[1].fd < 0 || pfd[2].fd < 0) {
		perror("responder: bind port 53");
		return 2;
	}
	if (argc > 1) {
		int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}
	for (;;) {
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if (poll(pfd, 3, -1) < 0)
			continue;
		if (pfd[2].revents & POLLIN)
			serve_tcp(pfd[2].fd);
		for (i = 0; i < 2; i++) {
			unsigned char q[1500], r[1600];
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n;
			size_t rl;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = recvfrom(pfd[i].fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
			if (n <= 0)
				continue;
			rl = answer(q, (size_t)n, r);
			if (rl)
				sendto(pfd[i].fd, r, rl, 0, (struct sockaddr *)&from, fl);
		}
	}
}
