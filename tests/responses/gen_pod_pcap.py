#!/usr/bin/env python3
"""Write a capture of a pod's lookup of google.com through its search list,
as the seed's pod trace shows it (ndots:5; glibc asks A and AAAA): each of
google.com.default.svc.cluster.local, google.com.svc.cluster.local and
google.com.cluster.local answered NXDOMAIN, then google.com answered.

Usage: gen_pod_pcap.py OUT.pcap [GAP_SECONDS]
GAP_SECONDS (default 0.001) is the time between one exchange and the next:
a gap of 10 makes the queries too far apart to be one lookup.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_capture import QUERY, RESP, Capture, ip4, message, rr, udp  # noqa: E402

POD, DNS = "10.42.0.15", "10.43.0.10"


def main():
    gap = float(sys.argv[2]) if len(sys.argv) > 2 else 0.001
    cap, t, txid = Capture(), 0.0, 0x100
    names = ["google.com.default.svc.cluster.local", "google.com.svc.cluster.local",
             "google.com.cluster.local", "google.com"]
    for name in names:
        for qtype in (1, 28):
            sport = 41000 + txid % 2
            cap.add(t, udp(POD, sport, DNS, 53, message(txid, QUERY, (name, qtype))))
            if name == "google.com":
                rdata = ip4("142.250.74.46") if qtype == 1 else bytes.fromhex(
                    "2a001450400f080d000000000000200e")
                resp = message(txid, RESP, (name, qtype), an=[rr(name, qtype, rdata)])
            else:
                resp = message(txid, RESP | 3, (name, qtype))
            cap.add(t + 0.0004, udp(DNS, 53, POD, sport, resp))
            txid += 1
            t += gap
    cap.write(sys.argv[1])


if __name__ == "__main__":
    main()
