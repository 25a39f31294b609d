"""The Raspberry Pi path: systemd unit, /etc/default file and the .deb."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, UNIT, binary, openwrt_pkg

DEFAULT = ROOT / "packaging" / "systemd" / "smarthub-exporter.default"
# Every flag of the exporter's command line.
FLAGS_WITH_VALUE = {"--host", "--listen", "--timeout", "--no-collector", "--cache-ttl", "--poll", "--log-level"}
FLAGS = FLAGS_WITH_VALUE | {"--no-lan", "--version", "--help"}
# Exposure score (x10) that `systemd-analyze security` must not exceed;
# the unit scores 1.0-1.2, the stock unit of a service 9.6.
MAX_EXPOSURE = 15


def unit_directives(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split("=", 1)) for line in text.splitlines()
            if line and not line.startswith(("#", "[")) and "=" in line]


class SystemdUnitTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def local_unit(self, text: str | None = None) -> Path:
        """The unit with ExecStart pointing at a real binary, as
        systemd-analyze verify checks that the program exists."""
        text = UNIT.read_text() if text is None else text
        path = self.tmp / "smarthub-exporter.service"
        path.write_text(text.replace("/usr/bin/smarthub-exporter", str(binary())))
        return path

    def test_verify(self):
        r = subprocess.run(["systemd-analyze", "verify", str(self.local_unit())],
                           capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))

    def test_verify_catches_a_broken_unit(self):
        broken = UNIT.read_text().replace("Restart=on-failure", "Restart=sometimes")
        r = subprocess.run(["systemd-analyze", "verify", str(self.local_unit(broken))],
                           capture_output=True, text=True)
        self.assertNotEqual(r.stderr, "")

    def test_security_exposure(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--threshold={MAX_EXPOSURE}",
                            str(self.local_unit())], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout[-600:] + r.stderr)
        # The same check fails a unit stripped of its hardening.
        bare = "\n".join(line for line in UNIT.read_text().splitlines()
                         if not re.match(r"(Protect|Private|Restrict|System|Capability|Lock|Memory|"
                                         r"NoNew|Dynamic|Remove|Device|UMask|Ambient|ProcSubset)", line))
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--threshold={MAX_EXPOSURE}",
                            str(self.local_unit(bare))], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)

    def test_required_directives(self):
        directives = unit_directives(UNIT.read_text())
        for required in (
            ("DynamicUser", "yes"), ("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"),
            ("CapabilityBoundingSet", ""), ("AmbientCapabilities", ""),
            ("Restart", "on-failure"), ("EnvironmentFile", "-/etc/default/smarthub-exporter"),
            ("ExecStart", "/usr/bin/smarthub-exporter $SMARTHUB_EXPORTER_ARGS"),
            ("WantedBy", "multi-user.target"),
        ):
            self.assertIn(required, directives)

    def test_default_file(self):
        values = {}
        for line in DEFAULT.read_text().splitlines():
            if line and not line.startswith("#"):
                key, value = line.split("=", 1)
                values[key] = shlex.split(value)[0] if value else ""
        self.assertEqual(values["SMARTHUB_HOST"], "192.168.1.254")
        args = shlex.split(values["SMARTHUB_EXPORTER_ARGS"])
        self.assertEqual(args, ["--listen", "0.0.0.0:9101"])
        for i, arg in enumerate(args):
            if arg.startswith("--"):
                self.assertIn(arg, FLAGS)


class DebTest(unittest.TestCase):
    """packaging/deb.sh with cargo-deb (packaging/test.sh installs it)."""

    @classmethod
    def setUpClass(cls):
        if shutil.which("cargo-deb") is None:
            raise AssertionError("cargo-deb is missing: cargo install cargo-deb --locked")
        cls.tmp = Path(tempfile.mkdtemp())
        specs = [f"{t}={binary()}" for t in ("aarch64-unknown-linux-musl", "x86_64-unknown-linux-musl")]
        r = subprocess.run(["sh", str(ROOT / "packaging" / "deb.sh"), *specs],
                           env={**os.environ, "DEB_OUTDIR": str(cls.tmp)}, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(r.stderr)
        version = openwrt_pkg.cargo_version()
        cls.debs = {arch: cls.tmp / f"smarthub-exporter_{version}-1_{arch}.deb" for arch in ("arm64", "amd64")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def dpkg_deb(self, *args: str) -> str:
        return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, check=True).stdout

    def test_control_fields(self):
        for arch, deb in self.debs.items():
            self.assertTrue(deb.is_file(), deb)
            fields = dict(line.split(": ", 1) for line in self.dpkg_deb("-f", str(deb)).splitlines()
                          if not line.startswith(" ") and ": " in line)
            self.assertEqual(fields["Package"], "smarthub-exporter")
            self.assertEqual(fields["Architecture"], arch)
            self.assertEqual(fields["Version"], f"{openwrt_pkg.cargo_version()}-1")
            self.assertEqual(fields["Depends"], "init-system-helpers (>= 1.65)")
            self.assertEqual(fields["Maintainer"], "smarthub-exporter developers <smarthub-exporter@users.noreply.github.com>")
            for line in self.dpkg_deb("-f", str(deb)).splitlines():
                self.assertNotRegex(line, r"^[A-Za-z-]+:\s*$", "empty control field")

    def test_contents(self):
        listing = self.dpkg_deb("-c", str(self.debs["arm64"]))
        entries = {}
        for line in listing.splitlines():
            perms, owner, _size, _date, _time, path = line.split(None, 5)
            entries[path] = (perms, owner)
        self.assertEqual(entries["./usr/bin/smarthub-exporter"], ("-rwxr-xr-x", "root/root"))
        self.assertEqual(entries["./etc/default/smarthub-exporter"], ("-rw-r--r--", "root/root"))
        units = [p for p in entries if p.endswith("/systemd/system/smarthub-exporter.service")]
        self.assertEqual(len(units), 1)

    def test_payload_is_ours(self):
        out = self.tmp / "x"
        subprocess.run(["dpkg-deb", "-x", str(self.debs["amd64"]), str(out)], check=True)
        self.assertEqual((out / "usr/bin/smarthub-exporter").read_bytes(), binary().read_bytes())
        self.assertEqual((out / "etc/default/smarthub-exporter").read_bytes(), DEFAULT.read_bytes())
        unit = next(out.rglob("smarthub-exporter.service"))
        self.assertEqual(unit.read_bytes(), UNIT.read_bytes())

    def test_maintainer_scripts_enable_start_stop(self):
        ctl = self.tmp / "ctl"
        subprocess.run(["dpkg-deb", "-e", str(self.debs["arm64"]), str(ctl)], check=True)
        self.assertEqual((ctl / "conffiles").read_text().split(), ["/etc/default/smarthub-exporter"])
        # md5sums: every file but the conffile (dpkg records that one itself).
        sums = dict(reversed(line.split("  ", 1)) for line in (ctl / "md5sums").read_text().splitlines())
        self.assertEqual(sorted(sums), [
            "usr/bin/smarthub-exporter", "usr/lib/systemd/system/smarthub-exporter.service",
            "usr/share/doc/smarthub-exporter/changelog.Debian.gz", "usr/share/doc/smarthub-exporter/copyright",
            "usr/share/lintian/overrides/smarthub-exporter"])
        self.assertEqual(sums["usr/bin/smarthub-exporter"], hashlib.md5(binary().read_bytes()).hexdigest())
        postinst = (ctl / "postinst").read_text()
        self.assertIn("deb-systemd-helper enable smarthub-exporter.service", postinst)
        self.assertRegex(postinst, r"deb-systemd-invoke \$_dh_action smarthub-exporter.service")
        self.assertIn("_dh_action=start", postinst)
        self.assertIn("deb-systemd-invoke stop smarthub-exporter.service", (ctl / "prerm").read_text())
        self.assertIn("deb-systemd-helper purge smarthub-exporter.service", (ctl / "postrm").read_text())
        for script in ("postinst", "prerm", "postrm"):
            self.assertTrue(os.access(ctl / script, os.X_OK), script)


if __name__ == "__main__":
    unittest.main()
