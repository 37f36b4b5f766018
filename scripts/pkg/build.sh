#!/usr/bin/env bash
# scripts/pkg/build.sh deb|rpm ROOT VERSION OUT - package the installed tree
# ROOT (`make install DESTDIR=ROOT PREFIX=/usr`) as OUT.  The binary is
# stripped (it is static: nothing else to strip), the man page gzipped.
set -euo pipefail
kind=$1 root=$2 version=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "pkg: $*" >&2
	exit 1
}
[ -x "$root/usr/sbin/dnsvis" ] || die "$root/usr/sbin/dnsvis missing (make install DESTDIR=$root)"
strip --strip-all "$root/usr/sbin/dnsvis"
gzip -9nf "$root/usr/share/man/man8/dnsvis.8"
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

case $kind in
deb)
	command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
	doc=$root/usr/share/doc/dnsvis
	install -d -m 0755 "$doc" "$root/DEBIAN"
	install -m 0644 "$here/copyright" "$doc/copyright"
	install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/dnsvis"
	# a native package's changelog, from this version
	printf 'dnsvis (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- dnsvis developers <dnsvis@example.org>  %s\n' \
		"$version" "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(stat -c %Y "$root/usr/sbin/dnsvis")}")" |
		gzip -9n >"$doc/changelog.gz"
	chmod 0644 "$doc/changelog.gz"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/control.in" >"$root/DEBIAN/control"
	echo /etc/logrotate.d/dnsvis >"$root/DEBIAN/conffiles"
	(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print0 |
		sort -z | xargs -0 md5sum | sed 's#  \./#  #') >"$root/DEBIAN/md5sums"
	chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
	find "$root" -type d -exec chmod 0755 {} +
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
	;;
rpm)
	command -v rpmbuild >/dev/null || die "rpmbuild not found (Debian package rpm)"
	top=$(mktemp -d "${TMPDIR:-/tmp}/dnsvis-rpm.XXXXXX")
	trap 'rm -rf "$top"' EXIT
	mkdir -p "$top/SPECS" "$top/RPMS"
	sed "s/@VERSION@/$version/" "$here/dnsvis.spec.in" >"$top/SPECS/dnsvis.spec"
	rpmbuild -bb --quiet --define "_topdir $top" --define "stagedir $(cd "$root" && pwd)" \
		--define "_rpmdir $top/RPMS" --define "_source_date_epoch_from_changelog 0" \
		"$top/SPECS/dnsvis.spec" >"$top/log" 2>&1 || die "rpmbuild failed: $(tail -n 5 "$top/log")"
	mv "$top/RPMS/x86_64/dnsvis-$version-1.x86_64.rpm" "$out"
	;;
*) die "usage: build.sh deb|rpm ROOT VERSION OUT" ;;
esac
echo "pkg: $out ($(stat -c %s "$out") bytes)"
