/* clock.h - the one reading of the clocks: nanoseconds of CLOCK_MONOTONIC
 * (intervals, rate limits, cache ages) and of any other clock (the wall
 * clock offset of kernel timestamps). */
#ifndef DNSVIS_UTIL_CLOCK_H
#define DNSVIS_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL

static inline int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* CLOCK_MONOTONIC, the clock bpf_ktime_get_ns() reads. */
static inline int64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

#endif
