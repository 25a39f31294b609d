"""A fake hub for the packaging tests that run the exporter somewhere cargo's
test support cannot reach (inside a container): a real HTTP server on
loopback serving every collector's default fixture at its page (the
collectors as the binary under test lists them, see _collectors.py),
refusing requests without a Referer with a 403 as the hub has since 2022,
and logging every request."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _collectors import collectors


class FakeHub:
    def __init__(self, binary: Path):
        # Every collector's page: path -> its default fixture.
        self.pages: dict[str, Path] = {c.path: c.fixture for c in collectors(binary)}
        self.requests: list[tuple[str, str | None]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hub.requests.append((self.path, self.headers.get("Referer")))
                page = hub.pages.get(self.path)
                if self.headers.get("Referer") is None:
                    self.send_error(403)
                elif page is None:
                    self.send_error(404)
                else:
                    body = page.read_bytes()
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
