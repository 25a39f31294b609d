"""Dockerfile and Kubernetes Deployment, read: for each architecture, the
stage it resolves to and the binary that stage copies. release_image.py
builds the image with buildah and runs it with podman."""

from __future__ import annotations

import re
import unittest

from _common import ROOT, openwrt_pkg

try:
    import yaml
except ImportError:  # a failure, not a skip: the test needs PyYAML
    yaml = None

# buildx --platform -> TARGETARCH, and the cross-build target it needs.
PLATFORMS = {
    "linux/amd64": ("amd64", "x86_64-unknown-linux-musl"),
    "linux/arm64": ("arm64", "aarch64-unknown-linux-musl"),
    "linux/arm/v7": ("arm", "armv7-unknown-linux-musleabihf"),
}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


class DockerfileTest(unittest.TestCase):
    def setUp(self):
        self.ins = instructions((ROOT / "Dockerfile").read_text())

    def stages(self) -> dict[str, list[tuple[str, str]]]:
        """Instructions per stage; those before the first FROM under None."""
        stages, current = {None: []}, None
        for word, args in self.ins:
            if word == "FROM":
                m = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
                current = m[2] or "final"
                stages[current] = [("FROM", m[1])]
            else:
                stages[current].append((word, args))
        return stages

    def test_each_platform_gets_its_static_binary(self):
        stages = self.stages()
        final_base = stages["final"][0][1]
        self.assertEqual(final_base, "bin-${TARGETARCH}")
        for platform, (arch, target) in PLATFORMS.items():
            stage = stages[final_base.replace("${TARGETARCH}", arch)]
            self.assertEqual(stage[0], ("FROM", "scratch"), platform)
            copies = [a for w, a in stage if w == "COPY"]
            self.assertEqual(copies, [f"dist/bin/{target}/smarthub-exporter /smarthub-exporter"], platform)
            self.assertIn(target, openwrt_pkg.TARGET_ELF, "a target the cross build makes")

    def test_targetarch_is_declared_before_the_first_from(self):
        # Only BuildKit pre-defines it; buildah and podman would read `FROM bin-`.
        self.assertEqual(self.stages()[None], [("ARG", "TARGETARCH")])

    def test_runtime_settings(self):
        final = self.stages()["final"]
        self.assertEqual([a for w, a in final if w == "USER"], ["65534:65534"])
        self.assertEqual([a for w, a in final if w == "EXPOSE"], ["9101"])
        self.assertEqual([a for w, a in final if w == "ENTRYPOINT"], ['["/smarthub-exporter"]'])
        self.assertFalse(any(w == "RUN" for w, _ in self.ins), "FROM scratch has no shell to RUN")

    def test_dockerignore_lets_the_binaries_in(self):
        lines = (ROOT / ".dockerignore").read_text().splitlines()
        self.assertEqual([line for line in lines if line and not line.startswith("#")], ["*", "!dist/bin/"])


class KubernetesTest(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(yaml, "PyYAML is needed (pip install pyyaml, or apt python3-yaml)")
        docs = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()))
        self.assertEqual(len(docs), 1)
        self.deploy = docs[0]
        self.pod = self.deploy["spec"]["template"]
        self.container = self.pod["spec"]["containers"][0]

    def test_deployment(self):
        self.assertEqual((self.deploy["apiVersion"], self.deploy["kind"]), ("apps/v1", "Deployment"))
        self.assertEqual(self.deploy["spec"]["selector"]["matchLabels"], self.pod["metadata"]["labels"])
        self.assertEqual(self.pod["metadata"]["annotations"], {
            "prometheus.io/port": "9101", "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics"})
        self.assertEqual(self.container["env"], [{"name": "SMARTHUB_HOST", "value": "192.168.1.254"}])
        self.assertRegex(self.container["image"], r"^ghcr.io/smarthub-exporter/smarthub-exporter:v\d")

    def test_probes_use_the_cheap_endpoint(self):
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(ports, {"metrics": 9101})
        for probe in ("livenessProbe", "readinessProbe"):
            get = self.container[probe]["httpGet"]
            self.assertEqual(get["path"], "/-/healthy", probe)
            self.assertEqual(ports.get(get["port"], get["port"]), 9101, probe)

    def test_unprivileged(self):
        pod_sc, sc = self.pod["spec"]["securityContext"], self.container["securityContext"]
        self.assertTrue(pod_sc["runAsNonRoot"])
        self.assertEqual(pod_sc["runAsUser"], 65534)
        self.assertFalse(sc["allowPrivilegeEscalation"])
        self.assertTrue(sc["readOnlyRootFilesystem"])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])

    def test_resources(self):
        res = self.container["resources"]
        self.assertEqual(res["limits"], {"cpu": "50m", "memory": "50Mi"})
        self.assertIn("requests", res)


if __name__ == "__main__":
    unittest.main()
