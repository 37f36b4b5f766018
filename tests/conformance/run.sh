#!/usr/bin/env bash
# Conformance: for every capture in ../shared/pcaps, dnsvis replay's queries
# must equal what tshark dissects (compare.py, with known differences listed
# there).  Usage: run.sh DNSVIS
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
passed=0 failed=0
for f in "$shared"/tcpdump/*.pcap "$shared"/dnscap/*.pcap; do
	key=$(basename "$(dirname "$f")")/$(basename "$f")
	ports=53
	# tshark without IP reassembly or TCP desegmentation: dnsvis decodes what
	# each packet holds (first fragments, whole messages in one segment).
	tshark -r "$f" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
		-o tcp.desegment_tcp_streams:FALSE -Y 'dns.flags.response == 0' -T json \
		-e dns.id -e dns.count.queries -e dns.qry.name -e dns.qry.type -e dns.qry.class -e ip.dst -e ipv6.dst \
		-e udp.dstport -e tcp.dstport >"$tmp/t.json" 2>"$tmp/t.err"
	"$dnsvis" replay -o json "$f" >"$tmp/d.jsonl" 2>"$tmp/d.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		# A link type dnsvis does not decode must be said clearly, and then
		# tshark must find no query there either for the file to pass.
		if grep -q 'is not supported' "$tmp/d.err" && [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/t.json")" = 0 ]; then
			echo "ok $key: $(head -1 "$tmp/d.err" | sed 's/^dnsvis: replay: //'), and tshark finds no query"
			passed=$((passed + 1))
		else
			echo "FAIL $key: dnsvis exit $rc: $(head -1 "$tmp/d.err")"
			failed=$((failed + 1))
		fi
		continue
	fi
	if python3 "$here/compare.py" "$tmp/t.json" "$tmp/d.jsonl" "$ports" "$key"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
