/* maps.bpf.h - every map of the dnsvis BPF object, and the two lookups all
 * send paths use (scratch records, port set).
 *
 * In one place because the maps are the interface to user space: the
 * skeleton names them, user/live/ fills ports, config, cgroup_filter,
 * dns_socks and the tail-call table of the backend in use, and reads
 * counters.  The split-read and the legacy object must have the same
 * maps and programs (user space opens either with the one dnsvis_bpf
 * skeleton type): no map depends on DV_SPLIT_READ.
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_MAPS_BPF_H
#define DNSVIS_KERN_MAPS_BPF_H

#include "dv_compat.bpf.h"
#include "message.bpf.h" /* struct dv_dest, in the receive stash */

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Destination ports to report, when more than DV_PORT_SLOTS: a bitmap
 * (struct dv_port_bits). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_port_bits);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_config);
} config SEC(".maps");

/* Cgroup-scoped filters (--host, --containers, --container, --pod-uid,
 * --k8s-namespace, --pod): cgroup id -> verdict.  User space puts in the
 * cgroups it knows to be unwanted (value 0) and keeps the set current as
 * cgroups come and go; an id not in the map passes to user space, which
 * decides (so a container newer than the last rescan is never lost). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DV_CGROUPS_MAX);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct dv_sock_key);
	__type(value, struct dv_sock_val);
} dns_socks SEC(".maps");

/* How many dns_socks entries per fd number (kern/dnsvis.h DV_FD_PINNED). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DV_FD_COUNTS);
	__type(key, __u32);
	__type(value, __u32);
} fd_counts SEC(".maps");

/* What was last described of each process (kern/dnsvis.h struct
 * dv_proc_sent), by tgid.  Written only after its process record was
 * output; user space deletes an entry to have the process described
 * again (its cache lost the record, or the record never came). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DV_PROCS_MAX);
	__type(key, __u32);
	__type(value, struct dv_proc_sent);
} proc_sent SEC(".maps");

/* Per-CPU records under construction: the message m[0] (and, for a second
 * sendmmsg query, m[1], sent after m[0]) and the sender's process record. */
struct dv_scratch {
	struct dv_msg m[2];
	struct dv_proc p;
	struct dv_proc_key key; /* the sender now (dv_proc_known) */
	__u32 pending;		/* m[1] waits */
	/* a sendmmsg being looked at (mm_active), DV_MMSG_BATCH entries a run */
	__u32 mm_active;
	__u32 mm_fd;
	__u32 mm_end;  /* entries to look at: min(vlen, DV_MMSG_MAX) */
	__u32 mm_next; /* the next one */
	__u32 mm_dns;  /* DNS messages found so far */
	__u64 mm_vec;  /* the struct mmsghdr array (user memory) */
	__u64 mm_vlen;
	/* what every entry of the call shares, found once: the connected peer
	 * (mm_conn; mm_conn_state 0 not looked, 1 DNS, 2 not) and the fd's
	 * source (mm_src: its sock, file, sport, saddr, have_src) */
	__u32 mm_conn_state;
	__u32 mm_src_known;
	struct dv_dest mm_conn;
	struct dv_dest mm_src;
};

/* The message(s) in scratch are those of a call with no more to come. */
static __always_inline void dv_single(struct dv_scratch *sc)
{
	sc->pending = 0;
	sc->mm_active = 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_scratch);
} scratch SEC(".maps");

/* Tail-call tables, one per program type (a PROG_ARRAY belongs to one). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DV_TAIL_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tail_tp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DV_TAIL_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tail_kp SEC(".maps");

/* Receive path (kern/recv_tracepoint.bpf.h): what a receive on a DNS
 * socket reads into, stashed at sys_enter by pid_tgid and taken at
 * sys_exit.  LRU: an entry whose exit never ran (a task killed in the call)
 * cannot fill the map. */
struct dv_recv_stash {
	struct dv_dest d; /* the socket, its peer (or the last server queried), TCP copied_seq */
	__u64 ptr;	  /* buf / iovec array / msghdr / mmsghdr array (user memory) */
	__u64 len;	  /* buffer size / iovec count / mmsghdr count */
	__u64 uaddr;	  /* recvfrom: src_addr and addrlen (0: none) */
	__u64 ualen;
	__u64 rx_stamp; /* UDP: the receive stamp of the datagram first in line, 0 none */
	__u16 hook;	/* enum dv_hook of the call */
};

