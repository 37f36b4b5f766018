#!/usr/bin/env python3
"""Assertions for tests/containers/run.sh.

check.py attrib FORMAT OUT MANIFEST RUN      fields of every simulated container
                                             and of the host process
check.py filter NAME OUT MANIFEST RUN KEEP   exactly the KEEP senders (comma list
                                             of manifest keys) show up
check.py kmap NAME BPFTOOL_JSON MANIFEST DROPS  the cgroup_filter map holds a 0
                                             for the cgroup of each DROPS key
check.py late BPFTOOL_JSON CGROUP_ID         that cgroup is in the map

MANIFEST is JSON: {key: {fields..., "cgroup_id": N}}.  Domains are
"<key>-<RUN>.<rand>.test".  Prints "ok NAME ..." / "FAIL NAME: ..." lines.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from jsonl import load_lines  # noqa: E402  (the suites' one JSON Lines reader)


def domain_of(e):
    if "domain" in e:
        return e["domain"]
    data = e.get("Data", "")
    for kv in data.split(","):
        if kv.startswith("domain="):
            return kv[len("domain="):]
    return ""


def by_key(evs, man, run):
    out = {}
    for e in evs:
        d = domain_of(e)
        for k, m in man.items():
            if d == "%s-%s.%s.test" % (k, run, m["rand"]):
                out.setdefault(k, []).append(e)
    return out


def attrib(fmt, outp, manp, run):
    evs, bad = load_lines(outp)
    man = json.load(open(manp))
    got = by_key(evs, man, run)
    name = "attrib-" + fmt
    if bad:
        print("FAIL %s: %d lines are not JSON" % (name, bad))
    for k, m in sorted(man.items()):
        es = got.get(k, [])
        if len(es) != 1:
            print("FAIL %s-%s: %d events for %s (want 1)" % (name, k, len(es), k))
            continue
        e = es[0]
        probs = []

        def want(field, val):
            if e.get(field) != val:
                probs.append("%s=%r want %r" % (field, e.get(field), val))

        host = m["scope"] == "host"
        if fmt == "json":
            want("scope", m["scope"])
            want("container_id", m["id"])
            want("runtime", m["runtime"])
            want("pod_uid", m["pod_uid"])
            want("qos", m["qos"])
            want("pod", m["pod"])
            want("k8s_namespace", m["ns"])
            want("container", m["cname"])
            want("container_image", m["image"])
            want("cgroup_id", m["cgroup_id"])
            if host:
                if e.get("ns_pid") != e.get("pid"):
                    probs.append("host: ns_pid %r != pid %r" % (e.get("ns_pid"), e.get("pid")))
            else:
                want("ns_pid", 1)
                want("ns_ppid", 0)
                if e.get("pid") in (None, 1):
                    probs.append("pid=%r (want the host pid)" % e.get("pid"))
        else:
            want("Type", "HostLog" if host else "ContainerLog")
            want("ClusterName", "testcluster")
            want("NamespaceName", m["ns"])
            want("PodName", m["pod"])
            want("ContainerID", m["id"])
            want("ContainerName", m["cname"])
            want("ContainerImage", m["image"])
            want("Labels", m["labels"])
            if "Owner" in e:
                probs.append("Owner present (never known on the node)")
            if host:
                if e.get("PID") != e.get("HostPID"):
                    probs.append("host: PID %r != HostPID %r" % (e.get("PID"), e.get("HostPID")))
            else:
                want("PID", 1)
                want("PPID", 0)
                if e.get("HostPID") in (None, 0, 1):
                    probs.append("HostPID=%r" % e.get("HostPID"))
            if not str(e.get("ProcessName", "")).endswith("/dns_client"):
                probs.append("ProcessName=%r" % e.get("ProcessName"))
        if probs:
            print("FAIL %s-%s: %s" % (name, k, "; ".join(probs)))
        else:
            print("ok %s-%s" % (name, k))


def filt(name, outp, manp, run, keep):
    evs, bad = load_lines(outp)
    man = json.load(open(manp))
    got = by_key(evs, man, run)
    keep = set(x for x in keep.split(",") if x)
    probs = []
    for k in sorted(man):
        n = len(got.get(k, []))
        if k in keep and n != 1:
            probs.append("%s: %d events, want 1" % (k, n))
        if k not in keep and n:
            probs.append("%s: %d events, want none" % (k, n))
    if bad:
        probs.append("%d lines are not JSON" % bad)
    if probs:
        print("FAIL filter-%s: %s" % (name, "; ".join(probs)))
    else:
        print("ok filter-%s (kept %s)" % (name, ",".join(sorted(keep)) or "none"))


def kmap(name, dump, manp, drops):
    man = json.load(open(manp))
    try:
        data = json.load(open(dump))
    except ValueError:
        print("FAIL kmap-%s: bpftool output is not JSON" % name)
        return
    have = {}
    for ent in data if isinstance(data, list) else []:
        for item in ent.get("elements", [ent]) if isinstance(ent, dict) else []:
            k, v = item.get("key"), item.get("value")
            if isinstance(k, list):  # raw bytes
                k = int.from_bytes(bytes(int(x, 16) for x in k), "little")
            if isinstance(v, list):
                v = int(v[0], 16)
            if k is not None:
                have[int(k)] = v
    probs = []
    for d in [x for x in drops.split(",") if x]:
        cid = man[d]["cgroup_id"]
        if have.get(cid) not in (0, "0", "0x00"):
            probs.append("%s (cgroup %d) not dropped in the kernel" % (d, cid))
    for k, m in man.items():
        if k not in drops.split(",") and m["scope"] != "host" and m["cgroup_id"] in have:
            probs.append("%s (cgroup %d) is in the drop map" % (k, m["cgroup_id"]))
    if probs:
        print("FAIL kmap-%s: %s" % (name, "; ".join(probs)))
    else:
        print("ok kmap-%s (%d cgroups dropped in the kernel)" % (name, len(have)))


def late(dump, cid):
    want = int(cid)
    try:
        data = json.load(open(dump))
    except ValueError:
        data = []
    keys = set()
    for m in data if isinstance(data, list) else []:
        for e in m.get("elements", [m]):
            k = e.get("key")
            if isinstance(k, list):
                k = int.from_bytes(bytes(int(x, 16) for x in k), "little")
            if k is not None:
                keys.add(int(k))
    if want in keys:
        print("ok late-cgroup (cgroup %d made after start is in the drop map)" % want)
    else:
        print("FAIL late-cgroup: cgroup %d made after start is not in the drop map" % want)


def main():
    a = sys.argv[1:]
    if a and a[0] == "attrib" and len(a) == 5:
        attrib(a[1], a[2], a[3], a[4])
    elif a and a[0] == "filter" and len(a) == 6:
        filt(a[1], a[2], a[3], a[4], a[5])
    elif a and a[0] == "kmap" and len(a) == 5:
        kmap(a[1], a[2], a[3], a[4])
    elif a and a[0] == "late" and len(a) == 3:
        late(a[1], a[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
