#!/usr/bin/env python3
"""Compare the response decoder (dump_responses) with tshark on one capture.

Usage: compare.py TSHARK_FRAMES_JSON TSHARK_WHOLE_JSON DUMP_JSONL FILE_KEY

TSHARK_FRAMES_JSON is tshark's dissection with IP reassembly and TCP
desegmentation, each message in the frame that completes it (what the
capture stage, wire/capture.h, hands on); TSHARK_WHOLE_JSON the truth
about whole messages (run.sh passes the same dissection for both).

For every DNS response tshark dissects, dnsvis must have one, in the same
frame and order, with
  - the rcode (tshark's dns.flags.rcode with the OPT's dns.resp.ext_rcode
    bits applied), and
  - the answer section, record by record: owner, type, TTL, and dns.a,
    dns.aaaa, dns.cname (the value tshark shows for the type; none else).
A message dnsvis decoded as a short copy (truncated_copy) is held to the
whole message: its answers must be the first answers of the reassembled
one, and its rcode must be the whole one when marked exact, else the
header's.  So a short copy may say less than the message, never more or
other.  Differences that are tshark's or the packet parser's are listed in
KNOWN with exact counts, so a new one still fails.
"""
import json
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
from compare import unescape  # noqa: E402  (the one RFC 1035 unescaper of the tests)

FIELDS = ("rcode", "answer_count", "name", "type", "ttl", "a", "aaaa", "cname", "edns")

# file -> (responses tshark dissects that dnsvis does not see, why)
KNOWN = {
    "dnscap/dnso1tcp-midmiss.pcap": (
        1, "the response after the stream's hole (frame 14) is handed on one frame later, when "
        "the reassembler stops waiting for the missing bytes (decoded the same; pairs.py pairs it)"),
    "dnscap/dnsotcp-manyopkts.pcap": (
        0, "no difference expected; listed so a change in the TCP framing shows here"),
}


def pairs_get(pairs, key):
    return [v for k, v in pairs if k == key]


def one(pairs, key, default=None):
    vals = pairs_get(pairs, key)
    return vals[0] if vals else default


def records(section):
    """The records of an Answers/Additional subtree, in order."""
    return [v for _, v in section] if section else []


def tshark_value(rec, rtype):
    field = {1: "dns.a", 28: "dns.aaaa", 5: "dns.cname"}.get(rtype)
    if not field:
        return None
    v = one(rec, field)
    if v is None:
        return ("missing",)
    return v if rtype != 5 else unescape_tshark(v)


def unescape_tshark(name):
    return b"<Root>" if name == "<Root>" else name.encode("utf-8", "surrogateescape")


def tshark_messages(path):
    """[(frame, key, message)] for every DNS response PDU, in order."""
    with open(path) as f:
        pkts = json.load(f, object_pairs_hook=lambda p: p)
    out = []
    for pkt in pkts:
        layers = one(one(pkt, "_source"), "layers")
        frame = int(one(one(layers, "frame"), "frame.number"))
        ip = one(layers, "ip") or one(layers, "ipv6") or []
        src = one(ip, "ip.src") or one(ip, "ipv6.src")
        dst = one(ip, "ip.dst") or one(ip, "ipv6.dst")
        l4 = one(layers, "udp") or one(layers, "tcp") or []
        sport = one(l4, "udp.srcport") or one(l4, "tcp.srcport")
        dport = one(l4, "udp.dstport") or one(l4, "tcp.dstport")
        for dns in pairs_get(layers, "dns"):
            flags = one(dns, "dns.flags_tree") or []
            if one(flags, "dns.flags.response") != "1":
                continue
            txid = int(one(dns, "dns.id"), 16)
            out.append((frame, (src, sport, dst, dport, txid), parse_tshark(dns, flags)))
    return out


def parse_tshark(dns, flags):
    m = {"rcode_hdr": int(one(flags, "dns.flags.rcode")), "ext": None, "edns": None}
    m["answers"] = [(unescape_tshark(one(r, "dns.resp.name", "")), int(one(r, "dns.resp.type", -1)),
                     int(one(r, "dns.resp.ttl", -1)), tshark_value(r, int(one(r, "dns.resp.type", -1))))
                    for r in records(one(dns, "Answers"))]
    for r in records(one(dns, "Additional records")):
        if one(r, "dns.resp.type") == "41" and m["ext"] is None:
            m["ext"] = int(one(r, "dns.resp.ext_rcode", "0"), 16)
            z = one(r, "dns.resp.z_tree") or []
            m["edns"] = (int(one(r, "dns.rr.udp_payload_size", -1)),
                         int(one(r, "dns.resp.edns0_version", -1)), int(one(z, "dns.resp.z.do", -1)))
    m["rcode"] = m["rcode_hdr"] | ((m["ext"] or 0) << 4)
    return m


