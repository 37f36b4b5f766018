/* recv.bpf.h - the pieces of the receive path (DV_REC_RESP, kern/dnsvis.h)
 * that both backends use: the bounded copy of a received message (at most
 * DV_RESP_MAX bytes) from a buffer or an iovec array, the QR=1 test,
 * the record's fields, and where an unconnected socket's answers come from.
 *
 * A received message is a struct dv_msg like a sent one, filled by
 * dv_set_dest() from a struct dv_dest that describes the receiving socket:
 * daddr/dport the peer the bytes came from, saddr/sport the socket's own
 * address, ts_ns the moment the receive returned (rx_real_ns, UDP, the
 * moment the datagram arrived).  It goes out through
 * dv_finish() (kern/output.bpf.h), so the receiver is described by a
 * process record exactly like a sender.
 *
 * Unconnected UDP sockets (busybox nslookup, raw senders) are not in
 * dns_socks through connect(): the tracepoint send path marks one when it
 * sent a DNS query with an address, and only then and only with the
 * receive programs loaded (DV_CFG_RESP), so a send that is no DNS query
 * pays nothing for it (dv_sock_mark_sent_to).  The mark keeps the server
 * queried last, for a receive that does not ask for the source address.
 * Included by kern/dnsvis.bpf.c only, before the send and receive paths.
 */
#ifndef DNSVIS_KERN_RECV_BPF_H
#define DNSVIS_KERN_RECV_BPF_H

#include "dv_compat.bpf.h"
#include "maps.bpf.h"
#include "message.bpf.h"

#define DV_DNS_HEADER 12 /* bytes of a DNS header */

/* Up to DV_RESP_MAX of the len bytes at buf (user memory, or kernel
 * memory when src_kernel) into m. */
static __always_inline void dv_resp_copy_buf(struct dv_msg *m, const void *buf, unsigned long len,
					     int src_kernel)
{
	dv_copy_buf(m, buf, len, DV_RESP_MAX, DV_RESP_MASK, src_kernel);
}

/* The first limit bytes (at most DV_RESP_MAX) that up to DV_IOV_SEGS
 * segments of arr hold, skip bytes into the first, into m (see
 * dv_copy_iov_upto()).  limit is what the call returned: the segments past
 * it hold nothing it wrote. */
static __always_inline void dv_resp_copy_iov(struct dv_msg *m, const struct dv_uiovec *arr,
					     unsigned long nseg, unsigned long skip,
					     unsigned long limit, int arr_kernel)
{
	if (limit > DV_RESP_MAX)
		limit = DV_RESP_MAX;
	dv_copy_iov_upto(m, arr, nseg, skip, limit, DV_RESP_MASK, arr_kernel);
}

/* Worth sending?  UDP: a DNS response (a header, QR set).  TCP: every
 * receive's bytes; user space frames the stream and tests each message. */
static __always_inline int dv_is_response(const struct dv_msg *m, const struct dv_dest *d)
{
	if (d->proto)
		return m->payload_len > 0;
	return m->payload_len >= DV_DNS_HEADER && (m->payload[2] & 0x80);
}

/* The record's fields (kern/dnsvis.h DV_REC_RESP): d is the receiving
 * socket, ret what the call returned, idx the recvmmsg entry, rx_stamp the
 * datagram's arrival (UDP, 0 when unknown). */
static __always_inline void dv_set_resp(struct dv_msg *m, const struct dv_dest *d, __u16 hook,
					unsigned long ret, int idx, __u64 rx_stamp)
{
	dv_set_dest(m, d, hook, ret, idx);
	m->h.type = DV_REC_RESP;
	m->rx_real_ns = d->proto ? 0 : rx_stamp;
}

/* The source a UDP receive filled in at user address uaddr (alen bytes)
 * into d, replacing the peer stashed at the call's start.  Any port: the
 * socket is known to be a DNS client's, and an answer from another port
 * is what user space reports as unsolicited. */
static __always_inline void dv_resp_src(struct dv_dest *d, const void *uaddr, unsigned long alen)
{
	struct dv_sockaddr sa = {};

	if (!uaddr || alen < 8 || dv_read_user(&sa, 8, uaddr))
		return;
	if (sa.family == DV_AF_INET) {
		__builtin_memset(d->daddr, 0, 16);
		__builtin_memcpy(d->daddr, &sa.flowinfo_or_v4, 4);
	} else if (sa.family == DV_AF_INET6 && alen >= 24) {
		if (dv_read_user(d->daddr, 16, (const char *)uaddr + 8))
			return;
	} else {
		return;
	}
	d->family = sa.family;
	d->dport = dv_ntohs(sa.port);
	d->flags &= ~(DV_M_PEER_ASSUMED | DV_M_V4MAPPED);
	if (sa.family == DV_AF_INET6 && dv_v4mapped(d->daddr)) {
		dv_unmap(d->daddr);
		d->family = DV_AF_INET;
		d->flags |= DV_M_V4MAPPED;
	}
}

static __always_inline int dv_responses_on(void)
{
	__u32 k = 0;
	struct dv_config *c = bpf_map_lookup_elem(&config, &k);

	return c && (c->flags & DV_CFG_RESP);
}

/* fd just sent the DNS query d to the address the call gave: if it is a
 * UDP socket not connected to a DNS server, add it to dns_socks as
 * DV_SOCK_SENT_TO (or note the server again), so that its receives are
 * looked at.  Called only once a query was found. */
static __always_inline void dv_sock_mark_sent_to(unsigned long fd, const struct dv_dest *d)
{
	struct dv_sock_key key = {.fd = (__u32)fd};
	struct dv_sock_val val = {}, *v;
	__u32 *n;

	/* d->file: a datagram socket's, found by dv_src_from_fd() */
	if (!d->from_addr || d->proto || !d->file || !dv_responses_on())
		return;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	v = bpf_map_lookup_elem(&dns_socks, &key);
	if (v && !(v->flags & DV_SOCK_SENT_TO))
		return; /* connected to a DNS server: its peer is the source */
	val.file = d->file;
	val.flags = DV_SOCK_SENT_TO | ((d->flags & DV_M_V4MAPPED) ? DV_SOCK_V4MAPPED : 0);
	val.family = d->family;
	val.dport = d->dport;
	__builtin_memcpy(val.daddr, d->daddr, 16);
	if (v) {
		bpf_map_update_elem(&dns_socks, &key, &val, BPF_EXIST);
		return;
	}
	if (bpf_map_update_elem(&dns_socks, &key, &val, BPF_NOEXIST) == 0) {
		n = dv_fd_count(key.fd);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
}

#endif /* DNSVIS_KERN_RECV_BPF_H */
