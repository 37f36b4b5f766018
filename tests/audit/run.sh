#!/usr/bin/env bash
# tests/audit/run.sh DNSVIS - the `dnsvis audit` suite, and the service
# pieces (-w with SIGHUP rotation, --stats, the replay progress bar, the
# scripts in scripts/).
#
# Offline (any user): audit --replay over a generated capture
# (gen_audit_pcap.py): counts, qtypes, servers, first/last seen, violations,
# the search-list rule, exit codes 0/1/2/3, text and json, -w; progress bar
# on a pty only; bash -n on every script; systemd-analyze verify of the unit
# (where installed); the DaemonSet parses as YAML.
#
# Live (root; holds /tmp/dnsvis-live.lock; loopback only): audit over the
# client matrix of tests/live/dns_client.c, unexpected_server with a process
# in its own mount namespace and resolv.conf (127.0.0.1 listed, 127.0.0.53
# not), the search list read from that resolv.conf, two quick real digs
# judged by the mount namespace captured at send time, and `trace -w` rotated
# with SIGHUP under a steady query load (every event in exactly one file).
# AUDIT_SKIP_LIVE=1 skips the live part.
#
# Prints "ok NAME" / "FAIL NAME: why" and "audit: N passed, N failed".
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 DNSVIS" >&2
	exit 2
fi
DNSVIS=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib/common.sh
. "$ROOT/tests/lib/common.sh"
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok $1${2:+: $2}"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: ${*:2}"; }
finish() {
	echo "audit: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
	exit $?
}
[ -x "$DNSVIS" ] || { fail setup "not executable: $1"; finish; }

T=$(mktemp -d /tmp/dnsvis-audit.XXXXXX)
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

# check NAME PYTHON-ASSERTIONS FILE: the file is JSON in `d`; the code runs
# asserts; the first failed assert's message is the reason.
check() {
	local name=$1 code=$2 file=$3 out
	if out=$(python3 - "$file" 2>&1 <<EOF
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    sys.exit("not one JSON document: %s" % e)
def wl(key):
    for w in d["workloads"]:
        if w["workload"] == key:
            return w
    raise AssertionError("no workload %s in %s" % (key, [w["workload"] for w in d["workloads"]]))
def dom(w, name):
    for x in w["domains"]:
        if x["domain"] == name:
            return x
    raise AssertionError("no domain %s in %s" % (name, w["workload"]))
def viol(**kw):
    return [v for v in d["violations"] if all(v.get(k) == x for k, x in kw.items())]
try:
$(sed 's/^/    /' <<<"$code")
except AssertionError as e:
    sys.exit(str(e) or "assertion failed")
except (KeyError, IndexError, TypeError) as e:
    sys.exit("report shape: %r" % e)
EOF
	); then
		ok "$name"
	else
		fail "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
}
# expect_rc NAME WANT GOT [STDERR-FILE]
expect_rc() {
	if [ "$3" = "$2" ]; then
		ok "$1" "exit $3"
	else
		fail "$1" "exit $3, want $2${4:+; stderr: $(head -c 300 "$4" | tr '\n' '|')}"
	fi
}

# ---- offline: replay -------------------------------------------------------
python3 "$HERE/gen_audit_pcap.py" "$T/audit.pcap" || { fail setup "gen_audit_pcap.py"; finish; }
cat >"$T/allow.txt" <<'EOF'
# allowed names
google.com
*.example.org   # the org and everything below it... only below
EOF
printf 'EVIL.test\n*.bad\n' >"$T/deny.txt"
printf 'google.com\n*.example.org\nevil.test\ngoogle.com.evil.net\n*.malware.bad\n' >"$T/allow-all.txt"

