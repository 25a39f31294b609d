#!/usr/bin/env bash
# Build the exporter the way the OpenWrt packages feed builds it, to measure
# and test what a feed user gets rather than our own static builds.
#
#   packaging/feed-profile-build.sh TARGET[:VARIANT]...
#     e.g. aarch64-unknown-linux-musl:js mipsel-unknown-linux-musl:nojs
#   -> dist/feed-profile/<target>/smarthub-exporter[-nojs]
#
# The feed's lang/rust/rust-values.mk (CARGO_PKG_CONFIG_VARS) and
# rust-package.mk (Build/Compile/Cargo) override our release profile from the
# environment, and this script sets exactly those variables:
#   CARGO_PROFILE_RELEASE_{CODEGEN_UNITS=1, DEBUG=false,
#   DEBUG_ASSERTIONS=false, LTO=true, OPT_LEVEL=z, OVERFLOW_CHECKS=true,
#   PANIC=unwind, RPATH=false}, RUSTFLAGS=-Ctarget-feature=-crt-static
#   (dynamically linked musl), CARGO_BUILD_TARGET, TARGET_CFLAGS, --locked.
# Like the feed, cargo runs outside the source tree, so our
# .cargo/config.toml (static linking, non-PIE mips, std without backtrace) is
# not read; only Cargo.toml's profile (strip = true; the QuickJS opt-level) is.
#
# What differs, because there is no OpenWrt SDK here:
# - the linker and C compiler are zig (cargo-zigbuild), not the SDK's gcc, so
#   TARGET_CFLAGS holds the SDK's defaults for the pkgarch less the gcc-only
#   ones (-fhonour-copts, -fno-caller-saves, -mips16);
# - zig links musl statically unless told -dynamic (gcc links dynamically
#   unless told -static), so -Clink-arg=-dynamic joins RUSTFLAGS to get the
#   feed's dynamically linked binary; and where the SDK's gcc links
#   libgcc_s.so.1 for unwinding, cargo-zigbuild links zig's libunwind into
#   the binary, so it needs only musl's libc.so;
# - no -lssp_nonshared (RUSTC_LDFLAGS with SSP on musl): that archive is the
#   SDK toolchain's, and it only supplies __stack_chk_fail_local;
# - mips and mipsel have no rustup std, so nightly builds it (-Zbuild-std with
#   its default features, as the feed's own rust/host build has them); the
#   feed's std is built by lang/rust from the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

[ $# -gt 0 ] || { echo "usage: $0 TARGET[:js|:nojs]..." >&2; exit 2; }

scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
export PATH="$PATH:$scripts_dir"
command -v cargo-zigbuild >/dev/null || { echo "cargo-zigbuild missing: run packaging/toolchain.sh" >&2; exit 1; }

# The SDK's TARGET_CFLAGS for the pkgarch each target stands for (from
# include/target.mk and the target's CPU_CFLAGS), plus rust-values.mk's
# RUSTC_CFLAGS (-mno-outline-atomics on aarch64).
sdk_cflags() {
  case $1 in
    aarch64-*) echo "-Os -pipe -mcpu=cortex-a53 -fno-plt -fstack-protector -D_FORTIFY_SOURCE=1 -mno-outline-atomics" ;;
    mipsel-*) echo "-Os -pipe -mno-branch-likely -mips32r2 -mtune=24kc -fno-plt -msoft-float -fstack-protector -D_FORTIFY_SOURCE=1" ;;
    *) echo "feed-profile-build: no SDK flags known for $1" >&2; return 1 ;;
  esac
}

has_rustup_std() { [ -d "$(rustup run "$1" rustc --print sysroot)/lib/rustlib/$2/lib" ]; }

target_dir=${CARGO_TARGET_DIR:-$root/target/feed-profile}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for spec in "$@"; do
  t=${spec%%:*}
  variant=js
  [ "$spec" = "$t" ] || variant=${spec#*:}
  case $variant in js) name=smarthub-exporter; feat=() ;; nojs) name=smarthub-exporter-nojs; feat=(--no-default-features) ;;
    *) echo "feed-profile-build: unknown variant $variant" >&2; exit 2 ;; esac
  cflags=$(sdk_cflags "$t")
  cargo=(cargo)
  std=()
  if ! has_rustup_std stable "$t"; then
    cargo=(cargo +"${RUST_NIGHTLY:-nightly}")
    std=("-Zbuild-std=std,panic_unwind")
  fi
  echo "+ feed profile: $t $variant" >&2
  # cwd outside the tree: the feed runs cargo from the package directory.
  (cd "$work" && env \
    CARGO_BUILD_TARGET="$t" \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=false \
    CARGO_PROFILE_RELEASE_LTO=true \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=z \
    CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
    CARGO_PROFILE_RELEASE_PANIC=unwind \
    CARGO_PROFILE_RELEASE_RPATH=false \
    RUSTFLAGS="-Ctarget-feature=-crt-static -Clink-arg=-dynamic" \
    TARGET_CFLAGS="$cflags" \
    "${cargo[@]}" zigbuild --release --locked --target "$t" "${std[@]}" "${feat[@]}" \
      --manifest-path "$root/Cargo.toml" --target-dir "$target_dir")
  out="$root/dist/feed-profile/$t"
  mkdir -p "$out"
  cp "$target_dir/$t/release/smarthub-exporter" "$out/$name"
  echo "$t $name: $(stat -c %s "$out/$name") bytes (feed profile, dynamically linked)"
done
