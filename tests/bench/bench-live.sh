#!/usr/bin/env bash
# bench-live.sh DNSVIS - live overhead of `dnsvis trace` under a DNS load.
#
# Builds tests/bench/loadgen.c into build/bench/, starts a sink on
# 127.0.0.1:53 and 127.0.0.1:9 (UDP, drains; no ICMP unreachable), then:
#
#  1. paced: for each rate in BENCH_RATES, a fresh `DNSVIS trace -o json
#     --port 53` (output to a file) while loadgen sends unique queries
#     q<N>.r<RATE>.bench.example at that rate for BENCH_SECONDS.  Reports
#     sent, achieved rate, events (lines with the run's names), lost (summary
#     line; cross-checked with the JSON lost records) and dnsvis CPU time
#     (utime+stime from /proc/PID/stat, from "ready" until its output stops
#     growing) per 1,000 events.
#  2. slowdown: loadgen sends as fast as it can for BENCH_FLOOD_SECONDS to
#     port 9 (non-DNS UDP) and to port 53 (DNS), with and without dnsvis
#     (output to /dev/null here), in BENCH_ROUNDS alternating rounds; the
#     median rates give the ratios with/without.  Also reported: sends per
#     second of the sender's own CPU time (getrusage), which other processes
#     sharing its CPU disturb much less than the wall-clock rate.
#
# With 2+ CPUs, dnsvis runs on CPU 0 and the sender on CPU 1 (taskset); the
# sink runs on CPU 0 at nice 19.  The BPF programs run in the sender's
# context, so their cost shows up in the sender's throughput, not in dnsvis's
# CPU time.  Traffic goes to 127.0.0.1 only.
#
# Output: Markdown tables and target lines on stdout, progress on stderr.
# Exit status: 0 after a complete measurement (targets met or not; a miss
# is reported), 1 when the measurement failed (dnsvis did not start, died,
# printed no summary...), 2 on a setup error (not root, no compiler, port
# 53 or 9 taken, lock held).
#
# Settings (environment):
#   BENCH_RATES          paced rates, qps     (default "10000 50000 100000 200000")
#   BENCH_SECONDS        seconds per rate     (default 5)
#   BENCH_FLOOD_SECONDS  seconds per max-throughput run (default 3)
#   BENCH_ROUNDS         alternating slowdown rounds (default 5)
#   BENCH_DNSVIS_ARGS    extra `dnsvis trace` options, e.g. "--perf-pages 256"
#   BENCH_TARGET_RATE    rate that must lose nothing (default 100000)
#   BENCH_TARGET_SLOWDOWN  max non-DNS slowdown, percent (default 5)
#   BENCH_KEEP=1         keep the work directory (its path is printed)
set -uo pipefail
export LC_ALL=C

