/* cgroup_watch.c - the inotify thread that follows cgroup creation (see
 * cgroup_watch.h). */
#include "enrich/cgroup_watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enrich/cgroup_index.h"
#include "util/clock.h"

#define WATCH_MASK  (IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW)
#define WATCH_DEPTH 32
#define EVBUF	    65536

/* A cgroup found, waiting for the main thread. */
struct found {
	uint64_t id;
	struct k8s_attr *a;
	struct found *next;
};

/* watch descriptor -> the cgroup's path below the mount ("/a/b"). */
struct wd_ent {
	int wd;
	char *rel;
};

static struct {
	int fd;
	char mount[1100];
	int active;
	pthread_t thread;
	struct wd_ent *wds; /* open addressing; wd 0 = free (wds start at 1) */
	size_t wcap, wn;
	/* shared with the main thread, under lock */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct found *head, **tail;
	int busy, overflow;
	unsigned long long unwatched;
} w = {.fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

static size_t wd_slot(int wd, size_t cap)
{
	return ((size_t)(unsigned)wd * 0x9e3779b1u) & (cap - 1);
}

static int wd_put(int wd, const char *rel)
{
	size_t i;

	if ((w.wn + 1) * 2 > w.wcap) {
		size_t nc = w.wcap ? w.wcap * 2 : 1024;
		struct wd_ent *nt = calloc(nc, sizeof(*nt));

		if (!nt)
			return -1;
		for (size_t k = 0; k < w.wcap; k++) {
			if (!w.wds[k].wd)
				continue;
			for (i = wd_slot(w.wds[k].wd, nc); nt[i].wd; i = (i + 1) & (nc - 1))
				;
			nt[i] = w.wds[k];
		}
		free(w.wds);
		w.wds = nt;
		w.wcap = nc;
	}
	for (i = wd_slot(wd, w.wcap); w.wds[i].wd && w.wds[i].wd != wd; i = (i + 1) & (w.wcap - 1))
		;
	if (w.wds[i].wd == wd) { /* the same directory watched again */
		free(w.wds[i].rel);
	} else {
		w.wds[i].wd = wd;
		w.wn++;
	}
	w.wds[i].rel = strdup(rel);
	return w.wds[i].rel ? 0 : -1;
}

static struct wd_ent *wd_find(int wd)
{
	if (!w.wcap)
		return NULL;
	for (size_t i = wd_slot(wd, w.wcap); w.wds[i].wd; i = (i + 1) & (w.wcap - 1))
		if (w.wds[i].wd == wd)
			return &w.wds[i];
	return NULL;
}

/* Remove wd, shifting the entries after it back (no tombstones). */
static void wd_del(int wd)
{
	struct wd_ent *e = wd_find(wd);
	size_t i, j;

	if (!e)
		return;
	free(e->rel);
	i = (size_t)(e - w.wds);
	w.wds[i].wd = 0;
	w.wn--;
	for (j = (i + 1) & (w.wcap - 1); w.wds[j].wd; j = (j + 1) & (w.wcap - 1)) {
		size_t h = wd_slot(w.wds[j].wd, w.wcap);

		/* move j to i when its home slot is not in (i, j] */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			w.wds[i] = w.wds[j];
			w.wds[j].wd = 0;
			i = j;
		}
	}
}

static void queue_found(uint64_t id, struct k8s_attr *a)
{
	struct found *f = malloc(sizeof(*f));

	if (!f) {
		free(a);
		return;
	}
	f->id = id;
	f->a = a;
	f->next = NULL;
	pthread_mutex_lock(&w.lock);
	*w.tail = f;
	w.tail = &f->next;
	pthread_mutex_unlock(&w.lock);
}

/* Watch the directory rel (below the mount) and everything below it;
 * report each one (not the top of the initial walk) as found. */
static void watch_tree(const char *rel, int report, int depth)
{
	char path[2200];
	struct dirent *de;
	DIR *d;
	int wd;

	snprintf(path, sizeof(path), "%s%s", w.mount, rel);
	wd = inotify_add_watch(w.fd, path, WATCH_MASK);
	if (wd < 0) {
		if (errno == ENOSPC || errno == ENOMEM) {
			pthread_mutex_lock(&w.lock);
			w.unwatched++;
			w.overflow = 1;
			pthread_mutex_unlock(&w.lock);
		}
		return; /* ENOENT: gone already */
	}
	wd_put(wd, rel);
	if (report) {
		struct stat st;

		if (stat(path, &st) == 0) {
			uint64_t id = cgroup_dir_id(AT_FDCWD, path, st.st_ino);
			struct k8s_attr *a = cgroup_attr_new(rel[0] ? rel : "/");

			if (a)
				queue_found(id, a);
		}
	}
	/* what was made below it before the watch was in place */
	d = depth < WATCH_DEPTH ? opendir(path) : NULL;
	while (d && (de = readdir(d))) {
		char sub[1100];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) < (int)sizeof(sub) - 1)
			watch_tree(sub, report, depth + 1);
	}
	if (d)
		closedir(d);
}

