"""The .deb files packaging/dist.sh ships (dist/deb/, built from the static
musl binaries): lintian's verdict, and dpkg installing, verifying and
removing the amd64 one in a root of its own.

The root is an empty dpkg database plus a /bin/sh (this machine's dash and
the libraries it loads), as dpkg chroots there to run the maintainer
scripts. It has no init-system-helpers (a Perl program), so the install
forces that dependency, and the scripts find neither deb-systemd-helper nor
a running systemd: what they do with those is checked in
test_systemd_deb.py, and systemd-analyze checks the unit."""

from __future__ import annotations

import os
import re
import stat
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, openwrt_pkg

DIST = ROOT / "dist"
OVERRIDES = ROOT / "packaging" / "debian" / "lintian-overrides"
CHANGELOG = ROOT / "packaging" / "debian" / "changelog"
BINARIES = {"amd64": "x86_64-unknown-linux-musl", "arm64": "aarch64-unknown-linux-musl"}
VERSION = f"{openwrt_pkg.cargo_version()}-1"
CONFFILE = "etc/default/smarthub-exporter"


def deb(arch: str) -> Path:
    path = DIST / "deb" / f"smarthub-exporter_{VERSION}_{arch}.deb"
    if not path.is_file():
        raise AssertionError(f"no {path.relative_to(ROOT)}: run packaging/dist.sh")
    return path


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, **{"text": True, **kw})


class LintianTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("lintian") is None:
            raise AssertionError("lintian is missing: apt-get install lintian")
        # One run per package (lintian takes ~20 s to start): the tags at its
        # default levels (error, warning), and the overrides that applied.
        cls.output = {}
        for arch in BINARIES:
            r = run("lintian", "--show-overrides", "--fail-on", "none", str(deb(arch)))
            if r.returncode != 0:
                raise AssertionError(r.stdout + r.stderr)
            cls.output[arch] = r.stdout.splitlines()

    def test_clean_at_error_and_warning(self):
        for arch, lines in self.output.items():
            self.assertEqual([line for line in lines if re.match(r"[EW]: ", line)], [], arch)

    def test_every_override_is_used(self):
        """Each override in packaging/debian/lintian-overrides silences a tag
        lintian raises (a stale one would hide nothing and mislead)."""
        wanted = sorted(line for line in OVERRIDES.read_text().splitlines() if line and not line.startswith("#"))
        for arch, lines in self.output.items():
            self.assertEqual(sorted(line[3:] for line in lines if line.startswith("O: ")), wanted, arch)

    def test_changelog_is_this_version(self):
        first = CHANGELOG.read_text().splitlines()[0]
        self.assertRegex(first, r"^smarthub-exporter \(([^)]+)\) \S+; urgency=\w+$")
        self.assertEqual(re.search(r"\(([^)]+)\)", first)[1], VERSION)

    def test_payload_is_the_cross_built_binary(self):
        for arch, target in BINARIES.items():
            data = run("dpkg-deb", "--fsys-tarfile", str(deb(arch)), text=False, check=True).stdout
            out = Path(tempfile.mkdtemp())
            try:
                subprocess.run(["tar", "-x", "-C", str(out), "./usr/bin/smarthub-exporter"], input=data, check=True)
                self.assertEqual((out / "usr/bin/smarthub-exporter").read_bytes(),
                                 (DIST / "bin" / target / "smarthub-exporter").read_bytes(), arch)
            finally:
                shutil.rmtree(out)


class DpkgTest(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="smarthub-dpkg-"))
        admin = self.root / "var/lib/dpkg"
        for d in ("info", "updates", "triggers", "alternatives"):
            (admin / d).mkdir(parents=True)
        for f in ("status", "available"):
            (admin / f).touch()
        # /bin/sh for the maintainer scripts, with what the dynamic loader needs.
        dash = Path("/bin/dash").resolve()
        libs = re.findall(r"(/\S+\.so[.\d]*)", run("ldd", str(dash), check=True).stdout)
        for path in [str(dash), *libs]:
            dest = self.root / path.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        (self.root / "bin").mkdir(exist_ok=True)
        if not (self.root / "bin/sh").exists():
            (self.root / "bin/sh").symlink_to(dash)
        (self.root / "tmp").mkdir()
        (self.root / "dev").mkdir()
        os.mknod(self.root / "dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))

    def tearDown(self):
        shutil.rmtree(self.root)

    def dpkg(self, *args: str) -> subprocess.CompletedProcess:
        return run("dpkg", f"--root={self.root}", "--force-depends", *args)

    def status(self) -> str:
        r = self.dpkg("--status", "smarthub-exporter")
        return next((line for line in r.stdout.splitlines() if line.startswith("Status: ")), "")

    def test_install_verify_remove_purge(self):
        r = self.dpkg("--install", str(deb("amd64")))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # What the scripts could not do here is only what this root lacks.
        script_errors = [line for line in r.stderr.splitlines() if "postinst:" in line]
        self.assertTrue(all(line.endswith("deb-systemd-helper: not found") for line in script_errors), r.stderr)
        # "installed" only once postinst has exited 0.
        self.assertEqual(self.status(), "Status: install ok installed")
        binary = self.root / "usr/bin/smarthub-exporter"
        self.assertEqual(binary.read_bytes(), (DIST / "bin/x86_64-unknown-linux-musl/smarthub-exporter").read_bytes())
        listed = self.dpkg("--listfiles", "smarthub-exporter").stdout.split()
        self.assertIn("/usr/lib/systemd/system/smarthub-exporter.service", listed)

        r = self.dpkg("--verify", "smarthub-exporter")
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        # It checks something: a changed binary and an edited conffile show.
        binary.write_bytes(binary.read_bytes() + b"\0")
        conffile = self.root / CONFFILE
        conffile.write_text(conffile.read_text() + "SMARTHUB_HOST=192.168.1.1\n")
        r = self.dpkg("--verify", "smarthub-exporter")
        self.assertEqual(sorted(r.stdout.splitlines()),
                         ["??5??????   /usr/bin/smarthub-exporter", f"??5?????? c /{CONFFILE}"])

        r = self.dpkg("--remove", "smarthub-exporter")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(binary.exists())
        self.assertTrue(conffile.exists(), "remove keeps the edited conffile")
        self.assertEqual(self.status(), "Status: deinstall ok config-files")
        r = self.dpkg("--purge", "smarthub-exporter")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(conffile.exists())
        self.assertEqual(self.status(), "")


if __name__ == "__main__":
    unittest.main()