if [ $# -ne 1 ]; then
	echo "usage: $0 DNSVIS" >&2
	exit 2
fi
DNSVIS=$1
case $DNSVIS in /*) ;; *) DNSVIS=$PWD/$DNSVIS ;; esac

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
# shellcheck source=tests/lib/common.sh
. "$ROOT/tests/lib/common.sh"
OUT=$ROOT/build/bench
RATES=${BENCH_RATES:-10000 50000 100000 200000}
SECS=${BENCH_SECONDS:-5}
FSECS=${BENCH_FLOOD_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-5}
read -r -a XARGS <<<"${BENCH_DNSVIS_ARGS:-}"
TARGET_RATE=${BENCH_TARGET_RATE:-100000}
TARGET_SLOW=${BENCH_TARGET_SLOWDOWN:-5}
TIME_LIMIT=300
CC=${CC:-cc}

say() { echo "bench-live: $*" >&2; }
die() { # CODE MESSAGE
	say "$2"
	exit "$1"
}
is_num() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
for r in $RATES; do [[ $r =~ ^[1-9][0-9]*$ ]] || die 2 "BENCH_RATES: bad rate '$r'"; done
is_num "$SECS" || die 2 "BENCH_SECONDS must be a number"
is_num "$FSECS" || die 2 "BENCH_FLOOD_SECONDS must be a number"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die 2 "BENCH_ROUNDS must be a positive integer"
[ "$(id -u)" = 0 ] || die 2 "must run as root (eBPF)"
[ -x "$DNSVIS" ] || die 2 "not executable: $DNSVIS (run make first)"
command -v taskset >/dev/null || die 2 "taskset not found (util-linux)"
command -v "$CC" >/dev/null || die 2 "no C compiler ($CC)"

# One live run at a time on this machine (binds loopback port 53).
take_live_lock 900 || die 2 "another live run holds /tmp/dnsvis-live.lock"

mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/live.XXXXXX") || die 2 "mktemp failed"
SINK_PID="" DNSVIS_PID="" SEND_PID="" WATCHDOG_PID=""

cleanup() {
	trap - EXIT INT TERM
	stop_pid "$SEND_PID" KILL 1
	stop_pid "$DNSVIS_PID" INT 5
	stop_pid "${TPNULL_PID:-}" TERM 2
	stop_pid "$SINK_PID" TERM 2
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 1' INT TERM
start_watchdog bench-live "$TIME_LIMIT"

# ---- build and sink ------------------------------------------------------
LOADGEN=$OUT/loadgen
if [ ! -x "$LOADGEN" ] || [ "$HERE/loadgen.c" -nt "$LOADGEN" ]; then
	"$CC" -O2 -Wall -Wextra -Werror -pthread -o "$LOADGEN.tmp" "$HERE/loadgen.c" \
		2>"$WORK/cc.err" || die 2 "cannot build loadgen: $(head -c 600 "$WORK/cc.err")"
	mv "$LOADGEN.tmp" "$LOADGEN"
fi

# The baseline: an empty program on sys_enter_sendto (tp_null.bpf.c).
TPNULL=$OUT/tp_null.bpf.o TPATTACH=$OUT/tp_attach
if [ ! -f "$TPNULL" ] || [ "$HERE/tp_null.bpf.c" -nt "$TPNULL" ]; then
	clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu -c "$HERE/tp_null.bpf.c" \
		-o "$TPNULL" 2>"$WORK/cc.err" || die 2 "cannot build tp_null: $(head -c 600 "$WORK/cc.err")"
fi
if [ ! -x "$TPATTACH" ] || [ "$HERE/tp_attach.c" -nt "$TPATTACH" ]; then
	"$CC" -O2 -Wall -Wextra -Werror -o "$TPATTACH" "$HERE/tp_attach.c" -lbpf \
		2>"$WORK/cc.err" || die 2 "cannot build tp_attach: $(head -c 600 "$WORK/cc.err")"
fi

NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then
	PIN_DNSVIS=(taskset -c 0)
	PIN_SEND=(taskset -c 1)
	PIN_SINK=(taskset -c 0 nice -n 19)
	PINNING="dnsvis and sink (nice 19) on CPU 0, sender on CPU 1"
else
	PIN_DNSVIS=() PIN_SEND=() PIN_SINK=(nice -n 19)
	PINNING="1 CPU: no pinning, sender, sink and dnsvis share it"
fi
CLK_TCK=$(getconf CLK_TCK)

"${PIN_SINK[@]}" "$LOADGEN" sink 53 9 >"$WORK/sink.out" 2>"$WORK/sink.err" &
SINK_PID=$!
wait_until "$SINK_PID" 50 grep -q '^sink: ready' "$WORK/sink.out" ||
	die 2 "sink did not start: $(head -c 300 "$WORK/sink.err")"

# ---- helpers -------------------------------------------------------------
# start_dnsvis OUTFILE ERRFILE: start, wait for "dnsvis: ready" (20 s).
start_dnsvis() {
	: >"$2"
	"${PIN_DNSVIS[@]}" "$DNSVIS" trace -o json --port 53 "${XARGS[@]}" >"$1" 2>"$2" &
	DNSVIS_PID=$!
	wait_until "$DNSVIS_PID" 200 dnsvis_ready "$2" && return 0
	say "dnsvis did not get ready: $(head -c 400 "$2")"
	stop_pid "$DNSVIS_PID" KILL 1
	DNSVIS_PID=""
	return 1
}
# stop_dnsvis ERRFILE: SIGINT, wait (15 s), require the summary line.
# Sets SUM_EVENTS SUM_LOST.
stop_dnsvis() {
	local pid=$DNSVIS_PID line
	DNSVIS_PID=""
	kill -INT "$pid" 2>/dev/null
	if ! wait_gone "$pid" 150; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		say "dnsvis did not exit within 15 s of SIGINT"
		return 1
	fi
	wait "$pid" 2>/dev/null
	line=$(grep -E '^dnsvis: [0-9]+ events, [0-9]+ lost' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		say "dnsvis printed no summary line: $(tail -c 400 "$1")"
		return 1
	fi
	read -r SUM_EVENTS SUM_LOST < <(sed -E 's/^dnsvis: ([0-9]+) events, ([0-9]+) lost.*/\1 \2/' <<<"$line")
	return 0
}
cpu_ticks() { # PID -> utime+stime in clock ticks
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) } # fields after "comm)"; utime/stime are fields 14/15 -> 12/13 here
	read -r -a f <<<"$s"
	echo $((f[11] + f[12]))
}
# send PORT RATE SECONDS TAG -> sets SENT RATE_ACH (loadgen's line)
send() {
	local line
	"${PIN_SEND[@]}" "$LOADGEN" send --port "$1" --rate "$2" --seconds "$3" --tag "$4" \
		>"$WORK/send.out" 2>"$WORK/send.err" &
	SEND_PID=$!
	wait "$SEND_PID"
	local rc=$?
	SEND_PID=""
	line=$(cat "$WORK/send.out")
	if [ $rc -ne 0 ] || ! [[ $line =~ sent=([0-9]+)\ errors=([0-9]+)\ seconds=([0-9.]+)\ rate=([0-9]+)\ target=[0-9]+\ cpu=([0-9.]+) ]]; then
		say "loadgen send failed (rc $rc): $line $(head -c 300 "$WORK/send.err")"
		return 1
	fi
	SENT=${BASH_REMATCH[1]}
	SEND_ERR=${BASH_REMATCH[2]}
	RATE_ACH=${BASH_REMATCH[4]}
	# sends per CPU second of the sender: robust to other load on its CPU
	RATE_CPU=$(awk -v n="$SENT" -v c="${BASH_REMATCH[5]}" 'BEGIN {printf "%.0f", (c > 0 ? n / c : 0)}')
	[ "$SEND_ERR" = 0 ] || say "note: $SEND_ERR sendto errors"
	return 0
}
# wait until FILE stops growing for 0.5 s (at most 15 s)
wait_quiet() {
	local prev=-1 cur i stable=0
	for ((i = 0; i < 150; i++)); do
		cur=$(stat -c %s "$1")
		if [ "$cur" = "$prev" ]; then
			stable=$((stable + 1))
			[ $stable -ge 5 ] && return 0
		else
			stable=0
		fi
		prev=$cur
		sleep 0.1
	done
	say "note: dnsvis output still growing after 15 s"
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
fmt_k() { awk -v v="$1" 'BEGIN {printf "%.1fk", v/1000}'; }

say "dnsvis: $DNSVIS ${XARGS[*]}"
say "cpus: $NCPU ($PINNING); kernel $(uname -r)"

# ---- 1. paced rates ------------------------------------------------------
declare -a ROWS
MISS_LOST=""
PACED_OK=1
for rate in $RATES; do
	tag=r$rate
	json=$WORK/paced-$rate.json
	err=$WORK/paced-$rate.err
	say "paced $rate qps for ${SECS}s"
	start_dnsvis "$json" "$err" || exit 1
	c0=$(cpu_ticks "$DNSVIS_PID")
	send 53 "$rate" "$SECS" "$tag" || exit 1
	wait_quiet "$json"
	c1=$(cpu_ticks "$DNSVIS_PID")
	stop_dnsvis "$err" || exit 1
	events=$(grep -c "\"q[0-9]*\.$tag\.bench\.example\"" "$json")
	jlost=$(grep -E '^\{"type":"lost"' "$json" | sed -E 's/.*"count":([0-9]+).*/\1/' |
		awk '{s+=$1} END {print s+0}')
	[ "$jlost" = "$SUM_LOST" ] || say "note: summary lost $SUM_LOST, JSON lost records $jlost"
	missing=$((SENT - events))
	cpu_ms=$(((c1 - c0) * 1000 / CLK_TCK))
	per_k=$(awk -v c="$cpu_ms" -v e="$events" 'BEGIN {if (e > 0) printf "%.2f", c * 1000 / e; else print "-"}')
	pct=$(awk -v a="$RATE_ACH" -v t="$rate" 'BEGIN {printf "%.0f", 100 * a / t}')
	ROWS+=("| $(fmt_k "$rate") | $SENT | $(fmt_k "$RATE_ACH") ($pct%) | $events | $SUM_LOST | $missing | $cpu_ms | $per_k |")
	if [ "$rate" -le "$TARGET_RATE" ] && { [ "$SUM_LOST" != 0 ] || [ "$missing" != 0 ]; }; then
		MISS_LOST="$MISS_LOST $rate"
	fi
	if [ "$rate" = "$TARGET_RATE" ] && [ "$pct" -lt 98 ]; then
		PACED_OK=0
	fi
	rm -f "$json"
done

# ---- 2. slowdown (max throughput, alternating) ----------------------------
declare -a W9 W53 N9 N53 CW9 CW53 CN9 CN53 X9 X53 CX9 CX53
FLOOD_EVENTS="" FLOOD_LOST="" FOREIGN=""
flood_pair() { # CONFIG: with|without
	local r9 r53 c9 c53
	send 9 0 "$FSECS" "f$1" || return 1
	r9=$RATE_ACH c9=$RATE_CPU
	send 53 0 "$FSECS" "f$1" || return 1
	r53=$RATE_ACH c53=$RATE_CPU
	if [ "$1" = with ]; then
		W9+=("$r9") W53+=("$r53") CW9+=("$c9") CW53+=("$c53")
	elif [ "$1" = null ]; then
		X9+=("$r9") X53+=("$r53") CX9+=("$c9") CX53+=("$c53")
	else
		N9+=("$r9") N53+=("$r53") CN9+=("$c9") CN53+=("$c53")
	fi
}
for ((round = 1; round <= ROUNDS; round++)); do
	case $((round % 3)) in
	1) order="without null with" ;;
	2) order="with without null" ;;
	*) order="null with without" ;;
	esac
	for cfg in $order; do
		say "max throughput, round $round, $cfg (${FSECS}s port 9, ${FSECS}s port 53)"
		if [ "$cfg" = null ]; then
			"${PIN_DNSVIS[@]}" "$TPATTACH" "$TPNULL" >"$WORK/tpnull.out" 2>"$WORK/tpnull.err" &
			TPNULL_PID=$!
			wait_until "$TPNULL_PID" 100 grep -q '^attached' "$WORK/tpnull.out" ||
				die 1 "tp_attach did not attach: $(head -c 300 "$WORK/tpnull.err")"
			flood_pair null || exit 1
			stop_pid "$TPNULL_PID" TERM 5
		elif [ "$cfg" = with ]; then
			start_dnsvis /dev/null "$WORK/flood.err" || exit 1
			flood_pair with || exit 1
			stop_dnsvis "$WORK/flood.err" || exit 1
			FLOOD_EVENTS="$FLOOD_EVENTS $SUM_EVENTS" FLOOD_LOST="$FLOOD_LOST $SUM_LOST"
		else
			# another tracer (not ours: ours is stopped) skews "without"
			if command -v bpftool >/dev/null &&
				bpftool prog show 2>/dev/null | grep -q 'name tp_sendto'; then
				FOREIGN="$FOREIGN $round"
			fi
			flood_pair without || exit 1
		fi
	done
