/* test_bolt_reader.c - the bbolt reader (enrich/bolt_reader.c) on a
 * database this test writes in bbolt's layout: v1 -> default -> containers
 * -> <id> (image, labels) under a branch page, inline buckets below it, and
 * the two meta pages.  Also what must not work: a bad checksum, page ids
 * past the file, a truncated file.  With an argument, the database is also
 * written there (the fuzz target's seed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "enrich/bolt_reader.h"

#define PSZ   4096
#define PAGES 8

static uint8_t db[PSZ * PAGES];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}

struct kv {
	const char *k;
	const uint8_t *v;
	size_t vl;
	int bucket;
};

/* A leaf page of kv at out (id, header and elements); its length. */
static size_t leaf(uint8_t *out, uint64_t id, const struct kv *kv, int n)
{
	size_t data = 16 + (size_t)n * 16;

	put64(out, id), put16(out + 8, 0x02), put16(out + 10, (uint16_t)n), put32(out + 12, 0);
	for (int i = 0; i < n; i++) {
		uint8_t *e = out + 16 + i * 16;
		size_t kl = strlen(kv[i].k);

		put32(e, kv[i].bucket ? 1 : 0), put32(e + 4, (uint32_t)(out + data - e));
		put32(e + 8, (uint32_t)kl), put32(e + 12, (uint32_t)kv[i].vl);
		memcpy(out + data, kv[i].k, kl);
		memcpy(out + data + kl, kv[i].v, kv[i].vl);
		data += kl + kv[i].vl;
	}
	return data;
}

/* An inline bucket value of kv into out; its length. */
static size_t inline_bucket(uint8_t *out, const struct kv *kv, int n)
{
	memset(out, 0, 16);
	return 16 + leaf(out + 16, 0, kv, n);
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static void meta(unsigned pg, uint64_t txid, uint64_t root)
{
	uint8_t *p = db + pg * PSZ, *m = p + 16;

	put64(p, pg), put16(p + 8, 0x04);
	put32(m, 0xED0CDAED), put32(m + 4, 2), put32(m + 8, PSZ), put32(m + 12, 0);
	put64(m + 16, root), put64(m + 24, 0), put64(m + 32, 2), put64(m + 40, PAGES);
	put64(m + 48, txid), put64(m + 56, fnv(m, 56));
}

static void build(void)
{
	uint8_t lab[512], ctr[1024], ctrs[2048], ns[4096], empty[64], v1[16] = {0};
	const uint8_t img[] = "localhost/img:1";
	struct kv l[] = {{"io.kubernetes.pod.name", (const uint8_t *)"web-0", 5, 0},
			 {"z", (const uint8_t *)"1", 1, 0}};
	struct kv c[2], cs[1], n[1], e[1], r[1];
	uint8_t *br = db + 4 * PSZ;

	memset(db, 0, sizeof(db));
	c[0] = (struct kv){"image", img, sizeof(img) - 1, 0};
	c[1] = (struct kv){"labels", lab, inline_bucket(lab, l, 2), 1};
	cs[0] = (struct kv){"c1", ctr, inline_bucket(ctr, c, 2), 1};
	n[0] = (struct kv){"containers", ctrs, inline_bucket(ctrs, cs, 1), 1};
	e[0] = (struct kv){"aaa", empty, inline_bucket(empty, NULL, 0), 1};
	leaf(db + 5 * PSZ, 5, e, 1);
	{
		struct kv d[] = {{"default", ns, inline_bucket(ns, n, 1), 1}};

		leaf(db + 6 * PSZ, 6, d, 1);
	}
	/* page 4: branch over pages 5 ("aaa") and 6 ("default") */
	put64(br, 4), put16(br + 8, 0x01), put16(br + 10, 2);
	put32(br + 16, 32), put32(br + 20, 3), put64(br + 24, 5);
	put32(br + 32, 16 + 3), put32(br + 36, 7), put64(br + 40, 6);
	memcpy(br + 48, "aaa", 3), memcpy(br + 51, "default", 7);
	put64(v1, 4);
	r[0] = (struct kv){"v1", v1, 16, 1};
	leaf(db + 3 * PSZ, 3, r, 1);
	meta(0, 6, 3);
	meta(1, 7, 3);
}

static int find(const char *id, struct k8s_attr *a, size_t size)
{
	struct bolt_src s = {.fd = -1, .mem = db, .size = size};

	memset(a, 0, sizeof(*a));
	return bolt_containerd_find(&s, id, a);
}

int main(int argc, char **argv)
{
	struct k8s_attr a;

	build();
	if (argc > 1) {
		FILE *f = fopen(argv[1], "wb");

		if (!f || fwrite(db, 1, sizeof(db), f) != sizeof(db) || fclose(f))
			return 1;
	}
	CHECK_INT(find("c1", &a, sizeof(db)), 1);
	CHECK_STR(a.image, "localhost/img:1");
	CHECK_STR(a.pod, "web-0");
	CHECK_STR(a.labels, "");
	CHECK_INT(find("c2", &a, sizeof(db)), 0);
	CHECK_STR(a.image, "");
	CHECK_INT(find("c1", &a, 5 * PSZ), 0); /* pages 5, 6 past the end */
	CHECK_INT(find("c1", &a, 100), 0);     /* meta 0 whole, its root page not */
	CHECK_INT(find("c1", &a, 60), -1);
	db[PSZ + 40]++; /* meta 1 (the newer) broken: meta 0 is used */
	CHECK_INT(find("c1", &a, sizeof(db)), 1);
	db[40]++;
	CHECK_INT(find("c1", &a, sizeof(db)), -1);
	build();
	put64(db + 4 * PSZ + 40, 1000); /* a branch child past the file */
	CHECK_INT(find("c1", &a, sizeof(db)), 0);
	build();
	put32(db + 6 * PSZ + 16 + 12, 0xfffffff0u); /* a value size past the page */
	CHECK_INT(find("c1", &a, sizeof(db)), 0);
	return check_report("bolt_reader");
}
