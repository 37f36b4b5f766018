/* test_btf_lookup.c - the host identity (os-release, uname, test hooks) and
 * the embedded BTF archive: lookup, decompression and corrupt archives. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "btf/archive.h"
#include "check.h"

static void parse(const char *text, const char *want_id, const char *want_ver, int want_rc)
{
	char id[32], ver[32];

	CHECK_INT(btf_os_release_parse(text, id, sizeof(id), ver, sizeof(ver)), want_rc);
	CHECK_STR(id, want_id);
	CHECK_STR(ver, want_ver);
}

static void test_os_release(void)
{
	parse("NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"18.04\"\n", "ubuntu",
	      "18.04", 0);
	parse("ID=\"amzn\"\nVERSION_ID=\"2\"", "amzn", "2", 0);
	parse("ID='centos'\nVERSION_ID='7'\n", "centos", "7", 0);
	parse("# comment ID=bad\n\n  ID=debian\n\tVERSION_ID=10\n", "debian", "10", 0);
	parse("ID=rhel\r\nVERSION_ID=8.4\r\n", "rhel", "8.4", 0);
	parse("ID=ol # trailing comment\nVERSION_ID=\"7.9\" \n", "ol", "7.9", 0);
	parse("ID=\"we\\\"ird\"\nVERSION_ID=1\n", "we\"ird", "1", 0);
	/* later assignments win, as with a shell */
	parse("ID=a\nID=b\nVERSION_ID=1\nVERSION_ID=2\n", "b", "2", 0);
	/* VERSION_ID missing (rolling releases): ID still read */
	parse("ID=arch\nBUILD_ID=rolling\n", "arch", "", 0);
	/* not VERSION_ID, not ID */
	parse("VERSION_ID_X=1\nIDX=2\nMY_ID=3\n", "", "", -1);
	parse("", "", "", -1);
	parse("ID=\nVERSION_ID=\n", "", "", -1);
	parse("ID=\"unterminated\nVERSION_ID=3\n", "unterminated", "3", 0);
	/* truncation to the buffer, never an overflow */
	{
		char id[4], ver[4];

		CHECK_INT(btf_os_release_parse("ID=abcdefgh\nVERSION_ID=123456\n", id, sizeof(id),
					       ver, sizeof(ver)),
			  0);
		CHECK_STR(id, "abc");
		CHECK_STR(ver, "123");
	}
}

static void norm(const char *id, const char *ver, const char *want)
{
	char v[32];

	snprintf(v, sizeof(v), "%s", ver);
	btf_normalize_version(id, v);
	CHECK_STR(v, want);
}

static void test_normalize(void)
{
	norm("rhel", "7.9", "7");
	norm("rhel", "8.4", "8");
	norm("centos", "7.6.1810", "7");
	norm("centos", "8", "8");
	norm("ol", "8.4", "8");
	norm("ol", "7.9", "7");
	norm("ubuntu", "18.04", "18.04");
	norm("debian", "10", "10");
	norm("amzn", "2", "2");
	norm("fedora", "34", "34");
	norm("rhelx", "7.9", "7.9");
	CHECK_STR(btf_normalize_arch("aarch64"), "arm64");
	CHECK_STR(btf_normalize_arch("arm64"), "arm64");
	CHECK_STR(btf_normalize_arch("x86_64"), "x86_64");
}

