"""The LuCI app's two views, run under node by packaging/tests/_luci_views.js
on the LuCI stand-in of _luci_runtime.js: the settings form against the UCI
config, the init script, the exporter binary's own limits and the
collectors the real rpcd plugin reads from it; the status page against
answers of the rpcd plugin, hub text in it built as text, never as
markup."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unittest

from _collectors import collectors
from _common import CONFIG, INIT, binary
from _luci import SETTINGS, STATUS, Exporter, call_status, free_port, node, uci_config

# status.json as the contract describes it, its hub strings hostile.
HOSTILE = '<img src=x onerror="alert(1)">&amp;'
STATUS_JSON = {
    "schema": 1,
    "exporter": {"version": "0.1.0", "hub": "192.168.1.254:80", "poll_seconds": 60,
                 "scraped_at": 1765135000, "scrape_duration_seconds": 0.42, "now": 1765135012},
    "collectors": [
        {"name": "wan", "state": "ok"},
        {"name": "lan", "state": "failing", "error": "GET /cgi/cgi_basicMyDevice.js: " + HOSTILE,
         "failing_since": 1765131000},
        {"name": "status", "state": "ok"},
        {"name": "owl", "state": "ok"},
    ],
    "wan": {
        "connected": True, "connection_uptime_seconds": 3600, "link": {"up": True, "uptime_seconds": 7200},
        "kind": "vdsl",
        "dsl": {"up": True, "mode": "VDSL2", "profile": "Profile 17a", "channel": "fast",
                "down": {"sync_rate_bytes_per_second": 9000000, "snr_margin_db": 6.1},
                "up": {"sync_rate_bytes_per_second": 2500000, "snr_margin_db": 5.0}},
        "ipv4": "81.2.3.4",
    },
    "hub": {"firmware_version": HOSTILE + "fw", "model": "Smart Hub 2"},
    "devices": {"known": 2, "active": 1, "list": [
        {"mac": "AA:BB:CC:DD:EE:FF", "name": HOSTILE + "laptop", "ip": "192.168.1.64", "active": True,
         "connection": "5GHz", "node": "Living room disc", "signal_dbm": -55},
        {"mac": "AA:BB:CC:DD:EE:01", "name": "away", "active": False, "connection": "ethernet"},
    ]},
    "mesh": {"nodes": [{"id": "n1", "name": HOSTILE + "disc", "backhaul": "5GHz", "stations": 3}]},
    "history": {"step_seconds": 60, "points": []},
    "events": [],
}
ANSWER = {"url": "http://192.168.1.1:9101/status.json?history=0", "interface": "lan", "listen": "address",
          "host": "192.168.1.1", "port": "9101"}


def status_page(answer: dict, hostname: str = "192.168.1.1") -> dict:
    return node("status", str(STATUS), stdin={"answer": answer, "hostname": hostname})


def plugin_collectors() -> dict:
    """The settings form's rpcd call, made by the real plugin with the real
    binary's --help: {"fetch": false}, so nothing need listen."""
    uci = uci_config({"listen_port": str(free_port())})
    try:
        return call_status(uci, {"TEST_IPADDR_lan": "127.0.0.1"}, fetch=False)
    finally:
        shutil.rmtree(uci)


def settings_form(answer: dict, main: dict | None = None) -> dict:
    return node("form", str(SETTINGS), stdin={"answer": answer, "uci": {"main": main or {}}})


def init_options() -> set[str]:
    """The options of section main that the init script reads."""
    text = INIT.read_text()
    return set(re.findall(r"config_get(?:_bool)? \w+ main (\w+)", text)) | \
        set(re.findall(r"config_list_foreach main (\w+)", text))


def binary_help() -> str:
    return subprocess.run([str(binary()), "--help"], capture_output=True, text=True, check=True).stdout


def accepts(*args: str) -> tuple[bool, str]:
    """Whether the exporter starts with these flags (replaying demo/hub
    without its day, to start at once), or refuses them with exit code 2
    and why."""
    try:
        Exporter(*args, day=False).close()
        return True, ""
    except AssertionError as e:
        return False, str(e)


class SettingsFormTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.answer = plugin_collectors()
        cls.form = settings_form(cls.answer)
        (cls.section,) = cls.form["sections"]
        cls.options = {o["name"]: o for o in cls.section["options"] if not o["name"].startswith("_")}

    def test_one_named_section_of_the_config(self):
        self.assertEqual(self.form["config"], "smarthub-exporter")
        self.assertEqual(self.section["type"], "NamedSection")
        self.assertEqual(self.section["args"], ["main", "smarthub-exporter"])
        self.assertIn("config smarthub-exporter 'main'", CONFIG.read_text())

    def test_every_option_the_service_reads_and_no_other(self):
        self.assertEqual(set(self.options), init_options())
        for name in ("poll", "jail"):
            self.assertIn(name, self.options)
        for name in re.findall(r"^\s*#?(?:option|list) (\w+)", CONFIG.read_text(), re.M):
            self.assertIn(name, self.options)

    def test_every_option_says_what_it_does(self):
        for o in self.section["options"]:
            self.assertTrue(o["title"], o["name"])
            if o["type"] != "DummyValue":
                self.assertGreater(len(o.get("description") or ""), 30, o["name"])
                self.assertIn(o.get("tab"), [t[0] for t in self.section["tabs"]], o["name"])
        # Drawn as text: titles, descriptions, choices.
        self.assertEqual(self.form["innerHTML"], [])
        for o in self.options.values():
            self.assertIn(o["title"], self.form["text"])

    def test_types_and_datatypes(self):
        want = {
            "host": ("Value", None), "listen_interface": ("Value", 'or("*", uciname)'),
            "listen_port": ("Value", "and(port, min(1))"), "listen_ipv6": ("Flag", None),
            "timeout": ("Value", "and(uinteger, range(1, 300))"),
            "cache_ttl": ("Value", 'or("0", and(uinteger, range(1, 3600)))'),
            "poll": ("Value", 'or("0", and(uinteger, range(10, 3600)))'),
            "log_level": ("ListValue", None), "lan": ("Flag", None), "disable_collector": ("MultiValue", None),
            "jail": ("Flag", None),
        }
        self.assertEqual(set(want), set(self.options))
        for name, (kind, datatype) in want.items():
            self.assertEqual(self.options[name]["type"], kind, name)
            self.assertEqual(self.options[name].get("datatype"), datatype, name)
        self.assertTrue(self.options["host"]["validates"])
        for flag, default in (("listen_ipv6", "0"), ("lan", "1"), ("jail", "1")):
            o = self.options[flag]
            self.assertEqual((o["enabled"], o["disabled"], o["default"]), ("1", "0", default), flag)

    def test_the_jail_is_the_config_files_and_says_what_off_loses(self):
        self.assertRegex(CONFIG.read_text(), r"(?m)^\toption jail '1'$")
        about = self.options["jail"]["description"]
        for words in ("procd-ujail", "no_new_privs", "every file"):
            self.assertIn(words, about)

    def test_placeholders_are_the_defaults_the_config_documents(self):
        config = CONFIG.read_text()
        for name in ("timeout", "cache_ttl", "poll"):
            self.assertRegex(config, rf"#option {name} '{self.options[name]['placeholder']}'")
        self.assertEqual(self.options["listen_port"]["placeholder"], "9101")
        self.assertEqual(self.options["host"]["placeholder"], "192.168.1.254")

    def test_log_levels_are_the_binarys(self):
        levels = [v for v, _ in self.options["log_level"]["values"]]
        self.assertIn(", ".join(levels[:-1]) + " or " + levels[-1], binary_help())

    def test_collectors_are_the_installed_binarys(self):
        # The form asks the plugin for them without a fetch ...
        self.assertEqual(self.form["calls"], [{"object": "luci.smarthub-exporter", "method": "status",
                                              "args": {"fetch": False}}])
        # ... and offers exactly what the binary's collector table lists,
        # in its order, each with what it serves and its page.
        values = self.options["disable_collector"]["values"]
        want = collectors(binary())
        self.assertEqual([v for v, _ in values], [c.name for c in want])
        for (name, label), c, got in zip(values, want, self.answer["collectors"]):
            self.assertEqual(label, f"{name}: {got['description']} ({c.path})")
        self.assertNotIn("_collectors_error", [o["name"] for o in self.section["options"]])

    def test_a_configured_name_is_kept(self):
        # A name the installed exporter does not know (an older or newer
        # one's) stays a choice, so a save does not drop it, and says why
        # the exporter will not start with it.
        form = settings_form(self.answer, {"disable_collector": ["owl", "dect"]})
        (section,) = form["sections"]
        (mv,) = [o for o in section["options"] if o["name"] == "disable_collector"]
        names = [v for v, _ in mv["values"]]
        self.assertEqual(names, [c.name for c in collectors(binary())] + ["dect"])
        self.assertIn("dect: not a collector of the installed exporter", dict(mv["values"])["dect"])

    def test_unreadable_collectors_are_said_and_configured_ones_kept(self):
        for answer in ({"collectors": [], "collectors_error": "smarthub-exporter is not installed"},
                       {"collectors_error": "Error: RPCError: Access denied"}):
            form = settings_form(answer, {"disable_collector": "owl"})
            (section,) = form["sections"]
            options = {o["name"]: o for o in section["options"]}
            self.assertEqual([v for v, _ in options["disable_collector"]["values"]], ["owl"])
            self.assertIn(answer["collectors_error"], options["_collectors_error"]["shown"])
            self.assertIn(answer["collectors_error"], form["text"])

    def test_ranges_are_the_binarys_limits(self):
        # Each value as LuCI's datatype judges it and as the exporter does:
        # the same for every number written plainly (the bounds and one
        # past them among them), and never accepted by the form where the
        # exporter refuses it (the form may refuse a spelling such as "00"
        # or "+10" that the exporter takes).
        flags = {"timeout": "--timeout", "cache_ttl": "--cache-ttl", "poll": "--poll"}
        plain = ["0", "1", "9", "10", "11", "299", "300", "301", "3599", "3600", "3601", "86400"]
        odd = ["-0", "-1", "00", "010", "+10", "1.5", "1e3", "0x10", " 10", "10 ", "ten"]
        for name, flag in flags.items():
            expr = self.options[name]["datatype"]
            verdicts = node("datatype", stdin=[[expr, v] for v in plain + odd])
            for value, verdict in zip(plain + odd, verdicts):
                accepted, why = accepts(flag, value)
                if value in plain:
                    self.assertEqual(verdict is True, accepted, f"{name} {value!r}: form {verdict!r}, exporter {why!r}")
                elif verdict is True:
                    self.assertTrue(accepted, f"{name} {value!r}: the form takes what the exporter refuses: {why}")
                if verdict is not True:
                    self.assertTrue(verdict.startswith("Expecting: "), verdict)

    def test_the_polling_message(self):
        (verdict,) = node("datatype", stdin=[[self.options["poll"]["datatype"], "5"]])
        self.assertEqual(verdict, 'Expecting: One of the following: \n - "0"\n - value between 10 and 3600')


