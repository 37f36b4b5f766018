#!/usr/bin/env python3
"""Assertions for tests/live/run.sh (python3 stdlib only).

  check.py events  EVENTS_JSONL MANIFEST [--source-prefix P] [--pid-field F] [--cwd DIR]
  check.py wire    TCPDUMP_TEXT MANIFEST
  check.py filter  EVENTS_JSONL NAME KEEP_DOMAIN DROP_DOMAIN... [--max N]
  check.py bpf     DIR DNSVIS_PID   (DIR/{prog,perf,link}.{before,during,after}.json
                                     from bpftool -j)

MANIFEST: one case per line, tab-separated:
  name kind domain qtypes pid ppid comm exe daddrs proto txid cmdline [cwd]
  kind    client | resolver | exitfast | flood | noise
  qtypes  comma list (A,AAAA); daddrs comma list; txid "-" when unknown;
  cmdline "-" when unknown (then only "contains the domain" is checked);
  cwd     the sender's working directory, when not the --cwd one.
Prints one line per assertion group: "ok NAME[ (note)]" or "FAIL NAME: reason".
Exit status: number of failed groups (capped at 100).
"""
import json
import re
import sys

FIELDS = ("time source family proto saddr sport daddr dport txid domain qtype qclass pid tid "
          "ppid uid gid comm exe cmdline cgroup_id container_id pod_uid pod k8s_namespace "
          "container scope ns_pid ns_ppid cwd tty").split()
QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
          "SRV": 33, "HTTPS": 65, "ANY": 255}
FAMILY = {"4": {"2", "4", "af_inet", "inet", "ipv4", "ip4", "v4", "ip"},
          "6": {"10", "6", "af_inet6", "inet6", "ipv6", "ip6", "v6"}}
PROTO = {"udp": {"17", "udp"}, "tcp": {"6", "tcp"}}

results = []


def report(name, ok, msg=""):
    results.append(ok)
    if ok:
        print("ok %s%s" % (name, " (%s)" % msg if msg else ""))
    else:
        print("FAIL %s: %s" % (name, msg))
    sys.stdout.flush()


def norm_domain(d):
    return str(d or "").lower().rstrip(".")


def norm_qtype(q):
    if isinstance(q, int):
        return q
    s = str(q).upper()
    if s in QTYPES:
        return QTYPES[s]
    if s.startswith("TYPE"):
        s = s[4:]
    try:
        return int(s, 0)
    except ValueError:
        return s


def qname(code):
    for k, v in QTYPES.items():
        if v == code:
            return k
    return str(code)


