/* btf_lookup.h - where the kernel's BTF comes from, and what it says about
 * the functions the kprobe backend attaches to. */
#ifndef DNSVIS_BTF_LOOKUP_H
#define DNSVIS_BTF_LOOKUP_H

#include <stddef.h>

#define BTF_VMLINUX_PATH "/sys/kernel/btf/vmlinux"

/* The BTF file to use: opt (from --btf) when given, else
 * /sys/kernel/btf/vmlinux.  NULL with a reason in why when there is none.
 * *custom is set when libbpf must be given the path (not the kernel's own). */
const char *btf_select(const char *opt, int *custom, char *why, size_t len);

/* Number of parameters of kernel function name in that BTF: 3 for
 * udp_sendmsg(sk, msg, len), 4 for RHEL 7's (iocb, sk, msg, len); -1 when
 * the function is not in the BTF. */
int btf_func_arity(const char *btf_path, const char *name);

#endif
