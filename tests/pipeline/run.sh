#!/usr/bin/env bash
# How `dnsvis trace` (and replay) end, and what they say about what they
# cannot do (root; real eBPF, traffic on loopback only).
#
#   tests/pipeline/run.sh [--keep] DNSVIS
#
# Cases:
#   head          `dnsvis trace -o json | head -n 1` ends within 1 s of head's
#                 line, exit 0, summary; bpftool shows nothing of it after
#   full-fs       -w to a full tmpfs: exit 1 with "writing FILE: No space
#                 left on device", summary, nothing left attached
#   sig-HUP, sig-QUIT   detach cleanly (exit 0, summary, nothing attached,
#                 its legacy kprobe_events entries removed)
#   sig-KILL      the guard removes the legacy kprobe_events entries
#   hup-reopen    with -w, SIGHUP still reopens the file
#   replay-head   `dnsvis replay big.pcap | head -n 1` exits 0 at once
#   degraded      one tracepoint that cannot attach is named in one line, the
#                 others trace; the ready line says "6 of 7 probes"
#   auto-reason   without kprobes, the ready line says why auto did not use them
#   pidns         in a pid namespace of its own: one line on what cannot be
#                 seen, and no parent exe from the wrong process; with
#                 --host-root holding the host's /proc: no such line, and the
#                 parent exe is right
# Legacy kprobes: DNSVIS_TRACEFS points dnsvis at a fake kprobe_events.
# Output: "ok CASE" / "FAIL CASE: reason", then "pipeline: N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/common.sh
. "$HERE/../lib/common.sh"
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1 && shift
[ $# = 1 ] || { sed -n '5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
take_live_lock 600 || { echo "pipeline: another live test run holds /tmp/dnsvis-live.lock"; exit 1; }

suite_results pipeline
TMPD="" RESPONDER_PID="" WATCHDOG_PID="" BG=""
cleanup() {
	trap - EXIT INT TERM
	local p
	for p in $BG; do stop_pid "$p" KILL 1; done
	stop_pid "$RESPONDER_PID" TERM 2
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ -n "$TMPD" ]; then
		if [ "$KEEP" = 1 ]; then echo "# kept $TMPD" >&2; else rm -rf "$TMPD"; fi
	fi
}
trap cleanup EXIT
trap 'echo "pipeline: interrupted" >&2; FAIL=$((FAIL + 1)); finish' INT TERM
start_watchdog pipeline 150

