#!/usr/bin/env bash
# Live-vs-wire test of `dnsvis trace`: the loopback capture is the truth.
#
#   tests/wire/run.sh [--keep] DNSVIS
#
# tcpdump captures port 53 on lo while real clients query the loopback
# responder (tests/live/responder.py) and `DNSVIS trace -o json` runs; tshark
# lists the queries in the capture, and each must appear in dnsvis's output
# exactly once with txid, name, qtype, server and port (and the wire's source
# port, where dnsvis reports one), and nothing else
# (tests/wire/check.py).  Clients: glibc getent over UDP, with `options
# use-vc`, and falling back to TCP after a truncated UDP answer; dig +tcp, one
# query and several on one connection; busybox nslookup; raw senders
# (tests/live/dns_client.c) for two messages in one TCP send, a length sent
# apart from its message, a message split over two sends, a sendmmsg of 8
# queries and a sendmsg with msg_namelen 0 on a connected socket; musl's
# getaddrinfo, c-ares (Node.js) and a raw reader that reads 300 ms late.  With --responses:
# each UDP response's latency_us is the wire's (tshark's dns.time).  The
# resolvers run in a mount namespace whose /etc/resolv.conf names 127.0.0.1.
#
# Output: "ok CASE" / "FAIL CASE: reason", then "wire: N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/common.sh
. "$HERE/../lib/common.sh"
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1 && shift
[ $# = 1 ] || { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
take_live_lock 600 || { echo "wire: another live test run holds /tmp/dnsvis-live.lock"; exit 1; }

suite_results wire
TMPD="" RESPONDER_PID="" DNSVIS_PID="" TCPDUMP_PID="" WATCHDOG_PID=""
cleanup() {
	trap - EXIT INT TERM
	stop_pid "$DNSVIS_PID" INT 3
	stop_pid "$TCPDUMP_PID" INT 2
	stop_pid "$RESPONDER_PID" TERM 2
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ -n "$TMPD" ]; then
		if [ "$KEEP" = 1 ]; then echo "# kept $TMPD" >&2; else rm -rf "$TMPD"; fi
	fi
}
trap cleanup EXIT
trap 'echo "wire: interrupted" >&2; FAIL=$((FAIL + 1)); finish' INT TERM
start_watchdog wire 120

