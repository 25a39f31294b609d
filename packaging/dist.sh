#!/usr/bin/env bash
# Everything a release ships (packaging/dist.sh [TARGET...]), from a plain Debian machine with rustup (no
# Docker, no OpenWrt SDK):
#   dist/bin/<target>/smarthub-exporter[-nojs]   static binaries, 5 targets
#   dist/openwrt/<pkgarch>/*.ipk, *.apk          OpenWrt packages (all/: the LuCI app, no binary)
#   dist/deb/*_{arm64,amd64}.deb                 Raspberry Pi / Debian
#   dist/opkg-feed/, dist/apk-repo/              signed feeds, when OPKG_FEED_KEY / APK_REPO_KEY name key files
#   dist/source/, dist/openwrt-feed/             on a v* tag: source tarball, packages-feed directory
#   dist/release/                                the binaries, packages and source tarball under the
#                                                names a release gives them, and SHA256SUMS
# The release workflow uploads dist/release/ as it is and the feeds to Pages;
# .ci/test runs this too.
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

# A release's assets are one flat list, so each name must say what it is for:
# the binaries name their target, and the .apk files (named alike for every
# pkgarch) get the pkgarch the .ipk files already carry (`all` for the LuCI
# app, whose .apk says noarch inside).
version=$(python3 -c 'import sys; sys.path.insert(0, "packaging"); import openwrt_pkg; print(openwrt_pkg.cargo_version())')
release=dist/release
rm -rf "$release"
mkdir -p "$release"
for dir in dist/bin/*/; do
  target=$(basename "$dir")
  for name in smarthub-exporter smarthub-exporter-nojs; do
    cp "$dir/$name" "$release/$name-$version-$target"
  done
done
for dir in dist/openwrt/*/; do
  pkgarch=$(basename "$dir")
  cp "$dir"/*.ipk "$release/"
  for apk in "$dir"/*.apk; do
    base=$(basename "$apk" .apk)
    cp "$apk" "$release/${base}_$pkgarch.apk"
  done
done
cp dist/deb/*.deb "$release/"
# The source tarball of a tag (packaging/openwrt-feed/Makefile's PKG_SOURCE_URL names the release).
if [ -d dist/source ]; then cp dist/source/*.tar.gz "$release/"; fi
(cd "$release" && sha256sum -- * >../SHA256SUMS.tmp && mv ../SHA256SUMS.tmp SHA256SUMS)
echo "dist: $(find dist -type f | wc -l) files under dist/; $(wc -l <"$release/SHA256SUMS") release assets in $release/ (SHA256SUMS)"
