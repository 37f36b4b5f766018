/* sink.h - where trace and replay hand their events: the printer
 * (stdout), a -w/--write file that SIGHUP reopens, and/or a consumer such as
 * the audit aggregator.  Any combination; all three are optional.
 *
 * A failed write stops the sink (sink_stopped()): the producer then ends as
 * it would at the end of its input.  EPIPE, or a pipe or socket whose reader
 * has gone (seen by poll(2) even while nothing is written), is a reader that
 * went away: no message, and sink_close() says 0.  Any other failure (ENOSPC,
 * EIO, EFBIG, ...) is one line on stderr naming the file, and sink_close()
 * says -1.  Run with SIGPIPE (and SIGXFSZ) ignored, so those come as errors. */
#ifndef DNSVIS_EVENT_SINK_H
#define DNSVIS_EVENT_SINK_H

#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "output/output.h"

enum sink_stop {
	SINK_RUNNING,
	SINK_READER_GONE,  /* EPIPE, or the pipe's reader closed it */
	SINK_WRITE_FAILED, /* a real write error, reported on stderr */
};

struct event_sink {
	/* printer: output_event() lines on print (NULL: no printing) */
	FILE *print;
	struct output_opts out;
	/* -w FILE: appended in wout's format; reopened on SIGHUP */
	const char *wpath;
	FILE *wfile;
	struct output_opts wout;
	int with_proc;		    /* for the text header of a new file */
	int wempty;		    /* the file was empty when opened */
	int print_pipe, wfile_pipe; /* a pipe or socket: poll it for a reader gone */
	enum sink_stop stop;
	/* consumer (the audit aggregator) */
	void (*consume)(void *arg, const struct dnsvis_event *ev);
	void (*consume_outcome)(void *arg, const struct dnsvis_outcome *o); /* NULL: none */
	void *arg;
	/* counters the producer fills in as it goes */
	unsigned long long events, lost, malformed, write_errors, reopens;
};

/* A printer to stdout in format o (the default sink of trace/replay). */
void sink_init_printer(struct event_sink *s, const struct output_opts *o);

/* Open (append, create 0640) the -w file.  The next SIGHUP reopens it
 * (after sink_catch_sighup()).  0, or -1 with a message on stderr. */
int sink_open_write(struct event_sink *s, const char *path, const struct output_opts *o);

/* Install the SIGHUP handler that asks for a reopen (SA_RESTART off, so a
 * blocking poll returns). */
void sink_catch_sighup(void);

/* Text header on the printer (and on an empty -w file). */
void sink_header(struct event_sink *s, int with_proc);

void sink_event(struct event_sink *s, const struct dnsvis_event *ev);
/* A response, timeout or unsolicited response (--responses). */
void sink_outcome(struct event_sink *s, const struct dnsvis_outcome *o);
void sink_lost(struct event_sink *s, uint64_t count, int cpu);

/* Flush the printer and the file, and see whether a pipe's reader has gone;
 * then, if a SIGHUP came, reopen the file: the new file is opened first, the
 * old one flushed and closed after, so no event is lost or written twice.
 * Call it often (each poll round). */
void sink_maintain(struct event_sink *s);

/* Why the sink takes no more output: SINK_RUNNING (0) while it does. */
enum sink_stop sink_stopped(const struct event_sink *s);

/* 1 when f is a pipe or socket whose reader has gone. */
int sink_reader_gone(FILE *f);

/* Flush and close the file.  0 (also when the reader went away), or -1
 * after a write error (already reported). */
int sink_close(struct event_sink *s);

#endif
