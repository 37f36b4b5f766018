#!/usr/bin/env bash
# dns-audit.sh - worked example: audit what this node (and its containers)
# resolves for N minutes against an allowlist, keep the report, and exit
# with dnsvis's own code (0 clean, 3 violations, 1 error, 2 usage).
#
#   dns-audit.sh [-m MINUTES] [-a ALLOWLIST] [-d DENYLIST] [-o text|json]
#                [-r REPORT] [-s SEARCHDOMAIN]...
#
# Defaults: 10 minutes, /etc/dnsvis/allow.txt, text report written to
# /var/lib/dnsvis/audit-<host>-<UTC time>.<txt|json>.  Needs root (eBPF).
# Example (cron, nightly; mail only on violations):
#   dns-audit.sh -m 30 -o json || [ $? -ne 3 ] || mail -s "DNS violations" ops@example.com <"$REPORT"
set -u

DNSVIS=${DNSVIS:-dnsvis}
MINUTES=10
ALLOW=/etc/dnsvis/allow.txt
DENY=""
FORMAT=text
REPORT=""
SEARCH=()

usage() {
	sed -n '5,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while getopts "m:a:d:o:r:s:h" opt; do
	case $opt in
	m) MINUTES=$OPTARG ;;
	a) ALLOW=$OPTARG ;;
	d) DENY=$OPTARG ;;
	o) FORMAT=$OPTARG ;;
	r) REPORT=$OPTARG ;;
	s) SEARCH+=(--search "$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $MINUTES in '' | *[!0-9]*) echo "dns-audit: -m wants whole minutes" >&2; exit 2 ;; esac
case $FORMAT in text | json) ;; *) echo "dns-audit: -o text or json" >&2; exit 2 ;; esac
[ -r "$ALLOW" ] || { echo "dns-audit: cannot read allowlist $ALLOW" >&2; exit 1; }

ext=txt
[ "$FORMAT" = json ] && ext=json
if [ -z "$REPORT" ]; then
	mkdir -p /var/lib/dnsvis || exit 1
	REPORT=/var/lib/dnsvis/audit-$(hostname -s)-$(date -u +%Y%m%dT%H%M%SZ).$ext
fi

args=(audit -d "${MINUTES}m" -o "$FORMAT" --allow "$ALLOW" "${SEARCH[@]}")
[ -n "$DENY" ] && args+=(--deny "$DENY")

# The report goes to a temporary file first, so a half-written report never
# has the final name.
tmp=$(mktemp "$REPORT.XXXXXX") || exit 1
"$DNSVIS" "${args[@]}" >"$tmp"
rc=$?
case $rc in
0 | 3)
	mv -f "$tmp" "$REPORT"
	if [ $rc -eq 3 ]; then
		echo "dns-audit: violations found, report: $REPORT" >&2
	else
		echo "dns-audit: no violation, report: $REPORT" >&2
	fi
	;;
*)
	rm -f "$tmp"
	echo "dns-audit: dnsvis failed (exit $rc)" >&2
	;;
esac
exit $rc
