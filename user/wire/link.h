/* link.h - the link layers of captured frames, down to the IP packet.
 *
 * Part of the wire stage (see packet.h): the link types libpcap writes for
 * the interfaces DNS is captured on, each unwrapped to the IPv4 or IPv6
 * packet it carries.  Every read is checked against the captured length.
 */
#ifndef DNSVIS_WIRE_LINK_H
#define DNSVIS_WIRE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "wire/packet.h"

/* Does link_unwrap() know this LINKTYPE_ value? */
int link_supported(int linktype);

/* The network-layer packet of one frame: *ip and *len, and *version 4 or 6
 * when the link header says which (0: the version nibble decides).
 * PKT_OK, or PKT_NOT_IP (ARP, management frames, ...), PKT_MALFORMED or
 * PKT_UNSUPPORTED_LINK. */
enum pkt_status link_unwrap(int linktype, const uint8_t *frame, size_t caplen, const uint8_t **ip,
			    size_t *len, int *version);

/* A LINKTYPE_ name for messages ("NFLOG"); NULL when unknown. */
const char *link_name(int linktype);

#endif
