#!/bin/sh
# Run by the packages feed's CI on the target after installing each package
# built from this Makefile: sh test.sh PKG_NAME PKG_VERSION.
# Both variants install /usr/bin/smarthub-exporter; it must be the version
# the package says, and start far enough to check its command line (a bad
# value is refused with exit code 2, before it listens or logs anything).

case "$1" in
smarthub-exporter|smarthub-exporter-nojs)
	smarthub-exporter --version | grep -Fx "smarthub-exporter $2" || exit 1
	smarthub-exporter --help > /dev/null || exit 1
	rc=0
	smarthub-exporter --timeout 0 > /dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || { echo "--timeout 0 gave exit code $rc, not 2" >&2; exit 1; }
	;;
*)
	echo "Untested package: $1" >&2
	exit 1
	;;
esac
