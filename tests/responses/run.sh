#!/usr/bin/env bash
# Responses: for every capture in ../shared/pcaps,
#  - the response decoder (wire/dns_response.h, run by dump_responses over
#    the packet parser) must agree with tshark on every response tshark
#    dissects: rcode with the EDNS bits, and the answer section's owner,
#    type, TTL, dns.a, dns.aaaa and dns.cname (compare.py says how short
#    copies are held to the whole message);
#  - `dnsvis replay --responses -o json` must pair what tshark pairs, with
#    the same rcode, dns.a, dns.aaaa, dns.cname and dns.time (pairs.py, and
#    its rules where the two pair differently);
# and for a generated capture of varied types, rcodes, retries, timeouts, an
# unsolicited answer and TCP (gen_capture.py) both that and the exact
# records it holds (expect.py), one text line per response-side record, and
# kubearmor output unchanged by --responses; and `dnsvis audit --replay`
# learning search lists and, with --responses, rcodes, timeouts and
# latency (audit.sh); `-o ecs` field names against ECS's reference
# (ecs_fields.py).  Prints a line per check, then
# "responses: N passed, N failed".  Usage: run.sh DUMP_RESPONSES DNSVIS
set -u
dump=$(realpath "$1")
dnsvis=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
shared=$(realpath -m "$here/../../../shared/pcaps")
if [ ! -d "$shared" ]; then
	echo "responses: ../shared/pcaps not found at $shared"
	echo "responses: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for f in "$shared"/tcpdump/*.pcap "$shared"/dnscap/*.pcap; do
	key=$(basename "$(dirname "$f")")/$(basename "$f")
	# reassembled, as the capture stage (wire/capture.h) hands messages on:
	# each in the frame that completes it
	tshark -r "$f" -n -o ip.defragment:TRUE -o ipv6.defragment:TRUE \
		-o tcp.desegment_tcp_streams:TRUE -Y 'dns.flags.response == 1' -T json \
		-J 'frame ip ipv6 udp tcp dns' >"$tmp/whole.json" 2>/dev/null
	if ! "$dump" "$f" >"$tmp/d.jsonl" 2>"$tmp/d.err"; then
		# Said clearly (one line), and then every response counts unseen.
		if [ "$(wc -l <"$tmp/d.err")" -ne 1 ]; then
			echo "FAIL $key: dump_responses failed: $(head -3 "$tmp/d.err")"
			failed=$((failed + 1))
			continue
		fi
		: >"$tmp/d.jsonl"
	fi
	if python3 "$here/compare.py" "$tmp/whole.json" "$tmp/whole.json" "$tmp/d.jsonl" "$key" \
		>"$tmp/out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	grep -v '^#' "$tmp/out"
	grep '^#' "$tmp/out" | sed 's/^# //' >>"$tmp/summary.jsonl"
	"$dnsvis" replay --responses -o json "$f" >"$tmp/m.jsonl" 2>/dev/null
	if python3 "$here/pairs.py" "$tmp/whole.json" "$tmp/m.jsonl" "$key" >"$tmp/out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	grep -v '^#' "$tmp/out"
	grep '^#' "$tmp/out" | sed 's/^# //' >>"$tmp/pairs.jsonl"
done

check() { # NAME COMMAND...: one result
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		passed=$((passed + 1))
		echo "ok $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name: $(head -5 "$tmp/out")"
	fi
}

g=$tmp/generated.pcap
python3 "$here/gen_capture.py" "$g" "$tmp/expected.json"
tshark -r "$g" -n -o tcp.desegment_tcp_streams:TRUE -Y 'dns.flags.response == 1' -T json \
	-J 'frame ip ipv6 udp tcp dns' >"$tmp/whole.json" 2>/dev/null
"$dnsvis" replay --responses --timeout 2 -o json "$g" >"$tmp/m.jsonl" 2>"$tmp/m.err"
if python3 "$here/pairs.py" "$tmp/whole.json" "$tmp/m.jsonl" generated >"$tmp/out"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
grep -v '^#' "$tmp/out"
grep '^#' "$tmp/out" | sed 's/^# //' >>"$tmp/pairs.jsonl"
if python3 "$here/expect.py" "$tmp/expected.json" "$tmp/m.jsonl" "$tmp/m.err"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
text_lines() { "$dnsvis" replay --responses --timeout 2 "$g" 2>/dev/null | grep -c ' => '; }
want_lines=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/expected.json")
check "text: one line per response-side record ($want_lines)" test "$(text_lines)" -eq "$want_lines"
check "kubearmor: --responses adds nothing" cmp <("$dnsvis" replay -o kubearmor "$g" 2>/dev/null) \
	<("$dnsvis" replay --responses -o kubearmor "$g" 2>/dev/null)
check "--timeout without --responses is a usage error" \
	bash -c '! "$0" replay --timeout 2 "$1" && [ "$("$0" replay --timeout 2 "$1" 2>&1 | wc -l)" -eq 1 ]' \
	"$dnsvis" "$g"
# -o ecs: every field of every document is an ECS field (a pod's process
# from the unit test's documents, and replay's over the generated capture)
ECS_DOCS_OUT=$tmp/ecs-unit.jsonl "$(dirname "$dump")/test_ecs" >/dev/null 2>&1
"$dnsvis" replay --responses --timeout 2 -o ecs "$g" >"$tmp/ecs-replay.jsonl" 2>/dev/null
check "ecs: every field in ECS's reference" python3 "$here/ecs_fields.py" "$tmp/ecs-unit.jsonl" \
	"$tmp/ecs-replay.jsonl"
cat "$tmp/out"
check "ecs: a missing public suffix list is one line, exit 1" \
	bash -c '! DNSVIS_PSL=/nonexistent "$0" replay -o ecs "$1" >/dev/null 2>"$2" &&
		[ "$(wc -l <"$2")" -eq 1 ] && grep -q "publicsuffix" "$2"' "$dnsvis" "$g" "$tmp/psl.err"
mkdir -p "$tmp/audit"
"$here/audit.sh" "$dnsvis" "$tmp/audit" >"$tmp/audit.out"
grep -v '^audit-checks ' "$tmp/audit.out"
read -r _ ap af < <(grep '^audit-checks ' "$tmp/audit.out" || echo "audit-checks 0 1")
passed=$((passed + ap))
failed=$((failed + af))
python3 - "$tmp/pairs.jsonl" <<'EOF'
import json, sys
n = a = 0
for line in open(sys.argv[1]):
    s = json.loads(line)
    n += s["pairs"]
    a += s["agree"]
print("tshark pairs agreeing with dnsvis replay --responses: %d/%d "
      "(the rest by the rules in pairs.py)" % (a, n))
EOF
python3 - "$tmp/summary.jsonl" <<'EOF'
import json, sys
from collections import Counter
c, b, n = Counter(), Counter(), 0
for line in open(sys.argv[1]):
    s = json.loads(line)
    n += s["responses"]
    c.update(s["compared"])
    b.update(s["mismatched"])
print("responses compared with tshark: %d; per field (compared/mismatched): %s"
      % (n, ", ".join("%s %d/%d" % (k, c[k], b[k]) for k in sorted(c))))
EOF
echo "responses: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