# Hub addresses, each judged by the form and by the exporter's --host.
HOSTS = [
    "", "192.168.1.254", "192.168.1.254:80", "192.168.1.254:8080", "hub", "hub.lan", "hub.lan.", "Hub-2.LAN",
    "http://192.168.1.254", "http://192.168.1.254/", "HTTP://hub:80/", "https://hub", "ftp://hub", "http://",
    "[::1]", "[::1]:80", "[fe80::1]", "[::ffff:192.168.1.1]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7::]",
    "[::1:2:3:4:5:6:7]", "[1::2::3]", "[1.2.3.4::]", "[12345::]", "[::1", "[::1]x", "[::1]:", "[::1]:0",
    "::1", "fe80::1", "::1:8080", "hub:0", "hub:65535", "hub:65536", "hub:+80", "hub:+", "hub:", ":80",
    "192.168.1.300", "192.168.001.1", "1.2.3", "123", "hub_1", "-hub", "hub-", "a..b", "hub/x", "hub?x",
    "user@hub", "hub#x", "hub x", " hub ", "\thub\n", "hub\u00a0", "\u00a0hub", "h\u00e9b", "hub\u0085",
    "a" * 63 + ".lan", "a" * 64 + ".lan", ".".join(["a" * 60] * 4) + ".ab", ".".join(["a" * 60] * 4) + ".abc",
]


