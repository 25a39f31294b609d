#!/usr/bin/env python3
"""Screenshots of the LuCI app's two views for the README:
docs/images/luci-settings.png and docs/images/luci-status.png.

Real LuCI cannot be installed here, so each view's own code runs in
headless Chromium on the plain stand-in of LuCI's API in _luci_runtime.js
(the one the node tests use), and its rpc call is answered by the real
rpcd plugin run as rpcd runs it, against the real exporter replaying
demo/hub (without its replayed day: see _luci.demo_without_day; the
status page does not show the history), fetched twice a minute apart. The settings form shows the
shipped /etc/config/smarthub-exporter, with one value typed in that the
form refuses, so that a refusal shows. LuCI's own look differs; the
form's fields, texts and the status figures are the view's own.

    python3 packaging/tests/luci_screenshots.py [--outdir docs/images]

Needs the release binary (cargo build --release, or $SMARTHUB_BINARY),
chromium, wget and optipng (apt-get install chromium wget optipng).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CONFIG, ROOT  # noqa: E402
from _luci import SETTINGS, STATUS, Exporter, call_status, uci_config  # noqa: E402

RUNTIME = Path(__file__).resolve().parent / "_luci_runtime.js"
# What is typed into the form to show a refusal, and what LuCI says to it.
TYPED = {"poll": "5"}
# The README's images stay small.
MAX_PNG = 150 * 1024
WIDTH = 1000

STYLE = """
body { margin: 0; font: 13px/1.45 "DejaVu Sans", sans-serif; color: #222; background: #f4f4f4; }
#standin { background: #444; color: #eee; padding: 6px 16px; font-size: 12px; }
#where { padding: 10px 16px 0; color: #666; }
#view { margin: 8px 16px 16px; padding: 4px 18px 14px; background: #fff; border: 1px solid #ddd; }
h2 { font-size: 20px; margin: 12px 0 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; padding-bottom: 3px; border-bottom: 1px solid #ddd; }
h4 { font-size: 13px; margin: 10px 0 4px; }
.cbi-map-descr { color: #555; margin-bottom: 6px; }
.cbi-value { display: grid; grid-template-columns: 190px 1fr; gap: 12px; padding: 5px 0; }
.cbi-value-title { font-weight: bold; padding-top: 3px; }
.cbi-value-description { color: #666; font-size: 12px; margin-top: 2px; }
input[type=text] { width: 240px; padding: 2px 4px; font: inherit; border: 1px solid #aaa; }
select { font: inherit; }
.hint { color: #666; margin-left: 8px; font-size: 12px; }
.invalid { color: #b00; font-size: 12px; white-space: pre-line; }
.invalid:not(:empty) { margin-top: 2px; }
.choices label { display: block; }
.cbi-page-actions { margin-top: 12px; text-align: right; }
button { font: inherit; margin-left: 6px; }
table.table { border-collapse: collapse; margin: 4px 0 8px; }
table.table th, table.table td { text-align: left; padding: 2px 14px 2px 0; vertical-align: top; }
table.table tr.table-titles th { border-bottom: 1px solid #ccc; }
.alert-message { background: #fff3cd; padding: 4px 10px; border: 1px solid #e0c36a; }
p { margin: 4px 0; }
"""


def uci_sections(text: str) -> dict[str, dict[str, object]]:
    """A UCI file's named sections as {section: {option: value or [items]}}."""
    sections: dict[str, dict[str, object]] = {}
    current = None
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "config":
            current = sections.setdefault(words[2], {})
        elif words[0] == "option":
            current[words[1]] = words[2]
        elif words[0] == "list":
            current.setdefault(words[1], []).append(words[2])
    return sections


def html(view: Path, answer: dict, uci: dict, where: str, typed: dict[str, str]) -> str:
    def script_json(value: object) -> str:
        return json.dumps(value).replace("</", "<\\/")
    env = script_json({"answer": answer, "uci": uci, "typed": typed})
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{where}</title><style>{STYLE}</style></head>
<body>
<div id="standin">Not LuCI: the view's own code on a plain stand-in of LuCI's API (packaging/tests/_luci_runtime.js),
answered by the real rpcd plugin and exporter replaying demo/hub</div>
<div id="where">{where}</div>
<div id="view"></div>
<script>{RUNTIME.read_text()}</script>
<script>
const env = Object.assign({env}, {{
	document, window, isNode: (x) => x instanceof Node
}});
luciRuntime(env).page({script_json(view.read_text())})
	.then((node) => document.getElementById('view').appendChild(node))
	.catch((e) => {{ document.getElementById('view').textContent = ['stand-in', 'failed'].join(' ') + ': ' + (e && e.stack || e); }});
</script>
</body></html>
"""


def chromium(args: list[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
             "--virtual-time-budget=5000", *args],
            capture_output=True, text=True, timeout=300)


def shoot(page: Path, out: Path, height: int, must_show: list[str]) -> int:
    """Render PAGE, check the view drew what it must, screenshot it into
    OUT, optimise it; its size in bytes."""
    dom = chromium(["--dump-dom", page.as_uri()])
    # The words are joined in the page, so its source does not hold them.
    if dom.returncode != 0 or "stand-in failed" in dom.stdout:
        raise SystemExit(f"{page.name}: {dom.stdout[-2000:]}{dom.stderr[-2000:]}")
    for words in must_show:
        if words not in dom.stdout:
            raise SystemExit(f"{page.name}: the view did not show {words!r}")
    shot = chromium([f"--screenshot={out}", f"--window-size={WIDTH},{height}", page.as_uri()])
    if shot.returncode != 0 or not out.is_file():
        raise SystemExit(f"{page.name}: no screenshot: {shot.stderr[-2000:]}")
    subprocess.run(["optipng", "-quiet", "-o5", "-strip", "all", str(out)], check=True)
    size = out.stat().st_size
    if size > MAX_PNG:
        raise SystemExit(f"{out}: {size} bytes, over {MAX_PNG}")
    return size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outdir", type=Path, default=ROOT / "docs" / "images")
    ap.add_argument("--settings-height", type=int, default=1400)
    ap.add_argument("--status-height", type=int, default=1400)
    args = ap.parse_args()
    for tool in ("chromium", "optipng", "wget"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install {tool}")
    args.outdir.mkdir(parents=True, exist_ok=True)

    shipped = uci_sections(CONFIG.read_text())
    # Two fetches a minute apart, the step the demo's day is replayed at,
    # and no scrape between them (--poll 0, --cache-ttl 0): the second is a
    # second scrape, so the exporter has a rate for the traffic now, the
    # demo's own (its counters advance by a minute's worth per scrape).
    exporter = Exporter("--cache-ttl", "0", "--poll", "0", day=False)
    tmp = Path(tempfile.mkdtemp(prefix="luci-shots-"))
    try:
        uci = uci_config({**{k: v for k, v in shipped["main"].items() if isinstance(v, str)},
                          "listen_port": str(exporter.port)})
        try:
            env = {"TEST_IPADDR_lan": "127.0.0.1"}
            form_answer = call_status(uci, env, fetch=False)
            call_status(uci, env)
            time.sleep(60)
            status_answer = call_status(uci, env)
        finally:
            shutil.rmtree(uci)
        if "body" not in status_answer:
            raise SystemExit(f"the plugin fetched no status: {status_answer}")

        pages = {
            "luci-settings.png": (html(SETTINGS, form_answer, shipped, "Services → BT Smart Hub exporter", TYPED),
                                  args.settings_height, ["Hub address", "Collectors switched off", "Jail",
                                                         "value between 10 and 3600"]),
            "luci-status.png": (html(STATUS, status_answer, shipped, "Status → BT Smart Hub", {}),
                                args.status_height, ["Line and WAN", "Devices at home", "Whole Home discs"]),
        }
        for name, (text, height, must_show) in pages.items():
            page = tmp / (name + ".html")
            page.write_text(text)
            size = shoot(page, args.outdir / name, height, must_show)
            print(f"{args.outdir / name}: {WIDTH}x{height}, {size} bytes")
    finally:
        exporter.close()
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
