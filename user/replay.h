/* replay.h - `dnsvis replay`: decode DNS queries from capture files. */
#ifndef DNSVIS_REPLAY_H
#define DNSVIS_REPLAY_H

int replay_main(int argc, char **argv);

#endif
