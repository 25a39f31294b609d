"""packaging/opkg_feed.py builds a signed opkg feed from real .ipk files
with a throwaway key; the signature is checked with signify-openbsd and by
following usign's verify() (openwrt/usign main.c) the way opkg runs it:
the key installed as `opkg-key add` names it, looked up from the
signature's key number, ed25519 over the uncompressed Packages."""

from __future__ import annotations

import base64
import gzip
import hashlib
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _common import ROOT, binary, openwrt_pkg

import opkg_feed  # noqa: E402  (packaging/ is on the path via _common)

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # .ci/test installs it; a missing module fails the tests below
    Ed25519PublicKey = None


def usign_blob(path: Path) -> bytes:
    """usign's get_base64_file: skip the first line, base64 the rest."""
    return base64.b64decode(path.read_bytes().split(b"\n", 1)[1])


def usign_fingerprint(blob: bytes) -> str:
    """usign -F: the 8 bytes after pkalg, as PRIx64 (no leading zeros)."""
    return format(int.from_bytes(blob[2:10], "big"), "x")


def opkg_key_add(pubkey: Path, keydir: Path) -> Path:
    """What `opkg-key add FILE` does: cp FILE to /etc/opkg/keys/$(usign -F -p FILE)."""
    keydir.mkdir(parents=True, exist_ok=True)
    dest = keydir / usign_fingerprint(usign_blob(pubkey))
    shutil.copy(pubkey, dest)
    return dest


def usign_verify(message: Path, sig: Path, keydir: Path) -> bool:
    """usign -V -P KEYDIR -m MESSAGE (-x MESSAGE.sig), as opkg calls it."""
    sig_blob = usign_blob(sig)
    if len(sig_blob) != 2 + 8 + 64 or sig_blob[:2] != b"Ed":
        raise AssertionError("Failed to decode signature")
    keyfile = keydir / usign_fingerprint(sig_blob)
    if not keyfile.exists():
        return False
    key_blob = usign_blob(keyfile)
    if len(key_blob) != 2 + 8 + 32 or key_blob[:2] != b"Ed":
        raise AssertionError("Failed to decode public key")
    try:
        Ed25519PublicKey.from_public_bytes(key_blob[10:]).verify(sig_blob[10:], message.read_bytes())
    except InvalidSignature:
        return False
    return True


class OpkgFeedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        cls.key = cls.tmp / "throwaway.sec"
        subprocess.run(["signify-openbsd", "-G", "-n", "-c", "throwaway test key",
                        "-p", str(cls.tmp / "throwaway.pub"), "-s", str(cls.key)], check=True)
        ipks = cls.tmp / "ipk"
        cls.ipks: dict[str, list[Path]] = {}
        for pkgarch in ("mipsel_24kc", "aarch64_cortex-a53"):
            cls.ipks[pkgarch] = [
                openwrt_pkg.build_ipk(openwrt_pkg.make_package(
                    binary(), pkgarch, variant, epoch=1700000000, check_arch=False), ipks / pkgarch)
                for variant in ("js", "nojs")
            ]
        cls.feed = cls.tmp / "feed"
        r = subprocess.run(["sh", str(ROOT / "packaging" / "opkg-feed.sh"), "--ipk-dir", str(ipks),
                            "--key", str(cls.key), "--outdir", str(cls.feed)], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(r.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def stanzas(self, pkgarch: str) -> list[dict[str, str]]:
        out = []
        for block in (self.feed / pkgarch / "Packages").read_text().split("\n\n"):
            if not block.strip():
                continue
            fields, last = {}, None
            for line in block.splitlines():
                if line.startswith(" "):
                    fields[last] += "\n" + line
                else:
                    last, value = line.split(":", 1)
                    fields[last] = value[1:]
            out.append(fields)
        return out

    def test_layout(self):
        self.assertEqual(sorted(p.name for p in self.feed.iterdir()),
                         ["aarch64_cortex-a53", "mipsel_24kc", opkg_feed.PUBKEY_NAME])
        for pkgarch, ipks in self.ipks.items():
            names = sorted(p.name for p in (self.feed / pkgarch).iterdir())
            self.assertEqual(names, sorted(["Packages", "Packages.gz", "Packages.sig"] + [p.name for p in ipks]))

    def test_index_entries_match_the_packages(self):
        for pkgarch, ipks in self.ipks.items():
            stanzas = {s["Package"]: s for s in self.stanzas(pkgarch)}
            self.assertEqual(set(stanzas), {"smarthub-exporter", "smarthub-exporter-nojs"})
            for ipk in ipks:
                data = (self.feed / pkgarch / ipk.name).read_bytes()
                self.assertEqual(data, ipk.read_bytes())
                name = ipk.name.split("_")[0]
                s = stanzas[name]
                self.assertEqual(s["Filename"], ipk.name)
                self.assertEqual(int(s["Size"]), len(data))
                self.assertEqual(s["SHA256sum"], hashlib.sha256(data).hexdigest())
                self.assertEqual(s["Architecture"], pkgarch)
                # ipkg-make-index.sh's order: the three before Description.
                keys = list(s)
                self.assertEqual(keys[-4:], ["Filename", "Size", "SHA256sum", "Description"])
            self.assertEqual(stanzas["smarthub-exporter-nojs"]["Provides"], "smarthub-exporter")
            self.assertNotEqual(stanzas["smarthub-exporter"]["Description"],
                                stanzas["smarthub-exporter-nojs"]["Description"])

    def test_packages_gz_is_the_index(self):
        for pkgarch in self.ipks:
            gz = (self.feed / pkgarch / "Packages.gz").read_bytes()
            self.assertEqual(gzip.decompress(gz), (self.feed / pkgarch / "Packages").read_bytes())

    def test_public_key_is_the_throwaway_keys(self):
        ours = usign_blob(self.feed / opkg_feed.PUBKEY_NAME)
        self.assertEqual(ours, usign_blob(self.tmp / "throwaway.pub"))
        self.assertEqual((self.feed / opkg_feed.PUBKEY_NAME).read_text().splitlines()[0],
                         f"untrusted comment: public key {usign_fingerprint(ours)}")

    def test_signify_verifies_every_index(self):
        for pkgarch in self.ipks:
            d = self.feed / pkgarch
            r = subprocess.run(["signify-openbsd", "-V", "-p", str(self.feed / opkg_feed.PUBKEY_NAME),
                                "-m", str(d / "Packages"), "-x", str(d / "Packages.sig")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_usign_as_opkg_runs_it_verifies_and_refuses_tampering(self):
        self.assertIsNotNone(Ed25519PublicKey, "python3 cryptography is needed (.ci/test installs it)")
        keydir = self.tmp / "etc-opkg-keys"
        installed = opkg_key_add(self.feed / opkg_feed.PUBKEY_NAME, keydir)
        self.assertRegex(installed.name, r"^[0-9a-f]{1,16}$")
        for pkgarch in self.ipks:
            d = self.feed / pkgarch
            self.assertTrue(usign_verify(d / "Packages", d / "Packages.sig", keydir), pkgarch)
            tampered = self.tmp / f"Packages-{pkgarch}"
            tampered.write_bytes((d / "Packages").read_bytes().replace(b"Size: ", b"Size: 1", 1))
            self.assertFalse(usign_verify(tampered, d / "Packages.sig", keydir))
        # Another key in the directory does not make a signature valid.
        other = self.tmp / "other"
        other.mkdir()
        subprocess.run(["signify-openbsd", "-G", "-n", "-p", str(other / "k.pub"), "-s", str(other / "k.sec")],
                       check=True)
        other_keys = self.tmp / "other-keys"
        opkg_key_add(other / "k.pub", other_keys)
        d = self.feed / "mipsel_24kc"
        self.assertFalse(usign_verify(d / "Packages", d / "Packages.sig", other_keys))

    def test_refuses_a_key_with_a_passphrase_and_an_empty_input(self):
        empty = self.tmp / "no-ipks"
        empty.mkdir()
        with self.assertRaisesRegex(opkg_feed.FeedError, "no .ipk"):
            opkg_feed.build_feed(empty, self.key, self.tmp / "out-x")
        blob = bytearray(usign_blob(self.key))
        blob[4:8] = (42).to_bytes(4, "big")
        locked = self.tmp / "locked.sec"
        locked.write_text("untrusted comment: x\n" + base64.b64encode(bytes(blob)).decode() + "\n")
        with self.assertRaisesRegex(opkg_feed.FeedError, "passphrase"):
            opkg_feed.public_key_from_secret(locked)


if __name__ == "__main__":
    unittest.main()
