/* fs.h - small file-system questions and whole-file reads, shared by every
 * stage that reads /proc, /sys, runtime state or list files. */
#ifndef DNSVIS_UTIL_FS_H
#define DNSVIS_UTIL_FS_H

#include <stddef.h>

/* 1 if path is a directory (following links), else 0. */
int fs_is_dir(const char *path);

/* 1 if path exists (following links), else 0. */
int fs_exists(const char *path);

/* The whole file in a malloc'd buffer with a NUL after the last byte; *len
 * gets the byte count.  NULL when it cannot be opened or read, or is larger
 * than max bytes (nothing partial is returned). */
char *fs_read_all(const char *path, size_t max, size_t *len);

#endif
