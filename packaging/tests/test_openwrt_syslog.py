"""The command line the init script gives procd, run with the real binary,
logs to syslog at each line's severity: what logd stores and `logread`
shows (daemon.info, daemon.err), where procd's stderr capture would have
made every line daemon.err. A datagram socket stands in for logd's
/dev/log (the exporter's SMARTHUB_EXPORTER_SYSLOG_SOCKET points it there)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path

from _common import INIT, STANDINS, binary, parse_record

DAEMON = 3  # syslog facility daemon
SEVERITY = {"err": 3, "warning": 4, "info": 6}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SyslogTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.log.bind(str(self.tmp / "log"))
        self.log.settimeout(10)

    def tearDown(self):
        self.log.close()
        shutil.rmtree(self.tmp)

    def init_command(self, port: int, hub_port: int) -> list[str]:
        """What procd would exec for this config (no ujail on this router)."""
        (self.tmp / "config").mkdir()
        (self.tmp / "config" / "smarthub-exporter").write_text(
            "config smarthub-exporter 'main'\n"
            f"\toption host '127.0.0.1:{hub_port}'\n"
            f"\toption listen_port '{port}'\n"
            "\toption timeout '2'\n"
            "\toption cache_ttl '0'\n")
        record = self.tmp / "record"
        env = {"PATH": os.environ["PATH"], "RECORD": str(record), "UCI_CONFIG_DIR": str(self.tmp / "config"),
               "IPKG_INSTROOT": str(STANDINS), "ROUTER_ROOT": str(self.tmp / "router"),
               "TEST_IPADDR_lan": "127.0.0.1"}
        subprocess.run(["busybox", "sh", str(STANDINS / "etc" / "rc.common"), str(INIT), "start"],
                       env=env, check=True)
        (argv,) = [c[1:] for c in parse_record(record) if c[0] == "procd_exec"]
        self.assertEqual(argv[0], "/usr/bin/smarthub-exporter")
        self.assertIn("--syslog", argv)
        return [str(binary()), *argv[1:]]

    def receive(self, until: str) -> list[tuple[int, int, str]]:
        """(facility, severity, message) of each datagram until one contains `until`."""
        got = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            data = self.log.recv(4096).decode()
            m = re.fullmatch(r"<(\d+)>smarthub-exporter\[(\d+)\]: (.*)", data, re.S)
            self.assertIsNotNone(m, f"not a syslog datagram logd would take: {data!r}")
            self.assertEqual(int(m[2]), self.proc.pid)
            got.append((int(m[1]) >> 3, int(m[1]) & 7, m[3]))
            if until in m[3]:
                return got
        raise AssertionError(f"no line with {until!r} in {got}")

    def test_each_line_reaches_syslog_at_its_severity(self):
        port, hub_port = free_port(), free_port()  # nothing listens on hub_port
        cmd = self.init_command(port, hub_port)
        self.proc = subprocess.Popen(cmd, env={"SMARTHUB_EXPORTER_SYSLOG_SOCKET": str(self.tmp / "log")},
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            started = self.receive("listening on")
            self.assertEqual(started[-1][:2], (DAEMON, SEVERITY["info"]))
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                self.assertIn(b"smarthub_up 0", r.read())
            failed = self.receive(f"127.0.0.1:{hub_port}")
            self.assertEqual(failed[-1][:2], (DAEMON, SEVERITY["err"]), failed[-1])
        finally:
            self.proc.terminate()
            _, stderr = self.proc.communicate(timeout=10)
        # Nothing went the stderr way (procd would have made it daemon.err).
        self.assertEqual(stderr, b"")


if __name__ == "__main__":
    unittest.main()
