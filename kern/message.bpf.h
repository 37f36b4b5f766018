/* message.bpf.h - the message record under construction (struct dv_msg in
 * scratch),
 * shared by both send paths: the destination record (struct dv_dest) and
 * its fill from a socket, the payload copies from a user buffer or an iovec
 * array, the DNS QR test, and the header fields (dv_set_dest).
 *
 * One copy and one test for kern/send_tracepoint.bpf.h and
 * kern/send_kprobe.bpf.h, so both backends report the same bytes.  Memory
 * reads go through compat/dv_compat.bpf.h.  Included by kern/dnsvis.bpf.c
 * only.
 */
#ifndef DNSVIS_KERN_MESSAGE_BPF_H
#define DNSVIS_KERN_MESSAGE_BPF_H

#include "dv_compat.bpf.h"

/* uapi layouts (user memory: no CO-RE) */
struct dv_uiovec {
	const void *base;
	unsigned long len;
};

struct dv_sockaddr {
	__u16 family;
	__be16 port;
	__u32 flowinfo_or_v4; /* sin_addr for AF_INET, sin6_flowinfo for AF_INET6 */
	__u8 addr6[16];
};

struct dv_dest {
	__u16 family;
	__u16 dport;
	__u16 sport;
	__u8 flags;
	__u8 have_src;
	__u8 proto;	/* 0 = UDP, else IPPROTO_TCP */
	__u8 have_seq;	/* seq is the TCP stream position */
	__u8 from_addr; /* the destination is the call's sockaddr (not a connected peer) */
	__u32 seq;	/* tcp_sock.write_seq (copied_seq when received): of the first byte */
	__u64 sock;	/* the socket, when known */
	__u64 file;	/* its file, when the source came from the call's fd (a datagram socket) */
	__u8 daddr[16] __attribute__((aligned(8)));
	__u8 saddr[16] __attribute__((aligned(8)));
};

/* ::ffff:a.b.c.d -> AF_INET a.b.c.d */
static __always_inline void dv_unmap(__u8 *a)
{
	a[0] = a[12];
	a[1] = a[13];
	a[2] = a[14];
	a[3] = a[15];
	__builtin_memset(a + 4, 0, 12);
}

static __always_inline void dv_dest_from_sk(struct sock *sk, struct dv_dest *d, int src_only)
{
	struct dv_sk_info si = {};

	dv_sk_read(sk, &si);
	d->sock = (unsigned long)sk;
	d->sport = si.sport;
	__builtin_memcpy(d->saddr, si.saddr, 16);
	d->have_src = 1;
	if (si.family == DV_AF_INET6 && dv_v4mapped(si.saddr))
		dv_unmap(d->saddr);
	if (src_only)
		return;
	d->family = si.family;
	d->dport = si.dport;
	__builtin_memcpy(d->daddr, si.daddr, 16);
	if (si.family == DV_AF_INET6 && dv_v4mapped(si.daddr)) {
		dv_unmap(d->daddr);
		d->family = DV_AF_INET;
		d->flags |= DV_M_V4MAPPED;
	}
}

/* Up to max of the len bytes at src (user memory, or kernel memory when
 * src_kernel) into m.  max and mask are constants, max <= mask + 1 and
 * mask + 1 a power of two: the mask is what bounds the copy for the
 * verifier.  One helper for the sent copy and the received ones. */
static __always_inline void dv_copy_buf(struct dv_msg *m, const void *src, unsigned long len,
					unsigned int max, unsigned int mask, int src_kernel)
{
	unsigned int sz;
	long err;

	m->payload_len = 0;
	if (len == 0 || !src)
		return;
	if (len > max)
		len = max;
	barrier_var(len); /* keep the mask: see dv_copy_iov_upto() */
	sz = (((unsigned int)len - 1) & mask) + 1;
	err = src_kernel ? dv_read_kernel(m->payload, sz, src) : dv_read_user(m->payload, sz, src);
	if (err == 0)
		m->payload_len = sz;
}

/* A sent message's bytes from user buffer buf. */
static __always_inline void dv_copy_ubuf(struct dv_msg *m, const void *buf, unsigned long len)
{
	dv_copy_buf(m, buf, len, DV_PAYLOAD_MAX, DV_PAYLOAD_MAX - 1, 0);
}

/* Concatenate up to DV_IOV_SEGS segments, skip bytes into the first, at
 * most limit bytes in all (max and mask as for dv_copy_buf(); limit <=
 * max).  arr is a user array (tracepoints) or the kernel's copy of it
 * (kprobes).  Returns the bytes of the whole call when every segment was
 * looked at, else ~0UL. */
