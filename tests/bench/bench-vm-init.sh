#!/bin/busybox sh
# bench-vm-init.sh - /init of the bench-vm guest (busybox sh, PID 1; see
# tests/bench/bench-vm.sh).  ROUNDS rounds (from /bench/settings): dnsvis
# (kprobe backend), the empty kprobe on udp_sendmsg and the hand-written
# port test kp_floor.bpf.c, each alone on the probe in turn (the order
# rotating), while loadgen floods UDP port 9 (not DNS) with sendto for
# SECONDS; each program's bpf_stats run_time_ns and run_cnt over its flood,
# and the sender's sent count and CPU seconds in that flood, go to the data
# port (ttyS1) as one "bench: round ..." line.  Loopback only.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
dmesg -n 1
ip link set lo up
exec 3>/dev/ttyS1 || { echo "bench: no /dev/ttyS1"; poweroff -f; }
stty -F /dev/ttyS1 raw -echo 2>/dev/null
. /bench/settings
out() { echo "bench: $*" >&3; echo "benchvm: $*"; }
bye() {
	out "${1:-done}"
	sync
	poweroff -f
	sleep 5
	echo o >/proc/sysrq-trigger
}
out "kernel $(uname -r)"
echo 1 >/proc/sys/kernel/bpf_stats_enabled || bye "error: no kernel.bpf_stats_enabled"
cd /tmp || bye "error: no /tmp"
/bin/loadgen sink 9 >sink.out 2>sink.err &
wait_for() { # FILE PATTERN TENTHS
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && return 1
		sleep 0.1
	done
}
wait_for sink.out '^sink: ready' 100 || bye "error: sink did not start: $(head -c 200 sink.err)"
start_dnsvis() {
	/bin/dnsvis trace --backend kprobe -o json --port 53 >/dev/null 2>dnsvis.err &
	DV=$!
	wait_for dnsvis.err '^dnsvis: ready' 1200 || bye "error: dnsvis did not get ready: $(head -c 300 dnsvis.err)"
}
start_null() {
	/bin/tp_attach /bench/kp_null.bpf.o >null.out 2>null.err &
	NULL=$!
	wait_for null.out '^attached' 600 || bye "error: the empty kprobe did not attach: $(head -c 300 null.err)"
}
start_floor() {
	/bin/tp_attach /bench/kp_floor.bpf.o >floor.out 2>floor.err &
	FLOOR=$!
	wait_for floor.out '^attached' 600 || bye "error: kp_floor did not attach: $(head -c 300 floor.err)"
}
stat_of() { # NAME -> "run_time_ns run_cnt" of the newest loaded program NAME
	# (the highest id: one of an earlier round may not be freed yet)
	bpftool prog show | awk -v n="$1" '
		/^[0-9]+:/ { want = 0; id = $1 + 0; for (i = 1; i < NF; i++) if ($i == "name" && $(i + 1) == n && id > best) { want = 1; best = id; t = 0; c = 0 } }
		want { for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
		END { print t + 0, c + 0 }'
}
measure() { # KEY PROGRAM: flood with PROGRAM alone on the probe -> KEY_ns= KEY_runs= KEY_sent= KEY_cpu=
	set -- "$1" $(stat_of "$2") "$2"
	k=$1 t0=$2 c0=$3 p=$4
	l=$(/bin/loadgen send --port 9 --rate 0 --seconds "$SECONDS" --tag "v$r$k" --call sendto 2>&1)
	set -- $(stat_of "$p")
	sent=$(echo "$l" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	cpu=$(echo "$l" | sed -n 's/.*cpu=\([0-9.]*\).*/\1/p')
	echo "${k}_ns=$(($1 - t0)) ${k}_runs=$(($2 - c0)) ${k}_sent=${sent:-0} ${k}_cpu=${cpu:-0}"
}
r=1
while [ $r -le "$ROUNDS" ]; do
	# each program alone on the probe, as dnsvis runs in use (one that
	# shares it pays for what the one before it did), in turn; the order
	# rotates so that TCG's drift does not favour one
	case $((r % 3)) in
	1) order="dnsvis empty floor" ;;
	2) order="empty floor dnsvis" ;;
	0) order="floor dnsvis empty" ;;
	esac
	fields=""
	for p in $order; do
		case $p in
		dnsvis) start_dnsvis; fields="$fields $(measure dnsvis kp_udp_sendmsg)"; kill -INT $DV; wait $DV ;;
		empty) start_null; fields="$fields $(measure null null_udp_send)"; kill -TERM $NULL; wait $NULL ;;
		floor) start_floor; fields="$fields $(measure floor floor_udp_send)"; kill -TERM $FLOOR; wait $FLOOR ;;
		esac
	done
	out "round $r $(echo $order | tr ' ' ,)$fields"
	r=$((r + 1))
done
bye done