static void handle_events(const char *buf, ssize_t n)
{
	for (const char *p = buf; p < buf + n;) {
		const struct inotify_event *ev = (const struct inotify_event *)(const void *)p;
		const struct wd_ent *parent;
		char rel[1100];

		p += sizeof(*ev) + ev->len;
		if (ev->mask & IN_Q_OVERFLOW) {
			pthread_mutex_lock(&w.lock);
			w.overflow = 1;
			pthread_mutex_unlock(&w.lock);
		}
		if (ev->mask & IN_IGNORED) { /* the directory is gone */
			wd_del(ev->wd);
			continue;
		}
		if (!(ev->mask & IN_CREATE) || !(ev->mask & IN_ISDIR) || !ev->len)
			continue;
		parent = wd_find(ev->wd);
		if (!parent || snprintf(rel, sizeof(rel), "%s/%s", parent->rel, ev->name) >=
				   (int)sizeof(rel) - 1)
			continue;
		watch_tree(rel, 1, 1);
	}
}

static void *watch_main(void *arg)
{
	static char buf[EVBUF] __attribute__((aligned(8)));

	(void)arg;
	for (;;) {
		ssize_t n = read(w.fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pthread_mutex_lock(&w.lock);
		w.busy = 1;
		pthread_mutex_unlock(&w.lock);
		handle_events(buf, n);
		pthread_mutex_lock(&w.lock);
		w.busy = 0;
		pthread_cond_broadcast(&w.idle);
		pthread_mutex_unlock(&w.lock);
	}
	pthread_mutex_lock(&w.lock);
	w.active = 0;
	w.overflow = 1;
	pthread_cond_broadcast(&w.idle);
	pthread_mutex_unlock(&w.lock);
	return NULL;
}

int cgroup_watch_start(const char *mount)
{
	sigset_t all, old;
	int err;

	if (w.active)
		return (int)w.wn;
	w.fd = inotify_init1(IN_CLOEXEC);
	if (w.fd < 0)
		return -errno;
	snprintf(w.mount, sizeof(w.mount), "%s", mount);
	w.tail = &w.head;
	watch_tree("", 0, 0);
	if (!w.wn) {
		close(w.fd);
		w.fd = -1;
		return -ENOENT;
	}
	/* signals stay with the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	w.active = 1;
	err = pthread_create(&w.thread, NULL, watch_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		w.active = 0;
		close(w.fd);
		w.fd = -1;
		return -err;
	}
	pthread_detach(w.thread);
	return (int)w.wn;
}

int cgroup_watch_active(void)
{
	int a;

	pthread_mutex_lock(&w.lock);
	a = w.active;
	pthread_mutex_unlock(&w.lock);
	return a;
}

void cgroup_watch_drain(cgroup_watch_fn fn, void *arg)
{
	struct found *f, *next;

	if (w.fd < 0)
		return;
	pthread_mutex_lock(&w.lock);
	f = w.head;
	w.head = NULL;
	w.tail = &w.head;
	pthread_mutex_unlock(&w.lock);
	for (; f; f = next) {
		next = f->next;
		fn(f->id, f->a, arg);
		free(f);
	}
}

/* Events the kernel holds for the watcher that it has not read yet. */
static int queued(void)
{
	int q = 0;

	return ioctl(w.fd, FIONREAD, &q) == 0 && q > 0;
}

int cgroup_watch_catch_up(uint64_t max_ns)
{
	struct timespec until;
	int64_t end = clock_ns(CLOCK_REALTIME) + (int64_t)max_ns;
	int done;

	until.tv_sec = end / NS_PER_SEC;
	until.tv_nsec = end % NS_PER_SEC;
	pthread_mutex_lock(&w.lock);
	for (;;) {
		done = !w.active || (!w.busy && !queued());
		if (done)
			break;
		if (!w.busy) { /* queued, not picked up yet: look again soon */
			struct timespec nap = {0, 200000};

			pthread_mutex_unlock(&w.lock);
			nanosleep(&nap, NULL);
			pthread_mutex_lock(&w.lock);
			if (clock_ns(CLOCK_REALTIME) >= end)
				break;
			continue;
		}
		if (pthread_cond_timedwait(&w.idle, &w.lock, &until) == ETIMEDOUT)
			break;
	}
	done = !w.active || (!w.busy && !queued());
	pthread_mutex_unlock(&w.lock);
	return done;
}

int cgroup_watch_take_overflow(void)
{
	int o;

	pthread_mutex_lock(&w.lock);
	o = w.overflow;
	w.overflow = 0;
	pthread_mutex_unlock(&w.lock);
	return o;
}

unsigned long long cgroup_watch_unwatched(void)
{
	unsigned long long n;

	pthread_mutex_lock(&w.lock);
	n = w.unwatched;
	pthread_mutex_unlock(&w.lock);
	return n;
}
