/* send_tracepoint.bpf.h - the syscall tracepoint send path, for kernels
 * without usable kprobes: syscalls/sys_enter_{sendto,sendmsg,sendmmsg,write,
 * writev}, and sys_enter_{connect,close} for bookkeeping.
 *
 * Port first: the 4 bytes of family and port are the first thing read of a
 * sockaddr, the address only for a port in the set; the port set is a
 * load-time constant (kern/maps.bpf.h dv_port_ok).  A sendmsg whose
 * msg_name is set with msg_namelen 0 goes to the connected peer, as in the
 * kernel.
 *
 * Destination from the syscall's sockaddr when it has one.  Connected
 * sockets (send/write/writev, sendto/sendmsg without an address) are
 * recognised through the dns_socks hash map keyed {tgid, fd}:
 *   - sys_enter_connect adds {tgid, fd} when a socket connects to a port in
 *     the set, and removes it when it connects anywhere else or disconnects
 *     (AF_UNSPEC); sys_enter_close removes it;
 *   - at start-up user space adds the sockets already connected (it scans
 *     /proc/PID/net/udp{,6} per network namespace for peers on a port in
 *     the set, then /proc/PID/fd for those socket inodes), and later drops
 *     entries of processes that are gone.
 * A send, write or close on an fd number no entry has (fd_counts, kern/
 * dnsvis.h struct dv_fd_counts) costs one array read and no hash lookup.
 * On a hit, the entry is checked against the live descriptor (fd table ->
 * file -> socket: must be a datagram or stream socket whose peer port is in
 * the set; stale entries are deleted), and the peer address is taken from
 * the socket itself.
 * Not seen by this backend: descriptors inherited by fork or duplicated
 * (dup/dup2/SCM_RIGHTS) after the connect, until they connect again.
 * IPv4-mapped destinations are reported as AF_INET like the kprobe backend.
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_SEND_TRACEPOINT_BPF_H
#define DNSVIS_KERN_SEND_TRACEPOINT_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "message.bpf.h"
#include "proc.bpf.h"
#include "recv.bpf.h"

/* Syscall tracepoint record: 8 bytes of common fields, the syscall number,
 * then the arguments as unsigned longs (stable since tracepoints came). */
struct dv_sys_enter {
	__u64 common;
	long nr;
	unsigned long args[6];
};

/* uapi struct user_msghdr, the fields read (user memory: no CO-RE) */
struct dv_umsghdr {
	void *name;
	int namelen;
	int pad;
	const struct dv_uiovec *iov;
	unsigned long iovlen;
};

#define DV_MMSGHDR_SIZE 64 /* struct mmsghdr: msghdr (56) + msg_len + pad */

/* sockaddr in user memory (alen bytes) -> d (all of it written), when it
 * is AF_INET/AF_INET6 with a port in the set; else non-zero.  Read first:
 * family and port, and with them an AF_INET address when alen covers it
 * (one read the size of the port test's: the same copy); d is not touched
 * before the port passed. */
static __always_inline int dv_user_sockaddr(const void *uaddr, unsigned long alen,
					    struct dv_dest *d)
{
	struct {
		__u16 family;
		__be16 port;
		__u8 v4[4];
	} fp;
	__u16 port;

	if (dv_read_user(&fp, alen >= sizeof(fp) ? sizeof(fp) : 4, uaddr))
		return -1;
	port = dv_ntohs(fp.port);
	if (!dv_port_ok(port))
		return -1;
	__builtin_memset(d, 0, sizeof(*d));
	d->dport = port;
	if (fp.family == DV_AF_INET) {
		d->family = DV_AF_INET;
		if (alen >= sizeof(fp)) {
			__builtin_memcpy(d->daddr, fp.v4, 4);
			return 0;
		}
		return dv_read_user(d->daddr, 4, (const char *)uaddr + 4) ? -1 : 0;
	}
	if (fp.family != DV_AF_INET6)
		return -1;
	if (dv_read_user(d->daddr, 16, (const char *)uaddr + 8))
		return -1;
	d->family = DV_AF_INET6;
	if (dv_v4mapped(d->daddr)) {
		dv_unmap(d->daddr);
		d->family = DV_AF_INET;
		d->flags |= DV_M_V4MAPPED;
	}
	return 0;
}

