#!/usr/bin/env python3
"""Checks and report for tests/vm/run.sh (python3 stdlib only).

  check.py --modes "M1 M2 ..." --live-check PATH [--timeout S] [--markdown OUT]
           SERIES=RUNDIR...

RUNDIR holds one VM run: data.log (the guest's second serial port: files
between "@@BEGIN TAG/NAME" and "@@END TAG/NAME"), console.log, qemu.rc,
package, version.  An empty RUNDIR means the kernel could not be fetched.
Per mode TAG the guest sent manifest.tsv, events.jsonl, dnsvis.err, ...
(see guest-init.sh).  The send-path cases are checked by tests/live/check.py
(events and bpf subcommands); the rest here.  Prints "ok"/"FAIL" per cell,
the kernel x mode x check table, the console log of every failed VM and
"vm: N passed, N failed".  Exit status 0 only if nothing failed.
"""
import json
import os
import re
import subprocess
import sys

CASES = ["sendto", "send", "write", "writev", "sendmsg1", "sendmsg3", "sendmsg-connected",
         "sendmmsg", "sendmmsg8", "sendmsg-namelen0", "ipv6", "v4mapped", "tcp", "tcp-writev",
         "tcp-two", "tcp-vc", "tcp-lensplit", "tcp-split", "busybox-nslookup", "silent", "nx"]
# DNS over TCP: the exact hook each backend must report it from
TCP_WRITE = "tracepoint/syscalls/sys_enter_write"
TCP_SOURCE = {
    "kprobe": {n: "kprobe/tcp_sendmsg"
               for n in ("tcp", "tcp-writev", "tcp-two", "tcp-vc", "tcp-lensplit", "tcp-split")},
    "tracepoint": {"tcp": TCP_WRITE, "tcp-writev": "tracepoint/syscalls/sys_enter_writev",
                   "tcp-two": TCP_WRITE, "tcp-vc": "tracepoint/syscalls/sys_enter_writev",
                   "tcp-lensplit": TCP_WRITE, "tcp-split": TCP_WRITE},
}
CGROUP_CASES = ["cgroup-v2", "cgroup-v1"]
ROWS = (["ready", "btf-source", "btf-messages", "recv-attached", "responses"] + CASES +
        CGROUP_CASES +
        ["schema", "fields", "clients", "exit", "shutdown", "stale-probes", "other-probes-kept",
         "no-leftovers"])
# once per kernel: `btf load-check --responses` of the kprobe backend, both
# objects (guest-init.sh), every program through the kernel's own
# verifier; the receive programs must be among them
VERIFY = ["kprobe-split", "kprobe-legacy"]
RECV_PROGS = {
    "kprobe": ["kp_skb_consume_udp", "kp_tcp_recvmsg", "kp_tcp_cleanup_rbuf"],
    "tracepoint": ["tp_%s%s" % (c, x) for c in ("recvfrom", "recvmsg", "recvmmsg", "read", "readv")
                   for x in ("", "_exit")],
}
MAX_INSNS = 4096  # the old verifiers' limit per program
SYS_BTF = "/sys/kernel/btf/vmlinux"
HUB_URL = "https://github.com/aquasecurity/btfhub-archive/"


def btf_kind(mode):
    """Where a mode's BTF comes from: kernel, file (--btf) or embedded."""
    if mode.endswith("-btf"):
        return "file"
    if mode.endswith("-embedded"):
        return "embedded"
    return "kernel"
GUEST_CWD = "/run/vmtest"


def split_data(path, outdir):
    """Split data.log into files; return (set of finished runs, done flag, hello)."""
    runs, done, hello = set(), False, ""
    cur, buf = None, []
    try:
        raw = open(path, "rb").read().decode("utf-8", "replace")
    except OSError:
        return runs, done, hello
    for line in raw.replace("\r", "").split("\n"):
        if cur is not None:
            if line == "@@END " + cur:
                dest = os.path.join(outdir, cur)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "w") as f:
                    f.write("\n".join(buf).rstrip("\n") + ("\n" if buf else ""))
                cur, buf = None, []
            else:
                buf.append(line)
            continue
        if line.startswith("@@BEGIN "):
            cur, buf = line[8:].strip(), []
        elif line.startswith("@@RUN-DONE "):
            runs.add(line[11:].strip())
        elif line.startswith("@@DONE"):
            done = True
        elif line.startswith("@@HELLO "):
            hello = line[8:].strip()
    return runs, done, hello


