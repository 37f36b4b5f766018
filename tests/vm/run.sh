#!/usr/bin/env bash
# VM test of `dnsvis trace` on Debian's cloud kernels (proves the kprobe
# backend on kernels that have kprobes, which CI hosts may not).
#
#   tests/vm/run.sh [DNSVIS]          (default $BUILD/dnsvis, BUILD=build)
#
# For each kernel series in VM_SERIES (default "5.10 6.1 6.12"): resolve the
# newest linux-image-*-cloud-amd64-unsigned of that series through the
# test's own apt configuration ($BUILD/vm/apt: its own sources list naming
# Debian bookworm and bullseye main, its own lists and cache, used through
# APT_CONFIG; the machine's apt sources are never touched), `apt-get
# download` it (cached under $BUILD/vm/kernels, so a second run downloads
# nothing), extract vmlinuz and the kernel's BTF (vmlinux payload -> objcopy
# --dump-section .BTF).  The kernels' BTF, as BTFHub-layout tarballs
# ($BUILD/vm/btfhub/debian/VERSION_ID/x86_64/RELEASE.btf.tar.xz), is
# minimized and packed into a second dnsvis ($BUILD/vm/embedded/dnsvis,
# linked from the same objects; the main build keeps its archive).  Each
# guest's initramfs holds busybox-static, both static dnsvis binaries, a
# static tests/live/dns_client, tests/vm/responder.c, bpftool with its
# libraries, the distribution's /etc/os-release and tests/vm/guest-init.sh
# as /init; it boots under qemu-system-x86_64 -accel tcg -nographic, no
# network device, bounded by VM_TIMEOUT seconds.  The guest runs the
# send-path matrix once per mode (MODES: kprobe and tracepoint with the
# kernel's BTF; both with /sys/kernel/btf truly absent and --btf FILE; both
# with it absent and no BTF flag, so the embedded BTF is used; kprobe with
# the kprobe PMU hidden so that libbpf falls back to kprobe_events as before
# Linux 4.17), checks what doctor and `btf which` name as the BTF source and
# what they say about a missing or empty one, plants stale libbpf
# kprobe_events entries before each, and sends every result over its second
# serial port; tests/vm/check.py checks them here (with tests/live/check.py)
# and prints the kernel x mode x check table.  Each mode traces with
# --responses (the receive programs attached; the response, timeout and
# unsolicited records of the guest's response cases checked field by field:
# A answers over UDP and TCP, NXDOMAIN, SERVFAIL, REFUSED, A and AAAA behind
# a CNAME chain, an answer 300 ms late, a truncated UDP answer and the TCP
# retry, an answer from a wrong port, no answer); each guest also runs the
# verifier once over every kprobe program of both objects (btf load-check
# --responses).
#
# A guest that prints nothing from /init within VM_BOOT_TIMEOUT (default 120)
# seconds is killed and booted once more (reported; seen once in ~30 boots of
# 6.12 under TCG on a loaded host); a second hang, or any guest still running
# after VM_TIMEOUT, fails every cell of that kernel with a clear message.
#
# Environment: VM_SERIES, VM_TIMEOUT (per boot, default 300), VM_JOBS (VMs
# booted at once, default 3: the guests idle between runs, so three on two
# cores take no longer each than two), VM_MEM (MiB, default 1024), VM_KEEP=1 (keep
# the initramfs too; logs and results stay in $BUILD/vm/run-* anyway),
# VM_MODES (debugging: other "TAG BACKEND BTF [legacy]" lines, see MODES),
# VM_APT_MAX_AGE (seconds before the private apt lists are refreshed, default
# one day),
# VM_APPEND (kernel command line besides console= and panic=).
# The table is also written as Markdown to $BUILD/vm/table.md.
# Last line: "vm: N passed, N failed" (one count per table cell).  Exit 0
# only if nothing failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
DNSVIS=${1:-$BUILD/dnsvis}
VM_SERIES=${VM_SERIES:-5.10 6.1 6.12}
VM_TIMEOUT=${VM_TIMEOUT:-300}
VM_JOBS=${VM_JOBS:-3}
VM_MEM=${VM_MEM:-1024}
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-120}
# Kernel messages stay on (the guest's /init silences them once it runs):
# if a guest hangs in boot, the console log shows where.
VM_APPEND=${VM_APPEND:-loglevel=7}
CACHE=$ROOT/$BUILD/vm
[ "${BUILD#/}" != "$BUILD" ] && CACHE=$BUILD/vm
T_START=$(date +%s)

