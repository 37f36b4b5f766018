#!/usr/bin/env bash
# ab-replay.sh OLD NEW [CAPTURE] - the replay speed of two dnsvis binaries,
# side by side in one run: runs alternate (OLD, NEW, OLD, NEW, ...), so a
# machine that gets busier or quieter affects both alike.  Prints the best
# wall and CPU (user+sys) seconds of each and NEW/OLD ratios; with no
# CAPTURE, make bench-replay's build/bench/replay-1m.pcap (made if missing).
#
#   AB_RUNS  runs per binary (default 5)
#   AB_ARGS  replay options (default "-o json")
set -euo pipefail
export LC_ALL=C
[ $# -ge 2 ] || {
	echo "usage: $0 OLD NEW [CAPTURE]" >&2
	exit 2
}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OLD=$1 NEW=$2 CAP=${3:-$ROOT/build/bench/replay-1m.pcap}
RUNS=${AB_RUNS:-5}
read -r -a ARGS <<<"${AB_ARGS:--o json}"
if [ ! -f "$CAP" ]; then
	BENCH_TSHARK=0 BENCH_RUNS=1 "$ROOT/tests/bench/bench-replay.sh" "$NEW" >/dev/null
fi
best() { sort -g | head -1; }
run() { # BIN -> "wall cpu"
	/usr/bin/time -f '%e %U %S' "$1" replay "${ARGS[@]}" "$CAP" 2>&1 >/dev/null |
		awk 'END { print $1, $2 + $3 }'
}
ow=() oc=() nw=() nc=()
for _ in $(seq "$RUNS"); do
	read -r w c < <(run "$OLD")
	ow+=("$w") oc+=("$c")
	read -r w c < <(run "$NEW")
	nw+=("$w") nc+=("$c")
done
bow=$(printf '%s\n' "${ow[@]}" | best) boc=$(printf '%s\n' "${oc[@]}" | best)
bnw=$(printf '%s\n' "${nw[@]}" | best) bnc=$(printf '%s\n' "${nc[@]}" | best)
echo "| binary | best wall s | best CPU s | runs (wall) |"
echo "|---|---:|---:|---|"
echo "| old $OLD | $bow | $boc | ${ow[*]} |"
echo "| new $NEW | $bnw | $bnc | ${nw[*]} |"
awk -v a="$bow" -v b="$bnw" -v c="$boc" -v d="$bnc" \
	'BEGIN { printf "new/old: wall %.3f, CPU %.3f\n", b / a, d / c }'
