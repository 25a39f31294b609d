"""The container image as the release makes it: packaging/image.sh builds one
image per platform from the cross-built binaries in dist/bin/ with Debian's
buildah and assembles the manifest list; the list is pushed to an OCI layout
(what a registry receives) and read back; podman runs it and a client scrapes
it against a fake hub.

buildah and podman run with a store and configuration of their own in a
temporary directory: vfs storage and chroot isolation (no overlayfs or user
namespaces needed), runc with cgroupfs and no default ulimits (a sandbox
without CAP_SYS_RESOURCE or a systemd cgroup manager; as root on a plain
Debian machine these work as well), and the host network (no CNI or
netavark setup; the exporter listens on a loopback port of its own)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path

from _common import ROOT
from _collectors import collectors
from _fake_hub import FakeHub

NAME = "localhost/smarthub-exporter:test"
# OCI platform -> (architecture, variant, the cross-build target it copies).
PLATFORMS = {
    "linux/amd64": ("amd64", None, "x86_64-unknown-linux-musl"),
    "linux/arm64": ("arm64", None, "aarch64-unknown-linux-musl"),
    "linux/arm/v7": ("arm", "v7", "armv7-unknown-linux-musleabihf"),
}
CONTAINERS_CONF = """\
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "{tmp}/libpod-tmp"
"""
STORAGE_CONF = """\
[storage]
driver = "vfs"
graphroot = "{tmp}/storage"
runroot = "{tmp}/run"
"""

env: dict[str, str] = {}
tmp: Path
oci: Path


def run(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: exit {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return r


def setUpModule():
    global tmp, oci
    for tool in ("buildah", "podman", "runc"):
        if shutil.which(tool) is None:
            raise AssertionError(f"{tool} is missing: apt-get install buildah podman runc")
    for _platform, (_arch, _variant, target) in PLATFORMS.items():
        if not (ROOT / "dist" / "bin" / target / "smarthub-exporter").is_file():
            raise AssertionError(f"no dist/bin/{target}/smarthub-exporter: run packaging/cross-build.sh")
    tmp = Path(tempfile.mkdtemp(prefix="smarthub-image-"))
    (tmp / "containers.conf").write_text(CONTAINERS_CONF.format(tmp=tmp))
    (tmp / "storage.conf").write_text(STORAGE_CONF.format(tmp=tmp))
    env.update(os.environ, CONTAINERS_CONF=str(tmp / "containers.conf"),
               CONTAINERS_STORAGE_CONF=str(tmp / "storage.conf"), BUILDAH_ISOLATION="chroot")
    run("sh", str(ROOT / "packaging" / "image.sh"), NAME)
    oci = tmp / "oci"
    run("buildah", "manifest", "push", "--all", NAME, f"oci:{oci}")


def tearDownModule():
    if "tmp" in globals():
        run("podman", "rm", "--all", "--force", check=False)
        # vfs layers hold root-owned read-only files; podman removes its own.
        run("podman", "system", "reset", "--force", check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def blob(digest: str) -> bytes:
    algo, hexdigest = digest.split(":")
    data = (oci / "blobs" / algo / hexdigest).read_bytes()
    assert hashlib.new(algo, data).hexdigest() == hexdigest, digest
    return data


class ManifestTest(unittest.TestCase):
    def test_the_list_names_every_platform(self):
        listed = json.loads(run("buildah", "manifest", "inspect", NAME).stdout)
        got = sorted((m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant"))
                     for m in listed["manifests"])
        want = sorted(("linux", arch, variant) for arch, variant, _ in PLATFORMS.values())
        self.assertEqual(got, want)

    def test_each_image_is_its_platforms_binary_alone(self):
        index = json.loads((oci / "index.json").read_text())
        # The pushed list is the index's one entry; its manifests, one per platform.
        (entry,) = index["manifests"]
        manifests = json.loads(blob(entry["digest"]))["manifests"]
        self.assertEqual(len(manifests), len(PLATFORMS))
        weights = []
        for m in manifests:
            platform = m["platform"]
            key = "/".join(filter(None, (platform["os"], platform["architecture"], platform.get("variant"))))
            arch, variant, target = PLATFORMS[key]
            image = json.loads(blob(m["digest"]))
            config = json.loads(blob(image["config"]["digest"]))
            self.assertEqual((config["os"], config["architecture"], config.get("variant")),
                             ("linux", arch, variant), key)
            self.assertEqual(config["config"]["User"], "65534:65534", key)
            self.assertEqual(config["config"]["Entrypoint"], ["/smarthub-exporter"], key)
            self.assertEqual(list(config["config"]["ExposedPorts"]), ["9101/tcp"], key)
            self.assertEqual(config["config"]["Labels"]["org.opencontainers.image.title"], "smarthub-exporter")
            (layer,) = image["layers"]
            packed = blob(layer["digest"])
            raw = gzip.decompress(packed) if layer["mediaType"].endswith("gzip") else packed
            with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
                members = [t for t in tar.getmembers() if t.name.strip("./")]
                self.assertEqual([(t.name.strip("./"), t.isfile(), t.mode, t.uid) for t in members],
                                 [("smarthub-exporter", True, 0o755, 0)], key)
                binary = ROOT / "dist" / "bin" / target / "smarthub-exporter"
                self.assertEqual(tar.extractfile(members[0]).read(), binary.read_bytes(), key)
            weights.append(f"{key} {len(packed)} bytes pushed ({len(raw)} unpacked)")
        print("\n  image weights: " + "; ".join(sorted(weights)), end=" ... ")


def amd64_binary() -> Path:
    """The binary of the list's amd64 image, which runs natively here: the
    one whose --help names the collectors the fake hub serves."""
    return ROOT / "dist" / "bin" / PLATFORMS["linux/amd64"][2] / "smarthub-exporter"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode()


class RunTest(unittest.TestCase):
    """The image run as a user runs it: the list's name (podman picks this
    machine's platform, amd64), the hub in $SMARTHUB_HOST."""

    def setUp(self):
        self.hub = FakeHub(amd64_binary())
        self.port = free_port()
        r = run("podman", "run", "--detach", "--network", "host", "--env", f"SMARTHUB_HOST={self.hub.host}",
                NAME, "--listen", f"127.0.0.1:{self.port}", "--cache-ttl", "0")
        self.container = r.stdout.strip()
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(f"http://127.0.0.1:{self.port}/-/healthy")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    logs = run("podman", "logs", self.container, check=False)
                    raise AssertionError(f"the container never answered:\n{logs.stdout}{logs.stderr}")
                time.sleep(0.2)

    def tearDown(self):
        run("podman", "rm", "--force", self.container, check=False)
        self.hub.close()

    def inspect(self) -> dict:
        return json.loads(run("podman", "inspect", self.container).stdout)[0]

    def test_serves_the_hubs_metrics_as_nobody(self):
        self.assertEqual(self.inspect()["ImageName"], NAME)
        status, body = get(f"http://127.0.0.1:{self.port}/metrics")
        self.assertEqual(status, 200)
        lines = body.splitlines()
        # The default fixtures (what _fake_hub serves): tests/fixtures/hub/
        # wan.xml's uptime and WAN counter, lan.js's one device with traffic.
        self.assertIn("smarthub_up 1", lines)
        for c in collectors(amd64_binary()):
            self.assertIn(f'smarthub_scrape_collector_success{{collector="{c.name}"}} 1', lines)
        self.assertIn("smarthub_uptime 973412", lines)
        self.assertIn("smarthub_downloaded_bytes 67192513981", lines)
        self.assertTrue(any(line.startswith("smarthub_lan_downloaded_bytes{")
                            and 'hostname="Annes-MacBook-Air"' in line and line.endswith(" 901874113")
                            for line in lines), body[:2000])
        # Every page was asked for, each with a Referer (else the hub says 403).
        self.assertEqual({p for p, _ in self.hub.requests}, set(self.hub.pages))
        self.assertTrue(all(referer for _, referer in self.hub.requests), self.hub.requests)

        pid = self.inspect()["State"]["Pid"]
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        self.assertEqual(status["Uid"].split(), ["65534"] * 4)
        self.assertEqual(status["Gid"].split(), ["65534"] * 4)
        self.assertEqual(int(status["CapEff"], 16), 0)
        # The list's amd64 image, on this amd64 machine.
        self.assertEqual(Path(f"/proc/{pid}/exe").read_bytes(), amd64_binary().read_bytes())

    def test_stops_at_sigterm_with_exit_code_0(self):
        # podman stop sends SIGTERM, then SIGKILL (exit code 137) after 10 s.
        run("podman", "stop", self.container)
        state = self.inspect()["State"]
        self.assertEqual((state["Status"], state["ExitCode"]), ("exited", 0))


if __name__ == "__main__":
    unittest.main()