def strip_esc(line):
    """Drop terminal escape sequences (SeaBIOS clears the screen)."""
    return re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|[@-~])", "", line)


def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def run_live(live_check, args):
    """Run tests/live/check.py; return {name: (ok, msg)}."""
    try:
        p = subprocess.run([sys.executable, live_check] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"_error": (False, "check.py: %s" % e)}
    res = {}
    for line in out.splitlines():
        m = re.match(r"^ok (\S+)(?: \((.*)\))?$", line)
        if m:
            res[m.group(1)] = (True, m.group(2) or "")
            continue
        m = re.match(r"^FAIL (\S+): (.*)$", line)
        if m:
            res[m.group(1)] = (False, m.group(2))
    if not res:
        res["_error"] = (False, "check.py printed nothing usable: %s" % out[-400:])
    return res


def probe_names(text):
    """Event names in kprobe_events text: 'p:kprobes/NAME FUNC' -> NAME."""
    names = []
    for line in text.splitlines():
        m = re.match(r"^[pr]:[^/\s]+/(\S+)", line.strip())
        if m:
            names.append(m.group(1))
    return names


def check_tcp_sources(d, backend, cell):
    """Narrow the tcp cells: the event must come from the expected hook."""
    doms = {}
    for line in read(os.path.join(d, "manifest.tsv")).splitlines():
        p = line.split("\t")
        if len(p) == 12 and p[0] in TCP_SOURCE[backend]:
            doms[p[2].lower().rstrip(".")] = p[0]
    seen = {}
    for line in read(os.path.join(d, "queries.jsonl")).splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        name = doms.get(str(e.get("domain") or "").lower().rstrip("."))
        if name:
            seen.setdefault(name, set()).add(str(e.get("source")))
    for name, want in TCP_SOURCE[backend].items():
        ok, msg = cell.get(name, (False, "not checked"))
        if not ok:
            continue
        got = seen.get(name, set())
        if got != {want}:
            cell[name] = (False, "source %s, want %s" % (", ".join(sorted(got)) or "none", want))


def check_btf_texts(d, kind, host):
    """(btf-source, btf-messages) cells: doctor and `btf which` name the
    source the mode sets up; a missing or empty kernel BTF is reported as
    such.  host = (ID, VERSION_ID, release) of the guest."""
    hid, hver, rel = host
    want = {"kernel": "kernel (%s)" % SYS_BTF, "file": "--btf /vmtest/vmlinux.btf",
            "embedded": "embedded %s %s x86_64 %s" % (hid, hver, rel)}[kind]
    doc = [l.split(None, 1)[1] for l in read(os.path.join(d, "doctor.txt")).splitlines()
           if l.startswith("btf:") and len(l.split(None, 1)) == 2]
    which = read(os.path.join(d, "which.txt")).splitlines()
    got_w = [l[5:] for l in which if l.startswith("btf: ")]
    probs = []
    if doc != [want]:
        probs.append("doctor says btf %s" % (doc or "nothing"))
    if got_w != [want]:
        probs.append("btf which says %s" % (" | ".join(which) or "nothing"))
    missing = "passed over: kernel BTF %s: missing" % SYS_BTF
    if kind == "embedded" and missing not in which:
        probs.append("btf which does not say the kernel BTF is missing")
    src = (False, "; ".join(probs)) if probs else (True, "doctor and btf which: %s" % want)

    msg = read(os.path.join(d, "msg.txt")).strip().splitlines()
    status = msg[-1] if msg and msg[-1].startswith("status ") else "no status"
    lines = [l for l in msg if not l.startswith("status ")]
    if kind == "kernel":
        ok = (status == "status 0" and
              "passed over: kernel BTF %s: empty (0 bytes)" % SYS_BTF in lines and
              "btf: embedded %s %s x86_64 %s" % (hid, hver, rel) in lines)
        what = "0-byte vmlinux passed over, embedded BTF used"
    else:
        want_l = ("dnsvis: no BTF for this kernel: kernel BTF %s: missing; embedded BTF: none for "
                  "%s %s x86_64 %s (" % (SYS_BTF, hid, hver, rel))
        hub = "get %s %s/%s/x86_64/%s.btf.tar.xz" % (HUB_URL, hid, hver, rel)
        ok = (status == "status 1" and len(lines) == 1 and lines[0].startswith(want_l) and
              hub in lines[0])
        what = "without this kernel in the archive: one line naming both sources"
    mcell = (ok, what if ok else "%s; got %s: %s" % (what, status, " | ".join(lines)[:400]))
    return src, mcell


