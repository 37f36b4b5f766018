/* fuzz_container.c - libFuzzer target for the cgroup path parsers
 * (user/enrich/container.c): container_parse_path() on one path and
 * container_parse_proc_cgroup() on the contents of /proc/PID/cgroup.
 * Cgroup names are chosen by whoever creates the cgroup (a delegated
 * subtree, a container's own), so they are untrusted bytes.
 *
 * The input is used twice: whole, as /proc/PID/cgroup text in a heap
 * buffer of exactly its size (no NUL after it), so ASan reports any read
 * past the end; and up to its first NUL, as one path.  What must hold for
 * any input: every field is NUL-terminated in its array; a container has a
 * known runtime and an id of 12 to 128 lowercase hex digits found in the
 * path; a pod UID is 32 hex digits, or 36 with its dashes; the QoS class
 * and driver are known words; the chosen line's path is NUL-terminated in
 * buffers from 1 byte to 1 KiB, a shorter buffer gets a prefix of what a
 * longer one gets, and it parses, on its own, to the same container.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/container.h"

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

#define TERMINATED(field) (memchr((field), 0, sizeof(field)) != NULL)

static int one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

static void require_info(const struct container_info *ci, int named, const char *path)
{
	static const char *const runtimes[] = {"docker", "containerd", "cri-o", "podman", NULL};
	static const char *const qos[] = {"", "guaranteed", "burstable", "besteffort", NULL};
	static const char *const drivers[] = {"", "systemd", "cgroupfs", NULL};
	size_t n;

	REQUIRE(TERMINATED(ci->runtime) && TERMINATED(ci->id) && TERMINATED(ci->pod_uid));
	REQUIRE(TERMINATED(ci->qos) && TERMINATED(ci->driver));
	REQUIRE(one_of(ci->qos, qos) && one_of(ci->driver, drivers));
	n = strlen(ci->pod_uid);
	REQUIRE(n == 0 || n == 32 || n == 36);
	REQUIRE(strspn(ci->pod_uid, "0123456789abcdef-") == n);
	if (!named)
		return;
	REQUIRE(one_of(ci->runtime, runtimes));
	n = strlen(ci->id);
	REQUIRE(n >= 12 && n < CTR_ID_MAX && strspn(ci->id, "0123456789abcdef") == n);
	REQUIRE(path && strstr(path, ci->id) != NULL);
}

static void proc_cgroup(const char *text, size_t len)
{
	static const size_t outs[] = {1, 2, 17, 1024};
	struct container_info ci, again;
	char full[1024];
	int named = container_parse_proc_cgroup(text, len, &ci, full, sizeof(full));

	REQUIRE(named == 0 || named == 1);
	REQUIRE(TERMINATED(full));
	require_info(&ci, named, full);
	if (named) {
		REQUIRE(container_parse_path(full, &again) == 1);
		REQUIRE(strcmp(again.id, ci.id) == 0 && strcmp(again.runtime, ci.runtime) == 0);
	}
	for (size_t k = 0; k < sizeof(outs) / sizeof(outs[0]); k++) {
		char *o = malloc(outs[k]);

		if (!o)
			break;
		REQUIRE(container_parse_proc_cgroup(text, len, &again, o, outs[k]) == named);
		REQUIRE(memchr(o, 0, outs[k]) != NULL);
		REQUIRE(strncmp(o, full, strlen(o)) == 0);
		free(o);
	}
	REQUIRE(container_parse_proc_cgroup(text, len, &again, NULL, 0) == named);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size > 65536 ? 65536 : size;
	char *text = malloc(len ? len : 1);
	char *path;
	struct container_info ci;

	if (!text)
		return 0;
	memcpy(text, data, len);
	proc_cgroup(text, len);
	path = strndup(text, len);
	if (path) {
		require_info(&ci, container_parse_path(path, &ci), path);
		free(path);
	}
	free(text);
	return 0;
}
