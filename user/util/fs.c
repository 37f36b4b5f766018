/* fs.c - see fs.h. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

int fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

char *fs_read_all(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *b = NULL;
	size_t cap = 0, n = 0;
	int err = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t r;

		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 16384;
			char *nb;

			if (cap > max + 1) {
				err = 1; /* larger than max */
				break;
			}
			nb = realloc(b, ncap);
			if (!nb) {
				err = 1;
				break;
			}
			b = nb;
			cap = ncap;
		}
		r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f) || n > max)
		err = 1;
	fclose(f);
	if (err) {
		free(b);
		return NULL;
	}
	b[n] = 0;
	*len = n;
	return b;
}
