/* fuzz_packet.c - libFuzzer target for the frame parser (packet.c).
 *
 * Input: the first byte picks the link type (index into links[], modulo its
 * length); the rest is the captured frame.  The callback traps unless every
 * message it is handed lies inside the frame.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/packet.h"

/* Keep this order: the seed corpus (tests/fuzz/corpus/packet, written by
 * tests/fixtures/gen_fixtures.py) uses these indexes. */
static const int links[] = {
    PKT_LINK_EN10MB, PKT_LINK_LINUX_SLL, PKT_LINK_LINUX_SLL2, PKT_LINK_RAW,   PKT_LINK_IPV4,
    PKT_LINK_IPV6,   PKT_LINK_NULL,	 PKT_LINK_LOOP,	      PKT_LINK_PKTAP,
};

struct frame {
	const uint8_t *data;
	size_t size;
};

static void check_msg(const struct pkt_dns *d, void *ctx)
{
	const struct frame *f = ctx;
	if (!d->msg || d->msg < f->data || d->msg_len > f->size ||
	    (size_t)(d->msg - f->data) > f->size - d->msg_len)
		__builtin_trap();
	if (d->family != AF_INET && d->family != AF_INET6)
		__builtin_trap();
	if (d->proto != IPPROTO_UDP && d->proto != IPPROTO_TCP)
		__builtin_trap();
	/* Touch every byte so ASan sees any out-of-bounds range. */
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < d->msg_len; i++)
		sum ^= d->msg[i];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	struct frame f = {data + 1, size - 1};
	enum pkt_status st = packet_parse(link, f.data, f.size, check_msg, &f);
	if (st != PKT_OK && st != PKT_NOT_IP && st != PKT_NOT_TRANSPORT && st != PKT_MALFORMED)
		__builtin_trap();
	return 0;
}
