"""A fake hub for the packaging tests that run the exporter somewhere cargo's
test support cannot reach (inside a container): a real HTTP server on
loopback serving the fixtures of tests/fixtures/, refusing requests without a
Referer with a 403 as the hub has since 2022, and logging every request."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _common import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
# The pages of a hub with FTTP and two devices, as tests/it/metrics/wan.rs serves
# them; the values the tests expect are that suite's.
PAGES = {
    "/nonAuth/wan_conn.xml": "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
    "/cgi/cgi_basicMyDevice.js": "hub/lan_2dev.js",
    "/cgi/cgi_basicStatus.js": "hub/status_vdsl2.js",
    "/cgi/cgi_owl.js": "hub/owl_hub_only.js",
}


class FakeHub:
    def __init__(self):
        self.requests: list[tuple[str, str | None]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hub.requests.append((self.path, self.headers.get("Referer")))
                page = PAGES.get(self.path)
                if self.headers.get("Referer") is None:
                    self.send_error(403)
                elif page is None:
                    self.send_error(404)
                else:
                    body = (FIXTURES / page).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
