/* lookup.c - choose the kernel BTF (explicit file, the kernel's own, or
 * the archive built into dnsvis) and read function prototypes from it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "btf/archive.h"
#include "btf/lookup.h"

/* The archive, from btfhub/archive.S (.incbin of build/btf-archive.bin). */
extern const unsigned char dv_btf_archive[];
extern const unsigned long long dv_btf_archive_size;

static char src_desc[512] = "none";
static char emb_path[64];
static int emb_index = -1;
static unsigned char *hook_buf; /* DNSVIS_BTF_ARCHIVE contents */

/* Test hook: DNSVIS_BTF_ARCHIVE=FILE reads the archive from FILE instead
 * (to exercise corrupt archives). */
int btf_embedded_archive(struct btf_archive *a, char *why, size_t wl)
{
	const char *hook = getenv("DNSVIS_BTF_ARCHIVE");

	if (hook && *hook) {
		struct stat st;
		FILE *f;
		size_t n = 0;

		if (!hook_buf) {
			f = fopen(hook, "re");
			if (!f || fstat(fileno(f), &st) != 0 ||
			    st.st_size > (off_t)BTF_AR_RAW_MAX) {
				snprintf(why, wl, "DNSVIS_BTF_ARCHIVE %s: %s", hook,
					 f ? "too big" : strerror(errno));
				if (f)
					fclose(f);
				return -1;
			}
			hook_buf = malloc((size_t)st.st_size + 1);
			if (hook_buf)
				n = fread(hook_buf, 1, (size_t)st.st_size, f);
			fclose(f);
			if (!hook_buf || n != (size_t)st.st_size) {
				snprintf(why, wl, "DNSVIS_BTF_ARCHIVE %s: cannot read", hook);
				free(hook_buf);
				hook_buf = NULL;
				return -1;
			}
			return btf_archive_open(a, hook_buf, n, why, wl);
		}
	}
	return btf_archive_open(a, dv_btf_archive, (size_t)dv_btf_archive_size, why, wl);
}

/* An anonymous file holding d, reachable by path as /proc/self/fd/N. */
static int to_memfd(const unsigned char *d, size_t n, char *path, size_t pl, char *why, size_t wl)
{
	size_t off = 0;
	int fd = memfd_create("dnsvis-btf", MFD_CLOEXEC);

	if (fd < 0) {
		/* no memfd_create (before 3.17): an unlinked temporary file */
		const char *tmp = getenv("TMPDIR");
		char t[PATH_MAX];

		snprintf(t, sizeof(t), "%s/dnsvis-btf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		fd = mkostemp(t, O_CLOEXEC);
		if (fd >= 0)
			unlink(t);
	}
	if (fd < 0) {
		snprintf(why, wl, "cannot create a file for the embedded BTF: %s", strerror(errno));
		return -1;
	}
	while (off < n) {
		ssize_t w = write(fd, d + off, n - off);

		if (w <= 0) {
			snprintf(why, wl, "cannot write the embedded BTF: %s",
				 w < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	snprintf(path, pl, "/proc/self/fd/%d", fd);
	return fd;
}

/* Entry i of the archive, decompressed into a memfd once (emb_path). */
static const char *embedded_btf(const struct btf_archive *a, const struct btf_archive_entry *e,
				int i, char *why, size_t len)
{
	if (emb_index != i) {
		unsigned char *raw;
		size_t rl;
		int fd;

		if (btf_archive_extract(a, e, &raw, &rl, why, len) != 0)
			return NULL;
		fd = to_memfd(raw, rl, emb_path, sizeof(emb_path), why, len);
		free(raw);
		if (fd < 0)
			return NULL;
		emb_index = i;
	}
	snprintf(src_desc, sizeof(src_desc), "embedded %s %s %s %s", e->key.id, e->key.version_id,
		 e->key.arch, e->key.release);
	return emb_path;
}

/* Why there is no BTF, and where BTFHub has this kernel's. */
static void no_btf_reason(const char *sys, const struct btf_host *h, const char *hwhy,
			  const char *awhy, char *why, size_t len)
{
	char hub[400], extra[540];

	btf_host_path(h, hub, sizeof(hub));
	snprintf(extra, sizeof(extra), "%s%s%s%s%s", hwhy[0] || awhy[0] ? " (" : "", hwhy,
		 hwhy[0] && awhy[0] ? "; " : "", awhy, hwhy[0] || awhy[0] ? ")" : "");
	snprintf(why, len,
		 "no BTF for this kernel: %s is missing and dnsvis has none built in for %s %s %s "
		 "%s%s; get %s %s, untar it and run with --btf %s.btf",
		 sys, h->id, h->version_id, h->arch, h->release, extra, BTFHUB_URL, hub,
		 h->release);
}

const char *btf_select(const char *opt, int *custom, char *why, size_t len)
{
	const char *sys = getenv("DNSVIS_SYS_BTF");
	char hwhy[256] = "", awhy[256] = "";
	struct btf_archive_entry e;
	struct btf_archive a;
	struct btf_host h;
	int hrc, i;

	*custom = 0;
	if (opt) {
		if (access(opt, R_OK) != 0) {
			snprintf(why, len, "--btf %s: %s", opt, strerror(errno));
			return NULL;
		}
		*custom = 1;
		snprintf(src_desc, sizeof(src_desc), "--btf %s", opt);
		return opt;
	}
	if (!sys || !*sys)
		sys = BTF_VMLINUX_PATH;
	if (access(sys, R_OK) == 0) {
		*custom = strcmp(sys, BTF_VMLINUX_PATH) != 0;
		snprintf(src_desc, sizeof(src_desc), "kernel (%s)", sys);
		return sys;
	}
	hrc = btf_host_read(&h, hwhy, sizeof(hwhy));
	if (btf_embedded_archive(&a, awhy, sizeof(awhy)) == 0 && hrc == 0 &&
	    (i = btf_archive_find(&a, &h, &e)) >= 0) {
		const char *p = embedded_btf(&a, &e, i, why, len);

		*custom = p != NULL;
		return p;
	}
	no_btf_reason(sys, &h, hwhy, awhy, why, len);
	return NULL;
}

const char *btf_source_describe(void)
{
	return src_desc;
}

int btf_func_arity(const char *btf_path, const char *name)
{
	struct btf *btf = btf__parse(btf_path, NULL);
	const struct btf_type *t;
	int id, n = -1;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id > 0) {
		t = btf__type_by_id(btf, id);
		t = t ? btf__type_by_id(btf, t->type) : NULL;
		if (t && btf_is_func_proto(t))
			n = btf_vlen(t);
	}
	btf__free(btf);
	return n;
}
