/* loadgen.c - UDP load generator and sink for tests/bench/bench-live.sh.
 *
 *   loadgen sink [--answer] PORT...
 *       Bind a UDP socket to 127.0.0.1:PORT for each PORT and drain them (one
 *       thread per socket, recvmmsg), so loopback sends find a listener and
 *       the kernel sends no ICMP port unreachable.  --answer: every datagram
 *       goes back to its sender as a response (QR and RA set, no answer
 *       records: the bytes of the query otherwise), sendmmsg per batch.
 *       Prints "sink: ready" on
 *       stdout once every socket is bound; on SIGTERM/SIGINT prints
 *       "sink: received PORT=N ..." and exits 0.  Exit 3 when a port is
 *       taken (for 53: a local DNS server), 1 on other errors.
 *
 *   loadgen send --port P --seconds T [--rate QPS] [--tag TAG] [--call C] [--recv]
 *       Send DNS queries (type A, RD) to 127.0.0.1:P from one UDP socket,
 *       with C: sendto (default; unconnected socket), sendmsg (unconnected,
 *       msg_name set) or write (connected socket).  Every query has a unique name
 *       "q<N>.<TAG>.bench.example" (N counts from 0), so a tracer's events
 *       can be matched and counted.  The payload is built the same way
 *       whatever the port, so DNS (53) and non-DNS (e.g. 9) runs cost the
 *       sender the same in user space.
 *       --rate QPS > 0: paced.  Each 1 ms tick (clock_nanosleep, absolute
 *       CLOCK_MONOTONIC) sends as many queries as keep the total at
 *       QPS * elapsed; a late tick catches up.  Sending stops after T seconds
 *       whether or not the schedule was kept, so a sender slower than QPS
 *       shows up as an achieved rate below the target.  --rate 0 (default):
 *       as fast as possible for T seconds.
 *       --recv: a second thread reads the responses on the same socket, one
 *       recvfrom per datagram (as a stub resolver does), until 0.5 s after
 *       the last send.  It starts after the first send, as a resolver's
 *       receive follows its send: a receive already waiting before an
 *       unconnected socket's first query is not seen by dnsvis's tracepoint
 *       backend (kern/recv_tracepoint.bpf.h).
 *       Prints one line on stdout:
 *         sent=N errors=E seconds=S rate=R target=QPS cpu=C [received=M]
 *       (rate = sent / S, achieved; target 0 = max throughput; C = the
 *       sender's user+system CPU seconds, which include the BPF programs
 *       and the loopback delivery run in its context).
 *
 *   loadgen stamps
 *       Hold a UDP socket with SO_TIMESTAMP, as dnsvis --responses does:
 *       while one is open the kernel stamps every packet it receives.
 *       Prints "stamps: on" once set; exits 0 on SIGTERM/SIGINT.
 *
 * Traffic goes to 127.0.0.1 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 8
#define RX_BATCH  64
#define RX_SIZE	  2048

static void die(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "loadgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(code);
}

static int parse_port(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		die(2, "bad port '%s'", s);
	return (int)v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- sink --------------------------------------------------------------- */

struct sink {
	int fd;
	int port;
	int answer; /* send each datagram back as a response */
	volatile unsigned long long received, answered;
};

/* The batch of n queries in mm back to their senders as responses. */
static void sink_answer(struct sink *s, struct mmsghdr *mm, int n)
{
	for (int i = 0; i < n; i++) {
		unsigned char *b = mm[i].msg_hdr.msg_iov->iov_base;

		mm[i].msg_hdr.msg_iov->iov_len = mm[i].msg_len;
		if (mm[i].msg_len >= 12) {
			b[2] |= 0x80; /* QR */
			b[3] |= 0x80; /* RA */
		}
	}
	for (int done = 0; done < n;) {
		int k = sendmmsg(s->fd, mm + done, (unsigned)(n - done), 0);

		if (k <= 0)
			break;
		done += k;
		s->answered += (unsigned)k;
	}
}

static void *sink_thread(void *arg)
{
	struct sink *s = arg;
	char(*bufs)[RX_SIZE] = malloc(RX_BATCH * RX_SIZE);
	struct sockaddr_in from[RX_BATCH];
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];

	if (!bufs)
		return NULL;
	for (;;) {
		int n;

		for (int i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = RX_SIZE;
			memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(s->fd, mm, RX_BATCH, MSG_WAITFORONE, NULL);
		if (n > 0) {
			s->received += (unsigned)n;
			if (s->answer)
				sink_answer(s, mm, n);
		} else if (n < 0 && errno != EINTR)
			break;
	}
	return NULL;
}

