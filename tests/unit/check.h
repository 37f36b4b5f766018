/* check.h - the minimal assertion harness the unit tests share.
 * Each test binary prints its failures, then "NAME: N passed, N failed",
 * and exits non-zero if anything failed. */
#ifndef DNSVIS_CHECK_H
#define DNSVIS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (cond) {                                                              \
			check_passed++;                                                  \
		} else {                                                                 \
			check_failed++;                                                  \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
				__func__, #cond);                                        \
		}                                                                        \
	} while (0)

#define CHECK_INT(got, want)                                                             \
	do {                                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want);                 \
		if (g_ == w_) {                                                          \
			check_passed++;                                                  \
		} else {                                                                 \
			check_failed++;                                                  \
			fprintf(stderr, "%s:%d: %s: %s == %lld, want %lld\n", __FILE__,    \
				__LINE__, __func__, #got, g_, w_);                       \
		}                                                                        \
	} while (0)

#define CHECK_STR(got, want)                                                             \
	do {                                                                             \
		const char *g_ = (got), *w_ = (want);                                    \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                                   \
			check_passed++;                                                  \
		} else {                                                                 \
			check_failed++;                                                  \
			fprintf(stderr, "%s:%d: %s: %s == \"%s\", want \"%s\"\n", __FILE__, \
				__LINE__, __func__, #got, g_ ? g_ : "(null)",            \
				w_ ? w_ : "(null)");                                     \
		}                                                                        \
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
