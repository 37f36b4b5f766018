#!/usr/bin/env bash
# run.sh DNSVIS [FIXTURE_DIR] - replay every capture in tests/fixtures and
# compare with its .expect (written by tests/fixtures/gen_fixtures.py, whose
# header describes the format and the counting rule).
#
# For each FIXTURE_DIR/NAME.pcap / NAME.pcapng:
#   DNSVIS replay -o json [args from "# args"] FILE
# Each JSON line is turned into the .expect's tab-separated form
# (family proto saddr sport daddr dport txid domain qtype qclass) and the
# lines are compared in order.  Exit status must be 0, or 1 for a fixture
# whose .expect ends in "# error", which must also leave exactly one line
# on stderr.  For the others, the "# stats" line is compared with the
# packets= queries= malformed= notdns= values found on stderr (set
# REPLAY_CHECK_STATS=0 to skip that).
#
# Prints "ok NAME" or "FAIL NAME" (with the reason) per fixture, then
# "replay: N passed, N failed"; exits non-zero if anything failed.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 DNSVIS_BINARY [FIXTURE_DIR]" >&2
	exit 2
fi
dnsvis=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${2:-$here/../fixtures}
check_stats=${REPLAY_CHECK_STATS:-1}
timeout_s=${REPLAY_TIMEOUT:-60}

if [ ! -x "$dnsvis" ]; then
	echo "$0: $dnsvis: not an executable" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# JSON lines on stdin -> TSV lines on stdout.  A line that is not a JSON
# object with the expected fields is passed on marked, so the diff shows it.
# The value of one counter in dnsvis's summary line
# "dnsvis: replay: P packets read, Q queries (N questions), M malformed, D not DNS, R responses"
# (key: packets, queries = reported questions, malformed, notdns).
summary_value() {
	local key=$1 file=$2 re
	case $key in
	packets) re=' ([0-9]+) packets read' ;;
	queries) re='\(([0-9]+) questions\)' ;;
	malformed) re=' ([0-9]+) malformed' ;;
	notdns) re=' ([0-9]+) not DNS' ;;
	*) return ;;
	esac
	grep -m1 '^dnsvis: replay: ' "$file" | sed -nE "s/.*$re.*/\1/p"
}

to_tsv() {
	python3 -c '
import ipaddress, json, sys

FAM = {"AF_INET": "AF_INET", "AF_INET6": "AF_INET6", 2: "AF_INET", 10: "AF_INET6"}
PROTO = {"udp": "udp", "tcp": "tcp", 17: "udp", 6: "tcp"}

def addr(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return str(a)

for raw in sys.stdin.buffer.read().split(b"\n"):
    if not raw.strip():
        continue
    try:
        e = json.loads(raw)
        fam = e["family"]
        proto = e["proto"]
        if isinstance(proto, str):
            proto = proto.lower()
        row = [FAM.get(fam, str(fam)), PROTO.get(proto, str(proto)), addr(e["saddr"]),
               str(e["sport"]), addr(e["daddr"]), str(e["dport"]), str(e["txid"]),
               e["domain"], str(e["qtype"]), str(e["qclass"])]
        for k in ("time", "source"):
            if k not in e:
                row.append("MISSING-%s" % k)
        if e.get("source", "pcap") != "pcap":
            row.append("source=%s" % e["source"])
        print("\t".join(row))
    except Exception as ex:
        print("NOT-AN-EVENT (%s): %r" % (type(ex).__name__, raw[:200]))
'
}

passed=0
failed=0
shopt -s nullglob
files=("$fixtures"/*.pcap "$fixtures"/*.pcapng)
if [ ${#files[@]} -eq 0 ]; then
	echo "$0: no captures in $fixtures" >&2
	exit 2
fi
mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)

for f in "${files[@]}"; do
	base=$(basename "$f")
	name=${base%.pcapng}
	name=${name%.pcap}
	expect=$fixtures/$name.expect
	why=()

	if [ ! -f "$expect" ]; then
		echo "FAIL $name"
		echo "    no $name.expect"
		failed=$((failed + 1))
		continue
	fi

	args=()
	argline=$(grep -m1 '^# args ' "$expect" | sed 's/^# args //')
	if [ -n "$argline" ]; then
		read -r -a args <<<"$argline"
	fi
	want_error=0
	grep -qx '# error' "$expect" && want_error=1
	stats=$(grep -m1 '^# stats ' "$expect" | sed 's/^# stats //')

	timeout "$timeout_s" "$dnsvis" replay -o json "${args[@]}" "$f" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?

	grep -v '^#' "$expect" >"$tmp/want"
	to_tsv <"$tmp/out" >"$tmp/got"
	if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
		why+=("output differs (- expected, + got):")
		why+=("$(tail -n +3 "$tmp/diff")")
	fi

	nerr=$(python3 -c 'import sys; print(len(open(sys.argv[1], "rb").read().splitlines()))' \
		"$tmp/err")
	if [ $want_error -eq 1 ]; then
		[ $rc -eq 1 ] || why+=("exit status $rc, want 1")
		[ "$nerr" -eq 1 ] || why+=("stderr has $nerr lines, want 1")
	else
		[ $rc -eq 0 ] || why+=("exit status $rc, want 0")
		if [ "$check_stats" != 0 ] && [ -n "$stats" ]; then
			for kv in $stats; do
				key=${kv%%=*}
				got=$(summary_value "$key" "$tmp/err")
				if [ "$got" != "${kv#*=}" ]; then
					why+=("stderr $key=${got:-(none)}, want $kv")
				fi
			done
		fi
	fi

	if [ ${#why[@]} -eq 0 ]; then
		echo "ok $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		printf '%s\n' "${why[@]}" | sed 's/^/    /'
		if [ -s "$tmp/err" ]; then
			echo "    stderr:"
			head -n 5 "$tmp/err" | sed 's/^/      /'
		fi
		failed=$((failed + 1))
	fi
done

# The kubearmor format must keep the seed's schema, field for field, on
# fixtures covering IPv4, IPv6, TCP, many qtypes and hostile labels.
seed=$(realpath -m "$here/../../../shared/seed/dns_visibility.md")
schema=$here/../output/kubearmor_schema.py
for f in "$fixtures"/en10mb.pcap "$fixtures"/ipv6.pcap "$fixtures"/labels.pcap "$fixtures"/qtypes.pcap "$fixtures"/tcp.pcap; do
	name="kubearmor-schema $(basename "$f" .pcap)"
	"$dnsvis" replay -o kubearmor "$f" >"$tmp/ka" 2>"$tmp/err"
	if [ ! -s "$tmp/ka" ]; then
		echo "FAIL $name: no output ($(head -n 1 "$tmp/err"))"
		failed=$((failed + 1))
	elif out=$(python3 "$schema" "$seed" "$tmp/ka" 2>&1); then
		echo "ok $name ($(wc -l <"$tmp/ka") lines)"
		passed=$((passed + 1))
	else
		echo "FAIL $name: $out"
		failed=$((failed + 1))
	fi
done

echo "replay: $passed passed, $failed failed"
[ $failed -eq 0 ]
