/* kubearmor.c - the `kubearmor` format: KubeArmor's DNS visibility
 * telemetry, field for field. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output/format.h"
#include "util/str.h"
#include "wire/dns_types.h"

static const char *kfunc_name(const struct dnsvis_event *ev)
{
	const char *src = ev->source ? ev->source : "";

	if (strstr(src, "udpv6_sendmsg"))
		return "UDPV6_SENDMSG";
	if (strstr(src, "tcp") || ev->proto == IPPROTO_TCP)
		return "TCP_SENDMSG";
	return "UDP_SENDMSG";
}

static const char *host_name(const struct output_opts *o)
{
	static _Thread_local char name[256];
	static _Thread_local int have;

	if (o->host_name && *o->host_name)
		return o->host_name;
	if (!have) {
		if (gethostname(name, sizeof(name)) != 0)
			name[0] = '\0';
		name[sizeof(name) - 1] = '\0';
		have = 1;
	}
	return name;
}

/* The telemetry record of KubeArmor's DNS visibility (kprobe/udp_sendmsg):
 * same keys, order, nesting and value types.  Owner is left out: we never
 * know it (KubeArmor leaves it out of host logs too).  Unknown fields are
 * "" or 0. */
void kubearmor_event(struct sbuf *b, const struct output_opts *o, const struct dnsvis_event *ev)
{
	static const struct dnsvis_proc none;
	const struct dnsvis_proc *p = ev->proc ? ev->proc : &none;
	const char *exe = str_or_empty(p->exe), *slash = strrchr(exe, '/');
	const char *cluster = o->cluster_name && *o->cluster_name ? o->cluster_name : "default";
	char tbuf[32];
	size_t kf_start, kf_end;

	sb_lit(b, "{\"Timestamp\":");
	sb_i64(b, ev->ts.tv_sec);
	sb_lit(b, ",\"UpdatedTime\":\"");
	put_rfc3339(b, &ev->ts);
	put_str_field(b, "\",\"ClusterName\":", cluster);
	put_str_field(b, ",\"HostName\":", host_name(o));
	put_str_field(b, ",\"NamespaceName\":", p->k8s_namespace);
	put_str_field(b, ",\"PodName\":", p->pod);
	put_str_field(b, ",\"Labels\":", p->labels);
	put_str_field(b, ",\"ContainerID\":", p->container_id);
	put_str_field(b, ",\"ContainerName\":", p->container_name);
	put_str_field(b, ",\"ContainerImage\":", p->container_image);
	put_str_field(b, ",\"ParentProcessName\":", p->parent_exe);
	put_str_field(b, ",\"ProcessName\":", exe);
	put_u64_field(b, ",\"HostPPID\":", p->ppid);
	put_u64_field(b, ",\"HostPID\":", p->pid);
	put_u64_field(b, ",\"PPID\":", p->ns_ppid);
	put_u64_field(b, ",\"PID\":", p->ns_pid);
	put_u64_field(b, ",\"UID\":", p->uid);
	if (p->scope && strcmp(p->scope, "container") == 0)
		sb_lit(b, ",\"Type\":\"ContainerLog\"");
	else
		sb_lit(b, ",\"Type\":\"HostLog\"");
	put_str_field(b, ",\"Source\":", p->cmdline);
	sb_lit(b, ",\"Operation\":\"Network\",\"Resource\":\"sa_family=");
	put_family(b, ev->family);
	if (ev->family == AF_INET6)
		sb_lit(b, " sin6_port=");
	else
		sb_lit(b, " sin_port=");
	sb_u64(b, ev->dport);
	sb_lit(b, "\",\"Data\":\"kfunc=");
	kf_start = b->len;
	sb_str(b, kfunc_name(ev));
	sb_lit(b, ",domain=");
	data_val(b, ev->domain);
	sb_lit(b, ",daddr=");
	put_addr(b, ev->family, ev->daddr);
	sb_lit(b, ",qtype=");
	data_val(b, dns_type_name(ev->qtype, tbuf, sizeof(tbuf)));
	kf_end = b->len;
	sb_lit(b, "\",\"EventData\":{\"Kfunc\":\"");
	if (!b->oom && !sb_reserve(b, kf_end - kf_start)) {
		memcpy(b->p + b->len, b->p + kf_start, kf_end - kf_start);
		b->len += kf_end - kf_start;
	}
	sb_lit(b, "\",\"Sa_family\":\"");
	put_family(b, ev->family);
	put_u64_field(b, "\",\"Sin_port\":\"", ev->dport);
	put_str_field(b, "\"},\"Result\":\"Passed\",\"Cwd\":", p->cwd);
	put_str_field(b, ",\"TTY\":", p->tty);
	sb_lit(b, ",\"ExecEvent\":{\"ExecID\":\"");
	/* A stable id of the exec: start time (ns since boot) plus host pid. */
	if (p->start_time)
		sb_u64(b, p->start_time + p->pid);
	put_str_field(b, "\",\"ExecutableName\":", slash ? slash + 1 : exe);
	sb_lit(b, "}}\n");
}
