#!/bin/busybox sh
# guest-init.sh - /init of the VM test initramfs (busybox sh, PID 1).
#
# Runs dnsvis through the send-path matrix once per mode listed in
# /vmtest/modes (one "TAG BACKEND BTF [legacy]" line each; BTF is "kernel",
# a file given as --btf, or "embedded": no BTF flag and /bin/dnsvis-embedded,
# whose archive holds this kernel's BTF; for the last two an empty tmpfs
# over /sys/kernel/btf makes vmlinux truly absent; "legacy" hides the kprobe
# PMU so that libbpf uses kprobe_events) and powers off.  /etc/os-release
# is the distribution's.
# Progress goes to the console (ttyS0).  Every result file goes to the data
# port (ttyS1) between "@@BEGIN TAG/NAME" and "@@END TAG/NAME" lines; the
# host (tests/vm/run.sh) splits them and runs the checks.  Nothing leaves
# the guest's loopback.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
dmesg -n 1
ip link set lo up

say() { echo "vmtest: $*"; }
bye() {
	say "${1:-done}"
	echo "@@DONE" >&3
	sync
	poweroff -f
	sleep 5
	echo o >/proc/sysrq-trigger
}
exec 3>/dev/ttyS1 || { echo "vmtest: no /dev/ttyS1"; poweroff -f; }
stty -F /dev/ttyS1 raw -echo 2>/dev/null
emit() { # NAME FILE: copy FILE to the data port
	echo "@@BEGIN $1" >&3
	[ -e "$2" ] && cat "$2" >&3
	echo "" >&3
	echo "@@END $1" >&3
}
say "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu"
KE=/sys/kernel/tracing/kprobe_events
[ -e "$KE" ] || KE=/sys/kernel/debug/tracing/kprobe_events
ip -6 addr show dev lo | grep -q 'inet6 ::1/' || say "warning: ::1 not on lo"

W=/run/vmtest
mkdir -p $W
cd $W || bye "no $W"
/bin/responder $W/responder.ready 2>$W/responder.err &
RESP=$!
i=0
while [ ! -e $W/responder.ready ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e $W/responder.ready ] || { cat $W/responder.err; bye "responder did not start"; }

