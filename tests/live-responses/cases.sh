#!/usr/bin/env bash
# tests/live-responses/cases.sh - the clients of the live response test, run
# by run.sh inside a network and mount namespace of their own (unshare -n
# -m): loopback is brought up, the responder (tests/live/responder.py) binds
# 127.0.0.1:53 and [::1]:53 there, and /etc/resolv.conf names 127.0.0.1 for
# glibc and dig.  Every case's process is started in the background so its
# pid is known; one manifest line per case:
#   CASE <tab> PID <tab> COMM <tab> DOMAIN <tab> TXID (- when the resolver picks it)
#
# usage: cases.sh TMPD CLIENT RAND
set -u
TMPD=$1 CLIENT=$2 RAND=$3
HERE=$(cd "$(dirname "$0")" && pwd)
MANIFEST=$TMPD/manifest.tsv
: >"$MANIFEST"
PROBLEMS=""

ip link set lo up || { echo "cases: cannot bring lo up" >&2; exit 1; }
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$TMPD/resolv.conf"
mount --bind "$TMPD/resolv.conf" /etc/resolv.conf ||
	{ echo "cases: cannot bind-mount resolv.conf" >&2; exit 1; }
python3 "$HERE/../live/responder.py" --wrong-port 5353 --ready-file "$TMPD/responder.ready" \
	2>"$TMPD/responder.err" &
RESPONDER=$!
for ((i = 0; i < 50; i++)); do
	[ -e "$TMPD/responder.ready" ] && break
	sleep 0.1
done
[ -e "$TMPD/responder.ready" ] ||
	{ echo "cases: responder did not start: $(head -c 300 "$TMPD/responder.err")" >&2; exit 1; }

# run CASE COMM TXID WANT_RC CMD...: CMD in the background, its exit status
# checked against WANT_RC ("any": not checked); a manifest line.
run() {
	local name=$1 comm=$2 txid=$3 want=$4 rc
	shift 4
	"$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" </dev/null &
	local pid=$!
	wait "$pid"
	rc=$?
	if [ "$want" != any ] && [ "$rc" != "$want" ]; then
		PROBLEMS+="${PROBLEMS:+; }$name rc=$rc (want $want) $(head -c 200 "$TMPD/$name.err" | tr '\n' ' ')"
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$pid" "$comm" "$(dom "$name")" "$txid" >>"$MANIFEST"
}
dom() {
	case $1 in
	nx) echo "nx-$RAND.nx" ;;
	*) echo "$1-$RAND.test.example" ;;
	esac
}

# glibc: A and AAAA behind a CNAME chain; REFUSED; TC=1 over UDP, then the
# same questions over TCP (glibc retries by itself)
run chain getent - 0 getent ahosts "$(dom chain)"
run refused getent - any getent hosts "$(dom refused)"
run truncate getent - 0 getent ahosts "$(dom truncate)"
# dig: NXDOMAIN
run nx dig - any dig @127.0.0.1 +tries=1 +time=2 "$(dom nx)"
# the raw sender: SERVFAIL on a connected socket; an answer 300 ms late on
# an unbound one; no answer; an answer from port 5353 read with recvfrom;
# two queries in one TCP send; IPv6
run servfail dns_client 4097 0 "$CLIENT" -r send 127.0.0.1 53 "$(dom servfail)" A 4097
run late dns_client 4098 0 "$CLIENT" -r sendto 127.0.0.1 53 "$(dom late)" A 4098
run silent dns_client 4099 0 "$CLIENT" sendto 127.0.0.1 53 "$(dom silent)" A 4099
run wrongport dns_client 4100 0 "$CLIENT" -r -f sendto 127.0.0.1 53 "$(dom wrongport)" A 4100
run tcp-two dns_client 36864 0 "$CLIENT" -r tcp-two 127.0.0.1 53 "$(dom tcp-two)" A 36864
run ipv6 dns_client 4102 0 "$CLIENT" -r ipv6 ::1 53 "$(dom ipv6)" AAAA 4102
# a slow reader: the answer waits 300 ms in the socket before the receive
# call; its latency is the arrival's.  c-ares (Node.js) under libuv's loop;
# musl's getaddrinfo (tests/live/gai_client.c, built by run.sh).
run slow-reader dns_client 4103 0 "$CLIENT" -r -S send 127.0.0.1 53 "$(dom slow-reader)" A 4103
run cares node - 0 node "$HERE/../live/cares_client.js" "$(dom cares)"
run musl musl_gai - 0 "$TMPD/musl_gai" "$(dom musl)"

kill "$RESPONDER" 2>/dev/null
wait "$RESPONDER" 2>/dev/null
if [ -n "$PROBLEMS" ]; then
	echo "cases: $PROBLEMS" >&2
	exit 1
fi
exit 0