def check_cgroups(d, cell):
    """cgroup-v2 / cgroup-v1: the query from a cgroup made just before and
    removed just after is attributed by the names the kernel captured."""
    evs = {}
    for line in read(os.path.join(d, "queries.jsonl")).splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        evs.setdefault(e.get("domain"), []).append(e)
    made = {}
    for line in read(os.path.join(d, "cgroups.txt")).splitlines():
        p = line.split()
        if len(p) >= 3:
            made[p[0]] = (p[1], p[2], " ".join(p[3:]))
    for name in CGROUP_CASES:
        if name not in made:
            cell[name] = (False, "no cgroup made (see clients)")
            continue
        dom, cid, note = made[name]
        es = evs.get(dom, [])
        if len(es) != 1:
            cell[name] = (False, "%d events for %s, want 1" % (len(es), dom))
            continue
        e = es[0]
        got = (e.get("container_id"), e.get("runtime"), e.get("scope"))
        cell[name] = (got == (cid, "docker", "container"),
                      "container_id=%s runtime=%s scope=%s, want %s docker container%s" %
                      (got[0], got[1], got[2], cid, " (%s)" % note if note else ""))


def check_recv_attached(d, backend):
    """The receive programs were loaded while trace --responses ran
    (bpftool's snapshot: full names from BTF, else cut to 15 characters)."""
    try:
        progs = json.loads(read(os.path.join(d, "bpf", "prog.during.json")) or "[]")
    except ValueError:
        return False, "prog.during.json is not JSON"
    names = {str(p.get("name")) for p in progs if isinstance(p, dict)}
    missing = [p for p in RECV_PROGS[backend] if p not in names and p[:15] not in names]
    if missing:
        return False, "not loaded while tracing: %s" % ", ".join(missing)
    return True, "%d receive programs loaded" % len(RECV_PROGS[backend])


def split_events(d):
    """events.jsonl into the query-side records (written to queries.jsonl,
    for tests/live/check.py) and the response-side ones (returned)."""
    queries, resp = [], []
    for line in read(os.path.join(d, "events.jsonl")).splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            queries.append(line)
            continue
        if isinstance(e, dict) and e.get("type") in ("response", "timeout", "unsolicited"):
            resp.append(e)
        else:
            queries.append(line)
    with open(os.path.join(d, "queries.jsonl"), "w") as f:
        f.write("".join(l + "\n" for l in queries))
    return resp


def answers(r):
    return [(a.get("name"), a.get("type"), a.get("data")) for a in r.get("answers") or []
            if isinstance(a, dict)]


def want_resp(r, c, p, rcode, ans, proto="udp", txid=None, lat=(1, 5000000), tc=False):
    """One response record's fields: the receiving process, txid, proto,
    rcode, answers (name, type, data in order), latency, the tc flag."""
    what = "%s %s" % (r.get("proto"), r.get("qtype"))
    if str(r.get("pid")) != c["pid"]:
        p.append("%s pid %s, want %s" % (what, r.get("pid"), c["pid"]))
    if str(r.get("txid")) != str(txid if txid is not None else c["txid"]):
        p.append("%s txid %s, want %s" % (what, r.get("txid"), txid or c["txid"]))
    if r.get("proto") != proto:
        p.append("%s proto %s, want %s" % (what, r.get("proto"), proto))
    if r.get("rcode") != rcode:
        p.append("%s rcode %s, want %s" % (what, r.get("rcode"), rcode))
    if answers(r) != ans:
        p.append("%s answers %s, want %s" % (what, answers(r), ans))
    if not lat[0] <= (r.get("latency_us") or 0) < lat[1]:
        p.append("%s latency_us %s, want [%d, %d)" % (what, r.get("latency_us"), lat[0], lat[1]))
    if ("tc" in (r.get("flags") or [])) != tc:
        p.append("%s flags %s, want%s tc" % (what, r.get("flags"), "" if tc else " no"))


