/* proc_info.c - process strings for an event.
 *
 * The kernel record carries what was true at send time (exe and cwd as
 * dentry walks, the argv bytes, the tty name), so a process that exited
 * right after sending is still described.  /proc/PID is read only to
 * complete what the kernel had to cut (long paths, long command lines) and
 * for what the kernel does not capture (parent exe; container and pod come
 * from k8s_meta.c, by cgroup id).  Those
 * /proc answers are cached per pid for a short time; an entry is dropped
 * when the pid's executable changes (exec) or the pid is gone.  /proc is
 * the one under --host-root, and is read only when it is the host's: the
 * kernel's pids name other processes in a pid namespace of its own. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enrich/host_root.h"
#include "enrich/proc_info.h"
#include "util/clock.h"

#define CACHE_SLOTS  512
#define CACHE_TTL_NS (5ULL * 1000000000ULL)

struct cache_ent {
	uint32_t pid;
	uint64_t when;
	char exe[256]; /* kernel exe at the time: changes on exec */
	char container_id[80];
	char exe_full[1024]; /* /proc/PID/exe */
	uint64_t mnt_ns;     /* /proc/PID/ns/mnt */
};

static struct cache_ent cache[CACHE_SLOTS];

void proc_join_path(const char *buf, unsigned len, char *out, size_t outlen)
{
	const char *comp[PROC_PATH_COMPONENTS];
	size_t clen[PROC_PATH_COMPONENTS];
	unsigned n = 0, i = 0;
	size_t o = 0;

	while (i < len && n < sizeof(comp) / sizeof(comp[0])) {
		const char *c = buf + i;
		size_t l = strnlen(c, len - i);

		if (l == 0)
			break;
		clen[n] = l;
		comp[n++] = c;
		i += (unsigned)l + 1;
	}
	if (outlen == 0)
		return;
	out[0] = 0;
	if (n == 0) {
		snprintf(out, outlen, "/");
		return;
	}
	while (n-- > 0) {
		int w = snprintf(out + o, outlen - o, "/%.*s", (int)clen[n], comp[n]);

		if (w < 0 || (size_t)w >= outlen - o)
			break;
		o += (size_t)w;
	}
}

void proc_join_cmdline(const char *buf, unsigned len, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return;
	while (len > 0 && buf[len - 1] == 0)
		len--;
	for (unsigned i = 0; i < len && o + 1 < outlen; i++)
		out[o++] = buf[i] ? buf[i] : ' ';
	out[o] = 0;
}

static int read_link(uint32_t pid, const char *what, char *out, size_t len)
{
	char p[1100];
	ssize_t n = -1;

	if (host_proc_is_host())
		n = readlink(host_path(p, sizeof(p), "/proc/%u/%s", pid, what), out, len - 1);
	if (n < 0) {
		out[0] = 0;
		return -1;
	}
	out[n] = 0;
	return 0;
}

static int read_file(uint32_t pid, const char *what, char *out, size_t len, size_t *got)
{
	char p[1100];
	FILE *f;

	if (!host_proc_is_host())
		return -1;
	f = fopen(host_path(p, sizeof(p), "/proc/%u/%s", pid, what), "re");
	if (!f)
		return -1;
	*got = fread(out, 1, len - 1, f);
	out[*got] = 0;
	fclose(f);
	return 0;
}

/* The inode of /proc/PID/ns/TYPE ("TYPE:[ino]"); 0 when it is gone. */
static uint64_t ns_inode(uint32_t pid, const char *type)
{
	char path[16], link[64];
	unsigned long long ino = 0;
	size_t n = strlen(type);

	snprintf(path, sizeof(path), "ns/%s", type);
	if (read_link(pid, path, link, sizeof(link)) != 0 || strncmp(link, type, n) != 0 ||
	    sscanf(link + n, ":[%llu]", &ino) != 1)
		return 0;
	return ino;
}

uint64_t proc_mnt_ns(uint32_t pid)
{
	return ns_inode(pid, "mnt");
}

uint64_t proc_net_ns(uint32_t pid)
{
	return ns_inode(pid, "net");
}

static struct cache_ent *cache_get(uint32_t pid, const char *kexe)
{
	struct cache_ent *e = &cache[pid % CACHE_SLOTS];
	uint64_t t = (uint64_t)mono_ns();

	if (e->pid == pid && t - e->when < CACHE_TTL_NS && strcmp(e->exe, kexe) == 0)
		return e;
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->when = t;
	snprintf(e->exe, sizeof(e->exe), "%s", kexe);
	read_link(pid, "exe", e->exe_full, sizeof(e->exe_full));
	e->mnt_ns = proc_mnt_ns(pid);
	return e;
}

void proc_info_gc(void)
{
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].pid && host_pid_alive(cache[i].pid) == 0)
			memset(&cache[i], 0, sizeof(cache[i]));
}

static void strip_deleted(char *s)
{
	size_t l = strlen(s);
	const char *suf = " (deleted)";
	size_t sl = strlen(suf);

	if (l > sl && strcmp(s + l - sl, suf) == 0)
		s[l - sl] = 0;
}

static void fill_parent_exe(uint32_t ppid, struct proc_strings *s)
{
	struct cache_ent *pe = &cache[ppid % CACHE_SLOTS];

	if (pe->pid != ppid || (uint64_t)mono_ns() - pe->when >= CACHE_TTL_NS)
		pe = cache_get(ppid, "");
	snprintf(s->parent_exe, sizeof(s->parent_exe), "%s", pe->exe_full);
	strip_deleted(s->parent_exe);
}

