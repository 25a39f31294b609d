"""openwrt/Makefile evaluated by GNU make against a stand-in buildroot
(packaging/tests/openwrt-buildroot), whose BuildPackage prints each
package's definition and whose Build/Compile/Cargo prints the cargo command."""

from __future__ import annotations

import re
import subprocess
import unittest

from _common import ROOT, openwrt_pkg

BUILDROOT = ROOT / "packaging" / "tests" / "openwrt-buildroot"


def evaluate(**variables: str) -> tuple[dict[str, dict[str, str]], str]:
    args = [f"{k}={v}" for k, v in variables.items()]
    r = subprocess.run(["make", "-s", "-f", "Makefile", f"TOPDIR={BUILDROOT}", *args, "print-compile"],
                       cwd=ROOT / "openwrt", capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(r.stderr)
    packages: dict[str, dict[str, str]] = {}
    compile_line = ""
    for line in r.stdout.splitlines():
        if line.startswith("COMPILE="):
            compile_line = line[len("COMPILE="):]
            continue
        name, rest = line.split(" ", 1)
        key, value = rest.split("=", 1)
        packages.setdefault(name, {})[key] = value
    return packages, compile_line


class FeedMakefileTest(unittest.TestCase):
    def test_conventions_in_the_text(self):
        text = (ROOT / "openwrt" / "Makefile").read_text()
        for needle in (
            "include $(TOPDIR)/rules.mk",
            "include $(INCLUDE_DIR)/package.mk",
            "include $(TOPDIR)/feeds/packages/lang/rust/rust-package.mk",
            "PKG_BUILD_DEPENDS:=rust/host",
            "DEPENDS:=$(RUST_ARCH_DEPENDS)",
            "$(eval $(call RustBinPackage,smarthub-exporter))",
            "$(eval $(call BuildPackage,smarthub-exporter))",
            "$(eval $(call RustBinPackage,smarthub-exporter-nojs))",
            "$(eval $(call BuildPackage,smarthub-exporter-nojs))",
        ):
            self.assertIn(needle, text)

    def test_version_matches_cargo(self):
        text = (ROOT / "openwrt" / "Makefile").read_text()
        self.assertEqual(re.search(r"^PKG_VERSION:=(.*)$", text, re.M)[1], openwrt_pkg.cargo_version())

    def test_packages(self):
        packages, _ = evaluate(BUILD_VARIANT="js", ARCH="mipsel")
        self.assertEqual(set(packages), {"smarthub-exporter", "smarthub-exporter-nojs"})
        main, nojs = packages["smarthub-exporter"], packages["smarthub-exporter-nojs"]
        for pkg in (main, nojs):
            self.assertEqual(pkg["USERID"], "smarthub-exporter:smarthub-exporter")
            self.assertTrue(pkg["DEPENDS"].startswith("@("), "DEPENDS must be $(RUST_ARCH_DEPENDS)")
            self.assertEqual(pkg["CONFFILES"], "/etc/config/smarthub-exporter")
            self.assertEqual(pkg["INSTALL"], " ".join([
                "install -d -m0755 /IPKG/usr/bin",
                "install -m0755 /PKG_INSTALL_DIR/bin/smarthub-exporter /IPKG/usr/bin/",
                "install -d -m0755 /IPKG/etc/init.d",
                "install -m0755 ./files/smarthub-exporter.init /IPKG/etc/init.d/smarthub-exporter",
                "install -d -m0755 /IPKG/etc/config",
                "install -m0600 ./files/smarthub-exporter.config /IPKG/etc/config/smarthub-exporter",
            ]))
        self.assertEqual((main["VARIANT"], main["DEFAULT_VARIANT"]), ("js", "1"))
        self.assertEqual((main["PROVIDES"], main["CONFLICTS"]), ("", ""))
        self.assertEqual(nojs["VARIANT"], "nojs")
        self.assertEqual((nojs["PROVIDES"], nojs["CONFLICTS"]), ("smarthub-exporter", "smarthub-exporter"))
        for f in ("smarthub-exporter.init", "smarthub-exporter.config"):
            self.assertTrue((ROOT / "openwrt" / "files" / f).is_file())

    def test_cargo_arguments_per_variant_and_arch(self):
        cases = {
            ("js", "mipsel"): ('--features "rquickjs/bindgen"', True),
            ("js", "mips"): ('--features "rquickjs/bindgen"', True),
            ("js", "arm"): ('--features "rquickjs/bindgen"', True),
            ("js", "aarch64"): (None, True),
            ("js", "x86_64"): (None, True),
            ("nojs", "mipsel"): ("--no-default-features", False),
            ("nojs", "aarch64"): ("--no-default-features", False),
        }
        for (variant, arch), (expected, default_features) in cases.items():
            _, cmd = evaluate(BUILD_VARIANT=variant, ARCH=arch)
            self.assertTrue(cmd.startswith("cargo install "), cmd)
            if expected:
                self.assertIn(expected, cmd, (variant, arch))
            else:
                self.assertNotIn("--features", cmd, (variant, arch))
            self.assertEqual("--no-default-features" not in cmd, default_features, (variant, arch))


if __name__ == "__main__":
    unittest.main()
