/* cgroup_index.c - the cgroup2 tree walk and the id -> cgroup table (see
 * cgroup_index.h). */
#include "enrich/cgroup_index.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "enrich/cgroup_watch.h"
#include "enrich/container.h"
#include "enrich/host_root.h"
#include "enrich/runtime_state.h"
#include "util/clock.h"

#define CGROUP2_MAGIC 0x63677270
#define WALK_DEPTH    32
#define GONE_KEEP_NS  (30ULL * 1000000000ULL) /* a removed cgroup is still named */
#define HOLD_NS	      (50ULL * 1000000ULL)    /* a miss waits this long for the watcher */

/* A slot of the old table whose entry moved to the new one during a rescan
 * (kept occupied so probe chains stay intact). */
#define MOVED ((struct k8s_attr *)(uintptr_t)1)

struct cg_ent {
	uint64_t id;
	struct k8s_attr *a; /* a->cgroup_path is the path; NULL = free slot */
	uint64_t gone;	    /* when a rescan first found it removed; 0 = there */
};

static struct {
	enum k8s_cgroup_mode mode;
	char mount[1100]; /* host path of the cgroup2 mount */
	char v1dir[1100]; /* a v1 hierarchy (hybrid/v1) */
	struct cg_ent *tab;
	size_t cap, n;
	uint64_t last_scan;
	int v1_containers;
	k8s_cg_fn on_remove;
	void *on_remove_arg;
	int watching; /* cgroup_watch.c follows the tree */
	struct cgroup_index_stats st;
} ix;

static size_t slot_of(uint64_t id, size_t cap)
{
	uint64_t h = id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (cap - 1);
}

static struct cg_ent *tab_find(struct cg_ent *t, size_t cap, uint64_t id)
{
	if (!t)
		return NULL;
	for (size_t i = slot_of(id, cap), k = 0; k < cap; i = (i + 1) & (cap - 1), k++) {
		if (!t[i].a)
			return NULL;
		if (t[i].id == id)
			return t[i].a == MOVED ? NULL : &t[i];
	}
	return NULL;
}

static int tab_put(struct cg_ent **t, size_t *cap, size_t *n, uint64_t id, struct k8s_attr *a,
		   uint64_t gone)
{
	if ((*n + 1) * 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct cg_ent *nt = calloc(nc, sizeof(*nt));

		if (!nt)
			return -1;
		for (size_t i = 0; i < *cap; i++) {
			if ((*t)[i].a) {
				size_t j = slot_of((*t)[i].id, nc);

				while (nt[j].a)
					j = (j + 1) & (nc - 1);
				nt[j] = (*t)[i];
			}
		}
		free(*t);
		*t = nt;
		*cap = nc;
	}
	for (size_t i = slot_of(id, *cap);; i = (i + 1) & (*cap - 1)) {
		if (!(*t)[i].a) {
			(*t)[i].id = id;
			(*t)[i].a = a;
			(*t)[i].gone = gone;
			(*n)++;
			return 0;
		}
		if ((*t)[i].id == id) {
			(*t)[i].a = a;
			(*t)[i].gone = gone;
			return 0;
		}
	}
}

struct walk {
	struct cg_ent *tab;
	size_t cap, n;
};

uint64_t cgroup_dir_id(int dirfd, const char *name, uint64_t ino)
{
	struct {
		struct file_handle fh;
		unsigned char b[16];
	} h;
	int mnt;

	h.fh.handle_bytes = sizeof(h.b);
	if (name_to_handle_at(dirfd, name, &h.fh, &mnt, 0) == 0 && h.fh.handle_bytes == 8) {
		uint64_t id;

		memcpy(&id, h.fh.f_handle, 8);
		return id;
	}
	return ino;
}

struct k8s_attr *cgroup_attr_new(const char *rel)
{
	struct k8s_attr *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	snprintf(a->cgroup_path, sizeof(a->cgroup_path), "%s", rel);
	a->is_container = container_parse_path(rel, &a->ci) || runtime_state_probe(a);
	if (a->is_container) /* now: its files may be gone when its event is read */
		runtime_state_resolve(a);
	return a;
}

static void add_cg(struct walk *w, uint64_t id, const char *rel)
{
	struct cg_ent *old = tab_find(ix.tab, ix.cap, id);
	struct k8s_attr *a;

	if (old && strcmp(old->a->cgroup_path, rel) == 0) {
		a = old->a;
		old->a = MOVED; /* not freed with the old table */
	} else {
		a = cgroup_attr_new(rel);
		if (!a)
			return;
	}
	if (tab_put(&w->tab, &w->cap, &w->n, id, a, 0))
		free(a);
}

/* What a visitor says about one cgroup directory. */
enum walk_verdict { WALK_DESCEND, WALK_STOP };
typedef enum walk_verdict (*cg_visit_fn)(void *arg, int dfd, const struct dirent *de,
					 const char *rel);

/* Visit every cgroup directory below dfd (its path rel, rl bytes long),
 * depth first, WALK_DEPTH levels at most.  1 when a visitor stopped it. */
