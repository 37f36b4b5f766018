/* lookup.h - where the kernel's BTF comes from, and what it says about
 * the functions the kprobe backend attaches to.
 *
 * Stage btf (user/btf/), set-up for the live source: choose the BTF the
 * CO-RE objects relocate against (this file), the BTFHub archive built into
 * the binary (archive.h), and `dnsvis btf` (cmd.h). */
#ifndef DNSVIS_BTF_LOOKUP_H
#define DNSVIS_BTF_LOOKUP_H

#include <stddef.h>

#define BTF_VMLINUX_PATH "/sys/kernel/btf/vmlinux"

/* The BTF file to use, in this order:
 *   1. opt (--btf FILE): an explicit file wins over everything;
 *   2. the kernel's own /sys/kernel/btf/vmlinux (test hook: DNSVIS_SYS_BTF);
 *   3. the BTF built into dnsvis for this os-release ID, VERSION_ID, arch
 *      and release, decompressed into a memfd ("/proc/self/fd/N");
 * else NULL with a one-line reason in why saying where BTFHub has the file.
 * *custom is set when libbpf must be given the path (not the kernel's own). */
const char *btf_select(const char *opt, int *custom, char *why, size_t len);

/* What the last successful btf_select() chose, for humans: "kernel
 * (/sys/kernel/btf/vmlinux)", "embedded ubuntu 18.04 x86_64 4.15.0-1054-aws",
 * "--btf FILE"; "none" before any. */
const char *btf_source_describe(void);

/* Number of parameters of kernel function name in that BTF: 3 for
 * udp_sendmsg(sk, msg, len), 4 for RHEL 7's (iocb, sk, msg, len); -1 when
 * the function is not in the BTF. */
int btf_func_arity(const char *btf_path, const char *name);

/* The BTF archive built into dnsvis (btfhub/archive.S).  0, or -1 with a
 * reason in why. */
struct btf_archive;
int btf_embedded_archive(struct btf_archive *a, char *why, size_t wl);

#endif
