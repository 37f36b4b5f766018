/* recv_tracepoint.bpf.h - the syscall tracepoint receive path (DV_REC_RESP,
 * loaded with --responses): syscalls/sys_enter_ and sys_exit_{recvfrom,
 * recvmsg,recvmmsg,read,readv}.
 *
 * Why these hooks: they exist on every kernel with syscall tracepoints
 * (RHEL 7's 3.10 on), need no kprobes, and run in the receiving process,
 * which is so attributed as a sender is.  The bytes are read from the
 * user's buffer after the call filled it, which makes the copy the same
 * on every kernel (no skb or iov_iter layouts).
 *
 * sys_enter_*: only for a descriptor in dns_socks (the fd_counts array
 * first, kern/maps.bpf.h dv_fd_maybe_dns), checked against the live
 * descriptor: a socket connected to a port in the set (UDP or TCP), or an
 * unconnected UDP socket that sent a DNS query to an address
 * (DV_SOCK_SENT_TO, kern/recv.bpf.h).  Then the call's buffer, the socket,
 * its peer, (TCP) tcp_sock.copied_seq, the stream position of the first
 * byte to be read, and (UDP) the receive stamp of the datagram first in the
 * socket's queue, the one the call returns (none queued: the call waits
 * and returns as one arrives), go into recv_stash by pid_tgid, and the
 * thread's slot in recv_slots is counted up.
 * sys_exit_*: the slot's count first: 0 is the usual case and ends the
 * program; else the stash is taken (and counted down).  ret <= 0: nothing.
 * Else min(ret, DV_RESP_MAX) bytes are copied from the buffer (or up to
 * DV_IOV_SEGS iovec segments).  UDP: the source is the address the call
 * filled in (src_addr / msg_name), else the connected peer, else the
 * server the socket queried last (DV_M_PEER_ASSUMED); QR=1 is tested.
 * TCP: every receive's bytes, with DV_M_SEQ; user space frames them.
 * recvmmsg: the first DV_MMSG_BATCH entries; the ones past them are
 * counted in dv_counters.mmsg_beyond (glibc, dig and busybox do not use
 * it).
 *
 * Cost to a receive that is not DNS (sys_exit_read runs on every read in
 * the system): the enter is one array read (fd_counts) and the exit one
 * array read (recv_slots), plus the tracepoint's own cost; hash lookups
 * only for an fd number some DNS socket has, or a thread slot shared with
 * a thread in a DNS receive right now.  tests/bench/ measures it.
 *
 * Not seen: io_uring receives, preadv/preadv2 and splice on sockets;
 * descriptors inherited by fork or duplicated (dup/dup2/SCM_RIGHTS) after
 * the connect, until they connect again (as on the send side); two
 * threads reading one TCP socket at once (copied_seq is read at enter);
 * a receive call that was already waiting when its unconnected socket sent
 * its first DNS query (the socket was not known at the call's enter; the
 * query then times out, counted).
 * Calls with MSG_PEEK or MSG_ERRQUEUE are skipped (the bytes are read again
 * by the call that consumes them, or are no data), as are TCP calls with
 * MSG_TRUNC (the bytes are dropped, not copied: a gap in the stream).  A
 * recv() without an address on an unconnected socket is attributed to the
 * server the socket queried last (DV_M_PEER_ASSUMED): a spoofed answer
 * from elsewhere is not told apart there.
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_RECV_TRACEPOINT_BPF_H
#define DNSVIS_KERN_RECV_TRACEPOINT_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "message.bpf.h"
#include "proc.bpf.h"
#include "output.bpf.h"
#include "recv.bpf.h"
#include "send_tracepoint.bpf.h" /* struct dv_sys_enter, dv_umsghdr */

struct dv_sys_exit {
	__u64 common;
	long nr;
	long ret;
};

#define DV_MSG_PEEK	0x2
#define DV_MSG_TRUNC	0x20
#define DV_MSG_ERRQUEUE 0x2000
#define DV_MMSG_LEN_OFF 56 /* struct mmsghdr.msg_len */

/* The DNS socket behind fd as a receive starts, into d; non-zero when fd
 * is none (stale entries are dropped, as dv_connected_dest() does).  The
 * caller tested dv_fd_maybe_dns(fd). */
