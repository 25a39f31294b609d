"""Structure and fields of the SDK-free .ipk and .apk packages."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import tarfile
import tempfile
import unittest
from pathlib import Path

from _common import CONFIG, INIT, ROOT, STANDINS, binary, gzip_members, openwrt_pkg, parse_record

NAME = "smarthub-exporter"
CONFFILE = "/etc/config/smarthub-exporter"


def raw_tar(data: bytes) -> tuple[list[dict], bool]:
    """Read tar headers byte by byte, as opkg and apk-tools do, rather than
    trusting Python's tarfile to be as lenient as they are strict.
    Returns the entries (a PAX header's records attached to the entry it
    precedes) and whether the archive ended with end-of-archive blocks."""
    entries, off, pax = [], 0, {}
    while off + 512 <= len(data):
        hdr = data[off:off + 512]
        if hdr == bytes(512):
            if any(data[off:]):
                raise AssertionError("data after the end-of-archive block")
            return entries, True
        stored = int(hdr[148:156].strip(b"\0 "), 8)
        if stored != sum(hdr[:148]) + 8 * 32 + sum(hdr[156:]):
            raise AssertionError(f"bad header checksum at offset {off}")
        size = int(hdr[124:136].strip(b"\0 "), 8)
        body = data[off + 512:off + 512 + size]
        off += 512 + (size + 511) // 512 * 512
        typeflag = hdr[156:157]
        if typeflag == b"x":
            pax = parse_pax(body)
            continue
        entries.append({
            "name": hdr[:100].rstrip(b"\0").decode(),
            "type": typeflag,
            "mode": int(hdr[100:108].strip(b"\0 "), 8),
            "uid": int(hdr[108:116].strip(b"\0 "), 8),
            "gid": int(hdr[116:124].strip(b"\0 "), 8),
            "magic": hdr[257:265],
            "data": body,
            "pax": pax,
        })
        pax = {}
    if off != len(data):
        raise AssertionError("archive ends inside a record")
    return entries, False


def parse_pax(body: bytes) -> dict[str, str]:
    records, rest = {}, body
    while rest:
        length = int(rest.split(b" ", 1)[0])
        record, rest = rest[:length], rest[length:]
        key, value = record.split(b" ", 1)[1].rstrip(b"\n").split(b"=", 1)
        records[key.decode()] = value.decode()
    return records


def parse_control(text: str) -> dict[str, str]:
    """Fields of a control file; only Description continues on further
    lines (each starting with a space, as the SDK writes it), and its value
    is returned as those lines joined with newlines, leading space kept."""
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if line.startswith(" "):
            if last != "Description":
                raise AssertionError(f"continuation line after {last}: {line!r}")
            fields[last] += "\n" + line
            continue
        m = re.fullmatch(r"([A-Za-z][A-Za-z0-9-]*): (\S.*)", line)
        if not m and line.startswith("Description:  "):
            m = re.fullmatch(r"(Description): ( \S.*)", line)
        if not m:
            raise AssertionError(f"malformed or empty control line {line!r}")
        if m[1] in fields:
            raise AssertionError(f"field {m[1]} twice")
        if last == "Description":
            raise AssertionError("Description must be the last field")
        fields[m[1]] = m[2]
        last = m[1]
    return fields


def elf_stub(ei_class: int, ei_data: int, machine: int, interp: bool = False) -> bytes:
    """The smallest file openwrt_pkg's ELF check reads as a binary of that
    machine: an ELF header, and a PT_INTERP program header if `interp`
    (a dynamically linked binary), else none (a static one)."""
    end = "<" if ei_data == 1 else ">"
    ident = b"\x7fELF" + bytes([ei_class, ei_data, 1]) + bytes(9)
    phnum = 1 if interp else 0
    if ei_class == 1:
        header = struct.pack(end + "HHIIIIIHHHHHH", 2, machine, 1, 0, 52, 0, 0, 52, 32, phnum, 40, 0, 0)
        phdr = struct.pack(end + "I", 3) + bytes(28)
    else:
        header = struct.pack(end + "HHIQQQIHHHHHH", 2, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
        phdr = struct.pack(end + "I", 3) + bytes(52)
    return ident + header + (phdr if interp else b"")


def run_script(script: bytes, *args: str, env: dict[str, str] | None = None,
               name: str = "script") -> tuple[int, list[list[str]]]:
    """Run a maintainer script against the /lib/functions.sh stand-in."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(script)
        record = Path(tmp) / "record"
        full_env = {"PATH": os.environ["PATH"], "IPKG_INSTROOT": str(STANDINS), "RECORD": str(record)}
        full_env.update(env or {})
        rc = subprocess.run(["sh", str(path), *args], env=full_env).returncode
        return rc, parse_record(record)


class IpkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        cls.bin = binary()
        js = openwrt_pkg.make_package(cls.bin, "x86_64", "js", epoch=1700000000, allow_dynamic=True)
        cls.ipk = openwrt_pkg.build_ipk(js, cls.tmp)
        # Any pkgarch string must come through exactly; the ELF check is
        # tested separately, so this one packages the native binary.
        nojs = openwrt_pkg.make_package(cls.bin, "arm_cortex-a7_neon-vfpv4", "nojs",
                                        epoch=1700000000, check_arch=False)
        cls.nojs_ipk = openwrt_pkg.build_ipk(nojs, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def outer(self, path: Path) -> list[dict]:
        data = path.read_bytes()
        self.assertEqual(data[:2], b"\x1f\x8b", "an .ipk must be gzip'd")
        self.assertNotEqual(data[:8], b"!<arch>\n")
        members = gzip_members(data)
        self.assertEqual(len(members), 1)
        entries, eof = raw_tar(members[0][1])
        self.assertTrue(eof)
        return entries

    def inner(self, path: Path, name: str) -> list[dict]:
        blob = {e["name"]: e["data"] for e in self.outer(path)}[name]
        self.assertEqual(blob[:2], b"\x1f\x8b", f"{name} must be gzip'd")
        entries, eof = raw_tar(gzip.decompress(blob))
        self.assertTrue(eof)
        return entries

    def control(self, path: Path) -> dict[str, str]:
        entries = {e["name"]: e for e in self.inner(path, "./control.tar.gz")}
        return parse_control(entries["./control"]["data"].decode())

    def test_file_name(self):
        self.assertEqual(self.ipk.name, "smarthub-exporter_0.1.0-r1_x86_64.ipk".replace(
            "0.1.0", openwrt_pkg.cargo_version()))
        self.assertTrue(self.nojs_ipk.name.endswith("_arm_cortex-a7_neon-vfpv4.ipk"))

    def test_outer_members_and_order(self):
        entries = self.outer(self.ipk)
        self.assertEqual([e["name"] for e in entries],
                         ["./debian-binary", "./control.tar.gz", "./data.tar.gz"])
        self.assertTrue(all(e["type"] == b"0" for e in entries))
        self.assertEqual(entries[0]["data"], b"2.0\n")

    def test_control_members_and_modes(self):
        entries = self.inner(self.ipk, "./control.tar.gz")
        modes = {e["name"]: e["mode"] for e in entries}
        self.assertEqual(modes, {"./": 0o755, "./conffiles": 0o644, "./control": 0o644,
                                 "./postinst": 0o755, "./prerm": 0o755})
        self.assertTrue(all(e["uid"] == 0 and e["gid"] == 0 for e in entries))
        by_name = {e["name"]: e["data"] for e in entries}
        self.assertEqual(by_name["./conffiles"], f"{CONFFILE}\n".encode())
        for script in ("./postinst", "./prerm"):
            self.assertTrue(by_name[script].startswith(b"#!/bin/sh\n"))

    def test_control_fields(self):
        fields = self.control(self.ipk)
        self.assertEqual(fields["Package"], NAME)
        self.assertRegex(fields["Version"], r"^\d+\.\d+\.\d+-r1$")
        self.assertEqual(fields["Architecture"], "x86_64")
        self.assertEqual(fields["Require-User"], "smarthub-exporter:smarthub-exporter")
        self.assertGreater(int(fields["Installed-Size"]), self.bin.stat().st_size)
        self.assertIn("Description", fields)
        # A static binary needs nothing; an empty Depends: line would crash opkg.
        for absent in ("Depends", "Provides", "Conflicts"):
            self.assertNotIn(absent, fields)

    def test_description_is_the_makefiles_as_the_sdk_writes_it(self):
        for path, name in ((self.ipk, NAME), (self.nojs_ipk, "smarthub-exporter-nojs")):
            lines = openwrt_pkg.makefile_description(name)
            self.assertGreater(len(lines), 2)
            self.assertEqual(self.control(path)["Description"], "\n".join(" " + line for line in lines))
        self.assertNotEqual(self.control(self.ipk)["Description"], self.control(self.nojs_ipk)["Description"])
        self.assertIn("-nojs", self.control(self.nojs_ipk)["Description"])

    def test_maintainer_and_licence_files(self):
        fields = self.control(self.ipk)
        self.assertEqual(fields["Maintainer"], openwrt_pkg.MAINTAINER)
        self.assertEqual(fields["LicenseFiles"], "LICENSE-APACHE LICENSE-MIT")

    def test_nojs_control_fields(self):
        fields = self.control(self.nojs_ipk)
        self.assertEqual(fields["Package"], "smarthub-exporter-nojs")
        self.assertEqual(fields["Architecture"], "arm_cortex-a7_neon-vfpv4")
        self.assertEqual(fields["Provides"], NAME)
        self.assertEqual(fields["Conflicts"], NAME)
        self.assertNotIn("Depends", fields)

    def test_no_empty_field_anywhere(self):
        for path in (self.ipk, self.nojs_ipk):
            raw = {e["name"]: e["data"] for e in self.inner(path, "./control.tar.gz")}["./control"]
            for line in raw.decode().splitlines():
                self.assertRegex(line, r"^([A-Za-z-]+: \S|Description:  \S| \S| $)")

    def test_data_files(self):
        entries = self.inner(self.ipk, "./data.tar.gz")
        self.assertEqual([e["name"] for e in entries], [
            "./", "./etc/", "./etc/config/", "./etc/config/smarthub-exporter",
            "./etc/init.d/", "./etc/init.d/smarthub-exporter",
            "./usr/", "./usr/bin/", "./usr/bin/smarthub-exporter",
        ])
        self.assertTrue(all(e["uid"] == 0 and e["gid"] == 0 for e in entries))
        by_name = {e["name"]: e for e in entries}
        for d in ("./", "./etc/", "./etc/config/", "./etc/init.d/", "./usr/", "./usr/bin/"):
            self.assertEqual((by_name[d]["type"], by_name[d]["mode"]), (b"5", 0o755))
        expect = {
            "./usr/bin/smarthub-exporter": (0o755, self.bin.read_bytes()),
            "./etc/init.d/smarthub-exporter": (0o755, INIT.read_bytes()),
            "./etc/config/smarthub-exporter": (0o600, CONFIG.read_bytes()),
        }
        for name, (mode, content) in expect.items():
            self.assertEqual(by_name[name]["mode"], mode, name)
            self.assertEqual(by_name[name]["data"], content, name)

    def test_installed_size_is_data_tar_size(self):
        blob = {e["name"]: e["data"] for e in self.outer(self.ipk)}["./data.tar.gz"]
        self.assertEqual(int(self.control(self.ipk)["Installed-Size"]), len(gzip.decompress(blob)))

    def test_busybox_tar_reads_it(self):
        # OpenWrt's own tools are busybox; an independent reader of the layers.
        for path in (self.ipk, self.nojs_ipk):
            control_gz = subprocess.run(["busybox", "tar", "-xzOf", str(path), "./control.tar.gz"],
                                        capture_output=True, check=True).stdout
            control = subprocess.run(["busybox", "tar", "-xzOf", "-", "./control"],
                                     input=control_gz, capture_output=True, check=True).stdout
            self.assertIn(b"Architecture: ", control)
            data_gz = subprocess.run(["busybox", "tar", "-xzOf", str(path), "./data.tar.gz"],
                                     capture_output=True, check=True).stdout
            listing = subprocess.run(["busybox", "tar", "-tzf", "-"], input=data_gz,
                                     capture_output=True, check=True).stdout.decode().split()
            self.assertIn("./usr/bin/smarthub-exporter", listing)

    def test_reproducible(self):
        again = openwrt_pkg.build_ipk(
            openwrt_pkg.make_package(self.bin, "x86_64", "js", epoch=1700000000, allow_dynamic=True),
            self.tmp / "again")
        self.assertEqual(again.read_bytes(), self.ipk.read_bytes())

    def test_postinst_runs_default_postinst(self):
        script = {e["name"]: e["data"] for e in self.inner(self.ipk, "./control.tar.gz")}["./postinst"]
        rc, calls = run_script(script, "configure", name="smarthub-exporter.postinst")
        self.assertEqual(rc, 0)
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0][0], "default_postinst")
        self.assertTrue(calls[0][1].endswith("/smarthub-exporter.postinst"), calls[0])
        self.assertEqual(calls[0][2], "configure")
        rc, calls = run_script(script, env={"IPKG_NO_SCRIPT": "1"})
        self.assertEqual((rc, calls), (0, []))
        rc, calls = run_script(script, env={"IPKG_INSTROOT": "/nonexistent"})
        self.assertEqual((rc, calls), (0, []))

    def test_prerm_runs_default_prerm(self):
        script = {e["name"]: e["data"] for e in self.inner(self.ipk, "./control.tar.gz")}["./prerm"]
        rc, calls = run_script(script, "remove", name="smarthub-exporter.prerm")
        self.assertEqual(rc, 0)
        self.assertEqual([c[0] for c in calls], ["default_prerm"])
        self.assertTrue(calls[0][1].endswith("/smarthub-exporter.prerm"))


class ApkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        cls.bin = binary()
        cls.pkg = openwrt_pkg.make_package(cls.bin, "x86_64", "js", epoch=1700000000, allow_dynamic=True)
        cls.apk = openwrt_pkg.build_apk(cls.pkg, cls.tmp)
        nojs = openwrt_pkg.make_package(cls.bin, "mipsel_24kc", "nojs", epoch=1700000000,
                                        check_arch=False)
        cls.nojs_apk = openwrt_pkg.build_apk(nojs, cls.tmp / "nojs")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def segments(self, path: Path):
        members = gzip_members(path.read_bytes())
        self.assertEqual(len(members), 2, "unsigned v2 .apk: control stream + data stream")
        control, control_eof = raw_tar(members[0][1])
        data, data_eof = raw_tar(members[1][1])
        return members, control, control_eof, data, data_eof

    def pkginfo(self, path: Path) -> dict[str, str]:
        _, control, *_ = self.segments(path)
        text = control[0]["data"].decode()
        fields = {}
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            m = re.fullmatch(r"([a-z_]+) = (\S.*)", line)
            self.assertIsNotNone(m, f"malformed or empty .PKGINFO line {line!r}")
            self.assertNotIn(m[1], fields)
            fields[m[1]] = m[2]
        return fields

    def test_file_name(self):
        self.assertEqual(self.apk.name, f"{NAME}-{openwrt_pkg.cargo_version()}-r1.apk")

    def test_control_segment(self):
        _, control, control_eof, _, _ = self.segments(self.apk)
        # apk reads the control and data tars as one stream: end-of-archive
        # blocks in the control tar would end it before the data.
        self.assertFalse(control_eof)
        self.assertEqual([e["name"] for e in control],
                         [".PKGINFO", ".post-install", ".post-upgrade", ".pre-deinstall"])
        self.assertTrue(all(e["magic"].startswith(b"ustar") for e in control))
        self.assertEqual(control[0]["mode"], 0o644)
        for script in control[1:]:
            self.assertEqual(script["mode"], 0o755)
            self.assertTrue(script["data"].startswith(b"#!/bin/sh\n"))
            self.assertNotIn(b"@PKGNAME@", script["data"])

    def test_pkginfo_fields(self):
        fields = self.pkginfo(self.apk)
        self.assertEqual(fields["pkgname"], NAME)
        # apk's version grammar; "-1" (opkg style) would be rejected.
        self.assertRegex(fields["pkgver"], r"^\d+(\.\d+)*(_[a-z]+\d*)*-r\d+$")
        self.assertEqual(fields["arch"], "x86_64")
        self.assertEqual(fields["origin"], NAME)
        self.assertEqual(fields["builddate"], "1700000000")
        self.assertEqual(fields["provider_priority"], "100")
        for key in ("pkgdesc", "url", "license"):
            self.assertIn(key, fields)
        self.assertNotIn("depend", fields)
        self.assertNotIn("provides", fields)

    def test_pkgdesc_tells_the_variants_apart(self):
        # apk info shows pkgdesc: the SDK gives apk mkpkg the long description.
        js, nojs = self.pkginfo(self.apk)["pkgdesc"], self.pkginfo(self.nojs_apk)["pkgdesc"]
        self.assertEqual(js, " ".join(" ".join(openwrt_pkg.makefile_description(NAME)).split()))
        self.assertNotEqual(js, nojs)
        self.assertIn("no JavaScript engine", nojs)

    def test_nojs_pkginfo_fields(self):
        fields = self.pkginfo(self.nojs_apk)
        self.assertEqual(fields["pkgname"], "smarthub-exporter-nojs")
        self.assertEqual(fields["arch"], "mipsel_24kc")
        self.assertEqual(fields["provides"], f"{NAME}={fields['pkgver']}")
        self.assertNotIn("provider_priority", fields)
        self.assertNotIn("depend", fields)

    def test_datahash_is_sha256_of_compressed_data_stream(self):
        for path in (self.apk, self.nojs_apk):
            members, *_ = self.segments(path)
            self.assertEqual(self.pkginfo(path)["datahash"], hashlib.sha256(members[1][0]).hexdigest())

    def test_data_checksums_and_layout(self):
        _, _, _, data, data_eof = self.segments(self.apk)
        self.assertTrue(data_eof)
        files = {e["name"]: e for e in data if e["type"] == b"0"}
        dirs = {e["name"].rstrip("/") for e in data if e["type"] == b"5"}
        self.assertEqual(set(files), {
            "usr/bin/smarthub-exporter", "etc/init.d/smarthub-exporter",
            "etc/config/smarthub-exporter",
            "lib/apk/packages/smarthub-exporter.list",
            "lib/apk/packages/smarthub-exporter.rusers",
            "lib/apk/packages/smarthub-exporter.conffiles",
            "lib/apk/packages/smarthub-exporter.conffiles_static",
        })
        self.assertEqual(dirs, {"etc", "etc/config", "etc/init.d", "lib", "lib/apk",
                                "lib/apk/packages", "usr", "usr/bin"})
        for name, e in files.items():
            self.assertFalse(name.startswith(("/", "./")))
            self.assertEqual(e["pax"].get("APK-TOOLS.checksum.SHA1"),
                             hashlib.sha1(e["data"]).hexdigest(), name)
            self.assertEqual((e["uid"], e["gid"]), (0, 0))
        self.assertEqual(files["usr/bin/smarthub-exporter"]["data"], self.bin.read_bytes())
        self.assertEqual(files["usr/bin/smarthub-exporter"]["mode"], 0o755)
        self.assertEqual(files["etc/init.d/smarthub-exporter"]["data"], INIT.read_bytes())
        self.assertEqual(files["etc/init.d/smarthub-exporter"]["mode"], 0o755)
        self.assertEqual(files["etc/config/smarthub-exporter"]["data"], CONFIG.read_bytes())
        self.assertEqual(files["etc/config/smarthub-exporter"]["mode"], 0o600)
        self.assertEqual(int(self.pkginfo(self.apk)["size"]), sum(len(e["data"]) for e in files.values()))

    def test_openwrt_metadata_files(self):
        _, _, _, data, _ = self.segments(self.apk)
        files = {e["name"]: e["data"].decode() for e in data
                 if e["type"] == b"0" and e["name"].startswith("lib/apk/")}
        meta = "lib/apk/packages/smarthub-exporter"
        self.assertEqual(files[f"{meta}.rusers"], "smarthub-exporter:smarthub-exporter\n")
        self.assertEqual(files[f"{meta}.conffiles"], f"{CONFFILE}\n")
        self.assertEqual(files[f"{meta}.conffiles_static"],
                         f"{CONFFILE} {hashlib.sha256(CONFIG.read_bytes()).hexdigest()}\n")
        # default_postinst/default_prerm find the init script through .list.
        listed = files[f"{meta}.list"].splitlines()
        self.assertEqual(listed, sorted(listed))
        self.assertIn("/etc/init.d/smarthub-exporter", listed)
        self.assertIn("/usr/bin/smarthub-exporter", listed)
        self.assertIn(CONFFILE, listed)

    def test_read_as_one_stream(self):
        # What apk-tools does: gunzip across stream boundaries, one tar parse.
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(self.apk.read_bytes()))) as tf:
            names = tf.getnames()
        self.assertEqual(names[0], ".PKGINFO")
        self.assertIn("usr/bin/smarthub-exporter", names)

    def test_scripts(self):
        _, control, *_ = self.segments(self.apk)
        scripts = {e["name"]: e["data"] for e in control}
        rc, calls = run_script(scripts[".post-install"])
        self.assertEqual(rc, 0)
        self.assertEqual([c[0] for c in calls], ["add_group_and_user", "default_postinst"])
        self.assertIn("pkgname=smarthub-exporter", calls[1])
        self.assertIn(f"root={STANDINS}", calls[1])
        self.assertIn("PKG_UPGRADE=<unset>", calls[1])
        rc, calls = run_script(scripts[".post-upgrade"])
        self.assertEqual(rc, 0)
        self.assertEqual([c[0] for c in calls], ["add_group_and_user", "default_postinst"])
        self.assertIn("PKG_UPGRADE=1", calls[1])
        rc, calls = run_script(scripts[".pre-deinstall"])
        self.assertEqual(rc, 0)
        self.assertEqual([c[0] for c in calls], ["default_prerm"])
        self.assertIn("pkgname=smarthub-exporter", calls[0])
        rc, calls = run_script(scripts[".post-install"], env={"IPKG_NO_SCRIPT": "1"})
        self.assertEqual((rc, calls), (0, []))

    def test_nojs_scripts_name_their_package(self):
        _, control, *_ = self.segments(self.nojs_apk)
        scripts = {e["name"]: e["data"] for e in control}
        _, calls = run_script(scripts[".pre-deinstall"])
        self.assertIn("pkgname=smarthub-exporter-nojs", calls[0])

    def test_reproducible(self):
        again = openwrt_pkg.build_apk(self.pkg, self.tmp / "again")
        self.assertEqual(again.read_bytes(), self.apk.read_bytes())


