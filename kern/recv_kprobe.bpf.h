/* recv_kprobe.bpf.h - the kprobe receive path (DV_REC_RESP, loaded with
 * --responses): kprobe skb_consume_udp for UDP, kprobes on tcp_recvmsg
 * and tcp_cleanup_rbuf for TCP.  Both run in the receiving task, which is so
 * described as a sender is (dv_finish, tail_kp).
 *
 * UDP: skb_consume_udp(sk, skb, len) (4.10+).  udp_recvmsg and
 *   udpv6_recvmsg call it once the datagram was copied to the user, with
 *   the packet still at hand: the peer comes from its IP and UDP headers,
 *   so unconnected sockets and receives that ask for no address need no
 *   bookkeeping (the tracepoint backend's dns_socks marks), and an answer
 *   from an unexpected address is reported as it came.  Order: the UDP
 *   header's source port (head + transport_header) against the port set
 *   first, so any other datagram costs three small reads; then the IP
 *   header (network_header; v4 or v6 by its version nibble) for the peer;
 *   then up to DV_RESP_MAX bytes of DNS from after the UDP header, and
 *   QR=1.  orig_len is the UDP length less its header (DV_M_LEN_KNOWN);
 *   rx_real_ns the skb's receive stamp, when it arrived.
 *   The own address and port are the socket's (as a send reports them).
 *   len < 0 is a MSG_PEEK: the datagram stays queued and the call that
 *   consumes it reports it.  A nonlinear skb (data in page fragments; some
 *   NIC drivers) is copied as far as its linear part goes: payload_len <
 *   orig_len marks the short copy, and one too short for a DNS header is
 *   not reported (fragment pages would need the direct map's base).
 *   A compiler that inlined skb_consume_udp into one caller would hide
 *   that family's receives from the probe: the VM cases check v4 and v6.
 *
 * TCP: kprobe tcp_recvmsg (entry) + kprobe tcp_cleanup_rbuf, no kretprobe.
 *   Why: a kretprobe holds one of maxactive instances per thread inside
 *   tcp_recvmsg, sleeping readers included, and libbpf leaves maxactive at
 *   the kernel's default: max(10, 2 * CPUs) with CONFIG_PREEMPTION, but
 *   only the number of CPUs without (Debian 5.10).  In the 1-CPU VM guest
 *   the responder blocked in tcp_recvmsg took the one instance and every
 *   client's return was missed; any host with more blocked readers than
 *   that misses returns too.  tcp_cleanup_rbuf(sk, copied) is what
 *   tcp_recvmsg (tcp_recvmsg_locked from 5.13) calls after its copy loop,
 *   in the reader's task, with the bytes already in the user's buffer and
 *   copied = the bytes this call consumed: the same facts as the return,
 *   from a plain kprobe.  A global function from 3.10 on (ACK logic
 *   shared with tcp_read_sock and others), prototype (sk, copied)
 *   throughout, so no arity choice; the 5.10, 6.1 and 6.12 guests' BTF
 *   lists it, and their TCP cases show the calls in tcp_recvmsg are not
 *   inlined.  Every path out of
 *   the copy loop that copied bytes reaches it; those that skip it copied
 *   nothing into this stash's buffer (MSG_ERRQUEUE, MSG_OOB's recv_urg,
 *   repair's send queue peek, errors before the loop): their stash waits
 *   for the same thread's next entry, which replaces it.
 *   Entry: the socket's peer port (skc_dport) against the port set first;
 *   then the user buffers the call reads into (compat's dv_msghdr_src:
 *   ITER_UBUF 6.0+, ITER_IOVEC, RHEL 7's msg_iov; kernel-internal
 *   kvec/bvec readers are skipped), the socket and tcp_sock.copied_seq, the
 *   stream position of the first byte to be read, go into kp_recv_stash by
 *   pid_tgid, and the thread's slot in recv_slots is counted up.  The
 *   segments themselves are stashed, not the kernel's iovec array pointer:
 *   RHEL 7's memcpy_toiovec advances that array in place as it copies.
 *   tcp_cleanup_rbuf (called by every TCP reader in the system): the slot's
 *   count first, 0 ends it with one array read; copied <= 0: nothing; the
 *   stash must be this thread's on this sk, and copied_seq must have moved
 *   by exactly copied since the entry (a peek leaves it; a stale stash
 *   behind an unstashed read, e.g. into a kvec, has moved by more), so no
 *   other call's bytes are ever read; then the stash is taken (counted
 *   down) and min(copied, DV_RESP_MAX) bytes go out with DV_M_SEQ at the
 *   stashed copied_seq, and user space frames the stream as it does the
 *   sends.  Entry prototypes: (sk, msg, len, nonblock, flags, addr_len)
 *   4.1-5.18, the same without nonblock from 5.19, (iocb, sk, msg, ...) on
 *   RHEL 7.  Only sk and msg are read, so there are two entry programs, as
 *   for the sends: kp_tcp_recvmsg and kp_tcp_recvmsg_iocb, picked by the
 *   BTF prototype's arity (7: iocb).
 *   Not seen: the bytes after a mid-loop tcp_cleanup_rbuf (up to 5.15 it
 *   runs before processing a backlog once copied >= target; MSG_WAITALL
 *   and SO_RCVLOWAT > 1 run it before sleeping): the first part is
 *   reported and the stream has a gap after it.  MSG_TRUNC reads (counted
 *   in copied, not copied: flags are not read; no DNS client uses them);
 *   two threads reading one socket at once.
 *
 * RHEL 7 (3.10) would need, for UDP: no skb_consume_udp there;
 *   udp_recvmsg and udpv6_recvmsg end in skb_free_datagram_locked(sk, skb),
 *   which every datagram protocol shares and which gets no length, so no
 *   peek sign: a probe there would test sk_protocol == IPPROTO_UDP (a
 *   bitfield: BPF_CORE_READ_BITFIELD) and take MSG_PEEK from flags stashed
 *   by a udp_recvmsg entry probe (iocb first).  The UDP header is not
 *   pulled there, which the header reads here do not depend on
 *   (transport_header, not data); the 4-byte header offsets are handled in
 *   compat.  For TCP, kp_tcp_recvmsg_iocb is what it would load.  Neither
 *   is tested: no RHEL 7 kernel boots in tests/vm.
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_RECV_KPROBE_BPF_H
#define DNSVIS_KERN_RECV_KPROBE_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "message.bpf.h"
#include "proc.bpf.h"
#include "output.bpf.h"
#include "recv.bpf.h"
#include "send_kprobe.bpf.h" /* DV_KPROBE_PROGS */