def dnsvis_messages(path):
    out = []
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            ans = []
            for a in e["answers"]:
                value = None
                if a["type"] in (1, 28):
                    value = a["data"]
                elif a["type"] == 5:
                    value = unescape(a["data"])
                ans.append((unescape(a["name"]), a["type"], a["ttl"], value))
            e["answers_cmp"] = ans
            e["edns_cmp"] = (tuple(e["edns"][k] for k in ("udp_size", "version", "do"))
                             if e["edns"] else None)
            out.append(e)
    return out


class Tally:
    def __init__(self):
        self.compared, self.bad, self.notes = Counter(), Counter(), []

    def check(self, field, got, want, where):
        self.compared[field] += 1
        if got != want:
            self.bad[field] += 1
            if len(self.notes) < 12:
                self.notes.append("%s %s: dnsvis %r, tshark %r" % (where, field, got, want))


def compare_answers(t, where, mine, theirs, prefix):
    if prefix:
        t.check("answer_count", len(mine) <= len(theirs), True, where)
    else:
        t.check("answer_count", len(mine), len(theirs), where)
    for i, (m, w) in enumerate(zip(mine, theirs)):
        t.check("name", m[0], w[0], "%s answer %d" % (where, i))
        t.check("type", m[1], w[1], "%s answer %d" % (where, i))
        t.check("ttl", m[2], w[2], "%s answer %d" % (where, i))
        field = {1: "a", 28: "aaaa", 5: "cname"}.get(w[1])
        if field:
            t.check(field, m[3], w[3], "%s answer %d" % (where, i))


def compare_one(t, where, mine, frame_msg, whole_msg):
    if not mine["truncated_copy"]:
        t.check("rcode", mine["rcode"], frame_msg["rcode"], where)
        compare_answers(t, where, mine["answers_cmp"], frame_msg["answers"], False)
        t.check("edns", mine["edns_cmp"], frame_msg["edns"], where)
        return
    # A short copy, held to the whole message.
    truth = whole_msg or frame_msg
    if mine["rcode_exact"]:
        t.check("rcode", mine["rcode"], truth["rcode"], where + " (short copy)")
    else:
        t.check("rcode", mine["rcode"], truth["rcode_hdr"], where + " (short copy, header)")
    compare_answers(t, where + " (short copy)", mine["answers_cmp"], truth["answers"], True)
    if mine["edns_cmp"] is not None:
        t.check("edns", mine["edns_cmp"], truth["edns"], where)


def main():
    frames_json, whole_json, dump, key = sys.argv[1:5]
    theirs = tshark_messages(frames_json)
    whole = {}
    for _, k, m in tshark_messages(whole_json):
        whole.setdefault(k, m)
    mine_by_frame = {}
    for e in dnsvis_messages(dump):
        mine_by_frame.setdefault(e["frame"], []).append(e)
    t = Tally()
    unseen, seen_in_frame = 0, Counter()
    for frame, k, msg in theirs:
        i = seen_in_frame[frame]
        seen_in_frame[frame] += 1
        mine = mine_by_frame.get(frame, [])
        if i >= len(mine):
            unseen += 1
            continue
        compare_one(t, "frame %d" % frame, mine[i], msg, whole.get(k))
    known_unseen, why = KNOWN.get(key, (0, ""))
    fields = " ".join("%s=%d" % (f, t.compared[f]) for f in FIELDS if t.compared[f])
    bad = sum(t.bad.values())
    summary = {"file": key, "responses": len(theirs) - unseen, "unseen": unseen,
               "compared": dict(t.compared), "mismatched": dict(t.bad)}
    print("#", json.dumps(summary))
    if bad == 0 and unseen == known_unseen:
        note = "; %d not seen: %s" % (unseen, why) if unseen else ""
        print("ok %s: %d responses match tshark (%s)%s" % (key, len(theirs) - unseen, fields, note))
        return 0
    print("FAIL %s: %d mismatches, %d responses not seen (known %d)" % (key, bad, unseen, known_unseen))
    for n in t.notes:
        print("  " + n)
    return 1


if __name__ == "__main__":
    sys.exit(main())
