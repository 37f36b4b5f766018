#!/usr/bin/env python3
"""check-size.py - the size rules of user/, kern/ and compat/ (make lint):
no source file over 700 lines, no function over 80 lines.

A function is counted from its opening brace at column 0 to the closing
brace at column 0, as clang-format lays C out.  Table-driven code is data,
not logic: a function whose body is mostly one initializer or one switch of
`case X: return "..."` lines may be longer, and is named in TABLES."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIRS = ["user", "kern", "compat"]
FILE_MAX, FUNC_MAX = 700, 80
TABLES = {
    # "path": {"function", ...}: functions that are tables, not logic
}


def functions(lines):
    """(name, first line, length) of every function body in lines."""
    start = None
    for i, line in enumerate(lines):
        if line.startswith("{") and start is None:
            start = i
        elif line.startswith("}") and start is not None:
            head = " ".join(lines[max(0, start - 3):start])
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", head)
            yield (names[0] if names else "?"), start + 1, i - start + 1
            start = None


def main():
    bad = 0
    for d in DIRS:
        for path in sorted((ROOT / d).rglob("*")):
            if path.suffix not in (".c", ".h"):
                continue
            rel = str(path.relative_to(ROOT))
            lines = path.read_text(errors="replace").split("\n")
            if len(lines) - 1 > FILE_MAX:
                print(f"size: {rel}: {len(lines) - 1} lines (at most {FILE_MAX})")
                bad = 1
            for name, line, n in functions(lines):
                if n > FUNC_MAX and name not in TABLES.get(rel, ()):
                    print(f"size: {rel}:{line}: {name}() is {n} lines (at most {FUNC_MAX})")
                    bad = 1
    if not bad:
        print(f"size: no file over {FILE_MAX} lines, no function over {FUNC_MAX}")
    return bad


if __name__ == "__main__":
    sys.exit(main())
