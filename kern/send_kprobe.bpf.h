/* send_kprobe.bpf.h - the kprobe send path: udp_sendmsg / udpv6_sendmsg,
 * and tcp_sendmsg for DNS over TCP.
 *
 * UDP: the destination is msg->msg_name (when msg_namelen is not 0) or,
 * for a connected socket, the socket's peer; the port is read and tested
 * before anything else.  TCP (one function for IPv4 and IPv6): the destination is
 * always the socket's peer (skc_daddr / skc_v6_daddr / skc_dport, IPv4-
 * mapped peers reported as AF_INET); the bytes of every tcp_sendmsg call
 * go to user space with the stream position (write_seq), as in the
 * tracepoint backend, and user space finds the messages.  The payload is read from
 * the msghdr's iov_iter in every kernel flavour (compat/dv_compat.bpf.h).
 * Two programs per function: (sk, msg, len) and RHEL 7's
 * (iocb, sk, msg, len); user space loads the one matching each function's
 * BTF prototype (tcp_sendmsg's own, else udp_sendmsg's).
 * IPv4-mapped destinations on AF_INET6 sockets: udpv6_sendmsg hands those
 * to udp_sendmsg, so the v6 program skips them and the v4 program reports
 * them as AF_INET with the IPv4 address (no duplicates).
 * Included by kern/dnsvis.bpf.c only.
 */
#ifndef DNSVIS_KERN_SEND_KPROBE_BPF_H
#define DNSVIS_KERN_SEND_KPROBE_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "message.bpf.h"
#include "proc.bpf.h"

/* The rest of a UDP send whose port is in the set (d->dport): its
 * destination, payload and the message out. */
static __always_inline int dv_kprobe_dns(struct dv_pt_regs *ctx, struct sock *sk,
					 struct msghdr *msg, int v6, void *name, int namelen,
					 struct dv_dest *d)
{
	struct dv_msg_src src = {};
	struct dv_scratch *sc;

	if (name) {
		if (v6) {
			if (namelen < 24 || dv_read_kernel(d->daddr, 16, (char *)name + 8))
				return 0; /* the kernel says EINVAL */
			if (dv_v4mapped(d->daddr))
				return 0; /* reported by the udp_sendmsg probe */
			d->family = DV_AF_INET6;
		} else {
			if (namelen < 16 || dv_read_kernel(d->daddr, 4, (char *)name + 4))
				return 0;
			d->family = DV_AF_INET;
		}
	} else if (v6) {
		if (!DV_HAS_IPV6(sk))
			return 0;
		DV_KREAD(d->daddr, sk->__sk_common.skc_v6_daddr);
		if (dv_v4mapped(d->daddr))
			return 0;
		d->family = DV_AF_INET6;
	} else {
		dv_read_kernel(d->daddr, 4,
			       __builtin_preserve_access_index(&sk->__sk_common.skc_daddr));
		d->family = DV_AF_INET;
	}
	sc = dv_scratch();
	if (!sc)
		return 0;
	if (dv_msghdr_src(msg, &src))
		return 0;
	if (src.ubuf)
		dv_copy_ubuf(&sc->m[0], src.ubuf, src.ubuf_len);
	else
		dv_copy_iov(&sc->m[0], (const struct dv_uiovec *)src.kiov, src.nr_segs,
			    src.first_skip, 1);
	if (!dv_is_query(&sc->m[0], d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	dv_dest_from_sk(sk, d, 1);
	dv_set_dest(&sc->m[0], d, v6 ? DV_HOOK_KPROBE_UDPV6_SENDMSG : DV_HOOK_KPROBE_UDP_SENDMSG,
		    src.total, 0);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_kp);
	return 0;
}

/* Every UDP send passes here: the port first, with the fewest reads (the
 * msghdr's name and namelen in one, then the 4 bytes of family and port,
 * or the socket's peer port); nothing else before it. */
static __always_inline int dv_kprobe(struct dv_pt_regs *ctx, struct sock *sk, struct msghdr *msg,
				     int v6)
{
	struct dv_dest d;
	void *name = 0;
	int namelen = 0;
	__u16 port;

	if (!sk || !msg || dv_msghdr_name(msg, &name, &namelen))
		return 0;
	if (name && namelen == 0)
		name = 0; /* no address: the connected peer, as the kernel does */
	if (name) {
		struct dv_sockaddr sa;

		if (dv_read_kernel(&sa, 4, name))
			return 0;
		port = dv_ntohs(sa.port);
		if (!dv_port_ok(port))
			return 0;
		if (v6 && sa.family != DV_AF_INET6)
			return 0; /* AF_INET: udpv6_sendmsg calls udp_sendmsg */
	} else {
		__be16 p = 0;

		DV_KREAD(p, sk->__sk_common.skc_dport);
		port = dv_ntohs(p);
		if (!dv_port_ok(port))
			return 0;
	}
	__builtin_memset(&d, 0, sizeof(d));
	d.dport = port;
	return dv_kprobe_dns(ctx, sk, msg, v6, name, namelen, &d);
}

/* TCP (IPv4 and IPv6: one function).  The destination is the socket's peer
 * (msg_name is ignored by a connected stream socket; a TCP Fast Open
 * sendto's address is not looked at).  The bytes of every send go out
 * with the socket and its stream position (user/live/tcp_streams.h). */
static __always_inline int dv_kprobe_tcp(struct dv_pt_regs *ctx, struct sock *sk,
					 struct msghdr *msg)
{
	struct dv_msg_src src;
	struct dv_dest d;
	struct dv_scratch *sc;
	__be16 port = 0;