CLIENT=/bin/dns_client
FAILED_CLIENTS=""
# record NAME KIND DOMAIN QTYPES PID COMM EXE DADDRS PROTO TXID CMDLINE
# (the manifest format of tests/live/check.py; ppid is this shell)
record() {
	record_to "$MAN" "$@"
}
record_to() { # FILE NAME KIND ...: as record, to FILE
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$5" "$6" \
		"$$" "$7" "$8" "$9" "${10}" "${11}" "${12}" >>"$1"
}
# client NAME PATH SERVER QTYPE [DADDRS [QTYPES [PROTO]]]
client() {
	local name=$1 path=$2 server=$3 qtype=$4 daddrs=${5:-$3} qtypes=${6:-$4} proto=${7:-udp} dom txid
	local ropt=-r out=$W/c
	# no reply comes: the client waits its 1 s beside the next ones
	case $name in silent*) ropt="" out=$W/$name ;; esac
	dom="$name-$TAG-$RAND.test.example"
	IDX=$((IDX + 1))
	txid=$((4096 + IDX * 16))
	case $path in tcp*) txid=$((txid | 32768)) ;; esac # byte 2 of a TCP send: top bit set
	$CLIENT $ropt "$path" "$server" 53 "$dom" "$qtype" "$txid" >$out.out 2>$out.err </dev/null &
	pid=$!
	if [ -n "$ropt" ]; then
		wait $pid || FAILED_CLIENTS="$FAILED_CLIENTS $name($(head -c 100 $out.err))"
	else
		BG="$BG $name:$pid"
	fi
	record "$name" client "$dom" "$qtypes" "$pid" dns_client "$CLIENT" "$daddrs" "$proto" "$txid" \
		"$CLIENT${ropt:+ $ropt} $path $server 53 $dom $qtype $txid"
}
# resp_client NAME PATH QTYPE QTYPES PROTO [f]: a response case only
# (responses.tsv, the manifest format; not a send-path case: truncate's
# query goes out twice, over UDP and TCP), in the background, its reply
# required; f: read with recvfrom(2) on the unconnected socket.  NAME's
# first word is the responder's prefix (tests/vm/responder.c).
resp_client() {
	local name=$1 path=$2 qtype=$3 opt=-r${6:-} dom txid
	dom="$name-$TAG-$RAND.test.example"
	IDX=$((IDX + 1))
	txid=$((4096 + IDX * 16))
	$CLIENT $opt "$path" 127.0.0.1 53 "$dom" "$qtype" "$txid" >$W/$name.out 2>$W/$name.err \
		</dev/null &
	pid=$!
	BG="$BG $name:$pid"
	record_to $D/responses.tsv "$name" client "$dom" "$4" "$pid" dns_client "$CLIENT" 127.0.0.1 \
		"$5" "$txid" "$CLIENT $opt $path 127.0.0.1 53 $dom $qtype $txid"
}
# The response cases (tests/vm/check.py, row "responses"), besides the
# answers to sendto and tcp: NXDOMAIN, and no reply; SERVFAIL, REFUSED, A
# and AAAA behind a CNAME chain, an answer 300 ms late, an answer read
# 300 ms after it arrived, a truncated UDP answer and the TCP retry, an
# answer from a wrong port.  The ones that
# must time out (--timeout 1) first, so that the timeout records are out
# before dnsvis stops; the new ones run beside the send-path cases.
cases() {
	: >$D/responses.tsv
	client silent sendto 127.0.0.1 A
	resp_client wrongport sendto A A udp f
	resp_client late sendto A A udp
	resp_client slowread send A A udp S
	resp_client chain sendmmsg A A,AAAA udp
	resp_client servfail sendto A A udp
	resp_client refused send A A udp
	resp_client truncate tc-retry A A udp,tcp
	client nx sendto 127.0.0.1 A
	client sendto sendto 127.0.0.1 A
	client send send 127.0.0.1 A
	client write write 127.0.0.1 A
	client writev writev 127.0.0.1 A
	client sendmsg1 sendmsg1 127.0.0.1 A
	client sendmsg3 sendmsg3 127.0.0.1 TXT
	client sendmsg-connected sendmsg-connected 127.0.0.1 A
	client sendmmsg sendmmsg 127.0.0.1 A 127.0.0.1 A,AAAA
	client sendmmsg8 sendmmsg8 127.0.0.1 A 127.0.0.1 A,AAAA,A,AAAA,A,AAAA,A,AAAA
	client sendmsg-namelen0 sendmsg-namelen0 127.0.0.1 A
	client ipv6 ipv6 ::1 AAAA
	client v4mapped v4mapped 127.0.0.1 A 127.0.0.1,::ffff:127.0.0.1
	client tcp tcp 127.0.0.1 A 127.0.0.1 A tcp
	client tcp-writev tcp-writev 127.0.0.1 AAAA 127.0.0.1 AAAA tcp
	client tcp-two tcp-two 127.0.0.1 A 127.0.0.1 A,AAAA tcp
	client tcp-vc tcp-vc 127.0.0.1 A 127.0.0.1 A,AAAA tcp
	client tcp-lensplit tcp-lensplit 127.0.0.1 A 127.0.0.1 A tcp
	client tcp-split tcp-split 127.0.0.1 A 127.0.0.1 A tcp
	dom="busybox-nslookup-$TAG-$RAND.test.example"
	/bin/busybox nslookup "$dom" 127.0.0.1 >$W/c.out 2>$W/c.err </dev/null &
	pid=$!
	wait $pid || FAILED_CLIENTS="$FAILED_CLIENTS busybox-nslookup($(head -c 100 $W/c.err))"
	record busybox-nslookup resolver "$dom" A,AAAA "$pid" busybox /bin/busybox 127.0.0.1 udp - \
		"/bin/busybox nslookup $dom 127.0.0.1"
	for b in $BG; do
		wait ${b#*:} || FAILED_CLIENTS="$FAILED_CLIENTS ${b%%:*}($(head -c 100 $W/${b%%:*}.err))"
	done
	BG=""
}
# cg_client NAME DIR [NOTE]: one query from a process moved into cgroup
# DIR/docker/<new 64-hex id> the moment before, the cgroup removed the
# moment after (cgroups.txt: NAME DOMAIN ID [NOTE])
cg_client() {
	local id dom dir
	id=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	dom="$1-$TAG-$RAND.test.example"
	dir=$2/docker/$id
	mkdir -p "$dir" || { FAILED_CLIENTS="$FAILED_CLIENTS $1(mkdir $dir)"; return; }
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" \
		$CLIENT -r sendto 127.0.0.1 53 "$dom" A 999 >$W/c.out 2>$W/c.err </dev/null ||
		FAILED_CLIENTS="$FAILED_CLIENTS $1($(head -c 100 $W/c.err))"
	rmdir "$dir" "$2/docker"
	echo "$1 $dom $id ${3:-}" >>$D/cgroups.txt
}
# the cgroup names the kernel captures: cgroup v2, and a v1 memory
# hierarchy mounted here (the sender stays in the v2 root); pids where the
# kernel has no v1 memory controller (6.12 without CONFIG_MEMCG_V1)
cg_cases() {
	local c
	: >$D/cgroups.txt
	cg_client cgroup-v2 /sys/fs/cgroup
	mkdir -p /run/cgv1
	for c in memory pids ""; do
		[ -n "$c" ] && mount -t cgroup -o $c vmtest-cg1 /run/cgv1 2>/dev/null && break
	done
	if [ -n "$c" ]; then
		cg_client cgroup-v1 /run/cgv1 "v1-$c"
		umount /run/cgv1
	else
		FAILED_CLIENTS="$FAILED_CLIENTS cgroup-v1(mount -t cgroup -o memory / pids failed)"
	fi
}
bpf_snap() { # WHEN
	for k in prog perf link; do
		timeout 30 bpftool -j $k show >$D/bpf/$k.$1.json 2>$D/bpf/$k.$1.err
	done
}

# run_mode TAG BACKEND BTF [legacy]
run_mode() {
	TAG=$1 BACKEND=$2 BTF=$3 LEGACY=${4:-}
	D=$W/$TAG
	MAN=$D/manifest.tsv
	mkdir -p $D/bpf
	: >$MAN
	FAILED_CLIENTS=""
	IDX=0
	RAND=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	BTFARG=""
	DV_BIN=/bin/dnsvis
	if [ "$BTF" != kernel ]; then
		mount -t tmpfs -o size=16k,mode=755 vmtest-no-btf /sys/kernel/btf ||
			say "$TAG: cannot hide /sys/kernel/btf"
		if [ "$BTF" = embedded ]; then
			DV_BIN=/bin/dnsvis-embedded
		else
			BTFARG="--btf $BTF"
		fi
	fi
	ls -l /sys/kernel/btf/vmlinux >$D/btf.txt 2>&1
	$DV_BIN btf which $BTFARG >$D/which.txt 2>&1 </dev/null
	# what each binary says when its BTF sources fail: with BTF absent the
	# main binary (no archive entry for this kernel) must refuse in one
	# line; with the kernel's BTF, an empty vmlinux must be passed over
	if [ "$BTF" != kernel ]; then
		timeout 60 /bin/dnsvis trace -d 1 --backend $BACKEND >$D/msg.txt 2>&1 </dev/null
		echo "status $?" >>$D/msg.txt
	else
		mount --bind /vmtest/empty /sys/kernel/btf/vmlinux &&
			/bin/dnsvis-embedded btf which >$D/msg.txt 2>&1 </dev/null
		echo "status $?" >>$D/msg.txt
		umount /sys/kernel/btf/vmlinux 2>/dev/null
	fi
	# legacy: hide the kprobe PMU, as on kernels before 4.17; libbpf then
	# creates its kprobes through kprobe_events
	PMU=/sys/bus/event_source/devices/kprobe
	if [ "$LEGACY" = legacy ]; then
		mount -t tmpfs -o size=16k,mode=755 vmtest-no-pmu $PMU || say "$TAG: cannot hide $PMU"
	fi
	ls -A $PMU >$D/pmu.txt 2>&1
	timeout 60 $DV_BIN doctor $BTFARG >$D/doctor.txt 2>&1 </dev/null
	# Stale libbpf legacy probes (libbpf 1.1 naming) of a pid that is gone,
	# plus one of a live process and one foreign probe that must survive.
	true &
	dead=$!
	wait $dead
	STALE="libbpf_${dead}_udp_sendmsg_0x0_0"
	STALE6="libbpf_${dead}_udpv6_sendmsg_0x0_1"
	LIVE="libbpf_${RESP}_udp_sendmsg_0x0_0"
	FOREIGN="vmtest_foreign_$RAND"
	{
		echo "p:kprobes/$STALE udp_sendmsg"
		echo "p:kprobes/$STALE6 udpv6_sendmsg"
		echo "p:kprobes/$LIVE udp_sendmsg"
		echo "p:kprobes/$FOREIGN udp_sendmsg"
	} >$D/planted.txt
	while read -r l; do echo "$l" >>$KE || say "$TAG: cannot write '$l' to $KE"; done <$D/planted.txt
	printf 'stale %s\nstale %s\nkeep %s\nkeep %s\n' "$STALE" "$STALE6" "$LIVE" "$FOREIGN" \
		>$D/probes.txt
	cat $KE >$D/kprobe_events.before
	bpf_snap before
	ls -A /sys/fs/bpf >$D/bpffs.before
	T0=$(date +%s)
	# --responses: the receive programs load and attach in every mode (the
	# only load of the tracepoint ones), and the response cases below.
	# The kprobe backend's UDP receive tests the answer's source port
	# against the port set in the kernel (kern/recv_kprobe.bpf.h), so the
	# wrongport case's 5353 is in its set; the tracepoint backend reads
	# every receive of a socket that sent DNS, and sees it with 53 alone.
	PORTARG=""
	[ "$BACKEND" = kprobe ] && PORTARG="--port 53 --port 5353"
	$DV_BIN trace -o json --responses --timeout 1 --backend $BACKEND $BTFARG $PORTARG \
		>$D/events.jsonl 2>$D/dnsvis.err </dev/null &
	DV=$!
	echo "$DV" >$D/dnsvis.pid
	i=0
	while [ $i -lt 900 ]; do
		grep -qs '^dnsvis: ready' $D/dnsvis.err && break
		kill -0 $DV 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	if grep -q '^dnsvis: ready' $D/dnsvis.err; then
		echo "ready after $(($(date +%s) - T0)) s" >$D/ready.txt
		say "$TAG: $(cat $D/ready.txt); sending queries"
		cat $KE >$D/kprobe_events.ready
		cases
		cg_cases
		echo "${FAILED_CLIENTS:-none}" >$D/clients.txt
		sleep 1
		bpf_snap during
		cat $KE >$D/kprobe_events.during
		kill -TERM $DV
		i=0
		while kill -0 $DV 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
		if kill -0 $DV 2>/dev/null; then
			echo "still running 20 s after SIGTERM" >$D/exit.txt
			kill -KILL $DV
			wait $DV
		else
			wait $DV
			echo "status $?" >$D/exit.txt
		fi
	else
		if kill -0 $DV 2>/dev/null; then
			echo "no ready line within 180 s" >$D/ready.txt
			kill -KILL $DV
			wait $DV
		else
			wait $DV
			echo "exited with status $? before ready" >$D/ready.txt
		fi
		say "$TAG: $(cat $D/ready.txt)"
	fi
	bpf_snap after
	cat $KE >$D/kprobe_events.after
	ls -A /sys/fs/bpf >$D/bpffs.after
	say "$TAG: finished in $(($(date +%s) - T0)) s"
	# remove what this run planted and what is still there
	for n in $STALE $STALE6 $LIVE $FOREIGN; do echo "-:kprobes/$n" >>$KE 2>/dev/null; done
	[ "$BTF" != kernel ] && umount /sys/kernel/btf
	[ "$LEGACY" = legacy ] && umount $PMU
	for f in manifest.tsv responses.tsv cgroups.txt events.jsonl dnsvis.err dnsvis.pid ready.txt exit.txt clients.txt \
		btf.txt which.txt msg.txt pmu.txt doctor.txt probes.txt kprobe_events.before kprobe_events.ready kprobe_events.during \
		kprobe_events.after bpffs.before bpffs.after; do
		emit "$TAG/$f" $D/$f
	done
	for f in $D/bpf/*; do emit "$TAG/bpf/${f##*/}" $f; done
	echo "@@RUN-DONE $TAG" >&3
}

echo "@@HELLO $(uname -r) cwd=$W" >&3
# The kprobe programs of both objects, the receive ones too, through this
# kernel's verifier (load, no attach); tests/vm/check.py checks them and
# prints their instruction counts.  (The tracepoint ones: ~10 s more per
# object under TCG; their send programs load in every tracepoint mode.)
V0=$(date +%s)
for be in kprobe; do
	for obj in split legacy; do
		f=$W/verify-$be-$obj.txt
		lf=""
		[ $obj = legacy ] && lf=--legacy
		DNSVIS_VERIFIER_STATS=1 timeout 120 /bin/dnsvis btf load-check \
			--btf /sys/kernel/btf/vmlinux --backend $be --responses $lf >$f 2>&1 </dev/null
		echo "status $?" >>$f
		emit "verify/$be-$obj.txt" $f
	done
done
say "verifier runs done in $(($(date +%s) - V0)) s"
while read -r tag backend btf legacy <&4; do
	[ -n "$tag" ] || continue
	say "run $tag: --backend $backend, btf $btf${legacy:+, $legacy}"
	run_mode "$tag" "$backend" "$btf" "$legacy" 4<&-
done 4</vmtest/modes
kill $RESP
bye "all runs done"
