#!/usr/bin/env python3
"""Tiny DNS responder for the live tests (python3 stdlib only).

Listens on 127.0.0.1:PORT and [::1]:PORT, UDP and TCP.  Answers:
  A     -> 127.0.0.2
  AAAA  -> ::2
  names under .nx (e.g. foo.nx) -> NXDOMAIN
  names whose first label starts with "truncate-" -> over UDP, an empty
        answer with TC set (the client retries over TCP); over TCP as above
  first label "chain-..." -> A / AAAA as above behind a CNAME chain:
        NAME CNAME alias1.NAME, alias1.NAME CNAME alias2.NAME, alias2.NAME A
  first label "servfail-..." / "refused-..." -> SERVFAIL / REFUSED
  first label "late-..." -> the answer, 300 ms late (UDP)
  first label "silent-..." -> no answer at all
  first label "wrongport-..." -> the answer from another port (--wrong-port,
        UDP; silent without it): what a spoofer would send
  anything else -> NOERROR, no answer
Silent unless -v.  Exits 0 on SIGTERM/SIGINT.  Exits 2 with one line on
stderr if an address cannot be bound (e.g. port 53 already taken).

usage: responder.py [--port N] [--wrong-port N] [--ready-file PATH] [-v] [--no-ipv6]
"""
import argparse
import errno
import os
import selectors
import signal
import socket
import struct
import sys
import time

QTYPE_NAMES = {1: "A", 28: "AAAA"}


def parse_question(msg):
    """Return (name, qtype, end_offset) of the first question or None."""
    if len(msg) < 12:
        return None
    qd = struct.unpack("!H", msg[4:6])[0]
    if qd < 1:
        return None
    off, labels = 12, []
    while True:
        if off >= len(msg):
            return None
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n & 0xC0 or off + n > len(msg):
            return None
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    if off + 4 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[off:off + 2])[0]
    return ".".join(labels), qtype, off + 4


def rr(owner_off, rtype, rdata, ttl=1):
    """One answer record whose owner is the name at message offset owner_off."""
    return struct.pack("!HHHIH", 0xC000 | owner_off, rtype, 1, ttl, len(rdata)) + rdata


def address_rdata(qtype):
    if qtype == 1:
        return socket.inet_aton("127.0.0.2")
    if qtype == 28:
        return socket.inet_pton(socket.AF_INET6, "::2")
    return None


def chain_answers(name, qtype, end):
    """NAME CNAME alias1.NAME CNAME alias2.NAME, then the address (if any).
    Each alias is one label before a pointer to the name before it."""
    label = lambda s: bytes([len(s)]) + s.encode()
    out, count = b"", 0
    owner = 12  # the question's name
    at = end  # where the next record starts
    for alias in ("alias1", "alias2"):
        target = label(alias) + struct.pack("!H", 0xC000 | 12)
        rec = rr(owner, 5, target, 300)
        owner = at + 12  # the target's offset within this record
        out += rec
        at += len(rec)
        count += 1
    data = address_rdata(qtype)
    if data is not None:
        out += rr(owner, qtype, data, 60)
        count += 1
    return out, count


def first_label(lname):
    return lname.split(".", 1)[0]


def answer(msg, udp=False):
    """Build the reply for one query message, or None to stay silent."""
    q = parse_question(msg)
    if q is None or msg[2] & 0x80:  # not a query we understand, or a reply
        return None, None
    name, qtype, end = q
    lname = name.lower().rstrip(".")
    rd = msg[2] & 0x01
    opcode = msg[2] & 0x78
    rcode, answers = 0, b""
    ancount = 0
    if udp and lname.startswith("truncate-"):
        hdr = msg[0:2] + bytes([0x80 | opcode | 0x04 | 0x02 | rd, 0x80]) + \
            struct.pack("!HHHH", 1, 0, 0, 0)
        return hdr + msg[12:end], "%s %s truncated" % (name, QTYPE_NAMES.get(qtype, qtype))
    first = first_label(lname)
    if first.startswith("silent-"):
        return None, "%s silent" % name
    if lname == "nx" or lname.endswith(".nx"):
        rcode = 3
    elif first.startswith("servfail-"):
        rcode = 2
    elif first.startswith("refused-"):
        rcode = 5
    elif first.startswith("chain-"):
        answers, ancount = chain_answers(name, qtype, end)
    elif qtype == 1:
        answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 1, 4) + socket.inet_aton("127.0.0.2")
        ancount = 1
    elif qtype == 28:
        answers = struct.pack("!HHHIH", 0xC00C, 28, 1, 1, 16) + socket.inet_pton(
            socket.AF_INET6, "::2")
        ancount = 1
    flags = 0x80 | opcode | 0x04 | rd  # QR, AA, RD copied
    hdr = msg[0:2] + bytes([flags, 0x80 | rcode]) + struct.pack("!HHHH", 1, ancount, 0, 0)
    desc = "%s %s txid=%d rcode=%d" % (name, QTYPE_NAMES.get(qtype, qtype),
                                       struct.unpack("!H", msg[0:2])[0], rcode)
    return hdr + msg[12:end] + answers, desc


