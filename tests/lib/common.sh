# tests/lib/common.sh - what the live-type test scripts share: stopping a
# background process, the whole-run watchdog, bounded waits for readiness
# and the loopback DNS responder.  Source it (bash); it only defines
# functions.
# shellcheck shell=bash disable=SC2034 # WATCHDOG_PID, RESPONDER_PID: for the caller

COMMON_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

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

# start_responder PYTHON DIR: tests/live/responder.py on loopback port 53
# (DIR/responder.ready once it answers, its stderr in DIR/responder.err).
# Sets RESPONDER_PID; waits up to 5 s.  Status 0 when it is ready.
start_responder() {
	"$1" "$COMMON_ROOT/tests/live/responder.py" --port 53 --ready-file "$2/responder.ready" \
		2>"$2/responder.err" &
	RESPONDER_PID=$!
	wait_until "$RESPONDER_PID" 50 test -e "$2/responder.ready"
}
