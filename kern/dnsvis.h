/* dnsvis.h - the records the BPF programs send to user space, and the keys
 * and values of the maps user space fills.  Shared by the BPF object
 * (kern/dnsvis.bpf.c and the kern/ part headers it includes) and user/live/
 * (the record reader, the loader): plain fixed-size types only, no kernel or
 * libc headers.
 *
 * Records are variable-length, sized to their content.  Every record starts
 * with struct dv_rec_head: type and length.  Alignment: a raw perf sample's
 * data starts 4 bytes past an 8-byte boundary, right after perf's own u32
 * size field.  Each record struct below therefore begins with a u32 that is
 * not sent (padding in the BPF scratch copy; perf's size field in the ring),
 * so that user space reads a record in place, from the sample's size field,
 * with every 8-byte field 8-aligned: no copy.  The bytes sent are those from
 * `type` on (DV_REC_SKIP bytes into the struct), `len` of them.
 *
 * Record types:
 *   DV_REC_MSG   one DNS message as sent: where to, the socket, its bytes
 *                (struct dv_msg); it names its sender by proc_id
 *   DV_REC_PROC  a process as it is now: ids, namespaces, cgroup, command
 *                line, executable, working directory (struct dv_proc); sent
 *                once per process and state (kern/proc.bpf.h), cached by
 *                user space
 *   DV_REC_RESP  one DNS message as received (struct dv_msg too, the same
 *                fields seen from the receiving socket): daddr/dport are
 *                the peer it came from (the server), saddr/sport the
 *                socket's own address; ts_ns is when the receive call
 *                returned it, rx_real_ns (UDP) when it reached the host;
 *                the receiving process by proc_id.  UDP: one
 *                datagram with QR=1 tested in the kernel, orig_len its
 *                length (DV_M_LEN_KNOWN), at most DV_RESP_MAX bytes copied
 *                (payload_len < orig_len: the copy is short).  TCP: the
 *                bytes of one receive with the stream position of the
 *                first (DV_M_SEQ: tcp_sock.copied_seq), framed in user
 *                space as the sends are.
 */
#ifndef DNSVIS_KERN_DNSVIS_H
#define DNSVIS_KERN_DNSVIS_H

#define DV_PAYLOAD_MAX	 512  /* DNS bytes copied per message sent */
#define DV_RESP_MAX	 1232 /* ... per message received: the EDNS default size */
#define DV_RESP_MASK	 2047 /* the power-of-two mask bounding a received copy */
#define DV_PAYLOAD_BUF	 4096 /* 2 * mask + 2: slack so bounded variable offsets verify */
#define DV_IOV_SEGS	 4    /* iovec segments copied per message */
#define DV_MMSG_MAX	 16   /* sendmmsg entries looked at per call */
#define DV_MMSG_BATCH	 2    /* ... per program run (then a tail call) */
#define DV_CMDLINE_MAX	 256  /* bytes of mm->arg_start..arg_end */
#define DV_PATH_MAX	 256  /* bytes of path components kept */
#define DV_NAME_MAX	 64   /* bytes of one path component (incl. NUL) */
#define DV_PATH_BUF	 (DV_PATH_MAX + DV_NAME_MAX)
#define DV_PATH_DEPTH	 14 /* dentry / mount steps walked */
#define DV_TTY_MAX	 32
#define DV_CG_NAME_MAX	 128  /* bytes of one cgroup name (incl. NUL) */
#define DV_CG_MAX	 384  /* bytes of cgroup names kept */
#define DV_CG_DEPTH	 8    /* cgroup levels walked up from the leaf */
#define DV_PORT_BITS_LEN 8192 /* one bit per port: the port set */
#define DV_PORT_SLOTS	 4    /* ports compared as load-time constants */
#define DV_FD_COUNTS	 4096 /* descriptors the connected-socket prefilter covers */

