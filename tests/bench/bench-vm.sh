#!/usr/bin/env bash
# bench-vm.sh DNSVIS - the kprobe backend's cost on non-DNS UDP sends, in VM
# guests (this machine has no kprobes), as rows of bench-live's table.
#
# For each kernel series in BENCH_VM_SERIES (default "6.1 5.10"), the newest
# guest kernel tests/vm/run.sh cached under $BUILD/vm/kernels boots under
# qemu TCG (no network device) with an initramfs of busybox, DNSVIS (static),
# a static loadgen and tp_attach, the empty kprobe kp_null.bpf.c, bpftool and
# tests/bench/bench-vm-init.sh as /init.  In that one boot, BENCH_VM_ROUNDS
# rounds: dnsvis (--backend kprobe), the empty kprobe on udp_sendmsg and
# the hand-written port test kp_floor.bpf.c, each alone on the probe in
# turn, as dnsvis runs in use (programs that share the probe move each
# other's cost under TCG: the same port test cost 655, 903 and 1461 ns
# first, second and third in the list in one boot), while loadgen floods
# UDP port 9 with sendto for BENCH_VM_SECONDS; each program's bpf_stats ns
# per run is divided by the sender's own CPU ns per send in its flood:
# TCG's speed drifts between windows, the sender's CPU time per send
# drifts with it.  The order rotates (each program first, second and third
# once in three rounds); the figure is the ratio of the shares' means over
# the rounds.  Booted one
# after the other (two guests would take each other's host CPU mid-run).
# Goal: <= 1.5x the empty kprobe.
#
# Output: one Markdown table row per series on stdout (a series not measured
# says why, in its row), progress on stderr.  Exit 0 when every series was
# measured, 1 otherwise, 2 on a setup error.
# Environment: BENCH_VM_SERIES, BENCH_VM_ROUNDS (default 6),
# BENCH_VM_SECONDS (default 2), BENCH_VM_TIMEOUT (per boot, default 600),
# BENCH_VM_MEM (MiB, default 512), BUILD (default build).
set -uo pipefail
export LC_ALL=C

