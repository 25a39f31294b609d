#!/usr/bin/env bash
# Run a cross-built binary for TARGET on this x86_64 machine, through
# qemu-user-static where needed, so tests can treat every target alike:
#
#   packaging/qemu-run.sh TARGET [BINARY] [ARGS...]
#
# BINARY defaults to dist/bin/TARGET/smarthub-exporter. The binaries are
# fully static, so qemu needs no sysroot (no QEMU_LD_PREFIX).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 TARGET [BINARY] [ARGS...]" >&2; exit 2; }
target=$1; shift
if [ $# -ge 1 ]; then bin=$1; shift; else bin="$(dirname "$0")/../dist/bin/$target/smarthub-exporter"; fi

case $target in
  x86_64-*) exec "$bin" "$@" ;;
  aarch64-*) qemu="qemu-aarch64-static" ;;
  armv7-*) qemu="qemu-arm-static" ;;
  mipsel-*) qemu="qemu-mipsel-static" ;;
  mips-*) qemu="qemu-mips-static" ;;
  *) echo "$0: no qemu mapping for $target" >&2; exit 2 ;;
esac
command -v "$qemu" >/dev/null || { echo "$0: $qemu missing: run packaging/toolchain.sh" >&2; exit 1; }
exec "$qemu" "$bin" "$@"
