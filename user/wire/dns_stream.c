/* dns_stream.c - see dns_stream.h. */
#include <stdlib.h>
#include <string.h>

#include "wire/dns_stream.h"

void dns_stream_init(struct dns_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void dns_stream_free(struct dns_stream *s)
{
	uint8_t resync = s->resync;

	free(s->buf);
	dns_stream_init(s);
	s->resync = resync;
}

/* A message's length is known: get ready for its body.  No DNS message
 * is empty, so a zero length means the bytes are not what they seem. */
static void begin_body(struct dns_stream *s, uint32_t want)
{
	s->want = want;
	s->have = 0;
	s->state = want ? DNS_STREAM_BODY : DNS_STREAM_LOST;
}

/* Hand on the assembled message and return to expecting a length. */
static void end_body(struct dns_stream *s, int truncated, dns_stream_msg_fn cb, void *ctx)
{
	cb(s->buf, s->have, truncated, ctx);
	free(s->buf);
	s->buf = NULL;
	s->have = 0;
	s->state = DNS_STREAM_LEN0;
}

/* Bytes for the message in buf; returns how many were taken. */
static size_t take_body(struct dns_stream *s, const uint8_t *p, size_t n, dns_stream_msg_fn cb,
			void *ctx)
{
	size_t k = s->want - s->have;

	if (k > n)
		k = n;
	if (!s->buf) {
		s->buf = malloc(s->want);
		if (!s->buf) { /* no memory: skip the message */
			s->want -= s->have;
			s->state = DNS_STREAM_SKIP;
			return 0;
		}
	}
	memcpy(s->buf + s->have, p, k);
	s->have += (uint32_t)k;
	if (s->have == s->want)
		end_body(s, 0, cb, ctx);
	return k;
}

/* Bytes to skip; returns how many were taken. */
static size_t take_skip(struct dns_stream *s, size_t n)
{
	size_t k = s->want < n ? s->want : n;

	s->want -= (uint32_t)k;
	if (s->want == 0)
		s->state = DNS_STREAM_LEN0;
	return k;
}

/* At a length: messages that lie whole in p go out without a copy; returns
 * how many bytes were used (the rest starts a length or a body). */
static size_t take_whole(const uint8_t *p, size_t n, dns_stream_msg_fn cb, void *ctx)
{
	size_t pos = 0;

	while (n - pos >= 2) {
		size_t mlen = ((size_t)p[pos] << 8) | p[pos + 1];

		if (mlen == 0 || mlen > n - pos - 2)
			break;
		cb(p + pos + 2, mlen, 0, ctx);
		pos += 2 + mlen;
	}
	return pos;
}

void dns_stream_resync(struct dns_stream *s, int lost)
{
	s->resync = 1;
	if (lost) {
		dns_stream_free(s);
		s->resync = 1;
		s->state = DNS_STREAM_LOST;
	}
}

int dns_stream_plausible(const uint8_t *p)
{
	size_t len = ((size_t)p[0] << 8) | p[1];
	const uint8_t *h = p + 2;
	unsigned flags = ((unsigned)h[2] << 8) | h[3];
	unsigned opcode = (flags >> 11) & 15, qr = flags >> 15;
	size_t qd = ((size_t)h[4] << 8) | h[5], an = ((size_t)h[6] << 8) | h[7];
	size_t ns = ((size_t)h[8] << 8) | h[9], ar = ((size_t)h[10] << 8) | h[11];

	if (len < 12 || opcode == 3 || opcode > 6 || (flags & 0x40))
		return 0;
	/* a question is at least 5 bytes (root name, type, class), a record 11 */
	if (12 + qd * 5 + (an + ns + ar) * 11 > len)
		return 0;
	if (qd + an + ns + ar == 0 && len != 12)
		return 0; /* nothing to fill the rest */
	if (!qr && ((flags & 15) || (opcode == 0 && an)))
		return 0;
	return 1;
}

/* LOST with resync: try each offset, the probe's bytes (left by the last
 * piece) first.  Returns how many bytes of data were used; the state is
 * LEN0 again when a candidate passed. */
static size_t find_framing(struct dns_stream *s, const uint8_t *data, size_t len,
			   dns_stream_msg_fn cb, void *ctx)
{
	size_t pos = 0;

	while (s->probe_len > 0) {
		while (s->probe_len < DNS_STREAM_PROBE && pos < len)
			s->probe[s->probe_len++] = data[pos++];
		if (s->probe_len < DNS_STREAM_PROBE)
			return pos;
		if (dns_stream_plausible(s->probe)) {
			uint8_t p[DNS_STREAM_PROBE];

			memcpy(p, s->probe, sizeof(p));
			s->probe_len = 0;
			s->state = DNS_STREAM_LEN0;
			dns_stream_feed(s, p, sizeof(p), cb, ctx);
			return pos;
		}
		memmove(s->probe, s->probe + 1, DNS_STREAM_PROBE - 1);
		s->probe_len = DNS_STREAM_PROBE - 1;
		if (pos >= DNS_STREAM_PROBE - 1) { /* the probe is all data: go on in place */
			s->probe_len = 0;
			pos -= DNS_STREAM_PROBE - 1;
		}
	}
	for (; len - pos >= DNS_STREAM_PROBE; pos++)
		if (dns_stream_plausible(data + pos)) {
			s->state = DNS_STREAM_LEN0;
			return pos;
		}
	memcpy(s->probe, data + pos, len - pos);
	s->probe_len = (uint8_t)(len - pos);
	return len;
}

void dns_stream_feed(struct dns_stream *s, const uint8_t *data, size_t len, dns_stream_msg_fn cb,
		     void *ctx)
{
	size_t pos = 0;

	while (pos < len) {
		switch (s->state) {
		case DNS_STREAM_LEN0:
			pos += take_whole(data + pos, len - pos, cb, ctx);
			if (len - pos >= 2) {
				begin_body(s, ((uint32_t)data[pos] << 8) | data[pos + 1]);
				pos += 2;
			} else if (len - pos == 1) {
				s->len_hi = data[pos++];
				s->state = DNS_STREAM_LEN1;
			}
			break;
		case DNS_STREAM_LEN1:
			begin_body(s, ((uint32_t)s->len_hi << 8) | data[pos++]);
			break;
		case DNS_STREAM_BODY:
			pos += take_body(s, data + pos, len - pos, cb, ctx);
			break;
		case DNS_STREAM_SKIP:
			pos += take_skip(s, len - pos);
			break;
		default: /* DNS_STREAM_LOST */
			if (!s->resync)
				return;
			pos += find_framing(s, data + pos, len - pos, cb, ctx);
			break;
		}
	}
}

void dns_stream_gap(struct dns_stream *s, size_t n, dns_stream_msg_fn cb, void *ctx)
{
	if (n == 0)
		return;
	s->probe_len = 0; /* what it held is not followed by what comes next */
	switch (s->state) {
	case DNS_STREAM_BODY: {
		size_t rest = s->want - s->have;

		if (s->have)
			cb(s->buf, s->have, 1, ctx);
		free(s->buf);
		s->buf = NULL;
		s->state = DNS_STREAM_SKIP;
		s->want = (uint32_t)rest;
		take_skip(s, n);
		if (n > rest)
			s->state = DNS_STREAM_LOST;
		break;
	}
	case DNS_STREAM_SKIP:
		if (n > s->want)
			s->state = DNS_STREAM_LOST;
		else
			take_skip(s, n);
		break;
	default:
		s->state = DNS_STREAM_LOST;
		break;
	}
}

void dns_stream_flush(struct dns_stream *s, dns_stream_msg_fn cb, void *ctx)
{
	if (s->state == DNS_STREAM_BODY && s->have)
		end_body(s, 1, cb, ctx);
	dns_stream_free(s);
}
