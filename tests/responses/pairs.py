#!/usr/bin/env python3
"""Compare `dnsvis replay --responses -o json` with tshark's query/response
pairing on one capture.

Usage: pairs.py TSHARK_WHOLE_JSON DNSVIS_JSONL FILE_KEY

TSHARK_WHOLE_JSON is tshark's dissection with IP reassembly and TCP
desegmentation.  For every response tshark pairs with a query (it has
dns.response_to and dns.time), dnsvis must have a "type":"response" record
for the same message: same client and server endpoints, txid and arrival
time (to the microsecond) -- and then these must agree:
  rcode    tshark's dns.flags.rcode with the OPT's extended bits, by the IANA
           number of dnsvis's name (RCODE<n> is n)
  a, aaaa, cname
           the values of the answer section (tshark's Answers subtree; its
           flat dns.a also holds the additional section's), in order
  time     dns.time in microseconds == latency_us
The rules where the two pair differently, each counted exactly per capture in
RULES so that any other difference fails:
  - retried: a question retried by the same socket with a new id is one
    dnsvis record with the first transmission's txid, latency from the first
    transmission and retries > 0 (the issue's rule); tshark pairs the response
    with the transmission of its own id.  Such a record is matched to tshark's
    pair by endpoints and arrival time, rcode and answers compared, time not.
  - truncated copy: a response the capture's snap length cut short; tshark
    does not pair it (no dns.time), dnsvis does, marked truncated_copy.
  - tcp resync: a TCP stream with a hole or without its start; tshark's
    desegmenter loses the message boundaries after it, dnsvis's framer finds
    them again, so dnsvis pairs responses tshark does not dissect.
  - port: UDP on a port not in replay's default set (tshark's heuristics
    dissect it; `dnsvis replay -p` would).
"""
import json
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
from compare import unescape  # noqa: E402

# IANA DNS RCODEs (RFC 6895 registry) by name.
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5,
          "YXDOMAIN": 6, "YXRRSET": 7, "NXRRSET": 8, "NOTAUTH": 9, "NOTZONE": 10,
          "DSOTYPENI": 11, "BADVERS": 16, "BADKEY": 17, "BADTIME": 18, "BADMODE": 19,
          "BADNAME": 20, "BADALG": 21, "BADTRUNC": 22, "BADCOOKIE": 23}

# file -> {rule: count}
RULES = {
    "tcpdump/dns_udp_2.pcap": {"truncated copy": 1},
    "tcpdump/dns_udp_8053.pcap": {"port": 1},
    "dnscap/dnso1tcp-bighole.pcap": {"tcp resync": 35},
    "dnscap/do1t-nosyn-1nolen.pcap": {"tcp resync": 1},
    "generated": {"retried": 1},
}


def one(pairs, key, default=None):
    for k, v in pairs or []:
        if k == key:
            return v
    return default


def rcode_number(name):
    if name in RCODES:
        return RCODES[name]
    if name.startswith("RCODE") and name[5:].isdigit():
        return int(name[5:])
    return None


