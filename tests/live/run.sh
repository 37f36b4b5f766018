#!/usr/bin/env bash
# Live test of `dnsvis trace` on this host (root; real eBPF).
#
#   tests/live/run.sh [--expect-source-prefix P] [--keep] DNSVIS
#   tests/live/run.sh --selftest [--keep]
#
# Starts tests/live/responder.py on 127.0.0.1:53 and [::1]:53, starts
# `DNSVIS trace -o json`, waits for its "dnsvis: ready" line, sends one query
# per case (tests/live/dns_client.c through every send path, plus getent, dig,
# busybox nslookup, musl and python getaddrinfo, c-ares (Node.js), each in a private
# mount namespace whose /etc/resolv.conf names 127.0.0.1), stops dnsvis with SIGINT and checks
# the JSON Lines against what was sent (tests/live/check.py).  Then short runs
# for --pid, --comm, --domain, -c and -d, and bpftool checks that nothing is
# left attached.  Traffic goes to loopback only.
#
# --selftest needs no tracer: it runs the same cases and checks them on the
# wire with tcpdump on lo (validates client, responder and resolver setup).
#
# --expect-source-prefix P  what every event's "source" must start with
#                           (default "tracepoint/"; "kprobe/" on a kprobe VM).
# --keep                    keep the temp directory (its path is printed).
# DNS_CLIENT=path           use a prebuilt client instead of compiling one.
#
# Output: "ok CASE" / "FAIL CASE: reason" per assertion group, then
# "live: N passed, N failed".  Exit status 0 only if nothing failed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/common.sh
. "$HERE/../lib/common.sh"
take_live_lock 600 || {
	echo "live: another live test run holds /tmp/dnsvis-live.lock"
	exit 1
}
PREFIX="tracepoint/"
KEEP=0
SELFTEST=0
DNSVIS=""
TIME_LIMIT=170

usage() {
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--expect-source-prefix) [ $# -ge 2 ] || usage; PREFIX=$2; shift 2 ;;
	--expect-source-prefix=*) PREFIX=${1#*=}; shift ;;
	--keep) KEEP=1; shift ;;
	--selftest) SELFTEST=1; shift ;;
	-h|--help) usage ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) [ -z "$DNSVIS" ] || usage; DNSVIS=$1; shift ;;
	esac
done
[ "$SELFTEST" = 1 ] || [ -n "$DNSVIS" ] || usage

suite_results live
# Run check.py and count its ok/FAIL lines.
run_check() {
	count_results < <(timeout 30 python3 "$HERE/check.py" "$@" 2>&1)
}
# ---- cleanup -------------------------------------------------------------
TMPD=""
RESPONDER_PID=""
DNSVIS_PID=""
TCPDUMP_PID=""
WATCHDOG_PID=""
GATED_PIDS=""

cleanup() {
	trap - EXIT INT TERM
	local p
	for p in $GATED_PIDS; do stop_pid "$p" KILL 1; done
	stop_pid "$DNSVIS_PID" INT 3
	stop_pid "$TCPDUMP_PID" INT 2
	stop_pid "$RESPONDER_PID" TERM 2
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ -n "$TMPD" ]; then
		if [ "$KEEP" = 1 ]; then
			echo "# kept $TMPD" >&2
		else
			rm -rf "$TMPD"
		fi
	fi
}
trap cleanup EXIT
trap 'echo "live: interrupted" >&2; FAIL=$((FAIL + 1)); finish' INT TERM

# The whole run is bounded: past TIME_LIMIT seconds the script fails.
start_watchdog live "$TIME_LIMIT"

