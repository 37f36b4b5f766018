/* dns_stream.h - DNS over TCP is a byte stream: each message follows a
 * 2-byte length (RFC 1035 4.2.2, RFC 7766 8), and a sender may split a
 * message, or its length, over several writes, or put several messages in
 * one.  This is the one framer of live tracing and replay: bytes go in as
 * they were sent, in whatever pieces, and every message comes out whole (or
 * marked truncated where bytes of it are known to be missing).
 *
 * Memory: a message is copied only when it spans pieces; the copy is at most
 * 65535 bytes and is freed when the message is out.  No DNS message is
 * empty: a zero length leaves the stream DNS_STREAM_LOST, like a gap.
 *
 * A lost stream stays lost (what live tracing wants: a send buffer is one
 * stream of its own) unless resynchronisation is on (dns_stream_resync(),
 * for streams read off the wire): then every offset is tried, in order, as
 * a 2-byte length followed by a plausible DNS header
 * (dns_stream_plausible()), and the first that passes is where framing
 * starts again.  dnscap does the same after a gap, with a full parse.
 */
#ifndef DNSVIS_WIRE_DNS_STREAM_H
#define DNSVIS_WIRE_DNS_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* One message: len bytes at msg (valid during the call only).  truncated:
 * bytes of it are missing (a gap, or flushed before its end); len is then
 * what is known of it, from its start. */
typedef void (*dns_stream_msg_fn)(const uint8_t *msg, size_t len, int truncated, void *ctx);

enum dns_stream_state {
	DNS_STREAM_LEN0 = 0, /* expecting the first byte of a length */
	DNS_STREAM_LEN1,     /* have the first byte of a length */
	DNS_STREAM_BODY,     /* inside a message of `want` bytes */
	DNS_STREAM_SKIP,     /* skipping the rest of a message cut by a gap */
	DNS_STREAM_LOST,     /* a gap hit a length, or a zero length: framing unknown */
};

#define DNS_STREAM_PROBE 14 /* bytes a resync candidate needs: length, header */

struct dns_stream {
	uint8_t *buf;  /* the message being assembled across pieces, or NULL */
	uint32_t want; /* BODY: its length; SKIP: bytes left to skip */
	uint32_t have; /* BODY: bytes of it in buf */
	uint8_t len_hi;
	uint8_t state;	/* enum dns_stream_state */
	uint8_t resync; /* LOST looks for the framing again */
	uint8_t probe_len;
	uint8_t probe[DNS_STREAM_PROBE]; /* LOST: the last bytes, not yet tried */
};

/* An empty stream (also what a zeroed struct is). */
void dns_stream_init(struct dns_stream *s);

/* Turn resynchronisation on; lost: the stream starts lost (picked up
 * mid-way, where the first byte need not start a length). */
void dns_stream_resync(struct dns_stream *s, int lost);

/* Could p[0..DNS_STREAM_PROBE) start a message: a length of at least a
 * header, then a header with a known opcode, Z clear, counts whose
 * smallest records fit in the length, and for a query no rcode and, for
 * QUERY, no answers? */
int dns_stream_plausible(const uint8_t *p);

/* The next len bytes of the stream. */
void dns_stream_feed(struct dns_stream *s, const uint8_t *data, size_t len, dns_stream_msg_fn cb,
		     void *ctx);

/* n bytes of the stream are missing here (not captured, not copied).  A
 * message they cut is handed on truncated; a length they cut leaves the
 * stream DNS_STREAM_LOST until dns_stream_init(). */
void dns_stream_gap(struct dns_stream *s, size_t n, dns_stream_msg_fn cb, void *ctx);

/* The stream ends here: a message under way is handed on truncated. */
void dns_stream_flush(struct dns_stream *s, dns_stream_msg_fn cb, void *ctx);

/* Free what the stream holds; it is empty afterwards. */
void dns_stream_free(struct dns_stream *s);

#endif