class BuildAllTest(unittest.TestCase):
    """packaging/openwrt-packages.sh over a dist/bin of stand-in binaries."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.bin_dir = self.tmp / "bin"
        for target, elf in openwrt_pkg.TARGET_ELF.items():
            (self.bin_dir / target).mkdir(parents=True)
            for name in (NAME, f"{NAME}-nojs"):
                (self.bin_dir / target / name).write_bytes(elf_stub(*elf))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_all(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["sh", str(ROOT / "packaging" / "openwrt-packages.sh"),
             "--bin-dir", str(self.bin_dir), "--outdir", str(self.tmp / "out"), *args],
            capture_output=True, text=True)

    def test_every_pkgarch_both_variants_both_formats(self):
        r = self.run_all("--strict")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.tmp / "out"
        version = openwrt_pkg.cargo_version()
        for pkgarch in openwrt_pkg.PKGARCH_TARGETS:
            self.assertEqual(sorted(p.name for p in (out / pkgarch).iterdir()), sorted([
                f"{NAME}_{version}-r1_{pkgarch}.ipk",
                f"{NAME}-nojs_{version}-r1_{pkgarch}.ipk",
                f"{NAME}-{version}-r1.apk",
                f"{NAME}-nojs-{version}-r1.apk",
            ]))
        sums = (out / "sha256sums").read_text().splitlines()
        # And the LuCI app's two, under all/ (test_luci_package.py).
        self.assertEqual(len(sums), 4 * len(openwrt_pkg.PKGARCH_TARGETS) + 2)
        for line in sums:
            digest, rel = line.split("  ")
            self.assertEqual(hashlib.sha256((out / rel).read_bytes()).hexdigest(), digest)

    def test_required_pkgarches_map_to_their_targets(self):
        want = {
            "mipsel_24kc": "mipsel-unknown-linux-musl",
            "mips_24kc": "mips-unknown-linux-musl",
            "aarch64_cortex-a53": "aarch64-unknown-linux-musl",
            "aarch64_generic": "aarch64-unknown-linux-musl",
            "aarch64_cortex-a72": "aarch64-unknown-linux-musl",
            "arm_cortex-a7_neon-vfpv4": "armv7-unknown-linux-musleabihf",
            "arm_cortex-a9_vfpv3-d16": "armv7-unknown-linux-musleabihf",
            "arm_cortex-a15_neon-vfpv4": "armv7-unknown-linux-musleabihf",
            "x86_64": "x86_64-unknown-linux-musl",
        }
        for pkgarch, target in want.items():
            self.assertEqual(openwrt_pkg.PKGARCH_TARGETS[pkgarch], target)
        # bcm53xx's soft-float arm_cortex-a9 must not get the hard-float binary.
        self.assertNotIn("arm_cortex-a9", openwrt_pkg.PKGARCH_TARGETS)

    def test_strict_fails_on_a_missing_binary(self):
        (self.bin_dir / "mips-unknown-linux-musl" / f"{NAME}-nojs").unlink()
        r = self.run_all("--strict")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("mips-unknown-linux-musl", r.stderr)
        self.assertEqual(self.run_all().returncode, 0, "without --strict, the rest is built")

    def test_wrong_architecture_is_refused(self):
        # A little-endian MIPS binary where big-endian MIPS belongs.
        (self.bin_dir / "mips-unknown-linux-musl" / NAME).write_bytes(elf_stub(1, 1, 8))
        r = self.run_all()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("mips-unknown-linux-musl needs", r.stderr)

    def test_dynamic_binary_is_refused(self):
        (self.bin_dir / "aarch64-unknown-linux-musl" / NAME).write_bytes(elf_stub(2, 1, 183, interp=True))
        r = self.run_all()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("dynamically linked", r.stderr)

    def test_no_binaries_is_an_error(self):
        shutil.rmtree(self.bin_dir)
        self.bin_dir.mkdir()
        r = self.run_all()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no binaries", r.stderr)


if __name__ == "__main__":
    unittest.main()
