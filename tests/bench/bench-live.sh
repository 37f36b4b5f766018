#!/usr/bin/env bash
# bench-live.sh DNSVIS - the live cost of `dnsvis trace` (issue 16), each
# figure next to its reference measured in the same run, as a ratio.
#
# Builds tests/bench/loadgen.c and the empty programs tests/bench/tp_null.bpf.c
# into build/bench/, starts a sink on 127.0.0.1:53 and 127.0.0.1:9 (UDP,
# drains), then measures:
#
#  1. per call, non-DNS: dnsvis (tracepoint backend), the empty programs
#     (tp_null.bpf.c) and the hand-written port tests (tp_floor.bpf.c: one
#     4-byte sockaddr read and a compare; write: one array read) on the same
#     tracepoints (sys_enter_sendto, _sendmsg, _write), each alone on them,
#     in turn, as dnsvis runs in use; loadgen floods UDP port 9 (not DNS)
#     with sendto, sendmsg, then write on a connected socket.  Each
#     program's ns per call is its bpf_stats run_time_ns / run_cnt over the
#     flood (kernel.bpf_stats_enabled is set for the run and restored
#     after).  BENCH_STAT_ROUNDS rounds (a multiple of 3), the order of the
#     three rotating.  Alone, because a program that shares the hook pays
#     for what the one before it did: the first user read of a run costs
#     most of a port test, and a program after it that reads the same
#     sockaddr finds it cheap.  The ratio of the sums counts.  Goal:
#     <= 1.5x the empty program; the port test's own ratio is printed next
#     to it (the floor of any port filter).  Then where that cost is
#     (tp_where.bpf.c, each alone, the order rotating): the port test on
#     sys_exit_sendto, after the syscall has read the sockaddr itself,
#     against the empty program there, and the port test reading the
#     sockaddr twice against tp_floor's one read.  Also printed, without a
#     goal: the same for DNS queries sent with sendto.
#  2. no loss: `dnsvis trace -o json --port 53` to a file while loadgen sends
#     unique queries at BENCH_RATE q/s for BENCH_SECONDS; sent, the rate the
#     sender reached, events with full attribution (exe, cmdline, cwd of the
#     sender) and lost (summary line, cross-checked with the JSON lost
#     records).  Goal: 0 lost, every query reported.
#     Memory over a BENCH_MEM_SECONDS run at BENCH_MEM_RATE q/s (unique
#     names), sampled each second: dnsvis's VmRSS and locked BPF memory (the
#     memlock of its BPF map and program fds, /proc/PID/fdinfo), and the
#     perf ring memory per CPU (its perf_event mappings, /proc/PID/maps).
#     Goal: neither grows after the first quarter of the run (5% slack for
#     RSS).
#     Query/response pairs: an answering sink on 127.0.0.1:5300, the
#     sender reads every response (recvfrom); the same paced run at
#     BENCH_PAIRS_RATE without and with --responses, then with it at
#     BENCH_PAIRS_HIGH: lost, responses paired, timeouts, and dnsvis's CPU
#     seconds as a ratio against the run without.  Goal: 0 lost, every
#     answer paired.
#  3. DNS sender slowdown: loadgen sends DNS queries as fast as it can for
#     BENCH_FLOOD_SECONDS, with dnsvis (-o json to /dev/null), with the
#     least perf-buffer reporter (tp_report.bpf.c: port test, address,
#     payload, one perf output; tp_attach reads its rings) and without any
#     tracer, BENCH_ROUNDS rounds, the order rotating; medians.  The
#     reporter's slowdown is the floor of reporting every query at all.  Counted per second
#     of the sender's own CPU time (getrusage), which other load sharing its
#     CPU disturbs far less than the wall-clock rate (printed as well).
#     Goal: <= 10% slower.
#     Then the sender's side of the port test: the same non-DNS sendto
#     flood with the empty programs and with the port tests attached, in
#     turn, BENCH_ROUNDS rounds; the sender's CPU ns per send (medians),
#     next to the bpf_stats figures of step 1.
#  4. the kprobe backend in VM guests: tests/bench/bench-vm.sh (its rows;
#     BENCH_VM=0 skips it).
#
# With 2+ CPUs dnsvis runs on CPU 0 and the sender on CPU 1 (taskset), the
# sink on CPU 0 at nice 19.  The BPF programs run in the sender's context.
# Traffic goes to 127.0.0.1 only.
#
# Output: the table on stdout (a missed goal is printed as MISSED), progress
# on stderr.  Exit status: 0 after a complete measurement (goals met or not),
# 1 when the measurement failed, 2 on a setup error.
#
# Settings (environment):
#   BENCH_RATE           paced rate, q/s                  (default 150000)
#   BENCH_SECONDS        paced seconds                    (default 10)
#   BENCH_STAT_SECONDS   seconds per call type in step 1  (default 2)
#   BENCH_STAT_ROUNDS    rounds of step 1, a multiple of 3 (default 3)
#   BENCH_FLOOD_SECONDS  seconds per flood in step 3      (default 3)
#   BENCH_ROUNDS         rotating rounds of step 3        (default 3)
#   BENCH_MEM_SECONDS    seconds of the memory run        (default 60)
#   BENCH_MEM_RATE       its paced rate, q/s              (default 50000)
#   BENCH_PAIRS_RATE     query/response pairs, q/s        (default 50000)
#   BENCH_PAIRS_HIGH     ... the higher rate, --responses (default 100000)
#   BENCH_VM             0: no VM rows                    (default 1)
#   BENCH_DNSVIS_ARGS    extra `dnsvis trace` options
#   BENCH_KEEP=1         keep the work directory
set -uo pipefail
export LC_ALL=C