# ---- preflight -----------------------------------------------------------
[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for t in python3 cc musl-gcc unshare timeout getent dig busybox node; do
	command -v "$t" >/dev/null || { fail setup "missing tool: $t"; finish; }
done
if [ "$SELFTEST" = 1 ]; then
	command -v tcpdump >/dev/null || { fail setup "missing tool: tcpdump"; finish; }
else
	command -v bpftool >/dev/null || { fail setup "missing tool: bpftool"; finish; }
	[ -x "$DNSVIS" ] || { fail setup "not executable: $DNSVIS"; finish; }
	DNSVIS=$(realpath "$DNSVIS")
fi
ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' ||
	{ fail setup "::1 is not configured on lo"; finish; }

TMPD=$(mktemp -d /tmp/dnsvis-live.XXXXXX) || { fail setup "mktemp"; finish; }
TMPD=$(realpath "$TMPD")
cd "$TMPD" || exit 1
RAND=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
MANIFEST=$TMPD/manifest.tsv
: >"$MANIFEST"

if [ -n "${DNS_CLIENT:-}" ]; then
	CLIENT=$(realpath "$DNS_CLIENT")
else
	CLIENT=$TMPD/dns_client
	cc -O2 -Wall -Wextra -Werror -o "$CLIENT" "$HERE/dns_client.c" 2>"$TMPD/cc.err" ||
		{ fail setup "cannot build dns_client: $(head -c 600 "$TMPD/cc.err")"; finish; }
fi
MUSL_GAI=$TMPD/musl_gai # musl's stub resolver (Alpine's), static
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$MUSL_GAI" "$HERE/gai_client.c" 2>"$TMPD/cc.err" ||
	{ fail setup "cannot build gai_client with musl-gcc: $(head -c 600 "$TMPD/cc.err")"; finish; }
OTHER_CLIENT=$TMPD/other_client # same binary, other comm (for --comm)
cp "$CLIENT" "$OTHER_CLIENT"

# Real resolvers get their own resolv.conf through a private mount namespace.
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$TMPD/resolv.conf"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1 use-vc\n' >"$TMPD/resolv-vc.conf"
NS_SH='mount --bind "$0" /etc/resolv.conf && exec "$@"'
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(python3 -c 'import sys; print(sys.executable)')

# Host pid namespace?  Then `pid` must equal $!; nested: compare ns_pid.
PID_FIELD=pid
if [ "$(awk '/^NSpid:/ {print NF - 1}' /proc/self/status)" != 1 ]; then
	PID_FIELD=ns_pid
	echo "# note: test runs in a nested pid namespace; comparing ns_pid"
fi

# ---- responder -----------------------------------------------------------
if ! start_responder "$PY" "$TMPD"; then
	msg=$(head -c 300 "$TMPD/responder.err")
	case "$msg" in
	*"already in use"*) msg="port 53 is taken on loopback (stop the local DNS server first): $msg" ;;
	esac
	fail setup "responder did not start: ${msg:-timeout}"
	finish
fi

# ---- case runners --------------------------------------------------------
CLIENT_PROBLEMS=""
IDX=0

