#!/usr/bin/env bash
# Everything a release ships (packaging/dist.sh [TARGET...]), from a plain Debian machine with rustup (no
# Docker, no OpenWrt SDK):
#   dist/bin/<target>/smarthub-exporter[-nojs]   static binaries, 5 targets
#   dist/openwrt/<pkgarch>/*.ipk, *.apk          OpenWrt packages
#   dist/deb/*_{arm64,amd64}.deb                 Raspberry Pi / Debian
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/toolchain.sh
packaging/cross-build.sh "$@"
# With every target built, a missing binary is a failure; with a chosen few,
# the packages of the others are simply not made.
if [ $# -eq 0 ]; then packaging/openwrt-packages.sh --strict; else packaging/openwrt-packages.sh; fi
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked
packaging/deb.sh
# OpenWrt feeds, signed with the release keys (files, not the keys, in the env):
[ -z "${OPKG_FEED_KEY:-}" ] || packaging/opkg-feed.sh --key "$OPKG_FEED_KEY"   # dist/opkg-feed/
[ -z "${APK_REPO_KEY:-}" ] || packaging/apk-repo.sh --key "$APK_REPO_KEY"      # dist/apk-repo/
if git describe --exact-match --tags --match "v*" >/dev/null 2>&1; then packaging/feed-release.sh; fi  # dist/source/, dist/openwrt-feed/
echo "dist: $(find dist -type f | wc -l) files under dist/"