static __always_inline int dv_recv_sock(unsigned long fd, struct dv_dest *d)
{
	struct dv_sock_key key = {.fd = (__u32)fd};
	struct dv_sock_val *v;
	struct task_struct *task;
	struct tcp_sock *tp;
	struct file *f;
	struct sock *sk;
	short stype = 0;

	key.tgid = bpf_get_current_pid_tgid() >> 32;
	v = bpf_map_lookup_elem(&dns_socks, &key);
	if (!v)
		return -1;
	task = (struct task_struct *)bpf_get_current_task();
	f = dv_fd_file(task, (unsigned int)fd);
	sk = dv_file_sock(f, &stype);
	if (v->flags & DV_SOCK_SENT_TO) {
		if (!sk || stype != DV_SOCK_DGRAM || v->file != (unsigned long)f)
			goto stale;
		dv_dest_from_sk(sk, d, 1);
		d->family = v->family;
		d->dport = v->dport;
		__builtin_memcpy(d->daddr, v->daddr, 16);
		d->flags = DV_M_PEER_ASSUMED | ((v->flags & DV_SOCK_V4MAPPED) ? DV_M_V4MAPPED : 0);
		return 0;
	}
	if (!sk)
		goto stale;
	dv_dest_from_sk(sk, d, 0);
	if (!dv_port_ok(d->dport))
		goto stale;
	if (stype == DV_SOCK_STREAM) {
		d->proto = 6;
		tp = (void *)sk;
		if (DV_KREAD(d->seq, tp->copied_seq) == 0)
			d->have_seq = 1;
	}
	return 0;
stale:
	dv_sock_forget(&key, v);
	return -1;
}

/* sys_enter, past the fd prefilter: stash the call on a DNS socket. */
static __always_inline int dv_recv_stash_call(__u16 hook, unsigned long fd, unsigned long ptr,
					      unsigned long len, unsigned long flags,
					      unsigned long uaddr, unsigned long ualen)
{
	struct dv_recv_stash st = {};
	__u64 id;
	__u32 k, *n;

	if (dv_recv_sock(fd, &st.d))
		return 0;
	if ((flags & (DV_MSG_PEEK | DV_MSG_ERRQUEUE)) || (st.d.proto && (flags & DV_MSG_TRUNC)))
		return 0;
	if (!st.d.proto) /* a call that waits for its datagram returns as it arrives */
		st.rx_stamp = dv_udp_next_rx_stamp((struct sock *)st.d.sock);
	st.ptr = ptr;
	st.len = len;
	st.uaddr = uaddr;
	st.ualen = ualen;
	st.hook = hook;
	id = bpf_get_current_pid_tgid();
	k = (__u32)id & (DV_RECV_SLOTS - 1);
	n = bpf_map_lookup_elem(&recv_slots, &k);
	if (!n)
		return 0;
	if (bpf_map_update_elem(&recv_stash, &id, &st, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&recv_stash, &id, &st, BPF_EXIST);
	return 0;
}

/* sys_enter: the fd prefilter first, before any stack is set up. */
static __always_inline int dv_recv_enter(__u16 hook, unsigned long fd, unsigned long ptr,
					 unsigned long len, unsigned long flags,
					 unsigned long uaddr, unsigned long ualen)
{
	if (!dv_fd_maybe_dns(fd))
		return 0;
	return dv_recv_stash_call(hook, fd, ptr, len, flags, uaddr, ualen);
}

/* sys_exit: take this thread's stash of a hook call into st.  0 when
 * there is one and the call returned bytes. */
static __always_inline int dv_recv_take(struct dv_sys_exit *ctx, __u16 hook,
					struct dv_recv_stash *st)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 k = (__u32)id & (DV_RECV_SLOTS - 1);
	__u32 *n = bpf_map_lookup_elem(&recv_slots, &k);
	struct dv_recv_stash *v;

	if (!n || !*n)
		return -1; /* the usual case: no DNS receive in this slot */
	v = bpf_map_lookup_elem(&recv_stash, &id);
	if (!v)
		return -1;
	__builtin_memcpy(st, v, sizeof(*st));
	if (bpf_map_delete_elem(&recv_stash, &id) == 0)
		__sync_fetch_and_add(n, -1);
	return ctx->ret > 0 && st->hook == hook ? 0 : -1;
}

