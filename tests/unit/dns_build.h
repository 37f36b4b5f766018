/* dns_build.h - hand-building DNS messages for the unit tests: a fixed
 * buffer and appenders for integers, labels, names and pointers. */
#ifndef DNSVIS_TEST_DNS_BUILD_H
#define DNSVIS_TEST_DNS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct msgbuf {
	uint8_t b[4096];
	size_t n;
};

static inline void put8(struct msgbuf *m, unsigned v)
{
	if (m->n < sizeof(m->b))
		m->b[m->n++] = (uint8_t)v;
}

static inline void put16(struct msgbuf *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static inline void put32(struct msgbuf *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static inline void putraw(struct msgbuf *m, const void *p, size_t n)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++)
		put8(m, s[i]);
}

/* Labels from a dotted string (no escapes), without the terminating root. */
static inline void putlabels(struct msgbuf *m, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);

		put8(m, (unsigned)l);
		putraw(m, dotted, l);
		dotted += l;
		if (*dotted == '.')
			dotted++;
	}
}

static inline void putname(struct msgbuf *m, const char *dotted)
{
	putlabels(m, dotted);
	put8(m, 0);
}

static inline void putptr(struct msgbuf *m, unsigned target)
{
	put16(m, 0xc000 | target);
}

static inline void header(struct msgbuf *m, unsigned id, unsigned flags, unsigned qd, unsigned an,
			  unsigned ns, unsigned ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

#endif
