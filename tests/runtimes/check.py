#!/usr/bin/env python3
"""Assertions for tests/runtimes/run.sh.

check.py CASE OUT MANIFEST

MANIFEST is tab-separated: CASE DOMAIN RUNTIME CIDFILE NAME IMAGE NSPID WANT.
CIDFILE holds the container's full id (written by the runtime).  NSPID is
the namespace pid wanted ("1", or "2+" for any pid above 1).  WANT is the
number of queries that must come out for the domain (1; 2 for a resolver's A
and AAAA), 0 when the filter must drop them.  IMAGE "-": neither
the container's name nor its image is asserted.  A line with NSPID
"2+" is a long-lived container's query, sent again and again: at least 2
events, every one exact.  Prints "# CASE: N/M exact" and "ok CASE ..." or
"FAIL CASE: ...".
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from jsonl import load_lines  # noqa: E402  (the suites' one JSON Lines reader)


def manifest(path, case):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 8 and p[0] == case:
                rows.append(dict(zip(("case", "domain", "runtime", "cidfile", "name",
                                      "image", "nspid", "want"), p)))
    return rows


def cid_of(row):
    try:
        with open(row["cidfile"], encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def problems(e, row, cid):
    """What is wrong with the attribution of event e (empty: exact)."""
    probs = []

    def want(field, val):
        if e.get(field) != val:
            probs.append("%s=%r want %r" % (field, e.get(field), val))

    want("daddr", "127.0.0.1")  # the test responder: nothing may leave the machine
    want("scope", "container")
    want("container_id", cid)
    want("runtime", row["runtime"])
    if row["image"] != "-":
        want("container", row["name"])
        want("container_image", row["image"])
    nsp = e.get("ns_pid")
    if row["nspid"] == "2+":
        if not isinstance(nsp, int) or nsp < 2:
            probs.append("ns_pid=%r want > 1" % nsp)
    else:
        want("ns_pid", int(row["nspid"]))
    if e.get("pid") == e.get("ns_pid"):
        probs.append("pid=%r is the namespace pid" % e.get("pid"))
    return probs


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    case, outp, manp = sys.argv[1:]
    evs, bad = load_lines(outp)
    rows = manifest(manp, case)
    by_dom = {}
    for e in evs:
        by_dom.setdefault(e.get("domain", ""), []).append(e)
    exact, wanted, probs = 0, 0, []
    no_ctr = 0
    for row in rows:
        es = by_dom.get(row["domain"], [])
        if row["want"] == "0":
            if es:
                probs.append("%s: %d events, want none (filtered)" % (row["name"], len(es)))
            continue
        wanted += 1
        cid = cid_of(row)
        if not cid:
            probs.append("%s: no container id (the container did not start)" % row["name"])
            continue
        many = row["nspid"] == "2+"
        if (many and len(es) < 2) or (not many and len(es) != int(row["want"])):
            probs.append("%s: %d events, want %s" % (row["name"], len(es),
                                                     "2 or more" if many else row["want"]))
            continue
        bad_ev = [(e, problems(e, row, cid)) for e in es]
        bad_ev = [(e, p) for e, p in bad_ev if p]
        if bad_ev:
            if not bad_ev[0][0].get("container_id"):
                no_ctr += 1
            probs.append("%s: %d of %d events wrong: %s" % (row["name"], len(bad_ev), len(es),
                                                           "; ".join(bad_ev[0][1])))
        else:
            exact += 1
    if bad:
        probs.append("%d output lines are not JSON" % bad)
    print("# %s: %d/%d exact (%d with no container fields)" % (case, exact, wanted, no_ctr))
    if not rows:
        probs.append("nothing in the manifest")
    if probs:
        shown = probs[:6] + (["... %d more" % (len(probs) - 6)] if len(probs) > 6 else [])
        print("FAIL %s: %s" % (case, " | ".join(shown)))
    else:
        print("ok %s (%d/%d exact)" % (case, exact, wanted))


if __name__ == "__main__":
    main()
