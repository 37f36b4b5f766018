/* fuzz_json_reader.c - libFuzzer target for the JSON reader (json_reader.c)
 * and the state-file parsers built on it (runtime_state.c).
 *
 * The input is one JSON document, copied into a heap buffer of exactly its
 * size with no NUL after it, so ASan reports any read past the end.  Keys
 * are looked up at the top level and nested (Config -> Labels, annotations
 * -> the Kubernetes keys), every member is walked a few levels deep, each
 * string found is decoded into buffers from 1 byte to 4 KiB, and the
 * docker, OCI and podman parsers and the label formatter run on the whole
 * document.  What must hold for any input traps when it does not: pointers
 * stay inside the buffer, a member walk always moves forward, decoded
 * strings are NUL-terminated inside their buffer, a shorter buffer gets a
 * prefix of what a longer one gets and the same verdict, the first member
 * of an object is what a lookup of its key finds, and an all-ASCII document
 * decodes to valid UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/json_reader.h"
#include "enrich/k8s_meta.h"
#include "enrich/runtime_state.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* The id the podman seed (corpus/json_reader/podman_containers) lists. */
#define PODMAN_ID "3c1f9e0a7b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"

#define WALK_DEPTH 4

struct doc {
	const char *p, *end;
	int ascii; /* no byte >= 0x80: decoded strings must be valid UTF-8 */
};

static void require_within(const struct doc *d, const char *p)
{
	REQUIRE(p == NULL || (p >= d->p && p <= d->end));
}

static void require_terminated(const char *buf, size_t len)
{
	REQUIRE(memchr(buf, 0, len) != NULL);
}

/* Well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int utf8_valid(const unsigned char *s)
{
	while (*s) {
		uint32_t cp;
		int n;

		if (s[0] < 0x80) {
			s++;
			continue;
		}
		if ((s[0] & 0xe0) == 0xc0)
			n = 1, cp = s[0] & 0x1f;
		else if ((s[0] & 0xf0) == 0xe0)
			n = 2, cp = s[0] & 0x0f;
		else if ((s[0] & 0xf8) == 0xf0)
			n = 3, cp = s[0] & 0x07;
		else
			return 0;
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* Decode the value at v into buffers of several sizes (each its own heap
 * block, so a write past it is caught) and compare them. */
static void check_string(const struct doc *d, const char *v)
{
	static const size_t sizes[] = {1, 2, 3, 4, 5, 7, 16, 255, 4096};
	const size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	const size_t big = sizes[nsizes - 1];
	char *full = malloc(big);
	int rfull;

	if (!full)
		return;
	REQUIRE(json_string(v, d->end, NULL, 0) == -1);
	rfull = json_string(v, d->end, full, big);
	REQUIRE(rfull == 0 || rfull == -1);
	require_terminated(full, big);
	if (d->ascii && rfull == 0)
		REQUIRE(utf8_valid((const unsigned char *)full));
	for (size_t i = 0; i + 1 < nsizes; i++) {
		char *out = malloc(sizes[i]);
		int r;

		if (!out)
			break;
		r = json_string(v, d->end, out, sizes[i]);
		require_terminated(out, sizes[i]);
		REQUIRE(r == 0 || r == -1);
		REQUIRE(r == rfull); /* the verdict does not depend on the buffer */
		REQUIRE(strlen(out) <= strlen(full));
		REQUIRE(memcmp(out, full, strlen(out)) == 0);
		if (d->ascii && r == 0)
			REQUIRE(utf8_valid((const unsigned char *)out));
		free(out);
	}
	free(full);
}

static void check_skip(const struct doc *d, const char *v)
{
	const char *ws = json_skip_ws(v, d->end);
	const char *past = json_skip_value(v, d->end);

	require_within(d, ws);
	REQUIRE(v == NULL || ws >= v);
	require_within(d, past);
	REQUIRE(past == NULL || past >= ws);
}

/* Every member of the object at obj, and the objects inside, WALK_DEPTH
 * levels at most. */
static void walk(const struct doc *d, const char *obj, int depth)
{
	const char *p = json_skip_ws(obj, d->end), *v = NULL;
	char key[64];
	int members = 0;

	if (!p || p >= d->end || *p != '{' || depth > WALK_DEPTH)
		return;
	for (;;) {
		const char *before = p;

		if (!json_next_member(&p, d->end, key, sizeof(key), &v))
			break;
		require_terminated(key, sizeof(key));
		require_within(d, v);
		require_within(d, p);
		REQUIRE(v != NULL && v > before && p > before && p >= v);
		/* the first member is what its key finds (a later one may
		 * share its key); a key that may have been cut is skipped */
		if (members++ == 0 && strlen(key) + 4 < sizeof(key) - 1)
			REQUIRE(json_get(obj, d->end, key) == v);
		check_skip(d, v);
		check_string(d, v);
		walk(d, v, depth + 1);
	}
}

