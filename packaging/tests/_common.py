"""Shared paths and helpers of the packaging tests."""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import openwrt_pkg  # noqa: E402  (needs the path above)

STANDINS = ROOT / "packaging" / "tests" / "openwrt-root"
INIT = ROOT / "packaging" / "openwrt-feed" / "files" / "smarthub-exporter.init"
CONFIG = ROOT / "packaging" / "openwrt-feed" / "files" / "smarthub-exporter.config"
UNIT = ROOT / "packaging" / "systemd" / "smarthub-exporter.service"


def binary() -> Path:
    """The exporter binary to package: $SMARTHUB_BINARY, else the native
    release build (packaging/test.sh builds it when missing)."""
    path = Path(os.environ.get("SMARTHUB_BINARY", ROOT / "target" / "release" / "smarthub-exporter"))
    if not path.is_file():
        raise AssertionError(f"no exporter binary at {path}; run cargo build --release or set SMARTHUB_BINARY")
    return path


def gzip_members(data: bytes) -> list[tuple[bytes, bytes]]:
    """Split concatenated gzip streams: [(compressed bytes, decompressed bytes)]."""
    members = []
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(rest) + d.flush()
        if not d.eof:
            raise AssertionError("truncated gzip stream")
        used = len(rest) - len(d.unused_data)
        members.append((rest[:used], out))
        rest = d.unused_data
    return members


def parse_record(path: Path) -> list[list[str]]:
    """The calls a stand-in recorded: one list [function, arg...] per call."""
    if not path.exists():
        return []
    return [line.split("\x1f") for line in path.read_text().splitlines()]