[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for t in python3 cc musl-gcc unshare getent dig busybox node tcpdump tshark; do
	command -v "$t" >/dev/null || { fail setup "missing tool: $t"; finish; }
done
[ -x "$1" ] || { fail setup "not executable: $1"; finish; }
DNSVIS=$(realpath "$1")
TMPD=$(mktemp -d /tmp/dnsvis-wire.XXXXXX) || { fail setup mktemp; finish; }
cd "$TMPD" || exit 1
TAG=w$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
CLIENT=$TMPD/dns_client
cc -O2 -Wall -Wextra -Werror -o "$CLIENT" "$HERE/../live/dns_client.c" 2>cc.err ||
	{ fail setup "cannot build dns_client: $(head -c 300 cc.err)"; finish; }
MUSL_GAI=$TMPD/musl_gai
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$MUSL_GAI" "$HERE/../live/gai_client.c" 2>cc.err ||
	{ fail setup "cannot build gai_client with musl-gcc: $(head -c 300 cc.err)"; finish; }
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >resolv.conf
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1 use-vc\n' >resolv-vc.conf
PY=$(command -v python3)
start_responder "$PY" "$TMPD" || { fail setup "responder: $(head -c 300 responder.err)"; finish; }

# ---- capture and trace -----------------------------------------------------
tcpdump -i lo -n -U --immediate-mode -s0 -w cap.pcap port 53 2>tcpdump.err &
TCPDUMP_PID=$!
env --default-signal=INT "$DNSVIS" trace -o json --responses >events.jsonl 2>dnsvis.err \
	</dev/null &
DNSVIS_PID=$!
wait_until "$TCPDUMP_PID" 50 grep -q "listening on" tcpdump.err ||
	{ fail setup "tcpdump: $(head -c 300 tcpdump.err)"; finish; }
wait_until "$DNSVIS_PID" 200 dnsvis_ready dnsvis.err ||
	{ fail setup "dnsvis not ready: $(tail -c 300 dnsvis.err)"; finish; }

# ---- clients -----------------------------------------------------------------
: >manifest.tsv
PROBLEMS=""
# case NAME WANT FLAGS CMD... (CMD may hold @N@: the case's own name label)
case_run() {
	local name=$1 want=$2 flags=$3 a args=()
	shift 3
	for a in "$@"; do args+=("${a//@N@/$name-$TAG}"); done
	printf '%s\t%s\t%s\n' "$name" "$want" "$flags" >>manifest.tsv
	"${args[@]}" >"$name.out" 2>"$name.err" </dev/null ||
		PROBLEMS+="${PROBLEMS:+; }$name rc=$? $(head -c 150 "$name.err" | tr '\n' ' ')"
}
# In a mount namespace whose /etc/resolv.conf is CONF.
in_ns() { # CONF CMD...
	unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$TMPD/$1" "${@:2}"
}
case_run getent-udp 2 - in_ns resolv.conf getent ahosts @N@.test.example
case_run getent-use-vc 2 one-stream in_ns resolv-vc.conf getent ahosts @N@.test.example
# UDP answers with TC set: glibc asks again over TCP (2 over UDP, 2 over TCP)
case_run getent-tc-fallback 4 one-stream in_ns resolv.conf getent ahosts \
	truncate-1.@N@.test.example
case_run dig-tcp 1 - dig +tcp @127.0.0.1 +tries=1 +time=2 @N@.test.example
case_run dig-keepopen 3 one-stream dig +tcp +keepopen @127.0.0.1 +tries=1 +time=2 \
	q1.@N@.test.example q2.@N@.test.example MX q3.@N@.test.example TXT
case_run busybox-nslookup 2 - in_ns resolv.conf busybox nslookup @N@.test.example 127.0.0.1
case_run musl-getaddrinfo 2 - in_ns resolv.conf "$MUSL_GAI" @N@.test.example
# txids with the top bit set: read at a UDP offset, the first byte after the
# TCP length would look like QR=1 (a response)
case_run tcp-two 2 - "$CLIENT" -r tcp-two 127.0.0.1 53 @N@.test.example A 0xb100
case_run tcp-len-apart 1 - "$CLIENT" -r tcp-len-apart 127.0.0.1 53 @N@.test.example A 0xb200
case_run tcp-split 1 - "$CLIENT" -r tcp-split 127.0.0.1 53 @N@.test.example AAAA 0xb300
case_run sendmmsg8 8 - "$CLIENT" -r sendmmsg8 127.0.0.1 53 @N@.test.example A 0xb400
# an address in every entry, from a socket bound before: the source port is
# known at the call and must be the wire's for both
case_run sendmmsg-addr 2 - "$CLIENT" -r sendmmsg-addr 127.0.0.1 53 @N@.test.example A 0xb700
case_run sendmsg-namelen0 1 - "$CLIENT" -r sendmsg-namelen0 127.0.0.1 53 @N@.test.example \
	A 0xb500
# clients that read late: c-ares (Node.js) under libuv's loop; an answer read
# 300 ms after it came (dns_client -S).  Their latency is the wire's.
case_run cares 2 - in_ns resolv.conf node "$HERE/../live/cares_client.js" @N@.test.example
case_run slow-reader 1 - "$CLIENT" -r -S send 127.0.0.1 53 @N@.test.example A 0xb600
if [ -n "$PROBLEMS" ]; then fail clients "$PROBLEMS"; else ok clients "every client exited 0"; fi

sleep 0.5 # > dnsvis's 100 ms flush
kill -INT "$DNSVIS_PID"
wait_gone "$DNSVIS_PID" 50 && wait "$DNSVIS_PID"
rc=$?
DNSVIS_PID=""
stop_pid "$TCPDUMP_PID" INT 3
TCPDUMP_PID=""
[ "$rc" = 0 ] || fail dnsvis "exit status $rc: $(tail -c 300 dnsvis.err)"

tshark -n -r cap.pcap -Y "dns.flags.response == 0" -T fields -E separator=/t \
	-E occurrence=a -E aggregator=, -e frame.number -e tcp.stream -e ip.dst -e ipv6.dst \
	-e udp.dstport -e tcp.dstport -e dns.id -e dns.qry.name -e dns.qry.type \
	-e dns.flags.response -e udp.srcport -e tcp.srcport >wire.tsv 2>tshark.err ||
	{ fail tshark "$(head -c 300 tshark.err)"; finish; }
tshark -n -r cap.pcap -Y "udp && dns.flags.response == 1" -T fields -E separator=/t \
	-E occurrence=a -E aggregator=, -e dns.id -e dns.qry.name -e dns.qry.type -e dns.time \
	-e dns.flags.truncated \
	>resp.tsv 2>tshark.err || { fail tshark "$(head -c 300 tshark.err)"; finish; }
count_results < <(python3 "$HERE/check.py" wire.tsv events.jsonl manifest.tsv "$TAG" resp.tsv 2>&1)
finish
