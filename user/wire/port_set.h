/* port_set.h - the set of DNS server ports (--port), shared by replay and
 * the live tracer. */
#ifndef DNSVIS_PORT_SET_H
#define DNSVIS_PORT_SET_H

#include <stdint.h>

#define PORT_SET_MAX 16

struct port_set {
	unsigned n;
	uint16_t port[PORT_SET_MAX];
};

/* Add the port named by arg ("53"); -1 with a reason on a bad number or a
 * full set. */
int port_set_add(struct port_set *s, const char *arg, const char **why);
/* The default set {53} when nothing was added. */
void port_set_default(struct port_set *s);
int port_set_has(const struct port_set *s, uint16_t port);

#endif
