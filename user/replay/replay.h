/* replay.h - `dnsvis replay`: decode DNS queries from capture files. */
#ifndef DNSVIS_REPLAY_H
#define DNSVIS_REPLAY_H

int replay_main(int argc, char **argv);

/* replay_main() with the events handed to sink (NULL: the stdout printer,
 * or the -w file).  Used by `dnsvis audit --replay`. */
struct event_sink;
int replay_run(int argc, char **argv, struct event_sink *sink);

#endif
