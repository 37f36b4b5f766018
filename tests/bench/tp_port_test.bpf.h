/* tp_port_test.bpf.h - what the hand-written port tests of tp_floor.bpf.c
 * and tp_where.bpf.c share: the syscall tracepoint record and the one-read
 * port test. */
#ifndef DNSVIS_TESTS_BENCH_TP_PORT_TEST_BPF_H
#define DNSVIS_TESTS_BENCH_TP_PORT_TEST_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter {
	__u64 common;
	long nr;
	unsigned long args[6];
};

/* One bpf_probe_read_user of the 4 bytes of family and port, compared with
 * 53. */
static __always_inline int port_is_dns(const void *uaddr)
{
	__u32 fp = 0;

	if (bpf_probe_read_user(&fp, sizeof(fp), uaddr))
		return 0;
	return (fp >> 16) == __builtin_bswap16(53);
}

#endif /* DNSVIS_TESTS_BENCH_TP_PORT_TEST_BPF_H */
