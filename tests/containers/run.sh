#!/usr/bin/env bash
# Container and pod attribution of `dnsvis trace`, on this host, as root.
#
#   tests/containers/run.sh [--keep] DNSVIS
#
# Simulated containers: each is a process in its own pid, mount and network
# namespaces (unshare -p -m -n), placed first in a cgroup v2 directory named
# exactly as a runtime and cgroup driver name it (docker, containerd, CRI-O,
# podman; systemd and cgroupfs shapes; Kubernetes QoS classes).  A fake
# --host-root tree holds /var/log/pods, /var/log/containers and the runtimes'
# state files; its `proc` and `sys` are symlinks to the real /proc and /sys,
# so live processes and cgroups are the real ones.  Each container sends one
# DNS query to 127.0.0.1:53 inside its own network namespace (nothing leaves
# it); a host process in the same run does the same.
#
# Checks: json and kubearmor fields of every sender (container id, runtime,
# pod UID, QoS, pod, namespace, container name, image, labels, namespace pid,
# Type); each filter (--host, --containers, --container id-prefix and name,
# --pod-uid, --k8s-namespace, --pod) passes exactly its senders; the kernel's
# cgroup_filter map holds the cgroups the filter drops, also for cgroups
# made after dnsvis started.  Cgroups, namespaces and files made here are
# removed at exit, also on failure.
#
# Output: "ok CASE" / "FAIL CASE: reason", then "containers: N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/common.sh
. "$HERE/../lib/common.sh"
take_live_lock 900 || {
	echo "containers: another live test run holds /tmp/dnsvis-live.lock"
	exit 1
}
KEEP=0
DNSVIS=""
TIME_LIMIT=240
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) KEEP=1; shift ;;
	-*) echo "usage: $0 [--keep] DNSVIS" >&2; exit 2 ;;
	*) DNSVIS=$1; shift ;;
	esac
done
[ -n "$DNSVIS" ] || { echo "usage: $0 [--keep] DNSVIS" >&2; exit 2; }

