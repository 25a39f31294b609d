#!/bin/sh
# A signed opkg feed from the OpenWrt packages:
#   dist/openwrt/<pkgarch>/*.ipk -> dist/opkg-feed/<pkgarch>/{*.ipk,Packages,Packages.gz,Packages.sig}
#   dist/openwrt/all/*.ipk       -> into every <pkgarch>/ of the feed (the LuCI app)
#                                   dist/opkg-feed/smarthub-exporter-feed.pub
#   packaging/opkg-feed.sh --key FEED.sec [--ipk-dir dist/openwrt] [--outdir dist/opkg-feed]
# FEED.sec: a usign/signify ed25519 secret key without a passphrase
# (signify-openbsd -G -n -p feed.pub -s feed.sec). Details in opkg_feed.py.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
exec python3 "$here/opkg_feed.py" --ipk-dir "$root/dist/openwrt" --outdir "$root/dist/opkg-feed" "$@"