# record NAME KIND DOMAIN QTYPES PID COMM EXE DADDRS PROTO TXID CMDLINE [CWD]
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
		"${RECORD_PPID:-$BASHPID}" "$6" "$7" "$8" "$9" "${10}" "${11}" "${12:-}" >>"$MANIFEST"
}
# spawn NAME CMD...: run CMD in the background (so $! is its pid), wait,
# note a failure.  Sets SPAWNED_PID.
spawn() {
	local name=$1 rc
	shift
	"$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" </dev/null &
	SPAWNED_PID=$!
	wait "$SPAWNED_PID"
	rc=$?
	if [ "$rc" != 0 ]; then
		CLIENT_PROBLEMS+="${CLIENT_PROBLEMS:+; }$name rc=$rc $(head -c 200 "$TMPD/$name.err" | tr '\n' ' ')"
	fi
}
# client NAME PATH SERVER QTYPE [DADDRS [PROTO [QTYPES]]]
client() {
	local name=$1 path=$2 server=$3 qtype=$4 daddrs=${5:-$3} proto=${6:-udp} qtypes=${7:-$4}
	local dom="$name-$RAND.test.example" txid opt=-r kind=client
	IDX=$((IDX + 1))
	txid=$((0x1000 + IDX * 16))
	case $path in exit-fast | exec-fast) opt=-n kind=exitfast ;; esac
	# TCP: byte 2 of a send (the UDP QR offset) is a txid's high byte here;
	# set its top bit, as half of real txids have it
	case $path in tcp*) txid=$((txid | 0x8000)) ;; esac
	spawn "$name" "$CLIENT" $opt "$path" "$server" 53 "$dom" "$qtype" "$txid"
	record "$name" "$kind" "$dom" "$qtypes" "$SPAWNED_PID" dns_client "$CLIENT" "$daddrs" \
		"$proto" "$txid" "$CLIENT $opt $path $server 53 $dom $qtype $txid"
}
# exec_chain: one process, three queries (tests/live/dns_client.c exec-chain):
# a. from TMPD, b. after chdir /, c. after execve with another command line.
exec_chain() {
	local dom="exec-chain-$RAND.test.example" txid cmd
	IDX=$((IDX + 1))
	txid=$((0x1000 + IDX * 16))
	cmd="$CLIENT -r exec-chain 127.0.0.1 53 $dom A $txid"
	spawn exec-chain "$CLIENT" -r exec-chain 127.0.0.1 53 "$dom" A "$txid"
	record exec-chain-a client "a.$dom" A "$SPAWNED_PID" dns_client "$CLIENT" 127.0.0.1 udp \
		"$txid" "$cmd"
	record exec-chain-b client "b.$dom" A "$SPAWNED_PID" dns_client "$CLIENT" 127.0.0.1 udp \
		"$((txid + 1))" "$cmd" /
	record exec-chain-c client "c.$dom" A "$SPAWNED_PID" dns_client "$CLIENT" 127.0.0.1 udp \
		"$((txid + 2))" "$CLIENT -r sendto 127.0.0.1 53 c.$dom A $((txid + 2))" /
}
# reparent: a process described, then reparented (tests/live/dns_client.c
# reparent): a. under the client that forked it, b. under its new parent,
# which the child prints; each event must carry the parent of its time.
reparent() {
	local dom="reparent-$RAND.test.example" txid cmd child ppid i
	IDX=$((IDX + 1))
	txid=$((0x1000 + IDX * 16))
	cmd="$CLIENT -r reparent 127.0.0.1 53 $dom A $txid"
	spawn reparent "$CLIENT" -r reparent 127.0.0.1 53 "$dom" A "$txid"
	local parent=$SPAWNED_PID
	for ((i = 0; i < 100; i++)); do
		grep -qs '^ppid ' "$TMPD/reparent.out" && break
		sleep 0.1
	done
	child=$(sed -n 's/^child //p' "$TMPD/reparent.out")
	ppid=$(sed -n 's/^ppid //p' "$TMPD/reparent.out")
	if [ -z "$child" ] || [ -z "$ppid" ]; then
		CLIENT_PROBLEMS+="${CLIENT_PROBLEMS:+; }reparent: no child or ppid line: $(head -c 200 "$TMPD/reparent.err" | tr '\n' ' ')"
		return
	fi
	RECORD_PPID=$parent record reparent-a client "a.$dom" A "$child" dns_client "$CLIENT" \
		127.0.0.1 udp "$txid" "$cmd"
	RECORD_PPID=$ppid record reparent-b client "b.$dom" A "$child" dns_client "$CLIENT" \
		127.0.0.1 udp "$((txid + 1))" "$cmd"
}
# resolver NAME QTYPES COMM EXE CMD... (CMD may contain @DOM@ for the name;
# RESOLV_CONF and PROTO may be set for the call)
resolver() {
	local name=$1 qtypes=$2 comm=$3 exe=$4 dom="$1-$RAND.test.example" a args=()
	shift 4
	for a in "$@"; do args+=("${a//@DOM@/$dom}"); done
	spawn "$name" unshare -m sh -c "$NS_SH" "${RESOLV_CONF:-$TMPD/resolv.conf}" "${args[@]}"
	record "$name" resolver "$dom" "$qtypes" "$SPAWNED_PID" "$comm" "$(realpath "$exe")" \
		127.0.0.1 "${PROTO:-udp}" - -
}

