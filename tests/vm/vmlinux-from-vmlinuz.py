#!/usr/bin/env python3
"""Recover the uncompressed vmlinux ELF from a bzImage (vmlinuz).

  vmlinux-from-vmlinuz.py VMLINUZ OUT

Scans VMLINUZ for the magic of each compressor the kernel supports, feeds
the bytes from each hit to that compressor's command-line tool and keeps the
first output that is an ELF file.  Trailing bytes after the compressed
stream (the rest of the bzImage) make some tools complain; their output is
still complete, so only the ELF check decides.
"""
import subprocess
import sys

# (name, magic, decompress command reading stdin and writing stdout)
FORMATS = [
    ("zstd", b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
    ("lz4", b"\x02\x21\x4c\x18", ["lz4", "-dcq"]),
    ("xz", b"\xfd7zXZ\x00", ["xz", "-dcq"]),
    ("gzip", b"\x1f\x8b\x08", ["gzip", "-dcq"]),
    ("bzip2", b"BZh", ["bzip2", "-dcq"]),
    ("lzma", b"\x5d\x00\x00\x00", ["xz", "--format=lzma", "-dcq"]),
]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    data = open(sys.argv[1], "rb").read()
    tried = []
    for name, magic, cmd in FORMATS:
        pos = data.find(magic)
        hits = 0
        while pos >= 0 and hits < 8:
            hits += 1
            try:
                p = subprocess.run(cmd, input=data[pos:], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
            except FileNotFoundError:
                tried.append("%s: %s not installed" % (name, cmd[0]))
                break
            out = p.stdout
            if out[:4] == b"\x7fELF" and len(out) > 1 << 20:
                with open(sys.argv[2], "wb") as f:
                    f.write(out)
                print("vmlinux: %s payload at offset %d, %d bytes" % (name, pos, len(out)))
                return
            tried.append("%s@%d" % (name, pos))
            pos = data.find(magic, pos + 1)
    raise SystemExit("vmlinux-from-vmlinuz: no ELF payload found in %s (tried %s)" %
                     (sys.argv[1], ", ".join(tried) or "nothing"))


if __name__ == "__main__":
    main()
