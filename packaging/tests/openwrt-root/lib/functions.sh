#!/bin/sh
# Stand-in for OpenWrt's /lib/functions.sh, for running package maintainer
# scripts off the router: records which of its functions they call, with
# their arguments and the variables they export, to $RECORD.

_record() {
	printf '%s' "$1" >> "$RECORD"
	shift
	for _arg in "$@"; do
		printf '\037%s' "$_arg" >> "$RECORD"
	done
	printf '\n' >> "$RECORD"
}

default_postinst() {
	_record default_postinst "$@" "root=${root-<unset>}" "pkgname=${pkgname-<unset>}" "PKG_UPGRADE=${PKG_UPGRADE-<unset>}"
	_run_pkg_script postinst-pkg "$@"
}

default_prerm() {
	_record default_prerm "$@" "root=${root-<unset>}" "pkgname=${pkgname-<unset>}" "PKG_UPGRADE=${PKG_UPGRADE-<unset>}"
	_run_pkg_script prerm-pkg "$@"
}

# As the real functions do for opkg: the Makefile's own postinst/prerm,
# installed as /usr/lib/opkg/info/<pkg>.postinst-pkg (prerm-pkg), is
# sourced in a subshell; the package's name comes from the script's.
_run_pkg_script() {
	_kind=$1
	shift
	_pkg=${pkgname:-$(basename "${1%.*}")}
	if [ -f "${IPKG_INSTROOT}/usr/lib/opkg/info/${_pkg}.${_kind}" ]; then
		# shellcheck source=/dev/null
		( . "${IPKG_INSTROOT}/usr/lib/opkg/info/${_pkg}.${_kind}" )
	fi
}

add_group_and_user() {
	_record add_group_and_user "$@" "root=${root-<unset>}" "pkgname=${pkgname-<unset>}"
}
