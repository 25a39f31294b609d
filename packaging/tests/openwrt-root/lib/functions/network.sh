#!/bin/sh
# Stand-in for OpenWrt's /lib/functions/network.sh: an interface's address
# comes from $TEST_IPADDR_<iface> / $TEST_IPADDR6_<iface> instead of netifd.
# Like the real functions, these fail when the interface has no address.

network_get_ipaddr() {
	eval "_addr=\${TEST_IPADDR_$2:-}"
	[ -n "$_addr" ] || return 1
	eval "$1=\$_addr"
}

network_get_ipaddr6() {
	eval "_addr=\${TEST_IPADDR6_$2:-}"
	[ -n "$_addr" ] || return 1
	eval "$1=\$_addr"
}