[ $# -eq 1 ] || { echo "usage: $0 DNSVIS" >&2; exit 2; }
DNSVIS=$1
case $DNSVIS in /*) ;; *) DNSVIS=$PWD/$DNSVIS ;; esac

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
# shellcheck source=tests/lib/common.sh
. "$ROOT/tests/lib/common.sh"
OUT=$ROOT/build/bench
RATE=${BENCH_RATE:-150000}
SECS=${BENCH_SECONDS:-10}
SSECS=${BENCH_STAT_SECONDS:-2}
SROUNDS=${BENCH_STAT_ROUNDS:-3}
MSECS=${BENCH_MEM_SECONDS:-60}
MRATE=${BENCH_MEM_RATE:-50000}
PRATE=${BENCH_PAIRS_RATE:-50000}
PRATE_HIGH=${BENCH_PAIRS_HIGH:-100000}
PPORT=5300 # the answering sink's port
FSECS=${BENCH_FLOOD_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
read -r -a XARGS <<<"${BENCH_DNSVIS_ARGS:-}"
CC=${CC:-cc}

say() { echo "bench-live: $*" >&2; }
die() { say "$2"; exit "$1"; }
for v in RATE SECS SSECS SROUNDS FSECS ROUNDS MSECS MRATE PRATE PRATE_HIGH; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die 2 "bad $v '${!v}' (a positive integer)"
done
[ $((SROUNDS % 3)) = 0 ] || die 2 "BENCH_STAT_ROUNDS must be a multiple of 3 (whole rotations)"
[ "$(id -u)" = 0 ] || die 2 "must run as root (eBPF)"
[ -x "$DNSVIS" ] || die 2 "not executable: $DNSVIS (run make first)"
for t in taskset bpftool jq clang "$CC"; do
	command -v "$t" >/dev/null || die 2 "missing tool: $t"
done
[ -w /proc/sys/kernel/bpf_stats_enabled ] || die 2 "no kernel.bpf_stats_enabled sysctl"
# tp_attach (libbpf) finds tracepoints in tracefs; dnsvis mounts it itself
if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing || die 2 "cannot mount tracefs on /sys/kernel/tracing"
fi

take_live_lock 900 || die 2 "another live run holds /tmp/dnsvis-live.lock"
mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/live.XXXXXX") || die 2 "mktemp failed"
SINK_PID="" ASINK_PID="" DNSVIS_PID="" SEND_PID="" WATCHDOG_PID="" NULL_PID="" FLOOR_PID="" SAMPLER_PID=""
REPORT_PID="" STAMPS_PID="" WHERE_PID=""
STATS_WAS=$(cat /proc/sys/kernel/bpf_stats_enabled)

cleanup() {
	trap - EXIT INT TERM
	stop_pid "$SEND_PID" KILL 1
	stop_pid "$SAMPLER_PID" TERM 1
	stop_pid "$DNSVIS_PID" INT 5
	stop_pid "$NULL_PID" TERM 2
	stop_pid "$FLOOR_PID" TERM 2
	stop_pid "$REPORT_PID" TERM 2
	stop_pid "$WHERE_PID" TERM 2
	stop_pid "$STAMPS_PID" TERM 2
	stop_pid "$SINK_PID" TERM 2
	stop_pid "$ASINK_PID" TERM 2
	stop_pid "$WATCHDOG_PID" TERM 1
	echo "$STATS_WAS" >/proc/sys/kernel/bpf_stats_enabled
	if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 1' INT TERM
start_watchdog bench-live 900

# ---- build and sink ------------------------------------------------------
LOADGEN=$OUT/loadgen TPNULL=$OUT/tp_null.bpf.o TPFLOOR=$OUT/tp_floor.bpf.o TPATTACH=$OUT/tp_attach
TPREPORT=$OUT/tp_report.bpf.o TPWHERE=$OUT/tp_where.bpf.o
if [ ! -x "$LOADGEN" ] || [ "$HERE/loadgen.c" -nt "$LOADGEN" ]; then
	"$CC" -O2 -Wall -Wextra -Werror -pthread -o "$LOADGEN.tmp" "$HERE/loadgen.c" \
		2>"$WORK/cc.err" || die 2 "cannot build loadgen: $(head -c 600 "$WORK/cc.err")"
	mv "$LOADGEN.tmp" "$LOADGEN"
fi
for o in tp_null tp_floor tp_report tp_where; do
	if [ ! -f "$OUT/$o.bpf.o" ] || [ "$HERE/$o.bpf.c" -nt "$OUT/$o.bpf.o" ] ||
		[ "$HERE/tp_port_test.bpf.h" -nt "$OUT/$o.bpf.o" ]; then
		clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu -c "$HERE/$o.bpf.c" \
			-o "$OUT/$o.bpf.o" 2>"$WORK/cc.err" || die 2 "cannot build $o: $(head -c 600 "$WORK/cc.err")"
	fi
done
if [ ! -x "$TPATTACH" ] || [ "$HERE/tp_attach.c" -nt "$TPATTACH" ]; then
	"$CC" -O2 -Wall -Wextra -Werror -o "$TPATTACH" "$HERE/tp_attach.c" -lbpf \
		2>"$WORK/cc.err" || die 2 "cannot build tp_attach: $(head -c 600 "$WORK/cc.err")"
fi

NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then
	PIN_DNSVIS=(taskset -c 0) PIN_SEND=(taskset -c 1) PIN_SINK=(taskset -c 0 nice -n 19)
	PINNING="dnsvis and sink (nice 19) on CPU 0, sender on CPU 1"
else
	PIN_DNSVIS=() PIN_SEND=() PIN_SINK=(nice -n 19)
	PINNING="1 CPU: sender, sink and dnsvis share it"
fi
"${PIN_SINK[@]}" "$LOADGEN" sink 53 9 >"$WORK/sink.out" 2>"$WORK/sink.err" &
SINK_PID=$!
wait_until "$SINK_PID" 50 grep -qs '^sink: ready' "$WORK/sink.out" ||
	die 2 "sink did not start: $(head -c 300 "$WORK/sink.err")"

# ---- helpers -------------------------------------------------------------
start_dnsvis() { # OUTFILE ERRFILE [OPTION...]: start, wait for "dnsvis: ready" (20 s)
	: >"$2"
	"${PIN_DNSVIS[@]}" "$DNSVIS" trace -o json --port 53 --backend tracepoint "${XARGS[@]}" \
		"${@:3}" >"$1" 2>"$2" &
	DNSVIS_PID=$!
	wait_until "$DNSVIS_PID" 200 dnsvis_ready "$2" && return 0
	say "dnsvis did not get ready: $(head -c 400 "$2")"
	stop_pid "$DNSVIS_PID" KILL 1
	DNSVIS_PID=""
	return 1
}
stop_dnsvis() { # ERRFILE: SIGINT, wait (15 s), need the summary; sets SUM_EVENTS SUM_LOST
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
	[ -n "$line" ] || { say "dnsvis printed no summary line: $(tail -c 400 "$1")"; return 1; }
	read -r SUM_EVENTS SUM_LOST < <(sed -E 's/^dnsvis: ([0-9]+) events, ([0-9]+) lost.*/\1 \2/' <<<"$line")
}
start_null() { # the empty programs
	: >"$WORK/tpnull.out" # "attached" of an earlier start is not this one's
	"${PIN_DNSVIS[@]}" "$TPATTACH" "$TPNULL" >"$WORK/tpnull.out" 2>"$WORK/tpnull.err" &
	NULL_PID=$!
	wait_until "$NULL_PID" 100 grep -qs '^attached' "$WORK/tpnull.out" ||
		die 1 "tp_attach did not attach: $(head -c 300 "$WORK/tpnull.err")"
}
start_floor() { # the hand-written port tests
	: >"$WORK/tpfloor.out" # "attached" of an earlier start is not this one's
	"${PIN_DNSVIS[@]}" "$TPATTACH" "$TPFLOOR" >"$WORK/tpfloor.out" 2>"$WORK/tpfloor.err" &
	FLOOR_PID=$!
	wait_until "$FLOOR_PID" 100 grep -qs '^attached' "$WORK/tpfloor.out" ||
		die 1 "tp_attach did not attach the port tests: $(head -c 300 "$WORK/tpfloor.err")"
}
start_report() { # the least perf-buffer reporter, its rings read
	: >"$WORK/tpreport.out" # "attached" of an earlier start is not this one's
	"${PIN_DNSVIS[@]}" "$TPATTACH" "$TPREPORT" >"$WORK/tpreport.out" 2>"$WORK/tpreport.err" &
	REPORT_PID=$!
	wait_until "$REPORT_PID" 100 grep -qs '^attached' "$WORK/tpreport.out" ||
		die 1 "tp_attach did not attach the reporter: $(head -c 300 "$WORK/tpreport.err")"
}
stop_report() { # sets REPORT_SAMPLES REPORT_LOST (its "samples N lost M" line)
	local pid=$REPORT_PID line
	REPORT_PID=""
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid" 50 || { stop_pid "$pid" KILL 1; say "tp_attach did not stop"; return 1; }
	wait "$pid" 2>/dev/null
	line=$(grep -E '^samples [0-9]+ lost [0-9]+$' "$WORK/tpreport.out") ||
		{ say "tp_attach printed no samples line: $(tail -c 300 "$WORK/tpreport.err")"; return 1; }
	read -r _ REPORT_SAMPLES _ REPORT_LOST <<<"$line"
}
send() { # PORT RATE SECONDS TAG CALL [--recv] -> SENT RATE_ACH RATE_CPU [RECEIVED]
	local line rc
	"${PIN_SEND[@]}" "$LOADGEN" send --port "$1" --rate "$2" --seconds "$3" --tag "$4" \
		--call "$5" "${@:6}" >"$WORK/send.out" 2>"$WORK/send.err" &
	SEND_PID=$!
	wait "$SEND_PID"
	rc=$?
	SEND_PID=""
	line=$(cat "$WORK/send.out")
	if [ $rc -ne 0 ] || ! [[ $line =~ sent=([0-9]+)\ errors=([0-9]+)\ seconds=([0-9.]+)\ rate=([0-9]+)\ target=[0-9]+\ cpu=([0-9.]+) ]]; then
		say "loadgen send failed (rc $rc): $line $(head -c 300 "$WORK/send.err")"
		return 1
	fi
	SENT=${BASH_REMATCH[1]} RATE_ACH=${BASH_REMATCH[4]}
	RATE_CPU=$(awk -v n="$SENT" -v c="${BASH_REMATCH[5]}" 'BEGIN {printf "%.0f", (c > 0 ? n / c : 0)}')
	[ "${BASH_REMATCH[2]}" = 0 ] || say "note: ${BASH_REMATCH[2]} send errors"
	RECEIVED=$(sed -nE 's/.* received=([0-9]+).*/\1/p' <<<"$line")
}
proc_cpu() { # PID -> its user+system CPU seconds so far
	awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$1/stat"
}
prog_id() { # PID NAME -> the id of PID's BPF program NAME
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^prog_id:\s*//p' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		if [ "$(bpftool -j prog show id "$id" 2>/dev/null | jq -r .name)" = "$2" ]; then
			echo "$id"
			return 0
		fi
	done
	return 1
}
prog_stat() { # ID -> "run_time_ns run_cnt"
	bpftool -j prog show id "$1" | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"'
}
wait_quiet() { # until FILE stops growing for 0.5 s (at most 15 s)
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
sample_mem() { # PID: "seconds rss_kb memlock_bytes" each second, until it ends
	local t=0 rss ml
	while kill -0 "$1" 2>/dev/null; do
		rss=$(sed -n 's/^VmRSS:\s*\([0-9]*\) kB/\1/p' /proc/"$1"/status 2>/dev/null)
		ml=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^memlock:/ {s += $2} END {print s + 0}')
		[ -n "$rss" ] && echo "$t $rss $ml"
		sleep 1
		t=$((t + 1))
	done
}
ring_per_cpu() { # PID -> "bytes mappings": its perf ring mappings, per ring
	local range rest s=0 n=0
	while read -r range rest; do
		case $rest in *"anon_inode:[perf_event]"*) ;; *) continue ;; esac
		s=$((s + 16#${range#*-} - 16#${range%-*})) n=$((n + 1))
	done <"/proc/$1/maps"
	echo "$((n ? s / n : 0)) $n"
}
rotation() { # ROUND A B C -> the three in round ROUND's order (A B C, B C A, C A B, ...)
	case $(($1 % 3)) in
	1) echo "$2 $3 $4" ;;
	2) echo "$3 $4 $2" ;;
	0) echo "$4 $2 $3" ;;
	esac
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}'; }
verdict() { if "$@"; then echo met; else echo MISSED; fi; }
fmt_k() { awk -v v="$1" 'BEGIN {printf "%.1fk", v/1000}'; }
mib() { awk -v v="$1" 'BEGIN {printf "%.1f MiB", v / 1048576}'; }

