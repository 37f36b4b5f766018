/* fuzz_proc_path.c - libFuzzer target for proc_join_path()
 * (user/enrich/proc_info.c), the reader of the path components a process
 * record carries (exe, cwd, cgroup names: NUL-terminated, leaf first, as
 * many bytes as the record says, the last possibly unterminated).
 *
 * The input is the component bytes, copied into a heap buffer of exactly
 * its size, so ASan reports any read past the end; it is joined into
 * output buffers from 1 byte to 4 KiB.  What must hold for any input: the
 * output is NUL-terminated inside its buffer, starts with '/' when there is
 * room, is no longer than the components with a '/' before each (or "/"),
 * and a shorter buffer gets a prefix of what a longer one gets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/proc_info.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static unsigned components(const char *b, size_t len)
{
	unsigned n = 0;
	size_t i = 0;

	while (i < len && n < PROC_PATH_COMPONENTS) {
		size_t l = strnlen(b + i, len - i);

		if (l == 0)
			break;
		n++;
		i += l + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t outs[] = {1, 2, 7, 64, 4096};
	static char full[4096];
	unsigned len = size > 0xffff ? 0xffff : (unsigned)size;
	char *b = malloc(len ? len : 1);
	unsigned n;

	if (!b)
		return 0;
	memcpy(b, data, len);
	n = components(b, len);
	proc_join_path(b, len, full, sizeof(full));
	for (size_t k = 0; k < sizeof(outs) / sizeof(outs[0]); k++) {
		char *o = malloc(outs[k]);
		size_t ol;

		if (!o)
			break;
		proc_join_path(b, len, o, outs[k]);
		ol = strnlen(o, outs[k]);
		REQUIRE(ol < outs[k]);
		REQUIRE(outs[k] < 2 || o[0] == '/');
		REQUIRE(strncmp(o, full, ol) == 0);
		REQUIRE(ol <= (n ? (size_t)len + 1 : 1));
		free(o);
	}
	free(b);
	return 0;
}
