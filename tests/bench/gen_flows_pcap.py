#!/usr/bin/env python3
"""gen_flows_pcap.py OUT.pcap [FLOWS] - many concurrent DNS-over-TCP flows.

FLOWS (default 100000) clients each open a connection to 192.0.2.53:53
(SYN); then every client sends the end of a length-prefixed A query
padded to 1200 bytes (EDNS padding, RFC 7830), ahead of its start, which
a reassembler has to hold; then every client sends the first 100 bytes;
then a FIN.  So all FLOWS streams are open at the same time, each holding
1.1 KB out of order.  For the
memory benchmark of replay's TCP reassembly (bench-replay.sh): memory must
stay bounded however many flows there are.  Checksums are left zero.
"""
import struct
import sys


def query(txid, name):
    q = struct.pack(">HHHHHH", txid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    q = q[:10] + struct.pack(">H", 1) + q[12:]  # ARCOUNT 1: the OPT record
    pad = 1200 - len(q) - 11 - 4
    q += b"\0" + struct.pack(">HHIH", 41, 1232, 0, 4 + pad) + struct.pack(">HH", 12, pad)
    q += b"\0" * pad
    return struct.pack(">H", len(q)) + q


def frame(i, seq, flags, payload):
    src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
    sport = 20000 + (i % 40000)
    tcp = struct.pack(">HHIIBBHHH", sport, 53, seq, 1, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0x4000, 64, 6, 0,
                     src, bytes([192, 0, 2, 53]))
    return b"\x02\0\0\0\0\1\x02\0\0\0\0\2\x08\0" + ip + tcp


def main():
    out = sys.argv[1]
    flows = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        t = [1714564800, 0]

        def put(fr):
            t[1] += 1
            f.write(struct.pack("<IIII", t[0] + t[1] // 1000000, t[1] % 1000000, len(fr),
                                len(fr)))
            f.write(fr)

        msgs = [query(i & 0xffff, "host%d.example.com" % i) for i in range(flows)]
        for i in range(flows):
            put(frame(i, 1000, 0x02, b""))
        for i in range(flows):
            put(frame(i, 1101, 0x18, msgs[i][100:]))
        for i in range(flows):
            put(frame(i, 1001, 0x18, msgs[i][:100]))
        for i in range(flows):
            put(frame(i, 1001 + len(msgs[i]), 0x11, b""))


if __name__ == "__main__":
    main()
