#!/usr/bin/env python3
"""Write a capture of DNS query/response pairs for the --responses bench.

Usage: gen_pairs_pcap.py OUT.pcap PAIRS
1,000 clients (10.1.x.y, a port each), one server; every 20th query gets
no answer (a timeout), every 10th answer is NXDOMAIN, the others carry a
CNAME and two A records; 1 ms between queries, answers 0.5 ms after them.
Prints "queries answered unanswered" on stdout.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "responses"))
from gen_capture import QUERY, RESP, T0, ip4, message, name, rr, udp  # noqa: E402


def main():
    out, pairs = sys.argv[1], int(sys.argv[2])
    answered = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for i in range(pairs):
            client = "10.1.%d.%d" % (i % 1000 // 250, i % 250 + 1)
            sport, txid = 20000 + i % 1000, i & 0xFFFF
            qn = "host%d.svc%d.example.com" % (i % 5000, i % 7)
            us = i * 1000
            q = udp(client, sport, "10.0.0.53", 53, message(txid, QUERY, (qn, 1)))
            f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000 * 1000, len(q), len(q)))
            f.write(q)
            if i % 20 == 19:
                continue
            if i % 10 == 9:
                body = message(txid, RESP | 3, (qn, 1))
            else:
                body = message(txid, RESP, (qn, 1), an=[
                    rr(qn, 5, name("edge.example.net")),
                    rr("edge.example.net", 1, ip4("192.0.2.%d" % (i % 250 + 1))),
                    rr("edge.example.net", 1, ip4("198.51.100.%d" % (i % 250 + 1)))])
            r = udp("10.0.0.53", 53, client, sport, body)
            us += 500
            f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000 * 1000, len(r), len(r)))
            f.write(r)
            answered += 1
    print(pairs, answered, pairs - answered)


if __name__ == "__main__":
    main()