suite_results containers
# ---- cleanup -------------------------------------------------------------
TMPD=""
CGBASE=""
DNSVIS_PID=""
WATCHDOG_PID=""
CG_DIRS=() # every cgroup directory made, parents first
remove_cgroups() {
	local i d p
	for ((i = ${#CG_DIRS[@]} - 1; i >= 0; i--)); do
		d=${CG_DIRS[$i]}
		[ -d "$d" ] || continue
		# anything still inside: kill it, move on
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			sleep 0.1
		done
		[ -d "$d" ] && echo "# could not remove cgroup $d" >&2
	done
	CG_DIRS=()
}
cleanup() {
	trap - EXIT INT TERM
	stop_pid "$DNSVIS_PID" INT 3
	remove_cgroups
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ -n "$TMPD" ]; then
		if [ "$KEEP" = 1 ]; then echo "# kept $TMPD" >&2; else rm -rf "$TMPD"; fi
	fi
}
trap cleanup EXIT
trap 'echo "containers: interrupted" >&2; FAIL=$((FAIL + 1)); finish' INT TERM
start_watchdog containers "$TIME_LIMIT"

# ---- preflight -----------------------------------------------------------
[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for t in python3 cc unshare ip bpftool stat; do
	command -v "$t" >/dev/null || { fail setup "missing tool: $t"; finish; }
done
[ -x "$DNSVIS" ] || { fail setup "not executable: $DNSVIS"; finish; }
DNSVIS=$(realpath "$DNSVIS")
# the cgroup2 mount: unified (/sys/fs/cgroup) or hybrid (/sys/fs/cgroup/unified)
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	CG=/sys/fs/cgroup
elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	CG=/sys/fs/cgroup/unified
else
	fail setup "no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified"
	finish
fi
echo "# cgroup2 at $CG"

TMPD=$(mktemp -d /tmp/dnsvis-ctr.XXXXXX) || { fail setup mktemp; finish; }
CLIENT=$TMPD/dns_client
cc -O2 -Wall -Wextra -Werror -o "$CLIENT" "$HERE/../live/dns_client.c" 2>"$TMPD/cc.err" ||
	{ fail setup "cannot build dns_client: $(head -c 400 "$TMPD/cc.err")"; finish; }
RAND=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')

# ---- the simulated containers ---------------------------------------------
hex64() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
uuid() { cat /proc/sys/kernel/random/uuid; }
U1=$(uuid) U2=$(uuid) U3=$(uuid) U4=$(uuid) U5=$(uuid)
u_() { echo "${1//-/_}"; }
ID_DSD=$(hex64) ID_DFS=$(hex64) ID_CSD=$(hex64) ID_CFS=$(hex64) ID_OSD=$(hex64)
ID_OFS=$(hex64) ID_PSD=$(hex64) ID_KDS=$(hex64) ID_OSB=$(hex64)
# Unique top-level names so a stray real runtime never collides with us.
T="dnsvis-test-$RAND"
# key|cgroup path|runtime|id|pod uid|qos|namespace|pod|container|image|labels
SPECS=(
	"docker-systemd|/$T.slice/docker-$ID_DSD.scope|docker|$ID_DSD|||||web-docker|nginx:1.27|app=web,tier=front"
	"docker-cgroupfs|/$T/docker/$ID_DFS|docker|$ID_DFS|||||cache|redis:7|"
	"containerd-systemd|/$T.slice/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(u_ "$U1").slice/cri-containerd-$ID_CSD.scope|containerd|$ID_CSD|$U1|burstable|shop|frontend-6f7d9c-x2x9q|app|registry.example/shop/frontend:2.1|"
	"containerd-cgroupfs|/$T/kubepods/besteffort/pod$U2/$ID_CFS|containerd|$ID_CFS|$U2|besteffort|batch|job-x-abc12|worker|registry.example/batch/worker@sha256:0f0e|"
	"crio-systemd|/$T.slice/kubepods.slice/kubepods-pod$(u_ "$U3").slice/crio-$ID_OSD.scope|cri-o|$ID_OSD|$U3|guaranteed|shop|api-0|api|quay.io/shop/api:v3|app=api,team=core"
	"crio-cgroupfs|/$T/kubepods/burstable/pod$U4/crio-$ID_OFS|cri-o|$ID_OFS|$U4|burstable|kube-system|coredns-55cb58b774-9k2zq|coredns|registry.k8s.io/coredns/coredns:v1.11.1|"
	"podman|/$T.slice/machine.slice/libpod-$ID_PSD.scope/container|podman|$ID_PSD|||||pm-box|docker.io/library/alpine:3.20|"
	"docker-k8s|/$T.slice/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(u_ "$U5").slice/docker-$ID_KDS.scope|docker|$ID_KDS|$U5|besteffort|legacy|old-app-1|main|busybox:1.36|app=old"
	"host|/$T.slice/host-session.scope|||||||||"
)

FR=$TMPD/root # the fake host root
mkdir -p "$FR/var/log/pods" "$FR/var/log/containers" "$FR/var/lib/docker/containers" \
	"$FR/run/containerd/io.containerd.runtime.v2.task/k8s.io" \
	"$FR/run/containers/storage/overlay-containers" "$FR/var/lib/containers/storage/overlay-containers"
ln -s /proc "$FR/proc"
ln -s /sys "$FR/sys"

# put FILE TEXT
put() { mkdir -p "$(dirname "$1")" && printf '%s' "$2" >"$1"; }
make_state() { # the runtimes' and kubelet's files for one spec
	local key=$1 id=${4:-} uid=${5:-} ns=${7:-} pod=${8:-} cn=${9:-} img=${10:-} lab=${11:-} labj="" kv
	if [ -n "$lab" ]; then
		for kv in ${lab//,/ }; do labj+="${labj:+,}\"${kv%%=*}\":\"${kv#*=}\""; done
	fi
	[ -n "$uid" ] && mkdir -p "$FR/var/log/pods/${ns}_${pod}_${uid}/$cn"
	case "$key" in
	docker-systemd | docker-cgroupfs)
		put "$FR/var/lib/docker/containers/$id/config.v2.json" \
			"{\"ID\":\"$id\",\"Name\":\"/$cn\",\"Config\":{\"Hostname\":\"x\",\"Image\":\"$img\",\"Labels\":{$labj}},\"State\":{\"Running\":true}}" ;;
	docker-k8s) # cri-dockerd: kubelet labels on the container, pod labels on the sandbox
		put "$FR/var/lib/docker/containers/$id/config.v2.json" \
			"{\"Name\":\"/k8s_${cn}_${pod}_${ns}_${uid}_0\",\"Config\":{\"Image\":\"$img\",\"Labels\":{\"io.kubernetes.container.name\":\"$cn\",\"io.kubernetes.pod.name\":\"$pod\",\"io.kubernetes.pod.namespace\":\"$ns\",\"io.kubernetes.pod.uid\":\"$uid\",\"io.kubernetes.sandbox.id\":\"$ID_OSB\"}}}"
		put "$FR/var/lib/docker/containers/$ID_OSB/config.v2.json" \
			"{\"Name\":\"/k8s_POD_${pod}_${ns}_${uid}_0\",\"Config\":{\"Image\":\"registry.k8s.io/pause:3.9\",\"Labels\":{$labj,\"io.kubernetes.pod.name\":\"$pod\",\"io.kubernetes.docker.type\":\"podsandbox\"}}}" ;;
	containerd-systemd) # containerd CRI annotations in the OCI spec
		put "$FR/run/containerd/io.containerd.runtime.v2.task/k8s.io/$id/config.json" \
			"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"/app\"]},\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.container-name\":\"$cn\",\"io.kubernetes.cri.image-name\":\"$img\",\"io.kubernetes.cri.sandbox-id\":\"$(hex64)\",\"io.kubernetes.cri.sandbox-name\":\"$pod\",\"io.kubernetes.cri.sandbox-namespace\":\"$ns\",\"io.kubernetes.cri.sandbox-uid\":\"$uid\"}}" ;;
	containerd-cgroupfs) # older containerd: image only; pod from kubelet's logs
		put "$FR/run/containerd/io.containerd.runtime.v2.task/k8s.io/$id/config.json" \
			"{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.image-name\":\"$img\"}}"
		ln -s "../pods/${ns}_${pod}_${uid}/$cn/0.log" "$FR/var/log/containers/${pod}_${ns}_${cn}-${id}.log" ;;
	crio-systemd | crio-cgroupfs) # CRI-O: kubelet annotations; pod labels on the sandbox
		local sb
		sb=$(hex64)
		put "$FR/run/containers/storage/overlay-containers/$id/userdata/config.json" \
			"{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.container.name\":\"$cn\",\"io.kubernetes.pod.name\":\"$pod\",\"io.kubernetes.pod.namespace\":\"$ns\",\"io.kubernetes.pod.uid\":\"$uid\",\"io.kubernetes.cri-o.ImageName\":\"$img\",\"io.kubernetes.cri-o.SandboxID\":\"$sb\",\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.container.name\\\":\\\"$cn\\\"}\"}}"
		put "$FR/run/containers/storage/overlay-containers/$sb/userdata/config.json" \
			"{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\",\"io.kubernetes.cri-o.Labels\":\"{${labj//\"/\\\"}${labj:+,}\\\"io.kubernetes.pod.name\\\":\\\"$pod\\\"}\"}}" ;;
	podman) # containers/storage's containers.json
		put "$FR/var/lib/containers/storage/overlay-containers/$id/userdata/config.json" \
			"{\"ociVersion\":\"1.1.0\",\"annotations\":{\"io.container.manager\":\"libpod\"}}"
		put "$FR/var/lib/containers/storage/overlay-containers/containers.json" \
			"[{\"id\":\"$(hex64)\",\"names\":[\"other\"],\"metadata\":\"{}\"},{\"id\":\"$id\",\"names\":[\"$cn\"],\"image\":\"$(hex64)\",\"metadata\":\"{\\\"image-name\\\":\\\"$img\\\",\\\"name\\\":\\\"$cn\\\"}\"}]" ;;
	esac
}
for s in "${SPECS[@]}"; do
	IFS='|' read -r -a f <<<"$s"
	make_state "${f[@]}"