static int walk_cgroups(int dfd, char *rel, size_t rl, int depth, cg_visit_fn visit, void *arg)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int stop = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while (!stop && (de = readdir(d))) {
		size_t nl;
		int cfd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		nl = strlen(de->d_name);
		if (rl + 1 + nl >= 1024)
			continue;
		rel[rl] = '/';
		memcpy(rel + rl + 1, de->d_name, nl + 1);
		if (visit(arg, dirfd(d), de, rel) == WALK_STOP) {
			stop = 1;
		} else if (depth < WALK_DEPTH) {
			cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (cfd >= 0)
				stop = walk_cgroups(cfd, rel, rl + 1 + nl, depth + 1, visit, arg);
		}
		rel[rl] = 0;
	}
	closedir(d);
	return stop;
}

/* Index every cgroup v2 directory by its id. */
static enum walk_verdict index_cgroup(void *arg, int dfd, const struct dirent *de, const char *rel)
{
	add_cg(arg, cgroup_dir_id(dfd, de->d_name, de->d_ino), rel[0] ? rel : "/");
	return WALK_DESCEND;
}

/* Stop at the first container cgroup (v1 hierarchy, hybrid mode). */
static enum walk_verdict find_container(void *arg, int dfd, const struct dirent *de,
					const char *rel)
{
	struct container_info ci;

	(void)arg;
	(void)dfd;
	(void)de;
	return container_parse_path(rel, &ci) ? WALK_STOP : WALK_DESCEND;
}

/* A cgroup the watcher found into the table.  One the table has already
 * (a rescan was first) takes the watcher's metadata if it has none yet. */
static void take_watched(uint64_t id, struct k8s_attr *a, void *arg)
{
	struct cg_ent *e = tab_find(ix.tab, ix.cap, id);

	(void)arg;
	ix.st.watched++;
	if (e && !strcmp(e->a->cgroup_path, a->cgroup_path)) {
		if (!e->a->meta_when && a->meta_when) {
			int kmap = e->a->kmap;

			*e->a = *a;
			e->a->kmap = kmap;
		}
		free(a);
		return;
	}
	if (e) { /* the id names another path now: the watcher's is newer */
		a->kmap = e->a->kmap;
		*e->a = *a;
		e->gone = 0;
		free(a);
		return;
	}
	if (tab_put(&ix.tab, &ix.cap, &ix.n, id, a, 0))
		free(a);
}

/* What the watcher found since last time, into the table; a rescan when
 * its queue overflowed. */
static void merge_watched(void)
{
	if (!ix.watching)
		return;
	cgroup_watch_drain(take_watched, NULL);
	if (cgroup_watch_take_overflow()) {
		ix.st.overflows++;
		ix.last_scan = 0; /* the next rescan is not rate-limited */
	}
}

void cgroup_index_rescan(int force)
{
	struct walk w = {0};
	char rel[1024] = "";
	uint64_t t = (uint64_t)mono_ns();
	int fd;
	struct stat st;

	if (!ix.mount[0])
		return;
	merge_watched();
	if (!force && ix.last_scan && t - ix.last_scan < 250000000ULL)
		return;
	ix.last_scan = t;
	ix.st.rescans++;
	fd = open(ix.mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0)
		add_cg(&w, st.st_ino, "/"); /* the root cgroup: id 1 */
	walk_cgroups(fd, rel, 0, 0, index_cgroup, &w);
	/* what is left in the old table is gone: still named for a while (its
	 * events may be read later), then forgotten */
	for (size_t i = 0; i < ix.cap; i++) {
		struct k8s_attr *a = ix.tab[i].a;
		uint64_t gone = ix.tab[i].gone ? ix.tab[i].gone : t;

		if (!a || a == MOVED)
			continue;
		if (t - gone < GONE_KEEP_NS &&
		    tab_put(&w.tab, &w.cap, &w.n, ix.tab[i].id, a, gone) == 0)
			continue;
		if (ix.on_remove)
			ix.on_remove(ix.tab[i].id, a, ix.on_remove_arg);
		free(a);
	}
	free(ix.tab);
	ix.tab = w.tab;
	ix.cap = w.cap;
	ix.n = w.n;
	if (ix.mode == K8S_CG_HYBRID && ix.v1dir[0]) {
		fd = open(ix.v1dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rel[0] = 0;
		ix.v1_containers = fd >= 0 ? walk_cgroups(fd, rel, 0, 0, find_container, NULL) : 0;
	}
}

static int is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_MAGIC;
}

/* The first v1 hierarchy (hybrid or v1 mode) into ix.v1dir. */
static void find_v1_hierarchy(void)
{
	static const char *v1s[] = {"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/memory",
				    "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpu"};
	char p[1100];

	for (size_t i = 0; i < sizeof(v1s) / sizeof(v1s[0]); i++) {
		struct statfs sf;

		host_path(p, sizeof(p), "%s", v1s[i]);
		if (statfs(p, &sf) == 0 && sf.f_type == 0x27e0eb /* CGROUP_SUPER_MAGIC */) {
			snprintf(ix.v1dir, sizeof(ix.v1dir), "%s", p);
			break;
		}
	}
}