run_cases() {
	client sendto sendto 127.0.0.1 A
	client send send 127.0.0.1 A
	client write write 127.0.0.1 A
	client writev writev 127.0.0.1 A
	client sendmsg1 sendmsg1 127.0.0.1 A
	client sendmsg3 sendmsg3 127.0.0.1 TXT
	client sendmsg-connected sendmsg-connected 127.0.0.1 A
	client sendmmsg sendmmsg 127.0.0.1 A 127.0.0.1 udp A,AAAA
	client sendmmsg8 sendmmsg8 127.0.0.1 A 127.0.0.1 udp A,AAAA,A,AAAA,A,AAAA,A,AAAA
	client sendmmsg-addr sendmmsg-addr 127.0.0.1 A 127.0.0.1 udp A,AAAA
	# 20 entries: the first 16 are looked at, 4 counted (mmsg-skipped, below)
	client sendmmsg20 sendmmsg20 127.0.0.1 A 127.0.0.1 udp \
		"$(printf 'A,AAAA,%.0s' 1 2 3 4 5 6 7 8 | sed 's/,$//')"
	client sendmsg-namelen0 sendmsg-namelen0 127.0.0.1 A
	client ipv6 ipv6 ::1 AAAA
	client v4mapped v4mapped 127.0.0.1 A 127.0.0.1,::ffff:127.0.0.1
	client tcp tcp 127.0.0.1 A 127.0.0.1 tcp
	client tcp-writev tcp-writev 127.0.0.1 A 127.0.0.1 tcp
	# DNS over TCP is a byte stream: two messages in one send, a length sent
	# apart from its message, a message split over two sends
	client tcp-two tcp-two 127.0.0.1 A 127.0.0.1 tcp A,AAAA
	client tcp-vc tcp-vc 127.0.0.1 A 127.0.0.1 tcp A,AAAA
	client tcp-lensplit tcp-lensplit 127.0.0.1 A 127.0.0.1 tcp
	client tcp-len-apart tcp-len-apart 127.0.0.1 A 127.0.0.1 tcp
	client tcp-split tcp-split 127.0.0.1 A 127.0.0.1 tcp
	client exit-fast exit-fast 127.0.0.1 A
	client exec-fast exec-fast 127.0.0.1 A
	exec_chain
	reparent
	# getent, dig, busybox and python run in a private mount namespace whose
	# /etc/resolv.conf names 127.0.0.1 (unshare and sh exec, so $! stays the
	# resolver's pid).  The names are not in /etc/hosts, so DNS is asked.
	# timeout(1) would be the resolver's parent, so it is not used here; the
	# resolvers are bounded by their own options (+time, options timeout:1).
	resolver getent A,AAAA getent "$(command -v getent)" getent ahosts @DOM@
	# glibc over TCP (options use-vc): A and AAAA in one writev
	RESOLV_CONF=$TMPD/resolv-vc.conf PROTO=tcp resolver getent-vc A,AAAA getent \
		"$(command -v getent)" getent ahosts @DOM@
	resolver dig-at A dig "$(command -v dig)" dig @127.0.0.1 +tries=1 +time=2 @DOM@
	resolver dig-resolvconf A dig "$(command -v dig)" dig +tries=1 +time=2 @DOM@
	resolver busybox-nslookup A,AAAA busybox "$(command -v busybox)" \
		busybox nslookup @DOM@ 127.0.0.1
	# musl's getaddrinfo: a bound UDP socket, A and AAAA by sendto at once
	resolver musl-getaddrinfo A,AAAA musl_gai "$MUSL_GAI" "$MUSL_GAI" @DOM@
	# c-ares (Node.js's dns.Resolver): its own resolv.conf reader and sockets
	resolver node-cares A,AAAA node "$(command -v node)" \
		node "$HERE/cares_client.js" @DOM@
	resolver python-getaddrinfo A,AAAA "$(basename "$PY" | cut -c1-15)" "$PY" \
		"$PY" -c 'import socket; socket.getaddrinfo("@DOM@", 80)'
	# Non-DNS noise: no event may carry these pids.
	spawn flood-udp "$CLIENT" flood-udp 2000
	record flood-udp flood "" "" "$SPAWNED_PID" dns_client "$CLIENT" - udp - -
	spawn flood-write "$CLIENT" flood-write 2000
	record flood-write flood flood-write.dnsvis.invalid "" "$SPAWNED_PID" dns_client \
		"$CLIENT" - udp - -
	record responder-replies noise "" "" "$RESPONDER_PID" python3 - - udp - -
	if [ -n "$CLIENT_PROBLEMS" ]; then
		fail clients "$CLIENT_PROBLEMS"
	else
		ok clients "all senders exited 0 and got their answers"
	fi
}

