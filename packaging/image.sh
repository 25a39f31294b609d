#!/bin/sh
# The container image for every architecture, assembled into one manifest
# list, with buildah (no Docker daemon, no BuildKit, no emulator: the image is
# FROM scratch and only copies a binary from dist/bin/, so nothing runs).
#
#   packaging/image.sh NAME [PLATFORM...]
#     NAME      the manifest list, e.g. ghcr.io/smarthub-exporter/smarthub-exporter:v0.1.0;
#               each platform's image is tagged NAME-ARCH (…:v0.1.0-arm64)
#     PLATFORM  default: linux/amd64 linux/arm64 linux/arm/v7
#   then: buildah manifest push --all NAME docker://NAME
#
# Needs the binaries of packaging/cross-build.sh (x86_64, aarch64, armv7).
# buildah's own environment applies: BUILDAH_ISOLATION=chroot and
# STORAGE_DRIVER=vfs where overlayfs and namespaces are not to be had (the
# tests run it that way), CONTAINERS_STORAGE_CONF for another store.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

if [ "$#" -lt 1 ]; then
	echo "usage: packaging/image.sh NAME [PLATFORM...]" >&2
	exit 2
fi
name=$1
shift
[ "$#" -gt 0 ] || set -- linux/amd64 linux/arm64 linux/arm/v7

# A re-run replaces the list rather than adding to it.
buildah manifest rm "$name" >/dev/null 2>&1 || true
buildah manifest create "$name" >/dev/null

for platform in "$@"; do
	case $platform in
	linux/amd64) arch=amd64 ;;
	linux/arm64) arch=arm64 ;;
	linux/arm/v7) arch=armv7 ;;
	*)
		echo "image.sh: no binary for platform $platform" >&2
		exit 2
		;;
	esac
	# --platform sets TARGETARCH (amd64, arm64, arm) for the Dockerfile and
	# the architecture and variant in the image's config. --squash: one layer,
	# the binary (without it the final stage adds an empty second one).
	buildah build --quiet --squash --platform "$platform" --tag "$name-$arch" \
		--file "$root/Dockerfile" "$root" >/dev/null
	buildah manifest add "$name" "containers-storage:$name-$arch" >/dev/null
	echo "image.sh: $name-$arch ($platform): $(buildah images --format '{{.Size}}' "$name-$arch")"
done