[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for t in python3 cc unshare bpftool; do
	command -v "$t" >/dev/null || { fail setup "missing tool: $t"; finish; }
done
[ -x "$1" ] || { fail setup "not executable: $1"; finish; }
DNSVIS=$(realpath "$1")
TMPD=$(mktemp -d /tmp/dnsvis-pipeline.XXXXXX) || { fail setup mktemp; finish; }
cd "$TMPD" || exit 1
TAG=p$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
CLIENT=$TMPD/dns_client
cc -O2 -Wall -Wextra -Werror -o "$CLIENT" "$HERE/../live/dns_client.c" 2>cc.err ||
	{ fail setup "cannot build dns_client: $(head -c 300 cc.err)"; finish; }
start_responder "$(command -v python3)" "$TMPD" ||
	{ fail setup "responder: $(head -c 300 responder.err)"; finish; }
mkdir -p bpf tracefs
query() { "$CLIENT" -r sendto 127.0.0.1 53 "$1-$TAG.test.example" A "${2:-0x4000}" >/dev/null 2>&1; }
now() { date +%s.%N; }
# bpf_snap WHEN: bpftool's programs, perf attachments and links
bpf_snap() {
	local k
	for k in prog perf link; do timeout 10 bpftool -j "$k" show >"bpf/$k.$1.json" 2>/dev/null; done
}
# bpf_left CASE PID: nothing dnsvis (PID) loaded or attached outlives it
bpf_left() {
	count_results < <(timeout 30 python3 "$HERE/../live/check.py" bpf bpf "$2" 2>&1 |
		sed "s/^ok shutdown/ok $1-bpf/; s/^FAIL shutdown/FAIL $1-bpf/")
}
# start TAG ENV... -- ARGS...: dnsvis in the background (its pid in PID,
# stderr in TAG.err, stdout in TAG.out); bpf "before" snapshot first.
start() {
	local tag=$1
	shift
	bpf_snap before
	env --default-signal=INT,QUIT "$@" >"$tag.out" 2>"$tag.err" </dev/null &
	PID=$!
	BG+=" $PID"
	wait_until "$PID" 200 dnsvis_ready "$tag.err" && bpf_snap during && return 0
	fail "$tag" "not ready: $(tail -c 300 "$tag.err" | tr '\n' '|')"
	return 1
}
# reap SECONDS: wait for PID to end; RC its status (124: killed after SECONDS)
reap() {
	if wait_gone "$PID" $(($1 * 10)); then
		wait "$PID"
		RC=$?
	else
		stop_pid "$PID" KILL 1
		RC=124
	fi
	bpf_snap after
}
summary_of() { grep -E '^dnsvis: [0-9]+ events, [0-9]+ lost' "$1" | tail -n 1; }

# ---- head: a reader that goes away ------------------------------------------
bpf_snap before
(
	"$DNSVIS" trace -o json 2>head.err &
	echo $! >head.pid
	wait $!
	echo $? >head.rc
	now >head.t_exit
) | {
	head -n 1 >head.line
	now >head.t_head
} &
BG+=" $!"
wait_until $! 200 dnsvis_ready head.err
PID=$(cat head.pid)
bpf_snap during
query head 0x4001
wait_until "$PID" 50 test -s head.rc
wait_gone "$PID" 50 || stop_pid "$PID" KILL 1
bpf_snap after
if [ ! -s head.rc ]; then
	fail head "still running 5 s after head exited; stderr: $(tail -c 300 head.err | tr '\n' '|')"
else
	lag=$(awk -v a="$(cat head.t_head)" -v b="$(cat head.t_exit)" 'BEGIN { printf "%.2f", b - a }')
	if [ "$(cat head.rc)" != 0 ]; then
		fail head "exit status $(cat head.rc); stderr: $(tail -c 300 head.err | tr '\n' '|')"
	elif ! grep -q "head-$TAG" head.line; then
		fail head "head's line is not the query: $(head -c 200 head.line)"
	elif awk "BEGIN { exit !($lag > 1.0) }"; then
		fail head "ended ${lag} s after head's line (want <= 1 s)"
	elif [ -z "$(summary_of head.err)" ]; then
		fail head "no summary line on stderr"
	else
		ok head "exit 0 ${lag} s after head's line; $(summary_of head.err)"
	fi
fi
bpf_left head "$PID"

# ---- -w to a full filesystem --------------------------------------------------
mkdir -p full
FULL_SH='mount -t tmpfs -o size=64k tmpfs "$0" && : >"$0/out.jsonl" &&
	{ dd if=/dev/zero of="$0/fill" bs=4k 2>/dev/null; exec "$@"; }'
if start full-fs unshare -m sh -c "$FULL_SH" "$TMPD/full" \
	"$DNSVIS" trace -o json -w "$TMPD/full/out.jsonl"; then
	query full 0x4002
	reap 5
	want="dnsvis: writing $TMPD/full/out.jsonl: No space left on device"
	if [ "$RC" != 1 ]; then
		fail full-fs "exit status $RC, want 1; stderr: $(tail -c 300 full-fs.err | tr '\n' '|')"
	elif [ "$(grep -c '^dnsvis: writing' full-fs.err)" != 1 ] || ! grep -qxF "$want" full-fs.err; then
		fail full-fs "want one line '$want'; stderr: $(tr '\n' '|' <full-fs.err)"
	elif [ -z "$(summary_of full-fs.err)" ]; then
		fail full-fs "no summary line"
	else
		ok full-fs "exit 1: $want; $(summary_of full-fs.err)"
	fi
	bpf_left full-fs "$PID"
fi

# ---- signals ------------------------------------------------------------------
# an entry as libbpf names the legacy kprobes of process $1
kp_entry() { echo "p:kprobes/libbpf_$1_udp_sendmsg_0x0_0 udp_sendmsg"; }
kp_removed() { grep -qxF -- "-:kprobes/libbpf_$1_udp_sendmsg_0x0_0" tracefs/kprobe_events; }
for sig in HUP QUIT KILL; do
	: >tracefs/kprobe_events
	start "sig-$sig" DNSVIS_TRACEFS="$TMPD/tracefs" "$DNSVIS" trace -o json || continue
	kp_entry "$PID" >>tracefs/kprobe_events
	guard=$(pgrep -P "$PID" -x dnsvis-guard)
	kill -"$sig" "$PID"
	reap 5
	if [ "$sig" = KILL ] && [ "$RC" != 137 ]; then
		fail sig-KILL "exit status $RC, want 137"
	elif [ "$sig" != KILL ] && [ "$RC" != 0 ]; then
		fail "sig-$sig" "exit status $RC; stderr: $(tail -c 300 "sig-$sig.err" | tr '\n' '|')"
	elif [ "$sig" != KILL ] && [ -z "$(summary_of "sig-$sig.err")" ]; then
		fail "sig-$sig" "no summary line"
	elif [ -z "$guard" ]; then
		fail "sig-$sig" "no dnsvis-guard process while it ran (legacy kprobes in use)"
	elif ! wait_until 1 30 kp_removed "$PID"; then
		fail "sig-$sig" "its kprobe_events entry was not removed: $(tr '\n' '|' <tracefs/kprobe_events)"
	elif ! wait_gone "$guard" 30; then
		fail "sig-$sig" "its dnsvis-guard $guard still runs 3 s after it ended"
	elif [ "$sig" = KILL ]; then
		ok sig-KILL "the guard removed its kprobe_events entry, and ended"
	else
		ok "sig-$sig" "exit 0, summary, its kprobe_events entry removed, the guard ended"
	fi
	bpf_left "sig-$sig" "$PID"
done

# ---- SIGHUP with -w reopens ------------------------------------------------------
if start hup-reopen "$DNSVIS" trace -o json -w "$TMPD/rot.jsonl"; then
	query rot1 0x4003
	sleep 0.3
	mv rot.jsonl rot.old.jsonl
	kill -HUP "$PID"
	sleep 0.3
	query rot2 0x4004
	sleep 0.3
	running=0
	kill -0 "$PID" 2>/dev/null && running=1
	kill -INT "$PID"
	reap 5
	if [ "$running" != 1 ] || [ "$RC" != 0 ]; then
		fail hup-reopen "running after SIGHUP: $running, exit status $RC"
	elif ! grep -q "rot1-$TAG" rot.old.jsonl || ! grep -q "rot2-$TAG" rot.jsonl ||
		grep -q "rot2-$TAG" rot.old.jsonl; then
		fail hup-reopen "events not split at the reopen"
	else
		ok hup-reopen "SIGHUP with -w reopened the file and tracing went on"
	fi
fi

# ---- replay | head -n 1 -------------------------------------------------------------
python3 - big.pcap <<'PY'
import struct, sys
n = 200000
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        q = struct.pack("!HHHHHH", i & 0xffff, 0x100, 1, 0, 0, 0) + \
            b"\x06replay" + bytes([len(str(i))]) + str(i).encode() + b"\x07example\x00" + \
            struct.pack("!HH", 1, 1)
        udp = struct.pack("!HHHH", 40000, 53, 8 + len(q), 0) + q
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
        eth = b"\0" * 12 + b"\x08\x00" + ip
        f.write(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000 * 1000, len(eth), len(eth)))
        f.write(eth)
