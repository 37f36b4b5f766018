#!/usr/bin/env bash
# Live test of `dnsvis trace --responses` on this host (root; real eBPF,
# the tracepoint backend here).
#
#   tests/live-responses/run.sh [--keep] DNSVIS
#
# Starts `DNSVIS trace -o json --responses --timeout 1` in the host's
# namespaces, then runs tests/live-responses/cases.sh in a network and mount
# namespace of its own: the responder (tests/live/responder.py) on its
# loopback, glibc getent, dig, c-ares (Node.js), musl's getaddrinfo and
# tests/live/dns_client.c as clients, their
# resolv.conf naming 127.0.0.1 (no traffic leaves the namespace).  Cases: A
# and AAAA behind a CNAME chain, NXDOMAIN, SERVFAIL, REFUSED, an answer
# 300 ms late, no answer (a timeout by the clock), TC=1 over UDP and the
# TCP retry, an answer from a wrong source port (unsolicited), two answers
# on one TCP connection, IPv6.  After SIGINT, check.py asserts each record
# and the summary line.  Then `DNSVIS audit --responses` live, with a few
# of the same cases: its report's rcodes, timeouts and latency.
#
# Output: "ok CASE" / "FAIL CASE: reason", then
# "live-responses: N passed, N failed".  Exit status 0 only if nothing failed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/common.sh
. "$HERE/../lib/common.sh"
take_live_lock 600 || {
	echo "live-responses: another live test run holds /tmp/dnsvis-live.lock"
	exit 1
}
KEEP=0
DNSVIS=""
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) KEEP=1; shift ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) DNSVIS=$1; shift ;;
	esac
done
[ -n "$DNSVIS" ] || { sed -n '2,5p' "$0" >&2; exit 2; }

suite_results live-responses
TMPD=""
DNSVIS_PID=""
WATCHDOG_PID=""
cleanup() {
	trap - EXIT INT TERM
	stop_pid "$DNSVIS_PID" INT 3
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ -n "$TMPD" ]; then
		if [ "$KEEP" = 1 ]; then echo "# kept $TMPD" >&2; else rm -rf "$TMPD"; fi
	fi
}
trap cleanup EXIT
trap 'echo "live-responses: interrupted" >&2; FAIL=$((FAIL + 1)); finish' INT TERM
start_watchdog live-responses 90

