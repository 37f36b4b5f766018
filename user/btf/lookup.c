/* lookup.c - choose the kernel BTF (explicit file, the kernel's own, or
 * the archive built into dnsvis) and read function prototypes from it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
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

static char src_desc[PATH_MAX + 64] = "none";
static char emb_path[64];
static int emb_index = -1;
static unsigned char *hook_buf; /* DNSVIS_BTF_ARCHIVE contents */

static uint32_t get_le32_ptr(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

/* ---- what was tried ------------------------------------------------------ */

static char tried[4][320];
static int ntried;

static void tried_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tried_add(const char *fmt, ...)
{
	char *slot;
	va_list ap;

	if (ntried >= (int)(sizeof(tried) / sizeof(tried[0])))
		return;
	slot = tried[ntried++];
	va_start(ap, fmt);
	vsnprintf(slot, sizeof(tried[0]), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized):
						    // analyzer false positive, va_start is above
	va_end(ap);
}

int btf_tried_count(void)
{
	return ntried;
}

const char *btf_tried(int i)
{
	return i >= 0 && i < ntried ? tried[i] : "";
}

/* NULL when path looks like a BTF file libbpf can take (raw BTF with a
 * sane header, or an ELF file, which libbpf searches for .BTF), else why
 * not.  Only the header is read: a full parse is libbpf's, at load. */
const char *btf_file_problem(const char *path)
{
	static char why[128];
	unsigned char h[24];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;

		snprintf(why, sizeof(why), "%s", strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return why;
	}
	errno = 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (S_ISDIR(st.st_mode))
		return "a directory, not a BTF file";
	if (n == 0)
		return "empty (0 bytes)";
	if (n >= 4 && !memcmp(h,
			      "\x7f"
			      "ELF",
			      4))
		return NULL;
	if (n < (ssize_t)sizeof(h) || h[0] != 0x9f || h[1] != 0xeb) {
		snprintf(why, sizeof(why), "not BTF (%llu bytes, no BTF magic 0xeb9f)",
			 (unsigned long long)st.st_size);
		return why;
	}
	{
		uint32_t hl = get_le32_ptr(h + 4), to = get_le32_ptr(h + 8),
			 tl = get_le32_ptr(h + 12);
		uint32_t so = get_le32_ptr(h + 16), sl = get_le32_ptr(h + 20);
		uint64_t size = (uint64_t)st.st_size;

		if (h[2] != 1 || hl < sizeof(h) || (uint64_t)hl + to + tl > size ||
		    (uint64_t)hl + so + sl > size) {
			snprintf(
			    why, sizeof(why),
			    "not usable BTF (version %u, header or sections beyond its %llu bytes)",
			    h[2], (unsigned long long)size);
			return why;
		}
	}
	return NULL;
}

/* The kernel's own BTF: ROOT/sys/kernel/btf/vmlinux under --host-root,
 * then this view's /sys/kernel/btf/vmlinux (the same kernel); the test hook
 * DNSVIS_SYS_BTF replaces both.  NULL when none is usable (each tried). */
static const char *kernel_btf(const char *root, int *custom)
{
	static char path[PATH_MAX];
	const char *hook = getenv("DNSVIS_SYS_BTF"), *bad;

	if (hook && *hook) {
		snprintf(path, sizeof(path), "%s", hook);
	} else if (root && *root) {
		snprintf(path, sizeof(path), "%s%s", root, BTF_VMLINUX_PATH);
		bad = btf_file_problem(path);
		if (!bad) {
			*custom = 1;
			return path;
		}
		tried_add("kernel BTF %s: %s", path, errno == ENOENT ? "missing" : bad);
		snprintf(path, sizeof(path), "%s", BTF_VMLINUX_PATH);
	} else {
		snprintf(path, sizeof(path), "%s", BTF_VMLINUX_PATH);
	}
	bad = btf_file_problem(path);
	if (bad) {
		tried_add("kernel BTF %s: %s", path, errno == ENOENT ? "missing" : bad);
		return NULL;
	}
	*custom = strcmp(path, BTF_VMLINUX_PATH) != 0;
	return path;
}

/* The archive's BTF for this host, or NULL with the reason tried. */
static const char *archive_btf(const char *root, struct btf_host *h, int *custom, char *why,
			       size_t len)
{
	char hwhy[256] = "", awhy[256] = "";
	struct btf_archive_entry e;
	struct btf_archive a;
	const char *p;
	int hrc = btf_host_read(h, root, hwhy, sizeof(hwhy)), i;

	if (btf_embedded_archive(&a, awhy, sizeof(awhy)) != 0) {
		tried_add("embedded BTF: %s", awhy);
		return NULL;
	}
	if (hrc != 0) {
		tried_add("embedded BTF: cannot tell which kernel this is: %s", hwhy);
		return NULL;
	}
	i = btf_archive_find(&a, h, &e);
	if (i < 0) {
		tried_add("embedded BTF: none for %s %s %s %s (%u kernels built in)", h->id,
			  h->version_id, h->arch, h->release, a.count);
		return NULL;
	}
	p = embedded_btf(&a, &e, i, why, len);
	if (!p) {
		tried_add("%s", why);
		return NULL;
	}
	*custom = 1;
	return p;
}

/* Why there is no BTF: what was tried, and where BTFHub has this kernel's. */
static void no_btf_reason(const struct btf_host *h, char *why, size_t len)
{
	char hub[400];
	size_t n;

	btf_host_path(h, hub, sizeof(hub));
	n = (size_t)snprintf(why, len, "no BTF for this kernel: ");
	for (int i = 0; i < ntried && n < len; i++)
		n += (size_t)snprintf(why + n, len - n, "%s; ", tried[i]);
	if (n < len)
		snprintf(why + n, len - n, "get %s %s, untar it and run with --btf %s.btf",
			 BTFHUB_URL, hub, h->release);
}

const char *btf_select(const char *opt, const char *root, int *custom, char *why, size_t len)
{
	struct btf_host h;
	const char *p, *bad;

	*custom = 0;
	ntried = 0;
	if (opt) {
		bad = btf_file_problem(opt);
		if (bad) {
			snprintf(why, len, "--btf %s: %s", opt, bad);
			tried_add("--btf %s: %s", opt, bad);
			return NULL;
		}
		*custom = 1;
		snprintf(src_desc, sizeof(src_desc), "--btf %s", opt);
		return opt;
	}
	p = kernel_btf(root, custom);
	if (p) {
		snprintf(src_desc, sizeof(src_desc), "kernel (%s)", p);
		return p;
	}
	p = archive_btf(root, &h, custom, why, len);
	if (p)
		return p;
	no_btf_reason(&h, why, len);
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
	int id, n = -ENOENT;

	if (!btf)
		return errno ? -errno : -EINVAL;
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

void btf_func_problem(int err, const char *name, char *why, size_t len)
{
	if (err == -ENOENT)
		snprintf(why, len, "%s is not in the BTF from %s", name, src_desc);
	else
		snprintf(why, len, "the BTF from %s cannot be read: %s", src_desc, strerror(-err));
}
