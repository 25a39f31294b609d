#!/usr/bin/env python3
"""Build OpenWrt packages of smarthub-exporter without the OpenWrt SDK.

  .ipk  for opkg (OpenWrt <= 24.10)
  .apk  for apk-tools 3 (OpenWrt >= 25.12), in the v2 package format

Why by hand: the SDK is a large per-target download that builds its own
toolchain, while our binaries are already cross-built and static. Packaging
them is only archive layout, which this file writes with the standard
library, mirroring what the SDK's include/package-pack.mk and
scripts/ipkg-build produce for the feed Makefile in packaging/openwrt-feed/Makefile,
and for packaging/luci-app-smarthub-exporter/ as openwrt/luci's luci.mk
packs a LuCI app (architecture all: no binary, the same package for every
router).

Usage:
  openwrt_pkg.py build --binary PATH --pkgarch ARCH [--variant js|nojs]
                       [--format ipk,apk] --outdir DIR
  openwrt_pkg.py luci [--format ipk,apk] --outdir DIR
  openwrt_pkg.py all [--bin-dir dist/bin] [--outdir dist/openwrt] [--strict]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import struct
import subprocess
import sys
import tarfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "packaging" / "openwrt-scripts"
FILES = ROOT / "packaging" / "openwrt-feed" / "files"

NAME = "smarthub-exporter"
URL = "https://github.com/smarthub-exporter/smarthub-exporter"
# OpenWrt's license field lists alternatives separated by spaces.
LICENSE = "Apache-2.0 MIT"
SECTION = "utils"
USERID = f"{NAME}:{NAME}"
CONFFILES = [f"/etc/config/{NAME}"]
# No one reads mail at this address (GitHub's form for the project's
# account); the feed Makefiles say where reports go instead.
MAINTAINER = "smarthub-exporter developers <smarthub-exporter@users.noreply.github.com>"
LICENSE_FILES = "LICENSE-APACHE LICENSE-MIT"
MAKEFILE = ROOT / "packaging" / "openwrt-feed" / "Makefile"

LUCI_NAME = "luci-app-smarthub-exporter"
LUCI_APP = ROOT / "packaging" / LUCI_NAME
LUCI_MAKEFILE = LUCI_APP / "Makefile"
# luci.mk's Package/$(PKG_NAME)/postinst for an app with no uci-defaults
# script, which the SDK puts in the control files as postinst-pkg: on a
# router (not in an image build) drop LuCI's menu and module caches and
# restart rpcd, which then reads the app's ACL and plugin.
LUCI_POSTINST = """[ -n "${IPKG_INSTROOT}" ] || {
\trm -f /tmp/luci-indexcache
\trm -rf /tmp/luci-modulecache/
\tkillall -HUP rpcd 2>/dev/null
\texit 0
}
"""
# The pkgarch of packages without a binary; apk calls it noarch.
ALL = "all"


def makefile_define(makefile: Path, name: str) -> list[str]:
    """The lines of `define NAME` ... `endef` in a Makefile, as make keeps
    them ($$ is make's escape for $)."""
    lines = makefile.read_text().splitlines()
    try:
        start = lines.index(f"define {name}") + 1
        end = lines.index("endef", start)
    except ValueError:
        raise PackagingError(f"{makefile} has no define {name}") from None
    return [line.replace("$$", "$") for line in lines[start:end]]


def makefile_variable(makefile: Path, name: str) -> str:
    """The value of a one-line `NAME:=value` in a Makefile."""
    for line in makefile.read_text().splitlines():
        if line.startswith(f"{name}:="):
            return line[len(name) + 2:].strip()
    raise PackagingError(f"{makefile} does not set {name}")


def makefile_description(name: str) -> list[str]:
    """The lines of `define Package/<name>/description` in the feed Makefile,
    without their indentation: the SDK writes that long description into
    both formats, so the packages built here carry the same text."""
    lines = MAKEFILE.read_text().splitlines()
    try:
        start = lines.index(f"define Package/{name}/description") + 1
        end = lines.index("endef", start)
    except ValueError:
        raise PackagingError(f"{MAKEFILE} has no description for {name}") from None
    body = [line.strip() for line in lines[start:end]]
    if not body or any("$(" in line for line in body):
        raise PackagingError(f"{MAKEFILE}: the description of {name} must be plain text")
    return body


# One static musl binary serves every pkgarch of its CPU family.
PKGARCH_TARGETS = {
    "mipsel_24kc": "mipsel-unknown-linux-musl",
    "mips_24kc": "mips-unknown-linux-musl",
    "aarch64_cortex-a53": "aarch64-unknown-linux-musl",
    "aarch64_generic": "aarch64-unknown-linux-musl",
    "aarch64_cortex-a72": "aarch64-unknown-linux-musl",
    "arm_cortex-a7_neon-vfpv4": "armv7-unknown-linux-musleabihf",
    # Not plain arm_cortex-a9: that is bcm53xx, which OpenWrt builds
    # soft-float for CPUs without an FPU, where this hard-float binary would
    # die at its first float instruction.
    "arm_cortex-a9_vfpv3-d16": "armv7-unknown-linux-musleabihf",
    "arm_cortex-a15_neon-vfpv4": "armv7-unknown-linux-musleabihf",
    "x86_64": "x86_64-unknown-linux-musl",
}

# ELF (EI_CLASS, EI_DATA, e_machine) each Rust target's binaries must have,
# so a binary of the wrong family is never packaged under a pkgarch.
TARGET_ELF = {
    "mipsel-unknown-linux-musl": (1, 1, 8),
    "mips-unknown-linux-musl": (1, 2, 8),
    "aarch64-unknown-linux-musl": (2, 1, 183),
    "armv7-unknown-linux-musleabihf": (1, 1, 40),
    "x86_64-unknown-linux-musl": (2, 1, 62),
}

VARIANTS = {"js": (NAME, ""), "nojs": (f"{NAME}-nojs", "-nojs")}


class PackagingError(Exception):
    pass


@dataclass
class Package:
    """One package: its name, version, the files it installs, and the
    fields and scripts its Makefile gives it. The defaults are the
    exporter's."""

    name: str
    variant: str | None
    version: str  # OpenWrt's "<PKG_VERSION>-r<PKG_RELEASE>", valid for apk too
    pkgarch: str
    files: dict[str, tuple[int, bytes]]  # path without leading "/" -> (mode, content)
    epoch: int
    description: list[str]
    source_name: str = NAME
    section: str = SECTION
    depends: list[str] = field(default_factory=list)
    provides: str | None = None
    conflicts: str | None = None
    license_files: str | None = LICENSE_FILES
    userid: str | None = USERID
    conffiles: list[str] = field(default_factory=lambda: list(CONFFILES))
    # The Makefile's Package/<name>/postinst and /postrm, if it has them.
    postinst_pkg: str | None = None
    postrm: str | None = None

    @property
    def apk_arch(self) -> str:
        return "noarch" if self.pkgarch == ALL else self.pkgarch


def cargo_version() -> str:
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["package"]["version"]


def default_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, so rebuilds match."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 0


def check_elf(data: bytes, target: str, allow_dynamic: bool = False) -> None:
    if data[:4] != b"\x7fELF":
        raise PackagingError("binary is not an ELF file")
    ei_class, ei_data = data[4], data[5]
    end = "<" if ei_data == 1 else ">"
    (e_machine,) = struct.unpack_from(end + "H", data, 18)
    want = TARGET_ELF[target]
    if (ei_class, ei_data, e_machine) != want:
        raise PackagingError(
            f"binary is ELF class {ei_class}, data {ei_data}, machine {e_machine}; "
            f"{target} needs {want}")
    if allow_dynamic:
        return
    # A PT_INTERP header means a dynamic loader, which the router may lack.
    if ei_class == 1:
        e_phoff, = struct.unpack_from(end + "I", data, 28)
        e_phentsize, e_phnum = struct.unpack_from(end + "HH", data, 42)
    else:
        e_phoff, = struct.unpack_from(end + "Q", data, 32)
        e_phentsize, e_phnum = struct.unpack_from(end + "HH", data, 54)
    for i in range(e_phnum):
        (p_type,) = struct.unpack_from(end + "I", data, e_phoff + i * e_phentsize)
        if p_type == 3:
            raise PackagingError("binary is dynamically linked; OpenWrt packages need the static musl build")


def make_package(binary: Path, pkgarch: str, variant: str = "js",
                 version: str | None = None, release: int = 1,
                 epoch: int | None = None, check_arch: bool = True,
                 allow_dynamic: bool = False) -> Package:
    if pkgarch not in PKGARCH_TARGETS and check_arch:
        raise PackagingError(f"unknown pkgarch {pkgarch!r}; known: {', '.join(PKGARCH_TARGETS)}")
    if variant not in VARIANTS:
        raise PackagingError(f"unknown variant {variant!r}")
    data = binary.read_bytes()
    if check_arch:
        check_elf(data, PKGARCH_TARGETS[pkgarch], allow_dynamic)
    files = {
        f"usr/bin/{NAME}": (0o755, data),
        f"etc/init.d/{NAME}": (0o755, (FILES / f"{NAME}.init").read_bytes()),
        # INSTALL_CONF in the SDK installs config files 0600.
        f"etc/config/{NAME}": (0o600, (FILES / f"{NAME}.config").read_bytes()),
    }
    name = VARIANTS[variant][0]
    return Package(
        name=name, variant=variant,
        version=f"{version or cargo_version()}-r{release}", pkgarch=pkgarch,
        files=files, epoch=default_epoch() if epoch is None else epoch,
        description=makefile_description(name),
        provides=NAME if variant == "nojs" else None,
        conflicts=NAME if variant == "nojs" else None,
    )


def luci_files() -> dict[str, tuple[int, bytes]]:
    """What luci.mk installs: htdocs/ under /www, root/ under /, each file
    with its mode in the checkout (cp -pR); the rest (Makefile, po/) is
    source only."""
    files = {}
    for top, dest in (("htdocs", "www"), ("root", "")):
        for path in sorted((LUCI_APP / top).rglob("*")):
            if path.is_file():
                rel = path.relative_to(LUCI_APP / top).as_posix()
                mode = 0o755 if os.access(path, os.X_OK) else 0o644
                files[f"{dest}/{rel}".lstrip("/")] = (mode, path.read_bytes())
    return files


def make_luci_package(version: str | None = None, release: int = 1,
                      epoch: int | None = None) -> Package:
    """luci-app-smarthub-exporter as luci.mk packs it: architecture all,
    Depends as the SDK writes LUCI_DEPENDS (libc first, as for every
    package it builds), luci.mk's postinst, the Makefile's postrm."""
    depends = [d.lstrip("+") for d in makefile_variable(LUCI_MAKEFILE, "LUCI_DEPENDS").split()]
    postrm = makefile_define(LUCI_MAKEFILE, f"Package/{LUCI_NAME}/postrm")
    return Package(
        name=LUCI_NAME, variant=None,
        version=f"{version or cargo_version()}-r{release}", pkgarch=ALL,
        files=luci_files(), epoch=default_epoch() if epoch is None else epoch,
        description=[makefile_variable(LUCI_MAKEFILE, "LUCI_DESCRIPTION")],
        source_name=LUCI_NAME, section="luci", depends=["libc", *depends],
        license_files=None, userid=None, conffiles=[],
        postinst_pkg=LUCI_POSTINST, postrm="\n".join(postrm) + "\n",
    )


# --- archive helpers -------------------------------------------------------

def _tarinfo(name: str, mode: int, size: int, epoch: int, is_dir: bool) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    ti.mode, ti.size, ti.mtime = mode, size, epoch
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def _tree(files: dict[str, tuple[int, bytes]]) -> list[tuple[str, bool]]:
    """Every directory and file of `files`, depth first and sorted by name
    (the order GNU tar --sort=name gives), as (path, is_dir)."""
    dirs = set()
    for path in files:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    entries = [(d, True) for d in dirs] + [(f, False) for f in files]
    return sorted(entries, key=lambda e: e[0].split("/"))


def _gzip(data: bytes) -> bytes:
    # mtime=0 and no file name, like `gzip -n`, so equal input gives equal bytes.
    return gzip.compress(data, compresslevel=9, mtime=0)


def _script(name: str, pkgname: str) -> bytes:
    return (SCRIPTS / name).read_text().replace("@PKGNAME@", pkgname).encode()


# --- .ipk ------------------------------------------------------------------

def ipk_control(pkg: Package, installed_size: int) -> str:
    """Fields in the order package-pack.mk writes them; a field with no value
    is left out (an empty Depends: line crashes opkg's status parser). The
    description goes last as the SDK writes it: `printf "Description: "`,
    then each line of the Makefile's text with its indentation made one
    space (so the first line follows two spaces, the rest are
    continuation lines, a blank one being a lone space)."""
    fields = [
        ("Package", pkg.name),
        ("Version", pkg.version),
        ("Depends", ", ".join(pkg.depends)),
        ("Conflicts", pkg.conflicts),
        ("Provides", pkg.provides),
        ("SourceName", pkg.source_name),
        ("License", LICENSE),
        ("LicenseFiles", pkg.license_files),
        ("Section", pkg.section),
        ("Require-User", pkg.userid),
        ("URL", URL),
        ("Maintainer", MAINTAINER),
        ("Architecture", pkg.pkgarch),
        ("Installed-Size", str(installed_size)),
    ]
    head = "".join(f"{k}: {v}\n" for k, v in fields if v)
    return head + "Description: " + "".join(f" {line}\n" for line in pkg.description)


def build_ipk(pkg: Package, outdir: Path) -> Path:
    """A gzip'd tar of ./debian-binary, ./control.tar.gz, ./data.tar.gz.
    Not the Debian `ar` container: opkg as shipped by OpenWrt rejects it."""
    def tar_gz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> tuple[bytes, int]:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tf:
            for ti, content in members:
                tf.addfile(ti, io.BytesIO(content) if content is not None else None)
        return _gzip(raw.getvalue()), len(raw.getvalue())

    data_members = [(_tarinfo(".", 0o755, 0, pkg.epoch, True), None)]
    for path, is_dir in _tree(pkg.files):
        if is_dir:
            data_members.append((_tarinfo(f"./{path}", 0o755, 0, pkg.epoch, True), None))
        else:
            mode, content = pkg.files[path]
            data_members.append((_tarinfo(f"./{path}", mode, len(content), pkg.epoch, False), content))
    data_gz, data_size = tar_gz(data_members)

    control_files = {
        # ipkg-build sets Installed-Size to the uncompressed data.tar's size.
        "control": (0o644, ipk_control(pkg, data_size).encode()),
        "postinst": (0o755, _script("ipk-postinst", pkg.name)),
        "prerm": (0o755, _script("ipk-prerm", pkg.name)),
    }
    if pkg.conffiles:
        control_files["conffiles"] = (0o644, "".join(c + "\n" for c in pkg.conffiles).encode())
    # package-pack.mk writes the Makefile's postinst as postinst-pkg, which
    # default_postinst sources, and its postrm as it is.
    if pkg.postinst_pkg is not None:
        control_files["postinst-pkg"] = (0o755, pkg.postinst_pkg.encode())
    if pkg.postrm is not None:
        control_files["postrm"] = (0o755, pkg.postrm.encode())
    control_members = [(_tarinfo(".", 0o755, 0, pkg.epoch, True), None)]
    for name in sorted(control_files):
        mode, content = control_files[name]
        control_members.append((_tarinfo(f"./{name}", mode, len(content), pkg.epoch, False), content))
    control_gz, _ = tar_gz(control_members)

    outer = [
        ("./debian-binary", b"2.0\n"),
        ("./control.tar.gz", control_gz),
        ("./data.tar.gz", data_gz),
    ]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, content in outer:
            tf.addfile(_tarinfo(name, 0o644, len(content), pkg.epoch, False), io.BytesIO(content))
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / f"{pkg.name}_{pkg.version}_{pkg.pkgarch}.ipk"
    path.write_bytes(_gzip(raw.getvalue()))
    return path


# --- .apk (apk-tools v2 package format) --------------------------------------
#
# A v2 .apk is gzip streams concatenated:
#   [signature stream]  tar with .SIGN.RSA.<key>.rsa.pub  (we have no key: omitted)
#   control stream      tar with .PKGINFO then .<script> files, WITHOUT the
#                       tar end-of-archive blocks, so that apk's tar reader
#                       runs on into the next stream
#   data stream         tar of the files; each regular file carries a PAX
#                       header APK-TOOLS.checksum.SHA1=<hex sha1 of content>
# .PKGINFO's `datahash` is the SHA-256 of the data stream's compressed bytes;
# apk-tools checks it at the end of that stream. apk-tools 3 reads this format
# (src/extract_v2.c) as well as its own v3 format, and installs an unsigned
# package when told --allow-untrusted.

def apk_pkginfo(pkg: Package, size: int, datahash: str) -> str:
    fields = [
        ("pkgname", pkg.name),
        ("pkgver", pkg.version),
        # apk mkpkg gets the long description, whitespace collapsed.
        ("pkgdesc", " ".join(" ".join(pkg.description).split())),
        ("url", URL),
        ("builddate", str(pkg.epoch)),
        ("size", str(size)),
        # package-pack.mk: `arch:noarch` for a PKGARCH of all.
        ("arch", pkg.apk_arch),
        ("origin", pkg.source_name),
        ("license", LICENSE),
        ("maintainer", MAINTAINER),
        # The SDK gives -nojs a versioned provide of the plain name, which
        # apk's solver lets only one installed package hold: that is the
        # conflict, as apk has no Conflicts field.
        ("provides", f"{NAME}={pkg.version}" if pkg.variant == "nojs" else None),
        # The SDK marks the default variant so.
        ("provider_priority", "100" if pkg.variant == "js" else None),
    ]
    # One `depend` line per dependency, as abuild writes them.
    fields += [("depend", d) for d in pkg.depends]
    fields.append(("datahash", datahash))
    head = f"# Generated by {NAME} packaging/openwrt_pkg.py\n"
    return head + "".join(f"{k} = {v}\n" for k, v in fields if v)


def apk_data_files(pkg: Package) -> dict[str, tuple[int, bytes]]:
    """The package's files plus the metadata the OpenWrt 25.12 SDK puts in
    /lib/apk/packages/, which OpenWrt's default_postinst/default_prerm and
    sysupgrade read: the account to create, the file list, the conffiles."""
    meta = f"lib/apk/packages/{pkg.name}"
    files = dict(pkg.files)
    if pkg.userid:
        files[f"{meta}.rusers"] = (0o644, (pkg.userid + "\n").encode())
    # The SDK lists files before adding .list and the conffiles entries.
    listed = sorted("/" + p for p in files)
    files[f"{meta}.list"] = (0o644, "".join(p + "\n" for p in listed).encode())
    if pkg.conffiles:
        files[f"{meta}.conffiles"] = (0o644, "".join(c + "\n" for c in pkg.conffiles).encode())
        static = "".join(
            f"{c} {hashlib.sha256(files[c.lstrip('/')][1]).hexdigest()}\n" for c in pkg.conffiles)
        files[f"{meta}.conffiles_static"] = (0o644, static.encode())
    return files


def build_apk(pkg: Package, outdir: Path) -> Path:
    files = apk_data_files(pkg)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path, is_dir in _tree(files):
            if is_dir:
                tf.addfile(_tarinfo(path, 0o755, 0, pkg.epoch, True))
                continue
            mode, content = files[path]
            ti = _tarinfo(path, mode, len(content), pkg.epoch, False)
            ti.pax_headers = {"APK-TOOLS.checksum.SHA1": hashlib.sha1(content).hexdigest()}
            tf.addfile(ti, io.BytesIO(content))
    data_gz = _gzip(raw.getvalue())
    size = sum(len(c) for _, c in files.values())

    post_install = _script("apk-post-install", pkg.name)
    if pkg.postinst_pkg is not None:
        # The SDK appends the Makefile's postinst, its #! lines dropped.
        post_install += "".join(line for line in pkg.postinst_pkg.splitlines(keepends=True)
                                if not line.lstrip().startswith("#!")).encode()
    # The SDK's post-upgrade is post-install with PKG_UPGRADE=1, which makes
    # default_postinst restart without re-enabling (a user's disable stays).
    post_upgrade = post_install.replace(b"#!/bin/sh\n", b"#!/bin/sh\nexport PKG_UPGRADE=1\n", 1)
    control = [
        (".PKGINFO", 0o644, apk_pkginfo(pkg, size, hashlib.sha256(data_gz).hexdigest()).encode()),
        (".post-install", 0o755, post_install),
        (".post-upgrade", 0o755, post_upgrade),
        (".pre-deinstall", 0o755, _script("apk-pre-deinstall", pkg.name)),
    ]
    if pkg.postrm is not None:
        # The Makefile's postrm is the post-deinstall script.
        control.append((".post-deinstall", 0o755, pkg.postrm.lstrip().encode()))
    control.sort(key=lambda c: c[0])
    raw = io.BytesIO()
    tf = tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT)
    for name, mode, content in control:
        tf.addfile(_tarinfo(name, mode, len(content), pkg.epoch, False), io.BytesIO(content))
    end_of_members = tf.offset
    tf.close()
    # Cut the end-of-archive blocks (what abuild-tar --cut does).
    control_gz = _gzip(raw.getvalue()[:end_of_members])

    outdir.mkdir(parents=True, exist_ok=True)
    # The SDK's name: the arch is in .PKGINFO, and the directory says it.
    path = outdir / f"{pkg.name}-{pkg.version}.apk"
    path.write_bytes(control_gz + data_gz)
    return path


