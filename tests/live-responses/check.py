#!/usr/bin/env python3
"""Check `dnsvis trace -o json --responses --timeout 1` output of the live
response test (tests/live-responses/run.sh) against its manifest.

usage: check.py EVENTS.jsonl MANIFEST.tsv SUMMARY_LINE

One "ok CASE" or "FAIL CASE: why" line per case; exit 0 only when all pass.
Each record's fields are asserted: type, rcode, answers (name, type, data),
latency, the receiving (or, for a timeout, the sending) process's pid and
comm, txid, domain, qtype.
"""
import json
import re
import sys

results = []


def verdict(case, problems):
    if problems:
        results.append(False)
        print("FAIL %s: %s" % (case, "; ".join(problems)))
    else:
        results.append(True)
        print("ok %s" % case)


def load(path):
    recs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                recs.append(json.loads(line))
            except ValueError:
                verdict("json", ["line %d is not JSON: %r" % (n, line[:120])])
    return recs


def manifest(path):
    cases = {}
    with open(path) as f:
        for line in f:
            name, pid, comm, dom, txid = line.rstrip("\n").split("\t")
            cases[name] = {"pid": int(pid), "comm": comm, "domain": dom,
                           "txid": None if txid == "-" else int(txid)}
    return cases


def of(recs, kind, dom):
    return [r for r in recs if r.get("type") == kind and r.get("domain") == dom]


def answers(r):
    return [(a["name"], a["type"], a["data"]) for a in r.get("answers", [])]


def same_process(r, c, p, what):
    if r.get("pid") != c["pid"] or r.get("comm") != c["comm"]:
        p.append("%s pid/comm %s/%s, want %s/%s" % (what, r.get("pid"), r.get("comm"),
                                                    c["pid"], c["comm"]))


def paired(recs, c, p, qtypes, proto="udp"):
    """Every query event of the case has one response record with its txid,
    question and the receiving process; returns the responses by qtype."""
    queries = [q for q in of(recs, "query", c["domain"]) if q.get("proto") == proto]
    resps = [r for r in of(recs, "response", c["domain"]) if r.get("proto") == proto]
    got = sorted(q["qtype"] for q in queries)
    if got != sorted(qtypes):
        p.append("%s query events %s, want %s" % (proto, got, sorted(qtypes)))
    by = {}
    for q in queries:
        m = [r for r in resps if r["txid"] == q["txid"] and r["qtype"] == q["qtype"]]
        if len(m) != 1:
            p.append("query txid %d %s: %d response records" % (q["txid"], q["qtype"], len(m)))
            continue
        r = m[0]
        if c["txid"] is not None and r["txid"] not in (c["txid"], c["txid"] + 1):
            p.append("txid %d, want %d" % (r["txid"], c["txid"]))
        if r.get("qclass") != "IN" or r.get("opcode") != "QUERY":
            p.append("qclass/opcode %s/%s" % (r.get("qclass"), r.get("opcode")))
        if not 0 < r.get("latency_us", -1) < 2000000:
            p.append("latency_us %s" % r.get("latency_us"))
        same_process(r, c, p, "response")
        if r.get("sport", 0) == 0 or r.get("dport") != 53:
            p.append("sport/dport %s/%s" % (r.get("sport"), r.get("dport")))
        by[r["qtype"]] = r
    if len(resps) != len(queries):
        p.append("%d %s response records for %d queries" % (len(resps), proto, len(queries)))
    return by


def want_answers(r, want, p):
    if r is not None and answers(r) != want:
        p.append("%s answers %s, want %s" % (r["qtype"], answers(r), want))


def want_rcode(by, rcode, p):
    for qt, r in by.items():
        if r.get("rcode") != rcode:
            p.append("%s rcode %s, want %s" % (qt, r.get("rcode"), rcode))


def check_chain(recs, c, p):
    d = c["domain"]
    by = paired(recs, c, p, ["A", "AAAA"])
    want_rcode(by, "NOERROR", p)
    chain = [(d, "CNAME", "alias1." + d), ("alias1." + d, "CNAME", "alias2." + d)]
    want_answers(by.get("A"), chain + [("alias2." + d, "A", "127.0.0.2")], p)
    want_answers(by.get("AAAA"), chain + [("alias2." + d, "AAAA", "::2")], p)
    for r in by.values():
        if "aa" not in r.get("flags", []) or r.get("authority") != 0:
            p.append("flags %s authority %s" % (r.get("flags"), r.get("authority")))


