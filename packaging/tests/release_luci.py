"""The LuCI app in a release (packaging/dist.sh): its .ipk and .apk under
dist/openwrt/all/, released as they were built, the same bytes as the
checkout packs now, and in every pkgarch of the signed opkg feed and apk
repository when those were made."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, openwrt_pkg

DIST = ROOT / "dist"
NAME = "luci-app-smarthub-exporter"
VERSION = f"{openwrt_pkg.cargo_version()}-r1"


class ReleasedLuciAppTest(unittest.TestCase):
    def setUp(self):
        self.ipk = DIST / "openwrt" / "all" / f"{NAME}_{VERSION}_all.ipk"
        self.apk = DIST / "openwrt" / "all" / f"{NAME}-{VERSION}.apk"
        for path in (self.ipk, self.apk):
            if not path.is_file():
                raise AssertionError(f"no {path.relative_to(ROOT)}: run packaging/dist.sh")

    def test_released_under_its_names(self):
        sums = dict(reversed(line.split("  ", 1)) for line in (DIST / "release" / "SHA256SUMS").read_text().splitlines())
        for source, name in ((self.ipk, self.ipk.name), (self.apk, f"{self.apk.stem}_all.apk")):
            self.assertEqual(sums[name], hashlib.sha256(source.read_bytes()).hexdigest(), name)

    def test_the_checkout_packs_the_same_bytes(self):
        # openwrt_pkg.py's default epoch is the last commit's time, as dist.sh used.
        with tempfile.TemporaryDirectory() as tmp:
            built = openwrt_pkg.build(openwrt_pkg.make_luci_package(), Path(tmp), ["ipk", "apk"])
            for path in built:
                self.assertEqual(path.read_bytes(), (self.ipk.parent / path.name).read_bytes(), path.name)

    def test_in_every_pkgarch_of_the_feeds(self):
        arches = sorted(d.name for d in (DIST / "openwrt").iterdir() if d.is_dir() and d.name != "all")
        self.assertEqual(arches, sorted(openwrt_pkg.PKGARCH_TARGETS))
        checked = 0
        for feed, package in (("opkg-feed", self.ipk), ("apk-repo", self.apk)):
            if not (DIST / feed).is_dir():
                # Made only when dist.sh is given the keys (OPKG_FEED_KEY, APK_REPO_KEY).
                self.assertFalse(os.environ.get("OPKG_FEED_KEY" if feed == "opkg-feed" else "APK_REPO_KEY"))
                continue
            for pkgarch in arches:
                self.assertEqual((DIST / feed / pkgarch / package.name).read_bytes(), package.read_bytes())
                checked += 1
        self.assertIn(checked, (0, len(arches), 2 * len(arches)))


if __name__ == "__main__":
    unittest.main()
