/* cmd.h - the `dnsvis btf` subcommand. */
#ifndef DNSVIS_BTF_CMD_H
#define DNSVIS_BTF_CMD_H

/* `dnsvis btf list|which|extract|offsets|load-check ...`.  Exit status: 0
 * ok, 1 failure, 2 usage. */
int btf_main(int argc, char **argv);

#endif
