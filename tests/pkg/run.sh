#!/usr/bin/env bash
# tests/pkg/run.sh DNSVIS - what a legacy host installs: the systemd unit,
# the .deb and .rpm, and the DaemonSet's view of the host.
#
#  - the unit has no condition on kernel BTF, uses only what RHEL 7's systemd
#    219 knows except directives whose comment names the newer version, and
#    `systemd-analyze verify` prints nothing for it as each package installs it;
#  - `make deb` / `make rpm` build; lintian finds no error in the .deb;
#    `rpm -qlp` lists exactly the intended files; both install into a
#    scratch root (dpkg --root, rpm --root --nodeps) with exactly those
#    files, and the installed binary runs there;
#  - the DaemonSet passes --host-root for the host's root it mounts, and with
#    that root holding Amazon Linux 2's os-release `dnsvis btf which` names
#    the embedded BTF.
# Prints ok/FAIL lines and "pkg: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
DNSVIS=${1:?usage: tests/pkg/run.sh DNSVIS}
case $DNSVIS in /*) ;; *) DNSVIS=$PWD/$DNSVIS ;; esac
BUILD=${BUILD:-$(dirname "$DNSVIS")}
VERSION=$(sed -n 's/^#define DNSVIS_VERSION "\(.*\)"/\1/p' user/main.c)
DEB=$BUILD/pkg/dnsvis_${VERSION}_amd64.deb
RPM=$BUILD/pkg/dnsvis-$VERSION-1.x86_64.rpm
UNIT=scripts/dnsvis.service
pass=0 fail=0
ok() {
	echo "ok   $*"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}
T=$(mktemp -d "${TMPDIR:-/tmp}/pkgtest.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ---- the unit -------------------------------------------------------------
if grep -nE '^(Condition|Assert)[A-Za-z]*=.*(btf|/sys/kernel)' "$UNIT" >"$T/cond"; then
	bad "unit: condition on kernel BTF: $(tr '\n' ' ' <"$T/cond")"
else
	ok "unit: no condition or assertion on kernel BTF"
fi
# Directives systemd 219 (RHEL 7) knows, as this unit uses them; a newer
# one, or a newer value of an old one, must follow a comment naming its
# systemd version.  Versions from systemd's NEWS.
if python3 - "$UNIT" >"$T/v219" 2>&1 <<'PY'; then
import re, sys
OLD = {"Description", "Documentation", "After", "Before", "Wants", "Requires", "Type",
       "ExecStartPre", "ExecStart", "ExecReload", "KillSignal", "TimeoutStopSec", "Restart",
       "RestartSec", "CapabilityBoundingSet", "LimitMEMLOCK", "NoNewPrivileges", "ProtectHome",
       "PrivateTmp", "StandardOutput", "StandardError", "WantedBy", "ProtectSystem"}
NEWER = {"LogsDirectory": 235, "ReadWritePaths": 231, "AmbientCapabilities": 229,
         "ProtectKernelTunables": 232, "ProtectControlGroups": 232, "StateDirectory": 235,
         "RuntimeDirectory": 211}
NEW_VALUES = {("ProtectSystem", "strict"): 232}
CAPS_219 = re.compile(r"^CAP_(CHOWN|DAC_OVERRIDE|DAC_READ_SEARCH|FOWNER|FSETID|KILL|SETGID|SETUID|"
                      r"SETPCAP|LINUX_IMMUTABLE|NET_BIND_SERVICE|NET_BROADCAST|NET_ADMIN|NET_RAW|"
                      r"IPC_LOCK|IPC_OWNER|SYS_MODULE|SYS_RAWIO|SYS_CHROOT|SYS_PTRACE|SYS_PACCT|"
                      r"SYS_ADMIN|SYS_BOOT|SYS_NICE|SYS_RESOURCE|SYS_TIME|SYS_TTY_CONFIG|MKNOD|"
                      r"LEASE|AUDIT_WRITE|AUDIT_CONTROL|SETFCAP|MAC_OVERRIDE|MAC_ADMIN|SYSLOG|"
                      r"WAKE_ALARM|BLOCK_SUSPEND|AUDIT_READ)$")
errs, comment, newer = [], "", 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if line.startswith("#"):
        comment += line + "\n"
        continue
    if not line.strip() or line.startswith("["):
        comment = ""
        continue
    key, _, val = line.partition("=")
    if "#" in val:
        errs.append("line %d: '#' inside a value (systemd has no inline comments)" % n)
    need = NEWER.get(key) or NEW_VALUES.get((key, val.strip()))
    if key not in OLD and key not in NEWER:
        errs.append("line %d: %s is not in this test's table: add its systemd version" % (n, key))
    elif need:
        newer += 1
        if not re.search(r"systemd %d\b" % need, comment) and not re.search(
                r"\b%d\b" % need, comment):
            errs.append("line %d: %s needs systemd %d and no comment says so" % (n, line, need))
    if key == "CapabilityBoundingSet":
        errs += ["line %d: %s unknown to systemd 219" % (n, c) for c in val.split()
                 if not CAPS_219.match(c.lstrip("~"))]
    comment = ""
if errs:
    print("; ".join(errs))
    sys.exit(1)
print("%d directives newer than 219, each commented with its version" % newer)
PY
	ok "unit: systemd 219 compatible ($(cat "$T/v219"))"
else
	bad "unit: $(cat "$T/v219")"
fi

# ---- packages ---------------------------------------------------------------
if make --no-print-directory deb rpm >"$T/make" 2>&1 && [ -s "$DEB" ] && [ -s "$RPM" ]; then
	ok "make deb rpm: $(basename "$DEB") ($(stat -c %s "$DEB") B), $(basename "$RPM") ($(stat -c %s "$RPM") B)"
else
	bad "make deb rpm: $(grep -v warning "$T/make" | tail -n 3 | tr '\n' ' ')"
fi
files_common='/etc/logrotate.d/dnsvis
/usr/sbin/dnsvis
/usr/share/bash-completion/completions/dnsvis
/usr/share/man/man8/dnsvis.8.gz'
want_deb=$(printf '%s\n%s\n' "$files_common" '/lib/systemd/system/dnsvis.service
/usr/share/doc/dnsvis/changelog.gz
/usr/share/doc/dnsvis/copyright
/usr/share/lintian/overrides/dnsvis' | sort)
want_rpm=$(printf '%s\n%s\n' "$files_common" /usr/lib/systemd/system/dnsvis.service | sort)

if [ -s "$DEB" ]; then
	lintian --fail-on error "$DEB" >"$T/lintian" 2>&1
	rc=$?
	if [ $rc = 0 ] && ! grep -q '^E:' "$T/lintian"; then
		ok "lintian: no errors ($(grep -c '^W:' "$T/lintian") warnings)"
	else
		bad "lintian: rc $rc: $(grep -E '^(E|W):' "$T/lintian" | head -n 5 | tr '\n' ' ')"
	fi
	if dpkg-deb -I "$DEB" conffiles 2>/dev/null | grep -qx /etc/logrotate.d/dnsvis; then
		ok "deb: /etc/logrotate.d/dnsvis is a conffile"
	else
		bad "deb: logrotate file is not a conffile"
	fi
	got=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}' | sort)
	[ "$got" = "$want_deb" ] && ok "deb: exactly the intended files" ||
		bad "deb contents: $(diff <(echo "$want_deb") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
	R=$T/deb-root
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
	: >"$R/var/lib/dpkg/status"
	if dpkg --root="$R" --force-script-chrootless -i "$DEB" >"$T/dpkg" 2>&1 &&
		dpkg --root="$R" -s dnsvis 2>/dev/null | grep -q '^Status: install ok installed'; then
		got=$(cd "$R" && find . -path ./var -prune -o -type f -print | sed 's/^\.//' | sort)
		if [ "$got" = "$want_deb" ]; then
			ok "dpkg --root: installed, exactly the package's files"
		else
			bad "dpkg --root files: $(diff <(echo "$want_deb") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
		fi
	else
		bad "dpkg --root -i: $(tail -n 3 "$T/dpkg" | tr '\n' ' ')"
	fi
	DEB_ROOT=$R
fi

if [ -s "$RPM" ]; then
	got=$(rpm -qlp "$RPM" 2>/dev/null | sort)
	[ "$got" = "$want_rpm" ] && ok "rpm -qlp: exactly the intended files" ||
		bad "rpm -qlp: $(diff <(echo "$want_rpm") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
	if [ -z "$(rpm -qp --scripts "$RPM" 2>/dev/null)" ]; then
		ok "rpm: no scriptlets (the unit is not enabled on install)"
	else
		bad "rpm scriptlets: $(rpm -qp --scripts "$RPM" 2>/dev/null | head -n 3 | tr '\n' ' ')"
	fi
	# RHEL 7's rpm 4.11 reads it: no rpmlib feature newer than 4.11, a gzip
	# or xz payload (not zstd)
	feat=$(rpm -qp --requires "$RPM" 2>/dev/null | sed -n 's/^rpmlib(\([A-Za-z]*\)).*/\1/p' |
		grep -vxE 'CompressedFileNames|FileDigests|PayloadFilesHavePrefix|PayloadIsXz|PayloadIsBzip2|PartialHardlinkSets|VersionedDependencies' | tr '\n' ' ')
	comp=$(rpm -qp --qf '%{PAYLOADCOMPRESSOR}' "$RPM" 2>/dev/null)
	if [ -z "$feat" ] && { [ "$comp" = gzip ] || [ "$comp" = xz ]; }; then
		ok "rpm: readable by rpm 4.11 (RHEL 7): $comp payload, no newer rpmlib features"
	else
		bad "rpm: payload $comp, rpmlib features newer than 4.11: $feat"
	fi
	if rpm -qp --configfiles "$RPM" 2>/dev/null | grep -qx /etc/logrotate.d/dnsvis; then
		ok "rpm: /etc/logrotate.d/dnsvis is %config"
	else
		bad "rpm: logrotate file is not %config"
	fi
	R=$T/rpm-root
	mkdir -p "$R"
	if rpm --root "$R" --dbpath /var/lib/rpm --initdb >"$T/rpm" 2>&1 &&
		rpm --root "$R" --dbpath /var/lib/rpm --nodeps -i "$RPM" >>"$T/rpm" 2>&1 &&
		rpm --root "$R" --dbpath /var/lib/rpm -V dnsvis >>"$T/rpm" 2>&1; then
		got=$(cd "$R" && find . -path ./var -prune -o -type f -print | sed 's/^\.//' | sort)
		if [ "$got" = "$want_rpm" ]; then
			ok "rpm --root --nodeps: installed and verified, exactly the package's files"
		else
			bad "rpm --root files: $(diff <(echo "$want_rpm") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
		fi
	else
		bad "rpm --root -i: $(grep -v 'Alien\|assuming you know' "$T/rpm" | tail -n 3 | tr '\n' ' ')"
	fi
	RPM_ROOT=$R