# ---- selftest: wire only -------------------------------------------------
if [ "$SELFTEST" = 1 ]; then
	timeout 60 tcpdump -i lo -n -l -s0 port 53 >"$TMPD/wire.txt" 2>"$TMPD/tcpdump.err" &
	TCPDUMP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$TMPD/tcpdump.err" 2>/dev/null && break
		sleep 0.1
	done
	run_cases
	sleep 0.5
	stop_pid "$TCPDUMP_PID" INT 3
	TCPDUMP_PID=""
	run_check wire "$TMPD/wire.txt" "$MANIFEST"
	finish
fi

# ---- dnsvis control ------------------------------------------------------
# start_dnsvis TAG ARGS...: background `DNSVIS trace -o json ARGS`, SIGINT at
# its default disposition (a non-interactive shell would have it ignored).
start_dnsvis() {
	local tag=$1
	shift
	DNSVIS_OUT=$TMPD/$tag.jsonl
	DNSVIS_ERR=$TMPD/$tag.err
	DNSVIS_START=$(date +%s.%N)
	env --default-signal=INT,QUIT "$DNSVIS" trace -o json "$@" >"$DNSVIS_OUT" \
		2>"$DNSVIS_ERR" </dev/null &
	DNSVIS_PID=$!
}
elapsed() { awk -v a="$DNSVIS_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
err_tail() { tail -c 400 "$DNSVIS_ERR" 2>/dev/null | tr '\n' '|'; }
# wait_ready TAG: bounded wait for the "dnsvis: ready" stderr line.
wait_ready() {
	wait_until "$DNSVIS_PID" 200 dnsvis_ready "$DNSVIS_ERR" && return 0
	if kill -0 "$DNSVIS_PID" 2>/dev/null; then
		fail "$1" "no 'dnsvis: ready' line within 20 s; stderr: $(err_tail)"
	else
		wait "$DNSVIS_PID"
		fail "$1" "dnsvis exited (status $?) before ready; stderr: $(err_tail)"
		DNSVIS_PID=""
	fi
	stop_pid "$DNSVIS_PID" KILL 1
	DNSVIS_PID=""
	return 1
}
# wait_exit SECONDS: wait for dnsvis to exit by itself; sets EXIT_RC
# (or 124 if it did not, in which case it is killed).
wait_exit() {
	if wait_gone "$DNSVIS_PID" $(($1 * 10)); then
		wait "$DNSVIS_PID"
		EXIT_RC=$?
	else
		stop_pid "$DNSVIS_PID" KILL 1
		EXIT_RC=124
	fi
	DNSVIS_PID=""
}
# stop_dnsvis: SIGINT, bounded wait; sets EXIT_RC.
stop_dnsvis() {
	kill -INT "$DNSVIS_PID" 2>/dev/null
	wait_exit 10
}
bpf_snap() { # WHEN
	local k
	for k in prog perf link; do
		timeout 10 bpftool -j "$k" show >"$TMPD/bpf/$k.$1.json" 2>/dev/null ||
			timeout 10 bpftool -j "$k" >"$TMPD/bpf/$k.$1.json" 2>/dev/null
	done
}

# ---- main run --------------------------------------------------------------
mkdir -p "$TMPD/bpf"
bpf_snap before
start_dnsvis main
if wait_ready ready; then
	ok ready "after $(elapsed) s"
	MAIN_PID=$DNSVIS_PID
	run_cases
	sleep 0.5 # > the 100 ms flush interval
	bpf_snap during
	stop_dnsvis
	bpf_snap after
	summary=$(sed -n '/^dnsvis: ready/,$p' "$DNSVIS_ERR" | sed 1d | grep -v '^[[:space:]]*$' | tail -n 1)
	if [ "$EXIT_RC" = 124 ]; then
		fail exit "still running 10 s after SIGINT (killed); stderr: $(err_tail)"
	elif [ "$EXIT_RC" != 0 ]; then
		fail exit "exit status $EXIT_RC after SIGINT; stderr: $(err_tail)"
	elif [ -z "$summary" ]; then
		fail exit "exit 0 but no summary line on stderr after SIGINT"
	else
		ok exit "status 0 on SIGINT; summary: $summary"
	fi
	case $summary in
	*", 4 mmsg-skipped"*) ok mmsg-skipped "the 4 entries of sendmmsg20 past 16 are counted" ;;
	*) fail mmsg-skipped "want 4 mmsg-skipped (sendmmsg20) in the summary: $summary" ;;
	esac
	# every TCP client's bytes were seen: no gap in any stream
	case $summary in
	*", 0 tcp-gap-bytes"*) ok tcp-gap-bytes "no TCP bytes missing from any stream" ;;
	*) fail tcp-gap-bytes "want 0 tcp-gap-bytes in the summary: $summary" ;;
	esac
	run_check events "$DNSVIS_OUT" "$MANIFEST" --source-prefix "$PREFIX" \
		--pid-field "$PID_FIELD" --cwd "$TMPD"
	run_check bpf "$TMPD/bpf" "$MAIN_PID"
