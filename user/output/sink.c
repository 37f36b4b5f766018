/* sink.c - printer, -w file with SIGHUP reopen, consumer fan-out; a failed
 * write or a reader gone stops the sink (sink.h). */
#include "output/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t hup_pending;

static void on_hup(int sig)
{
	(void)sig;
	hup_pending = 1;
}

void sink_catch_sighup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

/* A pipe or a socket: its reader can go away while nothing is written. */
static int is_pipe(FILE *f)
{
	struct stat st;

	return fstat(fileno(f), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

void sink_init_printer(struct event_sink *s, const struct output_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->print = stdout;
	s->print_pipe = is_pipe(stdout);
	s->out = *o;
}

/* open the file for appending; *empty = it has no bytes yet */
static FILE *open_append(const char *path, int *empty)
{
	struct stat st;
	FILE *f;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	*empty = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
	return f;
}

int sink_open_write(struct event_sink *s, const char *path, const struct output_opts *o)
{
	int empty = 0;

	s->wpath = path;
	s->wout = *o;
	s->wfile = open_append(path, &empty);
	s->wempty = empty;
	if (!s->wfile) {
		fprintf(stderr, "dnsvis: --write %s: %s\n", path, strerror(errno));
		return -1;
	}
	s->wfile_pipe = is_pipe(s->wfile);
	return 0;
}

/* A write to f failed with err: stop, and say why unless the reader left. */
static void sink_fail(struct event_sink *s, FILE *f, int err)
{
	s->write_errors++;
	if (s->stop != SINK_RUNNING)
		return;
	if (err == EPIPE) {
		s->stop = SINK_READER_GONE;
		return;
	}
	s->stop = SINK_WRITE_FAILED;
	fprintf(stderr, "dnsvis: writing %s: %s\n", f == s->wfile && s->wpath ? s->wpath : "stdout",
		strerror(err ? err : EIO));
}

/* After a write to f (errno cleared before it). */
static void check_written(struct event_sink *s, FILE *f)
{
	if (ferror(f))
		sink_fail(s, f, errno);
}

static void flush_file(struct event_sink *s, FILE *f)
{
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		sink_fail(s, f, errno);
}

/* A pipe whose reader closed it says POLLERR (a socket: POLLHUP). */
static int reader_gone(FILE *f)
{
	struct pollfd p = {.fd = fileno(f), .events = 0};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

int sink_reader_gone(FILE *f)
{
	return is_pipe(f) && reader_gone(f);
}

static void check_reader(struct event_sink *s, FILE *f, int pipe)
{
	if (pipe && s->stop == SINK_RUNNING && reader_gone(f))
		s->stop = SINK_READER_GONE;
}

void sink_header(struct event_sink *s, int with_proc)
{
	s->with_proc = with_proc;
	errno = 0;
	if (s->print) {
		output_header(s->print, &s->out, with_proc);
		check_written(s, s->print);
	}
	if (s->wfile && s->wempty) {
		output_header(s->wfile, &s->wout, with_proc);
		check_written(s, s->wfile);
	}
}

void sink_event(struct event_sink *s, const struct dnsvis_event *ev)
{
	s->events++;
	if (s->stop == SINK_RUNNING) {
		errno = 0;
		if (s->print) {
			output_event(s->print, &s->out, ev);
			check_written(s, s->print);
		}
		if (s->wfile) {
			output_event(s->wfile, &s->wout, ev);
			check_written(s, s->wfile);
		}
	}
	if (s->consume)
		s->consume(s->arg, ev);
}

void sink_outcome(struct event_sink *s, const struct dnsvis_outcome *o)
{
	if (s->print)
		output_outcome(s->print, &s->out, o);
	if (s->wfile)
		output_outcome(s->wfile, &s->wout, o);
	if (s->consume_outcome)
		s->consume_outcome(s->arg, o);
}

void sink_lost(struct event_sink *s, uint64_t count, int cpu)
{
	s->lost += count;
	if (s->stop != SINK_RUNNING)
		return;
	errno = 0;
	if (s->print) {
		output_lost(s->print, &s->out, count, cpu);
		check_written(s, s->print);
	}
	if (s->wfile) {
		output_lost(s->wfile, &s->wout, count, cpu);
		check_written(s, s->wfile);
	}
}

/* SIGHUP: the -w file anew (see sink_maintain). */
static void reopen_file(struct event_sink *s)
{
	int empty = 0;
	FILE *nf = open_append(s->wpath, &empty);

	if (!nf) {
		/* keep writing to the old file rather than dropping events */
		fprintf(stderr,
			"dnsvis: SIGHUP: cannot reopen %s: %s (still writing to "
			"the old file)\n",
			s->wpath, strerror(errno));
		return;
	}
	flush_file(s, s->wfile);
	fclose(s->wfile);
	s->wfile = nf;
	s->wfile_pipe = is_pipe(nf);
	s->reopens++;
	if (empty) {
		errno = 0;
		output_header(s->wfile, &s->wout, s->with_proc);
		check_written(s, s->wfile);
	}
}

void sink_maintain(struct event_sink *s)
{
	if (s->print && s->stop == SINK_RUNNING) {
		flush_file(s, s->print);
		check_reader(s, s->print, s->print_pipe);
	}
	if (s->wfile && s->stop == SINK_RUNNING) {
		flush_file(s, s->wfile);
		check_reader(s, s->wfile, s->wfile_pipe);
	}
	if (hup_pending) {
		hup_pending = 0;
		if (s->wfile && s->stop == SINK_RUNNING)
			reopen_file(s);
	}
}

enum sink_stop sink_stopped(const struct event_sink *s)
{
	return s->stop;
}

int sink_close(struct event_sink *s)
{
	if (s->print && s->stop == SINK_RUNNING)
		flush_file(s, s->print);
	if (s->wfile) {
		if (s->stop == SINK_RUNNING)
			flush_file(s, s->wfile);
		errno = 0;
		/* what is still buffered after a failure goes nowhere */
		if (fclose(s->wfile) != 0 && s->stop == SINK_RUNNING)
			sink_fail(s, s->wfile, errno);
		s->wfile = NULL;
	}
	return s->stop == SINK_WRITE_FAILED ? -1 : 0;
}
