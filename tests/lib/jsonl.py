"""JSON Lines as dnsvis writes them: what the container suites' checks share."""
import json


def load_lines(path):
    """Return (objects, count of lines that are not JSON); blank lines skipped."""
    objs, bad = [], 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                objs.append(json.loads(line))
            except ValueError:
                bad += 1
    return objs, bad
