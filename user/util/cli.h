/* cli.h - the one style of option parsing of every subcommand: getopt_long
 * with a leading ':' in the short options (so a missing value is told apart
 * from an unknown option), no message from getopt itself, and one stderr
 * line of ours per usage error, exit status 2:
 *   dnsvis: SUB: WHAT (see 'dnsvis SUB --help') */
#ifndef DNSVIS_UTIL_CLI_H
#define DNSVIS_UTIL_CLI_H

#define CLI_EXIT_USAGE 2

/* Start a new getopt_long pass over argv (subcommands may parse twice). */
void cli_begin(void);

/* The usage line "dnsvis: SUB: " fmt (with one %s for arg) " (see ...)";
 * returns CLI_EXIT_USAGE. */
int cli_usage_err(const char *sub, const char *fmt, const char *arg)
    __attribute__((format(printf, 2, 0)));

/* The usage line for getopt_long's ':' (missing value) or '?' (unknown
 * option) result; returns CLI_EXIT_USAGE. */
int cli_bad_option(const char *sub, int c, char **argv);

#endif