say "dnsvis: $DNSVIS ${XARGS[*]}"
say "cpus: $NCPU ($PINNING); kernel $(uname -r)"
declare -a TABLE

# ---- 1. ns per non-DNS call, against the empty program ------------------
echo 1 >/proc/sys/kernel/bpf_stats_enabled
declare -A DT DC NT NC FT FC
for call in sendto sendmsg write dns; do DT[$call]=0 DC[$call]=0 NT[$call]=0 NC[$call]=0 FT[$call]=0 FC[$call]=0; done
stat_calls() { # PROGRAM PID NAME_PREFIX T_VAR C_VAR ROUND: flood each call, add its ns and runs
	local call hook port id t0 c0 t1 c1 calls="sendto sendmsg write dns"
	local -n tsum=$4 csum=$5
	[ "$1" = floor ] && calls="sendto sendmsg write" # its DNS hit only prints
	for call in $calls; do
		hook=$call port=9
		[ "$call" = dns ] && hook=sendto port=53
		id=$(prog_id "$2" "$3$hook") || die 1 "$1 has no program $3$hook"
		read -r t0 c0 < <(prog_stat "$id")
		send "$port" 0 "$SSECS" "s$6$1" "$hook" || exit 1
		read -r t1 c1 < <(prog_stat "$id")
		tsum[$call]=$((tsum[$call] + t1 - t0)) csum[$call]=$((csum[$call] + c1 - c0))
	done
}
for ((round = 1; round <= SROUNDS; round++)); do
	order=$(rotation "$round" dnsvis empty floor)
	say "per-call cost, round $round of $SROUNDS (each alone on the hooks, in turn: $order)"
	for p in $order; do
		case $p in
		dnsvis)
			start_dnsvis /dev/null "$WORK/stat.err" || exit 1
			stat_calls dnsvis "$DNSVIS_PID" tp_ DT DC "$round"
			stop_dnsvis "$WORK/stat.err" || exit 1
			;;
		empty)
			start_null
			stat_calls empty "$NULL_PID" null_ NT NC "$round"
			stop_pid "$NULL_PID" TERM 5
			NULL_PID=""
			;;
		floor)
			start_floor
			stat_calls floor "$FLOOR_PID" floor_ FT FC "$round"
			stop_pid "$FLOOR_PID" TERM 5
			FLOOR_PID=""
			;;
		esac
	done
