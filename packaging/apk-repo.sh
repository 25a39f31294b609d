#!/bin/sh
# A signed apk repository (v2 index, read by OpenWrt 25.12's apk 3) from the
# OpenWrt packages:
#   dist/openwrt/<pkgarch>/*.apk -> dist/apk-repo/<pkgarch>/{*.apk,APKINDEX.tar.gz}
#   dist/openwrt/all/*.apk       -> into every <pkgarch>/ of the repository (the LuCI app)
#                                   dist/apk-repo/smarthub-exporter.rsa.pub
#   packaging/apk-repo.sh --key REPO.rsa [--apk-dir dist/openwrt] [--outdir dist/apk-repo]
# REPO.rsa: an RSA private key in PEM (openssl genrsa -out repo.rsa 4096).
# Details in apk_repo.py.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
exec python3 "$here/apk_repo.py" --apk-dir "$root/dist/openwrt" --outdir "$root/dist/apk-repo" "$@"
