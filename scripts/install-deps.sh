#!/usr/bin/env bash
# Install every build and test dependency of dnsvis from Debian packages.
# Idempotent: installs only what is missing.  Needs root (or sudo).
set -euo pipefail

PKGS=(
	make gcc clang llvm libclang-rt-14-dev    # build, libFuzzer and sanitizers
	libbpf-dev bpftool libelf-dev zlib1g-dev  # BPF objects and loader
	libpcap-dev flex bison                    # replay; libpcap is rebuilt static (build-libpcap.sh)
	tshark tcpdump                            # conformance and benchmark baselines
	python3 iproute2 util-linux procps        # fixture generator, test helpers, unshare
	python3-yaml groff-base systemd bsdutils  # audit suite: DaemonSet YAML (Debian's /usr/bin/python3), man page, systemd-analyze, script(1)
	dnsutils busybox-static nodejs musl-tools # real resolvers in live tests (glibc, dig, busybox, c-ares, musl)
	qemu-system-x86 lz4 zstd binutils         # VM tests (tests/vm: TCG guests, vmlinuz payloads)
	clang-format clang-tidy cppcheck          # lint
	lintian rpm debian-archive-keyring        # packages: lintian, rpmbuild; tests/vm: the private apt config
	xz-utils ca-certificates time
	publicsuffix                              # -o ecs: the Public Suffix List, read at run time
	docker.io podman runc containerd catatonit # real runtimes (tests/runtimes); catatonit: podman's pod pause image
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
