#!/usr/bin/env python3
"""Write a capture of varied DNS exchanges, and what dnsvis must report.

Usage: gen_capture.py OUT.pcap OUT_EXPECTED.json

The capture (Ethernet, IPv4, client 10.0.0.2, server 10.0.0.53) holds: a
CNAME chain to two A records and to an AAAA; NXDOMAIN with an SOA in the
authority section, SERVFAIL 250 ms late, REFUSED; one answer each of MX,
TXT, SRV, SOA, CAA, DS, DNSKEY, HTTPS (SvcParams) and a type with no
presentation form here (RFC 3597); a query retried with a new id and
answered on the retry; a query never answered (timed out by a later packet
with --timeout 2) and one still waiting at the end (timed out at end of
input); a response from a server that was not asked (unsolicited, and
its query then times out); a
truncated UDP answer and its retry over TCP; BADCOOKIE through the EDNS
extended rcode bits, with DO set.  The expected records are facts of the
bytes written here (RFC 1035/3597/9460 presentation form), keyed by type
and txid.
"""
import json
import struct
import sys

CLIENT, SERVER, OTHER = "10.0.0.2", "10.0.0.53", "10.0.0.54"
T0 = 1700000000  # seconds; frame times are whole microseconds after it


def name(n):
    out = b""
    for label in n.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, rtype, rdata, ttl=300, rclass=1):
    return name(owner) + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def opt(udp=1232, ext_rcode=0, do=False):
    return b"\0" + struct.pack(">HHBBHH", 41, udp, ext_rcode, 0, 0x8000 if do else 0, 0)


def message(txid, flags, question, an=(), ns=(), ar=()):
    qn, qt = question
    hdr = struct.pack(">HHHHHH", txid, flags, 1, len(an), len(ns), len(ar))
    return hdr + name(qn) + struct.pack(">HH", qt, 1) + b"".join(an) + b"".join(ns) + b"".join(ar)


QUERY = 0x0100  # RD
RESP = 0x8180   # QR RD RA


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    ip4(src), ip4(dst))
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    eth = b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00"
    return eth + h + payload


def udp(src, sport, dst, dport, data):
    return ipv4(src, dst, 17, struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data)


def tcp(src, sport, dst, dport, seq, ack, flags, data=b""):
    h = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    return ipv4(src, dst, 6, h + data)


class Capture:
    def __init__(self):
        self.frames = []

    def add(self, t, frame):
        self.frames.append((int(round(t * 1e6)), frame))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # ns pcap
            for us, fr in sorted(self.frames, key=lambda x: x[0]):
                f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000 * 1000, len(fr),
                                    len(fr)) + fr)


