#!/usr/bin/env bash
# btfhub/btfgen.sh ARCHIVE_DIR OUT_DIR OBJ...
#
# For every BTFHub-archive file ARCHIVE_DIR/ID/VERSION_ID/ARCH/RELEASE.btf.tar.xz
# (a tarball holding one raw BTF file, RELEASE.btf) writes
# OUT_DIR/ID/VERSION_ID/ARCH/RELEASE.btf: that kernel's BTF reduced to the types
# the CO-RE relocations of the given BPF objects need
# (`bpftool gen min_core_btf`).  Idempotent: an output newer than its archive
# and than every object is kept; outputs are written to a temporary file and
# renamed.  Paths may contain spaces.  Exit status: 0 when every kernel was
# processed, 1 when any failed (one `btfgen: ...` line on stderr each), 2 for a
# usage error.
#
# BTFGEN_KEEP_FUNCS="f1 f2": also keep these functions' prototypes (FUNC +
# FUNC_PROTO, parameter count and names) in each output, which min_core_btf
# drops; dnsvis needs udp_sendmsg's and tcp_sendmsg's arity (btfhub/keep_funcs.py).
set -euo pipefail

prog=btfgen
die() {
	echo "$prog: $*" >&2
	exit 2
}

[ $# -ge 3 ] || die "usage: $0 ARCHIVE_DIR OUT_DIR OBJ..."
archive=${1%/}
out=${2%/}
shift 2
objs=("$@")
BPFTOOL=${BPFTOOL:-bpftool}
export BPFTOOL
keep_funcs=${BTFGEN_KEEP_FUNCS:-}
here=$(cd "$(dirname "$0")" && pwd)
# an output older than these tools is redone too
tools=("$0")
[ -z "$keep_funcs" ] || tools+=("$here/keep_funcs.py")

[ -d "$archive" ] || die "archive directory '$archive' does not exist"
command -v "$BPFTOOL" >/dev/null 2>&1 || die "'$BPFTOOL' not found"
"$BPFTOOL" gen help 2>&1 | grep -q min_core_btf ||
	die "'$BPFTOOL' has no 'gen min_core_btf' (bpftool 6.x/7.x built with it is needed)"
command -v tar >/dev/null 2>&1 || die "tar not found"
for o in "${objs[@]}"; do
	[ -f "$o" ] || die "BPF object '$o' does not exist"
done
mkdir -p "$out" || die "cannot create '$out'"
# The kept-function list is an input too: a changed list redoes every kernel.
stamp=$out/.keep-funcs
if [ "$(cat "$stamp" 2>/dev/null)" != "$keep_funcs" ]; then
	printf '%s' "$keep_funcs" >"$stamp" || die "cannot write '$stamp'"
fi
tools+=("$stamp")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/btfgen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

done_n=0
kept_n=0
fail_n=0
found=0
# ID/VERSION_ID/ARCH/RELEASE.btf.tar.xz, exactly four levels below the archive
while IFS= read -r -d '' tarball; do
	found=1
	rel=${tarball#"$archive"/}
	release=$(basename "$rel" .btf.tar.xz)
	dir=$(dirname "$rel")
	case $dir in
	*/*/*) ;;
	*)
		echo "$prog: $tarball: not at ID/VERSION_ID/ARCH/RELEASE.btf.tar.xz, skipped" >&2
		fail_n=$((fail_n + 1))
		continue
		;;
	esac
	dest=$out/$dir/$release.btf

	# up to date: newer than its archive and every object
	if [ -s "$dest" ] && [ "$dest" -nt "$tarball" ]; then
		fresh=1
		for o in "${objs[@]}" "${tools[@]}"; do
			[ "$dest" -nt "$o" ] || fresh=0
		done
		if [ $fresh = 1 ]; then
			kept_n=$((kept_n + 1))
			echo "kept   $dest"
			continue
		fi
	fi

	work=$tmp/work
	rm -rf "$work"
	mkdir -p "$work"
	if ! tar -xJf "$tarball" -C "$work" 2>"$tmp/err"; then
		echo "$prog: $tarball: cannot extract: $(head -1 "$tmp/err")" >&2
		fail_n=$((fail_n + 1))
		continue
	fi
	src=$work/$release.btf
	if [ ! -f "$src" ]; then
		# take the single regular file the tarball holds, whatever its name
		mapfile -d '' files < <(find "$work" -type f -print0)
		if [ ${#files[@]} -ne 1 ]; then
			echo "$prog: $tarball: expected one file $release.btf, found ${#files[@]} files" >&2
			fail_n=$((fail_n + 1))
			continue
		fi
		src=${files[0]}
	fi
	mkdir -p "$(dirname "$dest")"
	if ! "$BPFTOOL" gen min_core_btf "$src" "$dest.tmp" "${objs[@]}" >"$tmp/err" 2>&1; then
		echo "$prog: $tarball: bpftool gen min_core_btf failed: $(grep -m1 -i 'error\|fail' "$tmp/err" || head -1 "$tmp/err")" >&2
		rm -f "$dest.tmp"
		fail_n=$((fail_n + 1))
		continue
	fi
	# shellcheck disable=SC2086 # a list of function names
	if [ -n "$keep_funcs" ] &&
		! python3 "$here/keep_funcs.py" "$src" "$dest.tmp" $keep_funcs 2>"$tmp/err"; then
		echo "$prog: $tarball: keeping the prototypes of $keep_funcs failed: $(head -1 "$tmp/err")" >&2
		rm -f "$dest.tmp"
		fail_n=$((fail_n + 1))
		continue
	fi
	mv -f "$dest.tmp" "$dest"
	done_n=$((done_n + 1))
	printf 'wrote  %s (%s -> %s bytes)\n' "$dest" "$(stat -c %s "$src")" "$(stat -c %s "$dest")"
done < <(find -L "$archive" -mindepth 4 -maxdepth 4 -type f -name '*.btf.tar.xz' -print0 | sort -z)

[ $found = 1 ] || die "no */*/*/*.btf.tar.xz under '$archive'"
echo "btfgen: $done_n generated, $kept_n up to date, $fail_n failed"
[ $fail_n -eq 0 ]
