#!/usr/bin/env python3
"""Check `dnsvis replay --responses --timeout 2 -o json` on the generated
capture against what gen_capture.py says it holds.

Usage: expect.py EXPECTED_JSON DNSVIS_JSONL DNSVIS_STDERR

Every expected record (by type and txid) must be there with the fields it
lists; dnsvis must write no response-side record that is not expected; every
query record is "type":"query"; and the summary line counts the unsolicited
response and the timeouts.  Prints "ok ..." or "FAIL ..." lines; exit 1 on a
failure.
"""
import json
import re
import sys


def main():
    want = json.load(open(sys.argv[1]))
    got, queries, bad = {}, 0, []
    for line in open(sys.argv[2]):
        e = json.loads(line)
        if e["type"] == "query":
            queries += 1
            continue
        if (e["type"], e["txid"]) in got:
            bad.append("two %s records for txid %d" % (e["type"], e["txid"]))
        got[(e["type"], e["txid"])] = e
    for w in want:
        k = (w["type"], w["txid"])
        e = got.pop(k, None)
        if e is None:
            bad.append("no %s record for txid %d" % k)
            continue
        for field, value in w.items():
            have = e.get(field)
            if field == "answers":
                have = [[a["type"], a["data"]] for a in e["answers"]]
            if field == "end_of_input" or field == "truncated_copy":
                have = e.get(field, False)
            if have != value:
                bad.append("%s txid %d: %s is %r, want %r" % (k + (field, have, value)))
    for k in got:
        bad.append("unexpected %s record for txid %d" % k)
    summary = open(sys.argv[3]).read()
    m = re.search(r"(\d+) responses paired, (\d+) timeouts \((\d+) at end of input\), "
                  r"(\d+) unsolicited, (\d+) retries", summary)
    counts = tuple(int(x) for x in m.groups()) if m else None
    expect_counts = (sum(w["type"] == "response" for w in want),
                     sum(w["type"] == "timeout" for w in want),
                     sum(bool(w.get("end_of_input")) for w in want),
                     sum(w["type"] == "unsolicited" for w in want),
                     sum(w.get("retries", 0) for w in want))
    if counts != expect_counts:
        bad.append("summary counts %r, want %r" % (counts, expect_counts))
    if bad:
        print("FAIL generated: %d of %d expected records wrong" % (len(bad), len(want)))
        for b in bad[:20]:
            print("  " + b)
        return 1
    print("ok generated: %d response-side records as expected, %d queries typed, summary %r"
          % (len(want), queries, counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
