#!/usr/bin/env bash
# bench-responses.sh DNSVIS - replay speed with --responses, side by side in
# one run with tcpdump and with dnsvis replay without --responses, over one
# capture of query/response pairs (gen_pairs_pcap.py; build/bench/, made
# once).  Checks first that --responses pairs every answered query and
# times out the others, then times each (best of BENCH_RUNS, output to
# /dev/null) and prints a Markdown table: wall seconds, packets/s, user+sys
# CPU seconds, peak RSS, and the ratios.
# Settings: BENCH_PAIRS (default 200000), BENCH_RUNS (default 3).
# Exit 0 when dnsvis's output is right, 1 when not, 2 on a setup error.
set -euo pipefail
export LC_ALL=C
[ $# -eq 1 ] || { echo "usage: $0 DNSVIS" >&2; exit 2; }
DNSVIS=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/bench
PAIRS=${BENCH_PAIRS:-200000}
RUNS=${BENCH_RUNS:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-responses: $TIME not found (Debian package time)" >&2; exit 2; }
mkdir -p "$OUT"
PCAP=$OUT/pairs-$PAIRS.pcap
if [ ! -s "$PCAP" ] || [ "$ROOT/tests/bench/gen_pairs_pcap.py" -nt "$PCAP" ]; then
	python3 "$ROOT/tests/bench/gen_pairs_pcap.py" "$PCAP.tmp" "$PAIRS" >"$PCAP.counts"
	mv "$PCAP.tmp" "$PCAP"
fi
read -r queries answered unanswered <"$PCAP.counts"
packets=$((queries + answered))

# correctness first: every answered query paired, every other one timed out
got=$("$DNSVIS" replay --responses -o json "$PCAP" 2>/dev/null |
	python3 -c 'import json,sys
from collections import Counter
c = Counter(json.loads(l)["type"] for l in sys.stdin)
print(c["query"], c["response"], c["timeout"], c["unsolicited"])')
if [ "$got" != "$queries $answered $unanswered 0" ]; then
	echo "bench-responses: dnsvis --responses wrote $got (query response timeout unsolicited);" \
		"want $queries $answered $unanswered 0" >&2
	exit 1
fi

best() { # NAME CMD...: best wall, its cpu and rss -> "wall cpu rss"
	local b="" line
	shift
	for _ in $(seq "$RUNS"); do
		line=$("$TIME" -f '%e %U %S %M' "$@" 2>&1 >/dev/null | tail -1)
		read -r w u s m <<<"$line"
		if [ -z "$b" ] || awk -v a="$w" -v c="${b%% *}" 'BEGIN{exit !(a < c)}'; then
			b="$w $(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}') $m"
		fi
	done
	echo "$b"
}
td=$(best tcpdump tcpdump -n -r "$PCAP")
plain=$(best plain "$DNSVIS" replay -o json "$PCAP")
resp=$(best responses "$DNSVIS" replay --responses -o json "$PCAP")
row() { # LABEL "wall cpu rss"
	read -r w c m <<<"$2"
	awk -v l="$1" -v w="$w" -v c="$c" -v m="$m" -v p="$packets" -v tw="${td%% *}" \
		'BEGIN{printf "| %s | %.2f | %.0f | %s | %.1f | %.2fx |\n", l, w, (w > 0 ? p / w : 0), c, m / 1024, (w > 0 ? tw / w : 0)}'
}
echo "replay with --responses: $queries queries, $answered answered, $packets packets, best of $RUNS"
echo
echo "| tool | wall s | packets/s | cpu s | peak RSS MiB | speed vs tcpdump |"
echo "|---|---|---|---|---|---|"
row "tcpdump -n -r" "$td"
row "dnsvis replay -o json" "$plain"
row "dnsvis replay --responses -o json" "$resp"
awk -v a="${resp%% *}" -v b="${plain%% *}" -v t="${td%% *}" 'BEGIN{
	printf "\nratio dnsvis --responses / tcpdump (speed): %.2f\n", (a > 0 ? t / a : 0)
	printf "ratio dnsvis --responses / dnsvis without (time): %.2f\n", (b > 0 ? a / b : 0)}'
