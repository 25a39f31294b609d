#!/usr/bin/env bash
# Build the static release binaries for the routers without Docker.
#
#   packaging/toolchain.sh                # once: zig, libclang, rustup bits
#   packaging/cross-build.sh [TARGET...]  # default: all five targets
#
# For each target it builds the default binary (QuickJS inside) and the
# `--no-default-features` one (no JavaScript engine), and puts them at
#   dist/bin/<target>/smarthub-exporter
#   dist/bin/<target>/smarthub-exporter-nojs
#
# Environment:
#   RUST_NIGHTLY      toolchain for the build-std targets (default: nightly)
#   CROSS_BUILD_STD   "all": build std with nightly for every target, not only
#                     where rustup has none. Rebuilding std without its
#                     `backtrace` feature saves ~200 KB (aarch64: 1.18 -> 0.98
#                     MB with QuickJS), at the price of nightly everywhere.
#   QUICKJS_OPT_LEVEL opt-level of the QuickJS C code in these builds
#                     (default "s"; the native build's Cargo.toml says 3).
#                     On a router flash is what runs out, not CPU: at "s"
#                     the binary is ~200 KB smaller and a 250-device scrape
#                     costs ~10% more CPU (the README's budget table).
#   CARGO_TARGET_DIR  honoured; one directory serves every target and toolchain
set -euo pipefail

ALL_TARGETS=(
  aarch64-unknown-linux-musl
  mipsel-unknown-linux-musl
  armv7-unknown-linux-musleabihf
  mips-unknown-linux-musl
  x86_64-unknown-linux-musl
)
BIN=smarthub-exporter
NIGHTLY=${RUST_NIGHTLY:-nightly}
QJS_OPT=${QUICKJS_OPT_LEVEL:-s}
BUILD_STD=${CROSS_BUILD_STD:-needed}

cd "$(dirname "$0")/.."
root=$PWD
target_dir=${CARGO_TARGET_DIR:-$root/target}

if [ $# -gt 0 ]; then targets=("$@"); else targets=("${ALL_TARGETS[@]}"); fi

die() { echo "cross-build: $*" >&2; exit 1; }

# pip puts cargo-zigbuild next to the interpreter; pyenv shims may not know it
# yet, so look there rather than relying on PATH.
scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
export PATH="$PATH:$scripts_dir"
command -v cargo-zigbuild >/dev/null || die "cargo-zigbuild missing: run packaging/toolchain.sh"

# zig ships clang's builtin headers and musl's headers for every architecture;
# bindgen (mips, mipsel, armv7) parses quickjs.h against them.
zig_lib=$(python3 -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "lib"))') \
  || die "ziglang missing: run packaging/toolchain.sh"
if [ -z "${LIBCLANG_PATH:-}" ]; then
  if libclang_dir=$(python3 -c 'import os, clang; print(os.path.join(os.path.dirname(clang.__file__), "native"))' 2>/dev/null) \
    && [ -e "$libclang_dir/libclang.so" ]; then
    export LIBCLANG_PATH=$libclang_dir
  fi # else clang-sys searches the system (apt libclang-dev)
fi

# -isystem flags for musl on one zig arch family. zig has renamed these
# directories between releases, so take whichever exist, most specific first.
bindgen_args() {
  local args="-nostdinc -isystem $zig_lib/include" d
  for d in "$@" generic-musl "${1%-musl}-any" any-linux-any; do
    [ -d "$zig_lib/libc/include/$d" ] && args+=" -isystem $zig_lib/libc/include/$d"
  done
  echo "$args"
}

has_rustup_std() { # $1 = toolchain, $2 = target
  [ -d "$(rustup run "$1" rustc --print sysroot)/lib/rustlib/$2/lib" ]
}

build_one() { # $1 = target; then cargo args
  local t=$1; shift
  local tc="" hdr="" std_args=() var
  case $t in
    mips-*|mipsel-*) hdr=mips-linux-musl ;;
    armv7-*) hdr=arm-linux-musl ;;
  esac
  # Tier-3 mips has no rustup std at all; a rustup mirror may also lack a
  # tier-2 one (armv7 here). Nightly then builds std from rust-src.
  if [ "$BUILD_STD" = all ] || ! has_rustup_std "$(rustup show active-toolchain | cut -d' ' -f1)" "$t"; then
    tc=$NIGHTLY
    std_args=("-Zbuild-std=std,panic_abort")
    if [ "$BUILD_STD" != all ] && has_rustup_std "$tc" "$t"; then std_args=(); fi
  fi
  if [ ${#std_args[@]} -gt 0 ]; then
    case $t in aarch64-*|x86_64-*)
      # A rebuilt std brings no self-contained crt1.o/libc.a, so the linker
      # driver must supply them (.cargo/config.toml says so for the others).
      var="CARGO_TARGET_$(tr '[:lower:]-' '[:upper:]_' <<<"$t")_RUSTFLAGS"
      export "$var=${!var:-"-C link-self-contained=no"}" ;;
    esac
  fi
  if [ -n "$hdr" ]; then
    var="BINDGEN_EXTRA_CLANG_ARGS_${t//-/_}"
    export "$var=${!var:-$(bindgen_args "$hdr")}"
  fi
  local cargo=(cargo)
  [ -n "$tc" ] && cargo=(cargo "+$tc")
  # A number stays a number in TOML; "s" and "z" must be strings.
  local opt=$QJS_OPT
  case $opt in [0-9]) ;; *) opt="\"$opt\"" ;; esac
  local cfg=(--config "profile.release.package.rquickjs-sys.opt-level=$opt")
  echo "+ ${cargo[*]} zigbuild ${cfg[*]} --release --locked --target $t ${std_args[*]} $*" >&2
  "${cargo[@]}" zigbuild "${cfg[@]}" --release --locked --target "$t" "${std_args[@]}" "$@"
}

summary=()
for t in "${targets[@]}"; do
  case " ${ALL_TARGETS[*]} " in *" $t "*) ;; *) die "unknown target $t" ;; esac
  out="$root/dist/bin/$t"
  mkdir -p "$out"
  start=$SECONDS
  for variant in js nojs; do
    if [ $variant = js ]; then
      build_one "$t"; name=$BIN
    else
      build_one "$t" --no-default-features; name=$BIN-nojs
    fi
    # The release profile strips already; copy before the next variant
    # overwrites the same output path.
    cp "$target_dir/$t/release/$BIN" "$out/$name"
    size=$(stat -c %s "$out/$name")
    echo "$t $name: $size bytes"
    summary+=("$(printf '%-32s %-24s %9s bytes' "$t" "$name" "$size")")
  done
  summary+=("$(printf '%-32s built in %ss' "$t" $((SECONDS - start)))")
done

echo
echo "== dist/bin (stripped sizes)"
printf '%s\n' "${summary[@]}"
