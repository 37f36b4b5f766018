#!/usr/bin/env python3
"""tests/btf/offsets.py BTF_FILE

The layout the kprobe backend depends on, computed independently of libbpf
from `bpftool btf dump file BTF_FILE format raw`; prints the same lines as
`dnsvis btf offsets BTF_FILE` so the two can be diffed:

  msghdr.msg_name OFF / msghdr.msg_iter OFF / iov_iter.type OFF TYPE /
  iov_iter.iov OFF / ITER_IOVEC VALUE (enum iter_type | anonymous enum) or "- none"

Same rules: the first struct msghdr; members found through anonymous
structs/unions; when msg_iter's own iov_iter copy lacks a member, any other
struct iov_iter that has it (as libbpf's candidate search would).
"""
import os
import re
import subprocess
import sys

HEAD = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
MEMBER = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)")
ENUMV = re.compile(r"^\t'([^']*)' val=(-?\d+)")


def load(path):
    bpftool = os.environ.get("BPFTOOL", "bpftool")
    out = subprocess.run([bpftool, "btf", "dump", "file", path, "format", "raw"],
                         check=True, capture_output=True, text=True).stdout
    types, cur = {}, None
    for line in out.splitlines():
        m = HEAD.match(line)
        if m:
            tid = int(m.group(1))
            tm = re.search(r"type_id=(\d+)", m.group(4))
            cur = {"kind": m.group(2), "name": m.group(3), "members": [], "values": [],
                   "type": int(tm.group(1)) if tm else 0}
            types[tid] = cur
            continue
        if cur is None:
            continue
        m = MEMBER.match(line)
        if m:
            cur["members"].append((m.group(1), int(m.group(2)), int(m.group(3))))
            continue
        m = ENUMV.match(line)
        if m:
            cur["values"].append((m.group(1), int(m.group(2))))
    return types


def skip(types, tid):
    while tid in types and types[tid]["kind"] in ("TYPEDEF", "CONST", "VOLATILE", "RESTRICT",
                                                   "TYPE_TAG"):
        tid = types[tid]["type"]
    return tid


def find(types, tid, name, base=0, depth=0):
    tid = skip(types, tid)
    t = types.get(tid)
    if not t or depth > 8 or t["kind"] not in ("STRUCT", "UNION"):
        return None
    for mname, mtype, bits in t["members"]:
        if mname == name:
            return base + bits, mtype
        if mname == "(anon)":
            r = find(types, mtype, name, base + bits, depth + 1)
            if r:
                return r
    return None


def member(types, tid, sname, names, with_type=False):
    tname = types[tid]["name"] if tid in types else None
    cands = [tid] + sorted(i for i, t in types.items()
                           if i != tid and t["kind"] == "STRUCT" and t["name"] == tname)
    for c in cands:
        for n in names:
            r = find(types, c, n)
            if r:
                line = f"{sname}.{n} {r[0] // 8}"
                if with_type:
                    tn = types.get(r[1], {}).get("name", "(anon)")
                    line += f" {tn}"
                print(line)
                return r[1]
    print(f"{sname}.{names[0]} -")
    return None


def main():
    types = load(sys.argv[1])
    msghdr = next((i for i in sorted(types)
                   if types[i]["kind"] == "STRUCT" and types[i]["name"] == "msghdr"), None)
    iter_t = None
    if msghdr is None:
        print("msghdr.msg_name -\nmsghdr.msg_iter -")
    else:
        member(types, msghdr, "msghdr", ["msg_name"])
        iter_t = member(types, msghdr, "msghdr", ["msg_iter"])
    if iter_t:
        iter_t = skip(types, iter_t)
        member(types, iter_t, "iov_iter", ["type", "iter_type"], True)
        member(types, iter_t, "iov_iter", ["iov", "__iov"])
    else:
        print("iov_iter.type -\niov_iter.iov -")
    for i in sorted(types):
        t = types[i]
        if t["kind"] != "ENUM":
            continue
        for n, v in t["values"]:
            if n == "ITER_IOVEC":
                kind = f"enum {t['name']}" if t["name"] != "(anon)" else "anonymous enum"
                print(f"ITER_IOVEC {v} {kind}")
                return 0
    print("ITER_IOVEC - none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