"$DNSVIS" audit --replay -o json "$T/audit.pcap" >"$T/r0.json" 2>"$T/r0.err"
expect_rc replay-no-lists-exit 0 $? "$T/r0.err"
check replay-counts '
t = d["totals"]
assert d["mode"] == "replay", d["mode"]
assert t["events"] == 11, t
assert t["workloads"] == 3, t
assert t["domains"] == 8, t
assert t["violations"] == 0 and d["violations"] == [], t
w = wl("address:10.0.0.1")
assert w["queries"] == 6, w["queries"]
g = dom(w, "google.com")
assert g["count"] == 3, g
assert g["qtypes"] == ["A", "AAAA"], g["qtypes"]
assert [s["server"] for s in g["servers"]] == ["10.96.0.10:53"], g["servers"]
assert g["servers"][0]["count"] == 3
assert g["first_seen"] == "2023-11-14T22:13:20.000000Z", g["first_seen"]
assert g["last_seen"] == "2023-11-14T22:13:22.000000Z", g["last_seen"]
e = dom(w, "evil.test")
assert e["qtypes"] == ["TXT"] and e["servers"][0]["server"] == "8.8.8.8:53", e
w2 = wl("address:10.0.0.2")
m = dom(w2, "x.malware.bad")
assert m["count"] == 2 and m["qtypes"] == ["A", "MX"], m
assert dom(w2, "api.example.org")["qtypes"] == ["SRV"]
v6 = dom(wl("address:fd00::5"), "v6.example.org")
assert v6["servers"][0]["server"] == "[fd00::53]:53", v6
' "$T/r0.json"

"$DNSVIS" audit --replay -o json --allow "$T/allow.txt" --search svc.cluster.local \
	"$T/audit.pcap" >"$T/r1.json" 2>"$T/r1.err"
expect_rc replay-allow-exit 3 $? "$T/r1.err"
check replay-allow-violations '
na = sorted((v["workload"], v["domain"], v["count"]) for v in viol(type="not_allowed"))
assert na == [("address:10.0.0.1", "evil.test", 1),
              ("address:10.0.0.2", "google.com.evil.net", 1),
              ("address:10.0.0.2", "x.malware.bad", 2)], na
assert len(d["violations"]) == 3, d["violations"]
v = viol(domain="evil.test")[0]
assert v["server"] == "8.8.8.8:53" and v["pid"] is None, v
assert d["totals"]["violations"] == 3 and d["totals"]["violation_events"] == 4, d["totals"]
' "$T/r1.json"

# the search-list rule: without the search domain the expansion is a violation
"$DNSVIS" audit --replay -o json --allow "$T/allow.txt" "$T/audit.pcap" >"$T/r2.json" 2>/dev/null
expect_rc replay-no-search-exit 3 $?
check replay-search-rule '
assert viol(type="not_allowed", domain="google.com.svc.cluster.local"), "expansion not flagged without --search"
assert len(viol(type="not_allowed")) == 4, d["violations"]
' "$T/r2.json"
"$DNSVIS" audit --replay -o json --allow "$T/allow.txt" --search cluster.local \
	"$T/audit.pcap" >"$T/r2b.json" 2>/dev/null
check replay-search-label-boundary '
# "svc.cluster.local" is not the allowed "google.com" plus the search domain "cluster.local"
assert viol(type="not_allowed", domain="google.com.svc.cluster.local"), d["violations"]
' "$T/r2b.json"

"$DNSVIS" audit --replay -o json --deny "$T/deny.txt" "$T/audit.pcap" >"$T/r3.json" 2>/dev/null
expect_rc replay-deny-exit 3 $?
check replay-deny-violations '
dn = sorted((v["domain"], v["count"]) for v in viol(type="denied"))
assert dn == [("evil.test", 1), ("x.malware.bad", 2)], dn
assert len(d["violations"]) == 2, d["violations"]
' "$T/r3.json"

"$DNSVIS" audit --replay -o json --allow "$T/allow-all.txt" --search svc.cluster.local \
	"$T/audit.pcap" >"$T/r4.json" 2>/dev/null
expect_rc replay-all-allowed-exit 0 $?

"$DNSVIS" audit --replay --allow "$T/allow.txt" --deny "$T/deny.txt" \
	--search=svc.cluster.local "$T/audit.pcap" >"$T/r5.txt" 2>/dev/null