else
	fail filters "skipped: dnsvis never became ready"
	finish
fi

# ---- filters: one short run each ---------------------------------------------
# A gated process: a shell that waits for GATE then execs the client, so its
# pid is known before the query is sent.
gated() { # GATE CMD...
	sh -c 'while [ ! -e "$0" ]; do sleep 0.02; done; exec "$@"' "$@" </dev/null \
		>/dev/null 2>&1 &
	GATED_PID=$!
	GATED_PIDS+=" $GATED_PID"
}
filter_run() { # NAME: after the run, check NAME KEEP DROPS...
	local name=$1
	shift
	if [ "$EXIT_RC" != 0 ]; then
		fail "$name" "exit status $EXIT_RC; stderr: $(err_tail)"
	else
		run_check filter "$DNSVIS_OUT" "$name" "$@"
	fi
}

# --pid: two gated clients, only the first one's pid is traced.
k="pidkeep-$RAND.filter.example" d="piddrop-$RAND.filter.example"
gated "$TMPD/gate.pid" "$CLIENT" -r sendto 127.0.0.1 53 "$k" A 0x2001
keep_pid=$GATED_PID
gated "$TMPD/gate.pid" "$CLIENT" -r sendto 127.0.0.1 53 "$d" A 0x2002
drop_pid=$GATED_PID
start_dnsvis filter-pid --pid "$keep_pid"
if wait_ready filter-pid; then
	touch "$TMPD/gate.pid"
	wait "$keep_pid" "$drop_pid"
	sleep 0.3
	stop_dnsvis
	filter_run filter-pid "$k" "$d"
fi
stop_pid "$keep_pid" KILL 1
stop_pid "$drop_pid" KILL 1

# --comm: dns_client passes, the same binary as other_client does not.
k="commkeep-$RAND.filter.example" d="commdrop-$RAND.filter.example"
start_dnsvis filter-comm --comm dns_client
if wait_ready filter-comm; then
	"$OTHER_CLIENT" -r sendto 127.0.0.1 53 "$d" A 0x2003
	"$CLIENT" -r sendto 127.0.0.1 53 "$k" A 0x2004
	sleep 0.3
	stop_dnsvis
	filter_run filter-comm "$k" "$d"
fi

# --domain GLOB
k="domkeep-$RAND.filter.example" d="domdrop-$RAND.filter.example"
start_dnsvis filter-domain --domain "domkeep-$RAND.*"
if wait_ready filter-domain; then
	"$CLIENT" -r sendto 127.0.0.1 53 "$d" A 0x2005
	"$CLIENT" -r sendto 127.0.0.1 53 "$k" A 0x2006
	sleep 0.3
	stop_dnsvis
	filter_run filter-domain "$k" "$d"
fi

# -c N: exits 0 by itself after N events (uses --domain to ignore other traffic).
start_dnsvis count --domain "count-$RAND-*" -c 2
if wait_ready count; then
	for i in 1 2 3; do
		"$CLIENT" -r sendto 127.0.0.1 53 "count-$RAND-$i.filter.example" A $((0x2010 + i))
		sleep 0.2
	done
	wait_exit 5
	if [ "$EXIT_RC" = 124 ]; then
		fail count "-c 2: still running 5 s after 3 matching queries"
	else
		filter_run count "count-$RAND-1.filter.example" --max 2
	fi