/* fd a socket connected to a port in the set (dns_socks)?  Then its peer
 * into d (all of it written; not touched before the fd passed).
 * stream_only: a datagram socket does not count (the call would fail).
 * Non-zero when not. */
static __always_inline int dv_connected_dest(unsigned long fd, struct dv_dest *d, int stream_only)
{
	struct dv_sock_key key = {.fd = (__u32)fd};
	struct dv_sock_val *v;
	struct task_struct *task;
	struct sock *sk;
	short stype = 0;

	if (!dv_fd_maybe_dns(fd))
		return -1;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	v = bpf_map_lookup_elem(&dns_socks, &key);
	if (!v || (v->flags & DV_SOCK_SENT_TO)) /* SENT_TO: not connected (kern/recv.bpf.h) */
		return -1;
	__builtin_memset(d, 0, sizeof(*d));
	task = (struct task_struct *)bpf_get_current_task();
	sk = dv_file_sock(dv_fd_file(task, (unsigned int)fd), &stype);
	if (!sk) {
		dv_sock_forget(&key, v);
		return -1;
	}
	dv_dest_from_sk(sk, d, 0);
	if (stype == DV_SOCK_STREAM) {
		d->proto = 6;
		dv_tcp_seq(sk, d);
	}
	if (!dv_port_ok(d->dport)) {
		dv_sock_forget(&key, v);
		return -1;
	}
	return stream_only && stype != DV_SOCK_STREAM ? -1 : 0;
}

/* Source address of fd, for destinations given with the call, and the
 * socket's file (for dv_sock_mark_sent_to(): one walk of the fd table). */
static __always_inline void dv_src_from_fd(unsigned long fd, struct dv_dest *d)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = dv_fd_file(task, (unsigned int)fd);
	short stype = 0;
	struct sock *sk = dv_file_sock(f, &stype);

	if (sk && stype == DV_SOCK_DGRAM) {
		dv_dest_from_sk(sk, d, 1);
		d->file = (unsigned long)f;
	}
}

/* Destination of a call with address uaddr (namelen bytes) on fd, or the
 * connected peer; non-zero when not DNS.  An address of length 0: for a
 * msghdr's msg_name (msghdr set) the kernel ignores it and uses the
 * connected peer; for sendto's, it sends a stream socket's bytes to its
 * peer and fails a datagram socket's call. */
static __always_inline int dv_call_dest(const void *uaddr, unsigned long namelen, unsigned long fd,
					struct dv_dest *d, int msghdr)
{
	if (uaddr && (namelen || !msghdr)) {
		if (namelen == 0)
			return dv_connected_dest(fd, d, 1);
		if (dv_user_sockaddr(uaddr, namelen, d))
			return -1;
		d->from_addr = 1;
		dv_src_from_fd(fd, d);
		return 0;
	}
	return dv_connected_dest(fd, d, 0);
}

