#!/usr/bin/env bash
# Run each libFuzzer target for a bounded time on its seed corpus, up to
# FUZZ_JOBS targets at once (default: the number of CPUs).
# Usage: run.sh SECONDS_PER_TARGET TARGET...
# A crash, leak or sanitizer report fails the run; the reproducer is kept in
# build/fuzz/artifacts/.
set -u
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
jobs=${FUZZ_JOBS:-$(nproc)}

# one target; its verdict line goes to $2
fuzz_one() {
	local t=$1 out=$2 name work art log runs
	name=$(basename "$t")
	work=$(dirname "$t")/corpus-${name#fuzz_}
	art=$(dirname "$t")/artifacts/
	log=$(dirname "$t")/logs/$name.log
	mkdir -p "$work" "$art" "$(dirname "$log")"
	if "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art" "$work" "$here/corpus/${name#fuzz_}" >"$log" 2>&1; then
		runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
		echo "ok $name: ${runs:-?} inputs in ${secs}s, no finding" >"$out"
	else
		{
			tail -30 "$log"
			echo "FAIL $name: finding (see $log and $art)"
		} >"$out"
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for t in "$@"; do
	case $t in *.*) continue ;; esac # logs and other files beside the targets
	[ -x "$t" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	n=$((n + 1))
	fuzz_one "$t" "$tmp/$(printf %03d $n)" &
done
wait
passed=0 failed=0
for r in "$tmp"/*; do
	[ -f "$r" ] || continue
	cat "$r"
	if grep -q '^ok ' "$r"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
