/* ip_frag.h - IPv4 and IPv6 fragments put back together (RFC 791, RFC 8200
 * 4.5), bounded in memory and in age.
 *
 * Part of the wire stage (see packet.h).  Datagrams under way are keyed by
 * family, addresses, protocol (IPv4) and identification.  Limits: at most
 * IP_FRAG_MAX_DATAGRAMS under way and IP_FRAG_MAX_BYTES buffered in all
 * (the oldest is evicted to make room), each at most 65535 bytes and
 * IP_FRAG_MAX_PIECES fragments, and a datagram not complete
 * IP_FRAG_TIMEOUT_NS after its first fragment (capture time) is dropped.
 * IPv4 overlaps keep the bytes that came first; an IPv6 datagram with
 * overlapping fragments (exact duplicates too, as RFC 8200 4.5 allows) is
 * refused whole, with any of its fragments still to come (RFC 5722).  Every drop is counted.
 */
#ifndef DNSVIS_WIRE_IP_FRAG_H
#define DNSVIS_WIRE_IP_FRAG_H

#include <stddef.h>
#include <stdint.h>

#define IP_FRAG_MAX_DATAGRAMS 256
#define IP_FRAG_MAX_BYTES     (4u << 20)
#define IP_FRAG_MAX_PIECES    64
#define IP_FRAG_TIMEOUT_NS    (30ull * 1000000000ull)
#define IP_FRAG_HDR_MAX	      64 /* the header kept from the first fragment */

struct ip_frag_key {
	int family;
	uint8_t proto; /* IPv4; 0 for IPv6 (the next header is per fragment) */
	uint32_t id;
	uint8_t saddr[16], daddr[16];
};

struct ip_frag_stats {
	unsigned long long fragments; /* fragments seen */
	unsigned long long datagrams; /* datagrams put together */
	unsigned long long timed_out; /* datagrams dropped incomplete: too old */
	unsigned long long evicted;   /* datagrams dropped incomplete: no room */
	unsigned long long refused;   /* datagrams refused: overlap (IPv6), bad sizes */
};

struct ip_frags;

struct ip_frags *ip_frags_new(void);
void ip_frags_free(struct ip_frags *t);
const struct ip_frag_stats *ip_frags_stats(const struct ip_frags *t);

enum ip_frag_result {
	IP_FRAG_HELD,	 /* kept; the datagram is not complete */
	IP_FRAG_DONE,	 /* *dgram holds the whole datagram */
	IP_FRAG_DROPPED, /* not kept (refused, over a limit) */
};

/* One fragment: its payload data[0..len) at byte offset off of the
 * datagram's payload, more: more fragments follow.  hdr[0..hlen): the
 * header the caller wants in front of the whole payload, taken from the
 * fragment at offset 0.  On IP_FRAG_DONE, *dgram (hlen + payload bytes,
 * valid until the next call) and *dgram_len; the caller fixes the length
 * fields of the header in it. */
enum ip_frag_result ip_frags_add(struct ip_frags *t, const struct ip_frag_key *k, size_t off,
				 int more, const uint8_t *data, size_t len, const uint8_t *hdr,
				 size_t hlen, uint64_t now_ns, uint8_t **dgram, size_t *dgram_len);

#endif
