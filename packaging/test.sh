#!/bin/sh
# Packaging tests: OpenWrt .ipk/.apk structure and fields, the procd init
# script against rc.common/procd/UCI stand-ins (dash and busybox ash), the
# feed Makefile under GNU make, shellcheck, systemd-analyze verify/security,
# the .deb, the Dockerfile and the Kubernetes Deployment; the LuCI app (its
# JSON, its views under node and ESLint, its rpcd plugin against the real
# exporter, its packages installed and removed in a chroot, as root).
#
# Needs (Debian): apt-get install shellcheck systemd busybox dpkg make wget
#   nodejs npm, `npm install -g eslint@9.39.1`, plus python3 (3.11+, with
#   PyYAML), cargo, and cargo-deb (installed here when missing: `cargo
#   install cargo-deb --locked`, about 2 minutes).
#
# Usage: packaging/test.sh [BINARY]
#   BINARY (or $SMARTHUB_BINARY): the exporter to package; default
#   target/release/smarthub-exporter, built with cargo when missing.
# Takes about 45 s on a 2-core machine when cargo-deb and the binary are
# already there.
set -eu

caller=$(pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

missing=
for tool in shellcheck systemd-analyze busybox dpkg-deb make python3 cargo wget node eslint; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "packaging/test.sh: missing:$missing" >&2
	echo "  apt-get install shellcheck systemd busybox dpkg make python3 wget nodejs npm" >&2
	echo "  npm install -g eslint@9.39.1" >&2
	exit 1
fi

if ! command -v cargo-deb >/dev/null 2>&1; then
	echo "packaging/test.sh: installing cargo-deb (about 2 minutes)" >&2
	cargo install cargo-deb --locked
fi

SMARTHUB_BINARY=${1:-${SMARTHUB_BINARY:-$root/target/release/smarthub-exporter}}
if [ ! -f "$SMARTHUB_BINARY" ]; then
	if [ "$SMARTHUB_BINARY" = "$root/target/release/smarthub-exporter" ]; then
		cargo build --release --locked
	else
		echo "packaging/test.sh: no binary at $SMARTHUB_BINARY" >&2
		exit 1
	fi
fi
# The tests run from other directories (and systemd wants absolute paths).
case $SMARTHUB_BINARY in
/*) ;;
*) SMARTHUB_BINARY=$caller/$SMARTHUB_BINARY ;;
esac
export SMARTHUB_BINARY

exec python3 packaging/tests/run.py