say() { echo "vm: $*"; }
setup_fail() {
	say "SETUP FAILED: $*"
	say "0 passed, 1 failed"
	exit 1
}
since() { echo "$(($(date +%s) - T_START)) s"; }

# ---- preflight -----------------------------------------------------------
for t in qemu-system-x86_64 apt-get apt-cache dpkg-deb dpkg python3 objcopy gcc timeout \
	bpftool ldd tar xz make; do
	command -v "$t" >/dev/null || setup_fail "missing tool: $t (scripts/install-deps.sh)"
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || setup_fail "no $BUSYBOX (install busybox-static)"
is_static() { ! ldd "$1" >/dev/null 2>&1; }
is_static "$BUSYBOX" || setup_fail "$BUSYBOX is not static (install busybox-static)"
[ -x "$DNSVIS" ] || setup_fail "not executable: $DNSVIS (run make)"
is_static "$DNSVIS" || setup_fail "$DNSVIS is not a static executable"
BPFTOOL=$(readlink -f "$(command -v bpftool)")
[ "$(head -c 4 "$BPFTOOL" | od -An -c | tr -d ' ')" = '177ELF' ] ||
	setup_fail "$BPFTOOL is not an ELF binary (a wrapper script?)"
mkdir -p "$CACHE/kernels" || setup_fail "cannot create $CACHE"

# ---- guest binaries --------------------------------------------------------
say "building the static guest client and responder"
gcc -static -O2 -Wall -Wextra -Werror -o "$CACHE/dns_client" tests/live/dns_client.c \
	2>"$CACHE/cc.err" || setup_fail "cannot build dns_client: $(head -c 500 "$CACHE/cc.err")"
gcc -static -O2 -Wall -Wextra -Werror -o "$CACHE/responder" "$HERE/responder.c" \
	2>"$CACHE/cc.err" || setup_fail "cannot build responder: $(head -c 500 "$CACHE/cc.err")"

# ---- kernels -------------------------------------------------------------
# The distribution each series comes from: "SERIES ID VERSION_ID".  A new
# kernel series is one line here and one word in VM_SERIES.
DISTROS='5.10 debian 11
6.1 debian 12
6.12 debian 12'
distro_of() { # SERIES -> "ID VERSION_ID" (debian 12 when not listed)
	echo "$DISTROS" | awk -v s="$1" '$1 == s {print $2, $3; f=1} END {if (!f) print "debian 12"}'
}

# The test's own apt configuration: Debian bookworm and bullseye main (with
# bookworm's updates and security suites, which the machine uses too, and
# bullseye-updates; this mirror serves no bullseye-security pool), its own
# lists and cache; the archive keyring verifies them all.
APTD=$CACHE/apt
mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial" "$APTD/sources.list.d" \
	"$APTD/preferences.d" || setup_fail "cannot create $APTD"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$KEYRING" ] || setup_fail "no $KEYRING (install debian-archive-keyring)"
MIRROR=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
{
	echo "deb [signed-by=$KEYRING] $MIRROR bookworm main"
	echo "deb [signed-by=$KEYRING] $MIRROR bookworm-updates main"
	echo "deb [signed-by=$KEYRING] $MIRROR-security bookworm-security main"
	echo "deb [signed-by=$KEYRING] $MIRROR bullseye main"
	echo "deb [signed-by=$KEYRING] $MIRROR bullseye-updates main"
} >"$APTD/sources.list"
cat >"$APTD/apt.conf" <<EOF
Dir::Etc::SourceList "$APTD/sources.list";
Dir::Etc::SourceParts "$APTD/sources.list.d";
Dir::Etc::PreferencesParts "$APTD/preferences.d";
Dir::State::Lists "$APTD/lists";
Dir::Cache "$APTD/cache";
APT::Architecture "amd64";
Acquire::Languages "none";
EOF
export APT_CONFIG=$APTD/apt.conf