done
# Where the port test's cost is (tp_where.bpf.c), each program alone on
# sendto, the order rotating: the test on sys_exit_sendto (after the
# syscall's own read of the sockaddr) against the empty program there, and
# the test reading the sockaddr twice against tp_floor's once.
declare -A WT WC
WHERE_PROGS="exit_null_sendto exit_floor_sendto twice_sendto"
WHERE_BAD=0 WHERE_ERR=""
for p in $WHERE_PROGS; do WT[$p]=0 WC[$p]=0; done
stat_where() { # PROG ROUND: attach PROG alone, flood non-DNS sendto, add its ns and runs
	local id t0 c0 t1 c1 mid bad
	: >"$WORK/where.out"
	"${PIN_DNSVIS[@]}" "$TPATTACH" "$TPWHERE" "$1" >"$WORK/where.out" 2>"$WORK/where.err" &
	WHERE_PID=$!
	if ! wait_until "$WHERE_PID" 100 grep -qs '^attached' "$WORK/where.out"; then
		WHERE_ERR="tp_attach $1: $(grep -v '^libbpf: prog' "$WORK/where.err" | tail -n 1 | head -c 200)"
		stop_pid "$WHERE_PID" KILL 1
		WHERE_PID=""
		return 1
	fi
	id=$(prog_id "$WHERE_PID" "$1") || die 1 "tp_attach has no program $1"
	read -r t0 c0 < <(prog_stat "$id")
	send 9 0 "$SSECS" "w$2$1" sendto || exit 1
	read -r t1 c1 < <(prog_stat "$id")
	WT[$1]=$((WT[$1] + t1 - t0)) WC[$1]=$((WC[$1] + c1 - c0))
	if [ "$1" = exit_floor_sendto ]; then
		for mid in $(bpftool -j prog show id "$id" | jq -r '.map_ids[]'); do
			[ "$(bpftool -j map show id "$mid" | jq -r .name)" = where_bad ] || continue
			bad=$(bpftool -j map lookup id "$mid" key 0 0 0 0 | jq -r '.formatted.value')
			[[ $bad =~ ^[0-9]+$ ]] || die 1 "cannot read where_bad: '$bad'"
			WHERE_BAD=$((WHERE_BAD + bad))
		done
	fi
	stop_pid "$WHERE_PID" TERM 5
	WHERE_PID=""
}
for ((round = 1; round <= SROUNDS; round++)); do
	[ -z "$WHERE_ERR" ] || break
	order=$(rotation "$round" exit_null_sendto exit_floor_sendto twice_sendto)
	say "where the port test's cost is, round $round of $SROUNDS ($order)"
	for p in $order; do stat_where "$p" "$round" || break; done
