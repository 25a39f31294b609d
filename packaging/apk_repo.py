#!/usr/bin/env python3
"""A signed apk repository (apk-tools' v2 index format, which apk 3, and so
OpenWrt 25.12, reads for a repository URL not ending in .adb) from the .apk
files packaging/openwrt_pkg.py built.

  apk_repo.py --apk-dir dist/openwrt --key repo.rsa --outdir dist/apk-repo

For every <pkgarch> of --apk-dir it writes <outdir>/<pkgarch>/: the .apk
files, with those of --apk-dir/all/ (arch noarch, the LuCI app, which a
repository of each pkgarch carries), and APKINDEX.tar.gz, which is two gzip streams:
  1. a tar holding `.SIGN.RSA.<key name>`: an RSA PKCS#1 v1.5 signature, over
     SHA-1, of the bytes of stream 2 (what abuild-sign writes; the tar's
     end-of-archive blocks cut, so apk reads on into stream 2);
  2. a tar of DESCRIPTION and APKINDEX, the index text: per package
     `C:Q1<base64 SHA-1 of the package's control gzip stream>` (the identity
     apk checks the downloaded file against, so unsigned packages are
     trusted through the signed index), then P, V, A, S, I, T, U, L, o, m, t,
     p, k from its .PKGINFO, a blank line after each.
It also writes <outdir>/<key name>, the public key in PEM, which goes to
/etc/apk/keys/<key name> on the router: apk finds the key by that name.
The key (--key) is an RSA private key in PEM (`openssl genrsa -out repo.rsa
4096`); signing runs `openssl dgst -sha1 -sign`.
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
import zlib
from pathlib import Path

KEY_NAME = "smarthub-exporter.rsa.pub"
# The directory of the packages of architecture all (apk's noarch).
ALL = "all"
# .PKGINFO key -> APKINDEX field letter, in the order apk index writes them.
FIELDS = [("pkgname", "P"), ("pkgver", "V"), ("arch", "A"), (None, "S"), ("size", "I"),
          ("pkgdesc", "T"), ("url", "U"), ("license", "L"), ("origin", "o"), ("maintainer", "m"),
          ("builddate", "t"), ("depend", "D"), ("provides", "p"), ("provider_priority", "k")]


class RepoError(Exception):
    pass


def gzip_streams(data: bytes) -> list[tuple[bytes, bytes]]:
    """[(compressed bytes, decompressed bytes)] of concatenated gzip streams."""
    out, rest = [], data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            plain = d.decompress(rest) + d.flush()
        except zlib.error as e:
            raise RepoError(f"not gzip: {e}") from None
        if not d.eof:
            raise RepoError("truncated gzip stream")
        used = len(rest) - len(d.unused_data)
        out.append((rest[:used], plain))
        rest = d.unused_data
    return out


def read_pkginfo(apk: Path) -> tuple[dict[str, list[str]], bytes]:
    """(.PKGINFO fields, the control stream's compressed bytes) of an
    unsigned v2 .apk: its first gzip stream is the control tar."""
    streams = gzip_streams(apk.read_bytes())
    if len(streams) != 2:
        raise RepoError(f"{apk}: expected an unsigned .apk (control and data streams), got {len(streams)}")
    control_gz, control = streams[0]
    # The control tar has no end-of-archive blocks; add them to read it.
    with tarfile.open(fileobj=io.BytesIO(control + bytes(1024))) as tf:
        member = tf.extractfile(".PKGINFO")
        if member is None:
            raise RepoError(f"{apk}: no .PKGINFO")
        text = member.read().decode()
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.partition(" = ")
        fields.setdefault(key, []).append(value)
    return fields, control_gz


def index_entry(apk: Path) -> str:
    info, control_gz = read_pkginfo(apk)
    lines = ["C:Q1" + base64.b64encode(hashlib.sha1(control_gz).digest()).decode()]
    for key, letter in FIELDS:
        if key is None:
            lines.append(f"S:{apk.stat().st_size}")
        elif key in info:
            lines.append(f"{letter}:{' '.join(info[key])}")
    for needed in ("pkgname", "pkgver", "arch"):
        if needed not in info:
            raise RepoError(f"{apk}: .PKGINFO has no {needed}")
    return "\n".join(lines) + "\n\n"


def tar_bytes(members: list[tuple[str, bytes]], cut: bool, epoch: int) -> bytes:
    raw = io.BytesIO()
    tf = tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT)
    for name, content in members:
        ti = tarfile.TarInfo(name)
        ti.size, ti.mode, ti.mtime = len(content), 0o644, epoch
        ti.uname = ti.gname = "root"
        tf.addfile(ti, io.BytesIO(content))
    end = tf.offset
    tf.close()
    return raw.getvalue()[:end] if cut else raw.getvalue()


def rsa_sha1_sign(data: bytes, key: Path) -> bytes:
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        r = subprocess.run(["openssl", "dgst", "-sha1", "-sign", str(key), f.name], capture_output=True)
    if r.returncode != 0:
        raise RepoError(f"openssl dgst -sign: {r.stderr.decode().strip()}")
    return r.stdout


def public_pem(key: Path) -> bytes:
    r = subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout"], capture_output=True)
    if r.returncode != 0 or b"BEGIN PUBLIC KEY" not in r.stdout:
        raise RepoError(f"{key}: not an RSA private key ({r.stderr.decode().strip()})")
    return r.stdout


def build_index(apks: list[Path], key: Path, key_name: str, description: str, epoch: int) -> bytes:
    index = "".join(index_entry(a) for a in apks).encode()
    # mtime 0 and no name: the same packages give the same index bytes.
    index_gz = gzip.compress(tar_bytes([("DESCRIPTION", description.encode()), ("APKINDEX", index)],
                                       cut=False, epoch=epoch), 9, mtime=0)
    signature = rsa_sha1_sign(index_gz, key)
    sig_gz = gzip.compress(tar_bytes([(f".SIGN.RSA.{key_name}", signature)], cut=True, epoch=epoch), 9, mtime=0)
    return sig_gz + index_gz


def build_repo(apk_dir: Path, key: Path, outdir: Path, key_name: str = KEY_NAME, epoch: int = 0) -> list[Path]:
    if shutil.which("openssl") is None:
        raise RepoError("openssl missing")
    pem = public_pem(key)
    arches = sorted(d for d in apk_dir.iterdir()
                    if d.is_dir() and d.name != ALL and any(d.glob("*.apk")))
    if not arches:
        raise RepoError(f"no .apk files under {apk_dir}/<pkgarch>/")
    arch_all = sorted((apk_dir / ALL).glob("*.apk")) if (apk_dir / ALL).is_dir() else []
    staging = Path(tempfile.mkdtemp(dir=outdir.parent if outdir.parent.exists() else None))
    written = []
    (staging / key_name).write_bytes(pem)
    written.append(staging / key_name)
    for arch_dir in arches:
        out = staging / arch_dir.name
        out.mkdir()
        apks = []
        for apk in sorted([*arch_dir.glob("*.apk"), *arch_all], key=lambda p: p.name):
            shutil.copy2(apk, out / apk.name)
            apks.append(out / apk.name)
        (out / "APKINDEX.tar.gz").write_bytes(
            build_index(apks, key, key_name, f"smarthub-exporter {arch_dir.name}", epoch))
        written.append(out / "APKINDEX.tar.gz")
    if outdir.exists():
        shutil.rmtree(outdir)
    shutil.move(str(staging), outdir)
    return [outdir / p.relative_to(staging) for p in written]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apk-dir", type=Path, required=True, help="holds <pkgarch>/*.apk")
    ap.add_argument("--key", type=Path, required=True, help="RSA private key, PEM")
    ap.add_argument("--key-name", default=KEY_NAME, help=f"the key's file name on the router (default {KEY_NAME})")
    ap.add_argument("--outdir", type=Path, required=True)
    args = ap.parse_args(argv)
    try:
        for p in build_repo(args.apk_dir, args.key, args.outdir, args.key_name):
            print(p)
    except RepoError as e:
        print(f"apk_repo: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
