// SPDX-License-Identifier: GPL-2.0
/* dnsvis.bpf.c - report DNS queries as processes send them, and (loaded
 * with --responses) DNS messages as processes receive them.
 *
 * Two backends, one record format (kern/dnsvis.h):
 *
 * kprobe: udp_sendmsg / udpv6_sendmsg, and tcp_sendmsg for DNS over TCP
 *   (kern/send_kprobe.bpf.h).  UDP: the destination is msg->msg_name or, for
 *   a connected socket, the socket's peer; TCP: always the socket's peer.
 *   The payload is read from the msghdr's iov_iter in every kernel flavour.
 *
 * tracepoint: syscalls/sys_enter_{sendto,sendmsg,sendmmsg,write,writev}
 *   (kern/send_tracepoint.bpf.h).  Destination from the syscall's sockaddr
 *   when it has one; connected sockets are recognised through the dns_socks
 *   hash map keyed {tgid, fd}, kept by sys_enter_connect / sys_enter_close
 *   and seeded by user space at start-up.
 *
 * Filtering in the kernel: destination port in the `ports` set, then QR=0 in
 * the header; at most DV_PAYLOAD_MAX bytes copied.  With a cgroup-scoped
 * filter, the process part (first tail call) drops senders whose cgroup id
 * has a 0 in the cgroup_filter map.
 *
 * Receiving (DV_REC_RESP), tracepoint backend: syscalls/sys_{enter,exit}_
 *   {recvfrom,recvmsg,recvmmsg,read,readv} on descriptors in dns_socks
 *   (kern/recv_tracepoint.bpf.h): the call's buffer is stashed at enter and
 *   read at exit.  Unconnected UDP sockets get into dns_socks when they
 *   send a DNS query to an address (kern/recv.bpf.h).
 * Receiving, kprobe backend: skb_consume_udp (the datagram's own headers
 *   give the peer), tcp_recvmsg entry and tcp_cleanup_rbuf
 *   (kern/recv_kprobe.bpf.h).
 *
 * Records (kern/dnsvis.h): a message record (DV_REC_MSG) per DNS message
 * and a process record (DV_REC_PROC) describing its sender, both sized to
 * their content.  A process is described once, and again only when what
 * the record says of it may have changed (proc_sent, kern/proc.bpf.h): the
 * send program then sends the message in that one run.  For a sender not
 * described yet it tail-calls the process part, which tail-calls the
 * output part (kern/output.bpf.h), kept apart for old verifiers' size and
 * complexity limits.
 *
 * Old-verifier rules: no loops (all unrolled), no BPF-to-BPF calls, no global
 * data (configuration is in maps), at most 4096 instructions per program,
 * only 4.14 helpers in the legacy object.  `make` checks them
 * (build/compat-check).  Kernel differences live in compat/, not in kern/.
 *
 * The programs are split by hook family into headers, all compiled into this
 * one object (kern/kern.mk builds it twice, DV_SPLIT_READ=1 and =0).  Each
 * part comes after the parts it uses:
 *   maps.bpf.h             every map, and the scratch and port-set lookups
 *                          (message.bpf.h first: the receive stash holds a
 *                          struct dv_dest)
 *   message.bpf.h          the message: destination, payload copies, QR test
 *   proc.bpf.h             the sender: pid/cgroup filters, process capture
 *   output.bpf.h           perf output, sample counts, the tail-call programs
 *   recv.bpf.h             what both receive paths share: bounded copies of
 *                          a received message, the QR=1 test, its fields;
 *                          the marking of unconnected DNS senders
 *   send_tracepoint.bpf.h  the syscall tracepoint send path
 *   recv_tracepoint.bpf.h  the syscall tracepoint receive path
 *   send_kprobe.bpf.h      the kprobe send path
 *   recv_kprobe.bpf.h      the kprobe receive path (skb_consume_udp,
 *                          tcp_recvmsg, tcp_cleanup_rbuf), and why
 */
#include "dv_compat.bpf.h"
#include "dnsvis.h"

char LICENSE[] SEC("license") = "GPL";

#include "maps.bpf.h"
#include "message.bpf.h"
#include "proc.bpf.h"
#include "output.bpf.h"
#include "recv.bpf.h"
#include "send_tracepoint.bpf.h"
#include "recv_tracepoint.bpf.h"
#include "send_kprobe.bpf.h"
#include "recv_kprobe.bpf.h"