done
echo "$STATS_WAS" >/proc/sys/kernel/bpf_stats_enabled
per() { awk -v t="$1" -v c="$2" 'BEGIN {printf "%.0f", (c ? t / c : 0)}'; }
for call in sendto sendmsg write; do
	dns=$(per "${DT[$call]}" "${DC[$call]}")
	nul=$(per "${NT[$call]}" "${NC[$call]}")
	flo=$(per "${FT[$call]}" "${FC[$call]}")
	r=$(ratio "$dns" "$nul")
	TABLE+=("| \`sys_enter_$call\`, non-DNS UDP, ns per call (${DC[$call]} runs) | $dns | empty program: $nul (${NC[$call]} runs) | ${r}x | <= 1.5x | $(verdict le "$r" 1.5) |")
	TABLE+=("| ... hand-written port test on \`sys_enter_$call\` (tp_floor.bpf.c), ns per call | $flo | empty program: $nul | $(ratio "$flo" "$nul")x | - (the floor of one port test; dnsvis / it: $(ratio "$dns" "$flo")x) | - |")
done
dns=$(per "${DT[dns]}" "${DC[dns]}")
nul=$(per "${NT[dns]}" "${NC[dns]}")
if [ -n "$WHERE_ERR" ]; then
	TABLE+=("| the port test elsewhere (tp_where.bpf.c) | not measured: $WHERE_ERR | - | - | - | - |")
else
	en=$(per "${WT[exit_null_sendto]}" "${WC[exit_null_sendto]}")
	ef=$(per "${WT[exit_floor_sendto]}" "${WC[exit_floor_sendto]}")
	tw=$(per "${WT[twice_sendto]}" "${WC[twice_sendto]}")
	flo=$(per "${FT[sendto]}" "${FC[sendto]}")
	efnote="$(ratio "$ef" "$en")x"
	[ "$WHERE_BAD" = 0 ] || efnote="invalid: $WHERE_BAD runs found other saved registers"
	TABLE+=("| the sendto port test on \`sys_exit_sendto\`, after the syscall's own read of the sockaddr (tp_where.bpf.c), ns per call (${WC[exit_floor_sendto]} runs) | $ef | empty program on \`sys_exit_sendto\`: $en | $efnote | - (a later hook does not make the read cheaper) | - |")
	TABLE+=("| the sendto port test reading the sockaddr twice (tp_where.bpf.c), ns per call | $tw | one read (tp_floor.bpf.c): $flo | $(ratio "$tw" "$flo")x | - (the cost is the first user read of a run) | - |")
fi
TABLE+=("| \`sys_enter_sendto\`, a DNS query (unpaced, output to /dev/null; tail calls included), ns per call (${DC[dns]} runs) | $dns | empty program: $nul | $(ratio "$dns" "$nul")x | - (no goal) | - |")

