/* resolv.c - each process's own resolv.conf (see resolv.h).
 *
 * The file is found through /proc/PID/root, so a container's own file is
 * read, and cached per mount namespace (/proc/PID/ns/mnt): one read per
 * namespace, not per query.  A cached file is re-read when its inode, size
 * or mtime changes.  The namespace is the one captured at send time when
 * the event carries it (dnsvis_proc.mnt_ns): a process gone by the time
 * its event is read is judged by its namespace's file, cached, or read
 * through init when that is the host's namespace.  Without it, a process
 * that is gone before it could be looked at is answered from the namespace
 * it was seen in moments before, if any. */
#include "audit/resolv.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/host_root.h"

/* A process's mount namespace as last seen, for when it is gone. */
struct pid_ns {
	unsigned long mntns;
	char comm[16];
	struct timespec seen;
};

void addr_normalize(int *family, uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (*family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	if (*family == AF_INET)
		memset(addr + 4, 0, 12);
}

void addr_str(int family, const uint8_t *addr, char *out, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)len))
		snprintf(out, len, "?");
}

void resolv_clear_search(struct resolv *r)
{
	for (unsigned i = 0; i < r->nsearch; i++)
		free(r->search[i]);
	r->nsearch = 0;
}

static void free_resolv(void *p)
{
	resolv_clear_search(p);
	free(p);
}

void resolv_cache_free(struct resolv_cache *c)
{
	strmap_free(&c->by_mntns, free_resolv);
	strmap_free(&c->pids, free);
}

/* "nameserver ADDR": one more server, unless there are enough. */
static void add_nameserver(struct resolv *r, char *arg)
{
	uint8_t buf[16] = {0};
	char *pct;

	if (!arg || r->nns >= RESOLV_MAX_NS)
		return;
	pct = strchr(arg, '%'); /* fe80::1%eth0 */
	if (pct)
		*pct = 0;
	if (inet_pton(AF_INET, arg, buf) == 1)
		r->ns_family[r->nns] = AF_INET;
	else if (inet_pton(AF_INET6, arg, buf) == 1)
		r->ns_family[r->nns] = AF_INET6;
	else
		return;
	addr_normalize(&r->ns_family[r->nns], buf);
	memcpy(r->ns_addr[r->nns++], buf, 16);
}

/* No nameserver line: glibc's default, the local host. */
static void default_nameservers(struct resolv *r)
{
	r->ns_family[0] = AF_INET;
	memset(r->ns_addr[0], 0, 16);
	r->ns_addr[0][0] = 127;
	r->ns_addr[0][3] = 1;
	r->ns_family[1] = AF_INET6;
	memset(r->ns_addr[1], 0, 16);
	r->ns_addr[1][15] = 1;
	r->nns = 2;
}

/* The rest of an over-long line, so that its tail is not read as a line
 * of its own (a comment's tail as a nameserver line, say). */
static void skip_line_rest(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

void resolv_parse(struct resolv *r, FILE *f)
{
	char line[1024];

	resolv_clear_search(r);
	r->nns = 0;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *kw, *arg;

		if (!strchr(line, '\n'))
			skip_line_rest(f); /* the first 1023 bytes are the line */
		kw = strtok_r(line, " \t\r\n", &save);
		if (!kw || kw[0] == '#' || kw[0] == ';')
			continue;
		if (strcmp(kw, "nameserver") == 0) {
			add_nameserver(r, strtok_r(NULL, " \t\r\n", &save));
		} else if (strcmp(kw, "search") == 0 || strcmp(kw, "domain") == 0) {
			/* the last search/domain line wins (resolv.conf(5)) */
			resolv_clear_search(r);
			while ((arg = strtok_r(NULL, " \t\r\n", &save)) &&
			       r->nsearch < RESOLV_MAX_SEARCH) {
				r->search[r->nsearch] = strdup(arg);
				if (r->search[r->nsearch])
					r->nsearch++;
			}
		}
	}
	if (r->nns == 0)
		default_nameservers(r);
	r->text[0] = 0;
	for (unsigned i = 0; i < r->nns; i++) {
		char s[INET6_ADDRSTRLEN];
		size_t l = strlen(r->text);

		addr_str(r->ns_family[i], r->ns_addr[i], s, sizeof(s));
		snprintf(r->text + l, sizeof(r->text) - l, "%s%s", i ? " " : "", s);
	}
}

/* The mount namespace inode of pid under the host root; 0 when gone. */
static unsigned long ns_of(uint32_t pid)
{
	char path[256], link[64];
	unsigned long ns = 0;
	ssize_t k;

	host_path(path, sizeof(path), "/proc/%u/ns/mnt", pid);
	k = readlink(path, link, sizeof(link) - 1);
	if (k <= 0)
		return 0;
	link[k] = 0;
	return sscanf(link, "mnt:[%lu]", &ns) == 1 ? ns : 0;
}

/* Some process of mount namespace ns found in /proc (the sender has
 * exited, its namespace lives on: a container's, a shell's under
 * unshare); 0 when none.  A namespace with none is looked for again only
 * after SCAN_AGAIN_S, so a burst of queries from it costs one scan. */
#define SCAN_AGAIN_S 1
#define SCAN_MISSES  16
static uint32_t scan_for(unsigned long ns, const struct timespec *now)
{
	static struct {
		unsigned long ns;
		time_t when;
	} miss[SCAN_MISSES];
	char path[256];
	struct dirent *de;
	uint32_t found = 0;
	size_t slot = ns % SCAN_MISSES;
	DIR *d;

	if (miss[slot].ns == ns && now->tv_sec - miss[slot].when < SCAN_AGAIN_S)
		return 0;
	d = opendir(host_path(path, sizeof(path), "/proc"));
	while (d && !found && (de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end == 0 && pid > 0 && pid <= UINT32_MAX && ns_of((uint32_t)pid) == ns)
			found = (uint32_t)pid;
	}
	if (d)
		closedir(d);
	if (!found) {
		miss[slot].ns = ns;
		miss[slot].when = now->tv_sec;
	}
	return found;
}