#define DV_UDP_HDR 8

struct dv_udphdr {
	__be16 source;
	__be16 dest;
	__be16 len;
	__be16 check;
};

/* The peer a received packet came from (its IP header's source) into d. */
static __always_inline int dv_skb_peer(const struct dv_skb_hdrs *h, struct dv_dest *d)
{
	const unsigned char *ip = h->head + h->nh;
	__u8 ver = 0;

	if (dv_read_kernel(&ver, 1, ip))
		return -1;
	if ((ver >> 4) == 4) {
		d->family = DV_AF_INET;
		return dv_read_kernel(d->daddr, 4, ip + 12) ? -1 : 0; /* iphdr.saddr */
	}
	if ((ver >> 4) == 6) {
		d->family = DV_AF_INET6;
		return dv_read_kernel(d->daddr, 16, ip + 8) ? -1 : 0; /* ipv6hdr.saddr */
	}
	return -1;
}

SEC("kprobe/skb_consume_udp")
int kp_skb_consume_udp(struct dv_pt_regs *ctx)
{
	struct sock *sk = (struct sock *)ctx->di;
	struct sk_buff *skb = (struct sk_buff *)ctx->si;
	struct dv_skb_hdrs h = {};
	struct dv_udphdr uh = {};
	struct dv_dest d = {};
	struct dv_scratch *sc;
	__u32 dns_len, avail;

	if ((int)ctx->dx < 0 || !sk || !skb)
		return 0; /* a peek: reported when consumed */
	if (dv_skb_hdrs(skb, &h) || dv_read_kernel(&uh, sizeof(uh), h.head + h.th))
		return 0;
	d.dport = dv_ntohs(uh.source);
	if (!dv_port_ok(d.dport))
		return 0;
	dns_len = dv_ntohs(uh.len);
	if (dns_len < DV_UDP_HDR + DV_DNS_HEADER || h.tail < h.th + DV_UDP_HDR + DV_DNS_HEADER)
		return 0;
	dns_len -= DV_UDP_HDR;
	avail = h.tail - h.th - DV_UDP_HDR; /* linear bytes after the UDP header */
	if (dv_skb_peer(&h, &d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	dv_resp_copy_buf(&sc->m[0], h.head + h.th + DV_UDP_HDR, dns_len < avail ? dns_len : avail,
			 1);
	if (!dv_is_response(&sc->m[0], &d))
		return 0;
	dv_dest_from_sk(sk, &d, 1);
	dv_set_resp(&sc->m[0], &d, DV_HOOK_KPROBE_SKB_CONSUME_UDP, dns_len, 0,
		    dv_skb_rx_stamp(skb));
	dv_single(sc);
	dv_finish(ctx, sc, &tail_kp);
	return 0;
}

/* The first DV_IOV_SEGS segments of the kernel's iovec array kiov (nseg
 * of them, skip bytes into the first) into st. */
static __always_inline void dv_kp_stash_segs(struct dv_kp_recv *st, const void *kiov,
					     unsigned long nseg, unsigned long skip)
{
	const struct dv_uiovec *arr = kiov;

#pragma unroll
	for (int i = 0; i < DV_IOV_SEGS; i++) {
		struct dv_uiovec v = {};

		if ((unsigned long)i >= nseg || dv_read_kernel(&v, sizeof(v), &arr[i]))
			break;
		if (i == 0 && skip) {
			if (skip >= v.len) {
				v.len = 0;
			} else {
				v.base = (const char *)v.base + skip;
				v.len -= skip;
			}
		}
		st->seg[i] = v;
		st->nseg = i + 1;
	}
}

/* tcp_recvmsg entry (see the top): stash a receive on a DNS socket. */
static __always_inline int dv_kp_tcp_recv(struct dv_pt_regs *ctx, struct sock *sk,
					  struct msghdr *msg)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tcp_sock *tp = (void *)sk;
	struct dv_msg_src src = {};
	struct dv_kp_recv st = {};
	__be16 port = 0;
	__u32 k, *n;

	(void)ctx;
	if (!sk || !msg)
		return 0;
	DV_KREAD(port, sk->__sk_common.skc_dport);
	if (!dv_port_ok(dv_ntohs(port)) || !dv_pid_wanted(id >> 32))
		return 0;
	if (dv_msghdr_src(msg, &src) || DV_KREAD(st.d.seq, tp->copied_seq))
		return 0;
	if (src.ubuf) {
		st.seg[0].base = src.ubuf;
		st.seg[0].len = src.ubuf_len;
		st.nseg = 1;
	} else {
		dv_kp_stash_segs(&st, src.kiov, src.nr_segs, src.first_skip);
	}
	st.d.proto = 6; /* IPPROTO_TCP */
	st.d.have_seq = 1;
	dv_dest_from_sk(sk, &st.d, 0);
	k = (__u32)id & (DV_RECV_SLOTS - 1);
	n = bpf_map_lookup_elem(&recv_slots, &k);
	if (!n)
		return 0;
	if (bpf_map_update_elem(&kp_recv_stash, &id, &st, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&kp_recv_stash, &id, &st, BPF_EXIST);
	return 0;
}

DV_KPROBE_PROGS(tcp_recvmsg, dv_kp_tcp_recv)

/* tcp_cleanup_rbuf(sk, copied), in the reader's task once tcp_recvmsg
 * copied its bytes (see the top). */
SEC("kprobe/tcp_cleanup_rbuf")
int kp_tcp_cleanup_rbuf(struct dv_pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 k = (__u32)id & (DV_RECV_SLOTS - 1), *n, seq = 0;
	struct sock *sk = (struct sock *)ctx->di;
	int copied = (int)ctx->si;
	struct dv_kp_recv *v, st;
	struct dv_scratch *sc;
	struct tcp_sock *tp;

	n = bpf_map_lookup_elem(&recv_slots, &k);
	if (!n || !*n || copied <= 0)
		return 0;
	v = bpf_map_lookup_elem(&kp_recv_stash, &id);
	if (!v || v->d.sock != (__u64)(unsigned long)sk)
		return 0;
	__builtin_memcpy(&st, v, sizeof(st));
	tp = (struct tcp_sock *)sk;
	if (DV_KREAD(seq, tp->copied_seq) || seq - st.d.seq != (__u32)copied)
		return 0; /* a peek (copied_seq stays), or not this stash's read */
	if (bpf_map_delete_elem(&kp_recv_stash, &id) == 0)
		__sync_fetch_and_add(n, -1);
	sc = dv_scratch();
	if (!sc)
		return 0;
	dv_resp_copy_iov(&sc->m[0], st.seg, st.nseg, 0, (unsigned long)copied, 1);
	if (!dv_is_response(&sc->m[0], &st.d))
		return 0;
	dv_set_resp(&sc->m[0], &st.d, DV_HOOK_KPROBE_TCP_CLEANUP_RBUF, (unsigned long)copied, 0, 0);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_kp);
	return 0;
}

#endif /* DNSVIS_KERN_RECV_KPROBE_BPF_H */