static char tmpdir[] = "/tmp/test_btf_lookup.XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_host_read(void)
{
	struct btf_host h;
	char why[256] = "", hub[400];

	setenv("DNSVIS_OS_RELEASE", write_tmp("rhel", "ID=\"rhel\"\nVERSION_ID=\"7.9\"\n"), 1);
	setenv("DNSVIS_UNAME_R", "3.10.0-1160.el7.x86_64", 1);
	setenv("DNSVIS_UNAME_M", "x86_64", 1);
	CHECK_INT(btf_host_read(&h, NULL, why, sizeof(why)), 0);
	CHECK_STR(h.id, "rhel");
	CHECK_STR(h.version_id, "7");
	CHECK_STR(h.arch, "x86_64");
	CHECK_STR(h.release, "3.10.0-1160.el7.x86_64");
	btf_host_path(&h, hub, sizeof(hub));
	CHECK_STR(hub, "rhel/7/x86_64/3.10.0-1160.el7.x86_64.btf.tar.xz");

	setenv("DNSVIS_OS_RELEASE", write_tmp("centos", "ID=centos\nVERSION_ID=8.1\n"), 1);
	setenv("DNSVIS_UNAME_R", "4.18.0-147.5.1.el8_1.aarch64", 1);
	setenv("DNSVIS_UNAME_M", "aarch64", 1);
	CHECK_INT(btf_host_read(&h, NULL, why, sizeof(why)), 0);
	btf_host_path(&h, hub, sizeof(hub));
	CHECK_STR(hub, "centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz");

	/* missing VERSION_ID: an error naming it, placeholders in h */
	setenv("DNSVIS_OS_RELEASE", write_tmp("nover", "ID=arch\n"), 1);
	CHECK_INT(btf_host_read(&h, NULL, why, sizeof(why)), -1);
	CHECK(strstr(why, "no VERSION_ID") != NULL);
	CHECK_STR(h.id, "arch");
	CHECK_STR(h.version_id, "?");

	/* missing file */
	setenv("DNSVIS_OS_RELEASE", "/nonexistent/os-release", 1);
	CHECK_INT(btf_host_read(&h, NULL, why, sizeof(why)), -1);
	CHECK(strstr(why, "cannot read /nonexistent/os-release") != NULL);
	CHECK_STR(h.id, "?");
	CHECK_STR(h.release, "4.18.0-147.5.1.el8_1.aarch64");

	/* an over-long release is cut, not overflowed */
	{
		char longrel[400];

		memset(longrel, 'x', sizeof(longrel) - 1);
		longrel[sizeof(longrel) - 1] = 0;
		setenv("DNSVIS_UNAME_R", longrel, 1);
		btf_host_read(&h, NULL, why, sizeof(why));
		CHECK_INT(strlen(h.release), BTF_AR_REL_LEN - 1);
	}
	unsetenv("DNSVIS_OS_RELEASE");
	unsetenv("DNSVIS_UNAME_R");
	unsetenv("DNSVIS_UNAME_M");
	/* the real host: uname always works; os-release may or may not exist */
	btf_host_read(&h, NULL, why, sizeof(why));
	CHECK(h.release[0] != 0 && h.arch[0] != 0);
}

/* --host-root: os-release of the host root, an absolute symbolic link
 * followed inside it, /usr/lib/os-release when /etc has none. */