fi

# the installed binary and unit, in each scratch root
for kind in deb rpm; do
	r=$([ $kind = deb ] && echo "${DEB_ROOT:-}" || echo "${RPM_ROOT:-}")
	[ -n "$r" ] && [ -x "$r/usr/sbin/dnsvis" ] || continue
	v=$("$r/usr/sbin/dnsvis" --version 2>&1)
	n=$("$r/usr/sbin/dnsvis" btf list 2>&1 | tail -n 1)
	if [ "$v" = "dnsvis $VERSION" ] && echo "$n" | grep -q 'kernels,'; then
		ok "$kind: installed binary runs ($v; $n)"
	else
		bad "$kind: installed binary: $v / $n"
	fi
	unit=$(find "$r" -name dnsvis.service -path '*systemd/system*' | head -n 1)
	if grep -qx 'ExecStart=/usr/sbin/dnsvis trace -o json -w /var/log/dnsvis/events.jsonl --stats 300' "$unit"; then
		ok "$kind: installed unit starts /usr/sbin/dnsvis"
	else
		bad "$kind: installed unit: $(grep ExecStart= "$unit")"
	fi
	# verify needs ExecStart's binary to exist on this machine: the scratch root's
	sed "s#^ExecStart=/usr/sbin/dnsvis#ExecStart=$r/usr/sbin/dnsvis#" "$unit" >"$T/dnsvis.service"
	if SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$T/dnsvis.service" >"$T/e" 2>&1 &&
		[ ! -s "$T/e" ]; then
		ok "$kind: systemd-analyze verify of the installed unit prints nothing"
	else
		bad "$kind: systemd-analyze verify: $(head -c 400 "$T/e" | tr '\n' '|')"
	fi