/* Source hook; user space maps it to "kprobe/udp_sendmsg", ... */
enum dv_hook {
	DV_HOOK_NONE = 0,
	DV_HOOK_KPROBE_UDP_SENDMSG,
	DV_HOOK_KPROBE_UDPV6_SENDMSG,
	DV_HOOK_TP_SENDTO,
	DV_HOOK_TP_SENDMSG,
	DV_HOOK_TP_SENDMMSG,
	DV_HOOK_TP_WRITE,
	DV_HOOK_TP_WRITEV,
	DV_HOOK_KPROBE_TCP_SENDMSG,
	/* receive hooks (DV_REC_RESP) */
	DV_HOOK_TP_RECVFROM,
	DV_HOOK_TP_RECVMSG,
	DV_HOOK_TP_RECVMMSG,
	DV_HOOK_TP_READ,
	DV_HOOK_TP_READV,
	DV_HOOK_KPROBE_SKB_CONSUME_UDP, /* udp_recvmsg / udpv6_recvmsg, both families */
	DV_HOOK_KPROBE_TCP_CLEANUP_RBUF,
	DV_HOOK_MAX,
};

enum dv_rec_type {
	DV_REC_MSG = 1,
	DV_REC_PROC = 2,
	DV_REC_RESP = 3, /* a received DNS message (struct dv_msg) */
};

#define DV_REC_SKIP 4 /* bytes of a record struct before the sent part */

/* The start of every record struct. */
struct dv_rec_head {
	unsigned int perf_size; /* not sent: perf's raw size field in the ring */
	unsigned short type;	/* enum dv_rec_type */
	unsigned short len;	/* bytes sent, from type on */
};

/* dv_msg.flags */
#define DV_M_V4MAPPED  0x01 /* destination was ::ffff:a.b.c.d, reported as AF_INET */
#define DV_M_LEN_KNOWN 0x02 /* orig_len is the send's whole length */
#define DV_M_SEQ       0x04 /* stream_seq holds the TCP sequence of payload[0] */
/* DV_REC_RESP: daddr/dport are not from the datagram but the last server
 * the (unconnected) socket sent a DNS query to: the receive call did not
 * ask for the source address */
#define DV_M_PEER_ASSUMED 0x08

/* One DNS message: who sent it (proc_id, tgid, tid, uid, gid), where it
 * went and its bytes.  UDP: one datagram, QR=0 tested in the kernel.  TCP:
 * the bytes of one send (at most DV_PAYLOAD_MAX of them), with the socket
 * and the stream position of the first byte; user space orders the sends
 * of each socket, finds the messages (their 2-byte lengths) and tests each
 * one's QR bit. */
struct dv_msg {
	struct dv_rec_head h;
	unsigned long long ts_ns;      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	unsigned long long proc_id;    /* the dv_proc describing the sender */
	unsigned long long sock_id;    /* the socket (kernel address), 0 when unknown */
	unsigned long long rx_real_ns; /* DV_REC_RESP, UDP: the datagram's arrival
					* (CLOCK_REALTIME, the kernel's receive stamp),
					* 0 when unknown; else 0 */
	unsigned int tgid, tid, uid, gid;
	unsigned int orig_len;	    /* bytes the call sent (DV_M_LEN_KNOWN) */
	unsigned int stream_seq;    /* reserved: 0 */
	unsigned short hook;	    /* enum dv_hook */
	unsigned short family;	    /* AF_INET (2) / AF_INET6 (10) */
	unsigned short dport;	    /* host order */
	unsigned short sport;	    /* host order, 0 when unknown */
	unsigned short payload_len; /* bytes in payload */
	unsigned char flags;	    /* DV_M_* */
	unsigned char proto;	    /* IPPROTO_UDP / IPPROTO_TCP */
	unsigned char msg_index;    /* sendmmsg entry */
	unsigned char pad[3];
	unsigned char daddr[16]; /* 4 bytes used for AF_INET */
	unsigned char saddr[16];
	unsigned char payload[DV_PAYLOAD_BUF]; /* payload_len bytes are sent */
};

