#!/usr/bin/env python3
"""Write the seed corpus of fuzz_dns_response (tests/fuzz/corpus/dns_response/):
hand-built responses with every type the decoder writes in presentation form,
EDNS, compression in rdata names, and bad rdata.  Run from the repo root;
the output is deterministic."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dns_response")
QPTR = b"\xc0\x0c"


def name(dotted):
    out = b""
    for label in dotted.split(".") if dotted else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def rr(owner, rtype, rdata, ttl=300, rclass=1):
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def msg(answers, auth=(), add=(), flags=0x8180, qtype=1, qname="example.com"):
    head = struct.pack(">HHHHHH", 0x1234, flags, 1, len(answers), len(auth), len(add))
    body = name(qname) + struct.pack(">HH", qtype, 1)
    return head + body + b"".join(answers) + b"".join(auth) + b"".join(add)


def opt(udp=1232, ext=0, ver=0, do=0):
    return b"\x00" + struct.pack(">HHBBHH", 41, udp, ext, ver, 0x8000 if do else 0, 0)


def svc(prio, target, params):
    out = struct.pack(">H", prio) + name(target)
    for key, val in params:
        out += struct.pack(">HH", key, len(val)) + val
    return out


SEEDS = {
    "cname_chain_a_aaaa": msg([
        rr(QPTR, 5, b"\x04edge" + QPTR),
        rr(b"\xc0\x29", 1, bytes([198, 51, 100, 7])),
        rr(b"\xc0\x29", 28, bytes.fromhex("20010db8000000000000000000000001")),
    ], add=[opt(do=1)]),
    "nxdomain_soa": msg([], auth=[rr(QPTR, 6, b"\x03ns1" + QPTR + b"\x04host" + QPTR +
                                     struct.pack(">IIIII", 1, 7200, 3600, 1209600, 300))],
                        flags=0x8183, add=[opt()]),
    "badcookie": msg([], flags=0x8187, add=[opt(ext=1)]),
    "mx_ns_ptr_srv": msg([
        rr(QPTR, 15, b"\x00\x0a\x04mail" + QPTR),
        rr(QPTR, 2, b"\x03ns1" + QPTR),
        rr(QPTR, 12, QPTR),
        rr(QPTR, 33, b"\x00\x00\x00\x05\x13\xc4\x03sip" + QPTR),
        rr(QPTR, 39, b"\x03cdn" + QPTR),
    ]),
    "txt_escapes": msg([rr(QPTR, 16, b"\x00\x05a\"b\\c\x03\x01\xff\x7f")], qtype=16),
    "caa_ds_dnskey": msg([
        rr(QPTR, 257, b"\x00\x05issueletsencrypt.org"),
        rr(QPTR, 43, b"\x30\x39\x08\x02" + bytes(32)),
        rr(QPTR, 48, b"\x01\x01\x03\x0d" + bytes(range(64))),
    ]),
    "https_params": msg([rr(QPTR, 65, svc(1, "", [
        (0, b"\x00\x01\x00\x03"), (1, b"\x02h2\x02h3"), (2, b""), (3, b"\x01\xbb"),
        (4, bytes([192, 0, 2, 1])), (5, b"\x01\x02\x03"),
        (6, bytes.fromhex("20010db8000000000000000000000001")), (667, b"hi")]))], qtype=65),
    "svcb_alias": msg([rr(QPTR, 64, svc(0, "svc.example.net", []))], qtype=64),
    "svcb_bad_order": msg([rr(QPTR, 64, svc(1, "", [(3, b"\x01\xbb"), (1, b"\x02h2")]))]),
    "generic_types": msg([rr(QPTR, 99, b"\x0a\x00\x00\x01"), rr(QPTR, 1234, b""),
                          rr(QPTR, 1, b"\x01\x02\x03")]),
    "glue_and_opt": msg([rr(QPTR, 1, bytes([192, 0, 2, 53]))],
                        auth=[rr(QPTR, 2, b"\x02ns" + QPTR)],
                        add=[rr(b"\xc0\x3d", 1, bytes([192, 0, 2, 54])), opt(4096, 0, 0, 1)]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for key, data in SEEDS.items():
        with open(os.path.join(OUT, key), "wb") as f:
            f.write(data)
    # A response cut inside its answer section, as a live copy would be.
    with open(os.path.join(OUT, "cut_in_answers"), "wb") as f:
        f.write(SEEDS["cname_chain_a_aaaa"][:60])


if __name__ == "__main__":
    main()
