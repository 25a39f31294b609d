#!/usr/bin/env bash
# Everything a release ships (packaging/dist.sh [TARGET...]), from a plain Debian machine with rustup (no
# Docker, no OpenWrt SDK):
#   dist/bin/<target>/smarthub-exporter[-nojs]   static binaries, 5 targets
#   dist/openwrt/<pkgarch>/*.ipk, *.apk          OpenWrt packages
#   dist/deb/*_{arm64,amd64}.deb                 Raspberry Pi / Debian
#   dist/release/                                all of them under the names a
#                                                release gives them, and SHA256SUMS
# The release workflow uploads dist/release/ as it is; .ci/test runs this too.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/toolchain.sh
packaging/cross-build.sh "$@"
# With every target built, a missing binary is a failure; with a chosen few,
# the packages of the others are simply not made.
if [ $# -eq 0 ]; then packaging/openwrt-packages.sh --strict; else packaging/openwrt-packages.sh; fi
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked
packaging/deb.sh

# A release's assets are one flat list, so each name must say what it is for:
# the binaries name their target, and the .apk files (named alike for every
# pkgarch) get the pkgarch the .ipk files already carry.
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
(cd "$release" && sha256sum -- * >../SHA256SUMS.tmp && mv ../SHA256SUMS.tmp SHA256SUMS)
echo "dist: $(find dist -type f | wc -l) files under dist/; $(wc -l <"$release/SHA256SUMS") release assets in $release/ (SHA256SUMS)"
