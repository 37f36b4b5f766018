#!/usr/bin/env bash
# Attribution of `dnsvis trace` with real container runtimes, as root.
#
#   tests/runtimes/run.sh [--keep] [--runtimes LIST] DNSVIS
#
# The runtimes are Debian's packages (scripts/install-deps.sh): docker.io
# (dockerd, cgroupfs driver, no iptables, no bridge), podman (runc, cgroupfs
# manager) and containerd (ctr).  containerd and dockerd are started here
# when they are not running, and exactly what was started here is stopped
# again, by PID (daemons.sh).  No registry: the image is a rootfs tarball
# (busybox-static, a static build of tests/live/dns_client.c and one of
# tests/live/gai_client.c with musl, Alpine's C library), brought
# in with `podman import`, then `podman save` for `docker load` and `ctr
# images import`.  Every container uses the host's network and queries
# tests/live/responder.py on 127.0.0.1:53 (dns_client -r: the reply must
# come, so a container that could not send is told apart from a query
# dnsvis missed).
#
# Per runtime (LIST: comma list of docker,podman,containerd; all by default):
#   burst     20 containers started at once, each sends one query as its
#             first act and exits (`run --rm`): every query attributed
#             exactly (full container id, runtime, name, image, scope
#             container, namespace pid 1).  A ctr container's image comes
#             from containerd's metadata database (meta.db).
#   seq       then 20 more, one after another, each exiting the moment its
#             query is sent (dns_client exit-fast): the same fields.
#   musl      10 containers at once resolve a name with musl's getaddrinfo
#             (a resolv.conf naming 127.0.0.1 mounted over docker's and
#             podman's): its A and AAAA queries, both attributed exactly.
#   lag       dnsvis stopped (SIGSTOP, its cgroup watcher too) while 10
#             containers run one after another, query and are removed, then
#             continued: every query read after its container and cgroup
#             are gone.  Full container id, runtime, scope container and
#             namespace pid 1 must come from the cgroup path the kernel
#             captured at send time; name and image are not asserted (the
#             runtime removed its files before dnsvis could read them).
#   long      a container started before dnsvis, querying every 0.3 s.
#   filter    `--container NAME`: 5 short-lived containers of that name in a
#             row, next to 5 others at the same time; exactly the named
#             one's 5 queries come out.
#   pod       (podman) a container in a podman pod (/libpod_parent/<pod>/libpod-<id>).
# Everything created (containers, pods, images, the containerd namespace)
# is removed at exit, also on failure; the daemons started here are stopped.
#
# Output: "ok CASE" / "FAIL CASE: reason" (and "# RT CASE: N/M exact" for
# each count), then "runtimes: N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/common.sh
. "$HERE/../lib/common.sh"
# shellcheck source=tests/runtimes/daemons.sh
. "$HERE/daemons.sh"
KEEP=0
DNSVIS=""
RUNTIMES=docker,podman,containerd
TIME_LIMIT=420
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) KEEP=1; shift ;;
	--runtimes) RUNTIMES=$2; shift 2 ;;
	-*) echo "usage: $0 [--keep] [--runtimes LIST] DNSVIS" >&2; exit 2 ;;
	*) DNSVIS=$1; shift ;;
	esac
done
[ -n "$DNSVIS" ] || { echo "usage: $0 [--keep] [--runtimes LIST] DNSVIS" >&2; exit 2; }

suite_results runtimes
take_live_lock 900 || { fail setup "another live test run holds /tmp/dnsvis-live.lock"; finish; }

RAND=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
IMAGE=localhost/dnsvis-rt:$RAND
CTRNS=dnsvis-rt-$RAND # containerd namespace of the ctr containers
PFX=dvrt-$RAND        # every container and pod name starts with it
export CONTAINERS_CONF # podman: runc, cgroupfs, ulimits root may set here
PODMAN=(podman --runtime runc)
PODMAN_RUN=(--ulimit nofile=1024:1024 --ulimit nproc=1000:1000)

