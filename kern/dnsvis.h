/* dnsvis.h - the record the BPF programs send to user space, and the keys and
 * values of the maps user space fills.  Shared by the BPF object
 * (kern/dnsvis.bpf.c and the kern/ part headers it includes) and user/live/
 * (the record reader, the loader): plain fixed-size types only, no kernel or
 * libc headers.
 */
#ifndef DNSVIS_KERN_DNSVIS_H
#define DNSVIS_KERN_DNSVIS_H

#define DV_PAYLOAD_MAX	 512  /* DNS bytes copied per message */
#define DV_PAYLOAD_BUF	 1024 /* 2 * max: slack so bounded variable offsets verify */
#define DV_IOV_SEGS	 4    /* iovec segments copied per message */
#define DV_MMSG_MAX	 2    /* sendmmsg entries looked at per call */
#define DV_CMDLINE_MAX	 256  /* bytes of mm->arg_start..arg_end */
#define DV_PATH_MAX	 256  /* bytes of path components kept */
#define DV_NAME_MAX	 64   /* bytes of one path component (incl. NUL) */
#define DV_PATH_BUF	 (DV_PATH_MAX + DV_NAME_MAX)
#define DV_PATH_DEPTH	 14 /* dentry / mount steps walked */
#define DV_TTY_MAX	 32
#define DV_PORT_BITS_LEN 8192 /* one bit per port: the port set */

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
	DV_HOOK_MAX,
};

/* dv_event.flags */
#define DV_F_EXE_TRUNC	   0x01 /* exe walk did not reach the root */
#define DV_F_CWD_TRUNC	   0x02
#define DV_F_CMDLINE_TRUNC 0x04 /* arguments longer than DV_CMDLINE_MAX */
#define DV_F_V4MAPPED	   0x08 /* destination was ::ffff:a.b.c.d, reported as AF_INET */
#define DV_F_NO_MM	   0x10 /* no mm (kernel thread): no exe/cmdline */

/* One DNS message: where it went and its bytes. */
struct dv_msg {
	unsigned long long ts_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	unsigned int orig_len;	    /* bytes the syscall sent, when known */
	unsigned short hook;	    /* enum dv_hook */
	unsigned short family;	    /* AF_INET (2) / AF_INET6 (10) */
	unsigned short dport;	    /* host order */
	unsigned short sport;	    /* host order, 0 when unknown */
	unsigned short payload_len; /* bytes valid in payload */
	unsigned char mflags;	    /* DV_F_V4MAPPED */
	unsigned char msg_index;    /* sendmmsg entry */
	unsigned char proto;	    /* IPPROTO_UDP / IPPROTO_TCP */
	unsigned char pending;	    /* kernel-internal: a second message waits */
	unsigned char pad[6];
	unsigned char daddr[16]; /* 4 bytes used for AF_INET */
	unsigned char saddr[16];
	unsigned char payload[DV_PAYLOAD_BUF];
};

/* One DNS message as sent, with the sender as it was at send time.  The
 * path buffers hold NUL-terminated components, leaf first ("dig\0bin\0usr\0");
 * user space reverses them. */
struct dv_event {
	unsigned long long cgroup_id;
	unsigned int tgid, tid, ppid, uid, gid;
	unsigned int ns_pid, ns_ppid;
	unsigned short cmdline_len; /* bytes valid in cmdline */
	unsigned short exe_len;	    /* bytes valid in exe */
	unsigned short cwd_len;	    /* bytes valid in cwd */
	unsigned short flags;	    /* DV_F_* (process part) */
	char comm[16];
	char tty[DV_TTY_MAX];
	char exe[DV_PATH_BUF];
	char cwd[DV_PATH_BUF];
	char cmdline[DV_CMDLINE_MAX];
	struct dv_msg m; /* last: its payload slack is not sent */
};

/* Bytes of a dv_event that are sent: the payload slack is not. */
#define DV_EVENT_SEND_SIZE (sizeof(struct dv_event) - (DV_PAYLOAD_BUF - DV_PAYLOAD_MAX))

/* Tail calls: the syscall/kprobe program fills ev->m, then the process
 * capture runs in two more programs (kept apart for old verifiers' size and
 * complexity limits). */
enum dv_tail { DV_TAIL_PROC = 0, DV_TAIL_OUT = 1, DV_TAIL_MAX = 2 };

/* Key of the dns_socks map: a UDP socket connected to a port in the set. */
struct dv_sock_key {
	unsigned int tgid;
	unsigned int fd;
};

struct dv_sock_val {
	unsigned long long file; /* struct file * at connect time, 0 from the /proc scan */
};

/* The port set (ARRAY, one entry): bit p%8 of bits[p/8] set for port p.
 * A bitmap in an array, so the test every sent datagram pays is one inlined
 * array lookup and a bit test, not a hash lookup. */
struct dv_port_bits {
	unsigned char bits[DV_PORT_BITS_LEN];
};

/* The config map (ARRAY, one entry). */
#define DV_CFG_ON      0x1   /* set once user space has filled the maps */
#define DV_CFG_CGROUP  0x2   /* consult cgroup_filter: drop ids whose value is 0 */
#define DV_CGROUPS_MAX 16384 /* entries of the cgroup_filter map */
struct dv_config {
	unsigned int flags;
	unsigned int filter_tgid; /* 0: all */
};

#endif