class HostValidationTest(unittest.TestCase):
    def test_the_form_refuses_what_the_exporter_refuses(self):
        answers = node("validate", str(SETTINGS), stdin=HOSTS)
        for host, answer in zip(HOSTS, answers):
            if host == "":
                # Empty: the option is removed and the exporter's default applies.
                self.assertIs(answer, True)
                continue
            # --host is checked before --listen: an error about --listen
            # means the host passed.
            r = subprocess.run([str(binary()), "--host", host, "--listen", "x"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, host)
            exporter_ok = r.stderr.startswith("--listen")
            self.assertTrue(exporter_ok or r.stderr.startswith("--host"), r.stderr)
            self.assertEqual(answer is True, exporter_ok, f"{host!r}: form {answer!r}, exporter {r.stderr.strip()!r}")
            if answer is not True:
                self.assertIsInstance(answer, str)
                self.assertGreater(len(answer), 5)


class StatusPageTest(unittest.TestCase):
    def assert_safe(self, page: dict):
        # No HTML was ever set from a string, and nothing absent became text.
        self.assertEqual(page["innerHTML"], [])
        for word in ("undefined", "null", "NaN", "[object Object]"):
            self.assertNotIn(word, page["text"])

    def test_figures_at_a_glance(self):
        page = status_page({**ANSWER, "body": json.dumps(STATUS_JSON)})
        self.assert_safe(page)
        text = page["text"]
        for figure in ("Line and WAN", "72.0 Mbit/s", "20.0 Mbit/s", "6.1 dB", "5.0 dB", "VDSL2, Profile 17a, fast",
                       "81.2.3.4", "Devices at home", "1 at home of 2 known", "192.168.1.64", "Wi-Fi 5 GHz",
                       "Living room disc", "-55 dBm", "Whole Home discs", "Smart Hub 2", "Collectors",
                       "failing", "192.168.1.254:80"):
            self.assertIn(figure, text)
        # Only devices at home are listed.
        self.assertNotIn("away", text)
        # Absent stays absent: no 0 standing in for an unreported figure.
        self.assertNotRegex(text, r"(?<![\d.])0(\.0)? (k|M)bit/s")
        self.assertIn("\u2014", text)

    def test_hub_text_is_text(self):
        page = status_page({**ANSWER, "body": json.dumps(STATUS_JSON)})
        self.assert_safe(page)
        # Verbatim, four times over: device, collector error, firmware, disc.
        self.assertEqual(page["text"].count(HOSTILE), 4)

        def tags(n):
            return [] if isinstance(n, str) else [n["tag"], *(t for c in n["children"] for t in tags(c))]
        self.assertNotIn("img", tags(page["tree"]))
        self.assertNotIn("#html", tags(page["tree"]))

    def test_link_to_the_exporters_page(self):
        page = status_page({**ANSWER, "body": json.dumps(STATUS_JSON)})
        self.assertIn({"href": "http://192.168.1.1:9101/", "text": "The exporter's own page, with the day's chart"},
                      page["links"])
        # Listening everywhere: the router's name as the browser knows it.
        page = status_page({**ANSWER, "listen": "everywhere", "host": "127.0.0.1", "body": json.dumps(STATUS_JSON)},
                           hostname="fd00::1")
        self.assertIn("http://[fd00::1]:9101/", [link["href"] for link in page["links"]])

    def test_refreshes_slower_than_the_cache(self):
        page = status_page({**ANSWER, "body": json.dumps(STATUS_JSON)})
        self.assertEqual(len(page["polls"]), 1)
        self.assertGreaterEqual(page["polls"][0], 30)
        # A status page: no Save, Save & Apply or Reset.
        self.assertEqual(page["footer"], {"save": None, "apply": None, "reset": None})

    def assert_says(self, answer: dict, *words: str):
        page = status_page(answer)
        self.assert_safe(page)
        for w in words:
            self.assertIn(w, page["text"])
        self.assertIn("/cgi-bin/luci/admin/services/smarthub-exporter", [link["href"] for link in page["links"]])
        self.assertNotIn("Line and WAN", page["text"])
        return page

    def test_unreachable_says_so_and_offers_the_settings(self):
        self.assert_says({**ANSWER, "error": "unreachable", "detail": "failed: Connection refused."},
                         "does not answer at http://192.168.1.1:9101/status.json", "not running",
                         "Connection refused")
        self.assert_says({**ANSWER, "listen": "none", "error": "unreachable"},
                         "interface lan, which has no address yet")

    def test_each_failure_in_its_own_words(self):
        self.assert_says({**ANSWER, "error": "timeout"}, "did not answer in time")
        self.assert_says({**ANSWER, "error": "http", "code": 503}, "took longer than its time budget (HTTP 503)")
        self.assert_says({**ANSWER, "error": "http", "code": 404}, "has no /status.json")
        self.assert_says({**ANSWER, "error": "config"}, "not a port (1-65535)")
        self.assert_says({**ANSWER, "body": "<html>not json</html>"}, "not with the exporter's status")
        self.assert_says({**ANSWER, "body": json.dumps({**STATUS_JSON, "schema": 2})}, "schema 2")
        self.assert_says({"error": "rpc", "detail": "Access denied"}, "could not ask the router")

    def test_too_large_says_its_size(self):
        page = self.assert_says({**ANSWER, "error": "too_large", "bytes": 282374, "limit": 262144},
                                "answered with 282374 bytes, more than the 262144 this page takes through rpcd",
                                "?history=0", "update smarthub-exporter")
        self.assertIn(ANSWER["url"], page["text"])
        self.assert_says({**ANSWER, "error": "too_large", "limit": 262144, "detail": "more than 1048576 bytes"},
                         "answered with more than the 262144 bytes", "Details: more than 1048576 bytes")

    def test_hub_failing_says_which(self):
        failing = {**STATUS_JSON, "collectors": [
            {"name": c, "state": "failing", "error": f"GET /{c}: connection refused " + HOSTILE}
            for c in ("wan", "lan", "status")] + [{"name": "owl", "state": "disabled"}]}
        for key in ("wan", "hub", "devices", "mesh"):
            del failing[key]
        del failing["exporter"]["scraped_at"]
        page = status_page({**ANSWER, "body": json.dumps(failing)})
        self.assert_safe(page)
        self.assertIn("cannot read the hub at 192.168.1.254:80", page["text"])
        self.assertIn("wan: GET /wan: connection refused " + HOSTILE, page["text"])
        self.assertIn("/cgi-bin/luci/admin/services/smarthub-exporter", [link["href"] for link in page["links"]])
        self.assertIn("switched off", page["text"])


if __name__ == "__main__":
    unittest.main()