done
m_n9=$(median "${N9[@]}") m_w9=$(median "${W9[@]}")
m_n53=$(median "${N53[@]}") m_w53=$(median "${W53[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
r9=$(ratio "$m_w9" "$m_n9")
r53=$(ratio "$m_w53" "$m_n53")
slow9=$(awk -v r="$r9" 'BEGIN {printf "%.1f", (1 - r) * 100}')
slow53=$(awk -v r="$r53" 'BEGIN {printf "%.1f", (1 - r) * 100}')
c9=$(ratio "$(median "${CW9[@]}")" "$(median "${CN9[@]}")")
c53=$(ratio "$(median "${CW53[@]}")" "$(median "${CN53[@]}")")
cslow9=$(awk -v r="$c9" 'BEGIN {printf "%.1f", (1 - r) * 100}')
cslow53=$(awk -v r="$c53" 'BEGIN {printf "%.1f", (1 - r) * 100}')
m_x9=$(median "${X9[@]}")
rx9=$(ratio "$m_x9" "$m_n9")
slowx9=$(awk -v r="$rx9" 'BEGIN {printf "%.1f", (1 - r) * 100}')
cx9=$(ratio "$(median "${CX9[@]}")" "$(median "${CN9[@]}")")
cslowx9=$(awk -v r="$cx9" 'BEGIN {printf "%.1f", (1 - r) * 100}')

# ---- report --------------------------------------------------------------
echo "### dnsvis trace under load ($(uname -r), $NCPU CPUs; $PINNING)"
echo
echo "Paced DNS queries to 127.0.0.1:53, ${SECS}s per rate, \`dnsvis trace -o json --port 53${XARGS[*]:+ ${XARGS[*]}}\` to a file:"
echo
echo "| target qps | sent | achieved qps | events | lost | sent - events | dnsvis CPU ms | CPU ms / 1k events |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Sender max throughput, median of $ROUNDS alternating rounds of ${FSECS}s (dnsvis output to /dev/null):"
echo
echo "| traffic | without dnsvis (qps) | with dnsvis (qps) | with / without | slowdown | per sender CPU s: with / without | slowdown (CPU) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| non-DNS UDP (port 9) | $(fmt_k "$m_n9") | $(fmt_k "$m_w9") | $r9 | $slow9% | $c9 | $cslow9% |"
echo "| DNS (port 53) | $(fmt_k "$m_n53") | $(fmt_k "$m_w53") | $r53 | $slow53% | $c53 | $cslow53% |"
echo "| non-DNS UDP, baseline: an empty program on sys_enter_sendto instead of dnsvis | $(fmt_k "$m_n9") | $(fmt_k "$m_x9") | $rx9 | $slowx9% | $cx9 | $cslowx9% |"
echo
echo "Rounds (qps): without port 9: ${N9[*]}; with port 9: ${W9[*]}; empty tracepoint port 9: ${X9[*]}; without port 53: ${N53[*]}; with port 53: ${W53[*]}"
echo "Sends per sender CPU second: without port 9: ${CN9[*]}; with port 9: ${CW9[*]}; without port 53: ${CN53[*]}; with port 53: ${CW53[*]}"
echo "dnsvis during the port 53 max-throughput runs: events${FLOOD_EVENTS}, lost${FLOOD_LOST}"
echo
if [ -z "$MISS_LOST" ]; then
	echo "target: no lost event up to $TARGET_RATE qps: met"
else
	echo "target: no lost event up to $TARGET_RATE qps: MISSED (events missing at:$MISS_LOST qps)"
fi
if [ "$PACED_OK" = 0 ]; then
	echo "note: the sender did not reach $TARGET_RATE qps with dnsvis running (see achieved qps)"
fi
if awk -v s="$slow9" -v t="$TARGET_SLOW" 'BEGIN {exit !(s <= t)}'; then
	echo "target: non-DNS UDP sender slowdown <= $TARGET_SLOW%: met ($slow9%; per CPU second $cslow9%)"
else
	echo "target: non-DNS UDP sender slowdown <= $TARGET_SLOW%: MISSED ($slow9%; per CPU second $cslow9%)"
fi
[ -z "$FOREIGN" ] || echo "WARNING: another process's sendto tracer was attached during the 'without' runs of round(s)$FOREIGN: those ratios are not valid"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other load on these CPUs makes the wall-clock rates noisy)"
exit 0
