#!/usr/bin/env python3
"""Live-vs-wire assertions for tests/wire/run.sh (python3 stdlib only).

  check.py WIRE_TSV EVENTS_JSONL MANIFEST TAG [RESP_TSV]

WIRE_TSV: tshark -T fields output, one frame per line, tab-separated:
  frame.number tcp.stream ip.dst ipv6.dst udp.dstport tcp.dstport dns.id
  dns.qry.name dns.qry.type dns.flags.response udp.srcport tcp.srcport
(several DNS messages in one frame give comma-separated lists).
MANIFEST: one case per line: NAME<TAB>WANT<TAB>FLAGS, where WANT is the number
of queries the case puts on the wire and FLAGS is "-" or "one-stream" (all
its TCP queries on one connection).  Every query name of case NAME has a
label "NAME-TAG".
The wire is the truth: for each case, the queries on the wire and dnsvis's
events must be the same multiset of (proto, server, port, txid, name, qtype),
and nothing of TAG may appear in dnsvis that is not on the wire.  An event's
source port is the wire's for that query, or 0 for a UDP query (the
tracepoint backend's first send on a socket not bound yet: the kernel picks
the port inside the call).
RESP_TSV (dnsvis ran with --responses): the UDP responses on the wire,
  dns.id dns.qry.name dns.qry.type dns.time dns.flags.truncated
one per line.  Each one tshark paired with its query (dns.time, the wire's
latency) must have one response record in dnsvis whose latency_us is the
wire's within LATENCY_SLACK_US: the latency runs to the arrival, however
late the client read it.  A truncated one may have none: glibc goes to TCP
at the first TC answer and never reads the other.
Prints "ok CASE (...)" or "FAIL CASE: ..." per case, then the extra group
(and the latency group).
"""
import collections
import json
import sys

QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16,
          "AAAA": 28, "SRV": 33, "HTTPS": 65, "ANY": 255}
QNAMES = {v: k for k, v in QTYPES.items()}
failed = 0
# send -> arrival in dnsvis against tcpdump's send -> send on loopback: the
# stamps are microseconds apart; a read 300 ms late, or c-ares's ~5 ms, is not
LATENCY_SLACK_US = 2000


def report(name, good, msg):
    global failed
    failed += not good
    print(("ok %s (%s)" if good else "FAIL %s: %s") % (name, msg))


def qtype_num(q):
    if isinstance(q, int):
        return q
    s = str(q).upper()
    if s in QTYPES:
        return QTYPES[s]
    return int(s[4:]) if s.startswith("TYPE") else int(s, 0)


def case_of(name, tag):
    for label in name.lower().rstrip(".").split("."):
        if label.endswith("-" + tag):
            return label[:-len(tag) - 1]
    return None


