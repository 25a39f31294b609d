"""The exporter's collectors and their pages, for the packaging tests: read
from demo/hub/MANIFEST, which tests/it/replay.rs regenerates from the
collector table (collector::ALL in src/collector.rs) and keeps whole: one
`page` section per collector, in the table's order, naming its path, the
file under demo/hub/ that holds it, and the collector. Nothing here spells a
collector or a page by hand, so a collector added to the table reaches these
tests through the demo."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from _common import ROOT

DEMO = ROOT / "demo" / "hub"


class Collector(NamedTuple):
    name: str
    path: str
    file: Path


def collectors() -> list[Collector]:
    """Every collector, in the table's order, with its page in the demo."""
    found = []
    for section in (DEMO / "MANIFEST").read_text().split("\n\n")[1:]:
        lines = [line.strip() for line in section.strip().splitlines()]
        if not lines or not lines[0].startswith("page "):
            raise AssertionError(f"demo/hub/MANIFEST: not a page section: {section!r}")
        fields = dict(line.split(": ", 1) for line in lines[1:])
        names = [key.removeprefix("collector ") for key in fields if key.startswith("collector ")]
        if len(names) != 1 or "file" not in fields:
            raise AssertionError(f"demo/hub/MANIFEST: a page without its collector or file: {section!r}")
        found.append(Collector(names[0], lines[0].removeprefix("page "), DEMO / fields["file"]))
    if not found:
        raise AssertionError("demo/hub/MANIFEST names no page")
    return found