done

# mkcg PATH: make the cgroup (and its parents), remembered for cleanup
mkcg() {
	local rel=$1 acc=""
	local IFS=/
	for c in ${rel#/}; do
		acc+="/$c"
		if [ ! -d "$CG$acc" ]; then
			mkdir "$CG$acc" || return 1
			CG_DIRS+=("$CG$acc")
		fi
	done
}
make_cgroups() {
	local s f
	for s in "${SPECS[@]}"; do
		IFS='|' read -r -a f <<<"$s"
		mkcg "${f[1]}" || { fail setup "cannot make cgroup $CG${f[1]}"; finish; }
	done
}

# The manifest (JSON) the checker reads: what every sender must look like.
write_manifest() {
	python3 - "$TMPD/manifest.json" "$CG" "$RAND" "${SPECS[@]}" <<'EOF'
import json, os, sys
out, cg, rand = sys.argv[1:4]
man = {}
for s in sys.argv[4:]:
    f = s.split("|")
    key = f[0]
    host = key == "host"
    man[key] = {"scope": "host" if host else "container", "runtime": f[2], "id": f[3],
                "pod_uid": f[4], "qos": f[5], "ns": f[6], "pod": f[7], "cname": f[8],
                "image": f[9], "labels": f[10], "rand": rand,
                "cgroup_id": os.stat(cg + f[1]).st_ino}
json.dump(man, open(out, "w"), indent=1)
EOF
}

# send_all RUN: every sender once, each from its cgroup, in its namespaces
send_all() {
	local run=$1 s f pids=() p
	for s in "${SPECS[@]}"; do
		IFS='|' read -r -a f <<<"$s"
		local dom="${f[0]}-$run.$RAND.test" cgp="$CG${f[1]}/cgroup.procs"
		if [ "${f[0]}" = host ]; then
			# a host process: host pid namespace, a cgroup of no container
			sh -c 'echo $$ >"$0" && exec unshare -n sh -c "ip link set lo up && exec \"\$@\"" sh "$@"' \
				"$cgp" "$CLIENT" -n sendto 127.0.0.1 53 "$dom" A 4660 \
				>"$TMPD/send.$run.${f[0]}.err" 2>&1 </dev/null &
		else
			sh -c 'echo $$ >"$0" && exec unshare -p -m -n -f --mount-proc sh -c "ip link set lo up && exec \"\$@\"" sh "$@"' \
				"$cgp" "$CLIENT" -n sendto 127.0.0.1 53 "$dom" A 4660 \
				>"$TMPD/send.$run.${f[0]}.err" 2>&1 </dev/null &
		fi
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || SEND_PROBLEMS+="${SEND_PROBLEMS:+; }pid $p failed"
	done
}

# ---- dnsvis control ------------------------------------------------------
start_dnsvis() { # TAG ARGS... (tests/lib/common.sh)
	local tag=$1
	shift
	start_dnsvis_tag "$tag" --host-root "$FR" --cluster-name testcluster "$@"
}
stop_dnsvis() { stop_dnsvis_tag "$1"; }

# ---- runs ----------------------------------------------------------------
make_cgroups
write_manifest || { fail setup "manifest"; finish; }
SEND_PROBLEMS=""

for fmt in json kubearmor; do
	start_dnsvis "attrib-$fmt" -o "$fmt" || continue
	send_all "a$fmt"
	stop_dnsvis "attrib-$fmt"
	count_results < <(timeout 30 python3 "$HERE/check.py" attrib "$fmt" "$OUT" \
		"$TMPD/manifest.json" "a$fmt" 2>&1)
done

ALL_CTR="docker-systemd,docker-cgroupfs,containerd-systemd,containerd-cgroupfs,crio-systemd,crio-cgroupfs,podman,docker-k8s"
# filter runs: NAME KEEP ARGS...
filter_case() {
	local name=$1 keep=$2 drops="" k
	shift 2
	start_dnsvis "filter-$name" -o json "$@" || return
	send_all "f$name"
	# cgroups made after dnsvis started: the rescan (every second) must
	# bring them into the kernel's drop set
	sleep 1.6
	timeout 10 bpftool -j map dump name cgroup_filter >"$TMPD/kmap.$name.json" 2>"$TMPD/kmap.$name.err"
	stop_dnsvis "filter-$name"
	count_results < <(timeout 30 python3 "$HERE/check.py" filter "$name" "$OUT" \
		"$TMPD/manifest.json" "f$name" "$keep" 2>&1)
	for k in ${ALL_CTR//,/ }; do
		case ",$keep," in *",$k,"*) ;; *) drops+="${drops:+,}$k" ;; esac
	done
	count_results < <(timeout 30 python3 "$HERE/check.py" kmap "$name" "$TMPD/kmap.$name.json" \
		"$TMPD/manifest.json" "$drops" 2>&1)
}
filter_case host host --host
filter_case containers "$ALL_CTR" --containers
filter_case container-prefix containerd-systemd --container "${ID_CSD:0:12}"
filter_case container-name crio-cgroupfs --container coredns
filter_case pod-uid crio-systemd --pod-uid "$U3"
filter_case k8s-namespace containerd-systemd,crio-systemd --k8s-namespace shop
filter_case pod containerd-cgroupfs --pod job-x-abc12