# ---- 2. paced: no loss, full attribution; memory -------------------------
tag=p$RATE
json=$WORK/paced.json err=$WORK/paced.err
say "paced $RATE q/s for ${SECS}s"
start_dnsvis "$json" "$err" || exit 1
send 53 "$RATE" "$SECS" "$tag" sendto || exit 1
wait_quiet "$json"
stop_dnsvis "$err" || exit 1
events=$(grep -c "\"q[0-9]*\.$tag\.bench\.example\"" "$json")
attributed=$(grep "\"q[0-9]*\.$tag\.bench\.example\"" "$json" |
	grep -F "\"exe\":\"$LOADGEN\"" | grep -F "\"cmdline\":\"$LOADGEN send" |
	grep -cF "\"cwd\":\"$PWD\"")
jlost=$(grep -E '^\{"type":"lost"' "$json" | sed -E 's/.*"count":([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
[ "$jlost" = "$SUM_LOST" ] || say "note: summary lost $SUM_LOST, JSON lost records $jlost"
pct=$(awk -v a="$RATE_ACH" -v t="$RATE" 'BEGIN {printf "%.0f", 100 * a / t}')
ok_lost() { [ "$SUM_LOST" = 0 ] && [ "$events" = "$SENT" ] && [ "$attributed" = "$SENT" ]; }
TABLE+=("| lost at $(fmt_k "$RATE") q/s paced, ${SECS}s: sender reached $(fmt_k "$RATE_ACH") q/s ($pct%) | $SUM_LOST lost; $events of $SENT sent reported, $attributed with exe, cmdline and cwd | 0 lost, all $SENT | - | 0 | $(verdict ok_lost) |")

# memory over a longer run at a lower rate: every name new, so caches keyed
# by names or senders would show
say "memory: $MRATE q/s for ${MSECS}s"
start_dnsvis "$WORK/mem.json" "$WORK/mem.err" || exit 1
sample_mem "$DNSVIS_PID" >"$WORK/mem.tsv" &
SAMPLER_PID=$!
read -r RING RINGS < <(ring_per_cpu "$DNSVIS_PID")
send 53 "$MRATE" "$MSECS" "m$MRATE" sendto || exit 1
stop_pid "$SAMPLER_PID" TERM 1
SAMPLER_PID=""
stop_dnsvis "$WORK/mem.err" || exit 1
MEM_NOTE="$SUM_EVENTS events of $SENT sent, $SUM_LOST lost"
rm -f "$WORK/mem.json"
# memory: the first sample, the one a quarter into the run, the last, the max
read -r m0 mq mlast mmax l0 lq llast lmax < <(awk '{r[NR]=$2; l[NR]=$3; if ($2>mr) mr=$2; if ($3>ml) ml=$3}
	END {q = int(NR / 4) + 1; print r[1], r[q], r[NR], mr, l[1], l[q], l[NR], ml}' "$WORK/mem.tsv")
nsamp=$(wc -l <"$WORK/mem.tsv")
rr=$(ratio "$mlast" "$mq")
lr=$(ratio "$llast" "$lq")
TABLE+=("| dnsvis RSS over ${MSECS}s at $(fmt_k "$MRATE") q/s ($MEM_NOTE; $nsamp samples): first $(mib $((m0 * 1024))), max $(mib $((mmax * 1024))) | last $(mib $((mlast * 1024))) | a quarter in: $(mib $((mq * 1024))) | ${rr}x | not growing (<= 1.05x) | $(verdict le "$rr" 1.05) |")
TABLE+=("| locked BPF memory (memlock of its map and program fds): first $(mib "$l0"), max $(mib "$lmax") | last $(mib "$llast") | a quarter in: $(mib "$lq") | ${lr}x | not growing (1.00x) | $(verdict le "$lr" 1.0) |")
TABLE+=("| perf ring memory per CPU ($RINGS rings, one per CPU) | $(mib "$RING") | - | - | stated, bounded | $(mib "$((RING * RINGS))") in all |")

# ---- 2b. query/response pairs, with and without --responses -------------
# An answering sink on 127.0.0.1:$PPORT (loadgen sink --answer); the sender
# reads each response with recvfrom.  The same paced run without and with
# --responses, then with it at the higher rate: lost, pairs matched, and
# dnsvis's CPU seconds (the cost of the receive side, as a ratio).
"${PIN_SINK[@]}" "$LOADGEN" sink --answer "$PPORT" >"$WORK/asink.out" 2>"$WORK/asink.err" &
ASINK_PID=$!
wait_until "$ASINK_PID" 50 grep -qs '^sink: ready' "$WORK/asink.out" ||
	die 2 "answering sink did not start: $(head -c 300 "$WORK/asink.err")"
declare -A PCPU
for cfg in without with high; do
	rate=$PRATE opts=(--port "$PPORT")
	[ "$cfg" = without ] || opts+=(--responses --timeout 2)
	[ "$cfg" = high ] && rate=$PRATE_HIGH
	say "pairs: $rate q/s for ${SECS}s, $cfg --responses"
	start_dnsvis "$WORK/pairs.json" "$WORK/pairs.err" "${opts[@]}" || exit 1
	send "$PPORT" "$rate" "$SECS" "r$cfg" sendto --recv || exit 1
	wait_quiet "$WORK/pairs.json"
	PCPU[$cfg]=$(proc_cpu "$DNSVIS_PID")
	stop_dnsvis "$WORK/pairs.err" || exit 1
	pairs=$(grep -oE '[0-9]+ responses' "$WORK/pairs.err" | tail -n 1 | cut -d' ' -f1)
	tmo=$(grep -oE '[0-9]+ timeouts' "$WORK/pairs.err" | tail -n 1 | cut -d' ' -f1)
	uns=$(grep -oE '[0-9]+ unsolicited' "$WORK/pairs.err" | tail -n 1 | cut -d' ' -f1)
	rm -f "$WORK/pairs.json"
	pct=$(awk -v a="$RATE_ACH" -v t="$rate" 'BEGIN {printf "%.0f", 100 * a / t}')
	if [ "$cfg" = without ]; then
		ok_p() { [ "$SUM_LOST" = 0 ] && [ "$SUM_EVENTS" = "$SENT" ]; }
		TABLE+=("| pairs at $(fmt_k "$rate") q/s paced, ${SECS}s, without --responses: sender reached $(fmt_k "$RATE_ACH") q/s ($pct%), $RECEIVED of $SENT answered | $SUM_LOST lost, $SUM_EVENTS events; dnsvis CPU ${PCPU[$cfg]} s | - | - | 0 lost | $(verdict ok_p) |")
	else
		# every answer the sender read is paired (at the higher rate its
		# receive may fall behind: what it never read is no response)
		ok_p() { [ "$SUM_LOST" = 0 ] && [ "${pairs:-0}" = "$RECEIVED" ]; }
		TABLE+=("| pairs at $(fmt_k "$rate") q/s paced, ${SECS}s, with --responses: sender reached $(fmt_k "$RATE_ACH") q/s ($pct%), $RECEIVED of $SENT answered | $SUM_LOST lost, ${pairs:-?} responses paired, ${tmo:-?} timeouts, ${uns:-?} unsolicited; dnsvis CPU ${PCPU[$cfg]} s | without --responses at $(fmt_k "$PRATE"): dnsvis CPU ${PCPU[without]} s | $(ratio "${PCPU[$cfg]}" "${PCPU[without]}")x CPU | 0 lost, every answer paired | $(verdict ok_p) |")
	fi
done
stop_pid "$ASINK_PID" TERM 2
ASINK_PID=""

# ---- 3. unpaced DNS sender: dnsvis, the least reporter, no tracer -------
declare -a W N R CW CN CR
FLOOD="" RFLOOD=""
CONFIGS=(without report with)
for ((round = 1; round <= ROUNDS; round++)); do
	for ((i = 0; i < 3; i++)); do # rotate the order: each config first, second, third
		cfg=${CONFIGS[(i + round - 1) % 3]}
		say "unpaced DNS sender, round $round of $ROUNDS, $cfg (${FSECS}s)"
		case $cfg in
		with)
			start_dnsvis /dev/null "$WORK/flood.err" || exit 1
			send 53 0 "$FSECS" "f$round" sendto || exit 1
			stop_dnsvis "$WORK/flood.err" || exit 1
			W+=("$RATE_ACH") CW+=("$RATE_CPU")
			FLOOD+=" $SUM_EVENTS/$SENT"
			;;
		report)
			start_report
			send 53 0 "$FSECS" "f$round" sendto || exit 1
			stop_report || exit 1
			R+=("$RATE_ACH") CR+=("$RATE_CPU")
			RFLOOD+=" $REPORT_SAMPLES/$SENT (lost $REPORT_LOST)"
			;;
		*)
			send 53 0 "$FSECS" "f$round" sendto || exit 1
			N+=("$RATE_ACH") CN+=("$RATE_CPU")
			;;
		esac
	done
