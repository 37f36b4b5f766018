/* sink.c - printer, -w file with SIGHUP reopen, consumer fan-out. */
#include "output/sink.h"

#include <errno.h>
#include <fcntl.h>
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

void sink_init_printer(struct event_sink *s, const struct output_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->print = stdout;
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
	return 0;
}

void sink_header(struct event_sink *s, int with_proc)
{
	s->with_proc = with_proc;
	if (s->print)
		output_header(s->print, &s->out, with_proc);
	if (s->wfile && s->wempty)
		output_header(s->wfile, &s->wout, with_proc);
}

void sink_event(struct event_sink *s, const struct dnsvis_event *ev)
{
	s->events++;
	if (s->print)
		output_event(s->print, &s->out, ev);
	if (s->wfile)
		output_event(s->wfile, &s->wout, ev);
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
	if (s->print)
		output_lost(s->print, &s->out, count, cpu);
	if (s->wfile)
		output_lost(s->wfile, &s->wout, count, cpu);
}

static void flush_file(struct event_sink *s, FILE *f)
{
	if (fflush(f) != 0 || ferror(f)) {
		if (s->write_errors++ == 0)
			fprintf(stderr, "dnsvis: writing %s: %s\n",
				f == s->wfile && s->wpath ? s->wpath : "output", strerror(errno));
		clearerr(f);
	}
}

void sink_maintain(struct event_sink *s)
{
	if (s->print)
		fflush(s->print);
	if (s->wfile)
		flush_file(s, s->wfile);
	if (hup_pending && s->wfile) {
		int empty = 0;
		FILE *nf;

		hup_pending = 0;
		nf = open_append(s->wpath, &empty);
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
		s->reopens++;
		if (empty)
			output_header(s->wfile, &s->wout, s->with_proc);
	} else if (hup_pending) {
		hup_pending = 0;
	}
}

int sink_close(struct event_sink *s)
{
	int rc = 0;

	if (s->print && fflush(s->print) != 0)
		rc = -1;
	if (s->wfile) {
		flush_file(s, s->wfile);
		if (fclose(s->wfile) != 0)
			rc = -1;
		s->wfile = NULL;
	}
	return s->write_errors ? -1 : rc;
}
