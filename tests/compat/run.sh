#!/usr/bin/env bash
# tests/compat/run.sh COMPAT_CHECK - self-test of the BPF compat checker.
# Builds the hand-made objects of tests/compat/ into build/compat-selftest/
# and checks that the good ones pass (exit 0) and that each bad one exits 1
# with every violation line naming exactly its own rule.
set -uo pipefail

CHECK=${1:?usage: $0 COMPAT_CHECK}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/build/compat-selftest
CLANG=${CLANG:-clang}
ARCH_INC=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
mkdir -p "$OUT"

# name     expected ("pass" or the rule)   extra clang flags
CASES='
good           pass
helper_v55     pass
objmark_v55    pass
loop           loop
bpf2bpf        bpf2bpf
bss            global-data
data           global-data
rodata         global-data
ringbuf        map-type
cpumap         map-type
newer_helper   helper
unknown_helper helper
xdp            prog-type
socket_filter  prog-type
big            insns
jmp32          isa          -mcpu=v3
'

pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

while read -r name expect flags; do
	[ -n "$name" ] || continue
	obj=$OUT/$name.bpf.o
	# shellcheck disable=SC2086
	if ! "$CLANG" -target bpf -O2 -g -Wall -Wno-unused-function ${flags:-} -I"$ARCH_INC" \
		-c "$HERE/$name.bpf.c" -o "$obj" 2>"$OUT/$name.cc.log"; then
		bad "$name" "does not compile: $(head -3 "$OUT/$name.cc.log" | tr '\n' ' ')"
		continue
	fi
	"$CHECK" "$obj" >"$OUT/$name.out" 2>&1
	rc=$?
	# violation lines: "OBJ: PROG: rule: detail", minus summary/guarded lines
	rules=$(grep -v -e ': summary: ' -e ': guarded: ' "$OUT/$name.out" |
		awk -F': ' '{print $3}' | sort -u | tr '\n' ' ')
	rules=${rules% }
	if [ "$expect" = pass ]; then
		if [ $rc -eq 0 ] && [ -z "$rules" ]; then
			ok "$name"
		else
			bad "$name" "expected to pass, exit $rc, rules: ${rules:-none}"
			sed 's/^/    /' "$OUT/$name.out"
		fi
	else
		if [ $rc -eq 1 ] && [ "$rules" = "$expect" ]; then
			ok "$name"
		else
			bad "$name" "expected exit 1 with rule '$expect' only; exit $rc, rules: ${rules:-none}"
			sed 's/^/    /' "$OUT/$name.out"
		fi
	fi
done <<<"$CASES"

# the guarded objects must say which probe guards them
if grep -q 'guarded: .*probe_read_user.*_v55' "$OUT/helper_v55.out" 2>/dev/null; then
	ok "guard-reported"
else
	bad "guard-reported" "no 'guarded' line for helper_v55"
fi
# -G declares an object guarded: the unmarked newer_helper object then passes
if "$CHECK" -G "$OUT/newer_helper.bpf.o" >"$OUT/newer_helper-G.out" 2>&1 &&
	grep -q 'guarded: .*object (-G)' "$OUT/newer_helper-G.out"; then
	ok "guard-option"
else
	bad "guard-option" "-G did not guard newer_helper"
fi
# a missing object is an error, not a pass
if "$CHECK" "$OUT/does-not-exist.bpf.o" >/dev/null 2>&1; then
	bad "missing-object" "exit 0 for a missing file"
else
	ok "missing-object"
fi

echo "compat-selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