#define DV_RECV_STASHES 4096
#define DV_RECV_SLOTS	4096 /* a power of two */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DV_RECV_STASHES);
	__type(key, __u64);
	__type(value, struct dv_recv_stash);
} recv_stash SEC(".maps");

/* Stashes per thread slot (tid % DV_RECV_SLOTS): a receive exit whose slot
 * holds 0 returns after this one array read, with no hash lookup.  +1 when
 * an enter adds a stash, -1 when the exit takes it; one left behind (killed
 * task, LRU eviction) only costs its slot's exits the lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DV_RECV_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} recv_slots SEC(".maps");

/* The kprobe receive path's stash (kern/recv_kprobe.bpf.h): a
 * tcp_recvmsg on a DNS socket, by pid_tgid from its entry to its
 * tcp_cleanup_rbuf.  The user segments themselves, not the kernel's iovec
 * array (RHEL 7 advances it in place).  Shares recv_slots with the
 * tracepoint stash: one backend runs. */
struct dv_kp_recv {
	struct dv_dest d; /* the socket, its peer, copied_seq at entry */
	struct dv_uiovec seg[DV_IOV_SEGS];
	__u32 nseg;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DV_RECV_STASHES);
	__type(key, __u64);
	__type(value, struct dv_kp_recv);
} kp_recv_stash SEC(".maps");

/* Samples offered to the perf ring and refused by it, per CPU (struct
 * dv_counters): user space counts what it reads per CPU, and the
 * difference is what was lost, on any kernel. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_counters);
} counters SEC(".maps");

static __always_inline struct dv_scratch *dv_scratch(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&scratch, &k);
}

/* A load-time constant (kern/dnsvis.h DV_PORT_MAGIC): an instruction
 * clang cannot fold, which user space patches. */
#define DV_PORT_CONST(v, slot) asm volatile("%0 = " #slot : "=r"(v))

/* Port in the set?  The constants first; the bitmap only for big sets. */
static __always_inline int dv_port_ok(__u16 port)
{
	__u64 p = port, s0, s1, s2, s3, big;
	struct dv_port_bits *pb;
	__u32 k = 0;

	DV_PORT_CONST(s0, 0x64765000);
	DV_PORT_CONST(s1, 0x64765001);
	DV_PORT_CONST(s2, 0x64765002);
	DV_PORT_CONST(s3, 0x64765003);
	if (p == s0 || p == s1 || p == s2 || p == s3)
		return 1;
	DV_PORT_CONST(big, 0x64765004);
	if (big != 1)
		return 0;
	pb = bpf_map_lookup_elem(&ports, &k);
	return pb && (pb->bits[(port >> 3) & (DV_PORT_BITS_LEN - 1)] & (1u << (port & 7)));
}

/* The count of fd in fd_counts, or NULL when fd is past what is counted. */
static __always_inline __u32 *dv_fd_count(unsigned long fd)
{
	__u32 k = (__u32)fd;

	if (fd >= DV_FD_COUNTS)
		return 0;
	return bpf_map_lookup_elem(&fd_counts, &k);
}

/* Might fd be in dns_socks, for some process?  One array read. */
static __always_inline int dv_fd_maybe_dns(unsigned long fd)
{
	__u32 *n = dv_fd_count(fd);

	return !n || *n;
}

/* {tgid, fd} gone from dns_socks: give back the count of an entry the
 * kernel inserted (v->file != 0; read before the delete). */
static __always_inline void dv_sock_forget(struct dv_sock_key *key, const struct dv_sock_val *v)
{
	__u64 file = v ? v->file : 0;
	__u32 *n;

	if (bpf_map_delete_elem(&dns_socks, key) != 0 || !file)
		return;
	n = dv_fd_count(key->fd);
	if (n)
		__sync_fetch_and_add(n, -1);
}

#endif /* DNSVIS_KERN_MAPS_BPF_H */