[ $# -eq 1 ] || { echo "usage: $0 DNSVIS" >&2; exit 2; }
DNSVIS=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
case $DNSVIS in /*) ;; *) DNSVIS=$PWD/$DNSVIS ;; esac
SERIES=${BENCH_VM_SERIES:-6.1 5.10}
ROUNDS=${BENCH_VM_ROUNDS:-6}
[ $((ROUNDS % 3)) = 0 ] || { echo "bench-vm: BENCH_VM_ROUNDS must be a multiple of 3 (whole rotations)" >&2; exit 2; }
SECS=${BENCH_VM_SECONDS:-2}
TIMEOUT=${BENCH_VM_TIMEOUT:-600}
MEM=${BENCH_VM_MEM:-512}
OUT=$BUILD/bench/vm

say() { echo "bench-vm: $*" >&2; }
die() { say "$2"; exit "$1"; }
for v in ROUNDS SECS TIMEOUT MEM; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die 2 "bad $v '${!v}' (a positive integer)"
done
for t in qemu-system-x86_64 gcc clang bpftool ldd timeout; do
	command -v "$t" >/dev/null || die 2 "missing tool: $t"
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || die 2 "no static $BUSYBOX (busybox-static)"
[ -x "$DNSVIS" ] && ! ldd "$DNSVIS" >/dev/null 2>&1 || die 2 "not a static executable: $DNSVIS"
BPFTOOL=$(readlink -f "$(command -v bpftool)")
mkdir -p "$OUT" || die 2 "cannot create $OUT"

# ---- guest binaries --------------------------------------------------------
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$OUT/loadgen" "$HERE/loadgen.c" \
	2>"$OUT/cc.err" || die 2 "cannot build a static loadgen: $(head -c 400 "$OUT/cc.err")"
gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/tp_attach" "$HERE/tp_attach.c" -lbpf -lelf -lz \
	2>"$OUT/cc.err" || die 2 "cannot build a static tp_attach: $(head -c 400 "$OUT/cc.err")"
for o in kp_null kp_floor; do
	clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu -c "$HERE/$o.bpf.c" \
		-o "$OUT/$o.bpf.o" 2>"$OUT/cc.err" || die 2 "cannot build $o: $(head -c 400 "$OUT/cc.err")"
done

kernel_of() { # SERIES -> the newest cached kernel directory of it, or nothing
	local d best="" bv=""
	for d in "$BUILD"/vm/kernels/*; do
		[ -s "$d/vmlinuz" ] && [ "$(cat "$d/series" 2>/dev/null)" = "$1" ] || continue
		if [ -z "$bv" ] || dpkg --compare-versions "$(cat "$d/version")" gt "$bv"; then
			best=$d bv=$(cat "$d/version")
		fi
	done
	echo "$best"
}

initramfs() { # RUNDIR
	local st=$1/stage lib
	rm -rf "$st"
	mkdir -p "$st/bin" "$st/bench" "$st/lib64"
	cp "$BUSYBOX" "$st/bin/busybox"
	cp "$DNSVIS" "$st/bin/dnsvis"
	cp "$OUT/loadgen" "$OUT/tp_attach" "$st/bin/"
	cp "$OUT/kp_null.bpf.o" "$OUT/kp_floor.bpf.o" "$st/bench/"
	cp "$HERE/bench-vm-init.sh" "$st/init"
	chmod 755 "$st/init"
	cp "$BPFTOOL" "$st/bin/bpftool"
	for lib in $(ldd "$BPFTOOL" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$st$(dirname "$lib")"
		cp -L "$lib" "$st$lib"
	done
	printf 'ROUNDS=%s\nSECONDS=%s\n' "$ROUNDS" "$SECS" >"$st/bench/settings"
	(cd "$st" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$1/initrd.cpio" && rm -rf "$st"
}

boot() { # KDIR RUNDIR
	: >"$2/data.log"
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -m "$MEM" -smp 1 \
		-nographic -no-reboot -nic none -monitor none \
		-serial "file:$2/console.log" -serial "file:$2/data.log" \
		-kernel "$1/vmlinuz" -initrd "$2/initrd.cpio" \
		-append "console=ttyS0 panic=-1" </dev/null >"$2/qemu.out" 2>&1
	echo $? >"$2/qemu.rc"
}

# ---- boot each series ------------------------------------------------------
declare -A RD KD
PIDS=()
on_signal() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	exit 1
}
trap on_signal INT TERM
for s in $SERIES; do
	KD[$s]=$(kernel_of "$s")
	[ -n "${KD[$s]}" ] || continue
	RD[$s]=$OUT/run-$s
	rm -rf "${RD[$s]}"
	mkdir -p "${RD[$s]}"
	initramfs "${RD[$s]}" || die 2 "cannot build the initramfs for $s"
	say "$s: booting $(cat "${KD[$s]}/package") under TCG ($ROUNDS rounds of ${SECS}s)"
	# one guest at a time: two would take each other's host CPU mid-run
	boot "${KD[$s]}" "${RD[$s]}" &
	PIDS=($!)
	wait "${PIDS[0]}"
done

# ---- rows ------------------------------------------------------------------
rc=0
for s in $SERIES; do
	label="\`udp_sendmsg\` kprobe, non-DNS UDP, $s guest"
	if [ -z "${KD[$s]}" ]; then
		echo "| $label | not measured: no cached $s kernel (tests/vm/run.sh caches them) | - | - | <= 1.5x | MISSED |"
		rc=1
		continue
	fi
	rel=$(sed -n 's/^bench: kernel //p' "${RD[$s]}/data.log" | tr -d '\r' | head -n 1)
	err=$(grep -a '^bench: error' "${RD[$s]}/data.log" | tr -d '\r' | head -n 1)
	# per round, each program over the sender's CPU ns per send in its own
	# flood: dnsvis, empty, port test
	mapfile -t R < <(tr -d '\r' <"${RD[$s]}/data.log" | awk '/^bench: round / {
		delete v
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		ok = 1
		for (j = 0; j < 3; j++) {
			k = j == 0 ? "dnsvis" : (j == 1 ? "null" : "floor")
			if (!(v[k "_runs"] > 0 && v[k "_sent"] > 0 && v[k "_cpu"] > 0)) ok = 0
			else { ns[j] = v[k "_ns"] / v[k "_runs"]; c[j] = v[k "_cpu"] * 1e9 / v[k "_sent"] }
		}
		if (ok)
			printf "%.6f %.6f %.6f %.0f %.0f %.0f %.0f %.0f %.0f %s\n", ns[0] / c[0], ns[1] / c[1], ns[2] / c[2], ns[0], ns[1], ns[2], c[0], c[1], c[2], $4
		}')
	if [ ${#R[@]} -lt "$ROUNDS" ]; then
		echo "| $label | not measured: ${#R[@]} of $ROUNDS rounds (${err:-qemu status $(cat "${RD[$s]}/qemu.rc"); see ${RD[$s]}/console.log}) | - | - | <= 1.5x | MISSED |"
		rc=1
		continue
	fi
	# the figure: ratios of the means over the rounds (whole rotations of
	# the order: each program first, second and third equally often)
	mean() { printf '%s\n' "${R[@]}" | awk -v k="$1" '{s += $k} END {print s / NR}'; }
	dn=$(mean 1) nn=$(mean 2) fn=$(mean 3)
	pct() { awk -v v="$1" 'BEGIN {printf "%.2f%%", v * 100}'; }
	r=$(awk -v a="$dn" -v b="$nn" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	rf=$(awk -v a="$fn" -v b="$nn" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	rdf=$(awk -v a="$dn" -v b="$fn" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	ok=$(awk -v r="$r" 'BEGIN {print (r <= 1.5) ? "met" : "MISSED"}')
	per=$(printf '%s\n' "${R[@]}" | awk '{printf "%s%.2fx (%s: %d / %d / %d ns of %d / %d / %d)", (NR > 1 ? "; " : ""), $1 / $2, $10, $4, $5, $6, $7, $8, $9}')
	echo "| $label ($rel, TCG, one boot, $ROUNDS rounds): ns per call as a share of the sender's CPU ns per send, mean of the rounds | $(pct "$dn") | empty kprobe: $(pct "$nn") | ${r}x | <= 1.5x | $ok |"
	echo "| ... hand-written port test (one msghdr read, one sockaddr read), $s guest | $(pct "$fn") | empty kprobe: $(pct "$nn") | ${rf}x | - (the floor of one port test; dnsvis / it: ${rdf}x) | - |"
	echo "| ... rounds ($s): dnsvis/empty (order: dnsvis / empty / port test ns per run, each alone on the probe, of the sender's CPU ns per send in its flood) | $per | | | | |"
done
exit $rc