/* m[0] is the message of stashed call st: send it if it is one. */
static __always_inline void dv_resp_send(void *ctx, struct dv_scratch *sc,
					 const struct dv_recv_stash *st, long ret)
{
	if (!dv_is_response(&sc->m[0], &st->d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return;
	dv_set_resp(&sc->m[0], &st->d, st->hook, (unsigned long)ret, 0, st->rx_stamp);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_tp);
}

/* read / recvfrom: one buffer. */
static __always_inline int dv_recv_exit_buf(struct dv_sys_exit *ctx, __u16 hook)
{
	struct dv_recv_stash st;
	struct dv_scratch *sc;
	unsigned long len;
	int alen = 0;

	if (dv_recv_take(ctx, hook, &st))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	len = (unsigned long)ctx->ret < st.len ? (unsigned long)ctx->ret : st.len;
	dv_resp_copy_buf(&sc->m[0], (const void *)st.ptr, len, 0);
	if (!st.d.proto && st.uaddr && st.ualen &&
	    dv_read_user(&alen, sizeof(alen), (const void *)st.ualen) == 0 && alen > 0)
		dv_resp_src(&st.d, (const void *)st.uaddr, (unsigned long)alen);
	dv_resp_send(ctx, sc, &st, ctx->ret);
	return 0;
}

/* One msghdr at user address umsg, as the call left it, into m: its bytes
 * (at most limit) and, UDP, its msg_name into d. */
static __always_inline void dv_recv_msghdr(struct dv_msg *m, struct dv_dest *d, const void *umsg,
					   unsigned long limit)
{
	struct dv_umsghdr um = {};

	m->payload_len = 0;
	if (dv_read_user(&um, sizeof(um), umsg))
		return;
	dv_resp_copy_iov(m, um.iov, um.iovlen, 0, limit, 0);
	if (!d->proto && um.name && um.namelen > 0)
		dv_resp_src(d, um.name, (unsigned int)um.namelen);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int tp_recvfrom(struct dv_sys_enter *ctx)
{
	return dv_recv_enter(DV_HOOK_TP_RECVFROM, ctx->args[0], ctx->args[1], ctx->args[2],
			     ctx->args[3], ctx->args[4], ctx->args[5]);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int tp_recvfrom_exit(struct dv_sys_exit *ctx)
{
	return dv_recv_exit_buf(ctx, DV_HOOK_TP_RECVFROM);
}

SEC("tracepoint/syscalls/sys_enter_read")
int tp_read(struct dv_sys_enter *ctx)
{
	return dv_recv_enter(DV_HOOK_TP_READ, ctx->args[0], ctx->args[1], ctx->args[2], 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_read")
int tp_read_exit(struct dv_sys_exit *ctx)
{
	return dv_recv_exit_buf(ctx, DV_HOOK_TP_READ);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int tp_readv(struct dv_sys_enter *ctx)
{
	return dv_recv_enter(DV_HOOK_TP_READV, ctx->args[0], ctx->args[1], ctx->args[2], 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int tp_readv_exit(struct dv_sys_exit *ctx)
{
	struct dv_recv_stash st;
	struct dv_scratch *sc;

	if (dv_recv_take(ctx, DV_HOOK_TP_READV, &st))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	dv_resp_copy_iov(&sc->m[0], (const struct dv_uiovec *)st.ptr, st.len, 0,
			 (unsigned long)ctx->ret, 0);
	dv_resp_send(ctx, sc, &st, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int tp_recvmsg(struct dv_sys_enter *ctx)
{
	return dv_recv_enter(DV_HOOK_TP_RECVMSG, ctx->args[0], ctx->args[1], 0, ctx->args[2], 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int tp_recvmsg_exit(struct dv_sys_exit *ctx)
{
	struct dv_recv_stash st;
	struct dv_scratch *sc;

	if (dv_recv_take(ctx, DV_HOOK_TP_RECVMSG, &st))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	dv_recv_msghdr(&sc->m[0], &st.d, (const void *)st.ptr, (unsigned long)ctx->ret);
	dv_resp_send(ctx, sc, &st, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int tp_recvmmsg(struct dv_sys_enter *ctx)
{
	return dv_recv_enter(DV_HOOK_TP_RECVMMSG, ctx->args[0], ctx->args[1], ctx->args[2],
			     ctx->args[3], 0, 0);
}

/* The first DV_MMSG_BATCH of the ret entries the call filled (m[0], m[1]);
 * a TCP entry's stream position follows the ones before it. */
SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int tp_recvmmsg_exit(struct dv_sys_exit *ctx)
{
	struct dv_recv_stash st;
	struct dv_scratch *sc;
	struct dv_counters *c;
	__u32 k = 0, seq;
	int n = 0;

	if (dv_recv_take(ctx, DV_HOOK_TP_RECVMMSG, &st))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	seq = st.d.seq;
#pragma unroll
	for (int i = 0; i < DV_MMSG_BATCH; i++) {
		const char *mh = (const char *)st.ptr + i * DV_MMSGHDR_SIZE;
		struct dv_msg *m = n ? &sc->m[1] : &sc->m[0];
		struct dv_dest d = st.d;
		__u32 mlen = 0;

		if (i >= ctx->ret || dv_read_user(&mlen, sizeof(mlen), mh + DV_MMSG_LEN_OFF))
			break;
		dv_recv_msghdr(m, &d, mh, mlen);
		if (d.proto) {
			d.seq = seq;
			seq += mlen;
		}
		if (!dv_is_response(m, &d))
			continue;
		dv_set_resp(m, &d, DV_HOOK_TP_RECVMMSG, mlen, i, i ? 0 : st.rx_stamp);
		n++;
	}
	if (!n || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	c = bpf_map_lookup_elem(&counters, &k);
	if (c && ctx->ret > DV_MMSG_BATCH)
		c->mmsg_beyond += ctx->ret - DV_MMSG_BATCH;
	dv_single(sc);
	sc->pending = n > 1;
	dv_finish(ctx, sc, &tail_tp);
	return 0;
}

#endif /* DNSVIS_KERN_RECV_TRACEPOINT_BPF_H */
