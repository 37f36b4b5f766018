#!/usr/bin/env bash
# tests/btf/run.sh DNSVIS - BTF for old kernels, checked on this kernel.
#
#  1. every kernel of the BTFHub archive (BTFHUB_ARCHIVE, default
#     ../shared/btfhub-archive) is embedded in DNSVIS;
#  2. for every BTF of the archive (full) and every embedded one (minimized):
#     both BPF objects (split-read and legacy) are opened with that BTF as
#     libbpf's relocation target and LOADED here (root), with the programs
#     the loader would pick for each backend.  A relocation libbpf cannot
#     resolve is poisoned; if it is reachable the verifier rejects the
#     program and the test fails, naming the relocation.  arm64 BTF: the
#     objects are x86 (pt_regs), so only the CO-RE struct relocations and
#     the tracepoint programs mean anything; said in the output;
#  3. the offsets the kprobe backend depends on, read with libbpf (dnsvis btf
#     offsets), from `bpftool btf dump` (offsets.py) and as libbpf resolved
#     them while loading, agree; printed as a table;
#  4. self-test: an unguarded unresolvable relocation fails and is reported;
#  5. the run-time lookup (test hooks DNSVIS_OS_RELEASE, DNSVIS_UNAME_R,
#     DNSVIS_UNAME_M, DNSVIS_SYS_BTF, DNSVIS_BTF_ARCHIVE): precedence, misses,
#     corrupt archives, `doctor`, and a real `trace` on an embedded BTF;
#  6. stale libbpf kprobes are removed at start-up, our own at SIGINT/SIGTERM
#     (fake tracefs: DNSVIS_TRACEFS).
# Prints ok/FAIL lines and "btf: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
DNSVIS=${1:?usage: tests/btf/run.sh DNSVIS}
case $DNSVIS in /*) ;; *) DNSVIS=$PWD/$DNSVIS ;; esac
BUILD=${BUILD:-$(dirname "$DNSVIS")}
ARCHIVE=${BTFHUB_ARCHIVE-../shared/btfhub-archive}
pass=0 fail=0
ok() {
	echo "ok   $*"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btftest.XXXXXX")
bgpid=
cleanup() {
	[ -z "$bgpid" ] || kill "$bgpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
root=0
[ "$(id -u)" = 0 ] && root=1

# ---- 1. the archive is embedded -------------------------------------------
"$DNSVIS" btf list >"$tmp/list" 2>&1 || bad "dnsvis btf list failed: $(head -1 "$tmp/list")"
mkdir -p "$tmp/full"
narch=0
if [ -n "$ARCHIVE" ] && [ -d "$ARCHIVE" ]; then
	while IFS= read -r -d '' tb; do
		rel=${tb#"$ARCHIVE"/}
		IFS=/ read -r id ver arch file <<<"$rel"
		release=${file%.btf.tar.xz}
		narch=$((narch + 1))
		if awk -v i="$id" -v v="$ver" -v a="$arch" -v r="$release" \
			'$1==i && $2==v && $3==a && $4==r {f=1} END {exit !f}' "$tmp/list"; then
			ok "embedded: $id/$ver/$arch/$release"
		else
			bad "embedded: $id/$ver/$arch/$release missing from 'dnsvis btf list'"
		fi
		d=$tmp/full/$id/$ver/$arch
		mkdir -p "$d" "$tmp/x"
		if tar -xJf "$tb" -C "$tmp/x" && mv "$tmp/x/$release.btf" "$d/$release.btf"; then
			:
		else
			bad "cannot extract $tb"
		fi
	done < <(find -L "$ARCHIVE" -mindepth 4 -maxdepth 4 -name '*.btf.tar.xz' -print0 | sort -z)
	echo "     ($narch kernels in $ARCHIVE)"
else
	echo "     (no archive at '$ARCHIVE': only the embedded BTF is checked)"
fi
nemb=$(awk '$1 != "ID" && NF == 6' "$tmp/list" | wc -l)
if "$DNSVIS" btf extract "$tmp/emb" >"$tmp/extract" 2>&1 && [ "$(wc -l <"$tmp/extract")" -eq "$nemb" ]; then
	ok "btf extract: $nemb embedded kernels"
else
	bad "btf extract: $(head -1 "$tmp/extract")"
fi

# ---- 2./3. load with every BTF, offsets ---------------------------------
# resolved offset of SPEC ("struct msghdr.msg_iter") in a load-check output
relo_off() {
	grep -F "resolved <byte_off> $2 (" "$1" | head -1 | sed -nE 's/.*@ offset ([0-9]+)\)$/\1/p'
}
field() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

table=$tmp/table
printf '%-9s %-44s %-8s %-8s %-22s %-7s %-22s\n' kind "ID/VERSION_ID/ARCH/RELEASE" msg_name \
	msg_iter "iov_iter.type" iov ITER_IOVEC >"$table"
check_btf() { # KIND FILE LABEL
	local kind=$1 f=$2 label=$3 arch obj be out note
	arch=$(echo "$label" | cut -d/ -f3)
	for obj in split legacy; do
		for be in tracepoint kprobe; do
			note=""
			if [ "$arch" != x86_64 ] && [ $be = kprobe ]; then
				note=" ($arch BTF, x86 objects: CO-RE struct relocations only; pt_regs argument access not checked)"
			fi
			out=$tmp/load.$kind.$obj.$be
			if [ $root = 0 ]; then
				echo "     skip load $kind $label $obj/$be: not root"
				continue
			fi
			# --responses: the receive programs too (their prototypes and sk_buff)
			local flags=(--btf "$f" --backend "$be" --responses)
			[ $obj = legacy ] && flags+=(--legacy)
			"$DNSVIS" btf load-check "${flags[@]}" >"$out" 2>&1
			local rc=$? np nr
			np=$(grep -c '^loaded ' "$out")
			nr=$(grep -c '^resolved ' "$out")
			if [ $rc -eq 0 ] && grep -q '^result: ok' "$out" && [ "$np" -gt 0 ]; then
				ok "load $kind $label $obj/$be: $np programs, $nr relocation targets$note"
			else
				bad "load $kind $label $obj/$be: $(grep '^result' "$out")$note"
				grep -E '^unresolved' "$out" | sed 's/^/     /'
			fi
		done
	done
	# offsets: libbpf BTF API vs bpftool dump vs what libbpf relocated
	"$DNSVIS" btf offsets "$f" >"$tmp/off.c" 2>&1
	python3 tests/btf/offsets.py "$f" >"$tmp/off.py" 2>&1
	if diff -u "$tmp/off.py" "$tmp/off.c" >"$tmp/off.diff"; then
		ok "offsets $kind $label: dnsvis btf offsets == bpftool btf dump"
	else
		bad "offsets $kind $label: dnsvis and bpftool disagree"
		sed 's/^/     /' "$tmp/off.diff"
	fi
	if [ $root = 1 ]; then
		local lo="$tmp/load.$kind.split.kprobe" k want got
		for k in "msghdr.msg_name:struct msghdr.msg_name" "msghdr.msg_iter:struct msghdr.msg_iter" \
			"iov_iter.type:struct iov_iter.type" "iov_iter.iov:struct iov_iter.iov"; do
			want=$(field "$tmp/off.c" "${k%%:*}")
			got=$(relo_off "$lo" "${k#*:}")
			if [ -n "$want" ] && [ "$want" = "$got" ]; then
				ok "relocated $kind $label ${k%%:*} @ $got"
			else
				bad "relocated $kind $label ${k%%:*}: libbpf @ '${got}', BTF says '${want}'"
			fi
		done
	fi
	printf '%-9s %-44s %-8s %-8s %-22s %-7s %-22s\n' "$kind" "$label" \
		"$(field "$tmp/off.c" msghdr.msg_name)" "$(field "$tmp/off.c" msghdr.msg_iter)" \
		"$(awk '$1 ~ /^iov_iter.(type|iter_type)$/ {$1=""; print substr($0,2)}' "$tmp/off.c")" \
		"$(awk '$1 ~ /^iov_iter.(iov|__iov)$/ {print $2}' "$tmp/off.c")" \
		"$(awk '$1 == "ITER_IOVEC" {$1=""; print substr($0,2)}' "$tmp/off.c")" >>"$table"
}
for kind in full emb; do
	while IFS= read -r -d '' f; do
		label=${f#"$tmp/$kind/"}
		label=${label%.btf}
		check_btf "$( [ $kind = emb ] && echo embedded || echo full)" "$f" "$label"
	done < <(find "$tmp/$kind" -name '*.btf' -print0 2>/dev/null | sort -z)
done

# the colleague's facts about the four sample kernels (full BTF)
fact() { # RELEASE MSG_NAME MSG_ITER TYPE IOV ITER_IOVEC
	local row
	row=$(awk -v r="$1" '$1 == "full" && $2 ~ "/" r "$" ' "$table" | head -1)
	[ -n "$row" ] || return 0
	local got
	got=$(echo "$row" | awk '{$1=""; $2=""; print substr($0,3)}')
	if [ "$got" = "$2 $3 $4 $5 $6" ]; then
		ok "layout of $1: $got"
	else
		bad "layout of $1: got '$got', expected '$2 $3 $4 $5 $6'"
	fi
}
fact 4.14.256-197.484.amzn2.x86_64 0 16 "0 int" 24 "0 anonymous enum"
fact 4.15.0-1054-aws 0 16 "0 int" 24 "0 anonymous enum"
fact 4.18.0-147.5.1.el8_1.aarch64 0 16 "0 int" 24 "0 anonymous enum"
fact 5.4.0-1029-aws 0 16 "0 unsigned int" 24 "4 enum iter_type"

# ---- 4. self-test of the load check -------------------------------------
anybtf=$(find "$tmp/full" "$tmp/emb" -name '*.btf' 2>/dev/null | head -1)
[ -n "$anybtf" ] || anybtf=/sys/kernel/btf/vmlinux
if [ $root = 1 ]; then
	[ -f "$BUILD/tests/btf/guarded.bpf.o" ] && [ -f "$BUILD/tests/btf/unguarded.bpf.o" ] ||
		make --no-print-directory BUILD="$BUILD" "$BUILD/tests/btf/guarded.bpf.o" \
			"$BUILD/tests/btf/unguarded.bpf.o" >/dev/null
	if "$DNSVIS" btf load-check --btf "$anybtf" --obj "$BUILD/tests/btf/guarded.bpf.o" >"$tmp/g" 2>&1 &&
		grep -q '^poisoned .*dv_no_such_field' "$tmp/g"; then
		ok "self-test: a guarded unresolvable relocation is poisoned and loads"
	else
		bad "self-test: guarded object: $(grep '^result' "$tmp/g")"
	fi
	"$DNSVIS" btf load-check --btf "$anybtf" --obj "$BUILD/tests/btf/unguarded.bpf.o" >"$tmp/u" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -q '^unresolved relocation: failed to resolve CO-RE relocation .*msghdr___dvtest.dv_no_such_field' "$tmp/u" &&
		grep -q '^result: FAIL' "$tmp/u"; then
		ok "self-test: an unguarded unresolvable relocation fails the load and is named"
	else
		bad "self-test: unguarded object: rc $rc, $(grep -E '^(result|unresolved)' "$tmp/u" | head -2)"
	fi
fi

# ---- 5. run-time lookup --------------------------------------------------
export DNSVIS_SYS_BTF=$tmp/no-vmlinux
osr() { # FILE TEXT
	printf '%b' "$2" >"$1"
	echo "$1"
}
while read -r id ver arch release packed raw extra; do
	[ "$id" != ID ] && [ -n "$raw" ] && [ -z "$extra" ] || continue
	: "$packed"
	m=$arch
	[ "$arch" = arm64 ] && m=aarch64
	osver=$ver
	case $id in rhel | centos | ol) osver="$ver.9" ;; esac # minor versions are dropped
	out=$(DNSVIS_OS_RELEASE=$(osr "$tmp/osr" "NAME=\"x\"\nID=\"$id\"\nVERSION_ID=\"$osver\"\n") \
		DNSVIS_UNAME_R=$release DNSVIS_UNAME_M=$m "$DNSVIS" btf which 2>&1)
	if echo "$out" | grep -qx "btf: embedded $id $ver $arch $release"; then
		ok "lookup: ID=$id VERSION_ID=$osver $m $release -> embedded"
	else
		bad "lookup: ID=$id VERSION_ID=$osver $m $release: $out"
	fi
	out=$(DNSVIS_OS_RELEASE=$(osr "$tmp/osr" "ID=$id\nVERSION_ID=$osver\n") \
		DNSVIS_UNAME_R=$release DNSVIS_UNAME_M=$m "$DNSVIS" doctor 2>&1)
	if echo "$out" | grep -q "^btf: *embedded $id $ver $arch $release$"; then
		ok "doctor names the embedded BTF ($id $ver $arch $release)"
	else
		bad "doctor: $(echo "$out" | grep '^btf')"
	fi
done <"$tmp/list"

e_id=$(awk 'NR == 2 {print $1}' "$tmp/list")
e_ver=$(awk 'NR == 2 {print $2}' "$tmp/list")
e_arch=$(awk 'NR == 2 {print $3}' "$tmp/list")
e_rel=$(awk 'NR == 2 && NF == 6 {print $4}' "$tmp/list")
[ "$e_arch" = arm64 ] && e_arch=aarch64
export DNSVIS_OS_RELEASE=$tmp/osr
osr "$tmp/osr" "ID=ubuntu\nVERSION_ID=\"18.04\"\n" >/dev/null
out=$(DNSVIS_UNAME_R=4.15.0-9999-aws DNSVIS_UNAME_M=x86_64 "$DNSVIS" btf which 2>&1)
rc=$?
if [ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
	echo "$out" | grep -qF "https://github.com/aquasecurity/btfhub-archive/ ubuntu/18.04/x86_64/4.15.0-9999-aws.btf.tar.xz"; then
	ok "lookup miss: one line naming the BTFHub file"
else
	bad "lookup miss: rc $rc: $out"
fi
out=$(DNSVIS_UNAME_R=4.15.0-9999-aws DNSVIS_UNAME_M=x86_64 "$DNSVIS" trace -d 1 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "^dnsvis: no BTF for this kernel: .*btfhub-archive/ ubuntu/18.04/x86_64/4.15.0-9999-aws.btf.tar.xz.*--btf"; then
	ok "trace stops with the same one-line error"
else
	bad "trace on a miss: rc $rc: $(echo "$out" | head -2)"
fi
out=$(DNSVIS_OS_RELEASE=$tmp/nonexistent DNSVIS_UNAME_R=4.15.0-9999-aws "$DNSVIS" btf which 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "cannot read $tmp/nonexistent" && echo "$out" | grep -qF "btfhub-archive/ ?/?/"; then
	ok "lookup without os-release: says so"
else
	bad "lookup without os-release: $out"
fi
osr "$tmp/osr" "ID=debian\n" >/dev/null
out=$(DNSVIS_UNAME_R=4.19.0-1-amd64 "$DNSVIS" btf which 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "has no VERSION_ID"; then
	ok "lookup without VERSION_ID: says so"
else
	bad "lookup without VERSION_ID: $out"
fi
# precedence: --btf over everything, the kernel's own over embedded
if [ -n "$e_rel" ]; then
	osr "$tmp/osr" "ID=$e_id\nVERSION_ID=$e_ver\n" >/dev/null
	out=$(DNSVIS_SYS_BTF=/sys/kernel/btf/vmlinux DNSVIS_UNAME_R=$e_rel DNSVIS_UNAME_M=$e_arch \
		"$DNSVIS" btf which --btf "$anybtf" 2>&1)
	echo "$out" | grep -qx "btf: --btf $anybtf" && ok "precedence: --btf wins" ||
		bad "precedence --btf: $out"
	if [ -r /sys/kernel/btf/vmlinux ]; then
		out=$(DNSVIS_SYS_BTF='' DNSVIS_UNAME_R=$e_rel DNSVIS_UNAME_M=$e_arch "$DNSVIS" btf which 2>&1)
		echo "$out" | grep -qx "btf: kernel (/sys/kernel/btf/vmlinux)" &&
			ok "precedence: the kernel's BTF over the embedded one" || bad "precedence kernel: $out"
	fi
	out=$("$DNSVIS" btf which --btf "$tmp/nonexistent.btf" 2>&1)
	[ $? = 1 ] && echo "$out" | grep -q "^dnsvis: --btf $tmp/nonexistent.btf: No such file" &&
		ok "--btf with a missing file: error" || bad "--btf missing: $out"
	# corrupt archives (DNSVIS_BTF_ARCHIVE replaces the embedded one)
	blob=$BUILD/btf-archive.bin
	corrupt() { # NAME FILE EXPECTED-TEXT
		local out rc
		out=$(DNSVIS_BTF_ARCHIVE=$2 DNSVIS_UNAME_R=$e_rel DNSVIS_UNAME_M=$e_arch "$DNSVIS" btf which 2>&1)
		rc=$?
		if [ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "$3"; then
			ok "corrupt archive ($1): clear error"
		else
			bad "corrupt archive ($1): rc $rc: $out"
		fi
	}
	if [ -f "$blob" ]; then
		head -c 100 /dev/urandom >"$tmp/garbage"
		corrupt "garbage" "$tmp/garbage" "embedded BTF archive: bad header"
		head -c 40 "$blob" >"$tmp/trunc"
		corrupt "truncated index" "$tmp/trunc" "truncated"
		# all compressed data overwritten: the index is fine, zlib is not
		python3 - "$blob" "$tmp/badz" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
n = struct.unpack_from("<I", b, 12)[0]
for i in range(n):
    off, zl = struct.unpack_from("<II", b, 16 + i * 240 + 224)
    b[off:off + zl] = b"\x55" * zl
open(sys.argv[2], "wb").write(bytes(b))
EOF
		corrupt "bad zlib" "$tmp/badz" "corrupt (zlib"
	fi
	# identical minimized BTFs are stored once (pack.py), and both kernels
	# still extract to the same bytes
	one=$(find "$BUILD/btf" -name '*.btf' | head -n 1)
	if [ -n "$one" ]; then
		mkdir -p "$tmp/dup/min/t/1/x86_64" "$tmp/dup/arch/t/1/x86_64"
		for r in 1.0-a 1.0-b; do
			cp "$one" "$tmp/dup/min/t/1/x86_64/$r.btf"
			: >"$tmp/dup/arch/t/1/x86_64/$r.btf.tar.xz"
		done
		python3 btfhub/pack.py "$tmp/dup/arch" "$tmp/dup/min" "$tmp/dup.bin" >"$tmp/dup.out"
		sz=$(stat -c %s "$tmp/dup.bin")
		want=$((16 + 2 * 240 + $(DNSVIS_BTF_ARCHIVE=$tmp/dup.bin "$DNSVIS" btf list | awk '$4 == "1.0-a" {print $5}')))
		if [ "$sz" = "$want" ] && DNSVIS_BTF_ARCHIVE=$tmp/dup.bin "$DNSVIS" btf extract "$tmp/dup/x" >/dev/null &&
			cmp -s "$tmp/dup/x/t/1/x86_64/1.0-b.btf" "$one" && grep -q '1 sharing' "$tmp/dup.out"; then
			ok "identical BTFs share one stream ($sz bytes for two kernels), both extract intact"
		else
			bad "identical BTFs: archive $sz bytes, want $want: $(cat "$tmp/dup.out")"
		fi
	fi
fi
unset DNSVIS_OS_RELEASE

# ---- 5b. truthful messages: each source tried, and why it failed ----------
if [ -n "$e_rel" ]; then
	osr "$tmp/osr" "ID=$e_id\nVERSION_ID=$e_ver\n" >/dev/null
	: >"$tmp/empty.btf"
	printf 'not a BTF file at all, but longer than a BTF header\n' >"$tmp/garbage.btf"
	for k in "empty.btf:empty (0 bytes)" "garbage.btf:not BTF (" "no-such.btf:missing"; do
		f=$tmp/${k%%:*} want=${k#*:}
		out=$(DNSVIS_SYS_BTF=$f DNSVIS_OS_RELEASE=$tmp/osr DNSVIS_UNAME_R=$e_rel \
			DNSVIS_UNAME_M=$e_arch "$DNSVIS" btf which 2>&1)
		if echo "$out" | grep -qF "passed over: kernel BTF $f: $want" &&
			echo "$out" | grep -qx "btf: embedded $e_id $e_ver [^ ]* $e_rel"; then
			ok "btf which: kernel BTF ${k%%:*} passed over ($want), embedded used"
		else
			bad "btf which with kernel BTF ${k%%:*}: $(echo "$out" | tr '\n' '|')"
		fi
		out=$(DNSVIS_SYS_BTF=$f DNSVIS_OS_RELEASE=$tmp/osr DNSVIS_UNAME_R=$e_rel \
			DNSVIS_UNAME_M=$e_arch "$DNSVIS" doctor 2>&1)
		if echo "$out" | grep -qF "btf passed over: kernel BTF $f: $want" &&
			echo "$out" | grep -q "^btf: *embedded $e_id $e_ver"; then
			ok "doctor: kernel BTF ${k%%:*} passed over, names the embedded source"
		else
			bad "doctor with kernel BTF ${k%%:*}: $(echo "$out" | grep '^btf' | tr '\n' '|')"
		fi
		# no embedded match either: one line naming both sources
		out=$(DNSVIS_SYS_BTF=$f DNSVIS_OS_RELEASE=$tmp/osr DNSVIS_UNAME_R=9.9.9-none \
			DNSVIS_UNAME_M=$e_arch "$DNSVIS" trace -d 1 2>&1)
		rc=$?
		if [ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
			echo "$out" | grep -qF "no BTF for this kernel: kernel BTF $f: $want" &&
			echo "$out" | grep -qF "embedded BTF: none for $e_id $e_ver" &&
			echo "$out" | grep -qF "kernels built in); get https://github.com/aquasecurity/btfhub-archive/"; then
			ok "trace without any BTF (kernel ${k%%:*}): one line, both sources and their reasons"
		else
			bad "trace without any BTF (kernel ${k%%:*}): rc $rc: $out"
		fi
		out=$("$DNSVIS" trace -d 1 --btf "$f" 2>&1)
		rc=$?
		if [ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
			echo "$out" | grep -qF -- "--btf $f: "; then
			ok "--btf ${k%%:*}: one line, not silently replaced ($out)"
		else
			bad "--btf ${k%%:*}: rc $rc: $out"
		fi
	done
fi
# a BTF that is valid but lacks what the programs need (minimized for the
# self-test object only): each backend names the source and the cause
if [ $root = 1 ] && [ -f "$BUILD/tests/btf/guarded.bpf.o" ] &&
	bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$tmp/small.btf" \
		"$BUILD/tests/btf/guarded.bpf.o" >/dev/null 2>&1; then
	out=$("$DNSVIS" trace --backend tracepoint --btf "$tmp/small.btf" -d 1 2>&1)
	if [ "$(echo "$out" | wc -l)" = 1 ] &&
		echo "$out" | grep -qF "loading the tracepoint programs with the BTF from --btf $tmp/small.btf failed: " &&
		echo "$out" | grep -qF "(libbpf: failed to resolve CO-RE relocation" &&
		echo "$out" | grep -qF "; -v shows libbpf's log"; then
		ok "tracepoint backend, unusable BTF: one line naming the source and libbpf's cause"
	else
		bad "tracepoint backend, unusable BTF: $out"
	fi
	out=$("$DNSVIS" trace -v --backend tracepoint --btf "$tmp/small.btf" -d 1 2>&1 | grep '^dnsvis:')
	if echo "$out" | grep -qF "failed: " && ! echo "$out" | grep -q -- "-v"; then
		ok "tracepoint backend under -v: no advice to run with -v"
	else
		bad "tracepoint backend under -v: $out"
	fi
	out=$("$DNSVIS" trace --backend kprobe --btf "$tmp/small.btf" -d 1 2>&1)
	if [ "$out" = "dnsvis: kprobe backend: udp_sendmsg is not in the BTF from --btf $tmp/small.btf" ]; then
		ok "kprobe backend, BTF without udp_sendmsg: names the BTF source"
	else
		bad "kprobe backend, BTF without udp_sendmsg: $out"
	fi
fi

# ---- 5c. --host-root: the host's os-release, not the container's -------
# A fake host root (as a DaemonSet mounts the node at /host) holding Amazon
# Linux 2's and Ubuntu 18.04's os-release; the kernel release set to an
# embedded kernel of that distribution.
hostroot_case() { # ID VERSION_ID LINK
	local id=$1 ver=$2 link=$3 rel hr=$tmp/hostroot-$1 out
	rel=$(awk -v i="$id" -v v="$ver" '$1 == i && $2 == v && $3 == "x86_64" && NF == 6 {print $4; exit}' "$tmp/list")
	[ -n "$rel" ] || { echo "     (no embedded $id $ver x86_64 kernel: host-root case skipped)"; return 0; }
	mkdir -p "$hr/etc" "$hr/usr/lib"
	printf 'NAME="%s"\nID="%s"\nVERSION_ID="%s"\n' "$id" "$id" "$ver" >"$hr/usr/lib/os-release"
	# as on the real distributions: etc/os-release is a link into usr/lib
	ln -sf "$link" "$hr/etc/os-release"
	out=$(DNSVIS_SYS_BTF=$tmp/no-vmlinux DNSVIS_UNAME_R=$rel DNSVIS_UNAME_M=x86_64 \
		"$DNSVIS" btf which --host-root "$hr" 2>&1)
	if echo "$out" | grep -qx "btf: embedded $id $ver x86_64 $rel"; then
		ok "btf which --host-root ($id $ver, etc/os-release -> $link): embedded $rel"
	else
		bad "btf which --host-root ($id $ver): $(echo "$out" | tr '\n' '|')"
	fi
	out=$(DNSVIS_SYS_BTF=$tmp/no-vmlinux DNSVIS_UNAME_R=$rel DNSVIS_UNAME_M=x86_64 \
		"$DNSVIS" doctor --host-root "$hr" 2>&1)
	if echo "$out" | grep -qx "host: *$id $ver (--host-root $hr)" &&
		echo "$out" | grep -qx "btf: *embedded $id $ver x86_64 $rel"; then
		ok "doctor --host-root ($id $ver): host and embedded BTF named"
	else
		bad "doctor --host-root ($id $ver): $(echo "$out" | grep -E '^(host|btf)' | tr '\n' '|')"
	fi
	# without --host-root the container's (here: this machine's) os-release is used
	out=$(DNSVIS_SYS_BTF=$tmp/no-vmlinux DNSVIS_UNAME_R=$rel DNSVIS_UNAME_M=x86_64 \
		"$DNSVIS" btf which 2>&1)
	if ! echo "$out" | grep -q "^btf: embedded $id"; then
		ok "btf which without --host-root does not see the fake host's $id"
	else
		bad "btf which without --host-root: $out"
	fi
}
hostroot_case amzn 2 /usr/lib/os-release
hostroot_case ubuntu 18.04 ../usr/lib/os-release
out=$("$DNSVIS" btf which --host-root "$tmp/no-such-root" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "not a directory" && ok "--host-root that is not a directory: usage error" ||
	bad "--host-root missing dir: $out"

# a real trace on an embedded BTF (tracepoints attach here)
if [ $root = 1 ] && [ -n "$e_rel" ]; then
	osr "$tmp/osr" "ID=\"$e_id\"\nVERSION_ID=\"$e_ver\"\n" >/dev/null
	if [ "$e_arch" = x86_64 ]; then
		out=$(DNSVIS_OS_RELEASE=$tmp/osr DNSVIS_UNAME_R=$e_rel DNSVIS_UNAME_M=$e_arch \
			"$DNSVIS" trace --backend tracepoint -d 1 2>&1 >/dev/null)
		echo "$out" | grep -q "^dnsvis: ready (backend tracepoint" &&
			ok "trace on embedded $e_id $e_ver $e_rel: loaded, attached, ran" ||
			bad "trace on embedded BTF: $(echo "$out" | head -3)"
	fi
fi
unset DNSVIS_SYS_BTF

# ---- 6. kprobe clean-up on a fake tracefs --------------------------------
if [ $root = 1 ]; then
	fake=$tmp/tracefs
	mkdir -p "$fake"
	sh -c 'exit 0' &
	dead=$!
	wait $dead
	cat >"$fake/kprobe_events" <<EOF
p:kprobes/libbpf_${dead}_udp_sendmsg_0x0_0 udp_sendmsg
r:kretprobes/libbpf_${dead}_udpv6_sendmsg_0x0_1 udpv6_sendmsg
p:kprobes/libbpf_$$_udp_sendmsg_0x0_0 udp_sendmsg
p:kprobes/myprobe do_sys_open
EOF
	DNSVIS_TRACEFS=$fake "$DNSVIS" trace --backend tracepoint -d 0.3 >/dev/null 2>"$tmp/kc.err"
	if grep -qx -- "-:kprobes/libbpf_${dead}_udp_sendmsg_0x0_0" "$fake/kprobe_events" &&
		grep -qx -- "-:kretprobes/libbpf_${dead}_udpv6_sendmsg_0x0_1" "$fake/kprobe_events" &&
		! grep -q -- "-:kprobes/libbpf_$$_" "$fake/kprobe_events" &&
		! grep -q -- "-:kprobes/myprobe" "$fake/kprobe_events"; then
		ok "start-up removes the kprobes of dead pid $dead, keeps live and foreign ones"
	else
		bad "start-up kprobe clean-up: $(tr '\n' '|' <"$fake/kprobe_events") $(head -2 "$tmp/kc.err")"
	fi
	for sig in TERM INT; do
		: >"$fake/kprobe_events"
		DNSVIS_TRACEFS=$fake "$DNSVIS" trace --backend tracepoint -d 30 >/dev/null 2>"$tmp/kc.$sig" &
		bgpid=$!
		for _ in $(seq 100); do
			grep -q "^dnsvis: ready" "$tmp/kc.$sig" 2>/dev/null && break
			sleep 0.1
		done
		# as libbpf names a legacy kprobe of this process
		echo "p:kprobes/libbpf_${bgpid}_udp_sendmsg_0x0_0 udp_sendmsg" >>"$fake/kprobe_events"
		kill -$sig $bgpid
		wait $bgpid
		rc=$?
		p=$bgpid
		bgpid=
		if [ $rc = 0 ] && grep -qx -- "-:kprobes/libbpf_${p}_udp_sendmsg_0x0_0" "$fake/kprobe_events"; then
			ok "SIG$sig: clean exit, own kprobe entries removed"
		else
			bad "SIG$sig: rc $rc, kprobe_events: $(tr '\n' '|' <"$fake/kprobe_events")"
		fi
	done
fi

echo
echo "BTF layouts (offsets in bytes; full = BTFHub file, embedded = minimized in dnsvis):"
cat "$table"
echo "btf: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
