/* port_set.c - the configured DNS server ports. */
#include "wire/port_set.h"

#include <errno.h>
#include <stdlib.h>

int port_set_add(struct port_set *s, const char *arg, const char **why)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v == 0 || v > 65535 || arg[0] == '-' || arg[0] == '+') {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	if (port_set_has(s, (uint16_t)v))
		return 0;
	if (s->n >= PORT_SET_MAX) {
		*why = "too many ports (at most 16)";
		return -1;
	}
	s->port[s->n++] = (uint16_t)v;
	return 0;
}

void port_set_default(struct port_set *s)
{
	if (s->n == 0)
		s->port[s->n++] = 53;
}

int port_set_has(const struct port_set *s, uint16_t port)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->port[i] == port)
			return 1;
	return 0;
}