static __always_inline unsigned long dv_copy_iov_upto(struct dv_msg *m, const struct dv_uiovec *arr,
						      unsigned long nseg, unsigned long skip,
						      unsigned long limit, unsigned int mask,
						      int arr_kernel)
{
	unsigned long total = 0;
	unsigned int off = 0;

	m->payload_len = 0;
#pragma unroll
	for (int i = 0; i < DV_IOV_SEGS; i++) {
		struct dv_uiovec v = {};
		unsigned long len;
		unsigned int sz, dst;

		if ((unsigned long)i >= nseg)
			break;
		if (arr_kernel) {
			if (dv_read_kernel(&v, sizeof(v), &arr[i]))
				return ~0UL;
		} else {
			if (dv_read_user(&v, sizeof(v), &arr[i]))
				return ~0UL;
		}
		len = v.len;
		if (i == 0 && skip) {
			if (skip >= len)
				continue;
			v.base = (const char *)v.base + skip;
			len -= skip;
		}
		total += len;
		if (len == 0 || off >= limit)
			continue;
		if (len > limit - off)
			len = limit - off;
		barrier_var(len);
		sz = (((unsigned int)len - 1) & mask) + 1;
		/* clang knows off < limit here and drops a plain mask, but the
		 * verifier does not know it: hide off from clang first, so the
		 * mask stays and bounds the pointer (6.1 rejected it). */
		dst = off;
		barrier_var(dst);
		dst &= mask;
		barrier_var(sz);
		if (dv_read_user(m->payload + dst, sz, v.base))
			return ~0UL;
		off += sz;
		m->payload_len = off;
	}
	return nseg > DV_IOV_SEGS ? ~0UL : total;
}

/* A sent message's bytes from an iovec array (see dv_copy_iov_upto()). */
static __always_inline unsigned long dv_copy_iov(struct dv_msg *m, const struct dv_uiovec *arr,
						 unsigned long nseg, unsigned long skip,
						 int arr_kernel)
{
	return dv_copy_iov_upto(m, arr, nseg, skip, DV_PAYLOAD_MAX, DV_PAYLOAD_MAX - 1, arr_kernel);
}

/* Worth sending?  UDP: a DNS query (QR, the top bit of byte 2, is 0).  TCP
 * is a byte stream: every send's bytes go to user space, which finds the
 * messages in it and tests each one's QR bit at its own offset. */
static __always_inline int dv_is_query(const struct dv_msg *m, const struct dv_dest *d)
{
	if (d->proto)
		return m->payload_len > 0;
	return m->payload_len >= 3 && !(m->payload[2] & 0x80);
}

/* A TCP socket's stream position: the sequence number the send's first
 * byte gets (write_seq, read before the send queues it). */
static __always_inline void dv_tcp_seq(struct sock *sk, struct dv_dest *d)
{
	struct tcp_sock *tp = (void *)sk;

	if (DV_KREAD(d->seq, tp->write_seq) == 0)
		d->have_seq = 1;
}

/* The record's header and sender ids, and where it went.  orig_len: the
 * bytes the call sent, or ~0UL when not known. */
static __always_inline void dv_set_dest(struct dv_msg *m, const struct dv_dest *d, __u16 hook,
					unsigned long orig_len, int idx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	m->h.type = DV_REC_MSG;
	m->ts_ns = bpf_ktime_get_ns();
	m->tgid = pid_tgid >> 32;
	m->tid = (__u32)pid_tgid;
	m->uid = (__u32)uid_gid;
	m->gid = uid_gid >> 32;
	m->sock_id = d->sock;
	m->rx_real_ns = 0;
	m->stream_seq = d->seq;
	m->hook = hook;
	m->msg_index = idx;
	m->flags = d->flags | (d->have_seq ? DV_M_SEQ : 0);
	m->orig_len = 0;
	if (orig_len != ~0UL) {
		m->orig_len = orig_len > 0xffffffffUL ? 0xffffffffU : (__u32)orig_len;
		m->flags |= DV_M_LEN_KNOWN;
	}
	m->family = d->family;
	m->dport = d->dport;
	m->sport = d->have_src ? d->sport : 0;
	m->proto = d->proto ? d->proto : 17; /* IPPROTO_TCP / IPPROTO_UDP */
	__builtin_memcpy(m->daddr, d->daddr, 16);
	if (d->have_src)
		__builtin_memcpy(m->saddr, d->saddr, 16);
	else
		__builtin_memset(m->saddr, 0, 16);
}

#endif /* DNSVIS_KERN_MESSAGE_BPF_H */
