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
#   RUST_NIGHTLY      toolchain for the router builds (default: nightly)
#   CROSS_BUILD_STD   "all" (default): nightly rebuilds std for every target,
#                     so that std's size-only choices below apply everywhere.
#                     "needed": stable and rustup's prebuilt std wherever
#                     rustup has one (aarch64, x86_64, usually armv7); nightly
#                     only for mips and mipsel. 160-210 KB larger a binary.
#   CROSS_PANIC       "immediate-abort" (default, needs a rebuilt std): a
#                     panic executes a trap instruction at once. No message
#                     is printed (the process dies of SIGILL or SIGTRAP), so
#                     std's panic formatting and every unwind table (Rust's,
#                     QuickJS's and zig's libc's) can go: 125-190 KB. "abort": the release
#                     profile's `panic = "abort"`, which prints the panic
#                     message and location to stderr before aborting; use it
#                     to find out where a binary panics.
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
BUILD_STD=${CROSS_BUILD_STD:-all}
PANIC=${CROSS_PANIC:-immediate-abort}

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

# Whether this nightly's cargo knows `panic = "immediate-abort"` (until
# late 2025 it was the std feature panic_immediate_abort instead).
has_immediate_abort() {
  cargo "+$NIGHTLY" -Z help 2>/dev/null | grep -q -- '-Z panic-immediate-abort'
}
if [ "$PANIC" = immediate-abort ] && ! has_immediate_abort; then
  echo "cross-build: cargo +$NIGHTLY has no -Zpanic-immediate-abort: building with panic = \"abort\" (larger binaries)" >&2
  PANIC=abort
fi

build_one() { # $1 = target; then cargo args
  local t=$1; shift
  local tc="" hdr="" std_args=() panic_args=() var
  local rustflags="" cflags=${TARGET_CFLAGS:-}
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
      rustflags="-C link-self-contained=no" ;;
    esac
    if [ "$PANIC" = immediate-abort ]; then
      # Immediate abort needs std built with it, hence only here. Nothing
      # unwinds or walks the stack then, so no function needs an unwind
      # table: not Rust's (-C force-unwind-tables=no), nor QuickJS's (C;
      # cc-rs adds TARGET_CFLAGS to the CFLAGS_<target> of .cargo/config).
      # zig's libc is compiled with its own flags, so its tables are dropped
      # at link time (discard-eh-frame.ld): 6.3 KB on mipsel.
      panic_args=(-Zpanic-immediate-abort --config 'profile.release.panic="immediate-abort"')
      rustflags+=" -C force-unwind-tables=no -C link-arg=-Wl,-T,$root/packaging/discard-eh-frame.ld"
      cflags+=" -fno-asynchronous-unwind-tables -fno-unwind-tables"
    fi
  fi
  # A plain static executable (ET_EXEC), as .cargo/config.toml makes the
  # MIPS ones: rustc links musl targets static-pie by default, an ET_DYN file
  # with no interpreter and no NEEDED entry, which lintian takes for a shared
  # library missing its libc (shared-library-lacks-prerequisites, a warning)
  # and for which packaging/debian/lintian-overrides' statically-linked-binary
  # never fires. Checked with lintian 2.116 on a musl hello world built both
  # ways. The cost: no ASLR for the executable's own image (stack, heap and
  # mmap stay randomised).
  case $t in aarch64-*|x86_64-*|armv7-*) rustflags+=" -C relocation-model=static" ;; esac
  # ARM's default maximum page size is 64 KiB, and lld aligns the writable
  # segment's file offset to it after a TLS segment of .tbss alone (what the
  # -nojs binary has): 64 KiB of zeros in a 435 KB file. 32-bit ARM Linux
  # only has 4 KiB pages, so that is all a segment needs: 373 KB.
  case $t in armv7-*) rustflags+=" -C link-arg=-Wl,-z,max-page-size=4096" ;; esac
  # Cargo joins these flags to .cargo/config.toml's target rustflags.
  var="CARGO_TARGET_$(tr '[:lower:]-' '[:upper:]_' <<<"$t")_RUSTFLAGS"
  rustflags="${!var:-} $rustflags"
  local envs=("$var=$rustflags" "TARGET_CFLAGS=$cflags")
  if [ -n "$hdr" ]; then
    var="BINDGEN_EXTRA_CLANG_ARGS_${t//-/_}"
    envs+=("$var=${!var:-$(bindgen_args "$hdr")}")
  fi
  local cargo=(cargo)
  [ -n "$tc" ] && cargo=(cargo "+$tc")
  # A number stays a number in TOML; "s" and "z" must be strings.
  local opt=$QJS_OPT
  case $opt in [0-9]) ;; *) opt="\"$opt\"" ;; esac
  local cfg=(--config "profile.release.package.rquickjs-sys.opt-level=$opt" "${panic_args[@]}")
  echo "+ ${envs[*]} ${cargo[*]} zigbuild ${cfg[*]} --release --locked --target $t ${std_args[*]} $*" >&2
  env "${envs[@]}" "${cargo[@]}" zigbuild "${cfg[@]}" --release --locked --target "$t" "${std_args[@]}" "$@"
}

# The release profile's strip leaves the sections it does not know to be
# debug information. On MIPS that is `.pdr` (procedure descriptors, one per
# function, for debuggers: 80-190 KB, never loaded). rust-objcopy ships with
# every rustc; it needs rustc's own libLLVM.
objcopy_sysroot=$(rustup run "$NIGHTLY" rustc --print sysroot)
objcopy_bin=$objcopy_sysroot/lib/rustlib/$(rustup run "$NIGHTLY" rustc -vV | sed -n 's/^host: //p')/bin/rust-objcopy
drop_unloaded_sections() { # $1 = target, $2 = binary
  case $1 in mips-*|mipsel-*) ;; *) return 0 ;; esac
  [ -x "$objcopy_bin" ] || die "no rust-objcopy at $objcopy_bin"
  LD_LIBRARY_PATH="$objcopy_sysroot/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$objcopy_bin" --remove-section=.pdr "$2"
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
    drop_unloaded_sections "$t" "$out/$name"
    size=$(stat -c %s "$out/$name")
    echo "$t $name: $size bytes"
    summary+=("$(printf '%-32s %-24s %9s bytes' "$t" "$name" "$size")")
  done
  summary+=("$(printf '%-32s built in %ss' "$t" $((SECONDS - start)))")
done

echo
echo "== dist/bin (stripped sizes)"
printf '%s\n' "${summary[@]}"
