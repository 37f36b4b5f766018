/* fuzz_bolt_reader.c - libFuzzer target for the bbolt reader
 * (enrich/bolt_reader.c): the input is a whole database file, copied into
 * a heap buffer of exactly its size, so ASan reports any read past it.
 * The lookups are of the seed's container id and of a missing one; what
 * must hold: the verdict is -1, 0 or 1, a miss fills nothing, and the
 * fields found are NUL-terminated inside their buffers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/bolt_reader.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void one(const struct bolt_src *s, const char *id)
{
	struct k8s_attr *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return;
	r = bolt_containerd_find(s, id, a);
	REQUIRE(r >= -1 && r <= 1);
	REQUIRE(memchr(a->image, 0, sizeof(a->image)) && memchr(a->pod, 0, sizeof(a->pod)));
	REQUIRE(memchr(a->k8s_namespace, 0, sizeof(a->k8s_namespace)));
	REQUIRE(memchr(a->container_name, 0, sizeof(a->container_name)));
	if (r <= 0)
		REQUIRE(!a->image[0] && !a->pod[0] && !a->k8s_namespace[0]);
	free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct bolt_src s = {.fd = -1, .mem = buf, .size = size};

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	one(&s, "c1");
	one(&s, "missing");
	free(buf);
	return 0;
}
