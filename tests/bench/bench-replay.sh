#!/usr/bin/env bash
# bench-replay.sh DNSVIS - replay throughput of dnsvis against tcpdump and tshark.
#
# Builds tests/bench/gen_bench_pcap.c into build/bench/, generates two
# captures once (regenerated when the generator or the settings change):
# build/bench/replay-1m.pcap (UDP, plus BENCH_TCP_PCT % one message per
# segment) and replay-1m-tcp10m.pcap (10 % of queries over TCP framed as
# stacks write it: several messages to a segment, some split over two, so
# dnsvis must reassemble), checks every tool's output against what was
# generated, and for each capture in turn,
# then times each tool (best of BENCH_RUNS runs, output to /dev/null) and
# prints a Markdown table with wall seconds, packets/s, speed relative to
# tcpdump, peak RSS and user+sys CPU seconds (best run; less sensitive than
# wall time to other load on the machine).
#
# Exit status: 0 when dnsvis's output is right (whether or not it meets the
# speed target, which is only reported), 1 when dnsvis's output is wrong or
# dnsvis is missing, 2 on a setup error.
#
# Settings (environment):
#   BENCH_PACKETS  queries in the capture       (default 1000000)
#   BENCH_RUNS     timed runs per tool, best kept (default 3)
#   BENCH_TCP_PCT  percent of queries over TCP  (default 0)
#   BENCH_SEED     generator seed               (default 20240501)
#   BENCH_TSHARK   0 to skip tshark (it is the slow one)
#   BENCH_TARGET   required dnsvis/tcpdump speedup (default 10)
#   BENCH_MIXED_PCT percent of TCP queries in the second capture (default 10; 0: skip it)
#   BENCH_FLOWS    concurrent TCP flows of the memory run (default 100000; 0: skip it)
# shellcheck disable=SC2317 # check_* functions are called as "check_$t"
set -euo pipefail
export LC_ALL=C

