#!/usr/bin/env bash
# Conformance: for every capture in ../shared/pcaps, dnsvis replay's
# QUERY-opcode queries must equal what tshark dissects with its default
# preferences (IP reassembly, TCP desegmentation: compare.py says how).  A
# file is let off only when tcpdump's own expected output (NAME.out) calls
# its packet invalid.  Usage: run.sh DNSVIS
set -u
dnsvis=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
shared=$(realpath -m "$here/../../../shared/pcaps")
if [ ! -d "$shared" ]; then
	echo "conformance: ../shared/pcaps not found at $shared"
	echo "conformance: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 matched=0 total=0
for f in "$shared"/tcpdump/*.pcap "$shared"/dnscap/*.pcap; do
	key=$(basename "$(dirname "$f")")/$(basename "$f")
	tshark -r "$f" -n -Y dns -T json \
		-e dns.id -e dns.flags.response -e dns.flags.opcode -e dns.count.queries \
		-e dns.qry.name -e dns.qry.type -e dns.qry.class -e ip.src -e ip.dst -e ipv6.src \
		-e ipv6.dst -e udp.srcport -e udp.dstport -e tcp.srcport -e tcp.dstport \
		>"$tmp/t.json" 2>"$tmp/t.err"
	"$dnsvis" replay -o json "$f" >"$tmp/d.jsonl" 2>"$tmp/d.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $key: dnsvis exit $rc: $(head -1 "$tmp/d.err")"
		failed=$((failed + 1))
		continue
	fi
	if python3 "$here/compare.py" "$tmp/t.json" "$tmp/d.jsonl" 53 "$key" >"$tmp/cmp"; then
		passed=$((passed + 1))
	elif out=${f%.pcap}.out && [ -f "$out" ] && grep -q '(invalid)' "$out"; then
		echo "skip $key: tcpdump's $(basename "$out") calls it invalid: $(grep -m1 -o '\[[^]]*\] (invalid)' "$out")"
		sed 's/^/    /' "$tmp/cmp"
		passed=$((passed + 1))
		continue
	else
		failed=$((failed + 1))
	fi
	cat "$tmp/cmp"
	m=$(sed -nE '1s/.*: ([0-9]+) of ([0-9]+) queries.*/\1 \2/p' "$tmp/cmp")
	matched=$((matched + ${m%% *}))
	total=$((total + ${m##* }))
done
echo "conformance: $matched of $total tshark queries matched"
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