#define DV_MSG_FIXED ((unsigned long)__builtin_offsetof(struct dv_msg, payload))

/* dv_proc.flags */
#define DV_F_EXE_TRUNC	   0x01 /* exe walk did not reach the root */
#define DV_F_CWD_TRUNC	   0x02
#define DV_F_CMDLINE_TRUNC 0x04 /* arguments longer than DV_CMDLINE_MAX */
#define DV_F_NO_MM	   0x10 /* no mm (kernel thread): no exe/cmdline */
#define DV_F_CG_NAMES	   0x20 /* cgnames captured ("" = the root cgroup) */
#define DV_F_CG_TRUNC	   0x40 /* cgroup walk cut short: top levels missing */
#define DV_F_CG_V1	   0x80 /* cgnames of a v1 hierarchy (task in the v2 root) */

/* The strings of a dv_proc, back to back in str[]: cmdline_len bytes of
 * argv, exe_len bytes of the executable's path components, cwd_len bytes of
 * the working directory's, then cgnames_len bytes of the sender's cgroup's
 * name and its ancestors' (below the root; DV_F_CG_*).  Path components
 * are NUL-terminated, leaf first ("dig\0bin\0usr\0"); user space reverses
 * them. */
#define DV_STR_BUF  2048 /* room for every part, plus slack for the verifier */
#define DV_STR_MASK 1023 /* every part starts below this offset */

/* A process as it is now.  proc_id is unique per record (its creation
 * time); dv_msg.proc_id refers to it.  One goes out before the first
 * message of a process, and again when what it describes may have changed
 * (struct dv_proc_key) or user space asks for it (by deleting the
 * process's proc_sent entry). */
struct dv_proc {
	struct dv_rec_head h;
	unsigned long long proc_id;
	unsigned long long start_ns;  /* group leader's start (task->start_time) */
	unsigned long long cgroup_id; /* cgroup v2 id of the describing thread */
	unsigned int tgid, ppid;
	unsigned int ns_pid, ns_ppid; /* in the process's own pid namespace */
	unsigned int mnt_ns, net_ns;  /* namespace inode numbers, 0 when unknown */
	unsigned short flags;	      /* DV_F_* */
	unsigned short cmdline_len, exe_len, cwd_len;
	unsigned short cgnames_len;
	unsigned short pad[3];
	char comm[16];
	char tty[DV_TTY_MAX];
	char str[DV_STR_BUF]; /* see DV_STR_BUF: only the used bytes are sent */
};

#define DV_PROC_FIXED ((unsigned long)__builtin_offsetof(struct dv_proc, str))

/* What the kernel last described of a process (proc_sent map, LRU hash by
 * tgid): a PROC goes out again when any of these differs.  Pointers are
 * compared, not followed: a new mm is an execve, a new fs_struct or pwd a
 * chdir, a new nsproxy a setns/unshare, a new css_set a cgroup move, a new
 * real_parent a reparenting; start_ns tells a reused pid. */
struct dv_proc_key {
	unsigned long long start_ns;
	unsigned long long mm, pwd_dentry, pwd_mnt, nsproxy, parent, css_set;
	char comm[16];
};

struct dv_proc_sent {
	struct dv_proc_key key;
	unsigned long long proc_id;
};

#define DV_PROCS_MAX 8192 /* entries of the proc_sent map */

/* Counters (PERCPU_ARRAY counters, one struct per CPU).  A sample is
 * counted after bpf_perf_event_output() returned, so every counted sample
 * is in the ring or was refused: messages lost on a CPU are exactly
 * msg_out - the messages user space read from that CPU's ring, on every
 * kernel (before 5.1 the helper returns 0 on a full ring too). */