rc=$?
if [ $rc = 3 ] && grep -q '^VIOLATIONS (5)' "$T/r5.txt" &&
	grep -Eq '^  denied +x\.malware\.bad +workload address:10\.0\.0\.2' "$T/r5.txt" &&
	grep -q '^TOTALS events 11 ' "$T/r5.txt" && grep -q '^WORKLOAD address 10.0.0.1' "$T/r5.txt"; then
	ok replay-text-report "exit 3, 5 violations"
else
	fail replay-text-report "exit $rc; $(head -c 600 "$T/r5.txt" | tr '\n' '|')"
fi

# -w in replay: every event as a JSON line; the report on stdout as usual
"$DNSVIS" audit --replay -o json -w "$T/events.jsonl" "$T/audit.pcap" >"$T/r6.json" 2>/dev/null
rc=$?
n=$(wc -l <"$T/events.jsonl" 2>/dev/null || echo 0)
if [ $rc = 0 ] && [ "$n" = 11 ] && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/events.jsonl"; then
	ok replay-write "11 JSON lines"
else
	fail replay-write "exit $rc, $n lines"
fi

# usage and errors
"$DNSVIS" audit --replay -o xml "$T/audit.pcap" >/dev/null 2>"$T/e"
expect_rc usage-bad-format 2 $? "$T/e"
"$DNSVIS" audit --replay --no-such-option "$T/audit.pcap" >/dev/null 2>"$T/e"
expect_rc usage-unknown-option 2 $? "$T/e"
"$DNSVIS" audit --replay >/dev/null 2>"$T/e"
expect_rc usage-no-files 2 $? "$T/e"
"$DNSVIS" audit --replay --allow >/dev/null 2>"$T/e"
expect_rc usage-allow-no-value 2 $? "$T/e"
"$DNSVIS" audit -d 5x >/dev/null 2>"$T/e"
expect_rc usage-bad-duration 2 $? "$T/e"
"$DNSVIS" audit --replay --allow "$T/missing.txt" "$T/audit.pcap" >/dev/null 2>"$T/e"
expect_rc error-missing-allowlist 1 $? "$T/e"
printf 'ok.example\nbad..name\n' >"$T/bad.txt"
"$DNSVIS" audit --replay --deny "$T/bad.txt" "$T/audit.pcap" >/dev/null 2>"$T/e"
rc=$?
if [ $rc = 1 ] && grep -q 'bad.txt:2: ' "$T/e"; then ok error-bad-pattern "exit 1, names line 2"; else fail error-bad-pattern "exit $rc: $(cat "$T/e")"; fi
"$DNSVIS" audit --replay "$T/missing.pcap" >/dev/null 2>"$T/e"
expect_rc error-missing-capture 1 $? "$T/e"
"$DNSVIS" audit --help >"$T/h" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'Exit status: 0 no violation, 3 violations, 1 error, 2 usage' "$T/h"; then ok usage-help; else fail usage-help "exit $rc"; fi

# ---- offline: replay progress bar ----------------------------------------
python3 - "$T/big.pcap" <<'EOF'
import struct, sys
q = bytes.fromhex("12340100000100000000000003777777076578616d706c6503636f6d0000010001")
udp = struct.pack("!HHHH", 40000, 53, 8 + len(q), 0) + q
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 53]))
pkt = b"\2\0\0\0\0\2\2\0\0\0\0\1\x08\0" + ip + udp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(20000):
        f.write(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000, len(pkt), len(pkt)) + pkt)
EOF
DNSVIS_PROGRESS_AFTER=0 "$DNSVIS" replay "$T/big.pcap" >/dev/null 2>"$T/noprog.err"
if grep -q 'pkt/s' "$T/noprog.err"; then
	fail progress-not-a-tty "progress drawn on a non-terminal stderr"
else
	ok progress-not-a-tty "stderr is the summary only"
fi
if command -v script >/dev/null; then
	DNSVIS_PROGRESS_AFTER=0 script -qec "'$DNSVIS' replay -o json '$T/big.pcap' >/dev/null" \
		"$T/tty.log" >/dev/null 2>&1 </dev/null
	if grep -aq 'dnsvis: replay \[#*\.*\] *[0-9]*%  [0-9]* pkt/s' "$T/tty.log"; then
		ok progress-on-a-tty "$(grep -ao '[0-9]*%  [0-9]* pkt/s' "$T/tty.log" | tail -1)"
	else
		fail progress-on-a-tty "no bar in $(head -c 300 "$T/tty.log" | tr '\r\n' '||')"
	fi
