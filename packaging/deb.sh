#!/bin/sh
# Debian packages (.deb) of the cross-built static binaries, with the
# hardened systemd unit enabled and started on install (cargo-deb's
# systemd-units support; metadata in Cargo.toml [package.metadata.deb]).
#
#   packaging/deb.sh                         arm64 and amd64 from dist/bin
#   packaging/deb.sh TARGET[=BINARY]...      chosen Rust targets / binaries
#
# Output: dist/deb/ (or $DEB_OUTDIR). Needs cargo-deb:
#   cargo install cargo-deb --locked        (about 2 minutes on 2 cores)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${DEB_OUTDIR:-$root/dist/deb}

if ! command -v cargo-deb >/dev/null 2>&1; then
	echo "deb.sh: cargo-deb is missing; run: cargo install cargo-deb --locked" >&2
	exit 1
fi

if [ "$#" -eq 0 ]; then
	set -- aarch64-unknown-linux-musl x86_64-unknown-linux-musl
fi

# cargo-deb takes binaries from <target dir>/<target>/release/. A target dir
# of our own keeps it from packaging (or us from overwriting) whatever a
# build left in the project's target/.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$out"
for spec in "$@"; do
	target=${spec%%=*}
	binary=${spec#*=}
	[ "$binary" != "$spec" ] || binary=$root/dist/bin/$target/smarthub-exporter
	if [ ! -f "$binary" ]; then
		echo "deb.sh: no binary at $binary (run packaging/cross-build.sh)" >&2
		exit 1
	fi
	mkdir -p "$work/target/$target/release"
	cp "$binary" "$work/target/$target/release/smarthub-exporter"
	# --no-strip: the release profile already strips, and the host's strip
	# cannot read foreign-architecture binaries.
	CARGO_TARGET_DIR=$work/target cargo deb \
		--manifest-path "$root/Cargo.toml" \
		--no-build --no-strip --target "$target" --output "$out/"
done
