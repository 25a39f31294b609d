"""shellcheck on every shell file of the packaging."""

from __future__ import annotations

import subprocess
import unittest
from pathlib import Path

from _common import INIT, ROOT

# What an rc.common init script is: sourced by /etc/rc.common, so START,
# STOP and USE_PROCD look unused (SC2034), and `local` is fine in busybox
# ash although POSIX sh lacks it (SC3043).
INIT_OPTIONS = ["-s", "sh", "-e", "SC2034,SC3043"]


def shell_files() -> list[Path]:
    found = []
    for path in sorted((ROOT / "packaging").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".md", ".mk"):
            continue
        head = path.read_bytes()[:64]
        if path.suffix == ".sh" or head.startswith((b"#!/bin/sh", b"#!/bin/bash", b"#!/usr/bin/env bash")):
            found.append(path)
    return found


class ShellcheckTest(unittest.TestCase):
    def test_files_are_found(self):
        names = {p.relative_to(ROOT).as_posix() for p in shell_files()}
        for expected in (
            "packaging/openwrt-feed/files/smarthub-exporter.init",
            "packaging/openwrt-scripts/ipk-postinst",
            "packaging/openwrt-scripts/apk-post-install",
            "packaging/openwrt-packages.sh",
            "packaging/deb.sh",
            "packaging/test.sh",
            "packaging/tests/openwrt-root/etc/rc.common",
        ):
            self.assertIn(expected, names)

    def test_shellcheck(self):
        failures = []
        for path in shell_files():
            options = INIT_OPTIONS if path == INIT else []
            r = subprocess.run(["shellcheck", *options, str(path)], capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(r.stdout + r.stderr)
        self.assertEqual(failures, [], "\n".join(failures))

    def test_init_script_needs_only_the_rc_common_exclusions(self):
        # Without them shellcheck must complain about exactly those codes,
        # so the exclusions hide nothing else.
        r = subprocess.run(["shellcheck", "-s", "sh", "-f", "gcc", str(INIT)], capture_output=True, text=True)
        codes = {line.rsplit("[", 1)[1].rstrip("]") for line in r.stdout.splitlines()}
        self.assertEqual(codes, {"SC2034", "SC3043"})


if __name__ == "__main__":
    unittest.main()
