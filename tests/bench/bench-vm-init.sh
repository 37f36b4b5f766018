#!/bin/busybox sh
# bench-vm-init.sh - /init of the bench-vm guest (busybox sh, PID 1; see
# tests/bench/bench-vm.sh).  ROUNDS rounds (from /bench/settings): dnsvis
# (kprobe backend) and the empty kprobe on udp_sendmsg attached at once, the
# attach order swapped each round; loadgen floods UDP port 9 (not DNS) with
# sendto for SECONDS (the hand-written port test kp_floor.bpf.c next to the
# empty one); each program's bpf_stats run_time_ns and run_cnt
# before and after, and the sender's sent count and CPU seconds, go to the
# data port (ttyS1) as one "bench: round ..." line.  The attach order
# rotates through the three programs.  Loopback only.
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
r=1
while [ $r -le "$ROUNDS" ]; do
	# each program in each place of the probe's list once per three rounds:
	# the place changes a program's cost under TCG more than its code does
	case $((r % 3)) in
	1) order=dnsvis,empty,floor; start_dnsvis; start_null; start_floor ;;
	2) order=empty,floor,dnsvis; start_null; start_floor; start_dnsvis ;;
	0) order=floor,dnsvis,empty; start_floor; start_dnsvis; start_null ;;
	esac
	set -- $(stat_of kp_udp_sendmsg) $(stat_of null_udp_send) $(stat_of floor_udp_send)
	d0t=$1 d0c=$2 n0t=$3 n0c=$4 f0t=$5 f0c=$6
	line=$(/bin/loadgen send --port 9 --rate 0 --seconds "$SECONDS" --tag v$r --call sendto 2>&1)
	set -- $(stat_of kp_udp_sendmsg) $(stat_of null_udp_send) $(stat_of floor_udp_send)
	out "round $r $order dnsvis_ns=$(($1 - d0t)) dnsvis_runs=$(($2 - d0c)) null_ns=$(($3 - n0t)) null_runs=$(($4 - n0c)) floor_ns=$(($5 - f0t)) floor_runs=$(($6 - f0c)) $line"
	kill -INT $DV
	kill -TERM $NULL $FLOOR
	wait $DV $NULL $FLOOR
	r=$((r + 1))
done
bye done
