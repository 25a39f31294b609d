"""The rpcd plugin /usr/libexec/rpcd/luci.smarthub-exporter run as rpcd
runs it (`list`; `call status` with JSON on stdin) under dash and busybox
ash, against the real exporter replaying demo/hub on a free port, with the
UCI and netifd stand-ins of packaging/tests/openwrt-root/ and the real
binary's --help for the collectors; its answer then shown by the status
page as a browser would get it."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _collectors import collectors
from _common import binary
from _luci import (PLUGIN_MAX_OUTPUT, STATUS, Exporter, call_status, free_port, node, run_plugin,
                   uci_config)


def binary_help() -> str:
    return subprocess.run([str(binary()), "--help"], capture_output=True, text=True, check=True).stdout


class StandInServer:
    """An HTTP server on 127.0.0.1 answering every GET with STATUS and BODY
    (for what the real exporter cannot be made to answer on demand)."""

    def __init__(self, status: int, body: bytes):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.server.paths.append(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The plugin hangs up on an answer past what it keeps.
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.paths = []
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class PluginProtocolTest(unittest.TestCase):
    def setUp(self):
        self.uci = uci_config({"listen_interface": "lan", "listen_port": "9101"})

    def tearDown(self):
        shutil.rmtree(self.uci)

    def test_list(self):
        for shell in ("sh", "busybox sh"):
            r = run_plugin("list", uci=self.uci, shell=shell)
            self.assertEqual((r.returncode, r.stderr), (0, ""))
            # rpcd reads one JSON object: method -> its arguments' types
            # (a boolean, by an example value).
            self.assertEqual(json.loads(r.stdout), {"status": {"fetch": True}})

    def test_unknown_method_or_verb(self):
        r = run_plugin("call", "reboot", uci=self.uci)
        self.assertNotEqual(r.returncode, 0)
        r = run_plugin("nonsense", uci=self.uci)
        self.assertEqual(r.returncode, 2)


class AgainstTheExporterTest(unittest.TestCase):
    """The plugin fetching the real exporter's /status.json (demo/hub
    without its replayed day: see _luci.demo_without_day)."""

    @classmethod
    def setUpClass(cls):
        cls.exporter = Exporter(day=False)

    @classmethod
    def tearDownClass(cls):
        cls.exporter.close()

    def status(self, options: dict[str, str], env: dict[str, str] | None = None, shell: str = "sh",
               fetch: bool = True) -> dict:
        uci = uci_config(options)
        try:
            return call_status(uci, env, shell, fetch)
        finally:
            shutil.rmtree(uci)

    def test_on_the_interfaces_address(self):
        port = str(self.exporter.port)
        for shell in ("sh", "busybox sh"):
            res = self.status({"listen_interface": "lan", "listen_port": port},
                              {"TEST_IPADDR_lan": "127.0.0.1"}, shell)
            self.assertNotIn("error", res, res)
            # Without the history, which the page does not show.
            self.assertEqual(res["url"], f"http://127.0.0.1:{port}/status.json?history=0")
            self.assertEqual((res["listen"], res["host"], res["port"], res["interface"]),
                             ("address", "127.0.0.1", port, "lan"))
            st = json.loads(res["body"])
            self.assertEqual(st["schema"], 1)
            self.assertEqual([c["name"] for c in st["collectors"]], [c.name for c in collectors(binary())])
            self.assertIn("version", st["exporter"])

    def test_the_collectors_are_the_installed_binarys(self):
        want = collectors(binary())
        for shell in ("sh", "busybox sh"):
            res = self.status({"listen_port": str(self.exporter.port)}, {"TEST_IPADDR_lan": "127.0.0.1"}, shell)
            self.assertNotIn("collectors_error", res)
            self.assertEqual([(c["name"], c["page"]) for c in res["collectors"]], [(c.name, c.path) for c in want])
            # What each serves, as --help words it.
            help_text = " ".join(binary_help().split())
            for c in res["collectors"]:
                self.assertEqual(set(c), {"name", "description", "page"})
                self.assertGreater(len(c["description"]), 10, c)
                self.assertIn(f"{c['name']} {c['description']} ({c['page']})", help_text)

    def test_without_the_fetch_only_the_collectors(self):
        # The settings form's call: nothing fetched, so an exporter that
        # hangs or is not there never holds the form up.
        for port in (str(self.exporter.port), str(free_port())):
            res = self.status({"listen_port": port}, {"TEST_IPADDR_lan": "127.0.0.1"}, fetch=False)
            self.assertNotIn("body", res)
            self.assertNotIn("error", res)
            self.assertEqual([c["name"] for c in res["collectors"]], [c.name for c in collectors(binary())])

    def test_the_page_shows_the_real_answer(self):
        res = self.status({"listen_interface": "lan", "listen_port": str(self.exporter.port)},
                          {"TEST_IPADDR_lan": "127.0.0.1"})
        page = node("status", str(STATUS), stdin={"answer": res, "hostname": "192.168.1.1"})
        self.assertEqual(page["innerHTML"], [])
        for section in ("Line and WAN", "Devices at home", "Collectors"):
            self.assertIn(section, page["text"])
        self.assertNotIn("does not answer", page["text"])

    def test_everywhere_is_fetched_on_loopback(self):
        res = self.status({"listen_interface": "*", "listen_port": str(self.exporter.port)})
        self.assertEqual((res["listen"], res["host"]), ("everywhere", "127.0.0.1"))
        self.assertEqual(json.loads(res["body"])["schema"], 1)

    def test_an_interface_without_address_falls_back_to_loopback(self):
        res = self.status({"listen_interface": "wan", "listen_port": str(self.exporter.port)})
        self.assertEqual((res["listen"], res["host"]), ("none", "127.0.0.1"))

    def test_ipv6_as_the_init_script_chooses_it(self):
        res = self.status({"listen_interface": "lan", "listen_port": "1", "listen_ipv6": "1"},
                          {"TEST_IPADDR_lan": "192.168.1.1", "TEST_IPADDR6_lan": "fd00::1"})
        self.assertEqual((res["host"], res["url"]), ("[fd00::1]", "http://[fd00::1]:1/status.json?history=0"))
        res = self.status({"listen_interface": "lan", "listen_port": "1", "listen_ipv6": "1"},
                          {"TEST_IPADDR_lan": "192.168.1.1"})
        self.assertEqual(res["host"], "192.168.1.1")
        res = self.status({"listen_interface": "*", "listen_port": "1", "listen_ipv6": "yes"})
        self.assertEqual(res["host"], "[::1]")

    def test_defaults_when_unset(self):
        res = self.status({}, {"TEST_IPADDR_lan": "127.0.0.1"})
        self.assertEqual((res["interface"], res["port"]), ("lan", "9101"))


class ADayOfHistoryTest(unittest.TestCase):
    """The real exporter replaying demo/hub with its day: /status.json with
    1440 points of history is ~280 KB, over what the plugin passes on."""

    def test_history_left_out_or_too_large_refused_in_words(self):
        exporter = Exporter()
        try:
            port = str(exporter.port)
            url = f"http://127.0.0.1:{port}/status.json?history=0"
            with urllib.request.urlopen(url, timeout=60) as r:
                seen = r.read()
            uci = uci_config({"listen_port": port})
            try:
                res = call_status(uci, {"TEST_IPADDR_lan": "127.0.0.1"})
            finally:
                shutil.rmtree(uci)
        finally:
            exporter.close()
        if b'"history"' in seen:
            # An exporter that ignores the query (it routes by path): the
            # whole day, refused with its size, which the page words.
            self.assertGreater(len(seen), PLUGIN_MAX_OUTPUT)
            self.assertEqual((res["error"], res["limit"]), ("too_large", PLUGIN_MAX_OUTPUT))
            self.assertNotIn("body", res)
            # The same answer as the test's own fetch, but for the digits of
            # the clock and of the scrape's duration.
            self.assertLess(abs(res["bytes"] - len(seen)), 64, (res["bytes"], len(seen)))
            page = node("status", str(STATUS), stdin={"answer": res})
            self.assertIn(f"answered with {res['bytes']} bytes, more than the {PLUGIN_MAX_OUTPUT}", page["text"])
            self.assertIn("update smarthub-exporter", page["text"])
        else:
            # An exporter that leaves the history out: the rest, passed on.
            self.assertNotIn("error", res, res)
            body = json.loads(res["body"])
            self.assertNotIn("history", body)
            self.assertEqual(body["schema"], 1)


class SizeLimitTest(unittest.TestCase):
    """The plugin's limit, exactly: an answer that fits once escaped is
    passed on, one byte more is refused with its size."""

    def answer(self, body: bytes) -> tuple[dict, int, StandInServer]:
        server = StandInServer(200, body)
        try:
            uci = uci_config({"listen_port": str(server.port)})
            try:
                r = run_plugin("call", "status", uci=uci, env={"TEST_IPADDR_lan": "127.0.0.1"})
            finally:
                shutil.rmtree(uci)
        finally:
            server.close()
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout), len(r.stdout.encode()), server.server

    def test_the_limit_counts_the_escapes(self):
        # How much the answer's other fields take, with a body of one byte.
        res, printed, server = self.answer(b"x")
        self.assertEqual(server.paths, ["/status.json?history=0"])
        self.assertEqual(res["body"], "x")
        room = PLUGIN_MAX_OUTPUT - (printed - 1)
        # A body of quotes and backslashes doubles once escaped: it fits
        # exactly, or not by one byte.
        for extra, fits in ((0, True), (1, False)):
            quotes = (room + extra) // 2
            body = b'"\\' * (quotes // 2) + b'"' * (quotes % 2) + b"y" * ((room + extra) % 2)
            res, printed, _ = self.answer(body)
            if fits:
                self.assertEqual(printed, PLUGIN_MAX_OUTPUT)
                self.assertEqual(res["body"].encode(), body)
            else:
                self.assertEqual((res["error"], res["bytes"], res["limit"]), ("too_large", len(body), PLUGIN_MAX_OUTPUT))
                self.assertNotIn("body", res)
                # Far less than the body it would have been.
                self.assertLess(printed, 4096)

    def test_an_endless_answer_is_cut_off(self):
        # Whatever answers on the port, the plugin keeps at most 1 MiB.
        res, _, _ = self.answer(b"z" * (4 * 1024 * 1024))
        self.assertEqual(res["error"], "too_large")
        self.assertNotIn("bytes", res)
        self.assertEqual(res["detail"], "more than 1048576 bytes")
        page = node("status", str(STATUS), stdin={"answer": res})
        self.assertIn(f"answered with more than the {PLUGIN_MAX_OUTPUT} bytes", page["text"])
        self.assertIn("Details: more than 1048576 bytes", page["text"])


class CollectorsUnreadableTest(unittest.TestCase):
    """The collectors come from the installed binary's --help or not at all:
    a list the plugin cannot read exactly is refused in words."""

    def status_with(self, exporter: Path) -> dict:
        uci = uci_config({"listen_port": str(free_port())})
        try:
            return call_status(uci, {"TEST_IPADDR_lan": "127.0.0.1"}, fetch=False, exporter=exporter)
        finally:
            shutil.rmtree(uci)

    def test_no_exporter_installed(self):
        with tempfile.TemporaryDirectory() as empty:
            res = self.status_with(Path(empty))
        self.assertEqual(res["collectors"], [])
        self.assertEqual(res["collectors_error"], "smarthub-exporter is not installed")

    def test_a_help_the_plugin_cannot_read(self):
        real = binary_help()
        first_collector = real.split("\nCollectors (", 1)[1].splitlines()[1]
        cases = {
            # A line that is not `  NAME  what (PAGE)`.
            real.replace(first_collector, "  wan: the WAN"): "not a collector's line in smarthub-exporter --help:   wan: the WAN",
            # No section at all.
            real.split("\nCollectors (", 1)[0] + "\n": "smarthub-exporter --help names no collector",
        }
        for text, why in cases.items():
            with tempfile.TemporaryDirectory() as d:
                fake = Path(d) / "smarthub-exporter"
                (Path(d) / "help").write_text(text)
                fake.write_text(f"#!/bin/sh\ncat '{d}/help'\n")
                fake.chmod(0o755)
                res = self.status_with(Path(d))
            self.assertEqual((res["collectors"], res["collectors_error"]), ([], why))


class UnreachableTest(unittest.TestCase):
    def status(self, options: dict[str, str], env: dict[str, str] | None = None) -> dict:
        uci = uci_config(options)
        try:
            return call_status(uci, env)
        finally:
            shutil.rmtree(uci)

    def test_nothing_listening(self):
        res = self.status({"listen_interface": "lan", "listen_port": str(free_port())},
                          {"TEST_IPADDR_lan": "127.0.0.1"})
        self.assertEqual(res["error"], "unreachable")
        self.assertIn("refused", res["detail"])
        self.assertNotIn("body", res)
        page = node("status", str(STATUS), stdin={"answer": res})
        self.assertIn("does not answer at " + res["url"], page["text"])
        self.assertIn("/cgi-bin/luci/admin/services/smarthub-exporter", [link["href"] for link in page["links"]])

    def test_an_http_error_is_told_apart(self):
        # A 503 with a one-line body, as the exporter answers when a scrape
        # overran its budget (a stand-in server: the real one cannot be
        # made to overrun on demand).
        server = StandInServer(503, b"scrape overran its time budget\n")
        try:
            res = self.status({"listen_port": str(server.port)}, {"TEST_IPADDR_lan": "127.0.0.1"})
        finally:
            server.close()
        self.assertEqual((res["error"], res["code"]), ("http", 503))
        page = node("status", str(STATUS), stdin={"answer": res})
        self.assertIn("took longer than its time budget (HTTP 503)", page["text"])

    def test_a_port_the_exporter_would_refuse(self):
        for port in ("0", "65536", "9x", "123456789012345678901234567890"):
            res = self.status({"listen_port": port}, {"TEST_IPADDR_lan": "127.0.0.1"})
            self.assertEqual(res["error"], "config", port)
            self.assertEqual(res["port"], port)


if __name__ == "__main__":
    unittest.main()
