# tests/runtimes/daemons.sh - start containerd and dockerd for the runtime
# suite when they are not running, and stop exactly what was started here,
# by PID.  Source it (bash); it only defines functions.
# shellcheck shell=bash disable=SC2034 # STARTED_*: for the caller

STARTED_CONTAINERD=""
STARTED_DOCKERD=""
DOCKER=/usr/bin/docker # Debian's client (another may be first in PATH)

containerd_up() { timeout 5 ctr version >/dev/null 2>&1; }
dockerd_up() { timeout 5 "$DOCKER" version >/dev/null 2>&1; }

# start_daemons LOGDIR: containerd, then dockerd on that containerd (cgroupfs
# driver, no iptables, no bridge: host networking only).  Status 1 with a
# reason on stderr when one does not come up within 30 s.
start_daemons() {
	local logs=$1 i
	if ! containerd_up; then
		containerd >"$logs/containerd.log" 2>&1 </dev/null &
		STARTED_CONTAINERD=$!
		for ((i = 0; i < 300; i++)); do
			containerd_up && break
			kill -0 "$STARTED_CONTAINERD" 2>/dev/null || break
			sleep 0.1
		done
		containerd_up || { echo "containerd did not start: $(tail -c 300 "$logs/containerd.log")" >&2; return 1; }
	fi
	if ! dockerd_up; then
		dockerd --iptables=false --bridge=none \
			--exec-opt native.cgroupdriver=cgroupfs \
			--containerd=/run/containerd/containerd.sock \
			>"$logs/dockerd.log" 2>&1 </dev/null &
		STARTED_DOCKERD=$!
		for ((i = 0; i < 300; i++)); do
			dockerd_up && break
			kill -0 "$STARTED_DOCKERD" 2>/dev/null || break
			sleep 0.1
		done
		dockerd_up || { echo "dockerd did not start: $(tail -c 300 "$logs/dockerd.log")" >&2; return 1; }
	fi
	return 0
}

# stop_daemons: what start_daemons started, dockerd first (it uses
# containerd), each by its PID: SIGTERM, then SIGKILL after 15 s.
stop_daemons() {
	stop_pid "$STARTED_DOCKERD" TERM 15
	STARTED_DOCKERD=""
	stop_pid "$STARTED_CONTAINERD" TERM 15
	STARTED_CONTAINERD=""
}
