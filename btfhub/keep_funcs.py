#!/usr/bin/env python3
"""btfhub/keep_funcs.py FULL_BTF MIN_BTF FUNC...

`bpftool gen min_core_btf` keeps only the types CO-RE relocations need, so
the functions the kprobe backend attaches to disappear with the rest.
dnsvis reads their prototypes from the BTF (udp_sendmsg has 3 parameters,
RHEL 7's 4: user/btf/lookup.c btf_func_arity), so this appends to MIN_BTF
(raw BTF, rewritten in place) a FUNC and its FUNC_PROTO for each FUNC found
in FULL_BTF: same name, same parameter names and count, every parameter and
the return value typed `void *` (only the shape is kept, not the types).
Functions missing from FULL_BTF are skipped (said on stderr).  Exit 0, or 1
when MIN_BTF is not raw BTF or bpftool fails.
"""
import os
import re
import struct
import subprocess
import sys

KIND_EXTRA = {  # bytes after struct btf_type, per kind: fixed, per-vlen
    1: (4, 0), 2: (0, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8), 7: (0, 0),
    8: (0, 0), 9: (0, 0), 10: (0, 0), 11: (0, 0), 12: (0, 0), 13: (0, 8), 14: (4, 0),
    15: (0, 12), 16: (0, 0), 17: (4, 0), 18: (0, 0), 19: (0, 12),
}


def protos(full, names):
    """{name: [param names]} of the FUNCs in full, via bpftool's raw dump."""
    bpftool = os.environ.get("BPFTOOL", "bpftool")
    out = subprocess.run([bpftool, "btf", "dump", "file", full, "format", "raw"],
                         check=True, capture_output=True, text=True).stdout
    funcs, proto_params, cur = {}, {}, None
    head = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
    for line in out.splitlines():
        m = head.match(line)
        if m:
            tid, kind, name, rest = int(m.group(1)), m.group(2), m.group(3), m.group(4)
            cur = None
            if kind == "FUNC" and name in names and name not in funcs:
                funcs[name] = int(re.search(r"type_id=(\d+)", rest).group(1))
            elif kind == "FUNC_PROTO":
                cur = proto_params.setdefault(tid, [])
        elif cur is not None and line.startswith("\t'"):
            cur.append(line.split("'")[1])
    return {n: proto_params.get(t, []) for n, t in funcs.items()}


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: keep_funcs.py FULL_BTF MIN_BTF FUNC...")
    full, mini, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = open(mini, "rb").read()
    if len(data) < 24 or struct.unpack_from("<H", data)[0] != 0xEB9F:
        print(f"keep_funcs: {mini}: not raw BTF", file=sys.stderr)
        return 1
    _magic, _ver, _flags, hdr_len, type_off, type_len, str_off, str_len = \
        struct.unpack_from("<HBBIIIII", data)
    types = data[hdr_len + type_off: hdr_len + type_off + type_len]
    strs = bytearray(data[hdr_len + str_off: hdr_len + str_off + str_len])
    # count the types: new ids follow
    n, off = 0, 0
    while off < len(types):
        _name, info, _sz = struct.unpack_from("<III", types, off)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        fixed, per = KIND_EXTRA.get(kind, (None, None))
        if fixed is None:
            print(f"keep_funcs: {mini}: unknown BTF kind {kind}", file=sys.stderr)
            return 1
        off += 12 + fixed + per * vlen
        n += 1
    try:
        found = protos(full, set(names))
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"keep_funcs: {full}: bpftool failed: {e}", file=sys.stderr)
        return 1

    def add_str(s):
        if not s:
            return 0
        o = len(strs)
        strs.extend(s.encode() + b"\0")
        return o

    new = bytearray()
    ptr_id = n + 1  # void *
    new += struct.pack("<III", 0, 2 << 24, 0)
    next_id = ptr_id + 1
    for name in names:
        if name not in found:
            print(f"keep_funcs: {full}: no FUNC '{name}', not kept", file=sys.stderr)
            continue
        params = found[name]
        new += struct.pack("<III", 0, (13 << 24) | len(params), ptr_id)
        for p in params:
            new += struct.pack("<II", add_str(p), ptr_id)
        proto_id = next_id
        new += struct.pack("<III", add_str(name), (12 << 24) | 1, proto_id)  # global
        next_id += 2
    types = types + bytes(new)
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    tmp = mini + ".kf"
    with open(tmp, "wb") as f:
        f.write(hdr + types + bytes(strs))
    os.replace(tmp, mini)
    return 0


if __name__ == "__main__":
    sys.exit(main())