def want_timeout(t, c, p):
    if str(t.get("pid")) != c["pid"] or str(t.get("txid")) != c["txid"]:
        p.append("timeout pid/txid %s/%s, want %s/%s" % (t.get("pid"), t.get("txid"), c["pid"],
                                                        c["txid"]))
    if t.get("proto") != "udp":
        p.append("timeout proto %s" % t.get("proto"))
    if not 1000 <= (t.get("waited_ms") or 0) < 10000 or "rcode" in t or "latency_us" in t:
        p.append("timeout waited_ms %s, keys %s" % (t.get("waited_ms"), sorted(t)))


def of(recs, typ, proto=None):
    return [r for r in recs if r.get("type") == typ and proto in (None, r.get("proto"))]


def only(recs, typ, p, n=1, proto=None):
    """The records of one type (and proto); all of the case's records must
    be of it, n of them."""
    got = of(recs, typ, proto)
    if len(got) != n:
        p.append("%d %s%s records, want %d" % (len(got), typ, " " + proto if proto else "", n))
    return got


def a_answer(c, qtype="A"):
    return [(c["domain"], qtype, "127.0.0.2" if qtype == "A" else "::2")]


def case_plain(proto):
    def check(recs, c, p):
        for r in only(recs, "response", p):
            want_resp(r, c, p, "NOERROR", a_answer(c), proto)
    return check


def case_rcode(rcode):
    def check(recs, c, p):
        for r in only(recs, "response", p):
            want_resp(r, c, p, rcode, [])
    return check


def case_silent(recs, c, p):
    for t in only(recs, "timeout", p):
        want_timeout(t, c, p)


def case_chain(recs, c, p):
    """sendmmsg: A (txid) and AAAA (txid+1), each behind the CNAME chain."""
    d = c["domain"]
    chain = [(d, "CNAME", "alias1." + d), ("alias1." + d, "CNAME", "alias2." + d)]
    by = {r.get("qtype"): r for r in only(recs, "response", p, 2)}
    for qt, txid in (("A", int(c["txid"])), ("AAAA", int(c["txid"]) + 1)):
        if qt not in by:
            p.append("no %s response" % qt)
            continue
        want_resp(by[qt], c, p, "NOERROR", chain + [("alias2." + d, qt, a_answer(c, qt)[0][2])],
                  txid=txid)


def case_late(recs, c, p):
    for r in only(recs, "response", p):
        want_resp(r, c, p, "NOERROR", a_answer(c), lat=(300000, 1000000))


def case_slowread(recs, c, p):
    """dns_client -S: the answer waits 300 ms in the socket before the
    read.  The latency runs to its arrival: a latency to the read would be
    >= 300000 whatever the wire took."""
    for r in only(recs, "response", p):
        want_resp(r, c, p, "NOERROR", a_answer(c), lat=(1, 300000))


def case_truncate(recs, c, p):
    """TC over UDP, no answer; the same query over TCP, answered."""
    only(recs, "response", p, 2)
    for r in of(recs, "response", "udp"):
        want_resp(r, c, p, "NOERROR", [], tc=True)
    for r in only(recs, "response", p, 1, "tcp"):
        want_resp(r, c, p, "NOERROR", a_answer(c), "tcp")


def case_wrongport(recs, c, p):
    """The answer from 127.0.0.1:5353 matches no query: an unsolicited
    record, received by the client; its query times out."""
    if len(recs) != 2:
        p.append("%d records, want unsolicited and timeout" % len(recs))
    for u in of(recs, "unsolicited"):
        want_resp(u, c, p, "NOERROR", a_answer(c), lat=(0, 1))
        if (u.get("daddr"), u.get("dport")) != ("127.0.0.1", 5353):
            p.append("unsolicited from %s:%s, want 127.0.0.1:5353" % (u.get("daddr"),
                                                                       u.get("dport")))
        if u.get("sport") in (None, 0, 53):
            p.append("unsolicited client port %s" % u.get("sport"))
        if u.get("source") != UNSOLICITED_HOOK[c["backend"]]:
            p.append("unsolicited source %s, want %s" % (u.get("source"),
                                                         UNSOLICITED_HOOK[c["backend"]]))
    if not of(recs, "unsolicited"):
        p.append("no unsolicited record")
    for t in only(recs, "timeout", p):
        want_timeout(t, c, p)


