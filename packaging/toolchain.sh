#!/usr/bin/env bash
# Install what packaging/cross-build.sh needs on a Debian 12 machine that has
# rustup and python3/pip. Safe to re-run: every step checks first, so a
# machine that has everything returns in about a second.
#
#   packaging/toolchain.sh            # build tools + qemu-user-static
#   packaging/toolchain.sh --no-qemu  # build tools only
#
# Environment: RUST_NIGHTLY (default: nightly), as in cross-build.sh.
set -euo pipefail

NIGHTLY=${RUST_NIGHTLY:-nightly}
want_qemu=1
[ "${1:-}" = --no-qemu ] && want_qemu=0

# Versions the cross builds were measured with; newer ones are likely fine
# but zig in particular changes its header layout between releases.
PIP_PKGS=(ziglang==0.17.1 cargo-zigbuild==0.24.1 libclang==18.1.1)
STABLE_TARGETS=(aarch64-unknown-linux-musl x86_64-unknown-linux-musl armv7-unknown-linux-musleabihf)

log() { echo "toolchain: $*" >&2; }

pip_ok() {
  python3 - "${PIP_PKGS[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
}

if ! pip_ok; then
  log "pip install ${PIP_PKGS[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${PIP_PKGS[@]}"
  # pyenv only sees new console scripts (cargo-zigbuild) after a rehash.
  if command -v pyenv >/dev/null; then pyenv rehash; fi
fi

installed_targets=$(rustup target list --installed)
for t in "${STABLE_TARGETS[@]}"; do
  grep -qx "$t" <<<"$installed_targets" && continue
  log "rustup target add $t"
  # Some rustup mirrors lack armv7 musl's std; cross-build.sh then builds it
  # with nightly -Zbuild-std, so a failure here is not fatal.
  rustup target add "$t" 2>/dev/null || log "no prebuilt std for $t: it will be built with $NIGHTLY -Zbuild-std"
done

# cross-build.sh rebuilds std with nightly for every target (mips and mipsel
# have no other std), so it needs nightly and the std sources.
if ! sysroot=$(rustup run "$NIGHTLY" rustc --print sysroot 2>/dev/null); then
  log "rustup toolchain install $NIGHTLY"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
elif [ ! -d "$sysroot/lib/rustlib/src/rust/library" ]; then
  log "rustup component add rust-src --toolchain $NIGHTLY"
  rustup component add rust-src --toolchain "$NIGHTLY"
fi

if [ $want_qemu = 1 ] && ! command -v qemu-mipsel-static >/dev/null; then
  log "apt-get install qemu-user-static"
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends qemu-user-static
fi

log "ready"