def load_wire(path, tag):
    """[(case, key, frame, stream, sport)] for every query message on the wire."""
    out = []
    for line in open(path, errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 12:
            continue
        frame, stream, d4, d6, up, tp = f[:6]
        sport = int(f[11] or f[10] or 0)
        ids, names, types, resp = (x.split(",") for x in f[6:10])
        if not (len(ids) == len(names) == len(types) == len(resp)):
            raise SystemExit("check.py: frame %s: DNS fields do not pair up: %r" % (frame, f))
        proto = "tcp" if stream else "udp"
        dport = int(tp or up)
        for i, n, t, r in zip(ids, names, types, resp):
            if r.strip().lower() in ("1", "true"):
                continue
            c = case_of(n, tag)
            if c is None:
                continue
            key = (proto, d4 or d6, dport, int(i, 0), n.lower().rstrip("."), int(t, 0))
            out.append((c, key, frame, stream, sport))
    return out


def load_events(path, tag):
    out = []
    for n, line in enumerate(open(path, errors="replace"), 1):
        line = line.strip()
        if not line:
            continue
        e = json.loads(line)
        if e.get("type") not in (None, "query"):
            continue  # lost, and --responses' records (latency_problems)
        c = case_of(str(e.get("domain", "")), tag)
        if c is None:
            continue
        key = (str(e.get("proto")), str(e.get("daddr")), int(e.get("dport")),
               int(e.get("txid")), str(e.get("domain")).lower().rstrip("."),
               qtype_num(e.get("qtype")))
        out.append((c, key, e.get("source", ""), int(e.get("sport") or 0)))
    return out


def show(key):
    proto, addr, port, txid, name, qt = key
    return "%s %s:%d txid=%#x %s %s" % (proto, addr, port, txid, name.split(".")[0],
                                        QNAMES.get(qt, qt))


def sport_problems(wire, events):
    """An event's source port must be its query's on the wire (0 only for UDP)."""
    ports = collections.defaultdict(set)
    for x in wire:
        ports[x[1]].add(x[4])
    probs = []
    for _, key, _, sport in events:
        if sport == 0 and key[0] == "udp":
            continue
        if key in ports and sport not in ports[key]:
            probs.append("%s sport=%d, on the wire %s" % (
                show(key), sport, "/".join(str(p) for p in sorted(ports[key]))))
    return probs


def latency_problems(resp_tsv, events_path, tag):
    """Each UDP response tshark paired (dns.time) against dnsvis's record of
    it; returns (checked, problems)."""
    live = collections.defaultdict(list)
    for line in open(events_path, errors="replace"):
        e = json.loads(line) if line.strip() else {}
        if e.get("type") == "response" and e.get("proto") == "udp" and \
                case_of(str(e.get("domain", "")), tag):
            live[(int(e["txid"]), e["domain"].lower().rstrip("."),
                  qtype_num(e["qtype"]))].append(e.get("latency_us"))
    checked, probs = 0, []
    for line in open(resp_tsv, errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 5 or not f[3] or "," in f[0] or not case_of(f[1], tag):
            continue
        key = (int(f[0], 0), f[1].lower().rstrip("."), int(f[2], 0))
        wire_us = round(float(f[3]) * 1e6)
        got = live.get(key, [])
        if not got and f[4].strip().lower() in ("1", "true"):
            continue
        checked += 1
        if len(got) != 1:
            probs.append("%s %s: %d response records" % (f[1].split(".")[0], f[2], len(got)))
        elif got[0] is None or abs(got[0] - wire_us) > LATENCY_SLACK_US:
            probs.append("%s txid=%#x %s: latency_us %s, the wire's %d" % (
                f[1].split(".")[0], key[0], QNAMES.get(key[2], key[2]), got[0], wire_us))
    return checked, probs


def main():
    if len(sys.argv) not in (5, 6):
        raise SystemExit(__doc__)
    tag = sys.argv[4].lower()
    wire = load_wire(sys.argv[1], tag)
    events = load_events(sys.argv[2], tag)
    cases = []
    for line in open(sys.argv[3]):
        if line.strip():
            name, want, flags = line.rstrip("\n").split("\t")
            cases.append((name, int(want), flags))
    known = {c[0] for c in cases}
    for name, want, flags in cases:
        w = [x for x in wire if x[0] == name]
        ev = [x for x in events if x[0] == name]
        wc = collections.Counter(x[1] for x in w)
        ec = collections.Counter(x[1] for x in ev)
        probs = []
        if len(w) != want:
            probs.append("the client put %d queries on the wire, want %d (client or capture "
                         "problem)" % (len(w), want))
        streams = {x[3] for x in w if x[3]}
        if flags == "one-stream" and len(streams) != 1:
            probs.append("TCP queries on %d connections, want 1" % len(streams))
        missing = wc - ec
        extra = ec - wc
        if missing:
            probs.append("not reported: " + "; ".join(
                "%s%s" % (show(k), " (x%d)" % n if n > 1 else "") for k, n in missing.items()))
        if extra:
            probs.append("reported but not on the wire (or too often): " + "; ".join(
                "%s%s" % (show(k), " (x%d)" % n if n > 1 else "") for k, n in extra.items()))
        probs += sport_problems(w, ev)
        srcs = sorted({x[2] for x in ev})
        unbound = sum(1 for x in ev if x[3] == 0)
        report(name, not probs, "; ".join(probs) if probs else
               "%d queries, each reported once with txid, name, qtype, server and port, "
               "source ports as on the wire%s; %s"
               % (len(w), " (%d at 0: first send, unbound)" % unbound if unbound else "",
                  ", ".join(s.split("/")[-1] for s in srcs)))
    stray = [x for x in events if x[0] not in known]
    report("nothing-extra", not stray,
           "; ".join(show(x[1]) for x in stray[:5]) if stray else
           "no event of this run outside the cases")
    if len(sys.argv) == 6:
        n, probs = latency_problems(sys.argv[5], sys.argv[2], tag)
        report("latency", n and not probs, "; ".join(probs[:6]) if probs else
               "%d UDP responses, each with the wire's latency within %d us" % (
                   n, LATENCY_SLACK_US) if n else "no UDP response on the wire")
    sys.exit(min(failed, 100))


if __name__ == "__main__":
    main()