done
slower() { awk -v r="$1" 'BEGIN {printf "%.0f", (1 - r) * 100}'; }
slower_text() { awk -v r="$1" 'BEGIN {d = (1 - r) * 100; printf "%.0f%% %s", (d < 0 ? -d : d), (d < 0 ? "faster" : "slower")}'; }
rw=$(ratio "$(median "${W[@]}")" "$(median "${N[@]}")")
rc=$(ratio "$(median "${CW[@]}")" "$(median "${CN[@]}")")
rr=$(ratio "$(median "${CR[@]}")" "$(median "${CN[@]}")")
slow=$(slower "$rc") sloww=$(slower "$rw") slowr=$(slower "$rr")
TABLE+=("| unpaced DNS sender, queries per sender CPU second (median of $ROUNDS) | $(fmt_k "$(median "${CW[@]}")") | no tracer: $(fmt_k "$(median "${CN[@]}")") | ${rc}x ($slow% slower) | <= 10% slower | $(verdict le "$slow" 10) |")
TABLE+=("| ... the least perf-buffer reporter (tp_report.bpf.c: port test, address, payload, one perf output, rings read), same rounds | $(fmt_k "$(median "${CR[@]}")") | no tracer: $(fmt_k "$(median "${CN[@]}")") | ${rr}x ($slowr% slower) | - (the floor of reporting each query; dnsvis / it: $(ratio "$(median "${CW[@]}")" "$(median "${CR[@]}")")x) | - |")
TABLE+=("| ... the same, wall-clock q/s | $(fmt_k "$(median "${W[@]}")") | no tracer: $(fmt_k "$(median "${N[@]}")") | ${rw}x ($sloww% slower) | (noisy: shared CPUs) | - |")

