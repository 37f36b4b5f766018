/* archive.c - the embedded BTF archive: index, lookup, decompression,
 * and the host's identity (os-release, uname).  No libbpf. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "btf/archive.h"

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A NUL-terminated, non-empty field that is safe as a path component. */
static int field_ok(const unsigned char *p, size_t n)
{
	const char *s = (const char *)p;
	size_t l = strnlen(s, n);

	if (l == 0 || l == n || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

static const unsigned char *entry_ptr(const struct btf_archive *a, uint32_t i)
{
	return a->buf + BTF_AR_HDR_SIZE + (size_t)i * BTF_AR_ENTRY_SIZE;
}

void btf_archive_entry(const struct btf_archive *a, uint32_t i, struct btf_archive_entry *e)
{
	const unsigned char *p = entry_ptr(a, i);

	memset(e, 0, sizeof(*e));
	memcpy(e->key.id, p, BTF_AR_ID_LEN);
	p += BTF_AR_ID_LEN;
	memcpy(e->key.version_id, p, BTF_AR_VER_LEN);
	p += BTF_AR_VER_LEN;
	memcpy(e->key.arch, p, BTF_AR_ARCH_LEN);
	p += BTF_AR_ARCH_LEN;
	memcpy(e->key.release, p, BTF_AR_REL_LEN);
	p += BTF_AR_REL_LEN;
	e->offset = get_le32(p);
	e->zlen = get_le32(p + 4);
	e->rawlen = get_le32(p + 8);
	e->crc = get_le32(p + 12);
}

int btf_archive_open(struct btf_archive *a, const void *buf, size_t len, char *why, size_t wl)
{
	uint32_t n, fmt;

	memset(a, 0, sizeof(*a));
	if (len == 0 || !buf)
		return 0;
	a->buf = buf;
	a->len = len;
	if (len < BTF_AR_HDR_SIZE || memcmp(buf, BTF_AR_MAGIC, 8) != 0) {
		snprintf(why, wl, "embedded BTF archive: bad header");
		goto bad;
	}
	fmt = get_le32(a->buf + 8);
	if (fmt != BTF_AR_FORMAT) {
		snprintf(why, wl, "embedded BTF archive: format %u, expected %u", fmt,
			 (unsigned)BTF_AR_FORMAT);
		goto bad;
	}
	n = get_le32(a->buf + 12);
	if (n > (len - BTF_AR_HDR_SIZE) / BTF_AR_ENTRY_SIZE) {
		snprintf(why, wl, "embedded BTF archive: index of %u entries is truncated", n);
		goto bad;
	}
	a->count = n;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *p = entry_ptr(a, i);
		struct btf_archive_entry e;
		size_t data0 = BTF_AR_HDR_SIZE + (size_t)n * BTF_AR_ENTRY_SIZE;

		if (!field_ok(p, BTF_AR_ID_LEN) || !field_ok(p + BTF_AR_ID_LEN, BTF_AR_VER_LEN) ||
		    !field_ok(p + BTF_AR_ID_LEN + BTF_AR_VER_LEN, BTF_AR_ARCH_LEN) ||
		    !field_ok(p + BTF_AR_ID_LEN + BTF_AR_VER_LEN + BTF_AR_ARCH_LEN,
			      BTF_AR_REL_LEN)) {
			snprintf(why, wl, "embedded BTF archive: entry %u has a bad name", i);
			goto bad;
		}
		btf_archive_entry(a, i, &e);
		if (e.offset < data0 || e.offset > len || e.zlen > len - e.offset || e.zlen == 0 ||
		    e.rawlen == 0 || e.rawlen > BTF_AR_RAW_MAX) {
			snprintf(why, wl, "embedded BTF archive: entry %u (%s) is out of bounds", i,
				 e.key.release);
			goto bad;
		}
	}
	return 0;
bad:
	memset(a, 0, sizeof(*a));
	return -1;
}

int btf_archive_find(const struct btf_archive *a, const struct btf_host *h,
		     struct btf_archive_entry *e)
{
	for (uint32_t i = 0; i < a->count; i++) {
		btf_archive_entry(a, i, e);
		if (!strcmp(e->key.id, h->id) && !strcmp(e->key.version_id, h->version_id) &&
		    !strcmp(e->key.arch, h->arch) && !strcmp(e->key.release, h->release))
			return (int)i;
	}
	return -1;
}

int btf_archive_extract(const struct btf_archive *a, const struct btf_archive_entry *e,
			unsigned char **out, size_t *outlen, char *why, size_t wl)
{
	uLongf dl = e->rawlen;
	unsigned char *d;
	int zr;

	*out = NULL;
	*outlen = 0;
	if (e->offset > a->len || e->zlen > a->len - e->offset || e->rawlen == 0 ||
	    e->rawlen > BTF_AR_RAW_MAX) {
		snprintf(why, wl, "embedded BTF %s: out of bounds", e->key.release);
		return -1;
	}
	d = malloc(e->rawlen);
	if (!d) {
		snprintf(why, wl, "embedded BTF %s: out of memory", e->key.release);
		return -1;
	}
	zr = uncompress(d, &dl, a->buf + e->offset, e->zlen);
	if (zr != Z_OK || dl != e->rawlen) {
		snprintf(why, wl, "embedded BTF %s: corrupt (zlib: %s)", e->key.release,
			 zr != Z_OK ? zError(zr) : "wrong size");
		free(d);
		return -1;
	}
	if ((uint32_t)crc32(0L, d, (uInt)dl) != e->crc) {
		snprintf(why, wl, "embedded BTF %s: corrupt (CRC mismatch)", e->key.release);
		free(d);
		return -1;
	}
	*out = d;
	*outlen = dl;
	return 0;
}

/* ---- host identity ------------------------------------------------------ */

/* Copy the value of an os-release assignment (after '=') into dst: quotes
 * removed, backslash escapes inside double quotes undone, trailing blanks
 * dropped for unquoted values. */
static void os_value(const char *v, const char *end, char *dst, size_t dl)
{
	size_t n = 0;
	char q = 0;

	if (v < end && (*v == '"' || *v == '\'')) {
		q = *v++;
	}
	while (v < end) {
		char c = *v++;

		if (q && c == q)
			break;
		if (q == '"' && c == '\\' && v < end)
			c = *v++;
		else if (!q && (c == ' ' || c == '\t' || c == '\r' || c == '#'))
			break;
		if (n + 1 < dl)
			dst[n++] = c;
	}
	if (dl)
		dst[n] = 0;
}

int btf_os_release_parse(const char *text, char *id, size_t idl, char *ver, size_t vl)
{
	const char *p = text;
	int have_id = 0;

	if (idl)
		id[0] = 0;
	if (vl)
		ver[0] = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *s = p;

		if (!eol)
			eol = p + strlen(p);
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		if (s < eol && *s != '#') {
			if ((size_t)(eol - s) > 3 && !strncmp(s, "ID=", 3)) {
				os_value(s + 3, eol, id, idl);
				have_id = id[0] != 0;
			} else if ((size_t)(eol - s) > 11 && !strncmp(s, "VERSION_ID=", 11)) {
				os_value(s + 11, eol, ver, vl);
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return have_id ? 0 : -1;
}

void btf_normalize_version(const char *id, char *ver)
{
	char *dot;

	if (strcmp(id, "rhel") != 0 && strcmp(id, "centos") != 0 && strcmp(id, "ol") != 0)
		return;
	dot = strchr(ver, '.');
	if (dot)
		*dot = 0;
}

const char *btf_normalize_arch(const char *machine)
{
	if (!strcmp(machine, "aarch64"))
		return "arm64";
	return machine;
}

/* Copy src, cut to fit (release and machine fit BTFHub's names). */
static void copy_str(char *dst, size_t dl, const char *src)
{
	size_t n = strlen(src);

	if (n >= dl)
		n = dl - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Open PATH of the host whose root is ROOT ("" for this one).  A symbolic
 * link is followed inside ROOT: /etc/os-release -> /usr/lib/os-release on
 * the host must not name the container's own file. */
static FILE *open_host_file(const char *root, const char *path, char *shown, size_t sl)
{
	char cur[PATH_MAX], full[PATH_MAX], target[PATH_MAX];

	snprintf(cur, sizeof(cur), "%s", path);
	for (int hops = 0; hops < 8 && root[0]; hops++) {
		struct stat st;
		ssize_t n;

		if (snprintf(full, sizeof(full), "%s%s", root, cur) >= (int)sizeof(full) ||
		    lstat(full, &st) != 0 || !S_ISLNK(st.st_mode))
			break;
		n = readlink(full, target, sizeof(target) - 1);
		if (n <= 0)
			break;
		target[n] = 0;
		if (target[0] == '/') {
			snprintf(cur, sizeof(cur), "%s", target);
		} else {
			/* relative to the link's directory: cur ends in "/NAME" */
			char *slash = strrchr(cur, '/');
			size_t dl = (size_t)(slash - cur) + 1, tl = strlen(target);

			if (dl + tl >= sizeof(cur))
				break;
			memcpy(slash + 1, target, tl + 1);
		}
	}
	if (snprintf(shown, sl, "%s%s", root, cur) >= (int)sl) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(shown, "re");
}

/* os-release text into text (NUL-terminated); the file read in shown.  0,
 * or -1 with errno set. */
static int read_os_release(const char *root, char *text, size_t tl, char *shown, size_t sl)
{
	const char *hook = getenv("DNSVIS_OS_RELEASE");
	FILE *f;
	size_t n;

	if (hook) {
		snprintf(shown, sl, "%s", hook);
		f = fopen(hook, "re");
	} else {
		f = open_host_file(root, "/etc/os-release", shown, sl);
		if (!f && errno == ENOENT) {
			char first[PATH_MAX];

			snprintf(first, sizeof(first), "%s", shown);
			f = open_host_file(root, "/usr/lib/os-release", shown, sl);
			if (!f && errno == ENOENT) {
				snprintf(shown, sl, "%s", first);
				errno = ENOENT;
			}
		}
	}
	text[0] = 0;
	if (!f)
		return -1;
	n = fread(text, 1, tl - 1, f);
	text[n] = 0;
	fclose(f);
	return 0;
}

int btf_host_read(struct btf_host *h, const char *root, char *why, size_t wl)
{
	const char *ur = getenv("DNSVIS_UNAME_R"), *um = getenv("DNSVIS_UNAME_M");
	char text[8192], osr[PATH_MAX];
	struct utsname u;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	memset(&u, 0, sizeof(u));
	if (!root)
		root = "";
	if ((!ur || !um) && uname(&u) != 0) {
		snprintf(why, wl, "uname: %s", strerror(errno));
		rc = -1;
	}
	copy_str(h->release, sizeof(h->release), ur ? ur : u.release[0] ? u.release : "?");
	copy_str(h->arch, sizeof(h->arch),
		 btf_normalize_arch(um		   ? um
				    : u.machine[0] ? u.machine
						   : "?"));

	if (read_os_release(root, text, sizeof(text), osr, sizeof(osr)) != 0) {
		if (!rc)
			snprintf(why, wl, "cannot read %s: %s", osr, strerror(errno));
		rc = -1;
	} else if (btf_os_release_parse(text, h->id, sizeof(h->id), h->version_id,
					sizeof(h->version_id)) != 0) {
		if (!rc)
			snprintf(why, wl, "%s has no ID", osr);
		rc = -1;
	} else if (!h->version_id[0]) {
		if (!rc)
			snprintf(why, wl, "%s has no VERSION_ID", osr);
		rc = -1;
	}
	btf_normalize_version(h->id, h->version_id);
	if (!h->id[0])
		copy_str(h->id, sizeof(h->id), "?");
	if (!h->version_id[0])
		copy_str(h->version_id, sizeof(h->version_id), "?");
	return rc;
}

void btf_host_path(const struct btf_host *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s/%s.btf.tar.xz", h->id, h->version_id, h->arch, h->release);
}