def as_int(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    try:
        return int(str(v), 0)
    except ValueError:
        return None


def load_events(path):
    """Return (events, lost_total, errors)."""
    events, lost, errors = [], 0, []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                errors.append("line %d is not JSON (%s): %.120s" % (n, e, line))
                continue
            if not isinstance(obj, dict):
                errors.append("line %d is not an object: %.120s" % (n, line))
                continue
            if obj.get("type") == "lost":
                lost += as_int(obj.get("count")) or 0
                continue
            obj["_line"] = n
            events.append(obj)
    return events, lost, errors


WIRE_RE = re.compile(
    r"IP6? (\S+)\.(\d+) > (\S+)\.(\d+): (Flags .*?length \d+ )?(\d+)\+?%?\*?-? "
    r"(?:\[[^\]]*\] )?([A-Z0-9]+)\? (\S+) \(")


def load_wire(path):
    """tcpdump -n text on lo -> pseudo events (queries only)."""
    events = []
    with open(path, errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = WIRE_RE.search(line)
            if not m:
                continue
            events.append({"saddr": m.group(1), "sport": int(m.group(2)), "daddr": m.group(3),
                           "dport": int(m.group(4)), "proto": "tcp" if m.group(5) else "udp",
                           "txid": int(m.group(6)), "qtype": m.group(7), "domain": m.group(8),
                           "_line": n})
    return events


def load_manifest(path):
    cases = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            p = line.split("\t")
            if len(p) not in (12, 13):
                raise SystemExit("check.py: bad manifest line: %r" % line)
            cases.append({"name": p[0], "kind": p[1], "domain": norm_domain(p[2]),
                          "qtypes": [norm_qtype(q) for q in p[3].split(",") if q],
                          "pid": as_int(p[4]), "ppid": as_int(p[5]), "comm": p[6], "exe": p[7],
                          "daddrs": p[8].split(","), "proto": p[9],
                          "txid": None if p[10] == "-" else as_int(p[10]),
                          "cmdline": None if p[11] == "-" else p[11],
                          "cwd": p[12] if len(p) == 13 and p[12] else None})
    return cases


def short(ev):
    keys = ("source", "pid", "tid", "comm", "exe", "daddr", "dport", "qtype", "txid")
    return "{%s}" % ", ".join("%s=%s" % (k, json.dumps(ev.get(k))) for k in keys if k in ev)


def check_counts(c, evs):
    """Exactly the expected qtypes, each exactly once.  Returns problems."""
    want = sorted(c["qtypes"], key=str)
    got = sorted((norm_qtype(e.get("qtype")) for e in evs), key=str)
    if got == want:
        return []
    if not evs:
        return ["no event for %s (want %s)" % (c["domain"], "+".join(qname(q) for q in want))]
    return ["want %s once each, got %d event(s): %s" % (
        "+".join(qname(q) for q in want), len(evs),
        "; ".join("line %d qtype=%s %s" % (e["_line"], e.get("qtype"), short(e)) for e in evs))]


def check_case(c, evs, prefix, pid_field, wire):
    probs = check_counts(c, evs)
    notes = []
    for e in evs:
        q = qname(norm_qtype(e.get("qtype")))
        if e.get("daddr") not in c["daddrs"]:
            probs.append("%s daddr=%s, want %s" % (q, e.get("daddr"), " or ".join(c["daddrs"])))
        if as_int(e.get("dport")) != 53:
            probs.append("%s dport=%s, want 53" % (q, e.get("dport")))
        if norm_domain(e.get("domain")) != c["domain"]:
            probs.append("%s domain=%r" % (q, e.get("domain")))
        if len(c["daddrs"]) > 1:
            notes.append("%s daddr %s" % (q, e.get("daddr")))
        if wire:
            if c["txid"] is not None and c["qtypes"] == [norm_qtype(e.get("qtype"))] and \
                    e.get("txid") != c["txid"]:
                probs.append("txid=%s, want %s" % (e.get("txid"), c["txid"]))
            if e.get("proto") != c["proto"]:
                probs.append("proto=%s, want %s" % (e.get("proto"), c["proto"]))
            continue
        src = str(e.get("source", ""))
        if not src.startswith(prefix):
            probs.append("%s source=%r, want prefix %r" % (q, src, prefix))
        if as_int(e.get(pid_field)) != c["pid"]:
            probs.append("%s %s=%s, want %s (client pid)" % (q, pid_field, e.get(pid_field),
                                                             c["pid"]))
        if e.get("comm") != c["comm"]:
            extra = ""
            if as_int(e.get("tid")) not in (None, as_int(e.get("pid"))):
                extra = " (sent from thread %s: thread name instead of process comm?)" % \
                    e.get("tid")
            probs.append("%s comm=%r, want %r%s" % (q, e.get("comm"), c["comm"], extra))
        if e.get("exe") != c["exe"]:
            probs.append("%s exe=%r, want %r" % (q, e.get("exe"), c["exe"]))
        if c["kind"] == "exitfast" and not str(e.get("cmdline") or "").strip():
            probs.append("%s cmdline empty" % q)
        notes.append("source %s" % src)
    # de-duplicate notes, keep order
    seen, uniq = set(), []
    for n in notes:
        if n not in seen:
            seen.add(n)
            uniq.append(n)
    return probs, uniq


def check_fields(c, evs, pid_field, cwd):
    """Secondary fields: reported in the aggregate 'fields' group."""
    probs = []
    for e in evs:
        q = "%s/%s" % (c["name"], qname(norm_qtype(e.get("qtype"))))
        single = norm_qtype(e.get("qtype"))
        if c["txid"] is not None and (c["qtypes"] == [single] or single == 1):
            if as_int(e.get("txid")) != c["txid"]:
                probs.append("%s txid=%s want %s" % (q, e.get("txid"), c["txid"]))
        if str(e.get("qclass")).upper() not in ("1", "IN"):
            probs.append("%s qclass=%s" % (q, e.get("qclass")))
        if str(e.get("proto")).lower() not in PROTO[c["proto"]]:
            probs.append("%s proto=%s want %s" % (q, e.get("proto"), c["proto"]))
        fam = str(e.get("family")).lower()
        want_fam = "6" if ":" in c["daddrs"][0] else "4"
        ok_fams = FAMILY[want_fam] | (FAMILY["6"] if len(c["daddrs"]) > 1 else set())
        if fam not in ok_fams:
            probs.append("%s family=%s" % (q, e.get("family")))
        for k in ("uid", "gid"):
            if as_int(e.get(k)) != 0:
                probs.append("%s %s=%s want 0" % (q, k, e.get(k)))
        if as_int(e.get("ppid")) != c["ppid"]:
            probs.append("%s ppid=%s want %s" % (q, e.get("ppid"), c["ppid"]))
        tid = as_int(e.get("tid"))
        if c["comm"] != "dig" and tid != c["pid"]:
            probs.append("%s tid=%s want %s" % (q, e.get("tid"), c["pid"]))
        if c["comm"] == "dig" and not tid:
            probs.append("%s tid=%s" % (q, e.get("tid")))
        cmd = str(e.get("cmdline") or "")
        if c["cmdline"] is not None and cmd != c["cmdline"]:
            probs.append("%s cmdline=%r want %r" % (q, cmd, c["cmdline"]))
        elif c["cmdline"] is None and c["domain"] not in cmd.lower():
            probs.append("%s cmdline=%r lacks the name" % (q, cmd))
        if pid_field == "pid" and as_int(e.get("ns_pid")) != as_int(e.get("pid")):
            probs.append("%s ns_pid=%s pid=%s (host process)" % (q, e.get("ns_pid"),
                                                                 e.get("pid")))
        if e.get("scope") not in ("host",):
            probs.append("%s scope=%r want 'host'" % (q, e.get("scope")))
        if e.get("container_id") not in ("", None):
            probs.append("%s container_id=%r" % (q, e.get("container_id")))
        if not as_int(e.get("cgroup_id")):
            probs.append("%s cgroup_id=%s" % (q, e.get("cgroup_id")))
        want_cwd = c["cwd"] or cwd
        if want_cwd and e.get("cwd") != want_cwd:
            probs.append("%s cwd=%r want %r" % (q, e.get("cwd"), want_cwd))
        if not e.get("time"):
            probs.append("%s time empty" % q)
    return probs


def main_events(argv, wire=False):
    path, manifest = argv[0], argv[1]
    prefix, pid_field, cwd = "tracepoint/", "pid", None
    rest = argv[2:]
    while rest:
        if rest[0] == "--source-prefix":
            prefix, rest = rest[1], rest[2:]
        elif rest[0] == "--pid-field":
            pid_field, rest = rest[1], rest[2:]
        elif rest[0] == "--cwd":
            cwd, rest = rest[1], rest[2:]
        else:
            raise SystemExit("check.py: unknown option %s" % rest[0])
    cases = load_manifest(manifest)
    if wire:
        events, lost = load_wire(path), 0
    else:
        events, lost, errors = load_events(path)
        missing = {}
        for e in events:
            for k in FIELDS:
                if k not in e:
                    missing.setdefault(k, e["_line"])
        probs = errors[:5] + ["field %r missing (first at line %d)" % (k, n)
                              for k, n in sorted(missing.items())]
        report("schema", not probs, "; ".join(probs) if probs else
               "%d events, all fields present, %d lost" % (len(events), lost))
        if lost:
            print("# note: %d samples lost; counts below may be affected" % lost)

    by_domain = {}
    for e in events:
        by_domain.setdefault(norm_domain(e.get("domain")), []).append(e)

    field_probs = []
    for c in cases:
        if c["kind"] in ("flood", "noise"):
            if wire:
                continue
            pids = {c["pid"]}
            bad = [e for e in events if as_int(e.get(pid_field)) in pids]
            if c["domain"]:
                bad += [e for e in by_domain.get(c["domain"], []) if e not in bad]
            report(c["name"], not bad, "%d event(s) from pid %s: %s" % (
                len(bad), c["pid"], "; ".join("line %d %s %s" % (e["_line"], e.get("domain"),
                                                                short(e)) for e in bad[:3]))
                   if bad else "no events from pid %s" % c["pid"])
            continue
        evs = by_domain.get(c["domain"], [])
        probs, notes = check_case(c, evs, prefix, pid_field, wire)
        report(c["name"], not probs, "; ".join(probs) if probs else ", ".join(notes))
        if not wire:
            field_probs += check_fields(c, evs, pid_field, cwd)
    if not wire:
        report("fields", not field_probs, "; ".join(field_probs[:12]) + (
            " (+%d more)" % (len(field_probs) - 12) if len(field_probs) > 12 else "")
            if field_probs else "txid qclass proto family uid gid ppid tid cmdline ns_pid "
                                "scope cgroup_id cwd time")


def main_filter(argv):
    path, name, keep, drops = argv[0], argv[1], norm_domain(argv[2]), []
    rest, maxn = argv[3:], None
    while rest:
        if rest[0] == "--max":
            maxn, rest = int(rest[1]), rest[2:]
        else:
            drops.append(norm_domain(rest[0]))
            rest = rest[1:]
    events, lost, errors = load_events(path)
    probs = list(errors[:3])
    kept = [e for e in events if norm_domain(e.get("domain")) == keep]
    if maxn is None and len(kept) != 1:
        probs.append("%s: %d events, want 1" % (keep, len(kept)))
    if maxn is not None and len(events) != maxn:
        probs.append("%d events in output, want exactly %d (-c %d): %s" % (
            len(events), maxn, maxn, ", ".join(str(e.get("domain")) for e in events)))
    for d in drops:
        n = sum(1 for e in events if norm_domain(e.get("domain")) == d)
        if n:
            probs.append("%s: %d event(s), want 0 (filtered out)" % (d, n))
    if maxn is None:
        others = [e for e in events if norm_domain(e.get("domain")) not in [keep] + drops]
        if others:
            probs.append("%d unrelated event(s) passed the filter, e.g. %s %s" % (
                len(others), others[0].get("domain"), short(others[0])))
    report(name, not probs, "; ".join(probs) if probs else "")


def load_json(path):
    try:
        with open(path) as f:
            v = json.load(f)
        return v if isinstance(v, list) else []
    except (OSError, ValueError):
        return None


def main_bpf(argv):
    d, pid = argv[0], int(argv[1])
    snap = {}
    for kind in ("prog", "perf", "link"):
        for when in ("before", "during", "after"):
            snap[kind, when] = load_json("%s/%s.%s.json" % (d, kind, when))
    probs, info = [], []
    if any(v is None for v in snap.values()):
        probs.append("bpftool output missing/unreadable: %s" % ", ".join(
            "%s.%s" % k for k, v in sorted(snap.items()) if v is None))
        report("shutdown", False, "; ".join(probs))
        return
    ids = {}
    for kind in ("prog", "link"):
        before = {x.get("id") for x in snap[kind, "before"]}
        ids[kind] = {x.get("id"): x for x in snap[kind, "during"] if x.get("id") not in before}
    perf_during = [x for x in snap["perf", "during"] if x.get("pid") == pid]
    if not ids["prog"]:
        probs.append("no new BPF program seen while dnsvis ran (is the check blind?)")
    if not perf_during:
        probs.append("bpftool perf showed no attachment of pid %d while it ran" % pid)
    info.append("%d progs, %d perf attachments (%s), %d links while running" % (
        len(ids["prog"]), len(perf_during),
        ",".join(sorted({str(x.get("tracepoint") or x.get("func") or x.get("fd_type"))
                         for x in perf_during})), len(ids["link"])))
    left = [x for x in snap["prog", "after"] if x.get("id") in ids["prog"]]
    if left:
        probs.append("%d program(s) still loaded after exit: %s" % (len(left), ", ".join(
            "id %s %s %s" % (x.get("id"), x.get("type"), x.get("name")) for x in left)))
    newer = [x for x in snap["prog", "after"]
             if x.get("id") not in {y.get("id") for y in snap["prog", "before"]}
             and x.get("id") not in ids["prog"]]
    if newer:
        info.append("note: %d other new program(s) after exit (not seen while running)"
                    % len(newer))
    pl = [x for x in snap["perf", "after"]
          if x.get("pid") == pid or x.get("prog_id") in ids["prog"]]
    if pl:
        probs.append("%d perf attachment(s) remain: %s" % (len(pl), json.dumps(pl)[:200]))
    ll = [x for x in snap["link", "after"] if x.get("id") in ids["link"]]
    if ll:
        probs.append("%d link(s) remain: %s" % (len(ll), json.dumps(ll)[:200]))
    report("shutdown", not probs, "; ".join(probs) if probs else "; ".join(info))


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    mode, argv = sys.argv[1], sys.argv[2:]
    if mode == "events":
        main_events(argv)
    elif mode == "wire":
        main_events(argv, wire=True)
    elif mode == "filter":
        main_filter(argv)
    elif mode == "bpf":
        main_bpf(argv)
    else:
        raise SystemExit(__doc__)
    sys.exit(min(100, results.count(False)))


if __name__ == "__main__":
    main()
