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
	free(s->buf);
	dns_stream_init(s);
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
			return;
		}
	}
}

void dns_stream_gap(struct dns_stream *s, size_t n, dns_stream_msg_fn cb, void *ctx)
{
	if (n == 0)
		return;
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