	if (!sk || !msg)
		return 0;
	DV_KREAD(port, sk->__sk_common.skc_dport);
	if (!dv_port_ok(dv_ntohs(port)))
		return 0;
	sc = dv_scratch();
	if (!sc)
		return 0;
	__builtin_memset(&src, 0, sizeof(src));
	if (dv_msghdr_src(msg, &src))
		return 0;
	if (src.ubuf)
		dv_copy_ubuf(&sc->m[0], src.ubuf, src.ubuf_len);
	else
		dv_copy_iov(&sc->m[0], (const struct dv_uiovec *)src.kiov, src.nr_segs,
			    src.first_skip, 1);
	__builtin_memset(&d, 0, sizeof(d));
	d.proto = 6; /* IPPROTO_TCP: a byte stream, framed in user space */
	dv_tcp_seq(sk, &d);
	if (!dv_is_query(&sc->m[0], &d) || !dv_pid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	dv_dest_from_sk(sk, &d, 0);
	dv_set_dest(&sc->m[0], &d, DV_HOOK_KPROBE_TCP_SENDMSG, src.total, 0);
	dv_single(sc);
	dv_finish(ctx, sc, &tail_kp);
	return 0;
}

/* Two programs per function, one per argument layout: (sk, msg, len) on
 * 4.1+, and RHEL 7's (iocb, sk, msg, len).  User space loads the one that
 * matches the function's BTF prototype.  Extra arguments go to handler. */
#define DV_KPROBE_PROGS(fn, handler, ...)                                                          \
	SEC("kprobe/" #fn)                                                                         \
	int kp_##fn(struct dv_pt_regs *ctx)                                                        \
	{                                                                                          \
		return handler(ctx, (struct sock *)ctx->di, (struct msghdr *)ctx->si,              \
			       ##__VA_ARGS__);                                                     \
	}                                                                                          \
	SEC("kprobe/" #fn)                                                                         \
	int kp_##fn##_iocb(struct dv_pt_regs *ctx)                                                 \
	{                                                                                          \
		return handler(ctx, (struct sock *)ctx->si, (struct msghdr *)ctx->dx,              \
			       ##__VA_ARGS__);                                                     \
	}

DV_KPROBE_PROGS(udp_sendmsg, dv_kprobe, 0)
DV_KPROBE_PROGS(udpv6_sendmsg, dv_kprobe, 1)
DV_KPROBE_PROGS(tcp_sendmsg, dv_kprobe_tcp)

#endif /* DNSVIS_KERN_SEND_KPROBE_BPF_H */
