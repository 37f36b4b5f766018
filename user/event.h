/* event.h - one reported DNS query question, as replay and the live tracer
 * both hand it to the formatter. */
#ifndef DNSVIS_EVENT_H
#define DNSVIS_EVENT_H

#include <stdint.h>
#include <time.h>

/* Who sent the query: filled by the live tracer, absent (NULL) in replay. */
struct dnsvis_proc {
	uint32_t pid, tid, ppid, uid, gid;
	uint32_t ns_pid, ns_ppid; /* as seen in the process's own pid namespace */
	uint64_t cgroup_id;
	char comm[16];
	const char *exe;     /* "" when unknown */
	const char *cmdline; /* arguments joined with spaces */
	const char *parent_exe;
	const char *cwd;
	const char *tty; /* "pts0", "" when none */
	/* Container context; empty strings for host processes. */
	const char *scope; /* "host" or "container" */
	const char *container_id;
	const char *container_name;
	const char *container_image;
	const char *pod;
	const char *pod_uid;
	const char *k8s_namespace;
	const char *labels;
	const char *runtime; /* "docker", "containerd", "cri-o", "podman"; "" */
	const char *qos;     /* pod QoS class: "guaranteed", "burstable", "besteffort"; "" */
	uint64_t start_time; /* task start, ns since boot (kubearmor ExecID); 0 = unknown */
	uint64_t mnt_ns;     /* mount namespace inode (the audit's resolv.conf); 0 = unknown */
};

struct dnsvis_event {
	struct timespec ts; /* wall clock, UTC */
	const char *source; /* "pcap", or the kernel hook ("kprobe/udp_sendmsg", ...) */
	int family;	    /* AF_INET / AF_INET6 */
	uint8_t proto;	    /* IPPROTO_UDP / IPPROTO_TCP */
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint16_t txid;
	uint8_t opcode;	     /* the message's OPCODE (0 QUERY, 4 NOTIFY, 5 UPDATE, ...) */
	uint8_t no_question; /* QDCOUNT 0: domain is "", qtype and qclass 0 */
	const char *domain;  /* presentation format (already escaped per RFC 1035) */
	uint16_t qtype, qclass;
	const struct dnsvis_proc *proc; /* NULL when unknown (replay) */
};

#endif