def main():
    cap, want = Capture(), []

    def exchange(t, sport, txid, q, delay, resp_flags=RESP, an=(), ns=(), ar=(), expect=None,
                 server=SERVER, qar=()):
        cap.add(t, udp(CLIENT, sport, SERVER, 53, message(txid, QUERY, q, ar=qar)))
        if delay is not None:
            cap.add(t + delay, udp(server, 53, CLIENT, sport,
                                   message(txid, resp_flags, q, an, ns, ar)))
        if expect:
            expect.setdefault("txid", txid)
            want.append(expect)

    a, aaaa = (lambda s: ip4(s)), (lambda: bytes.fromhex("20010db8" + "0" * 22 + "10"))
    chain = rr("www.example.com", 5, name("edge.example.net"))
    exchange(0.0, 40001, 1, ("www.example.com", 1), 0.012,
             an=[chain, rr("edge.example.net", 1, a("192.0.2.10"), 60),
                 rr("edge.example.net", 1, a("192.0.2.11"), 60)],
             expect={"type": "response", "rcode": "NOERROR", "latency_us": 12000,
                     "flags": ["rd", "ra"],
                     "answers": [["CNAME", "edge.example.net"], ["A", "192.0.2.10"],
                                 ["A", "192.0.2.11"]]})
    exchange(0.1, 40002, 2, ("www.example.com", 28), 0.005,
             an=[chain, rr("edge.example.net", 28, aaaa())],
             expect={"type": "response", "rcode": "NOERROR", "latency_us": 5000,
                     "answers": [["CNAME", "edge.example.net"], ["AAAA", "2001:db8::10"]]})
    soa = (name("ns1.example.com") + name("hostmaster.example.com")
           + struct.pack(">IIIII", 2024010101, 7200, 3600, 1209600, 300))
    exchange(0.2, 40003, 3, ("nx.example.com", 1), 0.003, resp_flags=RESP | 0x0400 | 3,
             ns=[rr("example.com", 6, soa)],
             expect={"type": "response", "rcode": "NXDOMAIN", "flags": ["aa", "rd", "ra"],
                     "answers": [], "authority": 1})
    exchange(0.3, 40004, 4, ("sf.example.com", 1), 0.25, resp_flags=RESP | 2,
             expect={"type": "response", "rcode": "SERVFAIL", "latency_us": 250000})
    exchange(0.6, 40005, 5, ("rf.example.com", 1), 0.001, resp_flags=RESP | 5,
             expect={"type": "response", "rcode": "REFUSED"})
    typed = [
        (15, struct.pack(">H", 10) + name("mail.example.com"), "10 mail.example.com"),
        (16, b"\x0bhello world", '"hello world"'),
        (33, struct.pack(">HHH", 1, 2, 443) + name("srv.example.com"), "1 2 443 srv.example.com"),
        (6, soa, "ns1.example.com hostmaster.example.com 2024010101 7200 3600 1209600 300"),
        (257, b"\x00\x05issueletsencrypt.org", '0 issue "letsencrypt.org"'),
        (43, bytes.fromhex("303908") + b"\x02" + bytes.fromhex("abcdef"), "12345 8 2 ABCDEF"),
        (48, b"\x01\x01\x03\x08hello", "257 3 8 aGVsbG8="),
        (65, struct.pack(">H", 1) + b"\0" + struct.pack(">HH", 1, 3) + b"\x02h2"
         + struct.pack(">HHH", 3, 2, 443), '1 . alpn="h2" port=443'),
        (65280, b"\x01\x02", "\\# 2 0102"),
    ]
    for i, (rtype, rdata, text) in enumerate(typed):
        tname = {65280: "TYPE65280", 257: "CAA", 65: "HTTPS", 48: "DNSKEY", 43: "DS",
                 6: "SOA", 33: "SRV", 16: "TXT", 15: "MX"}[rtype]
        exchange(0.7 + i * 0.01, 40100 + i, 100 + i, ("t%d.example.com" % i, rtype), 0.002,
                 an=[rr("t%d.example.com" % i, rtype, rdata)],
                 expect={"type": "response", "rcode": "NOERROR", "answers": [[tname, text]]})
    # A retry with a new id from the same socket, answered on the retry.
    cap.add(1.0, udp(CLIENT, 40020, SERVER, 53, message(20, QUERY, ("retry.example.com", 1))))
    exchange(2.0, 40020, 21, ("retry.example.com", 1), 0.01,
             an=[rr("retry.example.com", 1, a("192.0.2.20"))])
    want.append({"type": "response", "txid": 20, "rcode": "NOERROR", "retries": 1,
                 "latency_us": 1010000, "answers": [["A", "192.0.2.20"]]})
    # No answer: timed out by the packet at 6.0 (--timeout 2).
    exchange(3.0, 40030, 30, ("slow.example.com", 1), None,
             expect={"type": "timeout", "waited_ms": 2000, "retries": 0})
    # An answer from a server that was not asked; the query then waits to the end.
    exchange(6.0, 40041, 41, ("spoof.example.com", 1), 0.001, server=OTHER,
             an=[rr("spoof.example.com", 1, a("203.0.113.66"))],
             expect={"type": "unsolicited", "rcode": "NOERROR",
                     "answers": [["A", "203.0.113.66"]]})
    want.append({"type": "timeout", "txid": 41, "waited_ms": 2000})
    # Truncated over UDP, then the same question over TCP.
    exchange(7.0, 40050, 50, ("big.example.com", 1), 0.004, resp_flags=RESP | 0x0200,
             expect={"type": "response", "rcode": "NOERROR", "flags": ["tc", "rd", "ra"],
                     "answers": []})
    q = message(51, QUERY, ("big.example.com", 1))
    r = message(51, RESP, ("big.example.com", 1),
                an=[rr("big.example.com", 1, a("192.0.2.%d" % i)) for i in (1, 2, 3)])
    sport, cs, ss = 40051, 1000, 5000
    cap.add(7.010, tcp(CLIENT, sport, SERVER, 53, cs, 0, 0x02))
    cap.add(7.011, tcp(SERVER, 53, CLIENT, sport, ss, cs + 1, 0x12))
    cap.add(7.012, tcp(CLIENT, sport, SERVER, 53, cs + 1, ss + 1, 0x10))
    qd = struct.pack(">H", len(q)) + q
    cap.add(7.013, tcp(CLIENT, sport, SERVER, 53, cs + 1, ss + 1, 0x18, qd))
    rd = struct.pack(">H", len(r)) + r
    cap.add(7.020, tcp(SERVER, 53, CLIENT, sport, ss + 1, cs + 1 + len(qd), 0x18, rd))
    want.append({"type": "response", "txid": 51, "proto": "tcp", "rcode": "NOERROR",
                 "latency_us": 7000, "answers": [["A", "192.0.2.%d" % i] for i in (1, 2, 3)]})
    # BADCOOKIE (23): header rcode 7, extended bits 1 in the OPT; DO set.
    exchange(8.0, 40060, 60, ("cookie.example.com", 1), 0.002, resp_flags=RESP | 7,
             ar=[opt(1232, 1, True)], qar=[opt()],
             expect={"type": "response", "rcode": "BADCOOKIE", "additional": 1,
                     "edns": {"udp_size": 1232, "version": 0, "do": True}})
    # The last packet: a query the end of the input cuts short.
    exchange(9.0, 40070, 70, ("last.example.com", 1), None,
             expect={"type": "timeout", "end_of_input": True, "waited_ms": 0})
    cap.write(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        json.dump(want, f, indent=1)


if __name__ == "__main__":
    main()
