#!/usr/bin/env bash
# `dnsvis audit --replay` with what it learns from responses and from the
# traffic itself: run by run.sh (the responses suite), one "ok"/"FAIL" line
# per check.  Usage: audit.sh DNSVIS TMPDIR
#  - the pod's search-list lookup (gen_pod_pcap.py: N.S answered NXDOMAIN,
#    then N) passes --allow google.com without --search, exit 0, and counts
#    6 expansions as search-list waste; --responses adds the rcodes;
#  - the same queries 10 s apart are no lookup: exit 3, nothing learned;
#  - --responses over the generated capture: rcodes, timeouts, unsolicited
#    and latency percentiles per workload and domain, text and json.
dnsvis=$1 tmp=$2
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
res() { # NAME STATUS
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok audit: $1"
	else
		failed=$((failed + 1))
		echo "FAIL audit: $1"
	fi
}
py() { # NAME REPORT PYTHON: d is the report
	python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
w = {x['workload']: x for x in d['workloads']}
def dom(wl, name): return [x for x in w[wl]['domains'] if x['domain'] == name][0]
$3" "$2" 2>&1 | head -5
	res "$1" "${PIPESTATUS[0]}"
}
echo google.com >"$tmp/allow.txt"
python3 "$here/gen_pod_pcap.py" "$tmp/pod.pcap"
python3 "$here/gen_pod_pcap.py" "$tmp/pod-slow.pcap" 10

"$dnsvis" audit --replay -o json --allow "$tmp/allow.txt" "$tmp/pod.pcap" >"$tmp/a1.json" 2>/dev/null
res "pod search list learned: exit 0 without --search" $?
py "pod: 6 expansions of google.com are search-list waste" "$tmp/a1.json" '
assert w["address:10.42.0.15"]["search_list_waste"] == 6, w
assert d["totals"]["search_list_waste"] == 6 and d["violations"] == [], d["totals"]'
"$dnsvis" audit --replay -o json --allow "$tmp/allow.txt" "$tmp/pod-slow.pcap" >"$tmp/a2.json" 2>/dev/null
res "queries 10 s apart are no lookup: exit 3" "$(($? != 3))"
py "queries 10 s apart: 6 not_allowed, nothing learned" "$tmp/a2.json" '
assert len(d["violations"]) == 3 and d["totals"]["violation_events"] == 6, d["violations"]
assert d["totals"].get("search_list_waste") is None, d["totals"]'
"$dnsvis" audit --replay --responses -o json --allow "$tmp/allow.txt" "$tmp/pod.pcap" \
	>"$tmp/a3.json" 2>/dev/null
res "pod with --responses: exit 0" $?
py "pod with --responses: NXDOMAIN per expansion, NOERROR for google.com, latency" "$tmp/a3.json" '
wl = "address:10.42.0.15"
g = dom(wl, "google.com")["responses"]
assert g == {"rcodes": {"NOERROR": 2}, "timeouts": 0,
             "latency_us": {"p50": 400, "p95": 400, "p99": 400, "max": 400}}, g
for s in ("default.svc.cluster.local", "svc.cluster.local", "cluster.local"):
    r = dom(wl, "google.com." + s)["responses"]
    assert r["rcodes"] == {"NXDOMAIN": 2}, (s, r)
assert w[wl]["unsolicited"] == 0 and w[wl]["search_list_waste"] == 6, w[wl]'

python3 "$here/gen_capture.py" "$tmp/g.pcap" "$tmp/g.json"
"$dnsvis" audit --replay --responses --timeout 2 -o json "$tmp/g.pcap" >"$tmp/a4.json" 2>/dev/null
res "generated capture with --responses: exit 0" $?
py "generated: rcodes, timeouts, unsolicited, latency per domain" "$tmp/a4.json" '
wl = "address:10.0.0.2"
assert w[wl]["unsolicited"] == 1 and d["totals"]["unsolicited"] == 1, w[wl]
sf = dom(wl, "sf.example.com")["responses"]
assert sf["rcodes"] == {"SERVFAIL": 1} and sf["latency_us"]["max"] == 250000, sf
assert dom(wl, "nx.example.com")["responses"]["rcodes"] == {"NXDOMAIN": 1}
assert dom(wl, "rf.example.com")["responses"]["rcodes"] == {"REFUSED": 1}
assert dom(wl, "cookie.example.com")["responses"]["rcodes"] == {"BADCOOKIE": 1}
slow = dom(wl, "slow.example.com")["responses"]
assert slow == {"rcodes": {}, "timeouts": 1, "latency_us": None}, slow
# a UDP answer with TC, then the TCP one: two responses, latencies 4 ms and 7 ms
big = dom(wl, "big.example.com")["responses"]
assert big["rcodes"] == {"NOERROR": 2} and big["latency_us"] == {
    "p50": 4000, "p95": 7000, "p99": 7000, "max": 7000}, big
# retried once, answered on the retry: latency from the first transmission
assert dom(wl, "retry.example.com")["responses"]["latency_us"]["max"] == 1010000'
"$dnsvis" audit --replay --responses --timeout 2 "$tmp/g.pcap" >"$tmp/a5.txt" 2>/dev/null
grep -q "^    responses: SERVFAIL 1  timeouts 0  latency p50/p95/p99/max 250.000/250.000/250.000/250.000 ms$" \
	"$tmp/a5.txt" && grep -q "unsolicited 1" "$tmp/a5.txt"
res "text report: the responses line under each domain" $?
# live audits take --responses (tests/live-responses); --timeout alone is
# trace's usage error, passed through
"$dnsvis" audit --timeout 1 -d 1 >/dev/null 2>"$tmp/a6.err"
[ $? -eq 2 ] && [ "$(wc -l <"$tmp/a6.err")" -eq 1 ] && grep -q -- "--timeout and --max-pending need --responses" "$tmp/a6.err"
res "live --timeout without --responses: one usage line, exit 2" $?
echo "audit-checks $passed $failed"
