#!/usr/bin/env python3
"""Seeds for fuzz_record (tests/fuzz/fuzz_record.c): process, query and
response records as the perf ring hands them, with drain ends between.
usage: gen_record_corpus.py DIR"""
import os
import struct
import sys

MSG, PROC, RESP = 1, 2, 3


def name(n):
    return b"".join(bytes([len(x)]) + x.encode() for x in n.split(".")) + b"\0"


def query(txid, n, qtype=1):
    return struct.pack("!HHHHHH", txid, 0x0100, 1, 0, 0, 0) + name(n) + struct.pack("!HH", qtype, 1)


def answer(txid, n, qtype=1, tc=False):
    flags = 0x8180 | (0x0200 if tc else 0)
    body = struct.pack("!HHHHHH", txid, flags, 1, 0 if tc else 1, 0, 0) + name(n) + \
        struct.pack("!HH", qtype, 1)
    if not tc:
        body += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([192, 0, 2, 7])
    return body


def proc(tgid, pid_id, comm):
    strs = b"/bin/x\0-y\0" + b"x\0bin\0" + b"tmp\0"
    body = struct.pack("<QQQIIIIIIHHHHH6x", pid_id, 0, 0, tgid, 1, tgid, 1, 0, 4026531840,
                       0, 10, 6, 4, 0)
    body += comm.encode().ljust(16, b"\0") + b"".ljust(32, b"\0") + strs
    return step(PROC, struct.pack("<HH", PROC, 4 + len(body)) + body)


def msg(kind, tgid, pid_id, sock, ts, sport, payload, tcp=False, seq=0, orig=None, rx=0):
    """rx: a response's receive stamp (rx_real_ns, CLOCK_REALTIME ns), 0 none."""
    flags = 0x02 | (0x04 if tcp else 0)
    hook = 9 if kind == RESP else 3
    body = struct.pack("<QQQQIIIIIIHHHHHBBB3x", ts, pid_id, sock, rx, tgid, tgid, 0, 0,
                       orig if orig is not None else len(payload), seq, hook, 2, 53, sport,
                       len(payload), flags, 6 if tcp else 17, 0)
    body += bytes([127, 0, 0, 53]).ljust(16, b"\0") + bytes([127, 0, 0, 1]).ljust(16, b"\0")
    body += payload
    return step(kind, struct.pack("<HH", kind, 4 + len(body)) + body)


def step(kind, rec):
    return bytes([0x80 | kind]) + struct.pack("!H", len(rec)) + rec


def drain(n=10):
    return bytes([0, n])


def framed(m):
    return struct.pack("!H", len(m)) + m


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    s = 1000000000
    seeds = {
        "udp_pair": proc(100, 7, "getent") + msg(MSG, 100, 7, 0xAA00, s, 0, query(1, "a.example"))
        + msg(RESP, 100, 7, 0xAA00, s + 5000000, 40000, answer(1, "a.example"))
        + drain() + drain() + drain(),
        "udp_short": proc(100, 7, "dig") + msg(MSG, 100, 7, 0xAA00, s, 40001, query(2, "b.example"))
        + msg(RESP, 100, 7, 0xAA00, s + 1, 40001, answer(2, "b.example")[:-3], orig=1500)
        + drain() + drain() + drain(),
        "tcp_split": proc(100, 7, "getent")
        + msg(MSG, 100, 7, 0xBB00, s, 41000, framed(query(3, "c.example")), True, 500)
        + msg(RESP, 100, 7, 0xBB00, s + 9, 41000, framed(answer(3, "c.example"))[:9], True, 900)
        + drain()
        + msg(RESP, 100, 7, 0xBB00, s + 10, 41000, framed(answer(3, "c.example"))[9:], True, 909)
        + drain() + drain() + drain() + drain(),
        "timeout": proc(100, 7, "x") + msg(MSG, 100, 7, 0xCC00, s, 40002, query(4, "d.example"))
        + drain(200) + drain(200) + drain(200) + drain(200) + drain(200),
        # read 300 ms after it arrived (a stamp the reader's clock offset
        # moves: the harness's offset is 0, so the stamp is on ts's clock)
        "udp_stamped": proc(100, 7, "node") + msg(MSG, 100, 7, 0xEE00, s, 40004, query(6, "f.example"))
        + msg(RESP, 100, 7, 0xEE00, s + 300000000, 40004, answer(6, "f.example"), rx=s + 2000000)
        + drain() + drain() + drain(),
        "unsolicited": proc(100, 7, "y")
        + msg(RESP, 100, 7, 0xDD00, s, 40003, answer(5, "e.example")) + drain() + drain() + drain(),
    }
    for k, v in seeds.items():
        with open(os.path.join(out, k), "wb") as f:
            f.write(v)


if __name__ == "__main__":
    main()
