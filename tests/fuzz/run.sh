#!/usr/bin/env bash
# Run each libFuzzer target for a bounded time on its seed corpus.
# Usage: run.sh SECONDS_PER_TARGET TARGET...
# A crash, leak or sanitizer report fails the run; the reproducer is kept in
# build/fuzz/artifacts/.
set -u
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
for t in "$@"; do
	case $t in *.*) continue ;; esac # logs and other files beside the targets
	[ -x "$t" ] || continue
	name=$(basename "$t")
	corpus_seed="$here/corpus/${name#fuzz_}"
	work=$(dirname "$t")/corpus-${name#fuzz_}
	art=$(dirname "$t")/artifacts/
	mkdir -p "$work" "$art"
	mkdir -p "$(dirname "$t")/logs"
	log=$(dirname "$t")/logs/$name.log
	if "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art" "$work" "$corpus_seed" >"$log" 2>&1; then
		runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
		echo "ok $name: ${runs:-?} inputs in ${secs}s, no finding"
		passed=$((passed + 1))
	else
		tail -30 "$log"
		echo "FAIL $name: finding (see $log and $art)"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