[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for t in python3 cc musl-gcc unshare ip getent dig node; do
	command -v "$t" >/dev/null || { fail setup "missing tool: $t"; finish; }
done
[ -x "$DNSVIS" ] || { fail setup "not executable: $DNSVIS"; finish; }
DNSVIS=$(realpath "$DNSVIS")
TMPD=$(mktemp -d /tmp/dnsvis-live-resp.XXXXXX) || { fail setup "mktemp"; finish; }
cd "$TMPD" || exit 1
RAND=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
CLIENT=$TMPD/dns_client
cc -O2 -Wall -Wextra -Werror -o "$CLIENT" "$HERE/../live/dns_client.c" 2>"$TMPD/cc.err" ||
	{ fail setup "cannot build dns_client: $(head -c 600 "$TMPD/cc.err")"; finish; }
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$TMPD/musl_gai" "$HERE/../live/gai_client.c" \
	2>"$TMPD/cc.err" ||
	{ fail setup "cannot build gai_client with musl-gcc: $(head -c 600 "$TMPD/cc.err")"; finish; }

# start TAG CMD...: CMD (a dnsvis command line) in the background with
# SIGINT at its default disposition; wait for "dnsvis: ready".
start() {
	local tag=$1
	shift
	ERR=$TMPD/$tag.err
	OUT=$TMPD/$tag.out
	env --default-signal=INT "$@" >"$OUT" 2>"$ERR" </dev/null &
	DNSVIS_PID=$!
	if ! wait_until "$DNSVIS_PID" 200 grep -qs '^dnsvis: ready' "$ERR"; then
		fail "$tag" "not ready within 20 s: $(tail -c 300 "$ERR" | tr '\n' '|')"
		return 1
	fi
}
# stop: SIGINT, bounded wait; RC is the exit status (124: killed).
stop() {
	kill -INT "$DNSVIS_PID" 2>/dev/null
	if wait_gone "$DNSVIS_PID" 100; then
		wait "$DNSVIS_PID"
		RC=$?
	else
		stop_pid "$DNSVIS_PID" KILL 1
		RC=124
	fi
	DNSVIS_PID=""
}

# ---- trace --responses ---------------------------------------------------------
if start trace "$DNSVIS" trace -o json --responses --timeout 1; then
	if unshare -n -m bash "$HERE/cases.sh" "$TMPD" "$CLIENT" "$RAND" 2>"$TMPD/cases.err"; then
		ok clients "every client exited as expected"
	else
		fail clients "$(head -c 600 "$TMPD/cases.err")"
	fi
	# the last timeouts: 1 s after the last query, plus the clock's lag
	sleep 2
	stop
	summary=$(grep '^dnsvis: [0-9]* events' "$ERR" | tail -1)
	if [ "$RC" = 0 ] && [ -n "$summary" ]; then
		ok exit "status 0; $summary"
	else
		fail exit "status $RC; $(tail -c 300 "$ERR" | tr '\n' '|')"
	fi
	count_results < <(timeout 30 python3 "$HERE/check.py" "$OUT" "$TMPD/manifest.tsv" \
		"$summary" 2>&1)
fi

# ---- audit --responses, live ----------------------------------------------------
# three names: answered (chain), NXDOMAIN, and no answer (a timeout)
cat >"$TMPD/allow" <<ALLOW
*.test.example
*.nx
ALLOW
AUD=$TMPD/audit
mkdir -p "$AUD"
if start audit "$DNSVIS" audit --responses --timeout 1 -o json --allow "$TMPD/allow"; then
	cat >"$AUD/cases.sh" <<'CASES'
set -u
ip link set lo up
mount --bind "$2/../resolv.conf" /etc/resolv.conf
python3 "$1/../live/responder.py" --no-ipv6 --ready-file "$2/ready" 2>"$2/responder.err" &
for ((i = 0; i < 50; i++)); do [ -e "$2/ready" ] && break; sleep 0.1; done
"$3" -r send 127.0.0.1 53 "chain-$4.test.example" A 0x2001
"$3" -r send 127.0.0.1 53 "chain-$4.test.example" A 0x2002
"$3" -r send 127.0.0.1 53 "aud-$4.nx" A 0x2003
"$3" send 127.0.0.1 53 "silent-$4.test.example" A 0x2004
kill %1
CASES
	unshare -n -m bash "$AUD/cases.sh" "$HERE" "$AUD" "$CLIENT" "$RAND" >/dev/null 2>"$AUD/cases.err" ||
		fail audit-clients "$(head -c 300 "$AUD/cases.err")"
	sleep 2
	stop
	[ "$RC" = 0 ] || fail audit "status $RC; $(tail -c 300 "$ERR" | tr '\n' '|')"
	count_results < <(timeout 30 python3 - "$OUT" "$RAND" <<'PY' 2>&1
import json, sys
rep = json.load(open(sys.argv[1]))
rand = sys.argv[2]
doms = {}
for w in rep.get("workloads", []):
    for d in w.get("domains", []):
        doms[d.get("domain")] = d
p = []
def resp(name):
    d = doms.get(name)
    if d is None:
        p.append("no domain %s in the report" % name)
        return {}
    return d.get("responses", {})
r = resp("chain-%s.test.example" % rand)
if r.get("rcodes") != {"NOERROR": 2} or r.get("timeouts") != 0:
    p.append("chain: %s" % r)
lat = r.get("latency_us", {})
if not (0 < lat.get("p50", 0) <= lat.get("max", 0) < 1000000):
    p.append("chain latency %s" % lat)
r = resp("aud-%s.nx" % rand)
if r.get("rcodes") != {"NXDOMAIN": 1}:
    p.append("nx: %s" % r)
r = resp("silent-%s.test.example" % rand)
if r.get("timeouts") != 1 or r.get("rcodes"):
    p.append("silent: %s" % r)
print(("FAIL audit: " + "; ".join(p)) if p else "ok audit rcodes, timeouts and latency by domain")
PY
)
fi
finish