struct dv_counters {
	unsigned long long msg_out;  /* DV_REC_MSG samples offered to the ring */
	unsigned long long proc_out; /* DV_REC_PROC samples offered */
	unsigned long long refused;  /* samples the ring said it refused (5.1+) */
	/* sendmmsg entries past DV_MMSG_MAX, not looked at, in calls that had
	 * a DNS message among the entries looked at */
	unsigned long long mmsg_beyond;
	unsigned long long resp_out; /* DV_REC_RESP samples offered (in msg_out too) */
};

/* Tail calls: the send program sends the message itself when its sender
 * is already described; else the process record is made in two more
 * programs (kept apart for old verifiers' size and complexity limits), the
 * second of which sends it and then the message.  A sendmmsg is looked at
 * DV_MMSG_BATCH entries per program run; DV_TAIL_MMSG goes on with the
 * next ones (tracepoints only). */
enum dv_tail { DV_TAIL_PROC = 0, DV_TAIL_OUT = 1, DV_TAIL_MMSG = 2, DV_TAIL_MAX = 3 };

/* Key of the dns_socks map: a socket connected to a port in the set, or
 * (DV_SOCK_SENT_TO) an unconnected UDP socket that sent a DNS query. */
struct dv_sock_key {
	unsigned int tgid;
	unsigned int fd;
};

/* dv_sock_val.flags */
#define DV_SOCK_SENT_TO	 0x1 /* not connected: sent a DNS query to an address (with --responses) */
#define DV_SOCK_V4MAPPED 0x2 /* ... that was ::ffff:a.b.c.d (daddr holds a.b.c.d) */

struct dv_sock_val {
	unsigned long long file; /* struct file * at connect/query time, 0 from /proc */
	unsigned int flags;	 /* DV_SOCK_*; 0: connected to a port in the set */
	/* DV_SOCK_SENT_TO: the last DNS server it queried (host-order port) */
	unsigned short family, dport;
	unsigned char daddr[16];
};

/* The port set.  Up to DV_PORT_SLOTS ports are compared as constants:
 * user space patches them into the programs before loading (the
 * immediates of BPF_MOV64_IMM instructions: slot i holds DV_PORT_MAGIC + i,
 * and DV_PORT_MAGIC + DV_PORT_SLOTS says whether to consult the bitmap),
 * so the test every send pays touches no map.  Unpatched, no port matches.
 * A larger set is the bitmap (ARRAY, one entry): bit p%8 of bits[p/8] set
 * for port p. */
#define DV_PORT_MAGIC 0x64765000
#define DV_PORT_NONE  0x10000 /* a slot value no port equals */
struct dv_port_bits {
	unsigned char bits[DV_PORT_BITS_LEN];
};

/* Connected-socket prefilter (ARRAY fd_counts, DV_FD_COUNTS entries of a
 * u32): for descriptor numbers below DV_FD_COUNTS, how many dns_socks
 * entries may have that fd.
 * Only the kernel counts: +1 when it inserts an entry (file != 0), -1 when
 * it deletes one it inserted.  User space, when it adds entries itself
 * (sockets connected before the start), pins the count of their fd at
 * DV_FD_PINNED or more, a value no racing kernel update takes back to 0.
 * (User space writes only the elements it pins.)  A send, write or close on
 * an fd whose count is 0 skips the hash lookup. */
#define DV_FD_PINNED (1u << 30)
/* The config map (ARRAY, one entry). */
#define DV_CFG_ON      0x1   /* set once user space has filled the maps */
#define DV_CFG_CGROUP  0x2   /* consult cgroup_filter: drop ids whose value is 0 */
#define DV_CFG_RESP    0x4   /* receive programs loaded: mark unconnected DNS senders */
#define DV_CGROUPS_MAX 16384 /* entries of the cgroup_filter map */
struct dv_config {
	unsigned int flags;
	unsigned int filter_tgid; /* 0: all */
};

#endif