def check_rcode(rcode, qtypes):
    def check(recs, c, p):
        qs = sorted(q["qtype"] for q in of(recs, "query", c["domain"]))
        by = paired(recs, c, p, qtypes or qs)
        want_rcode(by, rcode, p)
        for r in by.values():
            want_answers(r, [], p)
    return check


def check_truncate(recs, c, p):
    """glibc reads one TC=1 answer over UDP, then asks both questions over
    TCP: the other UDP answer stays unread in the socket, so that query
    gets a timeout record (the process never received an answer)."""
    d = c["domain"]
    udp_q = [q for q in of(recs, "query", d) if q["proto"] == "udp"]
    udp_r = [r for r in of(recs, "response", d) if r["proto"] == "udp"]
    udp_t = [t for t in of(recs, "timeout", d) if t["proto"] == "udp"]
    if sorted(q["qtype"] for q in udp_q) != ["A", "AAAA"]:
        p.append("udp queries %s" % [q["qtype"] for q in udp_q])
    if not udp_r or len(udp_r) + len(udp_t) != len(udp_q):
        p.append("%d udp responses and %d timeouts for %d queries" % (len(udp_r), len(udp_t),
                                                                      len(udp_q)))
    for r in udp_r:
        if "tc" not in r.get("flags", []) or answers(r) or r.get("rcode") != "NOERROR":
            p.append("udp %s: flags %s answers %s, want tc and none" % (r["qtype"],
                                                                        r.get("flags"),
                                                                        answers(r)))
        same_process(r, c, p, "udp response")
        if not any(q["txid"] == r["txid"] and q["qtype"] == r["qtype"] for q in udp_q):
            p.append("udp response txid %d answers no query" % r["txid"])
    for t in udp_t:
        same_process(t, c, p, "udp timeout")
    tcp = paired(recs, c, p, ["A", "AAAA"], "tcp")
    want_answers(tcp.get("A"), [(c["domain"], "A", "127.0.0.2")], p)
    want_answers(tcp.get("AAAA"), [(c["domain"], "AAAA", "::2")], p)
    for r in tcp.values():
        if "tc" in r.get("flags", []):
            p.append("tcp %s has tc" % r["qtype"])


def check_late(recs, c, p):
    by = paired(recs, c, p, ["A"])
    r = by.get("A")
    if r is not None:
        if r["latency_us"] < 300000:
            p.append("latency_us %d, want >= 300000" % r["latency_us"])
        want_answers(r, [(c["domain"], "A", "127.0.0.2")], p)
    # an unbound socket: the send did not know its port; the record has the
    # one the receive found (paired() asserted it is not 0)
    q = of(recs, "query", c["domain"])
    if len(q) != 1 or q[0].get("sport") != 0:
        p.append("query events %s" % [x.get("sport") for x in q])


def check_slow_reader(recs, c, p):
    """The answer waited 300 ms in the socket (dns_client -S): the latency
    runs to its arrival, not to the read."""
    by = paired(recs, c, p, ["A"])
    want_rcode(by, "NOERROR", p)
    r = by.get("A")
    want_answers(r, [(c["domain"], "A", "127.0.0.2")], p)
    # the read came >= 300 ms after the arrival: a latency to the read is
    # >= 300000 whatever the wire took
    if r is not None and not 0 < r["latency_us"] < 300000:
        p.append("latency_us %d, want the arrival's (< 300000)" % r["latency_us"])


def check_a_aaaa(recs, c, p):
    by = paired(recs, c, p, ["A", "AAAA"])
    want_rcode(by, "NOERROR", p)
    want_answers(by.get("A"), [(c["domain"], "A", "127.0.0.2")], p)
    want_answers(by.get("AAAA"), [(c["domain"], "AAAA", "::2")], p)


def check_plain(qtype, data, family):
    def check(recs, c, p):
        by = paired(recs, c, p, [qtype])
        want_rcode(by, "NOERROR", p)
        r = by.get(qtype)
        want_answers(r, [(c["domain"], qtype, data)], p)
        if r is not None and r.get("family") != family:
            p.append("family %s" % r.get("family"))
    return check


def check_tcp_two(recs, c, p):
    by = paired(recs, c, p, ["A", "AAAA"], "tcp")
    want_rcode(by, "NOERROR", p)
    want_answers(by.get("A"), [(c["domain"], "A", "127.0.0.2")], p)
    want_answers(by.get("AAAA"), [(c["domain"], "AAAA", "::2")], p)
    if set(r["txid"] for r in by.values()) != {c["txid"], c["txid"] + 1}:
        p.append("txids %s" % sorted(r["txid"] for r in by.values()))


