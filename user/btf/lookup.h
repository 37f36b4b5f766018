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
 *   1. opt (--btf FILE): an explicit file wins over everything (and a bad
 *      one is an error, never silently replaced);
 *   2. the kernel's own /sys/kernel/btf/vmlinux: under --host-root (root
 *      not "" or NULL) ROOT/sys/kernel/btf/vmlinux first, then this view's
 *      (test hook: DNSVIS_SYS_BTF replaces both);
 *   3. the BTF built into dnsvis for the host's os-release ID, VERSION_ID
 *      (read under root), arch and release, decompressed into a memfd
 *      ("/proc/self/fd/N");
 * a candidate that is missing, empty or not BTF is skipped and noted
 * (btf_tried); when none is left, NULL with one line in why naming each
 * source tried, why it failed, and where BTFHub has the file.  *custom is
 * set when libbpf must be given the path (not the kernel's own). */
const char *btf_select(const char *opt, const char *root, int *custom, char *why, size_t len);

/* What the last successful btf_select() chose, for humans: "kernel
 * (/sys/kernel/btf/vmlinux)", "embedded ubuntu 18.04 x86_64 4.15.0-1054-aws",
 * "--btf FILE"; "none" before any. */
const char *btf_source_describe(void);

/* The sources the last btf_select() tried and passed over, one line each:
 * "kernel BTF /sys/kernel/btf/vmlinux: empty (0 bytes)",
 * "embedded BTF: none for debian 11 x86_64 5.10.0-35-cloud-amd64 (4 kernels
 * built in)". */
int btf_tried_count(void);
const char *btf_tried(int i);

/* NULL when path looks like BTF libbpf can take (raw BTF whose header fits
 * the file, or an ELF file), else a short reason: strerror (errno kept,
 * e.g. ENOENT), "empty (0 bytes)", "not BTF (...)".  Reads the header
 * only. */
const char *btf_file_problem(const char *path);

/* Number of parameters of kernel function name in that BTF: 3 for
 * udp_sendmsg(sk, msg, len), 4 for RHEL 7's (iocb, sk, msg, len);
 * -ENOENT when the function is not in the BTF, another -errno when the BTF
 * cannot be parsed. */
int btf_func_arity(const char *btf_path, const char *name);

/* One line for a negative btf_func_arity() result, naming the BTF source:
 * "udp_sendmsg is not in the BTF from embedded debian 11 x86_64 ...". */
void btf_func_problem(int err, const char *name, char *why, size_t len);

/* The BTF archive built into dnsvis (btfhub/archive.S).  0, or -1 with a
 * reason in why. */
struct btf_archive;
int btf_embedded_archive(struct btf_archive *a, char *why, size_t wl);

#endif