if [ $# -ne 1 ]; then
	echo "usage: $0 DNSVIS" >&2
	exit 2
fi
DNSVIS=$1
case $DNSVIS in /*) ;; *) DNSVIS=$PWD/$DNSVIS ;; esac

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
OUT=$ROOT/build/bench
COUNT=${BENCH_PACKETS:-1000000}
RUNS=${BENCH_RUNS:-3}
TCP_PCT=${BENCH_TCP_PCT:-0}
SEED=${BENCH_SEED:-20240501}
TARGET=${BENCH_TARGET:-10}
MIXED_PCT=${BENCH_MIXED_PCT:-10}
CC=${CC:-cc}
TIME=/usr/bin/time

die() {
	echo "bench-replay: $*" >&2
	exit 2
}
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "BENCH_PACKETS must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
if ! [[ $TCP_PCT =~ ^[0-9]+$ ]] || [ "$TCP_PCT" -gt 100 ]; then
	die "BENCH_TCP_PCT must be 0..100"
fi
[ -x "$TIME" ] || die "$TIME not found: install the Debian package 'time'"

mkdir -p "$OUT"
TMP=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ---- generator and capture ----------------------------------------------
GEN=$OUT/gen_bench_pcap
if [ ! -x "$GEN" ] || [ "$HERE/gen_bench_pcap.c" -nt "$GEN" ]; then
	echo "bench-replay: building $GEN" >&2
	$CC -O2 -Wall -Wextra -Werror -o "$GEN.tmp" "$HERE/gen_bench_pcap.c" -lm
	mv "$GEN.tmp" "$GEN"
fi

# One capture: generate, check, time, report.  TCP_PCT and MIXED ("" or
# "-m") say which.
bench_one() {
	TCP_PCT=$1 MIXED=$2
	if [ "$COUNT" -eq 1000000 ]; then
		base=replay-1m
	elif [ $((COUNT % 1000)) -eq 0 ]; then
		base=replay-$((COUNT / 1000))k
	else
		base=replay-$COUNT
	fi
	[ "$TCP_PCT" -eq 0 ] || base=$base-tcp$TCP_PCT
	[ -z "$MIXED" ] || base=${base}m
	[ "$SEED" = 20240501 ] || base=$base-s$SEED
	PCAP=$OUT/$base.pcap
	EXPECT=$OUT/$base.expect # name TAB qtype TAB qtype-number, one line per query
	STAMP=$OUT/$base.stamp   # generator source hash and settings; the count
	want_stamp="$(sha256sum <"$HERE/gen_bench_pcap.c" | cut -d' ' -f1) count=$COUNT tcp=$TCP_PCT$MIXED seed=$SEED"
	if [ ! -s "$PCAP" ] || [ ! -s "$EXPECT" ] || [ ! -s "$STAMP" ] ||
		[ "$(head -n1 "$STAMP")" != "$want_stamp" ]; then
		echo "bench-replay: generating $PCAP ($COUNT queries)" >&2
		rm -f "$STAMP"
		"$GEN" -s "$SEED" -t "$TCP_PCT" $MIXED -e "$EXPECT.tmp" "$PCAP.tmp" "$COUNT" >"$TMP/gen.out"
		mv "$EXPECT.tmp" "$EXPECT"
		mv "$PCAP.tmp" "$PCAP"
		{
			echo "$want_stamp"
			cat "$TMP/gen.out"
		} >"$STAMP"
	fi
	QUESTIONS=$(sed -n 's/.*questions=\([0-9]*\).*/\1/p' "$STAMP")
	PACKETS=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$STAMP")
	if [ -z "$QUESTIONS" ] || [ -z "$PACKETS" ]; then
		die "no counts in $STAMP"
	fi
	[ "$(wc -l <"$EXPECT")" -eq "$QUESTIONS" ] || die "$EXPECT does not hold $QUESTIONS lines"

	# ---- tools --------------------------------------------------------------
	# Each row: label, check function, command.  tshark gets -n so that it
	# never resolves names over the network (its default is already off, -n
	# makes sure a user preference cannot turn it on).
	declare -A CMD LABEL
	ROWS=()
	if [ -x "$DNSVIS" ]; then
		ROWS+=(dnsvis)
		LABEL[dnsvis]="dnsvis replay -o json"
		CMD[dnsvis]="$(printf '%q' "$DNSVIS") replay -o json $(printf '%q' "$PCAP")"
	else
		echo "bench-replay: $DNSVIS not found or not executable: baselines only" >&2
	fi
	if command -v tcpdump >/dev/null; then
		ROWS+=(tcpdump)
		LABEL[tcpdump]="tcpdump -n -r"
		CMD[tcpdump]="tcpdump -n -r $(printf '%q' "$PCAP")"
	else
		echo "bench-replay: tcpdump not found: no baseline for the target" >&2
	fi
	if [ "${BENCH_TSHARK:-1}" != 0 ] && command -v tshark >/dev/null; then
		ROWS+=(tshark)
		LABEL[tshark]="tshark -T fields -e dns.qry.name"
		CMD[tshark]="tshark -n -r $(printf '%q' "$PCAP") -T fields -e dns.qry.name"
	fi

	# ---- correctness (untimed; doubles as the warm-up run) ------------------
	cat "$PCAP" >/dev/null # page cache
	declare -A OK
	check_dnsvis() {
		local rc
		if command -v python3 >/dev/null; then
			set +e
			bash -c "${CMD[dnsvis]}" 2>"$TMP/err" | python3 "$HERE/check_json.py" "$EXPECT" >"$TMP/chk"
			rc=("${PIPESTATUS[@]}")
			set -e
			if [ "${rc[0]}" -ne 0 ]; then
				echo "bench-replay: dnsvis exited ${rc[0]}: $(head -c 500 "$TMP/err")" >&2
				return 1
			fi
			[ "${rc[1]}" -eq 0 ] || return 1
		else
			echo "bench-replay: no python3: checking the dnsvis line count only" >&2
			set +e
			bash -c "${CMD[dnsvis]}" 2>"$TMP/err" | wc -l >"$TMP/n"
			rc=("${PIPESTATUS[@]}")
			set -e
			[ "${rc[0]}" -eq 0 ] || {
				echo "bench-replay: dnsvis exited ${rc[0]}: $(head -c 500 "$TMP/err")" >&2
				return 1
			}
			if [ "$(cat "$TMP/n")" -ne "$QUESTIONS" ]; then
				echo "bench-replay: dnsvis wrote $(cat "$TMP/n") lines, expected $QUESTIONS" >&2
				return 1
			fi
		fi
	}
	check_tcpdump() {
		bash -c "${CMD[tcpdump]}" 2>/dev/null >"$TMP/td" || return 1
		local lines q
		lines=$(wc -l <"$TMP/td")
		q=$(grep -c '? [^ ]*\. (' "$TMP/td" || true)
		rm -f "$TMP/td"
		# -m: tcpdump prints the first message of a segment only
		if [ "$lines" -ne "$PACKETS" ] || { [ -z "$MIXED" ] && [ "$q" -ne "$QUESTIONS" ]; }; then
			echo "bench-replay: tcpdump printed $lines lines, $q queries; expected $PACKETS" >&2
			return 1
		fi
	}
	check_tshark() {
		bash -c "${CMD[tshark]}" 2>/dev/null | cut -f1 -d, >"$TMP/ts" || return 1
		if ! cut -f1 "$EXPECT" | cmp -s - "$TMP/ts"; then
			echo "bench-replay: tshark's query names differ from the generated ones" >&2
			rm -f "$TMP/ts"
			return 1
		fi
		rm -f "$TMP/ts"
	}
	for t in "${ROWS[@]}"; do
		echo "bench-replay: checking $t output" >&2
		if "check_$t"; then
			OK[$t]=1
		else
			OK[$t]=0
			if [ "$t" = dnsvis ]; then
				STATUS=1
				echo "bench-replay: FAIL: dnsvis output is wrong (see above)" >&2
			else
				echo "bench-replay: warning: $t output is not what was generated" >&2
			fi
		fi
	done
	[ -x "$DNSVIS" ] || STATUS=1

	# ---- timing -------------------------------------------------------------
	declare -A SECS RSS CPU
	for t in "${ROWS[@]}"; do
		best="" peak=0 cpu_best=""
		for ((i = 1; i <= RUNS; i++)); do
			t0=$EPOCHREALTIME
			if ! eval "$TIME -f '%M %U %S' -o \"\$TMP/rss\" ${CMD[$t]}" >/dev/null 2>"$TMP/err"; then
				echo "bench-replay: $t failed: $(head -c 500 "$TMP/err")" >&2
				best="" && break
			fi
			t1=$EPOCHREALTIME
			s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
			read -r r u k <<<"$(tail -n1 "$TMP/rss")"
			c=$(awk -v u="$u" -v k="$k" 'BEGIN { printf "%.2f", u + k }')
			echo "bench-replay: $t run $i: ${s}s wall, ${c}s CPU, ${r} KiB" >&2
			if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
				best=$s
			fi
			if [ -z "$cpu_best" ] || awk -v a="$c" -v b="$cpu_best" 'BEGIN { exit !(a < b) }'; then
				cpu_best=$c
			fi
			[ "$r" -gt "$peak" ] && peak=$r
		done
		SECS[$t]=$best
		RSS[$t]=$peak
		CPU[$t]=$cpu_best
	done

	# ---- report -------------------------------------------------------------
	pps() { awk -v n="$PACKETS" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }' | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	mb=$(awk -v b="$(stat -c %s "$PCAP")" 'BEGIN { printf "%.0f", b / 1048576 }')
	echo
	echo "Replay benchmark: $(basename "$PCAP"), $PACKETS packets / $QUESTIONS queries," \
		"$mb MiB, TCP $TCP_PCT%${MIXED:+ (several messages to a segment, some split)}; best of $RUNS runs; $(nproc) CPU(s), ${cpu:-unknown CPU}"
	echo
	echo "| tool | seconds | packets/s | vs tcpdump | peak RSS (MiB) | CPU s | output check |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	base_s=${SECS[tcpdump]:-}
	for t in "${ROWS[@]}"; do
		s=${SECS[$t]:-}
		ck=$([ "${OK[$t]}" = 1 ] && echo ok || echo WRONG)
		if [ -z "$s" ]; then
			echo "| \`${LABEL[$t]}\` | failed | | | | | $ck |"
			continue
		fi
		rel=n/a
		[ -n "$base_s" ] && rel=$(ratio "$base_s" "$s")
		rss=$(awk -v k="${RSS[$t]}" 'BEGIN { printf "%.1f", k / 1024 }')
		echo "| \`${LABEL[$t]}\` | $s | $(pps "$s") | $rel | $rss | ${CPU[$t]} | $ck |"
	done
	echo

	if [ -n "${SECS[dnsvis]:-}" ] && [ -n "$base_s" ]; then
		x=$(awk -v a="$base_s" -v b="${SECS[dnsvis]}" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
		echo "dnsvis/tcpdump = ${x}x (target >= ${TARGET}x)"
		if awk -v x="$x" -v t="$TARGET" 'BEGIN { exit !(x >= t) }'; then
			echo "speed target met"
		else
			echo "speed target MISSED (reported only; not a failure)"
		fi
	else
		echo "dnsvis/tcpdump = n/a (target >= ${TARGET}x)"
	fi

}

# Memory: peak RSS of dnsvis on BENCH_FLOWS concurrent TCP flows, each
# holding 1.1 KB out of order (gen_flows_pcap.py), against the 64 MiB bound.
bench_flows() {
	local flows=${BENCH_FLOWS:-100000} pcap r e
	pcap=$OUT/flows-$flows.pcap
	if [ ! -s "$pcap" ] || [ "$HERE/gen_flows_pcap.py" -nt "$pcap" ]; then
		echo "bench-replay: generating $pcap" >&2
		python3 "$HERE/gen_flows_pcap.py" "$pcap.tmp" "$flows" && mv "$pcap.tmp" "$pcap"
	fi
	$TIME -f '%M %e' -o "$TMP/rss" "$DNSVIS" replay -o json "$pcap" >/dev/null 2>"$TMP/err" ||
		{ echo "bench-replay: dnsvis failed on $pcap" >&2 && STATUS=1 && return; }
	read -r r e <<<"$(tail -n1 "$TMP/rss")"
	echo "Memory: $flows concurrent TCP flows ($(basename "$pcap")): dnsvis peak RSS" \
		"$(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }') MiB in ${e}s (bound 64 MiB)"
	sed 's/^dnsvis: replay: /  summary: /' "$TMP/err"
	if [ "$r" -ge $((64 * 1024)) ]; then
		echo "memory bound MISSED"
		STATUS=1
	fi
}

STATUS=0
bench_one "$TCP_PCT" ""
[ "$MIXED_PCT" -eq 0 ] || bench_one "$MIXED_PCT" -m
[ "${BENCH_FLOWS:-100000}" -eq 0 ] || bench_flows
if [ "$STATUS" -ne 0 ]; then
	echo "FAIL: dnsvis output is wrong or dnsvis is missing"
fi
exit "$STATUS"
