"""The exporter's collectors and their pages, for the packaging tests: read
from a binary's --help, whose "Collectors" section is generated from the
collector table (collector::ALL in src/collector.rs), one line per
collector in the table's order, `  NAME  what it serves (PATH)`. Each comes
with its default fixture, the one file tests/fixtures/hub/NAME.<ext> (as
tests/support/collector.rs finds it): together a healthy hub. Nothing here
spells a collector or a page by hand, so a collector added to the table
reaches these tests through the binary."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import NamedTuple

from _common import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "hub"
# A line of the section: the name, then what it serves, then the page.
LINE = re.compile(r"  ([a-z]+) +.*\((/[^()\s]*)\)")


class Collector(NamedTuple):
    name: str
    path: str
    fixture: Path


def default_fixture(name: str) -> Path:
    """tests/fixtures/hub/NAME.<ext>: exactly one file."""
    found = sorted(p for p in FIXTURES.iterdir() if p.is_file() and p.name.split(".", 1)[0] == name
                   and "." in p.name)
    if len(found) != 1:
        raise AssertionError(f"collector {name}: {len(found)} default fixtures in {FIXTURES}: {found}")
    return found[0]


def collectors(binary: Path) -> list[Collector]:
    """Every collector the binary knows, in the table's order, with its page
    and its default fixture."""
    r = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"{binary} --help: exit {r.returncode}\n{r.stderr}")
    _, found_section, section = r.stdout.partition("\nCollectors (")
    if not found_section:
        raise AssertionError(f"{binary} --help has no Collectors section:\n{r.stdout}")
    found = []
    for line in section.splitlines()[1:]:
        if not line.strip():
            break
        m = LINE.fullmatch(line)
        if m is None:
            raise AssertionError(f"{binary} --help: not a collector's line: {line!r}")
        found.append(Collector(m.group(1), m.group(2), default_fixture(m.group(1))))
    if not found:
        raise AssertionError(f"{binary} --help names no collector:\n{r.stdout}")
    return found