fi

# -d SECONDS: exits 0 by itself after about that long.
start_dnsvis duration --domain "none-$RAND.*" -d 2
if wait_ready duration; then
	wait_exit 15
	el=$(elapsed)
	if [ "$EXIT_RC" = 124 ]; then
		fail duration "-d 2: still running 15 s after start"
	elif [ "$EXIT_RC" != 0 ]; then
		fail duration "-d 2: exit status $EXIT_RC; stderr: $(err_tail)"
	elif awk "BEGIN { exit !($el < 1.8) }"; then
		fail duration "-d 2: exited after only ${el} s"
	else
		ok duration "-d 2 exited 0 after $el s"
	fi
fi

# Lost samples: a one-page ring per CPU and a burst of queries overflow it;
# the loss must be counted in the summary and appear as json "lost" records
# (never silently dropped), and --stats must report on stderr meanwhile.
start_dnsvis lost --perf-pages 1 --stats 1 --domain "lost-$RAND-*"
if wait_ready lost; then
	"$CLIENT" flood-dns 3000 127.0.0.1 53 "lost-$RAND" >/dev/null 2>&1
	sleep 1.3
	stop_dnsvis
	sum_lost=$(grep -E '^dnsvis: [0-9]+ events, [0-9]+ lost' "$DNSVIS_ERR" | tail -n 1 |
		sed -E 's/^dnsvis: [0-9]+ events, ([0-9]+) lost.*/\1/')
	rec_lost=$(python3 -c 'import json,sys
n = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("type") == "lost":
        assert set(e) == {"type", "count", "cpu"}, e
        n += e["count"]
print(n)' "$DNSVIS_OUT" 2>&1)
	events=$(grep -c "lost-$RAND-" "$DNSVIS_OUT")
	if [ -z "$sum_lost" ] || [ "$sum_lost" = 0 ]; then
		fail lost "no loss counted with a 1-page ring (summary: $(err_tail))"
	elif [ "$rec_lost" != "$sum_lost" ]; then
		fail lost "json lost records add up to $rec_lost, summary says $sum_lost"
	elif [ $((events + sum_lost)) -ne 3000 ]; then
		fail lost "$events events + $sum_lost lost != 3000 sent"
	elif ! grep -qE '^dnsvis: stats events=[0-9]+ events/s=[0-9.]+ lost=[0-9]+ malformed=[0-9]+ missed=[0-9]+ unattributed=[0-9]+ tcp-evicted=[0-9]+ mmsg-skipped=[0-9]+ tcp-gap-bytes=[0-9]+' "$DNSVIS_ERR"; then
		fail lost "--stats 1 printed no stats line: $(err_tail)"
	else
		ok lost "$events events + $sum_lost lost = 3000 sent; json lost records agree; --stats lines"
	fi
fi

# Not root: one line naming what is missing, exit 1.
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$DNSVIS" trace 2>&1 </dev/null)
	rc=$?
	if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
		printf '%s' "$out" | grep -q 'CAP_BPF' && printf '%s' "$out" | grep -q 'CAP_SYS_ADMIN'; then
		ok privileges "$out"
	else
		fail privileges "exit $rc, want 1 and one line naming the capabilities: $out"
	fi
else
	fail privileges "setpriv (util-linux) is missing"
fi

# doctor: says what this kernel supports and which backend auto picks.
out=$("$DNSVIS" doctor 2>&1)
rc=$?
if [ "$rc" = 0 ] && printf '%s' "$out" | grep -q '^tracepoints: *yes' &&
	printf '%s' "$out" | grep -q '^backend: *tracepoint (auto)' &&
	printf '%s' "$out" | grep -q '^btf: '; then
	ok doctor "exit 0: $(printf '%s' "$out" | grep '^backend' | tr -s ' ')"
else
	fail doctor "exit $rc: $(printf '%s' "$out" | tr '\n' '|')"
fi

# Usage errors: one line, exit 2.
out=$("$DNSVIS" trace --no-such-option 2>&1)
rc=$?
if [ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
	ok usage "exit 2: $out"
else
	fail usage "exit $rc, want 2 and one line: $out"
fi

finish
