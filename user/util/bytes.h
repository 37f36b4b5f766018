/* bytes.h - integers from unaligned bytes: network (big-endian) order for
 * protocol headers, little-endian for capture-format fields. */
#ifndef DNSVIS_UTIL_BYTES_H
#define DNSVIS_UTIL_BYTES_H

#include <stdint.h>

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint32_t le32(const uint8_t *p)
{
	return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)((p[1] << 8) | p[0]);
}

static inline uint64_t le64(const uint8_t *p)
{
	return ((uint64_t)le32(p + 4) << 32) | le32(p);
}

#define HEX_DIGITS_LC "0123456789abcdef"
#define HEX_DIGITS_UC "0123456789ABCDEF"

#endif