/* One buffer, to fd, destination uaddr (or the connected peer). */
static __always_inline int dv_tp_buf(void *ctx, __u16 hook, unsigned long fd, const void *buf,
				     unsigned long len, const void *uaddr, unsigned long alen)
{
	struct dv_dest d;
	struct dv_scratch *sc;

	if (dv_call_dest(uaddr, alen, fd, &d, 0))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	dv_copy_ubuf(&sc->m[0], buf, len);
	if (!dv_is_query(&sc->m[0], &d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	dv_set_dest(&sc->m[0], &d, hook, len, 0);
	dv_sock_mark_sent_to(fd, &d);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_tp);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sendto(struct dv_sys_enter *ctx)
{
	return dv_tp_buf(ctx, DV_HOOK_TP_SENDTO, ctx->args[0], (const void *)ctx->args[1],
			 ctx->args[2], (const void *)ctx->args[4], ctx->args[5]);
}

/* write(2) runs for every file in the system: the descriptor prefilter
 * first, before the call's other arguments are loaded or any stack is set
 * up (dv_connected_dest() tests it again: one array read more for a DNS
 * socket's write). */
SEC("tracepoint/syscalls/sys_enter_write")
int tp_write(struct dv_sys_enter *ctx)
{
	if (!dv_fd_maybe_dns(ctx->args[0]))
		return 0;
	return dv_tp_buf(ctx, DV_HOOK_TP_WRITE, ctx->args[0], (const void *)ctx->args[1],
			 ctx->args[2], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int tp_writev(struct dv_sys_enter *ctx)
{
	struct dv_dest d;
	struct dv_scratch *sc;
	unsigned long total;

	if (dv_connected_dest(ctx->args[0], &d, 0))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	total = dv_copy_iov(&sc->m[0], (const struct dv_uiovec *)ctx->args[1], ctx->args[2], 0, 0);
	if (!dv_is_query(&sc->m[0], &d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	dv_set_dest(&sc->m[0], &d, DV_HOOK_TP_WRITEV, total, 0);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_tp);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int tp_sendmsg(struct dv_sys_enter *ctx)
{
	struct dv_umsghdr um = {};
	struct dv_dest d;
	struct dv_scratch *sc;
	unsigned long total;

	if (dv_read_user(&um, sizeof(um), (const void *)ctx->args[1]))
		return 0;
	if (dv_call_dest(um.name, (unsigned int)um.namelen, ctx->args[0], &d, 1))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	total = dv_copy_iov(&sc->m[0], um.iov, um.iovlen, 0, 0);
	if (!dv_is_query(&sc->m[0], &d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	dv_set_dest(&sc->m[0], &d, DV_HOOK_TP_SENDMSG, total, 0);
	dv_sock_mark_sent_to(ctx->args[0], &d);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_tp);
	return 0;
}

/* The source fields of s (dv_src_from_fd()) into d. */
static __always_inline void dv_copy_src(struct dv_dest *d, const struct dv_dest *s)
{
	d->sock = s->sock;
	d->file = s->file;
	d->sport = s->sport;
	d->have_src = s->have_src;
	__builtin_memcpy(d->saddr, s->saddr, 16);
}

/* dv_call_dest() for an entry of the sendmmsg in sc: the entries share
 * the fd, and all are read at the call's entry, before any is sent, so the
 * connected peer and the fd's source are found once a call. */
static __always_inline int dv_mmsg_dest(struct dv_scratch *sc, const void *name,
					unsigned long namelen, struct dv_dest *d)
{
	if (name && namelen) {
		if (dv_user_sockaddr(name, namelen, d))
			return -1;
		d->from_addr = 1;
		if (!sc->mm_src_known) {
			__builtin_memset(&sc->mm_src, 0, sizeof(sc->mm_src));
			dv_src_from_fd(sc->mm_fd, &sc->mm_src);
			sc->mm_src_known = 1;
		}
		dv_copy_src(d, &sc->mm_src);
		return 0;
	}
	if (!sc->mm_conn_state)
		sc->mm_conn_state = dv_connected_dest(sc->mm_fd, &sc->mm_conn, 0) ? 2 : 1;
	if (sc->mm_conn_state != 1)
		return -1;
	__builtin_memcpy(d, &sc->mm_conn, sizeof(*d));
	return 0;
}

/* DV_MMSG_BATCH entries of the sendmmsg in sc, from sc->mm_next on: the
 * DNS messages among them go out (m[0], m[1]), then on with the next batch
 * (dv_mmsg_next), in this program or after the process record. */
static __always_inline void dv_mmsg_batch(void *ctx, struct dv_scratch *sc)
{
	__u32 start = sc->mm_next;
	int n = 0;

#pragma unroll
	for (int i = 0; i < DV_MMSG_BATCH; i++) {
		__u32 idx = start + i;
		struct dv_umsghdr um = {};
		struct dv_dest d;
		struct dv_msg *m = n ? &sc->m[1] : &sc->m[0];
		unsigned long total;

		if (idx >= sc->mm_end)
			break;
		sc->mm_next = idx + 1;
		if (dv_read_user(&um, sizeof(um),
				 (const char *)sc->mm_vec + (idx & 1023) * DV_MMSGHDR_SIZE)) {
			sc->mm_end = idx; /* the kernel's copy fails here too */
			break;
		}
		if (dv_mmsg_dest(sc, um.name, (unsigned int)um.namelen, &d))
			continue;
		total = dv_copy_iov(m, um.iov, um.iovlen, 0, 0);
		if (!dv_is_query(m, &d))
			continue;
		dv_set_dest(m, &d, DV_HOOK_TP_SENDMMSG, total, idx);
		dv_sock_mark_sent_to(sc->mm_fd, &d);
		n++;
	}
	if (n) {
		sc->mm_dns += n;
		sc->pending = n > 1;
		if (dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
			dv_finish(ctx, sc, &tail_tp);
	}
	dv_mmsg_next(ctx, sc, &tail_tp);
}

#define DV_UIO_MAXIOV 1024 /* the kernel sends at most this many entries */

/* glibc sends the A and AAAA queries with one sendmmsg.  Every entry up to
 * vlen is looked at, at most DV_MMSG_MAX; the ones past that are counted
 * (kern/dnsvis.h dv_counters.mmsg_beyond). */
SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int tp_sendmmsg(struct dv_sys_enter *ctx)
{
	unsigned long vlen = ctx->args[2];
	struct dv_scratch *sc;

	if (!vlen)
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	if (vlen > DV_UIO_MAXIOV)
		vlen = DV_UIO_MAXIOV;
	sc->mm_active = 1;
	sc->mm_fd = (__u32)ctx->args[0];
	sc->mm_vec = ctx->args[1];
	sc->mm_vlen = vlen;
	sc->mm_end = vlen > DV_MMSG_MAX ? DV_MMSG_MAX : (__u32)vlen;
	sc->mm_next = 0;
	sc->mm_dns = 0;
	sc->mm_conn_state = 0;
	sc->mm_src_known = 0;
	dv_mmsg_batch(ctx, sc);
	return 0;
}

/* The next DV_MMSG_BATCH entries (DV_TAIL_MMSG). */
SEC("tracepoint")
int dv_tail_tp_mmsg(void *ctx)
{
	struct dv_scratch *sc = dv_scratch();

	if (sc && sc->mm_active)
		dv_mmsg_batch(ctx, sc);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct dv_sys_enter *ctx)
{
	struct dv_sock_key key = {.tgid = bpf_get_current_pid_tgid() >> 32,
				  .fd = (__u32)ctx->args[0]};
	struct dv_sock_val val = {};
	struct dv_dest d;
	struct task_struct *task;
	struct file *f;
	short stype = 0;
	__u32 *n;

	if (!ctx->args[1] || dv_user_sockaddr((const void *)ctx->args[1], ctx->args[2], &d))
		goto not_dns;
	task = (struct task_struct *)bpf_get_current_task();
	f = dv_fd_file(task, key.fd);
	if (!dv_file_sock(f, &stype))
		goto not_dns;
	val.file = (unsigned long)f;
	if (bpf_map_update_elem(&dns_socks, &key, &val, BPF_NOEXIST) == 0) {
		n = dv_fd_count(key.fd);
		if (n)
			__sync_fetch_and_add(n, 1);
	} else {
		bpf_map_update_elem(&dns_socks, &key, &val, BPF_EXIST);
	}
	return 0;
not_dns: /* connected elsewhere now, or disconnected */
	if (dv_fd_maybe_dns(key.fd))
		dv_sock_forget(&key, bpf_map_lookup_elem(&dns_socks, &key));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int tp_close(struct dv_sys_enter *ctx)
{
	struct dv_sock_key key = {.fd = (__u32)ctx->args[0]};

	if (!dv_fd_maybe_dns(ctx->args[0]))
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	dv_sock_forget(&key, bpf_map_lookup_elem(&dns_socks, &key));
	return 0;
}

#endif /* DNSVIS_KERN_SEND_TRACEPOINT_BPF_H */
