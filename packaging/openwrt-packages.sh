#!/bin/sh
# OpenWrt packages for every pkgarch, without the SDK:
#   dist/bin/<rust-target>/smarthub-exporter[-nojs]
#     -> dist/openwrt/<pkgarch>/smarthub-exporter[-nojs]_<ver>-r1_<pkgarch>.ipk
#        dist/openwrt/<pkgarch>/smarthub-exporter[-nojs]-<ver>-r1.apk
#        dist/openwrt/all/luci-app-smarthub-exporter_<ver>-r1_all.ipk, ...-<ver>-r1.apk
#          (the LuCI app, architecture all: made from packaging/luci-app-smarthub-exporter/)
#        dist/openwrt/sha256sums
# Options (passed on): --strict (fail if a binary is missing), --release N,
# --bin-dir DIR, --outdir DIR. The pkgarch -> target map is in openwrt_pkg.py.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/openwrt_pkg.py" all "$@"