def tshark_pairs(path):
    """{key: (rcode, a, aaaa, cname, time_us)} for responses tshark pairs."""
    with open(path) as f:
        pkts = json.load(f, object_pairs_hook=lambda p: p)
    out = {}
    for pkt in pkts:
        layers = one(one(pkt, "_source"), "layers")
        fr = one(layers, "frame")
        t_ns = int(one(fr, "frame.time_epoch").replace(".", "").ljust(19, "0")[:19])
        ip = one(layers, "ip") or one(layers, "ipv6") or []
        src = one(ip, "ip.src") or one(ip, "ipv6.src")
        dst = one(ip, "ip.dst") or one(ip, "ipv6.dst")
        l4 = one(layers, "udp") or one(layers, "tcp") or []
        sport = one(l4, "udp.srcport") or one(l4, "tcp.srcport")
        dport = one(l4, "udp.dstport") or one(l4, "tcp.dstport")
        for k, dns in layers:
            if k != "dns":
                continue
            flags = one(dns, "dns.flags_tree") or []
            if one(flags, "dns.flags.response") != "1" or one(dns, "dns.time") is None:
                continue
            rcode = int(one(flags, "dns.flags.rcode"))
            a, aaaa, cname = [], [], []
            for _, r in one(dns, "Answers") or []:
                rtype = one(r, "dns.resp.type")
                if rtype == "1":
                    a.append(one(r, "dns.a"))
                elif rtype == "28":
                    aaaa.append(one(r, "dns.aaaa"))
                elif rtype == "5":
                    cname.append(one(r, "dns.cname").encode("utf-8", "surrogateescape"))
            for _, r in one(dns, "Additional records") or []:
                if one(r, "dns.resp.type") == "41":
                    rcode |= int(one(r, "dns.resp.ext_rcode", "0"), 16) << 4
                    break
            sec, frac = one(dns, "dns.time").split(".")
            time_us = int(sec) * 1000000 + int(frac.ljust(9, "0")[:6])
            key = (dst, int(dport), src, int(sport), int(one(dns, "dns.id"), 16), t_ns // 1000)
            out[key] = (rcode, a, aaaa, cname, time_us)
    return out


def epoch_us(rfc3339):
    """2020-06-10T09:19:54.870361Z -> microseconds since the epoch."""
    import calendar
    import time
    whole, frac = rfc3339.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 1000000 + int(frac)


def dnsvis_pairs(path):
    out = {}
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if e.get("type") != "response":
                continue
            key = (e["saddr"], e["sport"], e["daddr"], e["dport"], e["txid"], epoch_us(e["time"]))
            ans = e["answers"]
            out[key] = ((rcode_number(e["rcode"]),
                         [x["data"] for x in ans if x["type"] == "A"],
                         [x["data"] for x in ans if x["type"] == "AAAA"],
                         [unescape(x["data"]) for x in ans if x["type"] == "CNAME"],
                         e["latency_us"]), e)
    return out


def main():
    whole_json, mine_json, key = sys.argv[1:4]
    theirs, mine = tshark_pairs(whole_json), dnsvis_pairs(mine_json)
    compared, bad, notes, rules = Counter(), Counter(), [], Counter()
    # retried records, by endpoints and arrival (their txid is the first one's)
    retried = {k[:4] + k[5:]: k for k, (_, e) in mine.items() if e["retries"] > 0}
    paired_mine = set()
    for k, want in theirs.items():
        fields = ("rcode", "a", "aaaa", "cname", "time")
        got = mine.get(k)
        if got is None and k[:4] + k[5:] in retried:
            rules["retried"] += 1
            got, fields = mine[retried[k[:4] + k[5:]]], fields[:4]
            paired_mine.add(retried[k[:4] + k[5:]])
        if got is None:
            rules["port" if k[3] not in (53, 5353) else "not paired by dnsvis"] += 1
            continue
        paired_mine.add(k)
        got = got[0]
        for i, field in enumerate(fields):
            if field in ("a", "aaaa", "cname") and not want[i] and not got[i]:
                continue
            compared[field] += 1
            if got[i] != want[i]:
                bad[field] += 1
                if len(notes) < 10:
                    notes.append("%s %s: dnsvis %r, tshark %r" % (k, field, got[i], want[i]))
    extra = []
    for k, (_, e) in mine.items():
        if k in paired_mine:
            continue
        if e.get("truncated_copy"):
            rules["truncated copy"] += 1
        elif e["proto"] == "tcp":
            rules["tcp resync"] += 1
        else:
            extra.append(k)
    rules["paired by dnsvis only"] = len(extra)
    want_rules = Counter(RULES.get(key, {}))
    ok = not bad and all(rules[r] == want_rules.get(r, 0) for r in set(rules) | set(want_rules))
    paired = len(theirs) - rules["not paired by dnsvis"] - rules["port"]
    print("# " + json.dumps({"file": key, "pairs": len(theirs), "agree": paired if ok else 0,
                             "compared": dict(compared)}))
    fields = " ".join("%s=%d" % (f, compared[f]) for f in sorted(compared))
    if ok:
        print("ok %s: %d/%d tshark pairs agree (%s)" % (key, paired, len(theirs), fields))
        return 0
    print("FAIL %s: %d/%d tshark pairs, mismatches %s, rules %s (expected %s)"
          % (key, paired, len(theirs), dict(bad), dict(rules), dict(want_rules)))
    for n in notes + ["dnsvis only: %r" % (k,) for k in extra[:5]]:
        print("  " + n)
    return 1


if __name__ == "__main__":
    sys.exit(main())
