/* cli.c - see cli.h. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "util/cli.h"

void cli_begin(void)
{
	optind = 1;
	opterr = 0;
}

int cli_usage_err(const char *sub, const char *fmt, const char *arg)
{
	fprintf(stderr, "dnsvis: %s: ", sub);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'dnsvis %s --help')\n", sub);
	return CLI_EXIT_USAGE;
}

int cli_bad_option(const char *sub, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[64];

	if (arg[0] == '-' && arg[1] == '-') /* a long option, without "=value" */
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	else /* a short one alone: argv may hold "-xVALUE" or "-abc" */
		snprintf(name, sizeof(name), "-%c", optopt > 0 && optopt < 128 ? optopt : '?');
	if (c == ':')
		return cli_usage_err(sub, "option '%s' needs a value", name);
	return cli_usage_err(sub, "unknown option '%s'", name);
}
