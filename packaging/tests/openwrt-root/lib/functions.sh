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
}

default_prerm() {
	_record default_prerm "$@" "root=${root-<unset>}" "pkgname=${pkgname-<unset>}" "PKG_UPGRADE=${PKG_UPGRADE-<unset>}"
}

add_group_and_user() {
	_record add_group_and_user "$@" "root=${root-<unset>}" "pkgname=${pkgname-<unset>}"
}
