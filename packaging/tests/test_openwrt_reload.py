"""How a changed /etc/config/smarthub-exporter reaches the running service,
with stand-ins that behave as OpenWrt's on this point
(packaging/tests/openwrt-root): `uci commit` writes the file and tells
nobody, `reload_config` sends config.change only for packages it had
checksummed before (at boot), and procd runs a reload trigger's script only
when such an event names the package. What always works is the init
script's `reload`, which the docs must say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _common import CONFIG, INIT, ROOT, STANDINS, parse_record

DOCUMENTED_RELOADS = ("/etc/init.d/smarthub-exporter reload", "service smarthub-exporter reload")


class Router:
    """A config directory, a /var/run, and procd's view of the service:
    the instance it runs and the triggers the init script registered."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.config = tmp / "etc-config"
        self.root = tmp / "root"
        self.config.mkdir()
        (self.root / "var" / "run").mkdir(parents=True)
        self.record = tmp / "record"
        self.env = {
            "PATH": f"{STANDINS / 'sbin'}:{os.environ['PATH']}",
            "RECORD": str(self.record),
            "UCI_CONFIG_DIR": str(self.config),
            "IPKG_INSTROOT": str(STANDINS),
            "ROUTER_ROOT": str(self.root),
            "TEST_IPADDR_lan": "192.168.1.2",
        }
        self.running: list[str] = []
        self.triggers: list[list[str]] = []

    def calls(self) -> list[list[str]]:
        calls = parse_record(self.record)
        self.record.unlink(missing_ok=True)
        return calls

    def run(self, *argv: str) -> list[list[str]]:
        r = subprocess.run(list(argv), env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"{argv}: {r.stderr}")
        return self.calls()

    def init(self, action: str) -> None:
        """/etc/init.d/smarthub-exporter ACTION; procd then runs the instance
        the script described (it restarts it when that changed)."""
        calls = self.run("busybox", "sh", str(STANDINS / "etc" / "rc.common"), str(INIT), action)
        (argv,) = [c[1:] for c in calls if c[0] == "procd_exec"]
        self.running = argv
        self.triggers = [c[1:] for c in calls if c[0] == "procd_add_reload_trigger"]

    def deliver(self, calls: list[list[str]]) -> int:
        """procd's side of the ubus events in these calls: each config.change
        naming a package a reload trigger watches runs `init reload`.
        Returns how many reloads ran."""
        reloads = 0
        for call in calls:
            if call[:4] != ["ubus", "call", "service", "event"]:
                continue
            package = re.search(r'"package": "([^"]*)"', call[4])[1]
            if any(package in t for t in self.triggers):
                self.init("reload")
                reloads += 1
        return reloads

    def host(self) -> str:
        return self.running[self.running.index("--host") + 1]


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.router = Router(self.tmp)
        # Boot: reload_config records the checksums of the configs there are.
        (self.router.config / "system").write_text("config system\n\toption hostname 'OpenWrt'\n")
        self.assertEqual(self.router.run("reload_config"), [])
        # Install: the package's config appears and the service starts.
        shutil.copy(CONFIG, self.router.config / "smarthub-exporter")
        self.router.init("start")
        self.assertEqual(self.router.host(), "192.168.1.254")
        self.assertEqual(self.router.triggers, [["smarthub-exporter"]])

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_uci_commit_alone_changes_nothing_that_runs(self):
        calls = self.router.run("uci", "set", "smarthub-exporter.main.host=10.0.0.138")
        calls += self.router.run("uci", "commit", "smarthub-exporter")
        self.assertIn("option host '10.0.0.138'", (self.router.config / "smarthub-exporter").read_text())
        self.assertEqual(calls, [], "uci commit sends no event")
        self.assertEqual(self.router.deliver(calls), 0)
        self.assertEqual(self.router.host(), "192.168.1.254")

    def test_first_reload_config_after_install_does_nothing(self):
        self.router.run("uci", "set", "smarthub-exporter.main.host=10.0.0.138")
        self.router.run("uci", "commit", "smarthub-exporter")
        calls = self.router.run("reload_config")
        self.assertEqual(self.router.deliver(calls), 0)
        self.assertEqual(self.router.host(), "192.168.1.254")
        # Now that it has a checksum, the next change does get through.
        self.router.run("uci", "set", "smarthub-exporter.main.host=10.0.0.139")
        self.router.run("uci", "commit", "smarthub-exporter")
        self.assertEqual(self.router.deliver(self.router.run("reload_config")), 1)
        self.assertEqual(self.router.host(), "10.0.0.139")

    def test_the_init_scripts_reload_applies_the_change(self):
        self.router.run("uci", "set", "smarthub-exporter.main.host=10.0.0.138")
        self.router.run("uci", "commit", "smarthub-exporter")
        self.router.init("reload")
        self.assertEqual(self.router.host(), "10.0.0.138")

    def test_uci_commit_drops_the_files_comments(self):
        self.assertIn("#", CONFIG.read_text())
        self.router.run("uci", "set", "smarthub-exporter.main.listen_port=9102")
        self.router.run("uci", "commit", "smarthub-exporter")
        self.assertNotIn("#", (self.router.config / "smarthub-exporter").read_text())


def openwrt_section(readme: str) -> str:
    start = readme.index("\n### OpenWrt\n")
    end = readme.index("\n### ", start + 1)
    return readme[start:end]


class ReloadDocsTest(unittest.TestCase):
    """Where users read how to apply a change, it must be the reload that
    works, and never the claim that `uci commit` reloads the service."""

    def texts(self) -> dict[str, str]:
        return {
            "README.md (### OpenWrt)": openwrt_section((ROOT / "README.md").read_text()),
            "docs/openwrt.md": (ROOT / "docs" / "openwrt.md").read_text(),
            "smarthub-exporter.config": CONFIG.read_text(),
            "packaging/CROSS.md": (ROOT / "packaging" / "CROSS.md").read_text(),
        }

    def test_no_text_says_uci_commit_reloads(self):
        for name, text in self.texts().items():
            flat = re.sub(r"\s+", " ", text.replace("#", " "))
            self.assertNotRegex(flat, r"(?i)reloads? (it)?self", name)
            self.assertNotRegex(flat, r"(?i)uci commit[^.]*\b(reloads|applies|restarts)\b", name)

    def test_every_mention_of_uci_commit_names_the_reload_that_works(self):
        for name, text in self.texts().items():
            paragraphs = re.split(r"\n\s*#?\s*\n", text)
            mentions = [p for p in paragraphs if "uci commit" in p]
            self.assertTrue(mentions, f"{name} must say how to apply a change")
            for p in mentions:
                flat = re.sub(r"\s+", " ", p.replace("#", " "))
                self.assertTrue(any(r in flat for r in DOCUMENTED_RELOADS), f"{name}: {p!r}")

    def test_every_option_is_explained_in_the_openwrt_docs(self):
        # The first uci commit removes the config file's comments.
        section = (ROOT / "docs" / "openwrt.md").read_text()
        options = set(re.findall(r"^\s*#?\s*(?:option|list) (\w+)", CONFIG.read_text(), re.M))
        self.assertGreaterEqual(len(options), 9)
        for option in options:
            self.assertIn(f"`{option}`", section, option)


if __name__ == "__main__":
    unittest.main()
