# tests/lib/common.sh - what the live-type test scripts share: the pass/fail
# count, starting and stopping dnsvis and other background processes, the
# whole-run watchdog, bounded waits for readiness and the loopback DNS
# responder.  Source it (bash); it only defines
# functions.
# shellcheck shell=bash disable=SC2034 # WATCHDOG_PID, RESPONDER_PID, OUT, ERR: for the caller

COMMON_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# suite_results NAME: PASS and FAIL set to 0 for the suite NAME, whose
# cases report with ok CASE [DETAIL...] and fail CASE REASON...; finish
# prints "NAME: N passed, N failed" and exits 0 only when none failed.
suite_results() {
	SUITE=$1
	PASS=0
	FAIL=0
}
ok() { PASS=$((PASS + 1)); echo "ok $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: ${*:2}"; }
finish() {
	echo "$SUITE: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ] && exit 0
	exit 1
}

# take_live_lock SECONDS: one live run at a time on this machine (each
# binds loopback port 53 and counts every BPF program it sees).  Waits up
# to SECONDS for /tmp/dnsvis-live.lock, held on fd 9 until this shell exits.
# Status 1 when another run keeps it.
take_live_lock() {
	exec 9>/tmp/dnsvis-live.lock
	flock -w "$1" 9
}

# count_results: copy stdin to stdout, counting its "ok ..." lines in PASS
# and its "FAIL ..." lines in FAIL (a check script's verdicts).
count_results() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"ok "*) PASS=$((PASS + 1)) ;;
		"FAIL "*) FAIL=$((FAIL + 1)) ;;
		esac
	done
}

# stop_pid PID SIGNAL SECONDS: signal, wait up to SECONDS, then SIGKILL
# (and reap).  An empty PID or one already gone is fine.
stop_pid() {
	local pid=$1 sig=$2
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -"$sig" "$pid" 2>/dev/null
	wait_gone "$pid" $(($3 * 10))
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# start_watchdog NAME SECONDS: past SECONDS, print "NAME: time limit
# (SECONDSs) hit" on stderr and SIGTERM this shell.  Sets WATCHDOG_PID (stop
# it with stop_pid "$WATCHDOG_PID" TERM 1).
start_watchdog() {
	local name=$1 limit=$2 top=$$
	(
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$limit" &
		sp=$!
		wait $sp && echo "$name: time limit (${limit}s) hit" >&2 && kill -TERM "$top"
	) &
	WATCHDOG_PID=$!
}

# wait_until PID TENTHS CMD...: run CMD every 0.1 s, at most TENTHS times,
# while PID lives; then once more.  Status 0 as soon as CMD succeeds.
wait_until() {
	local pid=$1 n=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	"$@"
}

# wait_gone PID TENTHS: wait up to TENTHS times 0.1 s for PID to exit (it
# is not reaped).  Status 0 when it is gone.
wait_gone() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	! kill -0 "$1" 2>/dev/null
}

# dnsvis_ready ERRFILE: has dnsvis printed its "dnsvis: ready" line?
dnsvis_ready() { grep -q '^dnsvis: ready' "$1" 2>/dev/null; }

# start_dnsvis_tag TAG ARGS...: `dnsvis trace ARGS...` in the background,
# its stdout in $TMPD/TAG.out ($OUT), stderr in $TMPD/TAG.err ($ERR); waits
# up to 20 s for its ready line.  Sets DNSVIS_PID.  The caller defines
# fail TAG MESSAGE, DNSVIS and TMPD.  Status 1 (reported) when not ready.
start_dnsvis_tag() {
	local tag=$1
	shift
	OUT=$TMPD/$tag.out
	ERR=$TMPD/$tag.err
	env --default-signal=INT "$DNSVIS" trace "$@" >"$OUT" 2>"$ERR" </dev/null &
	DNSVIS_PID=$!
	wait_until "$DNSVIS_PID" 200 dnsvis_ready "$ERR" && return 0
	fail "$tag" "dnsvis not ready: $(tail -c 300 "$ERR" | tr '\n' '|')"
	stop_pid "$DNSVIS_PID" KILL 1
	DNSVIS_PID=""
	return 1
}

# stop_dnsvis_tag TAG: SIGINT after half a second (the last events' time to
# be read); fails TAG unless dnsvis exits 0 within 10 s.
stop_dnsvis_tag() {
	local rc
	sleep 0.5
	kill -INT "$DNSVIS_PID" 2>/dev/null
	if wait_gone "$DNSVIS_PID" 100; then
		wait "$DNSVIS_PID"
		rc=$?
		[ "$rc" = 0 ] || fail "$1" "dnsvis exit status $rc: $(tail -c 300 "$ERR" | tr '\n' '|')"
	else
		stop_pid "$DNSVIS_PID" KILL 1
		fail "$1" "dnsvis still running 10 s after SIGINT"
	fi
	DNSVIS_PID=""
}

# start_responder PYTHON DIR: tests/live/responder.py on loopback port 53
# (DIR/responder.ready once it answers, its stderr in DIR/responder.err).
# Sets RESPONDER_PID; waits up to 5 s.  Status 0 when it is ready.
start_responder() {
	"$1" "$COMMON_ROOT/tests/live/responder.py" --port 53 --ready-file "$2/responder.ready" \
		2>"$2/responder.err" &
	RESPONDER_PID=$!
	wait_until "$RESPONDER_PID" 50 test -e "$2/responder.ready"
}