static void test_host_root(void)
{
	char root[300], p[400], why[256] = "";
	struct btf_host h;

	snprintf(root, sizeof(root), "%s/hostroot", tmpdir);
	snprintf(p, sizeof(p), "%s/etc", root);
	CHECK_INT(mkdir(root, 0755) | mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/usr", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr/lib", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/usr/lib/os-release", root);
	write_file(p, "NAME=\"Amazon Linux\"\nID=\"amzn\"\nVERSION_ID=\"2\"\n");
	setenv("DNSVIS_UNAME_R", "4.14.256-197.484.amzn2.x86_64", 1);
	setenv("DNSVIS_UNAME_M", "x86_64", 1);
	/* no etc/os-release: usr/lib/os-release */
	CHECK_INT(btf_host_read(&h, root, why, sizeof(why)), 0);
	CHECK_STR(h.id, "amzn");
	CHECK_STR(h.version_id, "2");
	/* etc/os-release -> /usr/lib/os-release (absolute): inside the root,
	 * never this machine's /usr/lib/os-release */
	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	CHECK_INT(symlink("/usr/lib/os-release", p), 0);
	CHECK_INT(btf_host_read(&h, root, why, sizeof(why)), 0);
	CHECK_STR(h.id, "amzn");
	/* relative link */
	unlink(p);
	CHECK_INT(symlink("../usr/lib/os-release", p), 0);
	CHECK_INT(btf_host_read(&h, root, why, sizeof(why)), 0);
	CHECK_STR(h.id, "amzn");
	/* a dangling link: the error names the file under the root */
	unlink(p);
	CHECK_INT(symlink("/nonexistent-os-release", p), 0);
	snprintf(p, sizeof(p), "%s/usr/lib/os-release", root);
	unlink(p);
	CHECK_INT(btf_host_read(&h, root, why, sizeof(why)), -1);
	CHECK(strstr(why, "cannot read ") != NULL && strstr(why, root) != NULL);
	unsetenv("DNSVIS_UNAME_R");
	unsetenv("DNSVIS_UNAME_M");
}

/* ---- archives built here ------------------------------------------------ */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

struct kernel {
	const char *id, *ver, *arch, *rel;
	const char *btf; /* stand-in content */
};

static const struct kernel kernels[] = {
    {"amzn", "2", "x86_64", "4.14.256-197.484.amzn2.x86_64", "BTF of amzn 4.14"},
    {"centos", "8", "arm64", "4.18.0-147.5.1.el8_1.aarch64", "BTF of centos 8 arm64"},
    {"ubuntu", "18.04", "x86_64", "4.15.0-1054-aws", "BTF of ubuntu 4.15, a bit longer"},
};
#define NK (sizeof(kernels) / sizeof(kernels[0]))

/* Archive of kernels[] in a malloc'd buffer; *len its size. */
static unsigned char *make_archive(size_t *len)
{
	size_t cap = 65536, off = BTF_AR_HDR_SIZE + NK * BTF_AR_ENTRY_SIZE;
	unsigned char *b = calloc(1, cap);

	memcpy(b, BTF_AR_MAGIC, 8);
	put32(b + 8, BTF_AR_FORMAT);
	put32(b + 12, NK);
	for (size_t i = 0; i < NK; i++) {
		unsigned char *e = b + BTF_AR_HDR_SIZE + i * BTF_AR_ENTRY_SIZE;
		const struct kernel *k = &kernels[i];
		uLongf zl = (uLongf)(cap - off);
		size_t rl = strlen(k->btf);

		memcpy(e, k->id, strlen(k->id));
		memcpy(e + BTF_AR_ID_LEN, k->ver, strlen(k->ver));
		memcpy(e + BTF_AR_ID_LEN + BTF_AR_VER_LEN, k->arch, strlen(k->arch));
		memcpy(e + BTF_AR_ID_LEN + BTF_AR_VER_LEN + BTF_AR_ARCH_LEN, k->rel,
		       strlen(k->rel));
		compress(b + off, &zl, (const Bytef *)k->btf, (uLong)rl);
		e += BTF_AR_ENTRY_SIZE - 16;
		put32(e, (uint32_t)off);
		put32(e + 4, (uint32_t)zl);
		put32(e + 8, (uint32_t)rl);
		put32(e + 12, (uint32_t)crc32(0L, (const Bytef *)k->btf, (uInt)rl));
		off += zl;
	}
	*len = off;
	return b;
}

static struct btf_host host(const char *id, const char *ver, const char *arch, const char *rel)
{
	struct btf_host h;

	memset(&h, 0, sizeof(h));
	snprintf(h.id, sizeof(h.id), "%s", id);
	snprintf(h.version_id, sizeof(h.version_id), "%s", ver);
	snprintf(h.arch, sizeof(h.arch), "%s", arch);
	snprintf(h.release, sizeof(h.release), "%s", rel);
	return h;
}

static void test_archive(void)
{
	size_t len, rl;
	unsigned char *b = make_archive(&len), *raw;
	struct btf_archive a;
	struct btf_archive_entry e;
	struct btf_host h;
	char why[256];

	CHECK_INT(btf_archive_open(&a, b, len, why, sizeof(why)), 0);
	CHECK_INT(a.count, NK);
	for (size_t i = 0; i < NK; i++) {
		const struct kernel *k = &kernels[i];

		h = host(k->id, k->ver, k->arch, k->rel);
		CHECK_INT(btf_archive_find(&a, &h, &e), (long long)i);
		CHECK_INT(btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)), 0);
		CHECK_INT(rl, strlen(k->btf));
		CHECK(raw && memcmp(raw, k->btf, rl) == 0);
		free(raw);
	}
	h = host("ubuntu", "18.04", "x86_64", "4.15.0-1055-aws");
	CHECK_INT(btf_archive_find(&a, &h, &e), -1);
	h = host("ubuntu", "18.04", "arm64", "4.15.0-1054-aws");
	CHECK_INT(btf_archive_find(&a, &h, &e), -1);
	h = host("centos", "8.1", "arm64", "4.18.0-147.5.1.el8_1.aarch64"); /* not normalised */
	CHECK_INT(btf_archive_find(&a, &h, &e), -1);

	/* empty archive: valid, no kernels */
	CHECK_INT(btf_archive_open(&a, b, 0, why, sizeof(why)), 0);
	CHECK_INT(a.count, 0);
	h = host("amzn", "2", "x86_64", "4.14.256-197.484.amzn2.x86_64");
	CHECK_INT(btf_archive_find(&a, &h, &e), -1);
	free(b);
}

static int open_fails(unsigned char *b, size_t len, const char *want)
{
	struct btf_archive a;
	char why[256] = "";
	int rc = btf_archive_open(&a, b, len, why, sizeof(why));

	if (rc == 0)
		return 0;
	if (!strstr(why, want)) {
		fprintf(stderr, "why '%s', want '%s'\n", why, want);
		return 0;
	}
	return a.count == 0;
}

