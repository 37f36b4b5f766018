/* archive.h - the BTF archive built into dnsvis, and how a host is
 * matched against it.  Pure C and zlib: no libbpf, so the unit tests link
 * it directly.
 *
 * Archive layout (little-endian, made by btfhub/pack.py):
 *   0    "DVBTFAR1"          magic
 *   8    u32 format           1
 *   12   u32 count            number of kernels
 *   16   count entries of BTF_AR_ENTRY_SIZE bytes:
 *          char id[32], version_id[32], arch[16], release[144]  (NUL-padded)
 *          u32 offset, zlen   where the zlib stream is, from the start
 *          u32 rawlen, crc32  size and CRC-32 of the raw BTF
 *   then the zlib streams (entries with identical BTF may share one).
 * Keys are BTFHub's: os-release ID, VERSION_ID (major only for
 * rhel/centos/ol), arch as BTFHub spells it (x86_64, arm64), uname -r.
 *
 * Test hooks (environment; documented in btfhub/README.md):
 *   DNSVIS_OS_RELEASE  os-release file instead of [ROOT]/etc/os-release
 *   DNSVIS_UNAME_R     kernel release instead of uname -r
 *   DNSVIS_UNAME_M     machine instead of uname -m
 */
#ifndef DNSVIS_BTF_ARCHIVE_H
#define DNSVIS_BTF_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#define BTF_AR_MAGIC	  "DVBTFAR1"
#define BTF_AR_FORMAT	  1
#define BTF_AR_HDR_SIZE	  16
#define BTF_AR_ID_LEN	  32
#define BTF_AR_VER_LEN	  32
#define BTF_AR_ARCH_LEN	  16
#define BTF_AR_REL_LEN	  144
#define BTF_AR_ENTRY_SIZE (BTF_AR_ID_LEN + BTF_AR_VER_LEN + BTF_AR_ARCH_LEN + BTF_AR_REL_LEN + 16)
#define BTF_AR_RAW_MAX	  (64u << 20) /* no kernel's BTF is near this */

#define BTFHUB_URL "https://github.com/aquasecurity/btfhub-archive/"

/* What identifies a kernel, in BTFHub's terms. */
struct btf_host {
	char id[BTF_AR_ID_LEN];
	char version_id[BTF_AR_VER_LEN];
	char arch[BTF_AR_ARCH_LEN];
	char release[BTF_AR_REL_LEN];
};

struct btf_archive_entry {
	struct btf_host key;
	uint32_t offset, zlen, rawlen, crc;
};

struct btf_archive {
	const unsigned char *buf;
	size_t len;
	uint32_t count;
};

/* Check the header and every index entry of buf.  0, or -1 with a reason in
 * why.  An empty buffer (len 0) is a valid archive without kernels. */
int btf_archive_open(struct btf_archive *a, const void *buf, size_t len, char *why, size_t wl);

/* Entry i (already validated by btf_archive_open). */
void btf_archive_entry(const struct btf_archive *a, uint32_t i, struct btf_archive_entry *e);

/* Index of the entry matching h exactly, or -1. */
int btf_archive_find(const struct btf_archive *a, const struct btf_host *h,
		     struct btf_archive_entry *e);

/* Decompress entry e into a malloc'd buffer (*out, *outlen).  Checks the
 * zlib stream, the size and the CRC.  0, or -1 with a reason in why. */
int btf_archive_extract(const struct btf_archive *a, const struct btf_archive_entry *e,
			unsigned char **out, size_t *outlen, char *why, size_t wl);

/* ID and VERSION_ID from os-release text (quoted or not, comments, blank
 * lines).  0 when ID was found; *ver is "" when VERSION_ID is missing. */
int btf_os_release_parse(const char *text, char *id, size_t idl, char *ver, size_t vl);

/* rhel/centos/ol (and their quoted forms) keep only the major version:
 * "7.9" -> "7".  Other distributions are left alone ("18.04"). */
void btf_normalize_version(const char *id, char *ver);

/* uname -m -> BTFHub's arch directory: aarch64 -> arm64, else unchanged. */
const char *btf_normalize_arch(const char *machine);

/* Fill h from os-release and uname (or the test hooks).  root is the
 * host's root directory ("" or NULL: this one; --host-root DIR in a
 * container): os-release is read as ROOT/etc/os-release, else
 * ROOT/usr/lib/os-release, symbolic links followed inside ROOT.  uname is
 * the running kernel's either way.  0, or -1 with a reason in why (h still
 * holds what could be read, "?" for the rest). */
int btf_host_read(struct btf_host *h, const char *root, char *why, size_t wl);

/* BTFHub path of h: "ID/VERSION_ID/ARCH/RELEASE.btf.tar.xz". */
void btf_host_path(const struct btf_host *h, char *buf, size_t len);

#endif
