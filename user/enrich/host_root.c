/* host_root.c - the --host-root prefix for host paths (see host_root.h). */
#include "enrich/host_root.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char root[1024];

int host_root_set(const char *dir)
{
	struct stat st;
	size_t n;

	root[0] = 0;
	if (!dir || !*dir)
		return 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return -1;
	snprintf(root, sizeof(root), "%s", dir);
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = 0;
	return 0;
}

const char *host_root(void)
{
	return root;
}

char *host_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!len)
		return out;
	n = snprintf(out, len, "%s", root);
	if (n < 0 || (size_t)n >= len) {
		out[0] = 0;
		return out;
	}
	va_start(ap, fmt);
	vsnprintf(out + n, len - (size_t)n, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return out;
}