static const char *const top_keys[] = {"Config",   "annotations", "Name", "id", "names",
				       "metadata", "Labels",	  "",	  "a"};
static const char *const nested_keys[] = {"Labels",
					  "Image",
					  "io.kubernetes.pod.name",
					  "io.kubernetes.cri.sandbox-name",
					  "io.kubernetes.cri-o.Labels",
					  "image-name"};

static void check_lookups(const struct doc *d)
{
	for (size_t i = 0; i < sizeof(top_keys) / sizeof(top_keys[0]); i++) {
		const char *v = json_get(d->p, d->end, top_keys[i]);

		require_within(d, v);
		if (!v)
			continue;
		check_skip(d, v);
		check_string(d, v);
		for (size_t j = 0; j < sizeof(nested_keys) / sizeof(nested_keys[0]); j++) {
			const char *w = json_get(v, d->end, nested_keys[j]);

			require_within(d, w);
			check_string(d, w);
		}
	}
}

static void check_attr(const struct k8s_attr *a)
{
	require_terminated(a->pod, sizeof(a->pod));
	require_terminated(a->k8s_namespace, sizeof(a->k8s_namespace));
	require_terminated(a->container_name, sizeof(a->container_name));
	require_terminated(a->image, sizeof(a->image));
	require_terminated(a->labels, sizeof(a->labels));
	require_terminated(a->ci.pod_uid, sizeof(a->ci.pod_uid));
}

static void check_labels(const struct doc *d)
{
	char out[2048], tiny[8];

	out[0] = 0;
	runtime_state_labels(d->p, d->end, out, sizeof(out));
	require_terminated(out, sizeof(out));
	tiny[0] = 0;
	runtime_state_labels(d->p, d->end, tiny, sizeof(tiny));
	require_terminated(tiny, sizeof(tiny));
	/* labels already there are kept */
	memcpy(out, "x=y", 4);
	runtime_state_labels(d->p, d->end, out, sizeof(out));
	REQUIRE(strcmp(out, "x=y") == 0);
}

static void check_parsers(const struct doc *d)
{
	size_t len = (size_t)(d->end - d->p);
	struct k8s_attr a;
	char sb[CTR_ID_MAX], small[4];

	memset(&a, 0, sizeof(a));
	runtime_state_parse_oci(d->p, len, &a, NULL, 0);
	check_attr(&a);
	memset(&a, 0, sizeof(a));
	memset(sb, 0, sizeof(sb));
	runtime_state_parse_oci(d->p, len, &a, sb, sizeof(sb));
	check_attr(&a);
	require_terminated(sb, sizeof(sb));
	for (int sandbox = 0; sandbox <= 1; sandbox++) {
		memset(&a, 0, sizeof(a));
		runtime_state_parse_docker(d->p, len, &a, sandbox, sb, sizeof(sb));
		check_attr(&a);
		require_terminated(sb, sizeof(sb));
		runtime_state_parse_docker(d->p, len, &a, sandbox, small, sizeof(small));
		require_terminated(small, sizeof(small));
	}
	memset(&a, 0, sizeof(a));
	runtime_state_parse_podman(d->p, len, PODMAN_ID, &a);
	check_attr(&a);
	memset(&a, 0, sizeof(a));
	runtime_state_parse_podman(d->p, len, "", &a);
	check_attr(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size); /* ASan: no byte is addressable past size */
	struct doc d;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	d.p = buf;
	d.end = buf + size;
	d.ascii = 1;
	for (size_t i = 0; i < size; i++)
		if (data[i] >= 0x80)
			d.ascii = 0;
	check_skip(&d, d.p);
	check_lookups(&d);
	walk(&d, d.p, 0);
	check_labels(&d);
	check_parsers(&d);
	/* an empty range holds nothing */
	REQUIRE(json_get(d.end, d.end, "a") == NULL);
	REQUIRE(json_skip_value(d.end, d.end) == NULL);
	REQUIRE(json_string(d.end, d.end, buf, size ? 1 : 0) == -1);
	free(buf);
	return 0;
}
