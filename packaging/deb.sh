#!/bin/sh
# Debian packages (.deb) of the cross-built static binaries, with the
# hardened systemd unit enabled and started on install (cargo-deb's
# systemd-units support; metadata in Cargo.toml [package.metadata.deb]).
#
#   packaging/deb.sh                         arm64 and amd64 from dist/bin
#   packaging/deb.sh TARGET[=BINARY]...      chosen Rust targets / binaries
#
# Output: dist/deb/ (or $DEB_OUTDIR). Needs cargo-deb and dpkg-deb:
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

# cargo-deb writes no DEBIAN/md5sums, without which `dpkg --verify` and
# debsums check nothing. As dh_md5sums does: every file but the conffiles
# (dpkg records those itself), sorted, paths without the leading slash. The
# package is unpacked and built again by dpkg-deb, owners root, as xz.
add_md5sums() {
	rm -rf "$work/pkg"
	dpkg-deb --raw-extract "$1" "$work/pkg"
	: >"$work/conffiles"
	[ ! -f "$work/pkg/DEBIAN/conffiles" ] || sed -n 's|^/||p' "$work/pkg/DEBIAN/conffiles" >"$work/conffiles"
	(
		cd "$work/pkg"
		find . -type f ! -path './DEBIAN/*' | sed 's|^\./||' | LC_ALL=C sort |
			grep -vxF -f "$work/conffiles" | tr '\n' '\0' | xargs -0 md5sum
	) >"$work/pkg/DEBIAN/md5sums"
	chmod 644 "$work/pkg/DEBIAN/md5sums"
	dpkg-deb --root-owner-group -Zxz --build "$work/pkg" "$1" >/dev/null
}

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
	deb=$(CARGO_TARGET_DIR=$work/target cargo deb \
		--manifest-path "$root/Cargo.toml" \
		--no-build --no-strip --target "$target" --output "$out/")
	add_md5sums "$deb"
	echo "$deb"
done