/* A live process in mount namespace ns whose /proc/PID/root shows its
 * files: init (the host's namespace), dnsvis itself (run on the host, not
 * under --host-root), the one the namespace's file was last read through,
 * or one found in /proc; 0 when there is none. */
static uint32_t live_in(struct resolv_cache *c, unsigned long ns, const struct timespec *now)
{
	char key[32];
	const struct resolv *r;

	if (ns_of(1) == ns)
		return 1;
	if (!host_root()[0] && ns_of((uint32_t)getpid()) == ns)
		return (uint32_t)getpid();
	snprintf(key, sizeof(key), "m%lu", ns);
	r = strmap_get(&c->by_mntns, key);
	if (r && r->via && ns_of(r->via) == ns)
		return r->via;
	return scan_for(ns, now);
}

/* Note that p was seen in mount namespace ns (for its later queries). */
static void note_pid(struct resolv_cache *c, const struct dnsvis_proc *p, unsigned long ns,
		     const struct timespec *now)
{
	char key[32];
	struct pid_ns *pn;

	snprintf(key, sizeof(key), "%u", p->pid);
	pn = strmap_get(&c->pids, key);
	if (!pn) {
		pn = calloc(1, sizeof(*pn));
		if (!pn || strmap_put(&c->pids, key, pn) != 0) {
			free(pn);
			c->oom++;
			return;
		}
	}
	pn->mntns = ns;
	memcpy(pn->comm, p->comm, sizeof(pn->comm));
	pn->seen = *now;
}

/* The mount namespace of the sender in *mntns, and in *via a live process
 * of that namespace whose /proc/PID/root shows its files (0: none; then only
 * a cached reading can answer).  The namespace is the one captured at send
 * time (p->mnt_ns) when there is one; else the process's, read now; else,
 * when it is gone, the one it was seen in moments ago (an earlier query of
 * the same process).  0, or -1 when it cannot be known. */
static int sender_ns(struct resolv_cache *c, const struct dnsvis_proc *p,
		     const struct timespec *now, unsigned long *mntns, uint32_t *via)
{
	unsigned long live = ns_of(p->pid);
	char key[32];
	const struct pid_ns *pn;

	*via = 0;
	if (live && (!p->mnt_ns || live == p->mnt_ns)) {
		note_pid(c, p, live, now);
		*mntns = live;
		*via = p->pid;
		return 0;
	}
	if (p->mnt_ns) {
		*mntns = (unsigned long)p->mnt_ns;
	} else {
		snprintf(key, sizeof(key), "%u", p->pid);
		pn = strmap_get(&c->pids, key);
		if (!pn || strncmp(pn->comm, p->comm, sizeof(pn->comm)) != 0 ||
		    now->tv_sec - pn->seen.tv_sec >= 30)
			return -1;
		*mntns = pn->mntns;
	}
	*via = live_in(c, *mntns, now);
	return 0;
}

static const struct resolv *known_or_null(const struct resolv *r)
{
	return r && r->known ? r : NULL;
}

/* Is r (still) what was read from the file st describes? */
static int same_file(const struct resolv *r, const struct stat *st)
{
	return r->dev == st->st_dev && r->ino == st->st_ino && r->size == st->st_size &&
	       r->mtime.tv_sec == st->st_mtim.tv_sec && r->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* (Re)read r from path, which st describes (st_ino 0: there is no file,
 * and r is the defaults).  0, or -1 when it cannot be read. */
static int resolv_load(struct resolv *r, const char *path, const struct stat *st)
{
	FILE *f;

	resolv_clear_search(r); /* empty, should it not be read */
	r->nns = 0;
	r->known = 0;
	f = st->st_ino ? fopen(path, "re") : fmemopen((void *)"", 0, "r");
	if (!f)
		return -1;
	resolv_parse(r, f);
	fclose(f);
	r->dev = st->st_dev;
	r->ino = st->st_ino;
	r->size = st->st_size;
	r->mtime = st->st_mtim;
	r->known = 1;
	return 0;
}

const struct resolv *resolv_of(struct resolv_cache *c, const struct dnsvis_proc *p,
			       const struct timespec *now)
{
	char path[256], key[32];
	unsigned long mntns = 0;
	uint32_t via;
	struct resolv *r;
	struct stat st;

	if (sender_ns(c, p, now, &mntns, &via) != 0)
		return NULL;
	snprintf(key, sizeof(key), "m%lu", mntns);
	r = strmap_get(&c->by_mntns, key);
	if (!via) /* its namespace's file is in the cache, if anywhere */
		return known_or_null(r);
	host_path(path, sizeof(path), "/proc/%u/root/etc/resolv.conf", via);
	if (stat(path, &st) != 0) {
		if (errno != ENOENT) /* ESRCH, EACCES: cannot know; keep a cached answer */
			return known_or_null(r);
		memset(&st, 0, sizeof(st)); /* no file: the defaults */
	}
	if (r && r->known && same_file(r, &st))
		return r;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r || strmap_put(&c->by_mntns, key, r) != 0) {
			free(r);
			c->oom++;
			return NULL;
		}
	}
	r->via = via;
	return resolv_load(r, path, &st) == 0 ? r : NULL;
}

int resolv_lists_server(const struct resolv *r, int family, const uint8_t *addr)
{
	for (unsigned i = 0; i < r->nns; i++)
		if (r->ns_family[i] == family && memcmp(r->ns_addr[i], addr, 16) == 0)
			return 1;
	return 0;
}