# ---- cleanup -------------------------------------------------------------
TMPD=""
DNSVIS_PID=""
RESPONDER_PID=""
WATCHDOG_PID=""
IMG_DOCKER=0 IMG_PODMAN=0 IMG_CTR=0 POD=""
PAUSE_IMAGE=localhost/podman-pause:$(podman version --format '{{.Client.Version}}' 2>/dev/null)-0
PAUSE_MADE=0 # podman builds its pause image at the first pod: removed if it was made here
remove_containers() {
	local n
	if dockerd_up; then
		for n in $("$DOCKER" ps -aq --filter "name=^$PFX" 2>/dev/null); do
			timeout 30 "$DOCKER" rm -f "$n" >/dev/null 2>&1
		done
	fi
	for n in $(podman ps -aq --filter "name=^$PFX" 2>/dev/null); do
		timeout 30 podman rm -f -t 0 "$n" >/dev/null 2>&1
	done
	[ -n "$POD" ] && timeout 30 podman pod rm -f "$POD" >/dev/null 2>>"$TMPD/cleanup.err"
	if containerd_up; then
		for n in $(ctr -n "$CTRNS" tasks ls -q 2>/dev/null); do
			timeout 10 ctr -n "$CTRNS" tasks kill -s KILL "$n" >/dev/null 2>&1
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				timeout 10 ctr -n "$CTRNS" tasks rm -f "$n" >/dev/null 2>&1 && break
				sleep 0.2
			done
		done
		for n in $(ctr -n "$CTRNS" containers ls -q 2>/dev/null); do
			timeout 10 ctr -n "$CTRNS" containers rm "$n" >/dev/null 2>&1
		done
	fi
}
remove_images() {
	[ "$IMG_DOCKER" = 1 ] && dockerd_up && timeout 30 "$DOCKER" rmi -f "$IMAGE" >/dev/null 2>>"$TMPD/cleanup.err"
	[ "$IMG_PODMAN" = 1 ] && timeout 30 podman rmi -f "$IMAGE" >/dev/null 2>>"$TMPD/cleanup.err"
	[ "$PAUSE_MADE" = 1 ] && timeout 30 podman rmi -f "$PAUSE_IMAGE" >/dev/null 2>>"$TMPD/cleanup.err"
	if [ "$IMG_CTR" = 1 ] && containerd_up; then
		timeout 30 ctr -n "$CTRNS" images rm "$IMAGE" >/dev/null 2>&1
		timeout 30 ctr -n "$CTRNS" content prune references >/dev/null 2>&1
		timeout 30 ctr namespaces rm "$CTRNS" >/dev/null 2>&1
	fi
	# runc leaves the namespace's parent cgroup /<namespace> of ctr's /<namespace>/<id>
	for d in /sys/fs/cgroup/"$CTRNS" /sys/fs/cgroup/*/"$CTRNS"; do
		[ -d "$d" ] && rmdir "$d" 2>>"$TMPD/cleanup.err"
	done
	IMG_DOCKER=0 IMG_PODMAN=0 IMG_CTR=0 PAUSE_MADE=0
}
cleanup() {
	trap - EXIT INT TERM
	stop_pid "$DNSVIS_PID" INT 3
	remove_containers
	remove_images
	stop_daemons
	stop_pid "$RESPONDER_PID" TERM 2
	stop_pid "$WATCHDOG_PID" TERM 1
	if [ -n "$TMPD" ]; then
		if [ "$KEEP" = 1 ]; then echo "# kept $TMPD" >&2; else rm -rf "$TMPD"; fi
	fi
}
trap cleanup EXIT
trap 'echo "runtimes: interrupted" >&2; FAIL=$((FAIL + 1)); finish' INT TERM
start_watchdog runtimes "$TIME_LIMIT"

# ---- preflight -----------------------------------------------------------
[ "$(id -u)" = 0 ] || { fail setup "must run as root"; finish; }
for t in python3 cc musl-gcc containerd ctr dockerd "$DOCKER" podman runc tar; do
	command -v "$t" >/dev/null || { fail setup "missing tool: $t"; finish; }
done
BUSYBOX=$(command -v busybox) || { fail setup "missing tool: busybox"; finish; }
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' || { fail setup "$BUSYBOX is not static (busybox-static)"; finish; }
[ -x "$DNSVIS" ] || { fail setup "not executable: $DNSVIS"; finish; }
DNSVIS=$(realpath "$DNSVIS")
TMPD=$(mktemp -d /tmp/dnsvis-rt.XXXXXX) || { fail setup mktemp; finish; }
CONTAINERS_CONF=$TMPD/containers.conf
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF

start_daemons "$TMPD" 2>"$TMPD/daemons.err" || { fail setup "$(cat "$TMPD/daemons.err")"; finish; }
echo "# daemons started here: containerd ${STARTED_CONTAINERD:-no (running)}, dockerd ${STARTED_DOCKERD:-no (running)}"
start_responder python3 "$TMPD" || { fail setup "responder: $(tail -c 300 "$TMPD/responder.err")"; finish; }

# ---- the image -----------------------------------------------------------
build_image() {
	local r=$TMPD/rootfs a
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" || return 1
	cc -static -O2 -Wall -Wextra -Werror -o "$r/bin/dns_client" "$HERE/../live/dns_client.c" \
		2>"$TMPD/cc.err" || { echo "static dns_client: $(head -c 300 "$TMPD/cc.err")"; return 1; }
	musl-gcc -static -O2 -Wall -Wextra -Werror -o "$r/bin/gai_client" "$HERE/../live/gai_client.c" \
		2>"$TMPD/cc.err" || { echo "musl gai_client: $(head -c 300 "$TMPD/cc.err")"; return 1; }
	cp "$BUSYBOX" "$r/bin/busybox" || return 1
	for a in sh sleep true; do ln -s busybox "$r/bin/$a" || return 1; done
	echo "nameserver 127.0.0.1" >"$r/etc/resolv.conf"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$TMPD/resolv.conf"
	tar -C "$r" -cf "$TMPD/rootfs.tar" . || return 1
	timeout 120 podman import --change 'CMD ["/bin/sh"]' "$TMPD/rootfs.tar" "$IMAGE" >/dev/null 2>"$TMPD/img.err" ||
		{ echo "podman import: $(tail -c 300 "$TMPD/img.err")"; return 1; }
	timeout 120 podman save --format docker-archive -o "$TMPD/image.tar" "$IMAGE" >/dev/null 2>"$TMPD/img.err" ||
		{ echo "podman save: $(tail -c 300 "$TMPD/img.err")"; return 1; }
	timeout 120 "$DOCKER" load -i "$TMPD/image.tar" >/dev/null 2>"$TMPD/img.err" ||
		{ echo "docker load: $(tail -c 300 "$TMPD/img.err")"; return 1; }
	timeout 120 ctr -n "$CTRNS" images import "$TMPD/image.tar" >/dev/null 2>"$TMPD/img.err" ||
		{ echo "ctr images import: $(tail -c 300 "$TMPD/img.err")"; return 1; }
}
IMG_DOCKER=1 IMG_PODMAN=1 IMG_CTR=1 # removed at exit, whatever build_image got to
why=$(build_image) || { fail setup "image: $why"; finish; }
ok image "$IMAGE built from busybox-static, dns_client and musl's getaddrinfo, in podman, docker and containerd"

# ---- containers ----------------------------------------------------------
# run_ctr RT NAME CIDFILE CMD...: one container that runs CMD and is removed
# when it exits (foreground).  With the host's network every runtime gives
# it the host's /etc/resolv.conf, which names this machine's own resolver:
# CTR_RESOLV=1 keeps a resolver in the container on 127.0.0.1 (docker and
# podman: a resolv.conf mounted over theirs; ctr --net-host mounts the
# host's over any, so there the container joins the host's network
# namespace by path instead and keeps the image's, which names 127.0.0.1).
run_ctr() {
	local rt=$1 name=$2 cid=$3 mnt=() cnet=(--net-host)
	shift 3
	if [ "${CTR_RESOLV:-0}" = 1 ]; then
		mnt=(-v "$TMPD/resolv.conf:/etc/resolv.conf:ro")
		cnet=(--with-ns "network:/proc/$$/ns/net")
	fi
	case "$rt" in
	docker) timeout 90 "$DOCKER" run --rm --network host "${mnt[@]}" --cidfile "$cid" --name "$name" \
		"$IMAGE" "$@" ;;
	podman) timeout 90 "${PODMAN[@]}" run --rm --network host "${mnt[@]}" "${PODMAN_RUN[@]}" \
		--cidfile "$cid" --name "$name" "$IMAGE" "$@" ;;
	containerd) echo "$name" >"$cid" && timeout 90 ctr -n "$CTRNS" run --rm "${cnet[@]}" "$IMAGE" \
		"$name" "$@" ;;
	esac
}
# start_long RT NAME CIDFILE CMD...: one container left running.
start_long() {
	local rt=$1 name=$2 cid=$3
	shift 3
	case "$rt" in
	docker) timeout 90 "$DOCKER" run -d --network host --cidfile "$cid" --name "$name" "$IMAGE" "$@" ;;
	podman) timeout 90 "${PODMAN[@]}" run -d --network host "${PODMAN_RUN[@]}" --cidfile "$cid" \
		--name "$name" "$IMAGE" "$@" ;;
	containerd) echo "$name" >"$cid" && timeout 90 ctr -n "$CTRNS" run -d --net-host "$IMAGE" "$name" "$@" ;;
	esac
}
# The image dnsvis must name, for every runtime: a ctr container's is only
# in containerd's metadata database (meta.db, read by enrich/bolt_reader.c);
# its task's OCI spec names none.
image_of() { echo "$IMAGE"; }
query() { echo /bin/dns_client -r sendto 127.0.0.1 53 "$1" A 4660; }
# the query as the container's one act, exiting the moment it is sent
query_exit() { echo /bin/dns_client exit-fast 127.0.0.1 53 "$1" A 4660; }

# manifest lines: CASE DOMAIN RUNTIME CIDFILE NAME IMAGE NSPID WANT
MANIFEST=$TMPD/manifest.tsv
: >"$MANIFEST"
expect() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$MANIFEST"; }
SPAWN_FAIL=""
# spawn_wait PID...: every container exited 0 (its query was answered)
spawn_wait() {
	local p
	for p in "$@"; do wait "$p" || SPAWN_FAIL+="${SPAWN_FAIL:+; }container job $p exited $?"; done
}

# ---- dnsvis control ------------------------------------------------------
start_dnsvis() { # TAG ARGS... (tests/lib/common.sh)
	local tag=$1
	shift
	start_dnsvis_tag "$tag" -o json "$@"
}
stop_dnsvis() { stop_dnsvis_tag "$1"; }
check() { # CASE OUT
	count_results < <(timeout 60 python3 "$HERE/check.py" "$1" "$2" "$MANIFEST" 2>&1)
}

# ---- cases ---------------------------------------------------------------
case_burst() { # RT
	local rt=$1 i pids=() name dom
	start_dnsvis "$rt-burst" || return
	for ((i = 0; i < 20; i++)); do
		name=$PFX-$rt-b$i dom=$rt-burst-$i.$RAND.test
		expect "$rt-burst" "$dom" "$rt" "$TMPD/$name.cid" "$name" "$(image_of "$rt")" 1 1
		# shellcheck disable=SC2046 # the query's words
		run_ctr "$rt" "$name" "$TMPD/$name.cid" $(query "$dom") >"$TMPD/$name.log" 2>&1 &
		pids+=($!)
	done
	spawn_wait "${pids[@]}"
	# then one after another, each exiting as soon as its query is sent
	for ((i = 0; i < 20; i++)); do
		name=$PFX-$rt-s$i dom=$rt-seq-$i.$RAND.test
		expect "$rt-seq" "$dom" "$rt" "$TMPD/$name.cid" "$name" "$(image_of "$rt")" 1 1
		# shellcheck disable=SC2046
		run_ctr "$rt" "$name" "$TMPD/$name.cid" $(query_exit "$dom") >"$TMPD/$name.log" 2>&1 ||
			SPAWN_FAIL+="${SPAWN_FAIL:+; }$name exited $?"
	done
	stop_dnsvis "$rt-burst"
	check "$rt-burst" "$OUT"
	check "$rt-seq" "$OUT"
}

# musl's getaddrinfo (Alpine's resolver) in 10 containers at once: A and
# AAAA from each, attributed to it
case_musl() { # RT
	local rt=$1 i pids=() name dom
	start_dnsvis "$rt-musl" || return
	for ((i = 0; i < 10; i++)); do
		name=$PFX-$rt-m$i dom=$rt-musl-$i.$RAND.test
		expect "$rt-musl" "$dom" "$rt" "$TMPD/$name.cid" "$name" "$(image_of "$rt")" 1 2
		CTR_RESOLV=1 run_ctr "$rt" "$name" "$TMPD/$name.cid" /bin/gai_client "$dom" \
			>"$TMPD/$name.log" 2>&1 &
		pids+=($!)
	done
	spawn_wait "${pids[@]}"
	stop_dnsvis "$rt-musl"
	check "$rt-musl" "$OUT"
}

case_lag() { # RT
	local rt=$1 i name dom
	start_dnsvis "$rt-lag" || return
	kill -STOP "$DNSVIS_PID"
	for ((i = 0; i < 10; i++)); do
		name=$PFX-$rt-l$i dom=$rt-lag-$i.$RAND.test
		expect "$rt-lag" "$dom" "$rt" "$TMPD/$name.cid" "$name" - 1 1
		# shellcheck disable=SC2046
		run_ctr "$rt" "$name" "$TMPD/$name.cid" $(query_exit "$dom") >"$TMPD/$name.log" 2>&1 ||
			SPAWN_FAIL+="${SPAWN_FAIL:+; }$name exited $?"
	done
	kill -CONT "$DNSVIS_PID"
	stop_dnsvis "$rt-lag"
	check "$rt-lag" "$OUT"
}

case_long() { # RT
	local rt=$1 name=$PFX-$1-long dom
	dom=$rt-long.$RAND.test
	expect "$rt-long" "$dom" "$rt" "$TMPD/$name.cid" "$name" "$(image_of "$rt")" 2+ 1
	start_long "$rt" "$name" "$TMPD/$name.cid" /bin/sh -c \
		"while :; do $(query "$dom"); sleep 0.3; done" >"$TMPD/$name.log" 2>&1 ||
		{ fail "$rt-long" "cannot start: $(tail -c 300 "$TMPD/$name.log")"; return; }
	sleep 1
	start_dnsvis "$rt-long" || return
	sleep 1.5
	stop_dnsvis "$rt-long"
	check "$rt-long" "$OUT"
}

case_filter() { # RT
	local rt=$1 i k pids=() want=$PFX-$1-want name dom
	start_dnsvis "$rt-filter" --container "$want" || return
	for ((i = 0; i < 5; i++)); do
		dom=$rt-want-$i.$RAND.test
		expect "$rt-filter" "$dom" "$rt" "$TMPD/$want.$i.cid" "$want" "$(image_of "$rt")" 1 1
		# shellcheck disable=SC2046
		run_ctr "$rt" "$want" "$TMPD/$want.$i.cid" $(query "$dom") >"$TMPD/$want.$i.log" 2>&1 &
		pids=($!)
		name=$PFX-$rt-other$i dom=$rt-other-$i.$RAND.test
		expect "$rt-filter" "$dom" "$rt" "$TMPD/$name.cid" "$name" "$(image_of "$rt")" 1 0
		# shellcheck disable=SC2046
		run_ctr "$rt" "$name" "$TMPD/$name.cid" $(query "$dom") >"$TMPD/$name.log" 2>&1 &
		pids+=($!)
		spawn_wait "${pids[@]}"
		for k in 1 2 3 4 5 6 7 8 9 10; do # the name is free again (docker, podman)
			[ "$rt" = containerd ] && break
			[ -z "$( ("$DOCKER" ps -aq --filter "name=^$want\$" 2>/dev/null; podman ps -aq \
				--filter "name=^$want\$" 2>/dev/null) | head -1)" ] && break
			sleep 0.2
		done
	done
	stop_dnsvis "$rt-filter"
	check "$rt-filter" "$OUT"
}

case_pod() { # podman: a container inside a pod
	local name=$PFX-podman-inpod dom
	POD=$PFX-pod
	podman image exists "$PAUSE_IMAGE" 2>/dev/null || PAUSE_MADE=1
	timeout 60 podman pod create --network host --name "$POD" >"$TMPD/pod.log" 2>&1 ||
		{ fail podman-pod "pod create: $(tail -c 300 "$TMPD/pod.log")"; return; }
	dom=podman-pod.$RAND.test
	expect podman-pod "$dom" podman "$TMPD/$name.cid" "$name" "$IMAGE" 1 1
	start_dnsvis podman-pod || return
	# shellcheck disable=SC2046
	timeout 90 "${PODMAN[@]}" run --rm --pod "$POD" "${PODMAN_RUN[@]}" --cidfile "$TMPD/$name.cid" \
		--name "$name" "$IMAGE" $(query "$dom") >"$TMPD/$name.log" 2>&1 &
	spawn_wait $!
	stop_dnsvis podman-pod
	check podman-pod "$OUT"
}

for rt in ${RUNTIMES//,/ }; do
	case "$rt" in docker | podman | containerd) ;; *) fail setup "unknown runtime $rt"; continue ;; esac
	t0=$(date +%s)
	case_burst "$rt"
	case_musl "$rt"
	case_lag "$rt"
	case_long "$rt"
	case_filter "$rt"
	[ "$rt" = podman ] && case_pod
	echo "# $rt: $(($(date +%s) - t0)) s"
done

if [ -n "$SPAWN_FAIL" ]; then
	fail containers "$SPAWN_FAIL"
else
	ok containers "every container sent its query and got the reply"
fi

# cleanup check: nothing of this run is left
remove_containers
remove_images
left=$( ("$DOCKER" ps -aq --filter "name=^$PFX"; podman ps -aq --filter "name=^$PFX"
	ctr -n "$CTRNS" containers ls -q) 2>/dev/null | wc -l)
if [ "$left" = 0 ] && ! podman image exists "$IMAGE" 2>/dev/null; then
	ok cleanup "containers, pod and images of this run removed"
else
	fail cleanup "$left containers (or the podman image) left: $(tail -c 300 "$TMPD/cleanup.err" 2>/dev/null)"
fi
finish
