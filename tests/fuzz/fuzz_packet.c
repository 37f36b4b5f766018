/* fuzz_packet.c - libFuzzer target for the frame parser (packet.c,
 * link.c), stateless and with a fragment table.
 *
 * Input: the first byte picks the link type (index into links[], modulo its
 * length); the rest is the captured frame.  The callback traps unless every
 * segment it is handed lies inside the frame (stateless) or inside the
 * datagram the table put together.  The frame is also parsed as a run of
 * frames (split at every 0xfe 0xfe), through one fragment table, so
 * reassembled datagrams go through the parser too.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/ip_frag.h"
#include "wire/packet.h"

/* Keep this order: the seed corpus (tests/fuzz/corpus/packet, written by
 * tests/fixtures/gen_fixtures.py) uses these indexes. */
static const int links[] = {
    PKT_LINK_EN10MB, PKT_LINK_LINUX_SLL,  PKT_LINK_LINUX_SLL2,
    PKT_LINK_RAW,    PKT_LINK_IPV4,	  PKT_LINK_IPV6,
    PKT_LINK_NULL,   PKT_LINK_LOOP,	  PKT_LINK_PKTAP,
    PKT_LINK_PPP,    PKT_LINK_PPP_HDLC,	  PKT_LINK_C_HDLC,
    PKT_LINK_FDDI,   PKT_LINK_IEEE802_11, PKT_LINK_IEEE802_11_RADIO,
    PKT_LINK_NFLOG,  PKT_LINK_PPP_ETHER,
};

struct frame {
	const uint8_t *data;
	size_t size;
};

static void check_seg(const struct pkt_segment *d, void *ctx)
{
	const struct frame *f = ctx;
	if (f && (!d->data || d->data < f->data || d->len > f->size ||
		  (size_t)(d->data - f->data) > f->size - d->len))
		__builtin_trap();
	if (d->flow.family != AF_INET && d->flow.family != AF_INET6)
		__builtin_trap();
	if (d->flow.proto != IPPROTO_UDP && d->flow.proto != IPPROTO_TCP)
		__builtin_trap();
	if (d->orig_len < d->len)
		__builtin_trap();
	/* Touch every byte so ASan sees any out-of-bounds range. */
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < d->len; i++)
		sum ^= d->data[i];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	struct frame f = {data + 1, size - 1};
	struct pkt_parser pp = {check_seg, &f, NULL, 0};
	enum pkt_status st = packet_parse(&pp, link, f.data, f.size);
	if (st != PKT_OK && st != PKT_NOT_IP && st != PKT_NOT_TRANSPORT && st != PKT_MALFORMED)
		__builtin_trap();

	/* as frames split at 0xfe 0xfe, through a fragment table */
	struct ip_frags *t = ip_frags_new();
	struct pkt_parser pf = {check_seg, NULL, t, 0};
	size_t start = 0;
	for (size_t i = 0; i + 1 <= f.size; i++) {
		if (i + 1 < f.size && !(f.data[i] == 0xfe && f.data[i + 1] == 0xfe))
			continue;
		size_t end = i + 1 < f.size ? i : f.size;
		pf.now_ns += 1000000000ull;
		packet_parse(&pf, link, f.data + start, end - start);
		start = end + 2;
		i++;
	}
	ip_frags_free(t);
	return 0;
}
