/* gai_client.c - getaddrinfo(3) of one name, for the live tests: built with
 * musl-gcc, it is musl's stub resolver (Alpine's), which reads
 * /etc/resolv.conf, binds its UDP socket and sends A and AAAA at once with
 * sendto(2), then polls and reads the answers with recvfrom(2).
 *
 * usage: gai_client NAME
 * Prints one line per address family found; exit 0 when the name resolved,
 * 1 when it did not, 2 on bad usage. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: gai_client NAME\n");
		return 2;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(argv[1], NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "gai_client: %s: %s\n", argv[1], gai_strerror(rc));
		return 1;
	}
	for (const struct addrinfo *p = res; p; p = p->ai_next)
		printf("%s\n", p->ai_family == AF_INET6 ? "AF_INET6" : "AF_INET");
	freeaddrinfo(res);
	return 0;
}
