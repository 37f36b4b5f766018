#!/usr/bin/env python3
"""Every field of every `-o ecs` document must be an ECS field.

Usage: ecs_fields.py DOCS.jsonl...

ECS_FIELDS below is the subset of the Elastic Common Schema field reference
(ECS 8.x: base, ecs, event, dns, source, destination, network, process,
user, group, container, orchestrator) that a DNS event can carry, written
down here as facts of the reference.  Each document's leaf fields (nested
objects joined with ".", arrays of objects by their members' names) must
be in it, and each document must have @timestamp, event.kind, dns.type and
dns.question.name (when the query has a question) -- and dns.answers.data
for every answer, which ECS requires of an answer object.
"""
import json
import sys

ECS_FIELDS = {
    "@timestamp", "ecs.version",
    "event.kind", "event.category", "event.type", "event.action", "event.outcome",
    "event.duration", "event.dataset",
    "dns.type", "dns.id", "dns.op_code", "dns.header_flags", "dns.response_code",
    "dns.question.name", "dns.question.type", "dns.question.class",
    "dns.question.registered_domain", "dns.question.subdomain", "dns.question.top_level_domain",
    "dns.answers", "dns.answers.name", "dns.answers.type", "dns.answers.class", "dns.answers.ttl",
    "dns.answers.data", "dns.resolved_ip",
    "source.ip", "source.port", "destination.ip", "destination.port",
    "network.transport", "network.type", "network.protocol",
    "process.pid", "process.name", "process.executable", "process.command_line",
    "process.working_directory", "process.parent.pid", "process.thread.id",
    "user.id", "group.id",
    "container.id", "container.name", "container.image.name", "container.runtime",
    "orchestrator.type", "orchestrator.namespace", "orchestrator.resource.type",
    "orchestrator.resource.name", "orchestrator.resource.id", "orchestrator.cluster.name",
}
# ECS's allowed values of the categorization fields used here.
EVENT_KIND = {"alert", "enrichment", "event", "metric", "state", "pipeline_error", "signal"}
EVENT_OUTCOME = {"failure", "success", "unknown"}
DNS_TYPE = {"query", "answer"}


def leaves(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, prefix + k if not prefix else prefix + "." + k)
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for x in obj:
            yield from leaves(x, prefix)
    else:
        yield prefix


def main():
    bad, seen, n = [], set(), 0
    for path in sys.argv[1:]:
        for line in open(path):
            d = json.loads(line)
            n += 1
            for f in leaves(d):
                seen.add(f)
                if f not in ECS_FIELDS:
                    bad.append("%s: not an ECS field" % f)
            ev, dns = d.get("event", {}), d.get("dns", {})
            if "@timestamp" not in d or ev.get("kind") not in EVENT_KIND:
                bad.append("no @timestamp or a bad event.kind: %s" % line[:120])
            if ev.get("outcome", "success") not in EVENT_OUTCOME:
                bad.append("bad event.outcome %r" % ev.get("outcome"))
            if dns.get("type") not in DNS_TYPE:
                bad.append("bad dns.type %r" % dns.get("type"))
            if any("data" not in a for a in dns.get("answers", [])):
                bad.append("an answer without data: %s" % line[:120])
    if bad or n == 0:
        print("FAIL ecs fields: %d documents, %d problems" % (n, len(bad)))
        for b in sorted(set(bad))[:20]:
            print("  " + b)
        return 1
    print("ok ecs fields: %d documents, %d distinct fields, all in ECS's reference" % (n, len(seen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
