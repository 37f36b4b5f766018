/* common.h - shared by the compat-check self-test objects. */
#ifndef COMPAT_SELFTEST_COMMON_H
#define COMPAT_SELFTEST_COMMON_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
#endif
