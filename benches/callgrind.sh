#!/usr/bin/env bash
# Instructions (callgrind Ir) per scrape of both builds, and the QuickJS
# floor, with the engine's versions: see benches/callgrind.rs for the rows
# and the method.
#
#   benches/callgrind.sh                  # the table (about 10 minutes on 2 cores)
#   benches/callgrind.sh --profile [N]    # and each row's N (30) costliest functions
#   benches/callgrind.sh --allocs         # and allocations per scrape (DHAT)
#
# A whole run leaves its table in <target>/callgrind/release/callgrind/table.md,
# which `cargo bench --bench budget` shows after its own.
#
# Environment: CALLGRIND_SCRAPES=N1,N2 (default 2,12), CALLGRIND_ONLY=<text>
# (rows whose label contains it), CALLGRIND_BINS=label=path,... (more
# binaries, such as a cross-built x86_64-musl one), SMARTHUB_SHARED_FIXTURES
# (the Go exporter's captures; found next to the main checkout if unset).
#
# Needs valgrind (Debian: apt-get install valgrind). The counts do not
# depend on the machine's load, so it runs under `nice`.
set -euo pipefail
cd "$(dirname "$0")/.."

while [ $# -gt 0 ]; do
  case $1 in
    --profile)
      export CALLGRIND_PROFILE=30
      if [[ ${2:-} =~ ^[0-9]+$ ]]; then CALLGRIND_PROFILE=$2; shift; fi ;;
    --allocs) export CALLGRIND_ALLOCS=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "callgrind.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
  echo "callgrind.sh: valgrind is not installed (Debian: apt-get install valgrind)" >&2
  exit 1
fi

# The shared captures sit beside the main checkout (../shared/fixtures); from
# a worktree, that is beside the repository the worktree belongs to.
if [ -z "${SMARTHUB_SHARED_FIXTURES:-}" ]; then
  common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  for d in "$PWD/../shared/fixtures" "${common%/.git}/../shared/fixtures"; do
    if [ -f "$d/MANIFEST.md" ]; then export SMARTHUB_SHARED_FIXTURES=$d; break; fi
  done
fi

# A target dir of its own, so that the release binaries other benches use
# are not rebuilt, and symbols kept, so that the counts files name
# functions: stripping changes no instruction.
export CARGO_TARGET_DIR=${CALLGRIND_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/callgrind}
export CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_BENCH_STRIP=false

nice -n 10 cargo build --release --locked --no-default-features --bin smarthub-exporter
nojs=$CARGO_TARGET_DIR/smarthub-exporter-nojs
cp "$CARGO_TARGET_DIR/release/smarthub-exporter" "$nojs"

export CALLGRIND_BINS="-nojs=$nojs${CALLGRIND_BINS:+,$CALLGRIND_BINS}"
exec nice -n 10 cargo bench --locked --bench callgrind
