/* host_root.c - the --host-root prefix for host paths (see host_root.h). */
#include "enrich/host_root.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fs.h"

static char root[1024];
static int proc_is_host = -1; /* -1: not asked yet */

int host_root_set(const char *dir)
{
	struct stat st;
	size_t n;

	root[0] = 0;
	proc_is_host = -1;
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

/* "2 (kthreadd) S 0 ...": the name in parentheses, the state, the parent. */
static int pid2_is_kthreadd(void)
{
	char p[1100], line[256];
	unsigned ppid;
	FILE *f = fopen(host_path(p, sizeof(p), "/proc/2/stat"), "re");
	int ok;

	if (!f)
		return 0;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	return ok && sscanf(line, "2 (kthreadd) %*c %u", &ppid) == 1 && ppid == 0;
}

int host_proc_is_host(void)
{
	if (proc_is_host < 0)
		proc_is_host = pid2_is_kthreadd();
	return proc_is_host;
}

int host_pid_alive(uint32_t pid)
{
	char p[1100];

	if (!host_proc_is_host())
		return -1;
	return fs_exists(host_path(p, sizeof(p), "/proc/%u", pid));
}