# a container whose cgroup appears while dnsvis runs: attributed, and once
# the rescan ran, dropped in the kernel when the filter does not want it
LATE_ID=$(hex64)
LATE="/$T.slice/docker-$LATE_ID.scope"
put "$FR/var/lib/docker/containers/$LATE_ID/config.v2.json" \
	"{\"Name\":\"/late\",\"Config\":{\"Image\":\"late:1\",\"Labels\":{}}}"
if start_dnsvis late -o json --container "${ID_DSD:0:16}"; then
	sleep 0.3
	mkcg "$LATE" || fail late "cannot make cgroup"
	sleep 1.6
	timeout 10 bpftool -j map dump name cgroup_filter >"$TMPD/kmap.late.json" 2>/dev/null
	stop_dnsvis late
	count_results < <(timeout 30 python3 "$HERE/check.py" late "$TMPD/kmap.late.json" \
		"$(stat -c %i "$CG$LATE")" 2>&1)
fi

if [ -n "$SEND_PROBLEMS" ]; then
	fail senders "$SEND_PROBLEMS"
else
	ok senders "every simulated container and the host process sent its query"
fi

# cleanup check: everything made here goes away
remove_cgroups
if [ -d "$CG/$T.slice" ] || [ -d "$CG/$T" ]; then
	fail cleanup "test cgroups left under $CG"
else
	ok cleanup "test cgroups removed"
fi
finish
