"""packaging/openwrt-feed/Makefile evaluated by GNU make where the packages feed keeps it
(feeds/packages/utils/smarthub-exporter of a stand-in buildroot,
packaging/tests/openwrt-buildroot), whose BuildPackage prints each
package's definition and whose Build/Compile/Cargo prints the cargo command;
and its test.sh run as the feed's CI runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, binary, openwrt_pkg

BUILDROOT = ROOT / "packaging" / "tests" / "openwrt-buildroot"
# The package's directory as the packages feed holds it (utils/smarthub-exporter/).
FEED = ROOT / "packaging" / "openwrt-feed"

# OpenWrt ARCH -> the Rust target lang/rust/rust-values.mk builds for it
# (REAL_GNU_TARGET_NAME with openwrt -> unknown; arm as the feed's usual
# ARMv7 hard-float and ARMv5/v6 soft-float subtargets).
FEED_TARGETS = {
    "aarch64": ["aarch64-unknown-linux-musl"],
    "arm": ["armv7-unknown-linux-musleabihf", "arm-unknown-linux-musleabi", "armv5te-unknown-linux-musleabi"],
    "i386": ["i586-unknown-linux-musl"],
    "mips": ["mips-unknown-linux-musl"],
    "mipsel": ["mipsel-unknown-linux-musl"],
    "mips64": ["mips64-openwrt-linux-musl"],
    "powerpc64": ["powerpc64-unknown-linux-musl"],
    "riscv64": ["riscv64gc-unknown-linux-musl"],
    "x86_64": ["x86_64-unknown-linux-musl"],
}


def feed_tree() -> Path:
    """A copy of the stand-in buildroot with packaging/openwrt-feed/ where
    the feed has its packages, so `../../lang/rust/rust-package.mk` resolves
    as it does there."""
    tmp = Path(tempfile.mkdtemp())
    top = tmp / "buildroot"
    shutil.copytree(BUILDROOT, top)
    shutil.copytree(FEED, top / "feeds" / "packages" / "utils" / "smarthub-exporter")
    return top


def evaluate(makefile_dir: Path | None = None, **variables: str) -> tuple[dict[str, dict[str, str]], str]:
    top = feed_tree()
    pkgdir = top / "feeds" / "packages" / "utils" / "smarthub-exporter"
    if makefile_dir is not None:
        shutil.copy(makefile_dir / "Makefile", pkgdir / "Makefile")
    try:
        args = [f"{k}={v}" for k, v in variables.items()]
        r = subprocess.run(["make", "-s", "-f", "Makefile", f"TOPDIR={top}", *args, "print-compile"],
                           cwd=pkgdir, capture_output=True, text=True)
    finally:
        shutil.rmtree(top.parent)
    if r.returncode != 0:
        raise AssertionError(r.stderr)
    packages: dict[str, dict[str, str]] = {}
    compile_line = ""
    for line in r.stdout.splitlines():
        if line.startswith("COMPILE="):
            compile_line = line[len("COMPILE="):]
            continue
        if line.startswith("PKG "):
            continue
        name, rest = line.split(" ", 1)
        key, value = rest.split("=", 1)
        packages.setdefault(name, {})[key] = value
    return packages, compile_line


def depends_allow(depends: str, arch: str) -> bool:
    """Whether every @(a||b||...) / @a / @!(...) condition in an OpenWrt
    DEPENDS holds for a target whose only config symbol set is ARCH."""
    for term in depends.split():
        if not term.startswith("@"):
            continue
        negate = term.startswith("@!")
        names = term.lstrip("@!").strip("()").split("||")
        if (arch in names) == negate:
            return False
    return True


def rquickjs_sys_bindings() -> set[str]:
    """The targets the locked rquickjs-sys ships bindings for."""
    # One platform's graph: no crate for other systems to fetch.
    r = subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked",
                        "--filter-platform", "aarch64-unknown-linux-musl"],
                       cwd=ROOT, capture_output=True, text=True, check=True)
    (pkg,) = [p for p in json.loads(r.stdout)["packages"] if p["name"] == "rquickjs-sys"]
    bindings = Path(pkg["manifest_path"]).parent / "src" / "bindings"
    return {p.stem for p in bindings.glob("*.rs")}


class FeedMakefileTest(unittest.TestCase):
    text = (FEED / "Makefile").read_text()

    def test_conventions_in_the_text(self):
        for needle in (
            "include $(TOPDIR)/rules.mk",
            "include $(INCLUDE_DIR)/package.mk",
            # As the feed's Rust packages do: no assumption about the feed's name.
            "include ../../lang/rust/rust-package.mk",
            "PKG_BUILD_DEPENDS:=rust/host",
            "$(eval $(call RustBinPackage,smarthub-exporter))",
            "$(eval $(call BuildPackage,smarthub-exporter))",
            "$(eval $(call RustBinPackage,smarthub-exporter-nojs))",
            "$(eval $(call BuildPackage,smarthub-exporter-nojs))",
        ):
            self.assertIn(needle, self.text)
        self.assertNotIn("feeds/packages", self.text.split("include $(INCLUDE_DIR)/package.mk")[1])
        # CONTRIBUTING: no $(PKG_NAME) in call, define and eval lines.
        for line in self.text.splitlines():
            if line.startswith(("define ", "$(eval", "$(call")):
                self.assertNotIn("$(PKG_NAME)", line)

    def test_package_fields(self):
        fields = {}
        top = feed_tree()
        try:
            r = subprocess.run(["make", "-s", "-f", "Makefile", f"TOPDIR={top}", "print-compile"],
                               cwd=top / "feeds/packages/utils/smarthub-exporter", capture_output=True,
                               text=True, check=True)
        finally:
            shutil.rmtree(top.parent)
        for line in r.stdout.splitlines():
            if line.startswith("PKG "):
                key, value = line[4:].split("=", 1)
                fields[key] = value
        self.assertRegex(fields["PKG_MAINTAINER"], r"^[^<>]+ <[^@<>\s]+@[^@<>\s]+\.[a-z]+>$")
        self.assertEqual(fields["PKG_LICENSE"], "Apache-2.0 MIT")
        for name in fields["PKG_LICENSE_FILES"].split():
            self.assertTrue((ROOT / name).is_file(), name)
        self.assertEqual(fields["PKG_LICENSE_FILES"], openwrt_pkg.LICENSE_FILES)
        self.assertEqual(fields["PKG_MAINTAINER"], openwrt_pkg.MAINTAINER)
        self.assertEqual(fields["PKG_VERSION"], openwrt_pkg.cargo_version())
        # apk's version grammar (what the feed's check-apk-valid-version
        # workflow asks `apk version --check`), and an integer release.
        self.assertRegex(fields["PKG_VERSION"], r"^\d+(\.\d+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*$")
        self.assertRegex(fields["PKG_RELEASE"], r"^[1-9]\d*$")
        self.assertEqual(fields["PKG_SOURCE"], f"smarthub-exporter-{fields['PKG_VERSION']}.tar.gz")
        self.assertTrue(fields["PKG_SOURCE_URL"].endswith(f"/releases/download/v{fields['PKG_VERSION']}/"))
        # In the repository the hash is "skip" (the tarball holds this file);
        # packaging/feed-release.sh writes the real one (test_feed_release).
        self.assertEqual(fields["PKG_HASH"], "skip")

    def test_packages(self):
        packages, _ = evaluate(BUILD_VARIANT="js", ARCH="mipsel")
        self.assertEqual(set(packages), {"smarthub-exporter", "smarthub-exporter-nojs"})
        main, nojs = packages["smarthub-exporter"], packages["smarthub-exporter-nojs"]
        for pkg in (main, nojs):
            self.assertEqual(pkg["USERID"], "smarthub-exporter:smarthub-exporter")
            self.assertTrue(pkg["DEPENDS"].startswith("@("), "DEPENDS must start with $(RUST_ARCH_DEPENDS)")
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
        self.assertNotEqual(main["TITLE"], nojs["TITLE"])
        for f in ("smarthub-exporter.init", "smarthub-exporter.config"):
            self.assertTrue((FEED / "files" / f).is_file())

    def test_variants_have_their_own_description(self):
        packages, _ = evaluate(BUILD_VARIANT="js", ARCH="aarch64")
        main, nojs = packages["smarthub-exporter"]["DESCRIPTION"], packages["smarthub-exporter-nojs"]["DESCRIPTION"]
        self.assertNotEqual(main, nojs)
        self.assertIn("-nojs", nojs)
        self.assertIn("no JavaScript engine", nojs)
        self.assertIn("QuickJS", main)
        # What openwrt_pkg.py writes into both formats is this same text.
        for name, text in (("smarthub-exporter", main), ("smarthub-exporter-nojs", nojs)):
            self.assertEqual(" ".join(openwrt_pkg.makefile_description(name)).split(), text.split())

    def test_js_variant_only_where_rquickjs_sys_ships_bindings(self):
        # The feed's build hosts have no libclang, so no bindgen: the JS
        # variant must be selectable exactly where bindings come bundled.
        shipped = rquickjs_sys_bindings()
        self.assertIn("aarch64-unknown-linux-musl", shipped)
        packages, _ = evaluate(BUILD_VARIANT="js", ARCH="aarch64")
        for arch, targets in FEED_TARGETS.items():
            has_bindings = all(t in shipped for t in targets)
            self.assertEqual(depends_allow(packages["smarthub-exporter"]["DEPENDS"], arch), has_bindings, arch)
            self.assertTrue(depends_allow(packages["smarthub-exporter-nojs"]["DEPENDS"], arch), arch)

    def test_cargo_arguments_per_variant(self):
        for (variant, arch), default_features in {
            ("js", "aarch64"): True, ("js", "x86_64"): True,
            ("nojs", "mipsel"): False, ("nojs", "aarch64"): False, ("nojs", "arm"): False,
        }.items():
            _, cmd = evaluate(BUILD_VARIANT=variant, ARCH=arch)
            self.assertTrue(cmd.startswith("cargo install "), cmd)
            # Never bindgen: the feed's hosts have no libclang.
            self.assertNotIn("--features", cmd, (variant, arch))
            self.assertEqual("--no-default-features" not in cmd, default_features, (variant, arch))


class FeedReleaseTest(unittest.TestCase):
    """packaging/feed-release.sh on this checkout's HEAD: the source
    tarball and the feed directory whose PKG_HASH is that tarball's."""

    @classmethod
    def setUpClass(cls):
        cls.out = Path(tempfile.mkdtemp())
        cls.runs = []
        for i in range(2):
            env = {**os.environ, "OUTDIR": str(cls.out / str(i))}
            r = subprocess.run(["sh", str(ROOT / "packaging" / "feed-release.sh"), "HEAD"],
                               env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise AssertionError(r.stderr)
            cls.runs.append(cls.out / str(i))
        cls.version = openwrt_pkg.cargo_version()
        cls.tarball = cls.runs[0] / "source" / f"smarthub-exporter-{cls.version}.tar.gz"
        cls.feed = cls.runs[0] / "openwrt-feed" / "utils" / "smarthub-exporter"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out)

    def test_tarball_is_the_tree_under_the_feeds_build_dir_name(self):
        import tarfile
        with tarfile.open(self.tarball) as tf:
            names = tf.getnames()
        prefix = f"smarthub-exporter-{self.version}/"
        self.assertTrue(all(n.startswith(prefix) or n == prefix.rstrip("/") for n in names))
        for needed in ("Cargo.toml", "Cargo.lock", "src/main.rs", "LICENSE-MIT", "LICENSE-APACHE"):
            self.assertIn(prefix + needed, names)
        # Reproducible: the hash in the Makefile is the same every time.
        again = self.runs[1] / "source" / self.tarball.name
        self.assertEqual(self.tarball.read_bytes(), again.read_bytes())

    def test_makefile_has_the_tarballs_hash_and_nothing_else_changed(self):
        import hashlib
        digest = hashlib.sha256(self.tarball.read_bytes()).hexdigest()
        ours = (FEED / "Makefile").read_text().splitlines()
        theirs = (self.feed / "Makefile").read_text().splitlines()
        self.assertIn(f"PKG_HASH:={digest}", theirs)
        self.assertEqual([a for a, b in zip(ours, theirs) if a != b], ["PKG_HASH:=skip"])
        self.assertEqual(len(ours), len(theirs))
        for f in ("test.sh", "files/smarthub-exporter.init", "files/smarthub-exporter.config"):
            self.assertEqual((self.feed / f).read_bytes(), (FEED / f).read_bytes(), f)
        packages, _ = evaluate(self.feed, BUILD_VARIANT="nojs", ARCH="mipsel")
        self.assertEqual(set(packages), {"smarthub-exporter", "smarthub-exporter-nojs"})

    def test_refuses_a_ref_that_does_not_exist(self):
        r = subprocess.run(["sh", str(ROOT / "packaging" / "feed-release.sh"), "no-such-tag-x"],
                           env={**os.environ, "OUTDIR": str(self.out / "x")}, capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no commit", r.stderr)


class FeedTestScriptTest(unittest.TestCase):
    """packaging/openwrt-feed/test.sh as the feed's CI (.github/workflows/entrypoint.sh)
    runs it after installing each package: `sh test.sh NAME VERSION`."""

    def run_test_sh(self, name: str, version: str) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory() as bindir:
            os.symlink(binary(), Path(bindir) / "smarthub-exporter")
            return subprocess.run(["busybox", "sh", str(FEED / "test.sh"), name, version],
                                  env={"PATH": f"{bindir}:/usr/bin:/bin"}, capture_output=True, text=True)

    def test_passes_for_both_packages_at_their_version(self):
        version = openwrt_pkg.cargo_version()
        for name in ("smarthub-exporter", "smarthub-exporter-nojs"):
            r = self.run_test_sh(name, version)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_fails_for_another_version_or_package(self):
        self.assertNotEqual(self.run_test_sh("smarthub-exporter", "9.9.9").returncode, 0)
        self.assertNotEqual(self.run_test_sh("smarthub-exporter", openwrt_pkg.cargo_version() + "1").returncode, 0)
        self.assertNotEqual(self.run_test_sh("other-package", openwrt_pkg.cargo_version()).returncode, 0)


if __name__ == "__main__":
    unittest.main()
