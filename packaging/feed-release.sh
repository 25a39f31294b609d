#!/bin/sh
# The release's source tarball and the packages-feed directory that builds
# it, with the tarball's real PKG_HASH:
#   packaging/feed-release.sh [REF]        (default: the tag v<Cargo.toml version>)
#   -> dist/source/smarthub-exporter-<version>.tar.gz   (git archive of REF;
#        publish it with the release: the feed Makefile's PKG_SOURCE_URL)
#      dist/openwrt-feed/utils/smarthub-exporter/       (packaging/openwrt-feed/ of REF with
#        PKG_HASH filled in: the directory to submit to the packages feed)
# OUTDIR overrides dist/. The tarball is reproducible: git archive of one
# commit, gzip -n, so running this again gives the same bytes and hash.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUTDIR:-$root/dist}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
ref=${1:-v$version}
commit=$(git -C "$root" rev-parse --verify "$ref^{commit}") || {
	echo "feed-release: no commit $ref (tag the release first)" >&2
	exit 1
}

makefile_version=$(git -C "$root" show "$commit:packaging/openwrt-feed/Makefile" | sed -n 's/^PKG_VERSION:=//p')
ref_version=$(git -C "$root" show "$commit:Cargo.toml" | sed -n 's/^version = "\(.*\)"$/\1/p' | head -n 1)
if [ "$makefile_version" != "$ref_version" ]; then
	echo "feed-release: packaging/openwrt-feed/Makefile says $makefile_version, Cargo.toml $ref_version at $ref" >&2
	exit 1
fi
version=$ref_version
name=smarthub-exporter-$version

mkdir -p "$out/source"
tarball=$out/source/$name.tar.gz
git -C "$root" archive --format=tar --prefix="$name/" "$commit" | gzip -9n > "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
hash=$(sha256sum "$tarball" | cut -d' ' -f1)

feed=$out/openwrt-feed/utils/smarthub-exporter
rm -rf "$feed"
mkdir -p "$feed"
git -C "$root" archive --format=tar "$commit" packaging/openwrt-feed | tar -x -C "$feed" --strip-components=2
sed -i "s/^PKG_HASH:=.*/PKG_HASH:=$hash/" "$feed/Makefile"
grep -qx "PKG_HASH:=$hash" "$feed/Makefile" || { echo "feed-release: no PKG_HASH line to fill" >&2; exit 1; }

echo "$tarball $hash"
echo "$feed"