else
	echo "# skip progress-on-a-tty: no script(1)"
fi

# ---- offline: scripts ------------------------------------------------------
bad=""
for f in "$ROOT"/scripts/*.sh "$ROOT"/scripts/bash-completion/dnsvis "$ROOT"/tests/audit/*.sh \
	"$ROOT"/tests/*.sh; do
	[ -f "$f" ] || continue
	bash -n "$f" 2>"$T/e" || bad+=" $(basename "$f"): $(head -1 "$T/e")"
done
[ -z "$bad" ] && ok scripts-bash-n || fail scripts-bash-n "$bad"
if command -v systemd-analyze >/dev/null; then
	# verify needs ExecStart's binary to exist: point it at this build
	sed "s#^ExecStart=/usr/local/sbin/dnsvis#ExecStart=$DNSVIS#" "$ROOT/scripts/dnsvis.service" \
		>"$T/dnsvis.service"
	if SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$T/dnsvis.service" >"$T/e" 2>&1 &&
		! grep -qiE 'unknown|invalid|failed|ignoring' "$T/e"; then
		ok systemd-unit-verify
	else
		fail systemd-unit-verify "$(head -c 400 "$T/e" | tr '\n' '|')"
	fi
else
	echo "# skip systemd-unit-verify: no systemd-analyze"
fi
if /usr/bin/python3 - "$ROOT/scripts/k8s/daemonset.yaml" >"$T/e" 2>&1 <<'EOF'; then
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ds = [d for d in docs if d.get("kind") == "DaemonSet"]
assert len(ds) == 1, "one DaemonSet"
spec = ds[0]["spec"]["template"]["spec"]
assert spec.get("hostPID") is True, "hostPID"
c = spec["containers"][0]
assert c["securityContext"]["privileged"] is True, "privileged"
args = " ".join(c.get("command", []) + c.get("args", []))
assert "--host-root" in args and "-o json" in args, args
assert any(v.get("hostPath", {}).get("path") == "/" for v in spec["volumes"]), "host root volume"
EOF
	ok daemonset-yaml
else
	fail daemonset-yaml "$(tail -2 "$T/e" | tr '\n' ' ')"
fi
# the man page: renders without warnings, documents every exit code,
# subcommand and audit option
if command -v groff >/dev/null; then
	if groff -man -Tutf8 -ww "$ROOT/doc/dnsvis.8.in" >"$T/man.txt" 2>"$T/e" && [ ! -s "$T/e" ]; then
		missing=""
		for w in "EXIT STATUS" "--allow" "--deny" "--search" "--replay" "--write" "--stats" \
			"unexpected_server" "not_allowed" "denied" "SIGHUP" "doctor" "replay" "audit" \
			"first_seen" "violations"; do
			sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g' "$T/man.txt" | grep -qF -- "$w" || missing+=" $w"
		done
		[ -z "$missing" ] && ok man-page || fail man-page "does not mention:$missing"
	else
		fail man-page "groff: $(head -c 300 "$T/e")"
	fi
else
	echo "# skip man-page: no groff"
fi

# ---- live ----------------------------------------------------------------
if [ "${AUDIT_SKIP_LIVE:-0}" = 1 ]; then
	echo "# skip live: AUDIT_SKIP_LIVE=1"
	finish
fi
if [ "$(id -u)" != 0 ]; then
	echo "# skip live: not root"
	finish
fi
for tool in cc unshare flock timeout; do
	command -v "$tool" >/dev/null || { fail live-setup "missing tool: $tool"; finish; }
done
take_live_lock 900 || { fail live-setup "could not take /tmp/dnsvis-live.lock"; finish; }

CLIENT=$T/dns_client
cc -O2 -o "$CLIENT" "$ROOT/tests/live/dns_client.c" 2>"$T/e" || { fail live-setup "cc: $(head -3 "$T/e")"; finish; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
start_responder "$PY" "$T"
ready=$?
PIDS+=" $RESPONDER_PID"
[ "$ready" = 0 ] || { fail live-setup "responder: $(head -c 200 "$T/responder.err")"; finish; }
RAND=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')

# start_bg TAG CMD...: background with SIGINT at its default; sets BG
start_bg() {
	local tag=$1
	shift
	env --default-signal=INT,QUIT "$@" >"$T/$tag.out" 2>"$T/$tag.err" </dev/null &
	BG=$!
	PIDS+=" $BG"
}
wait_ready() { # TAG
	wait_until "$BG" 200 dnsvis_ready "$T/$1.err" && return 0
	fail "$1" "not ready: $(tail -c 300 "$T/$1.err" | tr '\n' '|')"
	kill -KILL "$BG" 2>/dev/null
	return 1
}
stop_bg() { # sets RC
	kill -INT "$BG" 2>/dev/null
	wait_gone "$BG" 100
	kill -KILL "$BG" 2>/dev/null
	wait "$BG"
	RC=$?
}

# inns CMD...: run CMD in a private mount namespace whose resolv.conf names
# 127.0.0.1 (this host's own resolv.conf names another server, so a query
# to 127.0.0.1 from the host namespace is rightly an unexpected_server)
NS_SH='mount --bind "$0" /etc/resolv.conf && exec "$@"'
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/resolv-lo.conf"
inns() { unshare -m sh -c "$NS_SH" "$T/resolv-lo.conf" "$@"; }

# 1. the client matrix: every send path is counted under its workload
paths="sendto send write writev sendmsg1 sendmsg3 sendmsg-connected sendmmsg ipv6 v4mapped tcp tcp-writev exit-fast"
: >"$T/allow-live.txt"
for p in $paths; do echo "$p-$RAND.audit.example" >>"$T/allow-live.txt"; done
start_bg matrix "$DNSVIS" audit -o json --domain "*-$RAND.audit.example" --allow "$T/allow-live.txt"
if wait_ready matrix; then
	txid=4096
	for p in $paths; do
		srv=127.0.0.1 opt=-r
		[ "$p" = ipv6 ] && srv=::1
		[ "$p" = exit-fast ] && opt=-n
		txid=$((txid + 2))
		"$CLIENT" $opt "$p" "$srv" 53 "$p-$RAND.audit.example" A "$txid" 2>>"$T/client.err"
	done
	"$CLIENT" -r sendto 127.0.0.1 53 "notallowed-$RAND.audit.example" A 9999 &
	bad_pid=$!
	wait $bad_pid
	sleep 0.5
	stop_bg
	expect_rc live-matrix-exit 3 "$RC" "$T/matrix.err"
	check live-matrix-report "
w = wl('host:$CLIENT')
for p in '$paths'.split():
    x = dom(w, p + '-$RAND.audit.example')
    assert x['count'] >= 1, (p, x)
    want = ['A', 'AAAA'] if p == 'sendmmsg' else ['A']
    assert x['qtypes'] == want, (p, x['qtypes'])
    srv = '[::1]:53' if p == 'ipv6' else '127.0.0.1:53'
    assert [s['server'] for s in x['servers']] == [srv], (p, x['servers'])
    assert x['first_seen'] <= x['last_seen']
assert dom(w, 'sendto-$RAND.audit.example')['count'] == 1
assert d['totals']['events'] == sum(x['count'] for x in w['domains']), d['totals']
na = viol(type='not_allowed')
assert len(na) == 1, na
v = na[0]
assert v['domain'] == 'notallowed-$RAND.audit.example', v
assert v['pid'] == $bad_pid and v['comm'] == 'dns_client' and v['exe'] == '$CLIENT', v
assert v['workload'] == 'host:$CLIENT', v
assert not viol(type='denied')
" "$T/matrix.out"
fi

# an all-allowed live run exits 0
start_bg clean "$DNSVIS" audit -o json --domain "*-$RAND.clean.example" --allow "$T/allow-live.txt" \
	--allow <(echo "ok-$RAND.clean.example")
if wait_ready clean; then
	inns "$CLIENT" -r sendto 127.0.0.1 53 "ok-$RAND.clean.example" A 4242
	sleep 0.3
	stop_bg
	expect_rc live-clean-exit 0 "$RC" "$T/clean.err"
fi

# -d: a live audit ends by itself and reports
start_bg dur "$DNSVIS" audit -d 2s -o json --domain "*-$RAND.dur.example"
if wait_ready dur; then
	inns "$CLIENT" -r sendto 127.0.0.1 53 "d-$RAND.dur.example" A 4243
	if ! wait_gone "$BG" 100; then
		fail live-duration "still running 10 s after -d 2s"
		stop_bg
	else
		wait "$BG"
		expect_rc live-duration-exit 0 $? "$T/dur.err"
		check live-duration-report "
assert dom(wl('host:$CLIENT'), 'd-$RAND.dur.example')['count'] == 1
" "$T/dur.out"
	fi
fi

# 2. unexpected_server and the search list of the process's own resolv.conf
printf 'nameserver 127.0.0.1\nsearch svc.cluster.local\noptions timeout:1 attempts:1\n' >"$T/resolv.conf"
cat >"$T/sender.py" <<'EOF'
import socket, struct, sys, time
def q(name, txid):
    b = struct.pack("!HHHHHH", txid, 0x0100, 1, 0, 0, 0)
    for l in name.split("."):
        b += bytes([len(l)]) + l.encode()
    return b + b"\0" + struct.pack("!HH", 1, 1)
r = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(q("listed-%s.srv.example" % r, 0x3001), ("127.0.0.1", 53))
s.sendto(q("bypass-%s.srv.example" % r, 0x3002), ("127.0.0.53", 53))
s.sendto(q("allowed-%s.srv.example.svc.cluster.local" % r, 0x3003), ("127.0.0.1", 53))
time.sleep(1.5)  # stay alive while dnsvis reads /proc/PID/root/etc/resolv.conf
EOF
printf '%s\n' "listed-$RAND.srv.example" "bypass-$RAND.srv.example" "allowed-$RAND.srv.example" \
	"gone-$RAND.srv.example" >"$T/allow-srv.txt"
start_bg srv "$DNSVIS" audit -o json --domain "*-$RAND.srv.example*" --allow "$T/allow-srv.txt"
if wait_ready srv; then
	unshare -m sh -c "$NS_SH" "$T/resolv.conf" "$PY" "$T/sender.py" "$RAND" &
	sender=$!
	wait $sender
	# a process that is gone at once: its server is "expected" or "unknown", never a violation
	unshare -m sh -c "$NS_SH" "$T/resolv.conf" "$CLIENT" -n exit-fast 127.0.0.1 53 \
		"gone-$RAND.srv.example" A 12345
	sleep 0.5
	stop_bg
	expect_rc live-unexpected-server-exit 3 "$RC" "$T/srv.err"
	check live-unexpected-server "
us = viol(type='unexpected_server')
assert len(us) == 1, us
v = us[0]
assert v['domain'] == 'bypass-$RAND.srv.example', v
assert v['server'] == '127.0.0.53:53', v
assert v['pid'] == $sender, (v['pid'], $sender)
assert v['nameservers'] == '127.0.0.1', v
w = [w for w in d['workloads'] if any(x['domain'] == 'listed-$RAND.srv.example' for x in w['domains'])][0]
assert dom(w, 'listed-$RAND.srv.example')['servers'][0]['status'] == 'expected'
assert dom(w, 'bypass-$RAND.srv.example')['servers'][0]['status'] == 'unexpected'
# the search list comes from the process's own resolv.conf (no --search given)
assert not viol(type='not_allowed'), viol(type='not_allowed')
assert dom(w, 'allowed-$RAND.srv.example.svc.cluster.local')['count'] == 1
g = dom(wl('host:$CLIENT'), 'gone-$RAND.srv.example')
assert g['servers'][0]['status'] in ('expected', 'unknown'), g
" "$T/srv.out"
fi

# 2b. two quick real digs in a mount namespace that outlives them (held by
# a sleeper; its resolv.conf names 127.0.0.1): both have exited before
# their events are read, both are judged by the namespace the kernel
# captured at send time, never "unknown"
unshare -m sh -c "$NS_SH" "$T/resolv-lo.conf" sleep 60 &
holder=$!
PIDS+=" $holder"
for ((i = 0; i < 100; i++)); do
	[ "$(cat "/proc/$holder/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.05
done
start_bg dig "$DNSVIS" audit -o json --domain "*-$RAND.dig.example"
if wait_ready dig; then
	for n in a b; do
		nsenter -t "$holder" -m dig +tries=1 +timeout=1 "$n-$RAND.dig.example" A >>"$T/dig.log" 2>&1
	done
	sleep 0.5
	stop_bg
	check live-two-quick-digs "
for n in ('a', 'b'):
    x = [x for w in d['workloads'] for x in w['domains'] if x['domain'] == n + '-$RAND.dig.example']
    assert len(x) == 1 and x[0]['count'] == 1, (n, x)
    assert [s['server'] for s in x[0]['servers']] == ['127.0.0.1:53'], (n, x[0]['servers'])
    assert [s['status'] for s in x[0]['servers']] == ['expected'], (n, x[0]['servers'])
" "$T/dig.out"
fi
kill -TERM "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# 3. trace -w rotated by SIGHUP under a steady load; --stats with events/s
N=400
start_bg rot "$DNSVIS" trace -o json --domain "rot-$RAND-*" -w "$T/rot.jsonl" --stats 1
if wait_ready rot; then
	(
		for ((i = 1; i <= N; i++)); do
			"$CLIENT" -n sendto 127.0.0.1 53 "rot-$RAND-$i.example" A $((i + 20000)) || echo "client $i failed" >&2
			sleep 0.005
		done
	) 2>"$T/load.err" &
	load=$!
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l <"$T/rot.jsonl" 2>/dev/null || echo 0)" -ge $((N / 3)) ] && break
		sleep 0.05
	done
	mv "$T/rot.jsonl" "$T/rot.jsonl.1"
	kill -HUP "$BG"
	wait $load
	sleep 0.5
	kill -0 "$BG" 2>/dev/null && hup_alive=1 || hup_alive=0
	stop_bg
	if [ "$hup_alive" = 1 ] && [ "$RC" = 0 ]; then ok live-sighup-survives; else fail live-sighup-survives "alive=$hup_alive rc=$RC $(tail -c 300 "$T/rot.err")"; fi
	if out=$(python3 - "$T/rot.jsonl.1" "$T/rot.jsonl" "$RAND" "$N" 2>&1 <<'EOF'
import json, sys, collections
old, new, rand, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = collections.Counter()
per = []
for path in (old, new):
    names = [json.loads(l)["domain"] for l in open(path) if l.strip()]
    per.append(len(names))
    seen.update(names)
want = {"rot-%s-%d.example" % (rand, i) for i in range(1, n + 1)}
missing = want - set(seen)
dup = [k for k, c in seen.items() if c > 1]
extra = set(seen) - want
assert not missing, "missing %d, e.g. %s" % (len(missing), sorted(missing)[:3])
assert not dup, "in two files or twice: %s" % dup[:3]
assert not extra, extra
assert per[0] > 0 and per[1] > 0, "both files have events: %s" % per
print("old %d + new %d = %d" % (per[0], per[1], n))
EOF
	); then
		ok live-sighup-rotation "$out"
	else
		fail live-sighup-rotation "$(echo "$out" | tail -2 | tr '\n' ' ') $(head -c 200 "$T/load.err")"
	fi
	if grep -Eq '^dnsvis: stats events=[0-9]+ events/s=[0-9.]+ lost=[0-9]+ malformed=[0-9]+ missed=[0-9]+( [a-z-]+=[0-9]+)*$' "$T/rot.err"; then
		ok live-stats "$(grep -m1 'events/s' "$T/rot.err")"
	else
		fail live-stats "no stats line: $(head -c 300 "$T/rot.err" | tr '\n' '|')"
	fi
fi

finish
