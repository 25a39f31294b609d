"""luci-app-smarthub-exporter as packaging/openwrt_pkg.py packs it, without
any binary: the .ipk and .apk (architecture all, noarch) with luci.mk's
layout, fields and scripts; installed and removed the way opkg and apk run
them, in a chroot with busybox as the router's shell (the files land in
LuCI's places, LuCI's caches go, rpcd is told to reload, the exporter's
config is left alone); and carried by every pkgarch of the opkg feed and
the apk repository."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, STANDINS, gzip_members, openwrt_pkg, parse_record
from _luci import ACL, APP, MENU, PLUGIN, SETTINGS, STATUS
from test_openwrt_packages import parse_control, raw_tar

NAME = "luci-app-smarthub-exporter"
# Where luci.mk puts each file of the app on the router.
PLACES = {
    "www/luci-static/resources/view/smarthub-exporter/settings.js": (0o644, SETTINGS),
    "www/luci-static/resources/view/smarthub-exporter/status.js": (0o644, STATUS),
    "usr/share/luci/menu.d/luci-app-smarthub-exporter.json": (0o644, MENU),
    "usr/share/rpcd/acl.d/luci-app-smarthub-exporter.json": (0o644, ACL),
    "usr/libexec/rpcd/luci.smarthub-exporter": (0o755, PLUGIN),
}
CONFIG_TEXT = b"config smarthub-exporter 'main'\n\toption host '10.0.0.1'\n"


def ipk_members(path: Path) -> dict[str, dict[str, dict]]:
    (_, outer), = gzip_members(path.read_bytes())
    entries, _ = raw_tar(outer)
    out = {}
    for e in entries:
        if e["name"].endswith(".tar.gz"):
            inner, _ = raw_tar(gzip.decompress(e["data"]))
            out[e["name"]] = {i["name"]: i for i in inner}
    return out


def apk_streams(path: Path) -> tuple[list[dict], list[dict]]:
    (_, control), (_, data) = gzip_members(path.read_bytes())
    return raw_tar(control)[0], raw_tar(data)[0]


class LuciPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        r = subprocess.run(["python3", str(ROOT / "packaging" / "openwrt_pkg.py"), "luci", "--outdir", str(cls.tmp)],
                           capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
        if r.returncode != 0:
            raise AssertionError(r.stderr)
        version = openwrt_pkg.cargo_version()
        cls.ipk = cls.tmp / f"{NAME}_{version}-r1_all.ipk"
        cls.apk = cls.tmp / f"{NAME}-{version}-r1.apk"
        cls.version = f"{version}-r1"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_both_formats_no_binary(self):
        self.assertEqual(sorted(p.name for p in self.tmp.iterdir()), sorted([self.ipk.name, self.apk.name]))
        for path in (self.ipk, self.apk):
            self.assertLess(path.stat().st_size, 64 * 1024)

    def test_ipk_files_in_luci_places(self):
        data = ipk_members(self.ipk)["./data.tar.gz"]
        files = {n[2:]: e for n, e in data.items() if e["type"] == b"0"}
        self.assertEqual(set(files), set(PLACES))
        for path, (mode, source) in PLACES.items():
            self.assertEqual((files[path]["mode"], files[path]["data"]), (mode, source.read_bytes()), path)
            self.assertEqual((files[path]["uid"], files[path]["gid"]), (0, 0))
        # Nothing of the exporter's: its config stays the exporter package's.
        self.assertFalse(any("etc/config" in n for n in data))

    def test_ipk_control_as_the_sdk_writes_it(self):
        control = ipk_members(self.ipk)["./control.tar.gz"]
        self.assertEqual(set(control), {"./", "./control", "./postinst", "./postinst-pkg", "./prerm", "./postrm"})
        fields = parse_control(control["./control"]["data"].decode())
        self.assertEqual(list(fields), ["Package", "Version", "Depends", "SourceName", "License", "Section", "URL",
                                        "Maintainer", "Architecture", "Installed-Size", "Description"])
        self.assertEqual(fields["Package"], NAME)
        self.assertEqual(fields["Version"], self.version)
        # -nojs provides smarthub-exporter, so either variant meets it.
        self.assertEqual(fields["Depends"], "libc, luci-base, smarthub-exporter")
        self.assertEqual((fields["Architecture"], fields["Section"]), ("all", "luci"))
        self.assertEqual(fields["License"], "Apache-2.0 MIT")
        self.assertEqual(fields["Maintainer"], openwrt_pkg.MAINTAINER)
        self.assertIn("BT Smart Hub", fields["Description"])
        # The generic postinst/prerm of every package; luci.mk's postinst as
        # postinst-pkg; the Makefile's postrm.
        self.assertEqual(control["./postinst"]["data"], (ROOT / "packaging/openwrt-scripts/ipk-postinst").read_bytes())
        self.assertEqual(control["./postinst-pkg"]["data"].decode(), openwrt_pkg.LUCI_POSTINST)
        postrm = control["./postrm"]["data"].decode()
        self.assertTrue(postrm.startswith("#!/bin/sh\n[ -n \"${IPKG_INSTROOT}\" ] || {"), postrm)
        self.assertIn("killall -HUP rpcd", postrm)
        self.assertNotIn("$$", postrm)

    def test_apk_noarch_with_its_scripts(self):
        control, data = apk_streams(self.apk)
        self.assertEqual([e["name"] for e in control],
                         [".PKGINFO", ".post-deinstall", ".post-install", ".post-upgrade", ".pre-deinstall"])
        info = control[0]["data"].decode()
        self.assertIn("\narch = noarch\n", info)
        self.assertEqual(re.findall(r"^depend = (.*)$", info, re.M), ["libc", "luci-base", "smarthub-exporter"])
        scripts = {e["name"]: e["data"].decode() for e in control[1:]}
        self.assertTrue(scripts[".post-install"].endswith("default_postinst\n" + openwrt_pkg.LUCI_POSTINST))
        self.assertTrue(scripts[".post-upgrade"].startswith("#!/bin/sh\nexport PKG_UPGRADE=1\n"))
        self.assertEqual(scripts[".post-deinstall"], ipk_members(self.ipk)["./control.tar.gz"]["./postrm"]["data"].decode())
        files = {e["name"]: e for e in data if e["type"] == b"0"}
        self.assertEqual(set(files), set(PLACES) | {f"lib/apk/packages/{NAME}.list"})
        for path in PLACES:
            self.assertEqual(files[path]["pax"]["APK-TOOLS.checksum.SHA1"], hashlib.sha1(files[path]["data"]).hexdigest())
        self.assertEqual(files[f"lib/apk/packages/{NAME}.list"]["data"].decode().split(),
                         sorted("/" + p for p in PLACES))
        self.assertIn(f"datahash = {hashlib.sha256(gzip_members(self.apk.read_bytes())[1][0]).hexdigest()}", info)

    def test_reproducible(self):
        again = self.tmp / "again"
        subprocess.run(["python3", str(ROOT / "packaging" / "openwrt_pkg.py"), "luci", "--outdir", str(again)],
                       check=True, capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
        for path in (self.ipk, self.apk):
            self.assertEqual((again / path.name).read_bytes(), path.read_bytes())
        shutil.rmtree(again)


class Router:
    """A chroot with busybox as /bin/sh and its applets, the /lib/functions.sh
    stand-in (it records default_postinst and default_prerm and, as the real
    one does for opkg, sources the package's postinst-pkg), a killall that
    records instead of signalling, LuCI's caches in /tmp and the exporter's
    config in /etc/config."""

    APPLETS = ("sh", "rm", "cat", "basename", "ls", "mkdir", "printf")

    def __init__(self):
        if os.geteuid() != 0:
            raise AssertionError("the install tests chroot, which needs root (as CI runs)")
        self.root = Path(tempfile.mkdtemp(prefix="luci-router-"))
        busybox = Path(shutil.which("busybox")).resolve()
        ldd = subprocess.run(["ldd", str(busybox)], capture_output=True, text=True).stdout
        for path in [str(busybox), *re.findall(r"(/\S+\.so[.\d]*)", ldd)]:
            dest = self.root / path.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        (self.root / "bin").mkdir(exist_ok=True)
        shutil.copy2(busybox, self.root / "bin" / "busybox")
        for applet in self.APPLETS:
            (self.root / "bin" / applet).symlink_to("busybox")
        (self.root / "lib").mkdir(exist_ok=True)
        shutil.copy2(STANDINS / "lib" / "functions.sh", self.root / "lib" / "functions.sh")
        killall = self.root / "usr" / "bin" / "killall"
        killall.parent.mkdir(parents=True, exist_ok=True)
        killall.write_text("#!/bin/sh\nprintf killall >> \"$RECORD\"\n"
                           "for a; do printf '\\037%s' \"$a\" >> \"$RECORD\"; done\nprintf '\\n' >> \"$RECORD\"\n")
        killall.chmod(0o755)
        (self.root / "dev").mkdir()
        os.mknod(self.root / "dev" / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        (self.root / "tmp" / "luci-modulecache").mkdir(parents=True)
        for cache in ("tmp/luci-indexcache", "tmp/luci-indexcache.a1b2", "tmp/luci-modulecache/view.js"):
            (self.root / cache).write_text("cached")
        (self.root / "etc" / "config").mkdir(parents=True)
        (self.root / "etc" / "config" / "smarthub-exporter").write_bytes(CONFIG_TEXT)

    def run(self, script: str, *args: str, env: dict[str, str] | None = None) -> list[list[str]]:
        """A maintainer script at its path in the chroot, as the package
        manager runs it; what the stand-ins recorded."""
        record = self.root / "record"
        record.unlink(missing_ok=True)
        full = {"PATH": "/usr/bin:/bin", "RECORD": "/record", **(env or {})}
        r = subprocess.run([shutil.which("chroot"), str(self.root), "/bin/sh", script, *args], env=full,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"{script}: exit {r.returncode}: {r.stderr}")
        return parse_record(record)

    def unpack(self, members: dict[str, dict]) -> list[str]:
        paths = []
        for name, e in members.items():
            rel = name[2:] if name.startswith("./") else name
            if not rel or e["type"] != b"0":
                continue
            dest = self.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(e["data"])
            dest.chmod(e["mode"])
            paths.append("/" + rel)
        return sorted(paths)

    def caches(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in (self.root / "tmp").rglob("*"))

    def close(self):
        shutil.rmtree(self.root)


class InstallRemoveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        pkg = openwrt_pkg.make_luci_package(epoch=1700000000)
        cls.ipk = openwrt_pkg.build_ipk(pkg, cls.tmp)
        cls.apk = openwrt_pkg.build_apk(pkg, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.router = Router()

    def tearDown(self):
        self.router.close()

    def assert_reloaded(self, calls: list[list[str]], first: str):
        self.assertEqual(calls[0][0], first)
        self.assertEqual(calls[1:], [["killall", "-HUP", "rpcd"]])
        # luci.mk's part: the menu cache and the module cache; the real
        # default_postinst also drops /tmp/luci-indexcache.* (the stand-in
        # only records it).
        self.assertEqual(self.router.caches(), ["tmp/luci-indexcache.a1b2"])

    def assert_config_untouched(self):
        self.assertEqual((self.router.root / "etc/config/smarthub-exporter").read_bytes(), CONFIG_TEXT)

    def test_opkg_install_and_remove(self):
        members = ipk_members(self.ipk)
        info = self.router.root / "usr/lib/opkg/info"
        info.mkdir(parents=True)
        # opkg: unpack, keep the control files as info/<pkg>.<name>, run
        # `postinst configure`.
        installed = self.router.unpack(members["./data.tar.gz"])
        (info / f"{NAME}.list").write_text("".join(p + "\n" for p in installed))
        for name, e in members["./control.tar.gz"].items():
            if e["type"] == b"0":
                (info / f"{NAME}.{name[2:]}").write_bytes(e["data"])
                (info / f"{NAME}.{name[2:]}").chmod(e["mode"])
        for path in PLACES:
            self.assertTrue((self.router.root / path).is_file(), path)
        calls = self.router.run(f"/usr/lib/opkg/info/{NAME}.postinst", "configure")
        self.assertEqual(calls[0][:3], ["default_postinst", f"/usr/lib/opkg/info/{NAME}.postinst", "configure"])
        self.assert_reloaded(calls, "default_postinst")
        self.assert_config_untouched()

        # opkg remove: prerm, the files go, postrm.
        for cache in ("tmp/luci-indexcache", "tmp/luci-modulecache/view.js"):
            (self.router.root / cache).parent.mkdir(exist_ok=True)
            (self.router.root / cache).write_text("cached")
        calls = self.router.run(f"/usr/lib/opkg/info/{NAME}.prerm", "remove")
        self.assertEqual([c[0] for c in calls], ["default_prerm"])
        for path in installed:
            (self.router.root / path.lstrip("/")).unlink()
        calls = self.router.run(f"/usr/lib/opkg/info/{NAME}.postrm", "remove")
        self.assertEqual(calls, [["killall", "-HUP", "rpcd"]])
        self.assertEqual(self.router.caches(), [])
        self.assert_config_untouched()

    def test_apk_add_and_del(self):
        control, data = apk_streams(self.apk)
        self.router.unpack({e["name"]: e for e in data})
        scripts = self.router.root / "lib/apk/scripts"
        scripts.mkdir(parents=True)
        for e in control[1:]:
            (scripts / e["name"]).write_bytes(e["data"])
        calls = self.router.run("/lib/apk/scripts/.post-install")
        self.assertEqual([c[0] for c in calls[:2]], ["add_group_and_user", "default_postinst"])
        self.assertIn(f"pkgname={NAME}", calls[1])
        self.assertEqual(calls[2:], [["killall", "-HUP", "rpcd"]])
        self.assertEqual(self.router.caches(), ["tmp/luci-indexcache.a1b2"])
        self.assert_config_untouched()

        (self.router.root / "tmp/luci-indexcache").write_text("cached")
        calls = self.router.run("/lib/apk/scripts/.pre-deinstall")
        self.assertEqual([c[0] for c in calls], ["default_prerm"])
        calls = self.router.run("/lib/apk/scripts/.post-deinstall")
        self.assertEqual(calls, [["killall", "-HUP", "rpcd"]])
        self.assertEqual(self.router.caches(), [])
        self.assert_config_untouched()

    def test_image_build_touches_nothing_live(self):
        # In an image build ($IPKG_INSTROOT set) there is no rpcd to reload.
        members = ipk_members(self.ipk)
        self.router.unpack(members["./data.tar.gz"])
        postinst_pkg = self.router.root / "postinst-pkg"
        postinst_pkg.write_bytes(members["./control.tar.gz"]["./postinst-pkg"]["data"])
        calls = self.router.run("/postinst-pkg", env={"IPKG_INSTROOT": "/"})
        self.assertEqual(calls, [])
        self.assertIn("tmp/luci-indexcache", self.router.caches())


class FeedsCarryTheAppTest(unittest.TestCase):
    """The opkg feed and the apk repository put the one LuCI package in
    every pkgarch's index."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        pkgs = cls.tmp / "openwrt"
        stub = openwrt_pkg.make_package
        for pkgarch in ("mipsel_24kc", "aarch64_cortex-a53"):
            binary = cls.tmp / "bin"
            binary.write_bytes(b"\x7fELF stand-in")
            pkg = stub(binary, pkgarch, "nojs", epoch=1700000000, check_arch=False)
            openwrt_pkg.build(pkg, pkgs / pkgarch, ["ipk", "apk"])
        luci = openwrt_pkg.make_luci_package(epoch=1700000000)
        cls.luci = openwrt_pkg.build(luci, pkgs / "all", ["ipk", "apk"])
        key = cls.tmp / "feed.sec"
        subprocess.run(["signify-openbsd", "-G", "-n", "-p", str(cls.tmp / "feed.pub"), "-s", str(key)], check=True)
        subprocess.run(["sh", str(ROOT / "packaging/opkg-feed.sh"), "--ipk-dir", str(pkgs), "--key", str(key),
                        "--outdir", str(cls.tmp / "feed")], check=True, capture_output=True)
        rsa = cls.tmp / "repo.rsa"
        subprocess.run(["openssl", "genrsa", "-out", str(rsa), "2048"], check=True, capture_output=True)
        subprocess.run(["sh", str(ROOT / "packaging/apk-repo.sh"), "--apk-dir", str(pkgs), "--key", str(rsa),
                        "--outdir", str(cls.tmp / "repo")], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_opkg_feed(self):
        ipk = next(p for p in self.luci if p.suffix == ".ipk")
        self.assertEqual(sorted(p.name for p in (self.tmp / "feed").iterdir()),
                         ["aarch64_cortex-a53", "mipsel_24kc", "smarthub-exporter-feed.pub"])
        for pkgarch in ("mipsel_24kc", "aarch64_cortex-a53"):
            self.assertEqual((self.tmp / "feed" / pkgarch / ipk.name).read_bytes(), ipk.read_bytes())
            index = (self.tmp / "feed" / pkgarch / "Packages").read_text()
            entry = next(b for b in index.split("\n\n") if b.startswith(f"Package: {NAME}\n"))
            self.assertIn("Architecture: all\n", entry)
            self.assertIn(f"Filename: {ipk.name}\n", entry)
            self.assertIn(f"SHA256sum: {hashlib.sha256(ipk.read_bytes()).hexdigest()}\n", entry)
            self.assertIn("Depends: libc, luci-base, smarthub-exporter\n", entry)

    def test_apk_repository(self):
        apk = next(p for p in self.luci if p.suffix == ".apk")
        for pkgarch in ("mipsel_24kc", "aarch64_cortex-a53"):
            self.assertEqual((self.tmp / "repo" / pkgarch / apk.name).read_bytes(), apk.read_bytes())
            (_, _), (_, index_tar) = gzip_members((self.tmp / "repo" / pkgarch / "APKINDEX.tar.gz").read_bytes())
            with tarfile.open(fileobj=io.BytesIO(index_tar)) as tf:
                index = tf.extractfile("APKINDEX").read().decode()
            entry = next(b for b in index.split("\n\n") if f"\nP:{NAME}\n" in "\n" + b + "\n")
            self.assertIn("\nA:noarch\n", "\n" + entry + "\n")
            self.assertIn("\nD:libc luci-base smarthub-exporter\n", "\n" + entry + "\n")


class BuildAllMakesTheAppTest(unittest.TestCase):
    def test_openwrt_packages_sh_makes_it_beside_the_binaries_packages(self):
        from test_openwrt_packages import elf_stub
        tmp = Path(tempfile.mkdtemp())
        try:
            for target, elf in openwrt_pkg.TARGET_ELF.items():
                (tmp / "bin" / target).mkdir(parents=True)
                for name in ("smarthub-exporter", "smarthub-exporter-nojs"):
                    (tmp / "bin" / target / name).write_bytes(elf_stub(*elf))
            r = subprocess.run(["sh", str(ROOT / "packaging/openwrt-packages.sh"), "--strict", "--bin-dir",
                                str(tmp / "bin"), "--outdir", str(tmp / "out")], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            version = openwrt_pkg.cargo_version()
            self.assertEqual(sorted(p.name for p in (tmp / "out" / "all").iterdir()),
                             [f"{NAME}-{version}-r1.apk", f"{NAME}_{version}-r1_all.ipk"])
            sums = (tmp / "out" / "sha256sums").read_text()
            self.assertIn(f"  all/{NAME}_{version}-r1_all.ipk\n", sums)
            self.assertIn(f"  all/{NAME}-{version}-r1.apk\n", sums)
        finally:
            shutil.rmtree(tmp)

    def test_app_tree_is_what_is_packed(self):
        # Everything under htdocs/ and root/ is packed, nothing else.
        on_disk = {p.relative_to(APP / top).as_posix() for top in ("htdocs", "root")
                   for p in (APP / top).rglob("*") if p.is_file()}
        packed = {p.removeprefix("www/") for p in openwrt_pkg.luci_files()}
        self.assertEqual(on_disk, packed)


if __name__ == "__main__":
    unittest.main()
