#!/usr/bin/env bash
# check-layout.sh - the include rule of user/'s pipeline stages (README
# "Layout"), run by `make lint`.
#
# The pure stages (util, wire, match, enrich, output) take bytes and strings in and
# give events and text out: no libbpf, libpcap or BPF header, no BPF record
# layout (kern/), no skeleton, and no header of a system-side stage (live,
# replay, btf, audit).  So unit tests and fuzz targets link them as they are.
set -u
cd "$(dirname "$0")/.."
bad=0
for f in user/util/* user/wire/* user/match/* user/enrich/* user/output/*; do
	[ -f "$f" ] || continue
	while IFS= read -r line; do
		echo "layout: $f: pure stage includes a system-side header: $line" >&2
		bad=1
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?(bpf/|linux/bpf|pcap|kern/|[^">]*\.skel\.h|live/|replay/|btf/|audit/|libbpf|gelf|libelf)' "$f")
done
[ "$bad" -eq 0 ] && echo "layout: pure stages include no libbpf, libpcap or BPF header"
exit "$bad"