PY
t0=$(now)
timeout 30 "$DNSVIS" replay -o json big.pcap 2>replay.err | head -n 1 >replay.line
rc=${PIPESTATUS[0]}
el=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
read_pk=$(sed -nE 's/^dnsvis: replay: ([0-9]+) packets read.*/\1/p' replay.err)
if [ "$rc" != 0 ]; then
	fail replay-head "exit status $rc (141: killed by SIGPIPE); stderr: $(head -c 300 replay.err)"
elif [ -z "$read_pk" ] || [ "$read_pk" -ge 100000 ]; then
	fail replay-head "read ${read_pk:-?} of 200000 packets after head exited (want it to stop at once)"
elif ! grep -q '"domain":"replay.0.example"' replay.line; then
	fail replay-head "head's line: $(head -c 200 replay.line)"
else
	ok replay-head "exit 0 after ${el} s, stopped after $read_pk of 200000 packets"
fi

# ---- degraded attach: one tracepoint id unreadable -------------------------------------
ids=""
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	f=$d/events/syscalls/sys_enter_writev/id
	[ -e "$f" ] && ids+="mount --bind /dev/null $f && "
done
if start degraded unshare -m sh -c "${ids}exec \"\$@\"" sh "$DNSVIS" trace -o json; then
	query degraded 0x4005
	sleep 0.3
	kill -INT "$PID"
	reap 5
	notes=$(grep -c '^dnsvis: probe ' degraded.err)
	if [ "$RC" != 0 ]; then
		fail degraded "exit status $RC: $(tail -c 300 degraded.err | tr '\n' '|')"
	elif [ "$notes" != 1 ] || ! grep -qE '^dnsvis: probe tracepoint/syscalls/sys_enter_writev: cannot attach: .+ \(tracing without it\)$' degraded.err; then
		fail degraded "want one line naming sys_enter_writev: $(tr '\n' '|' <degraded.err)"
	elif ! grep -q '^dnsvis: ready (backend tracepoint, 6 of 7 probes' degraded.err; then
		fail degraded "ready line: $(grep ready degraded.err)"
	elif ! grep -q "degraded-$TAG" degraded.out; then
		fail degraded "the sendto query was not traced by the other probes"
	else
		ok degraded "$(grep '^dnsvis: probe' degraded.err)"
	fi
