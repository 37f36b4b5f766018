/* fuzz_ip_frag.c - libFuzzer target for IP fragment reassembly
 * (wire/ip_frag.c), checked against a model.
 *
 * Input: byte 0: bit 0 IPv6, bit 1 drop some fragments; then bytes that
 * drive the rest.  A datagram payload of up to 8 KiB (byte i is i * 7) is
 * cut into fragments at multiples of 8, sent in an input-chosen order,
 * some twice, some widened over their neighbour (an overlap), interleaved
 * with fragments of other datagrams that never complete.  When every byte
 * was sent: IPv4 must complete with exactly the payload (overlaps keep the
 * first bytes, which are the same here); IPv6 must complete exactly when
 * no fragment overlapped another, an exact duplicate included (RFC 5722;
 * RFC 8200 lets an implementation refuse those too), and never after one.  A datagram is never
 * completed with a byte missing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/ip_frag.h"

#define MAX_FRAGS 128

struct frag {
	uint32_t off, len;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t payload[8192];
	static struct frag fr[MAX_FRAGS];
	static uint8_t hdr[40], sent[8192];
	struct ip_frag_key key = {AF_INET, 17, 0x1234, {10, 0, 0, 1}, {10, 0, 0, 2}}, other = key;
	size_t pos = 1, n = 0, total;
	int v6, lossy, overlap = 0, done = 0;
	struct ip_frags *t;

	if (size < 2)
		return 0;
#define NEXT() (pos < size ? data[pos++] : (uint8_t)(pos++ * 37))
	v6 = data[0] & 1;
	lossy = (data[0] & 2) != 0;
	if (v6) {
		key.family = other.family = AF_INET6;
		key.proto = other.proto = 0;
	}
	total = 8 + (size_t)NEXT() * 32;
	for (size_t i = 0; i < total; i++)
		payload[i] = (uint8_t)(i * 7);
	memset(sent, 0, sizeof(sent));
	for (uint32_t off = 0; off < total && n < MAX_FRAGS; n++) {
		uint32_t len = 8 * (1 + NEXT() % 32);

		if (len > total - off || n == MAX_FRAGS - 1)
			len = (uint32_t)(total - off);
		fr[n].off = off;
		fr[n].len = len;
		off += len;
	}
	for (size_t i = 0; i < n; i++) { /* neighbour swaps */
		size_t j = i + NEXT() % 4;
		struct frag x;

		if (j >= n)
			continue;
		x = fr[i];
		fr[i] = fr[j];
		fr[j] = x;
	}
	t = ip_frags_new();
	if (!t)
		return 0;
	memset(hdr, 0x45, sizeof(hdr));
	for (size_t i = 0; i < n && !done; i++) {
		uint8_t b = NEXT(), *dg;
		size_t dlen, len = fr[i].len;
		int more = fr[i].off + len < total;
		enum ip_frag_result res;

		if (lossy && (b & 7) == 0)
			continue; /* dropped */
		if ((b & 8) && more && len + 8 < total - fr[i].off)
			len += 8; /* over the next fragment */
		if (b & 16) {	  /* another datagram's fragment, never completed */
			other.id = b;
			ip_frags_add(t, &other, 8u * b, 1, payload, 8, hdr, 20, i, &dg, &dlen);
		}
		for (int rep = 0; rep < ((b & 32) ? 2 : 1) && !done; rep++) {
			if (memchr(sent + fr[i].off, 1, len))
				overlap = 1; /* bytes sent before: an overlap */
			memset(sent + fr[i].off, 1, len);
			res = ip_frags_add(t, &key, fr[i].off, more, payload + fr[i].off, len, hdr,
					   v6 ? 40 : 20, i, &dg, &dlen);
			if (res != IP_FRAG_DONE)
				continue;
			done = 1;
			if (memchr(sent, 0, total) || (v6 && overlap))
				__builtin_trap(); /* bytes missing, or an overlap let through */
			if (dlen != (v6 ? 40u : 20u) + total ||
			    memcmp(dg + (v6 ? 40 : 20), payload, total) != 0 ||
			    memcmp(dg, hdr, v6 ? 40 : 20) != 0)
				__builtin_trap();
		}
	}
	if (!done && !memchr(sent, 0, total) && !(v6 && overlap))
		__builtin_trap(); /* every byte came: it must have completed */
	if (ip_frags_stats(t)->datagrams != (unsigned)done)
		__builtin_trap();
	ip_frags_free(t);
	return 0;
}
