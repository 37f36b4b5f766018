#!/usr/bin/env bash
# Run unit test binaries (built with ASan+UBSan); print each one's result line
# and a total "unit: N passed, N failed".  Exit non-zero on any failure.
set -u
passed=0 failed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		printf '%s\n' "$out" | tail -40
		echo "FAIL $(basename "$t") (exit $rc)"
	fi
	p=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/p')
	f=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/p')
	[ -n "$line" ] && echo "$line"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
