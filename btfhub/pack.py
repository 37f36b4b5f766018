#!/usr/bin/env python3
"""btfhub/pack.py ARCHIVE_DIR MIN_DIR OUT

Packs the minimized BTF files MIN_DIR/ID/VERSION_ID/ARCH/RELEASE.btf (made by
btfgen.sh) of every kernel in ARCHIVE_DIR (ID/VERSION_ID/ARCH/RELEASE.btf.tar.xz)
into OUT, the archive dnsvis embeds (format: user/btf/archive.h):

  "DVBTFAR1", u32 format 1, u32 count,
  count x { id[32] version_id[32] arch[16] release[144] u32 offset zlen rawlen crc32 },
  zlib streams (one per distinct BTF: identical ones are stored once).

ARCHIVE_DIR missing (or "") -> an empty archive, said on stdout.  OUT is only
rewritten when its content changes, so make relinks only then.
"""
import os
import struct
import sys
import zlib

FIELDS = (32, 32, 16, 144)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: pack.py ARCHIVE_DIR MIN_DIR OUT")
    archive, mindir, out = sys.argv[1:]
    entries = []
    missing = []
    if archive and os.path.isdir(archive):
        for root, _dirs, files in os.walk(archive, followlinks=True):
            for f in files:
                if not f.endswith(".btf.tar.xz"):
                    continue
                rel = os.path.relpath(os.path.join(root, f), archive).split(os.sep)
                if len(rel) != 4:
                    continue
                key = rel[:3] + [f[: -len(".btf.tar.xz")]]
                src = os.path.join(mindir, *key[:3], key[3] + ".btf")
                if not os.path.isfile(src):
                    missing.append("/".join(rel))
                    continue
                entries.append((key, src))
    else:
        print(f"btfhub: no BTFHub archive at '{archive}': embedding an empty BTF archive "
              "(dnsvis will need the kernel's own BTF or --btf FILE)")
    entries.sort()
    hdr_len = 16 + len(entries) * (sum(FIELDS) + 16)
    index, blobs, off = b"", b"", hdr_len
    # kernels whose minimized BTF is byte-identical (patch releases that did
    # not touch a type dnsvis uses) share one stream: entries may point at
    # the same offset
    streams = {}
    for key, src in entries:
        raw = open(src, "rb").read()
        for s, n in zip(key, FIELDS):
            b = s.encode()
            if len(b) >= n or "/" in s or not b:
                sys.exit(f"pack.py: {'/'.join(key)}: name component '{s}' does not fit")
            index += b.ljust(n, b"\0")
        if raw not in streams:
            z = zlib.compress(raw, 9)
            streams[raw] = (off, len(z))
            blobs += z
            off += len(z)
        soff, zlen = streams[raw]
        index += struct.pack("<IIII", soff, zlen, len(raw), zlib.crc32(raw) & 0xFFFFFFFF)
    data = b"DVBTFAR1" + struct.pack("<II", 1, len(entries)) + index + blobs
    old = open(out, "rb").read() if os.path.exists(out) else None
    if old != data:
        tmp = out + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    for m in missing:
        print(f"btfhub: {m}: no minimized BTF (btfgen failed?), not embedded", file=sys.stderr)
    shared = len(entries) - len(streams)
    print(f"btfhub: {len(entries)} kernels embedded ({len(data)} bytes"
          f"{f', {shared} sharing an identical BTF' if shared else ''})"
          f"{' unchanged' if old == data else ''}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