# ---- 3b. the kernel's receive stamps (what --responses turns on) ---------
# Non-DNS UDP to the sink, unpaced, with a socket holding SO_TIMESTAMP
# (loadgen stamps) and without, in turn: on loopback the receive, stamp
# included, runs in the sender's context, so its CPU time per send shows it.
declare -a SON SOFF
for ((round = 1; round <= ROUNDS; round++)); do
	for cfg in $( ((round % 2)) && echo "off on" || echo "on off"); do
		say "receive stamps $cfg, round $round of $ROUNDS (${FSECS}s)"
		if [ "$cfg" = on ]; then
			"$LOADGEN" stamps >"$WORK/stamps.out" 2>"$WORK/stamps.err" &
			STAMPS_PID=$!
			wait_until "$STAMPS_PID" 50 grep -qs '^stamps: on' "$WORK/stamps.out" ||
				die 1 "loadgen stamps: $(head -c 300 "$WORK/stamps.err")"
			send 9 0 "$FSECS" "s$round" sendto || exit 1
			stop_pid "$STAMPS_PID" TERM 2
			STAMPS_PID=""
			SON+=("$RATE_CPU")
		else
			send 9 0 "$FSECS" "s$round" sendto || exit 1
			SOFF+=("$RATE_CPU")
		fi
	done
done
rs=$(ratio "$(median "${SON[@]}")" "$(median "${SOFF[@]}")")
TABLE+=("| UDP send + loopback receive with the kernel's receive stamps on (dnsvis --responses holds SO_TIMESTAMP), sends per sender CPU second (median of $ROUNDS) | $(fmt_k "$(median "${SON[@]}")") | stamps off: $(fmt_k "$(median "${SOFF[@]}")") | ${rs}x ($(slower_text "$rs"); the rounds vary by more) | - (stated: the cost to every received packet) | - |")

# ---- 3c. what the port test's read costs the sender ---------------------
# Non-DNS sendto flood, unpaced, with the empty programs and with the port
# tests attached, in turn: the sender's CPU ns per send, against the ns the
# programs' bpf_stats gave in step 1 (is the read a cost of its own, or one
# the syscall would have paid anyway?).
declare -a SE SF
for ((round = 1; round <= ROUNDS; round++)); do
	for cfg in $( ((round % 2)) && echo "empty floor" || echo "floor empty"); do
		say "sender cost of the port test: $cfg, round $round of $ROUNDS (${FSECS}s)"
		if [ "$cfg" = empty ]; then start_null; else start_floor; fi
		send 9 0 "$FSECS" "c$round$cfg" sendto || exit 1
		if [ "$cfg" = empty ]; then
			stop_pid "$NULL_PID" TERM 5
			NULL_PID=""
			SE+=("$RATE_CPU")
		else
			stop_pid "$FLOOR_PID" TERM 5
			FLOOR_PID=""
			SF+=("$RATE_CPU")
		fi
	done
done
ns_per() { awk -v r="$1" 'BEGIN {printf "%.0f", (r > 0 ? 1e9 / r : 0)}'; }
se=$(ns_per "$(median "${SE[@]}")") sf=$(ns_per "$(median "${SF[@]}")")
TABLE+=("| non-DNS sendto flood, the sender's CPU ns per send with the port tests attached (median of $ROUNDS) | $sf | the empty programs: $se | $(printf "%+d" $((sf - se))) ns ($(ratio "$sf" "$se")x) | - (bpf_stats in step 1: the port test $(per "${FT[sendto]}" "${FC[sendto]}") ns, the empty program $(per "${NT[sendto]}" "${NC[sendto]}") ns) | - |")

# ---- 4. the kprobe backend in VM guests -----------------------------------
if [ "${BENCH_VM:-1}" != 0 ]; then
	say "kprobe backend in VM guests (tests/bench/bench-vm.sh)"
	stop_pid "$SINK_PID" TERM 2 # the host's sink is not needed by the guests
	SINK_PID=""
	"$HERE/bench-vm.sh" "$DNSVIS" >"$WORK/vm.rows" 2>"$WORK/vm.err"
	vmrc=$?
	mapfile -t VMROWS <"$WORK/vm.rows"
	TABLE+=("${VMROWS[@]}")
	[ $vmrc -eq 2 ] && TABLE+=("| kprobe backend in VM guests | not measured: $(tail -n 1 "$WORK/vm.err") | - | - | <= 1.5x | MISSED |")
fi

# ---- report --------------------------------------------------------------
echo "### dnsvis trace, live cost ($(uname -r), $NCPU CPUs; $PINNING; tracepoint backend, kprobe rows in VM guests)"
echo
echo "| figure | dnsvis | reference, same run | ratio | goal | |"
echo "|---|---:|---:|---:|---|---|"
printf '%s\n' "${TABLE[@]}"
echo
echo "Unpaced rounds, q/s per sender CPU second: with ${CW[*]}; least reporter ${CR[*]}; without ${CN[*]}; wall-clock with ${W[*]}; least reporter ${R[*]}; without ${N[*]}"
echo "Receive-stamp rounds, non-DNS sends per sender CPU second: on ${SON[*]}; off ${SOFF[*]}"
echo "dnsvis events/sent in the unpaced runs:$FLOOD"
echo "least reporter samples/sent in the unpaced runs:$RFLOOD"
echo "Memory samples (s, RSS KiB, memlock B): $(tr '\n' ';' <"$WORK/mem.tsv")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other load on these CPUs makes the rates noisy)"
exit 0