/* A capture with ids only: whatever /proc still knows of the process. */
static void fill_undescribed(const struct proc_capture *ev, struct dnsvis_proc *p,
			     struct proc_strings *s)
{
	char buf[4096];
	size_t got = 0;

	if (read_file(ev->pid, "comm", buf, sizeof(buf), &got) == 0) {
		while (got > 0 && buf[got - 1] == '\n')
			got--;
		snprintf(p->comm, sizeof(p->comm), "%.*s", (int)got, buf);
	}
	if (read_file(ev->pid, "cmdline", buf, sizeof(buf), &got) == 0)
		proc_join_cmdline(buf, (unsigned)got, s->cmdline, sizeof(s->cmdline));
	if (read_link(ev->pid, "cwd", buf, sizeof(buf)) == 0)
		snprintf(s->cwd, sizeof(s->cwd), "%s", buf);
	if (read_link(ev->pid, "exe", buf, sizeof(buf)) == 0) {
		snprintf(s->exe, sizeof(s->exe), "%s", buf);
		strip_deleted(s->exe);
	}
}

/* Who the sender is: by the cgroup path captured at send time when there
 * is one (so a container gone by now is still named), else by its cgroup
 * id and /proc (k8s_meta.h). */
static int attr_of(const struct proc_capture *ev, struct k8s_attr *a)
{
	if ((ev->flags & PROC_CAP_CG_NAMES) && !(ev->flags & PROC_CAP_CG_TRUNC)) {
		char path[1024];

		proc_join_path(ev->cgnames, ev->cgnames_len, path, sizeof(path));
		if (k8s_meta_attr_path(ev->cgroup_id, path, (ev->flags & PROC_CAP_CG_V1) != 0, a))
			return 1;
	}
	return k8s_meta_attr(ev->cgroup_id, ev->pid, a);
}

void proc_info_fill(const struct proc_capture *ev, struct dnsvis_proc *p, struct proc_strings *s)
{
	struct cache_ent *ce;
	size_t got = 0;

	memset(p, 0, sizeof(*p));
	p->pid = ev->pid;
	p->tid = ev->tid;
	p->ppid = ev->ppid;
	p->uid = ev->uid;
	p->gid = ev->gid;
	p->ns_pid = ev->ns_pid;
	p->ns_ppid = ev->ns_ppid;
	p->cgroup_id = ev->cgroup_id;
	p->start_time = ev->start_ns;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)ev->comm_len, ev->comm);

	s->exe[0] = s->cwd[0] = s->cmdline[0] = s->parent_exe[0] = s->tty[0] = 0;
	if (ev->flags & PROC_CAP_UNDESCRIBED) {
		fill_undescribed(ev, p, s);
		goto context;
	}
	if (!(ev->flags & PROC_CAP_NO_MM) && ev->exe_len)
		proc_join_path(ev->exe, ev->exe_len, s->exe, sizeof(s->exe));
	ce = cache_get(ev->pid, s->exe);
	/* the kernel's, else /proc's while the process lives */
	p->mnt_ns = ev->mnt_ns ? ev->mnt_ns : ce->mnt_ns;
	if ((ev->flags & PROC_CAP_EXE_TRUNC) && ce->exe_full[0]) {
		snprintf(s->exe, sizeof(s->exe), "%s", ce->exe_full);
		strip_deleted(s->exe);
	}

	proc_join_cmdline(ev->cmdline, ev->cmdline_len, s->cmdline, sizeof(s->cmdline));
	if (ev->flags & PROC_CAP_CMDLINE_TRUNC) {
		char full[4096];

		if (read_file(ev->pid, "cmdline", full, sizeof(full), &got) == 0 && got > 0 &&
		    memcmp(full, ev->cmdline, ev->cmdline_len < got ? ev->cmdline_len : got) == 0)
			proc_join_cmdline(full, (unsigned)got, s->cmdline, sizeof(s->cmdline));
	}

	if (ev->cwd_len || !(ev->flags & PROC_CAP_CWD_TRUNC))
		proc_join_path(ev->cwd, ev->cwd_len, s->cwd, sizeof(s->cwd));
	if (ev->flags & PROC_CAP_CWD_TRUNC) {
		char full[4096];

		if (read_link(ev->pid, "cwd", full, sizeof(full)) == 0)
			snprintf(s->cwd, sizeof(s->cwd), "%s", full);
	}

	snprintf(s->tty, sizeof(s->tty), "%.*s", (int)ev->tty_len, ev->tty ? ev->tty : "");

context:
	if (ev->ppid)
		fill_parent_exe(ev->ppid, s);

	/* container and pod: cgroup path -> runtime, ids, metadata.  A pid
	 * namespace of its own says container, named or not. */
	if (!attr_of(ev, &s->attr))
		s->attr.is_container = 0;
	p->scope =
	    s->attr.is_container || (ev->ns_pid && ev->ns_pid != ev->pid) ? "container" : "host";
	if (!s->attr.is_container)
		memset(&s->attr, 0, sizeof(s->attr));
	snprintf(s->container_id, sizeof(s->container_id), "%s", s->attr.ci.id);
	p->exe = s->exe;
	p->cmdline = s->cmdline;
	p->parent_exe = s->parent_exe;
	p->cwd = s->cwd;
	p->tty = s->tty;
	p->container_id = s->container_id;
	p->container_name = s->attr.container_name;
	p->container_image = s->attr.image;
	p->pod = s->attr.pod;
	p->pod_uid = s->attr.ci.pod_uid;
	p->k8s_namespace = s->attr.k8s_namespace;
	p->labels = s->attr.labels;
	p->runtime = s->attr.ci.runtime;
	p->qos = s->attr.ci.qos;
}
