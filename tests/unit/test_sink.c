/* test_sink.c - the sink stops on a closed output: a pipe whose reader left
 * (seen by poll, and by EPIPE on a write) is no error; a write that fails
 * otherwise (ENOSPC on /dev/full) is one line on stderr and sink_close() -1. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "output/sink.h"

static struct dnsvis_event ev;

static void make_event(void)
{
	memset(&ev, 0, sizeof(ev));
	ev.source = "pcap";
	ev.family = AF_INET;
	ev.proto = 17;
	inet_pton(AF_INET, "127.0.0.1", ev.daddr);
	ev.dport = 53;
	ev.txid = 0x1234;
	ev.domain = "example.com";
	ev.qtype = 1;
	ev.qclass = 1;
}

/* A sink printing JSON to the write end of a new pipe; *rfd its reader. */
static void pipe_sink(struct event_sink *s, FILE **w, int *rfd, int poll_it)
{
	static const struct output_opts jo = {.format = OUTPUT_JSON, .host_name = "h"};
	int p[2];

	memset(s, 0, sizeof(*s));
	CHECK_INT(pipe(p), 0);
	*w = fdopen(p[1], "w");
	*rfd = p[0];
	s->print = *w;
	s->out = jo;
	s->print_pipe = poll_it;
}

/* Where stderr goes during f(): the text, in buf. */
static void capture_stderr(void (*f)(void *), void *arg, char *buf, size_t len)
{
	FILE *t = tmpfile();
	int saved = dup(2);
	size_t n;

	fflush(stderr);
	dup2(fileno(t), 2);
	f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(t);
	n = fread(buf, 1, len - 1, t);
	buf[n] = 0;
	fclose(t);
}

static void test_reader_gone_by_poll(void)
{
	struct event_sink s;
	FILE *w;
	int r;

	pipe_sink(&s, &w, &r, 1);
	sink_event(&s, &ev);
	sink_maintain(&s);
	CHECK_INT(sink_stopped(&s), SINK_RUNNING);
	CHECK_INT(sink_reader_gone(w), 0);
	close(r);
	/* nothing written since: poll alone tells */
	CHECK_INT(sink_reader_gone(w), 1);
	sink_maintain(&s);
	CHECK_INT(sink_stopped(&s), SINK_READER_GONE);
	CHECK_INT(sink_close(&s), 0);
	fclose(w);
}

static void test_reader_gone_by_epipe(void)
{
	struct event_sink s;
	FILE *w;
	int r;

	pipe_sink(&s, &w, &r, 0); /* not polled: the write has to tell */
	close(r);
	sink_event(&s, &ev);
	sink_maintain(&s);
	CHECK_INT(sink_stopped(&s), SINK_READER_GONE);
	CHECK_INT(s.write_errors, 1);
	/* later events are counted, not written */
	sink_event(&s, &ev);
	CHECK_INT(s.events, 2);
	CHECK_INT(s.write_errors, 1);
	CHECK_INT(sink_close(&s), 0);
	fclose(w);
}

static void full_disk(void *arg)
{
	struct event_sink *s = arg;
	static const struct output_opts jo = {.format = OUTPUT_JSON, .host_name = "h"};

	memset(s, 0, sizeof(*s));
	if (sink_open_write(s, "/dev/full", &jo) != 0)
		return;
	sink_event(s, &ev);
	sink_maintain(s);
	sink_event(s, &ev);
	sink_maintain(s);
	CHECK_INT(sink_close(s), -1);
}

static void test_write_error(void)
{
	struct event_sink s;
	char err[512];

	capture_stderr(full_disk, &s, err, sizeof(err));
	CHECK_INT(sink_stopped(&s), SINK_WRITE_FAILED);
	/* one line, naming the file and the reason */
	CHECK_STR(err, "dnsvis: writing /dev/full: No space left on device\n");
}

static void test_file_ok(void)
{
	static const struct output_opts jo = {.format = OUTPUT_JSON, .host_name = "h"};
	char path[] = "/tmp/dnsvis-test-sink-XXXXXX", line[4096];
	struct event_sink s;
	int fd = mkstemp(path), n = 0;
	FILE *f;

	CHECK(fd >= 0);
	close(fd);
	memset(&s, 0, sizeof(s));
	CHECK_INT(sink_open_write(&s, path, &jo), 0);
	CHECK_INT(sink_reader_gone(s.wfile), 0); /* a regular file has no reader */
	sink_event(&s, &ev);
	sink_event(&s, &ev);
	sink_maintain(&s);
	CHECK_INT(sink_stopped(&s), SINK_RUNNING);
	CHECK_INT(sink_close(&s), 0);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "\"domain\":\"example.com\"") != NULL;
	if (f)
		fclose(f);
	CHECK_INT(n, 2);
	unlink(path);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as trace and replay run */
	make_event();
	test_reader_gone_by_poll();
	test_reader_gone_by_epipe();
	test_write_error();
	test_file_ok();
	return check_report("sink");
}
