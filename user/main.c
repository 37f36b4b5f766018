/* main.c - entry point: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "btf/cmd.h"
#include "live/doctor.h"
#include "replay/replay.h"
#include "live/trace.h"

#define DNSVIS_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: dnsvis [trace] [options]     trace DNS queries live (default)\n"
	       "       dnsvis replay [options] FILE...  decode DNS queries from captures\n"
	       "       dnsvis audit [options]           report what is resolved; allow/deny lists\n"
	       "       dnsvis doctor                   check what this kernel supports\n"
	       "       dnsvis btf list|which|extract   kernel BTF built in for old kernels\n"
	       "       dnsvis --version | --help\n"
	       "Run 'dnsvis SUBCOMMAND --help' for the options of each.\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd && strcmp(cmd, "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (cmd && strcmp(cmd, "audit") == 0)
		return audit_main(argc - 1, argv + 1);
	if (cmd && strcmp(cmd, "trace") == 0)
		return trace_main(argc - 1, argv + 1);
	if (cmd && strcmp(cmd, "btf") == 0)
		return btf_main(argc - 1, argv + 1);
	if (cmd && strcmp(cmd, "doctor") == 0)
		return doctor_main(argc - 1, argv + 1);
	if (cmd && (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)) {
		printf("dnsvis %s\n", DNSVIS_VERSION);
		return 0;
	}
	if (cmd && (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (cmd && cmd[0] != '-') {
		fprintf(stderr, "dnsvis: unknown subcommand '%s' (see 'dnsvis --help')\n", cmd);
		return 2;
	}
	/* plain `dnsvis [options]` traces live */
	return trace_main(argc, argv);
}