# where each backend reads the wrongport answer (dns_client -f: recvfrom)
UNSOLICITED_HOOK = {"kprobe": "kprobe/skb_consume_udp",
                    "tracepoint": "tracepoint/syscalls/sys_exit_recvfrom"}
# response cases (guest-init.sh: manifest.tsv and responses.tsv): name ->
# the check of all the records (response, timeout, unsolicited) for its name
RESP_CASES = {"sendto": case_plain("udp"), "tcp": case_plain("tcp"),
              "nx": case_rcode("NXDOMAIN"), "silent": case_silent,
              "servfail": case_rcode("SERVFAIL"), "refused": case_rcode("REFUSED"),
              "chain": case_chain, "late": case_late, "slowread": case_slowread,
              "truncate": case_truncate,
              "wrongport": case_wrongport}


def check_responses(d, resp, backend):
    """Every record of each response case, its fields asserted."""
    man = {}
    for f in ("manifest.tsv", "responses.tsv"):
        for line in read(os.path.join(d, f)).splitlines():
            p = line.split("\t")
            if len(p) == 12 and p[0] in RESP_CASES:
                man[p[0]] = {"domain": p[2].lower().rstrip("."), "pid": p[4], "txid": p[10],
                             "backend": backend}
    probs, seen = [], []
    for name, check in sorted(RESP_CASES.items()):
        if name not in man:
            probs.append("%s: not in the manifest" % name)
            continue
        c, p = man[name], []
        recs = [r for r in resp if str(r.get("domain", "")).lower().rstrip(".") == c["domain"]]
        check(recs, c, p)
        if p:
            probs.append("%s: %s" % (name, ", ".join(p)))
        else:
            seen.append(name)
    if probs:
        return False, "; ".join(probs)
    return True, "%s: type, rcode, answers, flags, latency/waited_ms, pid, txid, proto" % (
        ", ".join(seen))


