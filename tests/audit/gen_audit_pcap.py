#!/usr/bin/env python3
"""gen_audit_pcap.py OUT.pcap - the capture the audit tests replay.

Standard library only; the bytes are the same on every run.  Classic pcap,
Ethernet, IPv4/UDP (plus one IPv6 query), fixed timestamps from
1700000000 (2023-11-14T22:13:20Z), one packet per second.

Queries (source -> server, name, qtype), in file order:
  10.0.0.1 -> 10.96.0.10  google.com                     A
  10.0.0.1 -> 10.96.0.10  google.com                     AAAA
  10.0.0.1 -> 10.96.0.10  GOOGLE.com                     A      (case folds)
  10.0.0.1 -> 10.96.0.10  google.com.svc.cluster.local   A      (search expansion)
  10.0.0.1 -> 10.96.0.10  www.example.org                A
  10.0.0.1 -> 8.8.8.8     evil.test                      TXT
  10.0.0.2 -> 10.96.0.10  api.example.org                SRV
  10.0.0.2 -> 10.96.0.10  google.com.evil.net            A      (not a search domain)
  10.0.0.2 -> 10.96.0.10  x.malware.bad                  A
  10.0.0.2 -> 10.96.0.10  x.malware.bad                  MX
  fd00::5  -> fd00::53    v6.example.org                 AAAA
plus a response (10.96.0.10 -> 10.0.0.1) and a non-DNS UDP packet, which
the report does not count.
"""
import struct
import sys

QUERIES = [
    ("10.0.0.1", "10.96.0.10", "google.com", 1),
    ("10.0.0.1", "10.96.0.10", "google.com", 28),
    ("10.0.0.1", "10.96.0.10", "GOOGLE.com", 1),
    ("10.0.0.1", "10.96.0.10", "google.com.svc.cluster.local", 1),
    ("10.0.0.1", "10.96.0.10", "www.example.org", 1),
    ("10.0.0.1", "8.8.8.8", "evil.test", 16),
    ("10.0.0.2", "10.96.0.10", "api.example.org", 33),
    ("10.0.0.2", "10.96.0.10", "google.com.evil.net", 1),
    ("10.0.0.2", "10.96.0.10", "x.malware.bad", 1),
    ("10.0.0.2", "10.96.0.10", "x.malware.bad", 15),
    ("fd00::5", "fd00::53", "v6.example.org", 28),
]
T0 = 1700000000


def qname(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns(txid, name, qtype, response=False):
    flags = 0x8180 if response else 0x0100
    return struct.pack("!HHHHHH", txid, flags, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def udp_packet(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if ":" in src:
        ip = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + ip6(src) + ip6(dst)
        eth_type = 0x86DD
    else:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, ip4(src), ip4(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        ip = hdr
        eth_type = 0x0800
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", eth_type)
    return eth + ip + udp


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_audit_pcap.py OUT.pcap")
    pkts = []
    for i, (src, dst, name, qtype) in enumerate(QUERIES):
        pkts.append(udp_packet(src, dst, 40000 + i, 53, dns(0x100 + i, name, qtype)))
    pkts.append(udp_packet("10.96.0.10", "10.0.0.1", 53, 40000, dns(0x100, "google.com", 1, True)))
    pkts.append(udp_packet("10.0.0.1", "10.0.0.9", 40100, 9999, b"not dns"))
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", T0 + i, 0, len(p), len(p)))
            f.write(p)


if __name__ == "__main__":
    main()
