#!/usr/bin/env python3
"""check_json.py EXPECT_FILE < dnsvis-json-lines

Checks `dnsvis replay -o json` output against the generator's expect file
(one "name<TAB>qtype-mnemonic<TAB>qtype-number" line per query, in capture
order): the same number of lines, every line a JSON object, and line i
naming query i's domain and qtype.  The check does not depend on the JSON
key names: the domain must be one of the record's string values (a
trailing dot is accepted), the qtype one of its values as mnemonic or
number.  Prints "lines=N" on success; problems go to stderr, exit 1.
"""
import json
import sys


def values(obj, out):
    if isinstance(obj, dict):
        for v in obj.values():
            values(v, out)
    elif isinstance(obj, list):
        for v in obj:
            values(v, out)
    elif isinstance(obj, bool):
        pass
    elif isinstance(obj, (str, int)):
        out.add(obj)
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = 0
    lines = 0

    def bad(msg):
        nonlocal problems
        problems += 1
        if problems <= 5:
            print(f"check_json: line {lines}: {msg}", file=sys.stderr)

    with open(sys.argv[1], encoding="ascii") as exp:
        for line in sys.stdin:
            lines += 1
            e = exp.readline()
            if not e:
                bad("more output lines than queries")
                continue
            name, mnemonic, number = e.rstrip("\n").split("\t")
            try:
                rec = json.loads(line)
            except ValueError as err:
                bad(f"not JSON ({err}): {line[:200]!r}")
                continue
            if not isinstance(rec, dict):
                bad(f"not a JSON object: {line[:200]!r}")
                continue
            vals = values(rec, set())
            if name not in vals and name + "." not in vals:
                bad(f"expected domain {name!r}: {line[:300]!r}")
            if mnemonic not in vals and int(number) not in vals and number not in vals:
                bad(f"expected qtype {mnemonic}: {line[:300]!r}")
        missing = sum(1 for _ in exp)
    if missing:
        problems += 1
        print(f"check_json: {lines} output lines, {lines + missing} expected "
              f"({missing} missing)", file=sys.stderr)
    if problems:
        print(f"check_json: {problems} problem(s)", file=sys.stderr)
        return 1
    print(f"lines={lines}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