# newest_pkg SERIES: "PACKAGE VERSION" of the newest cloud image of SERIES
# (6.1 -> 6.1.x only, not 6.12.x) that apt can install, or nothing.  A
# distribution's backports of a newer series to an older one (bullseye's
# linux-image-6.1.0-0.deb11.N-*) are not that series' own kernels.
newest_pkg() {
	local series=$1 names best="" bestv="" n v
	names=$(apt-cache search --names-only '^linux-image-.*-cloud-amd64-unsigned$' 2>/dev/null |
		awk '{print $1}' | grep -v -- '-0\.deb[0-9]*\.')
	[ -n "$names" ] || return 0
	while read -r n v; do
		case "$v" in "$series".*) ;; *) continue ;; esac
		if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then
			best=$n bestv=$v
		fi
	done < <(apt-cache policy $names 2>/dev/null | awk '
		/^[^ ]/ { sub(":$", "", $1); name = $1 }
		/^  Candidate:/ && $2 != "(none)" { print name, $2 }')
	[ -n "$best" ] && echo "$best $bestv"
}

# The private lists are refreshed when missing or older than VM_APT_MAX_AGE.
APT_UPDATED=0
apt_lists() {
	local newest
	[ "$APT_UPDATED" = 0 ] || return 0
	APT_UPDATED=1
	newest=$(find "$APTD/lists" -maxdepth 1 -name '*_Packages*' -printf '%T@\n' 2>/dev/null |
		sort -n | tail -1)
	if [ -n "$newest" ] && [ $(($(date +%s) - ${newest%.*})) -lt "${VM_APT_MAX_AGE:-86400}" ]; then
		return 0
	fi
	say "updating the test's apt lists (bookworm, bullseye) in $APTD"
	timeout 300 apt-get update -q >"$APTD/update.log" 2>&1 ||
		say "apt-get update failed: $(grep -E '^(E|W):' "$APTD/update.log" | head -n 2 | tr '\n' ' ')"
}

