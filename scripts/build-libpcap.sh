#!/usr/bin/env bash
# Build a static libpcap without D-Bus, RDMA, Bluetooth and netlink capture
# support, so build/dnsvis links fully static.  (Debian's libpcap.a pulls in
# libdbus and libsystemd, and libsystemd ships no static archive.)
# The source comes from Debian's own source package of the installed version.
# Usage: build-libpcap.sh OUTDIR   -> OUTDIR/lib/libpcap.a, OUTDIR/include/
set -euo pipefail
out=$(realpath -m "$1")
[ -f "$out/lib/libpcap.a" ] && exit 0

ver=$(dpkg-query -W -f='${Version}' libpcap0.8-dev 2>/dev/null || true)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
. /etc/os-release
echo "deb-src http://deb.debian.org/debian ${VERSION_CODENAME:-bookworm} main" >"$work/src.list"
aptopts=(-o Dir::Etc::SourceList="$work/src.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$work/lists" -o APT::Sandbox::User=root)
apt-get "${aptopts[@]}" update -q >/dev/null
(cd "$work" && apt-get "${aptopts[@]}" source --download-only -q "libpcap${ver:+=$ver}" >/dev/null 2>&1 ||
	apt-get "${aptopts[@]}" source --download-only -q libpcap >/dev/null)
tar -C "$work" -xzf "$work"/libpcap_*.orig.tar.gz
src=$(find "$work" -maxdepth 1 -type d -name 'libpcap-*' | head -1)
(cd "$src" && ./configure -q --prefix="$out" --disable-dbus \
	--disable-rdma --disable-bluetooth --disable-usb --without-libnl --disable-remote \
	CFLAGS="-O2 -fPIC" >/dev/null && make -s -j"$(nproc)" >/dev/null 2>&1 && make -s install >/dev/null 2>&1)
test -f "$out/lib/libpcap.a"
echo "build-libpcap: built $out/lib/libpcap.a" >&2
