"""What docs/openwrt.md and the UCI config say about sharing port 9101 with
prometheus-node-exporter-ucode (uhttpd on 127.0.0.1:9101), with the real
binary: a listener on another address of the same port is no obstacle,
one on all addresses is refused with a message and exit code 1 (after
which procd's respawn limit takes over)."""

from __future__ import annotations

import socket
import subprocess
import time
import unittest
import urllib.request

from _common import binary


class PortSharingTest(unittest.TestCase):
    def setUp(self):
        # uhttpd as node-exporter-ucode runs it: SO_REUSEADDR, loopback only.
        self.other = socket.socket()
        self.other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.other.bind(("127.0.0.1", 0))
        self.other.listen()
        self.port = self.other.getsockname()[1]

    def tearDown(self):
        self.other.close()

    def test_another_address_on_the_same_port_works(self):
        # 127.0.0.2 stands for the lan address (also loopback, so no traffic leaves).
        p = subprocess.Popen([str(binary()), "--listen", f"127.0.0.2:{self.port}", "--host", "127.0.0.1:9"],
                             stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.2:{self.port}/-/healthy", timeout=2) as r:
                        self.assertEqual(r.status, 200)
                        break
                except OSError:
                    self.assertIsNone(p.poll(), "the exporter exited")
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.1)
        finally:
            p.terminate()
            p.wait(timeout=10)
            p.stderr.close()

    def test_all_addresses_on_the_same_port_is_refused(self):
        r = subprocess.run([str(binary()), "--listen", f"0.0.0.0:{self.port}", "--host", "127.0.0.1:9"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn(str(self.port), r.stderr)


if __name__ == "__main__":
    unittest.main()
