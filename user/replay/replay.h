/* replay.h - `dnsvis replay`: decode DNS queries from capture files.
 *
 * Stage replay (user/replay/), a source: libpcap reads pcap and pcapng
 * files, and every frame goes to the wire stage's packet parser; the
 * events go to the output stage's sinks.  The one stage that includes
 * libpcap. */
#ifndef DNSVIS_REPLAY_H
#define DNSVIS_REPLAY_H

#include <getopt.h>

int replay_main(int argc, char **argv);

/* replay_main() with the events handed to sink (NULL: the stdout printer,
 * or the -w file).  Used by `dnsvis audit --replay`. */
struct event_sink;
int replay_run(int argc, char **argv, struct event_sink *sink);

/* replay's getopt_long() options, so that `dnsvis audit --replay` knows
 * which of the options it passes on take a value. */
extern const char replay_optstring[];
extern const struct option replay_options[];

#endif