done

# ---- the DaemonSet ----------------------------------------------------------
# --host-root names the mount of the node's /, and through it the host's
# os-release picks the embedded BTF (FROM scratch has no os-release).
hr=$(/usr/bin/python3 - scripts/k8s/daemonset.yaml 2>"$T/e" <<'PY'
import sys, yaml
ds = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "DaemonSet"][0]
spec = ds["spec"]["template"]["spec"]
c = spec["containers"][0]
roots = [a.split("=", 1)[1] for a in c["args"] if a.startswith("--host-root=")]
vols = {v["name"]: v.get("hostPath", {}).get("path") for v in spec["volumes"]}
mounts = {m["mountPath"]: vols.get(m["name"]) for m in c["volumeMounts"]}
assert c["args"][0] == "trace" and len(roots) == 1, c["args"]
assert mounts.get(roots[0]) == "/", "--host-root %s is not the node's /" % roots[0]
print(roots[0])
PY
)
if [ -n "$hr" ]; then
	ok "daemonset: trace --host-root=$hr, the node's / mounted there"
else
	bad "daemonset: $(tail -n 1 "$T/e")"
fi
rel=$("$DNSVIS" btf list | awk '$1 == "amzn" && $2 == "2" && $3 == "x86_64" {print $4; exit}')
if [ -n "$rel" ]; then
	fake=$T/node$hr
	mkdir -p "$fake/etc" "$fake/usr/lib"
	printf 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n' \
		>"$fake/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$fake/etc/os-release"
	out=$(DNSVIS_SYS_BTF=$T/no-vmlinux DNSVIS_UNAME_R=$rel DNSVIS_UNAME_M=x86_64 \
		"$DNSVIS" btf which --host-root "$fake" 2>&1)
	if echo "$out" | grep -qx "btf: embedded amzn 2 x86_64 $rel"; then
		ok "daemonset: node root with Amazon Linux 2's os-release -> embedded amzn 2 $rel"
	else
		bad "daemonset host root: $(echo "$out" | tr '\n' '|')"
	fi
else
	echo "     (no embedded amzn 2 kernel: host-root lookup not checked here)"
fi

echo "pkg: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
