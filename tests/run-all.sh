#!/usr/bin/env bash
# `make check`: run every test suite, each printing "SUITE: N passed, N failed",
# then the total on the last line.  Exit non-zero if any suite failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DNSVIS=$BUILD/dnsvis
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
total_p=0 total_f=0 bad_suites=() timings=()

run_suite() {
	local name=$1
	shift
	echo "== $name"
	local log t0=$SECONDS
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	timings+=("$name $((SECONDS - t0))s")
	local line p f
	line=$(grep -E '^[a-z_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/p')
	f=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/p')
	total_p=$((total_p + ${p:-0}))
	total_f=$((total_f + ${f:-0}))
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		bad_suites+=("$name")
		[ "${f:-0}" -gt 0 ] || total_f=$((total_f + 1))
	fi
	rm -f "$log"
}

compat_objects() {
	# the static legacy-kernel check of the shipped BPF objects
	if make --no-print-directory compat-check; then
		echo "compat-check: 1 passed, 0 failed"
	else
		echo "compat-check: 0 passed, 1 failed"
		return 1
	fi
}

lint() {
	# clang-format and cppcheck over every C file of the project
	if make --no-print-directory lint; then
		echo "lint: 1 passed, 0 failed"
	else
		echo "lint: 0 passed, 1 failed"
		return 1
	fi
}

tidy() {
	# clang-tidy's analyzer and bugprone checks over user/
	if make --no-print-directory tidy >/dev/null; then
		echo "tidy: 1 passed, 0 failed"
	else
		make --no-print-directory tidy 2>&1 | grep -E 'error:|warning: [^U]' | head -20
		echo "tidy: 0 passed, 1 failed"
		return 1
	fi
}

run_suite lint lint
run_suite tidy tidy
run_suite compat-check compat_objects
run_suite compat-selftest tests/compat/run.sh $BUILD/compat-check
run_suite unit tests/run-unit.sh $BUILD/tests/test_*
run_suite replay tests/replay/run.sh "$DNSVIS"
run_suite conformance tests/conformance/run.sh "$DNSVIS"
run_suite responses tests/responses/run.sh $BUILD/tests/dump_responses "$DNSVIS"
run_suite btf tests/btf/run.sh "$DNSVIS"
run_suite pkg tests/pkg/run.sh "$DNSVIS"
run_suite live tests/live/run.sh "$DNSVIS"
run_suite live-responses tests/live-responses/run.sh "$DNSVIS"
run_suite wire tests/wire/run.sh "$DNSVIS"
run_suite pipeline tests/pipeline/run.sh "$DNSVIS"
run_suite vm tests/vm/run.sh "$DNSVIS"
run_suite audit tests/audit/run.sh "$DNSVIS"
run_suite containers tests/containers/run.sh "$DNSVIS"
run_suite runtimes tests/runtimes/run.sh "$DNSVIS"
run_suite fuzz tests/fuzz/run.sh "$FUZZ_SECONDS" $BUILD/fuzz/fuzz_*

echo
echo "suite times: ${timings[*]} (total $SECONDS s)"
[ ${#bad_suites[@]} -eq 0 ] || echo "failed suites: ${bad_suites[*]}"
echo "$total_p passed, $total_f failed"
[ ${#bad_suites[@]} -eq 0 ]