def check_mode(d, mode, live_check, host):
    """Return {row: (ok, msg)} for one finished mode directory d."""
    cell = {}
    ready = read(os.path.join(d, "ready.txt")).strip()
    err_tail = read(os.path.join(d, "dnsvis.err")).strip().splitlines()[-6:]
    kind = btf_kind(mode)
    if kind != "kernel" and "No such file" not in read(os.path.join(d, "btf.txt")):
        cell["ready"] = (False, "%s was not absent: %s" % (SYS_BTF, read(os.path.join(d, "btf.txt"))
                                                           .strip()))
        return cell
    if mode.endswith("-legacy") and read(os.path.join(d, "pmu.txt")).split():
        cell["ready"] = (False, "kprobe PMU was not hidden: %s" %
                         read(os.path.join(d, "pmu.txt")).strip())
        return cell
    cell["btf-source"], cell["btf-messages"] = check_btf_texts(d, kind, host)
    if not ready.startswith("ready after"):
        cell["ready"] = (False, "%s; stderr: %s" % (ready or "no result", " | ".join(err_tail)))
        return cell
    cell["ready"] = (True, ready + ("" if kind == "kernel" else "; %s absent" % SYS_BTF))

    backend = "kprobe" if mode.startswith("kprobe") else "tracepoint"
    cell["recv-attached"] = check_recv_attached(d, backend)
    cell["responses"] = check_responses(d, split_events(d), backend)
    ev = run_live(live_check, ["events", os.path.join(d, "queries.jsonl"),
                               os.path.join(d, "manifest.tsv"), "--source-prefix",
                               backend + "/", "--pid-field", "pid", "--cwd", GUEST_CWD])
    for name in CASES + ["schema", "fields"]:
        cell[name] = ev.get(name, ev.get("_error", (False, "not checked")))
    check_tcp_sources(d, backend, cell)
    check_cgroups(d, cell)

    clients = read(os.path.join(d, "clients.txt")).strip()
    cell["clients"] = (clients == "none", "all senders exited 0 with their answers"
                       if clients == "none" else "failed: %s" % (clients or "no result"))
    ex = read(os.path.join(d, "exit.txt")).strip()
    cell["exit"] = (ex == "status 0", "%s on SIGTERM; stderr: %s" % (
        ex or "no result", err_tail[-1] if err_tail else ""))

    pid = read(os.path.join(d, "dnsvis.pid")).strip()
    bpf = run_live(live_check, ["bpf", os.path.join(d, "bpf"), pid or "0"])
    cell["shutdown"] = bpf.get("shutdown", bpf.get("_error", (False, "not checked")))

    planted = {}
    for line in read(os.path.join(d, "probes.txt")).splitlines():
        p = line.split()
        if len(p) == 2:
            planted[p[1]] = p[0]
    before = set(probe_names(read(os.path.join(d, "kprobe_events.before"))))
    at_ready = set(probe_names(read(os.path.join(d, "kprobe_events.ready"))))
    after = probe_names(read(os.path.join(d, "kprobe_events.after")))
    stale = [n for n, k in planted.items() if k == "stale"]
    keep = [n for n, k in planted.items() if k == "keep"]
    not_planted = [n for n in stale + keep if n not in before]
    if not planted or not_planted:
        msg = "test could not plant %s" % (", ".join(not_planted) or "anything")
        cell["stale-probes"] = (False, msg)
        cell["other-probes-kept"] = (False, msg)
    else:
        left = [n for n in stale if n in at_ready]
        pmu = "kprobe PMU present" if read(os.path.join(d, "pmu.txt")).split() else \
            "kprobe PMU hidden"
        cell["stale-probes"] = (not left, "dnsvis did not remove the dead pid's libbpf probes "
                                "at start-up (still in kprobe_events when ready; %s): %s" %
                                (pmu, ", ".join(left)) if left else "dead pid's libbpf probes removed: %s"
                                % ", ".join(stale))
        gone = [n for n in keep if n not in at_ready]
        cell["other-probes-kept"] = (not gone, "removed by dnsvis: %s (live pid / not libbpf)"
                                     % ", ".join(gone) if gone else ", ".join(keep))
    probs = []
    extra = [n for n in after if n not in keep and n not in stale]
    if extra:
        probs.append("kprobe_events after exit: %s" % ", ".join(extra))
    mine = [n for n in probe_names(read(os.path.join(d, "kprobe_events.during")))
            if pid and n.startswith("libbpf_%s_" % pid)]
    if mode.endswith("-legacy") and not mine:
        probs.append("PMU hidden but dnsvis made no kprobe_events entry (legacy path not used)")
    bpffs = read(os.path.join(d, "bpffs.after")).split()
    if bpffs:
        probs.append("/sys/fs/bpf after exit: %s" % " ".join(bpffs))
    cell["no-leftovers"] = (not probs, "; ".join(probs) if probs else
                            "kprobe_events and /sys/fs/bpf clean after exit%s" % (
                                " (%d legacy kprobe_events entries while running)" % len(mine)
                                if mine else ""))
    return cell


def check_verify(out, which):
    """One verify cell: (ok, msg, {prog: (insns, processed)}) from the
    guest's load-check output for backend-object `which`."""
    text = read(os.path.join(out, "verify", which + ".txt"))
    if not text:
        return False, "no load-check output (guest did not run it)", {}
    progs = {}
    loaded = set(re.findall(r"^loaded (\S+)$", text, re.M))
    for line in text.splitlines():
        m = re.match(r"^insns (\S+) (\d+)(?: processed (\d+))?$", line)
        if m:
            progs[m.group(1)] = (int(m.group(2)), int(m.group(3) or 0))
    status = [l for l in text.splitlines() if l.startswith("status ")]
    probs = []
    if status != ["status 0"] or "result: ok" not in text:
        errs = [l for l in text.splitlines()
                if not l.startswith(("resolved", "poisoned", "loaded", "insns"))]
        probs.append("load-check failed: %s" % " | ".join(errs)[-400:])
    missing = [p for p in RECV_PROGS[which.split("-")[0]] if p not in loaded]
    if loaded != set(progs):
        probs.append("no instruction counts for %s" % ", ".join(sorted(loaded - set(progs))))
    if missing:
        probs.append("receive programs not loaded: %s" % ", ".join(missing))
    big = ["%s %d" % (p, v[0]) for p, v in sorted(progs.items()) if v[0] > MAX_INSNS]
    if big:
        probs.append("over %d insns: %s" % (MAX_INSNS, ", ".join(big)))
    if probs:
        return False, "; ".join(probs), progs
    top = max(progs.items(), key=lambda kv: kv[1][1])
    return True, "%d programs verified; most processed: %s %d (%d insns)" % (
        len(progs), top[0], top[1][1], top[1][0]), progs


