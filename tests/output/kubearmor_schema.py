#!/usr/bin/env python3
"""kubearmor_schema.py SEED_MD JSONL_FILE

Check dnsvis `-o kubearmor` output against KubeArmor's DNS visibility
telemetry.  The reference record is the first JSON object in the first
```json block of SEED_MD (if that block is an array, its first element).
Every line of JSONL_FILE must be one JSON object with the same keys, in the
same order, with the same nesting and the same JSON value types.

Owner ({Ref, Name, Namespace}) may be absent: dnsvis omits it when the
owning workload is unknown (always, for now), as KubeArmor does for host
logs.  When present it must match the reference shape.

Also checked, because the format promises them: Data is exactly
"kfunc=..,domain=..,daddr=..,qtype=.." (4 pairs, no stray ',' or '='),
EventData.Kfunc equals Data without "kfunc=", UpdatedTime is RFC 3339 UTC
with microseconds, Timestamp is its unix second, and Type is ContainerLog
or HostLog.

Exit status 0 when every line matches, 1 with a message naming the line and
the key on the first mismatch, 2 on usage errors.
"""
import calendar
import json
import re
import sys

OPTIONAL = {"Owner"}  # keys that may be absent when unknown
TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$")
DATA_KEYS = ["kfunc", "domain", "daddr", "qtype"]


def jtype(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"duplicate key(s) {dup}")
    return dict(pairs)


def seed_record(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^```json[ \t]*\n(.*?)^```", text, re.S | re.M)
    if not m:
        sys.exit(f"{path}: no ```json block found")
    ref = json.loads(m.group(1))
    if isinstance(ref, list):
        if not ref:
            sys.exit(f"{path}: the ```json block is an empty array")
        ref = ref[0]
    if not isinstance(ref, dict):
        sys.exit(f"{path}: the first JSON value is not an object")
    return ref


def compare(ref, got, where, top):
    """Return a mismatch message or None."""
    want_keys = [k for k in ref if not (top and k in OPTIONAL and k not in got)]
    got_keys = list(got)
    if got_keys != want_keys:
        missing = [k for k in want_keys if k not in got]
        extra = [k for k in got_keys if k not in ref]
        if missing:
            return f"{where or 'top level'}: missing key(s) {missing}"
        if extra:
            return f"{where or 'top level'}: unexpected key(s) {extra}"
        for i, (w, g) in enumerate(zip(want_keys, got_keys)):
            if w != g:
                return (f"{where or 'top level'}: key #{i + 1} is {g!r}, want {w!r} "
                        f"(order {got_keys} vs {want_keys})")
        return f"{where or 'top level'}: keys {got_keys}, want {want_keys}"
    for k in want_keys:
        path = f"{where}.{k}" if where else k
        wt, gt = jtype(ref[k]), jtype(got[k])
        if wt != gt:
            return f"{path}: type {gt} ({got[k]!r}), want {wt}"
        if wt == "object":
            msg = compare(ref[k], got[k], path, False)
            if msg:
                return msg
    return None


def semantics(rec):
    data = rec["Data"]
    pairs = data.split(",")
    if len(pairs) != 4:
        return f"Data: {len(pairs)} comma-separated pairs, want 4: {data!r}"
    for want, pair in zip(DATA_KEYS, pairs):
        kv = pair.split("=")
        if len(kv) != 2 or kv[0] != want:
            return f"Data: pair {pair!r}, want exactly one '{want}=value': {data!r}"
    if rec["EventData"]["Kfunc"] != data[len("kfunc="):]:
        return f"EventData.Kfunc {rec['EventData']['Kfunc']!r} is not Data without 'kfunc='"
    m = TIME_RE.match(rec["UpdatedTime"])
    if not m:
        return f"UpdatedTime {rec['UpdatedTime']!r} is not RFC 3339 UTC with microseconds"
    secs = calendar.timegm(tuple(int(x) for x in m.groups()))
    if secs != rec["Timestamp"]:
        return f"Timestamp {rec['Timestamp']} is not the second of UpdatedTime ({secs})"
    if rec["Type"] not in ("ContainerLog", "HostLog"):
        return f"Type {rec['Type']!r}, want ContainerLog or HostLog"
    return None


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    ref = seed_record(argv[1])
    n = 0
    with open(argv[2], "rb") as f:
        for lineno, raw in enumerate(f, 1):
            name = f"{argv[2]}:{lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                print(f"{name}: not valid UTF-8: {e}", file=sys.stderr)
                return 1
            if not line.endswith("\n"):
                print(f"{name}: line does not end in a newline", file=sys.stderr)
                return 1
            try:
                rec = json.loads(line, object_pairs_hook=no_duplicates)
            except ValueError as e:
                print(f"{name}: not JSON: {e}", file=sys.stderr)
                return 1
            if not isinstance(rec, dict):
                print(f"{name}: not a JSON object", file=sys.stderr)
                return 1
            msg = compare(ref, rec, "", True) or semantics(rec)
            if msg:
                print(f"{name}: {msg}", file=sys.stderr)
                return 1
            n += 1
    if n == 0:
        print(f"{argv[2]}: no records to check", file=sys.stderr)
        return 1
    print(f"kubearmor_schema: {n} record(s) match {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