# --- command line ------------------------------------------------------------

def build(pkg: Package, outdir: Path, formats: list[str]) -> list[Path]:
    out = []
    if "ipk" in formats:
        out.append(build_ipk(pkg, outdir))
    if "apk" in formats:
        out.append(build_apk(pkg, outdir))
    return out


def build_all(bin_dir: Path, outdir: Path, strict: bool, version: str | None,
              release: int) -> list[Path]:
    built, missing = [], []
    for pkgarch, target in PKGARCH_TARGETS.items():
        for variant, (_, suffix) in VARIANTS.items():
            binary = bin_dir / target / f"{NAME}{suffix}"
            if not binary.is_file():
                missing.append(str(binary))
                continue
            pkg = make_package(binary, pkgarch, variant, version, release)
            built += build(pkg, outdir / pkgarch, ["ipk", "apk"])
    for m in sorted(set(missing)):
        print(f"missing {m}", file=sys.stderr)
    if not built:
        raise PackagingError(f"no binaries under {bin_dir}; run packaging/cross-build.sh first")
    if strict and missing:
        raise PackagingError("some binaries are missing (--strict)")
    # One LuCI package serves every pkgarch; the feeds put it in each.
    built += build(make_luci_package(version, release), outdir / ALL, ["ipk", "apk"])
    sums = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(outdir)}\n"
        for p in sorted(built))
    (outdir / "sha256sums").write_text(sums)
    return built


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="package one binary for one pkgarch")
    b.add_argument("--binary", type=Path, required=True)
    b.add_argument("--pkgarch", required=True)
    b.add_argument("--variant", choices=sorted(VARIANTS), default="js")
    b.add_argument("--format", default="ipk,apk", help="ipk, apk or ipk,apk")
    b.add_argument("--outdir", type=Path, required=True)
    b.add_argument("--no-arch-check", action="store_true",
                   help="package a binary whatever its ELF machine (tests only)")
    b.add_argument("--allow-dynamic", action="store_true",
                   help="accept a dynamically linked binary (tests only)")
    luci = sub.add_parser("luci", help=f"package {LUCI_NAME} (architecture all, no binary)")
    luci.add_argument("--format", default="ipk,apk", help="ipk, apk or ipk,apk")
    luci.add_argument("--outdir", type=Path, required=True)
    a = sub.add_parser("all", help="package every dist/bin/<target> binary for every pkgarch, and the LuCI app")
    a.add_argument("--bin-dir", type=Path, default=ROOT / "dist" / "bin")
    a.add_argument("--outdir", type=Path, default=ROOT / "dist" / "openwrt")
    a.add_argument("--strict", action="store_true", help="fail if any binary is missing")
    for p in (b, luci, a):
        p.add_argument("--version", help="default: Cargo.toml's")
        p.add_argument("--release", type=int, default=1, help="PKG_RELEASE (default 1)")
    args = ap.parse_args(argv)
    try:
        if args.cmd in ("build", "luci"):
            formats = args.format.split(",")
            if not set(formats) <= {"ipk", "apk"}:
                raise PackagingError(f"unknown format in {args.format!r}")
            if args.cmd == "luci":
                pkg = make_luci_package(args.version, args.release)
            else:
                pkg = make_package(args.binary, args.pkgarch, args.variant, args.version,
                                   args.release, check_arch=not args.no_arch_check,
                                   allow_dynamic=args.allow_dynamic)
            paths = build(pkg, args.outdir, formats)
        else:
            paths = build_all(args.bin_dir, args.outdir, args.strict, args.version, args.release)
    except PackagingError as e:
        print(f"openwrt_pkg: {e}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