def print_verify_table(headers, vcounts, f=None):
    """Instruction counts per program: xlated insns / verifier processed."""
    cols = [(s, w) for s, _ in headers for w in VERIFY if (s, w) in vcounts]
    progs = sorted({p for c in cols for p in vcounts[c]})
    if not progs:
        return
    if f:
        f.write("\nVerifier (xlated insns / processed), per kernel and object:\n\n")
        f.write("| program | %s |\n|---|%s\n" % (" | ".join("%s %s" % c for c in cols),
                                                  "---|" * len(cols)))
    else:
        print("verifier: xlated insns / processed")
        print("%-22s  %s" % ("program", "  ".join("%-22s" % ("%s %s" % c) for c in cols)))
    for p in progs:
        cells = []
        for c in cols:
            v = vcounts[c].get(p)
            cells.append("%d / %d" % v if v else "-")
        if f:
            f.write("| %s | %s |\n" % (p, " | ".join(cells)))
        else:
            print("%-22s  %s" % (p, "  ".join("%-22s" % x for x in cells)))
    if not f:
        print()


def write_markdown(md, headers, modes, table):
    """One row per kernel and mode: the BTF source doctor named, and how
    many of the send-path cases and of the other checks passed."""
    other = [r for r in ROWS if r not in CASES and r != "btf-source"]
    with open(md, "w") as f:
        f.write("Kernels: %s\n\n" % ", ".join("%s = `%s`" % (s, v or "not fetched")
                                            for s, v in headers))
        f.write("| kernel | mode | BTF source (doctor, btf which) | send-path cases | %s |\n"
                % " | ".join(other))
        f.write("|---|---|---|---|%s\n" % ("---|" * len(other)))
        for s, _ in headers:
            for m in modes:
                ok, msg = table[s, m, "btf-source"]
                src = msg.replace("doctor and btf which: ", "") if ok else "**FAIL**"
                n = sum(1 for c in CASES if table[s, m, c][0])
                f.write("| %s | %s | %s | %s%d/%d%s | %s |\n" % (
                    s, m, src, "" if n == len(CASES) else "**", n, len(CASES),
                    "" if n == len(CASES) else "**", " | ".join(
                        "pass" if table[s, m, r][0] else "**FAIL**" for r in other)))


