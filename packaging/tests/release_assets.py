"""dist/release/, what the release workflow uploads as it is: every binary
and package packaging/dist.sh made, each under a name of its own, and a
SHA256SUMS that `sha256sum -c` accepts and that names every asset."""

from __future__ import annotations

import hashlib
import subprocess
import unittest

from _common import ROOT, openwrt_pkg

DIST = ROOT / "dist"
RELEASE = DIST / "release"
VERSION = openwrt_pkg.cargo_version()


class ReleaseAssetsTest(unittest.TestCase):
    def setUp(self):
        if not (RELEASE / "SHA256SUMS").is_file():
            raise AssertionError("no dist/release/SHA256SUMS: run packaging/dist.sh")
        self.sums = {}
        for line in (RELEASE / "SHA256SUMS").read_text().splitlines():
            digest, name = line.split("  ", 1)
            self.sums[name] = digest

    def test_sha256sums_names_every_asset_and_checks(self):
        files = sorted(p.name for p in RELEASE.iterdir() if p.name != "SHA256SUMS")
        self.assertEqual(sorted(self.sums), files)
        r = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=RELEASE,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(r.stdout.splitlines()), len(files))

    def expect(self, source, name: str):
        self.assertIn(name, self.sums, f"{source.relative_to(ROOT)} is not released")
        self.assertEqual(self.sums[name], hashlib.sha256(source.read_bytes()).hexdigest(), name)

    def test_every_binary_under_its_target(self):
        targets = sorted(d.name for d in (DIST / "bin").iterdir())
        # dist.sh with no arguments builds every target the packages need.
        self.assertEqual(targets, sorted(set(openwrt_pkg.TARGET_ELF)))
        for target in targets:
            for name in ("smarthub-exporter", "smarthub-exporter-nojs"):
                self.expect(DIST / "bin" / target / name, f"{name}-{VERSION}-{target}")

    def test_every_package(self):
        packages = 0
        for pkgarch_dir in sorted(p for p in (DIST / "openwrt").iterdir() if p.is_dir()):
            for ipk in pkgarch_dir.glob("*.ipk"):
                self.assertTrue(ipk.name.endswith(f"_{pkgarch_dir.name}.ipk"), ipk)
                self.expect(ipk, ipk.name)
                packages += 1
            for apk in pkgarch_dir.glob("*.apk"):
                self.expect(apk, f"{apk.stem}_{pkgarch_dir.name}.apk")
                packages += 1
        for deb in (DIST / "deb").glob("*.deb"):
            self.expect(deb, deb.name)
            packages += 1
        # On a v* tag, the source tarball that packaging/openwrt-feed/Makefile's PKG_SOURCE_URL names.
        for tarball in (DIST / "source").glob("*.tar.gz"):
            self.expect(tarball, tarball.name)
            packages += 1
        self.assertEqual(len(self.sums), packages + 2 * len(list((DIST / "bin").iterdir())))
        for arch in ("arm64", "amd64"):
            self.assertIn(f"smarthub-exporter_{VERSION}-1_{arch}.deb", self.sums)


if __name__ == "__main__":
    unittest.main()
