#!/usr/bin/env bash
# CI's check of what the OpenWrt packages feed would ship: build the two
# variants the feed builds by default for the two commonest router CPUs the
# feed's way (packaging/feed-profile-build.sh: mipsel gets -nojs, aarch64
# the JavaScript build; packaging/openwrt-feed/Makefile says why), print their sizes, and
# run the end-to-end suites on them under qemu with Debian's multiarch musl
# as their loader and libc.so (installed here when missing; needs root).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -e /lib/mipsel-linux-musl/libc.so ] || [ ! -e /lib/aarch64-linux-musl/libc.so ]; then
  as_root dpkg --add-architecture mipsel
  as_root dpkg --add-architecture arm64
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    musl:mipsel musl:arm64 >/dev/null
fi

packaging/feed-profile-build.sh mipsel-unknown-linux-musl:nojs aarch64-unknown-linux-musl:js
.ci/qemu-e2e --feed-profile mipsel-unknown-linux-musl aarch64-unknown-linux-musl