fi

# ---- auto without kprobes: why, in the ready line ---------------------------------------
if "$DNSVIS" doctor 2>/dev/null | grep -q '^kprobes: *no'; then
	if grep -qE '^dnsvis: ready \(backend tracepoint, .*; kprobe backend not used: .+\)$' head.err; then
		ok auto-reason "$(sed -nE 's/.*(kprobe backend not used: [^)]*).*/\1/p' head.err)"
	else
		fail auto-reason "ready line: $(grep ready head.err)"
	fi
else
	fail auto-reason "this host has kprobes: the case needs a host without"
fi

# ---- pid namespace of its own, with and without --host-root -------------------------------
BASH_EXE=$(readlink /proc/$$/exe)
mkdir -p hr
ln -s /sys hr/sys
NS_NOROOT='exec "$@"'
NS_ROOT='mkdir -p "$0/proc" && mount --bind /proc "$0/proc" && mount -t proc proc /proc && exec "$@"'
for how in own host-root; do
	if [ "$how" = own ]; then
		set -- unshare -pf --mount-proc sh -c "$NS_NOROOT" sh "$DNSVIS" trace -o kubearmor -d 2
	else
		set -- unshare -pfm sh -c "$NS_ROOT" "$TMPD/hr" "$DNSVIS" trace -o kubearmor \
			--host-root "$TMPD/hr" -d 2
	fi
	bpf_snap before
	"$@" >"pidns-$how.out" 2>"pidns-$how.err" </dev/null &
	PID=$!
	BG+=" $PID"
	wait_until "$PID" 200 dnsvis_ready "pidns-$how.err" || { fail "pidns-$how" "not ready: $(tr '\n' '|' <"pidns-$how.err")"; continue; }
	query "pidns-$how" 0x4006
	reap 8
	lines=$(grep -c "proc is not the host's" "pidns-$how.err")
	pexe=$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if "domain=" + sys.argv[2] + "," in e.get("Data", ""):
        print("[" + e.get("ParentProcessName", "?") + "]")' "pidns-$how.out" "pidns-$how-$TAG.test.example")
	if [ "$RC" != 0 ]; then
		fail "pidns-$how" "exit status $RC: $(tr '\n' '|' <"pidns-$how.err")"
	elif [ "$how" = own ] && [ "$lines" != 1 ]; then
		fail pidns-own "want one line saying /proc is not the host's: $(tr '\n' '|' <pidns-own.err)"
	elif [ "$how" = own ] && [ "$pexe" != "[]" ]; then
		fail pidns-own "parent exe '$pexe', want none (that /proc names other processes)"
	elif [ "$how" = host-root ] && [ "$lines" != 0 ]; then
		fail pidns-host-root "still says /proc is not the host's: $(tr '\n' '|' <pidns-host-root.err)"
	elif [ "$how" = host-root ] && [ "$pexe" != "[$BASH_EXE]" ]; then
		fail pidns-host-root "parent exe '$pexe', want [$BASH_EXE]"
	else
		ok "pidns-$how" "parent exe $pexe; $lines line(s) saying /proc is not the host's"
	fi
done

finish