class Responder:
    def __init__(self, port, verbose, ipv6, wrong_port=0):
        self.verbose = verbose
        self.late = []  # (when, socket, reply, peer): UDP answers held back
        self.wrong = {}  # family -> the socket wrong-port answers leave from
        self.sel = selectors.DefaultSelector()
        self.socks = []
        addrs = [(socket.AF_INET, "127.0.0.1")]
        if ipv6:
            addrs.append((socket.AF_INET6, "::1"))
        for fam, addr in addrs:
            for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(fam, typ)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                try:
                    s.bind((addr, port))
                except OSError as e:
                    proto = "udp" if typ == socket.SOCK_DGRAM else "tcp"
                    why = "already in use" if e.errno == errno.EADDRINUSE else e.strerror
                    sys.stderr.write("responder: cannot bind %s [%s]:%d: %s\n"
                                     % (proto, addr, port, why))
                    sys.exit(2)
                if typ == socket.SOCK_STREAM:
                    s.listen(16)
                s.setblocking(False)
                self.sel.register(s, selectors.EVENT_READ, ("udp" if typ == socket.SOCK_DGRAM
                                                            else "listen"))
                self.socks.append(s)
        self.tcp_bufs = {}
        for fam, addr in addrs if wrong_port else []:
            w = socket.socket(fam, socket.SOCK_DGRAM)
            if fam == socket.AF_INET6:
                w.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            w.bind((addr, wrong_port))
            self.wrong[fam] = w

    def log(self, proto, desc):
        if self.verbose and desc:
            sys.stderr.write("responder: %s %s\n" % (proto, desc))
            sys.stderr.flush()

    def on_udp(self, s):
        try:
            msg, peer = s.recvfrom(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        reply, desc = answer(msg, udp=True)
        self.log("udp", desc)
        if reply is None:
            return
        first = first_label((parse_question(msg) or ("",))[0].lower())
        if first.startswith("late-"):
            self.late.append((time.monotonic() + 0.3, s, reply, peer))
            return
        if first.startswith("wrongport-"):
            s = self.wrong.get(s.family)
            if s is None:
                return
        try:
            s.sendto(reply, peer)
        except OSError:
            pass

    def send_late(self):
        now = time.monotonic()
        due = [x for x in self.late if x[0] <= now]
        self.late = [x for x in self.late if x[0] > now]
        for _, s, reply, peer in due:
            try:
                s.sendto(reply, peer)
            except OSError:
                pass

    def on_accept(self, s):
        try:
            c, _ = s.accept()
        except OSError:
            return
        c.setblocking(False)
        self.tcp_bufs[c] = b""
        self.sel.register(c, selectors.EVENT_READ, "tcp")

    def close_conn(self, c):
        self.sel.unregister(c)
        self.tcp_bufs.pop(c, None)
        c.close()

    def on_tcp(self, c):
        try:
            data = c.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close_conn(c)
            return
        buf = self.tcp_bufs[c] + data
        while len(buf) >= 2:
            n = struct.unpack("!H", buf[:2])[0]
            if len(buf) < 2 + n:
                break
            reply, desc = answer(buf[2:2 + n])
            self.log("tcp", desc)
            buf = buf[2 + n:]
            if reply is not None:
                try:
                    c.setblocking(True)
                    c.settimeout(1.0)
                    c.sendall(struct.pack("!H", len(reply)) + reply)
                    c.setblocking(False)
                except OSError:
                    self.close_conn(c)
                    return
        self.tcp_bufs[c] = buf

    def run(self):
        while True:
            wait = 1.0
            if self.late:
                wait = max(0.0, min(x[0] for x in self.late) - time.monotonic())
            events = self.sel.select(timeout=wait)
            self.send_late()
            for key, _ in events:
                kind = key.data
                if kind == "udp":
                    self.on_udp(key.fileobj)
                elif kind == "listen":
                    self.on_accept(key.fileobj)
                else:
                    self.on_tcp(key.fileobj)


def main():
    ap = argparse.ArgumentParser(description="tiny DNS responder for dnsvis live tests")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--wrong-port", type=int, default=0,
                    help="answer wrongport-* names from this UDP port")
    ap.add_argument("--ready-file", help="create this file once every socket is bound")
    ap.add_argument("--no-ipv6", action="store_true", help="bind 127.0.0.1 only")
    ap.add_argument("-v", "--verbose", action="store_true", help="log each query to stderr")
    args = ap.parse_args()

    def stop(signum, frame):
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    r = Responder(args.port, args.verbose, not args.no_ipv6, args.wrong_port)
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.ready_file + ".tmp", args.ready_file)
    r.run()


if __name__ == "__main__":
    main()