# fetch SERIES: sets KDIR to a cache directory holding vmlinuz, vmlinux.btf,
# package and version; downloads only when it is not cached yet.
fetch() {
	local series=$1 pkg ver tmp found
	apt_lists
	read -r pkg ver < <(newest_pkg "$series")
	if [ -z "${pkg:-}" ]; then
		# offline: newest cached kernel of that series, if any
		found=""
		for d in "$CACHE"/kernels/*; do
			[ -s "$d/vmlinux.btf" ] && [ "$(cat "$d/series" 2>/dev/null)" = "$series" ] &&
				found=$d
		done
		[ -n "$found" ] || { say "$series: no linux-image-$series*-cloud-amd64-unsigned in apt (apt-get update?) and none cached"; return 1; }
		KDIR=$found
		say "$series: apt has no candidate; using cached $(cat "$KDIR/package")"
		return 0
	fi
	KDIR=$CACHE/kernels/${pkg}_$ver
	if [ -s "$KDIR/vmlinuz" ] && [ -s "$KDIR/vmlinux.btf" ]; then
		say "$series: $pkg $ver (cached)"
		return 0
	fi
	say "$series: downloading $pkg $ver"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	if ! (cd "$tmp" && timeout 600 apt-get download -q "$pkg=$ver") >"$tmp/apt.log" 2>&1; then
		say "$series: apt-get download $pkg=$ver failed: $(grep -v '^W:' "$tmp/apt.log" | tail -n 3)"
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$tmp/x"
	dpkg-deb -x "$tmp"/*.deb "$tmp/x" || { rm -rf "$tmp"; return 1; }
	cp "$tmp"/x/boot/vmlinuz-* "$tmp/vmlinuz" && cp "$tmp"/x/boot/config-* "$tmp/config" ||
		{ say "$series: no vmlinuz/config in the package"; rm -rf "$tmp"; return 1; }
	if ! python3 "$HERE/vmlinux-from-vmlinuz.py" "$tmp/vmlinuz" "$tmp/vmlinux" >"$tmp/x.log" 2>&1 ||
		! objcopy --dump-section .BTF="$tmp/vmlinux.btf" "$tmp/vmlinux" "$tmp/vmlinux.o" \
			>>"$tmp/x.log" 2>&1 || [ ! -s "$tmp/vmlinux.btf" ]; then
		say "$series: cannot extract BTF from $pkg: $(tail -n 3 "$tmp/x.log")"
		rm -rf "$tmp"
		return 1
	fi
	say "$series: $(cat "$tmp/x.log"); BTF $(stat -c %s "$tmp/vmlinux.btf") bytes"
	rm -rf "$KDIR"
	mkdir -p "$KDIR"
	mv "$tmp/vmlinuz" "$tmp/vmlinux.btf" "$tmp/config" "$KDIR/"
	echo "$pkg" >"$KDIR/package"
	echo "$ver" >"$KDIR/version"
	echo "$series" >"$KDIR/series"
	rm -rf "$tmp"
	# older point releases of the same series are not needed any more
	for d in "$CACHE"/kernels/*; do
		[ "$d" != "$KDIR" ] && [ "$(cat "$d/series" 2>/dev/null)" = "$series" ] && rm -rf "$d"
	done
	return 0
}

# ---- initramfs -------------------------------------------------------------
# One line per mode: TAG BACKEND BTF [legacy].  BTF "kernel": the kernel's
# own; a path: /sys/kernel/btf absent and --btf PATH; "embedded":
# /sys/kernel/btf absent, no BTF flag, the embedded-BTF dnsvis.
MODES=${VM_MODES:-'kprobe kprobe kernel
tracepoint tracepoint kernel
kprobe-btf kprobe /vmtest/vmlinux.btf
tracepoint-btf tracepoint /vmtest/vmlinux.btf
kprobe-embedded kprobe embedded
tracepoint-embedded tracepoint embedded
kprobe-legacy kprobe kernel legacy'}

# initramfs SERIES KDIR RUNDIR
initramfs() {
	local st=$3/stage lib did dver
	rm -rf "$st"
	mkdir -p "$st/bin" "$st/vmtest" "$st/lib64" "$st/usr/sbin" "$st/etc"
	cp "$BUSYBOX" "$st/bin/busybox"
	cp "$DNSVIS" "$st/bin/dnsvis"
	cp "$DNSVIS_EMB" "$st/bin/dnsvis-embedded"
	cp "$CACHE/dns_client" "$CACHE/responder" "$st/bin/"
	cp "$HERE/guest-init.sh" "$st/init"
	chmod 755 "$st/init"
	cp "$BPFTOOL" "$st/bin/bpftool"
	for lib in $(ldd "$BPFTOOL" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$st$(dirname "$lib")"
		cp -L "$lib" "$st$lib"
	done
	cp "$2/vmlinux.btf" "$st/vmtest/vmlinux.btf"
	: >"$st/vmtest/empty"
	echo "$MODES" >"$st/vmtest/modes"
	# the distribution's os-release, as on a host of it
	read -r did dver < <(distro_of "$1")
	printf 'PRETTY_NAME="Debian GNU/Linux %s"\nNAME="Debian GNU/Linux"\nVERSION_ID="%s"\nID=%s\n' \
		"$dver" "$dver" "$did" >"$st/etc/os-release"
	(cd "$st" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$3/initrd.cpio" &&
		rm -rf "$st"
}

# ---- boot ----------------------------------------------------------------------
# boot KDIR RUNDIR: one bounded VM run; writes RUNDIR/{console,data}.log and
# RUNDIR/qemu.rc (124 = killed by the timeout).
boot() {
	local rc
	: >"$2/console.log"
	: >"$2/data.log"
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -m "$VM_MEM" -smp 1 \
		-nographic -no-reboot -nic none -monitor none \
		-serial "file:$2/console.log" -serial "file:$2/data.log" \
		-kernel "$1/vmlinuz" -initrd "$2/initrd.cpio" \
		-append "console=ttyS0 $VM_APPEND panic=-1" </dev/null >"$2/qemu.out" 2>&1 &
	echo $! >"$2/timeout.pid"
	wait $!
	rc=$?
	echo "$rc" >"$2/qemu.rc"
}

SERIES_OK=()
RUNDIRS=()
PIDS=()
declare -A KDIRS
for s in $VM_SERIES; do
	if ! fetch "$s"; then
		say "$s: kernel not available"
		continue
	fi
	KDIRS[$s]=$KDIR
done

# ---- the embedded-BTF dnsvis ----------------------------------------------
# The guests' own BTF as a BTFHub archive: ID/VERSION_ID/x86_64/RELEASE.btf.tar.xz
# holding RELEASE.btf (uname -r is the package name without linux-image- and
# -unsigned).  Tarballs are made once per kernel; kernels no longer tested
# are removed, so the archive holds exactly the kernels booted.
HUB=$CACHE/btfhub
EMB_DIR=$CACHE/embedded
mkdir -p "$HUB"
want_tb=""
for s in "${!KDIRS[@]}"; do
	k=${KDIRS[$s]}
	rel=$(sed 's/^linux-image-//; s/-unsigned$//' "$k/package")
	echo "$rel" >"$k/release"
	read -r did dver < <(distro_of "$s")
	tb=$HUB/$did/$dver/x86_64/$rel.btf.tar.xz
	want_tb="$want_tb $tb"
	[ -s "$tb" ] && [ "$tb" -nt "$k/vmlinux.btf" ] && continue
	mkdir -p "$(dirname "$tb")" "$CACHE/tb.tmp"
	cp "$k/vmlinux.btf" "$CACHE/tb.tmp/$rel.btf"
	XZ_OPT=-1 tar -C "$CACHE/tb.tmp" -cJf "$tb.tmp" "$rel.btf" && mv "$tb.tmp" "$tb" ||
		setup_fail "cannot make $tb"
	rm -rf "$CACHE/tb.tmp"
done
while IFS= read -r -d '' tb; do
	case " $want_tb " in *" $tb "*) ;; *) rm -f "$tb" ;; esac
done < <(find "$HUB" -name '*.btf.tar.xz' -print0)
DNSVIS_EMB=$EMB_DIR/dnsvis
if ! make --no-print-directory BUILD="$BUILD" BTF_ALT_ARCHIVE="$HUB" BTF_ALT_DIR="$EMB_DIR" \
	"$DNSVIS_EMB" >"$CACHE/embedded.log" 2>&1; then
	setup_fail "cannot build $DNSVIS_EMB: $(grep -v warning "$CACHE/embedded.log" | tail -n 3)"
fi
say "embedded-BTF dnsvis: $("$DNSVIS_EMB" btf list | tail -n 1)"

for s in $VM_SERIES; do
	[ -n "${KDIRS[$s]:-}" ] || continue
	KDIR=${KDIRS[$s]}
	rd=$CACHE/run-$s
	rm -rf "$rd"
	mkdir -p "$rd"
	cp "$KDIR/package" "$KDIR/version" "$KDIR/release" "$rd/"
	distro_of "$s" >"$rd/distro"
	if ! initramfs "$s" "$KDIR" "$rd"; then
		say "$s: cannot build the initramfs"
		continue
	fi
	SERIES_OK+=("$s")
	RUNDIRS+=("$rd")
	echo "$KDIR" >"$rd/kdir"
done
[ ${#RUNDIRS[@]} -gt 0 ] || setup_fail "no kernel could be fetched"

# Interrupted: stop the VMs (timeout(1) passes the signal on to qemu).
on_signal() {
	local rd
	for rd in "${RUNDIRS[@]}"; do
		[ -s "$rd/timeout.pid" ] && kill -TERM "$(cat "$rd/timeout.pid")" 2>/dev/null
	done
	say "interrupted"
	say "0 passed, 1 failed"
	exit 1
}
trap on_signal INT TERM

# Boot up to VM_JOBS at once; relay the guests' progress lines meanwhile.
say "booting ${SERIES_OK[*]} under TCG (timeout ${VM_TIMEOUT} s each, $VM_JOBS at once) after $(since)"
declare -A SEEN
next=0 running=0
while :; do
	while [ "$next" -lt ${#RUNDIRS[@]} ] && [ "$running" -lt "$VM_JOBS" ]; do
		rd=${RUNDIRS[$next]}
		echo "$(date +%s)" >"$rd/t0"
		boot "$(cat "$rd/kdir")" "$rd" &
		PIDS[$next]=$!
		next=$((next + 1))
		running=$((running + 1))
	done
	running=0
	for i in "${!PIDS[@]}"; do
		rd=${RUNDIRS[$i]}
		s=${SERIES_OK[$i]}
		n=$(grep -c 'vmtest:' "$rd/console.log" 2>/dev/null)
		if [ "${n:-0}" -gt "${SEEN[$s]:-0}" ]; then
			grep -a 'vmtest:' "$rd/console.log" | tr -d '\r' | sed -n "$((${SEEN[$s]:-0} + 1)),${n}p" |
				sed "s/^.*vmtest: /vm: $s guest: /"
			SEEN[$s]=$n
		fi
		if kill -0 "${PIDS[$i]}" 2>/dev/null; then
			running=$((running + 1))
			# Stuck before /init said anything (a rare TCG boot hang, no
			# dnsvis code has run yet): kill it and boot once more.
			if [ "${SEEN[$s]:-0}" = 0 ] && [ ! -e "$rd/retried" ] &&
				[ $(($(date +%s) - $(cat "$rd/t0"))) -gt "$VM_BOOT_TIMEOUT" ]; then
				say "$s: guest did not reach /init within $VM_BOOT_TIMEOUT s (boot hang); killing it and booting once more"
				kill -TERM "$(cat "$rd/timeout.pid")" 2>/dev/null
				wait "${PIDS[$i]}"
				mv "$rd/console.log" "$rd/console.attempt1.log"
				touch "$rd/retried"
				echo "$(date +%s)" >"$rd/t0"
				boot "$(cat "$rd/kdir")" "$rd" &
				PIDS[$i]=$!
			fi
		elif [ ! -e "$rd/reported" ]; then
			wait "${PIDS[$i]}"
			touch "$rd/reported"
			say "$s: VM finished in $(($(date +%s) - $(cat "$rd/t0"))) s (qemu status $(cat "$rd/qemu.rc"))"
		fi
	done
	[ "$running" = 0 ] && [ "$next" -ge ${#RUNDIRS[@]} ] && break
	sleep 2
done

# ---- checks and table ----------------------------------------------------------
args=()
for i in "${!RUNDIRS[@]}"; do args+=("${SERIES_OK[$i]}=${RUNDIRS[$i]}"); done
for s in $VM_SERIES; do
	case " ${SERIES_OK[*]} " in *" $s "*) ;; *) args+=("$s=") ;; esac
done
python3 "$HERE/check.py" --timeout "$VM_TIMEOUT" --live-check "$ROOT/tests/live/check.py" \
	--markdown "$CACHE/table.md" \
	--modes "$(echo "$MODES" | awk '{print $1}' | tr '\n' ' ')" "${args[@]}"
rc=$?
say "total time $(since)"
if [ "${VM_KEEP:-0}" != 1 ]; then
	for rd in "${RUNDIRS[@]}"; do rm -f "$rd/initrd.cpio"; done
fi
exit $rc