def check_timeout(recs, c, p, unanswered=True):
    t = of(recs, "timeout", c["domain"])
    if len(t) != 1:
        p.append("%d timeout records, want 1" % len(t))
        return
    t = t[0]
    if t["txid"] != c["txid"] or t["qtype"] != "A":
        p.append("timeout txid/qtype %s/%s" % (t["txid"], t["qtype"]))
    if not 1000 <= t.get("waited_ms", 0) < 3000 or t.get("end_of_input"):
        p.append("waited_ms %s end_of_input %s" % (t.get("waited_ms"), t.get("end_of_input")))
    if "rcode" in t or "latency_us" in t or t.get("retries") != 0:
        p.append("timeout record has %s" % sorted(t))
    same_process(t, c, p, "timeout")
    if unanswered and of(recs, "response", c["domain"]):
        p.append("a response record for it")


def check_wrongport(recs, c, p):
    u = of(recs, "unsolicited", c["domain"])
    if len(u) != 1:
        p.append("%d unsolicited records, want 1" % len(u))
    else:
        u = u[0]
        if u["txid"] != c["txid"] or u["qtype"] != "A" or u.get("rcode") != "NOERROR":
            p.append("txid/qtype/rcode %s/%s/%s" % (u["txid"], u["qtype"], u.get("rcode")))
        if u.get("daddr") != "127.0.0.1" or u.get("dport") != 5353:
            p.append("from %s:%s, want 127.0.0.1:5353" % (u.get("daddr"), u.get("dport")))
        q = of(recs, "query", c["domain"])
        if q and u.get("sport") in (0, 53):
            p.append("client port %s" % u.get("sport"))
        if not u.get("source", "").startswith("tracepoint/syscalls/sys_exit_recv"):
            p.append("source %s" % u.get("source"))
        want_answers(u, [(c["domain"], "A", "127.0.0.2")], p)
        same_process(u, c, p, "unsolicited")
    check_timeout(recs, c, p)


CHECKS = {
    "chain": check_chain,
    "refused": check_rcode("REFUSED", None),
    "truncate": check_truncate,
    "nx": check_rcode("NXDOMAIN", ["A"]),
    "servfail": check_rcode("SERVFAIL", ["A"]),
    "late": check_late,
    "silent": check_timeout,
    "wrongport": check_wrongport,
    "tcp-two": check_tcp_two,
    "ipv6": check_plain("AAAA", "::2", "AF_INET6"),
    "slow-reader": check_slow_reader,
    "cares": check_a_aaaa,
    "musl": check_a_aaaa,
}


def check_summary(recs, cases, line):
    p = []
    doms = set(c["domain"] for c in cases.values())
    mine = [r for r in recs if r.get("domain") in doms]
    counts = {}
    for r in mine:
        counts[r.get("type")] = counts.get(r.get("type"), 0) + 1
    m = re.search(r", (\d+) responses, (\d+) timeouts \((\d+) at exit\), (\d+) unsolicited, "
                  r"(\d+) evicted", line)
    if not m:
        verdict("summary", ["no response counts in: %s" % line])
        return
    resp, tmo, at_exit, unsol, evicted = map(int, m.groups())
    # other processes of the host may have asked too: at least ours
    if resp < counts.get("response", 0) or tmo < counts.get("timeout", 0):
        p.append("%d responses, %d timeouts counted; %d and %d records" % (
            resp, tmo, counts.get("response", 0), counts.get("timeout", 0)))
    if unsol < 1 or evicted != 0:
        p.append("%d unsolicited, %d evicted" % (unsol, evicted))
    for want in (", 0 lost, 0 malformed,", ", 0 unattributed, 0 tcp-evicted,"):
        if want not in line:
            p.append("want %r in: %s" % (want, line))
    for r in recs:
        if r.get("type") not in ("query", "response", "timeout", "unsolicited", "lost"):
            p.append("record type %s" % r.get("type"))
            break
    verdict("summary", p)


def main():
    recs = load(sys.argv[1])
    cases = manifest(sys.argv[2])
    for name, check in CHECKS.items():
        p = []
        if name not in cases:
            p.append("not run")
        else:
            check(recs, cases[name], p)
        verdict(name, p)
    check_summary(recs, cases, sys.argv[3])
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
