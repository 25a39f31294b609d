#!/usr/bin/env python3
"""An opkg package feed from the .ipk files packaging/openwrt_pkg.py built.

  opkg_feed.py --ipk-dir dist/openwrt --key feed.sec --outdir dist/opkg-feed

For every <pkgarch> directory of --ipk-dir it writes <outdir>/<pkgarch>/:
the .ipk files, with those of --ipk-dir/all/ (architecture all, the LuCI
app: opkg reads one feed per pkgarch, so OpenWrt's feeds carry them in
each), `Packages` (the index, as OpenWrt's
scripts/ipkg-make-index.sh writes it: each package's control fields with
Filename, Size and SHA256sum inserted before Description, a blank line
after each), `Packages.gz`, and `Packages.sig`, an ed25519 signature of
`Packages` in usign's format, which is signify's: opkg gunzips the index
and runs `usign -V -P /etc/opkg/keys -m Packages`. It also writes
<outdir>/smarthub-exporter-feed.pub, the public key as `opkg-key add` takes
it: usign looks a key up by the signature's 8-byte key number printed as
lower-case hex without leading zeros, which `opkg-key add` computes with
`usign -F` and uses as the file name under /etc/opkg/keys/.

--key is a signify/usign secret key without a passphrase (`signify-openbsd
-G -n` or `usign -G`); signing runs `signify-openbsd -S` (Debian package
signify-openbsd), and the result is checked with `signify-openbsd -V`
before anything is written.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PUBKEY_NAME = "smarthub-exporter-feed.pub"
# The directory of the packages of architecture all.
ALL = "all"
SIGNIFY = "signify-openbsd"


class FeedError(Exception):
    pass


def read_key_blob(path: Path) -> bytes:
    """The base64 line after the comment line, decoded (usign's get_file)."""
    lines = path.read_text().splitlines()
    if len(lines) < 2 or not lines[0].startswith("untrusted comment: "):
        raise FeedError(f"{path}: not a signify/usign key file")
    return base64.b64decode(lines[1])


def public_key_from_secret(secret: Path) -> tuple[str, str]:
    """(fingerprint, public key file text) for a passphrase-less secret key.
    The secret blob is pkalg "Ed", kdfalg "BK", kdfrounds (4), salt (16),
    checksum (8), key number (8), then the 64-byte ed25519 key whose second
    half is the public key (usign's struct seckey)."""
    blob = read_key_blob(secret)
    if len(blob) != 104 or blob[:2] != b"Ed":
        raise FeedError(f"{secret}: not an ed25519 secret key")
    if int.from_bytes(blob[4:8], "big") != 0:
        raise FeedError(f"{secret}: has a passphrase; the feed key must not")
    keynum, public = blob[32:40], blob[72:104]
    fingerprint = format(int.from_bytes(keynum, "big"), "x")
    text = f"untrusted comment: public key {fingerprint}\n" + \
        base64.b64encode(b"Ed" + keynum + public).decode() + "\n"
    return fingerprint, text


def ipk_control(ipk: Path) -> str:
    """./control from ./control.tar.gz inside the .ipk (a gzip'd tar)."""
    with tarfile.open(ipk, "r:gz") as outer:
        member = outer.extractfile("./control.tar.gz")
        if member is None:
            raise FeedError(f"{ipk}: no ./control.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(member.read()), mode="r:gz") as inner:
            control = inner.extractfile("./control")
            if control is None:
                raise FeedError(f"{ipk}: no ./control")
            return control.read().decode()


def index_entry(ipk: Path) -> str:
    data = ipk.read_bytes()
    control = ipk_control(ipk)
    if "\nDescription:" not in "\n" + control:
        raise FeedError(f"{ipk}: control has no Description")
    extra = (f"Filename: {ipk.name}\nSize: {len(data)}\n"
             f"SHA256sum: {hashlib.sha256(data).hexdigest()}\n")
    head, _, tail = ("\n" + control).partition("\nDescription:")
    entry = (head + "\n" + extra + "Description:" + tail).lstrip("\n")
    return entry if entry.endswith("\n") else entry + "\n"


def sign(message: Path, secret: Path, public: Path) -> None:
    sig = message.with_name(message.name + ".sig")
    for argv in ([SIGNIFY, "-S", "-s", str(secret), "-m", str(message), "-x", str(sig)],
                 [SIGNIFY, "-V", "-q", "-p", str(public), "-m", str(message), "-x", str(sig)]):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise FeedError(f"{' '.join(argv)}: {r.stderr.strip()}")


def build_feed(ipk_dir: Path, secret: Path, outdir: Path) -> list[Path]:
    if shutil.which(SIGNIFY) is None:
        raise FeedError(f"{SIGNIFY} missing: apt-get install signify-openbsd")
    fingerprint, pub_text = public_key_from_secret(secret)
    arches = sorted(d for d in ipk_dir.iterdir()
                    if d.is_dir() and d.name != ALL and any(d.glob("*.ipk")))
    if not arches:
        raise FeedError(f"no .ipk files under {ipk_dir}/<pkgarch>/")
    arch_all = sorted((ipk_dir / ALL).glob("*.ipk")) if (ipk_dir / ALL).is_dir() else []
    with tempfile.TemporaryDirectory(dir=outdir.parent if outdir.parent.exists() else None) as tmp:
        staging = Path(tmp) / "feed"
        staging.mkdir()
        (staging / PUBKEY_NAME).write_text(pub_text)
        written = [staging / PUBKEY_NAME]
        for arch_dir in arches:
            out = staging / arch_dir.name
            out.mkdir()
            entries = []
            for ipk in sorted([*arch_dir.glob("*.ipk"), *arch_all], key=lambda p: p.name):
                shutil.copy2(ipk, out / ipk.name)
                entries.append(index_entry(out / ipk.name) + "\n")
            packages = out / "Packages"
            packages.write_text("".join(entries))
            # mtime 0 and no name, like gzip -n: same input, same bytes.
            (out / "Packages.gz").write_bytes(gzip.compress(packages.read_bytes(), 9, mtime=0))
            sign(packages, secret, staging / PUBKEY_NAME)
            written += [packages, out / "Packages.gz", out / "Packages.sig"]
        if outdir.exists():
            shutil.rmtree(outdir)
        shutil.move(str(staging), outdir)
    print(f"opkg feed: {len(arches)} pkgarch(es), key {fingerprint}", file=sys.stderr)
    return [outdir / p.relative_to(staging) for p in written]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ipk-dir", type=Path, required=True, help="holds <pkgarch>/*.ipk")
    ap.add_argument("--key", type=Path, required=True, help="signify/usign secret key, no passphrase")
    ap.add_argument("--outdir", type=Path, required=True)
    args = ap.parse_args(argv)
    try:
        for p in build_feed(args.ipk_dir, args.key, args.outdir):
            print(p)
    except FeedError as e:
        print(f"opkg_feed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