def main():
    argv = sys.argv[1:]
    modes, timeout, live_check, pairs, md = [], 0, None, [], None
    while argv:
        if argv[0] == "--modes":
            modes, argv = argv[1].split(), argv[2:]
        elif argv[0] == "--timeout":
            timeout, argv = int(argv[1]), argv[2:]
        elif argv[0] == "--markdown":
            md, argv = argv[1], argv[2:]
        elif argv[0] == "--live-check":
            live_check, argv = argv[1], argv[2:]
        else:
            pairs.append(argv[0].split("=", 1))
            argv = argv[1:]
    if not modes or not pairs or not live_check:
        raise SystemExit(__doc__)

    table, details, failed_vms = {}, [], []
    vtable, vcounts = {}, {}
    headers = []
    for series, rd in pairs:
        pkg = read(os.path.join(rd, "version")).strip() if rd else ""
        headers.append((series, pkg))
        if not rd:
            for m in modes:
                for r in ROWS:
                    table[series, m, r] = (False, "kernel %s could not be fetched" % series)
            for w in VERIFY:
                vtable[series, w] = (False, "kernel %s could not be fetched" % series)
            continue
        out = os.path.join(rd, "out")
        runs, done, hello = split_data(os.path.join(rd, "data.log"), out)
        distro = read(os.path.join(rd, "distro")).split() or ["?", "?"]
        host = (distro[0], distro[1], read(os.path.join(rd, "release")).strip())
        qrc = read(os.path.join(rd, "qemu.rc")).strip()
        vm_problem = ""
        if qrc in ("124", "137"):
            vm_problem = "guest hung: killed after the %d s timeout" % timeout
        elif not hello:
            vm_problem = "guest never started the test (qemu status %s; see console)" % qrc
        elif not done:
            vm_problem = "guest stopped before finishing (qemu status %s; crash/panic?)" % qrc
        bad = bool(vm_problem)
        for w in VERIFY:
            ok, msg, progs = check_verify(out, w)
            vtable[series, w] = (ok, msg)
            vcounts[series, w] = progs
            bad |= not ok
        for m in modes:
            if m in runs:
                cell = check_mode(os.path.join(out, m), m, live_check, host)
            else:
                cell = {}
            for r in ROWS:
                if r not in cell:
                    cell[r] = (False, "not run: %s" % (vm_problem or "run %s did not finish" % m)
                               if m not in runs else "skipped (dnsvis not ready)")
                table[series, m, r] = cell[r]
                bad |= not cell[r][0]
        if vm_problem:
            details.append("FAIL %s: %s" % (series, vm_problem))
        if os.path.exists(os.path.join(rd, "retried")):
            con = read(os.path.join(rd, "console.attempt1.log")).replace("\r", "").splitlines()
            details.append("note %s: the first boot hung before /init (booted again); its "
                           "console ended with:\n%s" % (series, "\n".join(
                               "  | " + strip_esc(l) for l in con[-15:])))
        if bad:
            failed_vms.append((series, rd))

    npass = sum(1 for v in list(table.values()) + list(vtable.values()) if v[0])
    nfail = len(table) + len(vtable) - npass
    for (series, w), (ok, msg) in sorted(vtable.items()):
        name = "%s/verify/%s" % (series, w)
        print("ok %s (%s)" % (name, msg) if ok else "FAIL %s: %s" % (name, msg))
    for series, _ in headers:
        for m in modes:
            msgs = {table[series, m, r] for r in ROWS}
            if len(msgs) == 1 and not list(msgs)[0][0]:
                print("FAIL %s/%s/* (%d checks): %s" % (series, m, len(ROWS), list(msgs)[0][1]))
                continue
            for r in ROWS:
                ok, msg = table[series, m, r]
                name = "%s/%s/%s" % (series, m, r)
                print("ok %s%s" % (name, " (%s)" % msg if msg else "") if ok else
                      "FAIL %s: %s" % (name, msg))
    for line in details:
        print(line)

    cols = ["%s %s" % (s, m) for s, _ in headers for m in modes]
    w0 = max(len(r) for r in ROWS)
    print()
    print("kernels: " + ", ".join("%s = %s" % (s, v or "not fetched") for s, v in headers))
    print("%-*s  %s" % (w0, "check \\ kernel mode", "  ".join(cols)))
    for r in ROWS:
        cells = []
        for s, _ in headers:
            for m in modes:
                c = "%s %s" % (s, m)
                cells.append(("pass" if table[s, m, r][0] else "FAIL").ljust(len(c)))
        print("%-*s  %s" % (w0, r, "  ".join(cells).rstrip()))
    print()
    print_verify_table(headers, vcounts)
    if md:
        write_markdown(md, headers, modes, table)
        with open(md, "a") as f:
            print_verify_table(headers, vcounts, f)

    for series, rd in failed_vms:
        con = read(os.path.join(rd, "console.log")).replace("\r", "").splitlines()
        print("---- console log of the %s guest (%d lines%s) ----" % (
            series, len(con), ", last 300" if len(con) > 300 else ""))
        for line in con[-300:]:
            print("  | " + strip_esc(line))
        out = os.path.join(rd, "out")
        for m in modes:
            e = read(os.path.join(out, m, "dnsvis.err")).strip().splitlines()
            if e and any(not table[series, m, r][0] for r in ROWS):
                print("---- dnsvis stderr, %s %s (last 20 lines) ----" % (series, m))
                for line in e[-20:]:
                    print("  | " + line)
        print("---- run directory: %s ----" % rd)
    print("vm: %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