static void test_corrupt(void)
{
	size_t len, rl;
	unsigned char *b = make_archive(&len), *c = malloc(len), *raw;
	unsigned char *e0 = c + BTF_AR_HDR_SIZE, *e1 = e0 + BTF_AR_ENTRY_SIZE;
	struct btf_archive a;
	struct btf_archive_entry e;
	char why[256];

#define FRESH() memcpy(c, b, len)
	FRESH();
	c[0] = 'X';
	CHECK(open_fails(c, len, "bad header"));
	CHECK(open_fails(c, 7, "bad header"));
	FRESH();
	put32(c + 8, 2);
	CHECK(open_fails(c, len, "format 2"));
	/* truncated index: count larger than what follows */
	FRESH();
	put32(c + 12, 1000);
	CHECK(open_fails(c, len, "truncated"));
	FRESH();
	put32(c + 12, 0xffffffffu);
	CHECK(open_fails(c, len, "truncated"));
	CHECK(open_fails(b, BTF_AR_HDR_SIZE + BTF_AR_ENTRY_SIZE, "truncated"));
	/* names: not NUL-terminated, empty, a path */
	FRESH();
	memset(e0, 'a', BTF_AR_ID_LEN);
	CHECK(open_fails(c, len, "bad name"));
	FRESH();
	e1[0] = 0;
	CHECK(open_fails(c, len, "bad name"));
	FRESH();
	memcpy(e0 + BTF_AR_ID_LEN, "../x", 5);
	CHECK(open_fails(c, len, "bad name"));
	FRESH();
	memcpy(e0 + BTF_AR_ID_LEN, "..", 3);
	CHECK(open_fails(c, len, "bad name"));
	/* data out of bounds */
	FRESH();
	put32(e0 + BTF_AR_ENTRY_SIZE - 16, (uint32_t)len);
	CHECK(open_fails(c, len, "out of bounds"));
	FRESH();
	put32(e0 + BTF_AR_ENTRY_SIZE - 12, 0xfffffff0u);
	CHECK(open_fails(c, len, "out of bounds"));
	FRESH();
	put32(e0 + BTF_AR_ENTRY_SIZE - 16, 3); /* inside the index */
	CHECK(open_fails(c, len, "out of bounds"));
	FRESH();
	put32(e0 + BTF_AR_ENTRY_SIZE - 8, BTF_AR_RAW_MAX + 1);
	CHECK(open_fails(c, len, "out of bounds"));
	/* the whole archive cut short: last entry's data runs past the end */
	CHECK(open_fails(b, len - 1, "out of bounds"));

	/* bad zlib data: the index is fine, the stream is not */
	FRESH();
	CHECK_INT(btf_archive_open(&a, c, len, why, sizeof(why)), 0);
	btf_archive_entry(&a, 0, &e);
	memset(c + e.offset, 0x55, e.zlen);
	raw = (unsigned char *)"x";
	CHECK_INT(btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)), -1);
	CHECK(raw == NULL && rl == 0);
	CHECK(strstr(why, "corrupt (zlib") != NULL);
	/* a stream cut short */
	FRESH();
	btf_archive_entry(&a, 1, &e);
	e.zlen -= 3;
	CHECK_INT(btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)), -1);
	CHECK(strstr(why, "corrupt") != NULL);
	/* wrong raw size */
	FRESH();
	btf_archive_entry(&a, 1, &e);
	e.rawlen += 1;
	CHECK_INT(btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)), -1);
	CHECK(strstr(why, "corrupt") != NULL);
	/* CRC mismatch */
	FRESH();
	btf_archive_entry(&a, 2, &e);
	e.crc ^= 1;
	CHECK_INT(btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)), -1);
	CHECK(strstr(why, "CRC") != NULL);

	/* every prefix and every single-byte flip: an error or a good
	 * archive, never a crash (ASan watches) */
	for (size_t n = 0; n <= len; n++) {
		memcpy(c, b, n);
		if (btf_archive_open(&a, c, n, why, sizeof(why)) != 0)
			continue;
		for (uint32_t i = 0; i < a.count; i++) {
			btf_archive_entry(&a, i, &e);
			if (btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)) == 0)
				free(raw);
		}
	}
	for (size_t i = 0; i < len; i++) {
		FRESH();
		c[i] ^= 0xa5;
		if (btf_archive_open(&a, c, len, why, sizeof(why)) != 0)
			continue;
		for (uint32_t k = 0; k < a.count; k++) {
			btf_archive_entry(&a, k, &e);
			if (btf_archive_extract(&a, &e, &raw, &rl, why, sizeof(why)) == 0)
				free(raw);
		}
	}
	CHECK(1);
#undef FRESH
	free(c);
	free(b);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_os_release();
	test_normalize();
	test_host_read();
	test_host_root();
	test_archive();
	test_corrupt();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return check_report("btf_lookup");
}