static int sink_main(int argc, char **argv)
{
	static struct sink sinks[MAX_PORTS];
	int first = 2, answer = 0, n;
	sigset_t set;
	int sig;

	if (argc > 2 && !strcmp(argv[2], "--answer"))
		answer = 1, first = 3;
	n = argc - first;
	if (n < 1 || n > MAX_PORTS)
		die(2, "usage: loadgen sink [--answer] PORT... (1 to %s ports)", "8");
	/* Block the stop signals in every thread; the main thread waits. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < n; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET};
		int rcvbuf = 4 << 20;
		char what[64];

		sinks[i].port = parse_port(argv[first + i]);
		sinks[i].answer = answer;
		a.sin_port = htons((uint16_t)sinks[i].port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sinks[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sinks[i].fd < 0)
			die(1, "socket: %s", strerror(errno));
		setsockopt(sinks[i].fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		snprintf(what, sizeof(what), "127.0.0.1:%d", sinks[i].port);
		if (bind(sinks[i].fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
			if (errno == EADDRINUSE) {
				fprintf(stderr,
					"loadgen: cannot bind UDP %s: port busy (another server "
					"listens there; stop it first)\n",
					what);
				exit(3);
			}
			fprintf(stderr, "loadgen: cannot bind UDP %s: %s\n", what, strerror(errno));
			exit(1);
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, sink_thread, &sinks[i]) != 0)
			die(1, "pthread_create failed%s", "");
		pthread_detach(t);
	}
	printf("sink: ready\n");
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	printf("sink: received");
	for (int i = 0; i < n; i++)
		printf(" %d=%llu", sinks[i].port, sinks[i].received);
	if (answer) {
		printf("; answered");
		for (int i = 0; i < n; i++)
			printf(" %d=%llu", sinks[i].port, sinks[i].answered);
	}
	printf("\n");
	fflush(stdout);
	_exit(0);
}

/* ---- sender ------------------------------------------------------------- */

/* Header (12) + "q" N "." TAG ".bench.example" + type/class; names stay far
 * below 255 bytes because TAG is limited to 32 bytes. */
struct query {
	unsigned char b[128];
	size_t fixed;		/* bytes before the "q<N>" label */
	unsigned char tail[64]; /* TAG label, bench, example, root, QTYPE, QCLASS */
	size_t tail_len;
};

static void query_init(struct query *q, const char *tag)
{
	static const unsigned char hdr[12] = {0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	size_t t = 0, tl = strlen(tag);

	if (tl == 0 || tl > 32)
		die(2, "bad --tag '%s' (1 to 32 bytes)", tag);
	for (size_t i = 0; i < tl; i++)
		if (tag[i] == '.' || (unsigned char)tag[i] <= ' ')
			die(2, "bad --tag '%s' (one label, printable)", tag);
	memcpy(q->b, hdr, sizeof(hdr));
	q->fixed = sizeof(hdr);
	q->tail[t++] = (unsigned char)tl;
	memcpy(q->tail + t, tag, tl);
	t += tl;
	q->tail[t++] = 5;
	memcpy(q->tail + t, "bench", 5);
	t += 5;
	q->tail[t++] = 7;
	memcpy(q->tail + t, "example", 7);
	t += 7;
	q->tail[t++] = 0;
	q->tail[t++] = 0; /* QTYPE A */
	q->tail[t++] = 1;
	q->tail[t++] = 0; /* QCLASS IN */
	q->tail[t++] = 1;
	q->tail_len = t;
}

/* Query number n; returns its length. */
static size_t query_build(struct query *q, unsigned long long n)
{
	char d[24];
	int nd = 0;
	size_t o = q->fixed;

	q->b[0] = (unsigned char)(n >> 8); /* transaction id */
	q->b[1] = (unsigned char)n;
	do {
		d[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	q->b[o++] = (unsigned char)(nd + 1);
	q->b[o++] = 'q';
	while (nd)
		q->b[o++] = (unsigned char)d[--nd];
	memcpy(q->b + o, q->tail, q->tail_len);
	return o + q->tail_len;
}

static void ts_add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static int tick_late(const struct timespec *t)
{
	struct timespec n;

	clock_gettime(CLOCK_MONOTONIC, &n);
	return n.tv_sec > t->tv_sec || (n.tv_sec == t->tv_sec && n.tv_nsec > t->tv_nsec);
}

enum send_call { CALL_SENDTO, CALL_SENDMSG, CALL_WRITE };

/* --recv: the responses to the sender's queries, read on its socket. */
struct receiver {
	int fd;
	volatile int stop;
	volatile unsigned long long received;
};

static void *receiver_thread(void *arg)
{
	struct receiver *r = arg;
	unsigned char buf[RX_SIZE];
	struct timeval tv = {.tv_usec = 100000}; /* wake to see stop */

	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!r->stop) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);

		if (recvfrom(r->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) > 0)
			r->received++;
	}
	return NULL;
}

/* One query out through call c; <0 on error. */
static ssize_t send_one(int fd, enum send_call c, const struct query *q, size_t len,
			const struct sockaddr_in *dst)
{
	struct iovec iov = {(void *)q->b, len};
	struct msghdr mh = {
	    .msg_name = (void *)dst, .msg_namelen = sizeof(*dst), .msg_iov = &iov, .msg_iovlen = 1};

	switch (c) {
	case CALL_SENDMSG:
		return sendmsg(fd, &mh, 0);
	case CALL_WRITE:
		return write(fd, q->b, len);
	default:
		return sendto(fd, q->b, len, 0, (const struct sockaddr *)dst, sizeof(*dst));
	}
}

static enum send_call parse_call(const char *v)
{
	if (!strcmp(v, "sendto"))
		return CALL_SENDTO;
	if (!strcmp(v, "sendmsg"))
		return CALL_SENDMSG;
	if (!strcmp(v, "write"))
		return CALL_WRITE;
	die(2, "bad --call '%s' (sendto, sendmsg or write)", v);
	return CALL_SENDTO;
}

static int send_main(int argc, char **argv)
{
	struct sockaddr_in dst = {.sin_family = AF_INET};
	unsigned long long sent = 0, errors = 0;
	double rate = 0, seconds = 0, t0, el, cpu;
	struct rusage ru;
	const char *tag = "bench";
	enum send_call call = CALL_SENDTO;
	struct query q;
	struct receiver rx = {0};
	pthread_t rxt;
	char *end;
	int port = 0, fd, sndbuf = 4 << 20, rcvbuf = 4 << 20, recv = 0;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--recv")) {
			recv = 1;
			continue;
		}
		if (!v)
			die(2, "option %s needs a value", a);
		if (!strcmp(a, "--port"))
			port = parse_port(v);
		else if (!strcmp(a, "--rate")) {
			errno = 0;
			rate = strtod(v, &end);
			if (errno || *end || rate < 0 || rate > 1e8)
				die(2, "bad --rate '%s'", v);
		} else if (!strcmp(a, "--seconds")) {
			errno = 0;
			seconds = strtod(v, &end);
			if (errno || *end || !(seconds > 0) || seconds > 3600)
				die(2, "bad --seconds '%s'", v);
		} else if (!strcmp(a, "--tag"))
			tag = v;
		else if (!strcmp(a, "--call"))
			call = parse_call(v);
		else
			die(2, "unknown option '%s'", a);
		i++;
	}
	if (!port || !(seconds > 0))
		die(2,
		    "usage: loadgen send --port P --seconds T [--rate QPS] [--tag TAG] [--call "
		    "C]%s",
		    "");
	query_init(&q, tag);
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(1, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (call == CALL_WRITE && connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0)
		die(1, "connect: %s", strerror(errno));
	rx.fd = fd;
	if (recv)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	t0 = now_s();
	if (recv) { /* the first query, then the receiver (see --recv) */
		if (send_one(fd, call, &q, query_build(&q, sent), &dst) < 0)
			errors++;
		sent++;
		if (pthread_create(&rxt, NULL, receiver_thread, &rx) != 0)
			die(1, "pthread_create failed%s", "");
	}
	if (rate > 0) {
		struct timespec tick;

		clock_gettime(CLOCK_MONOTONIC, &tick);
		for (;;) {
			double e = now_s() - t0;
			unsigned long long due = (unsigned long long)(rate * e), batch = 0;

			if (e >= seconds)
				break;
			/* behind schedule: send in bounded batches, checking the clock */
			while (sent < due && batch++ < 4096) {
				size_t len = query_build(&q, sent);

				if (send_one(fd, call, &q, len, &dst) < 0)
					errors++;
				sent++;
			}
			if (sent < due)
				continue;
			ts_add_ns(&tick, 1000000L);
			if (tick_late(&tick)) /* fell behind: no burst of past ticks */
				clock_gettime(CLOCK_MONOTONIC, &tick);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL) ==
			       EINTR)
				;
		}
	} else {
		for (;;) {
			for (int k = 0; k < 256; k++) {
				size_t len = query_build(&q, sent);

				if (send_one(fd, call, &q, len, &dst) < 0)
					errors++;
				sent++;
			}
			if (now_s() - t0 >= seconds)
				break;
		}
	}
	el = now_s() - t0;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("sent=%llu errors=%llu seconds=%.3f rate=%.0f target=%.0f cpu=%.3f", sent, errors,
	       el, (double)sent / el, rate, cpu);
	if (recv) {
		usleep(500000); /* the last responses */
		rx.stop = 1;
		pthread_join(rxt, NULL);
		printf(" received=%llu", rx.received);
	}
	printf("\n");
	return 0;
}

/* loadgen stamps: hold a socket with SO_TIMESTAMP until SIGTERM/SIGINT. */
static int stamps_main(void)
{
	int one = 1, fd, sig;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one)) != 0)
		die(1, "SO_TIMESTAMP: %s", strerror(errno));
	printf("stamps: on\n");
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "sink"))
		return sink_main(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return send_main(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "stamps"))
		return stamps_main();
	fprintf(stderr,
		"usage: loadgen sink [--answer] PORT...\n"
		"       loadgen send --port P --seconds T [--rate QPS] [--tag TAG] [--call C] "
		"[--recv]\n"
		"       loadgen stamps\n");
	return 2;
}
