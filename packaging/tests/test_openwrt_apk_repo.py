"""packaging/apk_repo.py builds a signed v2 apk repository from real .apk
files with a throwaway RSA key; the index is read back byte by byte the way
apk-tools reads it (two gzip streams, the signature tar cut), the signature
is checked over the index stream with the published public key, and every
entry's identity (C:) is checked against its package."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import tarfile
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, binary, gzip_members, openwrt_pkg

import apk_repo  # noqa: E402  (packaging/ is on the path via _common)

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:  # .ci/test installs it; the tests below then fail
    serialization = None


def parse_index(text: str) -> list[dict[str, str]]:
    entries = []
    for block in text.split("\n\n"):
        if block.strip():
            entries.append(dict(line.split(":", 1) for line in block.splitlines()))
    return entries


class ApkRepoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        cls.key = cls.tmp / "throwaway.rsa"
        subprocess.run(["openssl", "genrsa", "-out", str(cls.key), "2048"], check=True, capture_output=True)
        apks = cls.tmp / "apk"
        cls.apks: dict[str, list[Path]] = {}
        for pkgarch in ("mipsel_24kc", "aarch64_cortex-a53"):
            cls.apks[pkgarch] = [
                openwrt_pkg.build_apk(openwrt_pkg.make_package(
                    binary(), pkgarch, variant, epoch=1700000000, check_arch=False), apks / pkgarch)
                for variant in ("js", "nojs")
            ]
        cls.repo = cls.tmp / "repo"
        r = subprocess.run(["sh", str(ROOT / "packaging" / "apk-repo.sh"), "--apk-dir", str(apks),
                            "--key", str(cls.key), "--outdir", str(cls.repo)], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(r.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def streams(self, pkgarch: str) -> list[tuple[bytes, bytes]]:
        return gzip_members((self.repo / pkgarch / "APKINDEX.tar.gz").read_bytes())

    def test_layout(self):
        self.assertEqual(sorted(p.name for p in self.repo.iterdir()),
                         ["aarch64_cortex-a53", "mipsel_24kc", apk_repo.KEY_NAME])
        for pkgarch, apks in self.apks.items():
            self.assertEqual(sorted(p.name for p in (self.repo / pkgarch).iterdir()),
                             sorted(["APKINDEX.tar.gz"] + [p.name for p in apks]))

    def test_signature_stream_is_one_cut_tar_member(self):
        for pkgarch in self.apks:
            streams = self.streams(pkgarch)
            self.assertEqual(len(streams), 2)
            sig_tar = streams[0][1]
            self.assertEqual(len(sig_tar) % 512, 0)
            self.assertNotEqual(sig_tar[-512:], bytes(512), "end-of-archive blocks must be cut")
            name = sig_tar[:100].rstrip(b"\0").decode()
            self.assertEqual(name, f".SIGN.RSA.{apk_repo.KEY_NAME}")

    def signature_ok(self, signed: bytes, signature: bytes) -> bool:
        public = serialization.load_pem_public_key((self.repo / apk_repo.KEY_NAME).read_bytes())
        try:
            public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA1())
        except InvalidSignature:
            return False
        return True

    def test_signature_covers_the_index_stream(self):
        self.assertIsNotNone(serialization, "python3 cryptography is needed (.ci/test installs it)")
        for pkgarch in self.apks:
            (sig_gz, sig_tar), (index_gz, _) = self.streams(pkgarch)
            with tarfile.open(fileobj=io.BytesIO(sig_tar + bytes(1024))) as tf:
                signature = tf.extractfile(tf.getmembers()[0]).read()
            self.assertTrue(self.signature_ok(index_gz, signature), pkgarch)
            tampered = bytearray(index_gz)
            tampered[len(tampered) // 2] ^= 1
            self.assertFalse(self.signature_ok(bytes(tampered), signature))

    def test_entries_identify_their_packages(self):
        for pkgarch, apks in self.apks.items():
            _, (_, index_tar) = self.streams(pkgarch)
            with tarfile.open(fileobj=io.BytesIO(index_tar)) as tf:
                self.assertEqual(tf.getnames(), ["DESCRIPTION", "APKINDEX"])
                entries = {e["P"]: e for e in parse_index(tf.extractfile("APKINDEX").read().decode())}
            self.assertEqual(set(entries), {"smarthub-exporter", "smarthub-exporter-nojs"})
            for apk in apks:
                data = (self.repo / pkgarch / apk.name).read_bytes()
                control_gz = gzip_members(data)[0][0]
                info, _ = apk_repo.read_pkginfo(apk)
                e = entries[info["pkgname"][0]]
                self.assertEqual(e["C"], "Q1" + base64.b64encode(hashlib.sha1(control_gz).digest()).decode())
                self.assertEqual(int(e["S"]), len(data))
                self.assertEqual(apk.name, f"{e['P']}-{e['V']}.apk")  # where apk fetches it
                for key, letter in (("pkgver", "V"), ("arch", "A"), ("size", "I"), ("pkgdesc", "T"),
                                    ("license", "L"), ("origin", "o")):
                    self.assertEqual(e[letter], info[key][0], letter)
                self.assertEqual(e["A"], pkgarch)
            self.assertEqual(entries["smarthub-exporter-nojs"]["p"],
                             f"smarthub-exporter={entries['smarthub-exporter-nojs']['V']}")
            self.assertEqual(entries["smarthub-exporter"]["k"], "100")
            self.assertNotEqual(entries["smarthub-exporter"]["T"], entries["smarthub-exporter-nojs"]["T"])

    def test_refuses_signed_or_foreign_input(self):
        bad = self.tmp / "bad"
        (bad / "x86_64").mkdir(parents=True)
        (bad / "x86_64" / "x-1.apk").write_bytes(b"not gzip")
        with self.assertRaisesRegex(apk_repo.RepoError, "not gzip"):
            apk_repo.build_repo(bad, self.key, self.tmp / "bad-out")
        with self.assertRaisesRegex(apk_repo.RepoError, "not an RSA private key"):
            apk_repo.public_pem(self.repo / apk_repo.KEY_NAME)


if __name__ == "__main__":
    unittest.main()