/* The cgroup2 mount into ix.mount and ix.mode: /sys/fs/cgroup (unified),
 * /sys/fs/cgroup/unified, else wherever the host's mount table says. */
static void find_cgroup2_mount(void)
{
	char p[1100];

	if (is_cgroup2(host_path(p, sizeof(p), "/sys/fs/cgroup"))) {
		ix.mode = K8S_CG_UNIFIED;
		snprintf(ix.mount, sizeof(ix.mount), "%s", p);
	} else if (is_cgroup2(host_path(p, sizeof(p), "/sys/fs/cgroup/unified"))) {
		ix.mode = K8S_CG_HYBRID;
		snprintf(ix.mount, sizeof(ix.mount), "%s", p);
	} else {
		char line[2048];
		FILE *f = fopen(host_path(p, sizeof(p), "/proc/1/mountinfo"), "re");

		while (f && fgets(line, sizeof(line), f)) {
			char mp[1024], *sep = strstr(line, " - cgroup2 ");

			if (sep && sscanf(line, "%*s %*s %*s %*s %1023s", mp) == 1) {
				host_path(p, sizeof(p), "%s", mp);
				if (is_cgroup2(p)) {
					ix.mode = K8S_CG_HYBRID;
					snprintf(ix.mount, sizeof(ix.mount), "%s", p);
					break;
				}
			}
		}
		if (f)
			fclose(f);
	}
}

enum k8s_cgroup_mode cgroup_index_init(const char **note)
{
	static char msg[1400];

	*note = NULL;
	memset(&ix.mode, 0, sizeof(ix.mode));
	ix.mount[0] = ix.v1dir[0] = 0;
	find_v1_hierarchy();
	find_cgroup2_mount();
	if (!ix.mount[0]) {
		ix.mode = ix.v1dir[0] ? K8S_CG_V1 : K8S_CG_NONE;
		snprintf(msg, sizeof(msg),
			 "no cgroup2 mount under %s/sys/fs/cgroup: containers are attributed "
			 "from /proc/PID/cgroup while the process lives (one that exits before "
			 "its event is read is not), and cgroup filters run in user space only",
			 host_root());
		*note = msg;
		return ix.mode;
	}
	cgroup_index_rescan(1);
	ix.watching = cgroup_watch_start(ix.mount) > 0;
	if (ix.watching)
		cgroup_index_rescan(1); /* what was made before the watches were in place */
	if (ix.mode == K8S_CG_HYBRID) {
		snprintf(msg, sizeof(msg),
			 "cgroup hybrid mode (v2 at %s): containers the runtime keeps in v1 "
			 "hierarchies only are attributed from /proc/PID/cgroup while the "
			 "process lives%s",
			 ix.mount,
			 ix.v1_containers ? "; v1 holds container cgroups, so host/container "
					    "filters partly run in user space"
					  : "");
		*note = msg;
	}
	return ix.mode;
}

const char *cgroup_index_mount(void)
{
	return ix.mount;
}

int cgroup_index_v2_authoritative(void)
{
	return ix.mode == K8S_CG_UNIFIED || (ix.mode == K8S_CG_HYBRID && !ix.v1_containers);
}

void cgroup_index_on_remove(k8s_cg_fn fn, void *arg)
{
	ix.on_remove = fn;
	ix.on_remove_arg = arg;
}

enum k8s_cgroup_mode cgroup_index_mode(void)
{
	return ix.mode;
}

static struct cg_ent *find_id(uint64_t id)
{
	struct cg_ent *e = tab_find(ix.tab, ix.cap, id);

	if (!e && id >> 32)
		e = tab_find(ix.tab, ix.cap, id & 0xffffffffULL);
	return e;
}

struct k8s_attr *cgroup_index_find(uint64_t id)
{
	struct cg_ent *e;

	if (!id || !ix.mount[0])
		return NULL;
	merge_watched();
	e = find_id(id);
	if (!e && ix.watching && cgroup_watch_active()) {
		/* a cgroup made since: the watcher may not have got to it */
		ix.st.held++;
		if (!cgroup_watch_catch_up(HOLD_NS))
			ix.st.hold_timeouts++;
		merge_watched();
		e = find_id(id);
	}
	if (!e) {
		cgroup_index_rescan(0);
		e = find_id(id);
	}
	if (!e)
		ix.st.misses++;
	return e ? e->a : NULL;
}

void cgroup_index_get_stats(struct cgroup_index_stats *st)
{
	*st = ix.st;
	st->watching = ix.watching && cgroup_watch_active();
	st->unwatched = cgroup_watch_unwatched();
}

void cgroup_index_foreach(k8s_cg_fn fn, void *arg)
{
	merge_watched();
	for (size_t i = 0; i < ix.cap; i++) {
		struct k8s_attr *a = ix.tab[i].a;

		if (a)
			fn(ix.tab[i].id, a, arg);
	}
}
