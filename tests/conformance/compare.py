#!/usr/bin/env python3
"""Compare dnsvis replay's JSON with tshark's dissection of the same capture.

Usage: compare.py TSHARK_JSON DNSVIS_JSONL PORTS FILE_KEY

tshark runs with its default preferences: IPv4/IPv6 reassembly and TCP
desegmentation on, so it is the reference for streams and fragments too.
Every QUERY-opcode query (QR=0, opcode 0) to a port in PORTS that tshark
dissects must appear in dnsvis's output with the same id, name, qtype,
qclass, server address and server port, and dnsvis must report no other
QUERY-opcode query, with one rule, the same for every file: a TCP query
that tshark leaves undissected counts as seen on the wire when tshark
dissects its answer (same id and question, from that server address and
port back to the query's source address and port).  tshark never finds its
place again in a TCP stream after a hole, or in one picked up without its
length; the answer it does dissect is its own proof that the query was
there.  There is no list of accepted differences: run.sh skips only a file
that tcpdump's own expected output calls invalid.

Prints "ok KEY: N of M queries" (M = tshark's) or FAIL with the rows.
"""
import json
import sys
from collections import Counter

# IANA numbers of the mnemonics dnsvis prints (independent of dnsvis's table,
# so this test is an oracle, not a copy).
QTYPES = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15,
    "TXT": 16, "AAAA": 28, "SRV": 33, "NAPTR": 35, "OPT": 41, "DS": 43,
    "SSHFP": 44, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "TLSA": 52,
    "SVCB": 64, "HTTPS": 65, "IXFR": 251, "AXFR": 252, "ANY": 255, "URI": 256,
    "CAA": 257,
}
QCLASSES = {"IN": 1, "CH": 3, "HS": 4, "NONE": 254, "ANY": 255}


def num(name, table, prefix):
    if name in table:
        return table[name]
    if name.startswith(prefix) and name[len(prefix):].isdigit():
        return int(name[len(prefix):])
    raise ValueError("unknown mnemonic %r" % name)


def unescape(presentation):
    """RFC 1035 presentation text -> the raw label bytes joined by '.'.
    tshark prints names unescaped, so compare on this form."""
    if presentation == ".":
        return b"<Root>"
    out = bytearray()
    i = 0
    s = presentation.encode("latin-1")
    while i < len(s):
        c = s[i]
        if c == 0x5C and i + 3 < len(s) + 0 and s[i + 1:i + 4].isdigit():
            out.append(int(s[i + 1:i + 4]))
            i += 4
        elif c == 0x5C and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


def tshark_rows(path, ports):
    """(queries, answers): Counters of query rows, and of the questions of
    QUERY-opcode responses keyed as the query they answer would be."""
    rows = Counter()
    answers = Counter()
    with open(path) as f:
        pkts = json.load(f)
    for p in pkts:
        lay = p["_source"]["layers"]
        dport = int((lay.get("udp.dstport") or lay.get("tcp.dstport") or ["0"])[-1])
        sport = int((lay.get("udp.srcport") or lay.get("tcp.srcport") or ["0"])[-1])
        tcp = "tcp.srcport" in lay and "udp.srcport" not in lay
        if dport not in ports and sport not in ports:
            continue
        ids = lay.get("dns.id", [])
        resp = lay.get("dns.flags.response", [])
        opcodes = lay.get("dns.flags.opcode", [])
        names = lay.get("dns.qry.name", [])
        types = lay.get("dns.qry.type", [])
        classes = lay.get("dns.qry.class", [])
        dst = (lay.get("ipv6.dst") or lay.get("ip.dst") or [""])[-1]
        src = (lay.get("ipv6.src") or lay.get("ip.src") or [""])[-1]
        # A frame may complete several messages (TCP): tshark lists each
        # message's id, flags and question count, and all questions in
        # order.  A message cut short shows a count but no questions: tshark
        # did not dissect its question, so it is not compared.
        counts = [int(c) for c in lay.get("dns.count.queries", [])]
        if not (len(counts) == len(ids) == len(resp) == len(opcodes)):
            raise SystemExit("%s: per-message fields of unequal length" % path)
        q = 0
        for txid, n, r, op in zip(ids, counts, resp, opcodes):
            for _ in range(n):
                if q >= len(names):
                    break
                row = (int(txid, 16), names[q].encode("utf-8", "surrogateescape"),
                       int(types[q]), int(classes[q], 16))
                if r == "0" and op == "0" and dport in ports:
                    rows[row + (dst, dport)] += 1
                elif r == "1" and op == "0" and tcp and sport in ports:
                    answers[row + (src, sport, dst, dport)] += 1
                q += 1
    return rows, answers


def dnsvis_rows(path):
    """Counter of query rows, and for each row the TCP queries' source."""
    rows = Counter()
    tcp_src = {}
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if e["opcode"] != "QUERY" or e["qtype"] == "":
                continue  # no question: tshark has no row for it either
            row = (e["txid"], unescape(e["domain"]), num(e["qtype"], QTYPES, "TYPE"),
                   num(e["qclass"], QCLASSES, "CLASS"), e["daddr"], e["dport"])
            rows[row] += 1
            if e["proto"] == "tcp":
                tcp_src.setdefault(row, []).append((e["saddr"], e["sport"]))
    return rows, tcp_src


def answered(extra, tcp_src, answers):
    """The extra TCP queries whose answer tshark dissected (see above)."""
    seen = Counter()
    left = Counter(answers)
    for row, n in extra.items():
        for saddr, sport in tcp_src.get(row, [])[:n]:
            key = row[:4] + (row[4], row[5], saddr, sport)
            if left[key] > 0:
                left[key] -= 1
                seen[row] += 1
    return seen


def main():
    tshark_json, dnsvis_jsonl, ports, key = sys.argv[1:5]
    ports = {int(p) for p in ports.split(",")}
    want, answers = tshark_rows(tshark_json, ports)
    got, tcp_src = dnsvis_rows(dnsvis_jsonl)
    extra = got - want
    missing = want - got
    seen = answered(extra, tcp_src, answers)
    extra -= seen
    n_want = sum(want.values())
    n_match = sum((want & got).values())
    n_extra = sum(extra.values())
    more = ""
    if seen:
        more = ", and %d TCP queries tshark did not dissect whose answers it did" % sum(
            seen.values())
    print("%s %s: %d of %d queries match tshark%s, %d extra"
          % ("ok" if not extra and not missing else "FAIL", key, n_match, n_want, more, n_extra))
    for r in list(extra)[:10]:
        print("  extra:  ", r)
    for r in list(missing)[:10]:
        print("  missing:", r)
    return 0 if not extra and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
