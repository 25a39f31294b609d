"""The rpcd plugin /usr/libexec/rpcd/luci.smarthub-exporter run as rpcd
runs it (`list`; `call status` with JSON on stdin) under dash and busybox
ash, against the real exporter replaying demo/hub on a free port, with the
UCI and netifd stand-ins of packaging/tests/openwrt-root/; its answer then
shown by the status page as a browser would get it."""

from __future__ import annotations

import json
import shutil
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _luci import STATUS, Exporter, call_status, free_port, node, run_plugin, uci_config


class PluginProtocolTest(unittest.TestCase):
    def setUp(self):
        self.uci = uci_config({"listen_interface": "lan", "listen_port": "9101"})

    def tearDown(self):
        shutil.rmtree(self.uci)

    def test_list(self):
        for shell in ("sh", "busybox sh"):
            r = run_plugin("list", uci=self.uci, shell=shell)
            self.assertEqual((r.returncode, r.stderr), (0, ""))
            # rpcd reads one JSON object: method -> its arguments' types.
            self.assertEqual(json.loads(r.stdout), {"status": {}})

    def test_unknown_method_or_verb(self):
        r = run_plugin("call", "reboot", uci=self.uci)
        self.assertNotEqual(r.returncode, 0)
        r = run_plugin("nonsense", uci=self.uci)
        self.assertEqual(r.returncode, 2)


class AgainstTheExporterTest(unittest.TestCase):
    """The plugin fetching the real exporter's /status.json."""

    @classmethod
    def setUpClass(cls):
        cls.exporter = Exporter()

    @classmethod
    def tearDownClass(cls):
        cls.exporter.close()

    def status(self, options: dict[str, str], env: dict[str, str] | None = None, shell: str = "sh") -> dict:
        uci = uci_config(options)
        try:
            return call_status(uci, env, shell)
        finally:
            shutil.rmtree(uci)

    def test_on_the_interfaces_address(self):
        port = str(self.exporter.port)
        for shell in ("sh", "busybox sh"):
            res = self.status({"listen_interface": "lan", "listen_port": port},
                              {"TEST_IPADDR_lan": "127.0.0.1"}, shell)
            self.assertNotIn("error", res, res)
            self.assertEqual(res["url"], f"http://127.0.0.1:{port}/status.json")
            self.assertEqual((res["listen"], res["host"], res["port"], res["interface"]),
                             ("address", "127.0.0.1", port, "lan"))
            st = json.loads(res["body"])
            self.assertEqual(st["schema"], 1)
            self.assertEqual([c["name"] for c in st["collectors"]], ["wan", "lan", "status", "owl"])
            self.assertIn("version", st["exporter"])

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
        self.assertEqual((res["host"], res["url"]), ("[fd00::1]", "http://[fd00::1]:1/status.json"))
        res = self.status({"listen_interface": "lan", "listen_port": "1", "listen_ipv6": "1"},
                          {"TEST_IPADDR_lan": "192.168.1.1"})
        self.assertEqual(res["host"], "192.168.1.1")
        res = self.status({"listen_interface": "*", "listen_port": "1", "listen_ipv6": "yes"})
        self.assertEqual(res["host"], "[::1]")

    def test_defaults_when_unset(self):
        res = self.status({}, {"TEST_IPADDR_lan": "127.0.0.1"})
        self.assertEqual((res["interface"], res["port"]), ("lan", "9101"))


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
        class Overrun(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"scrape overran its time budget\n"
                self.send_response(503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Overrun)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            res = self.status({"listen_port": str(server.server_address[1])}, {"TEST_IPADDR_lan": "127.0.0.1"})
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
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
