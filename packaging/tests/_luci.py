"""What the LuCI app's tests share: its paths, the node harness that runs its
views (packaging/tests/_luci_views.js), the English template's msgids, the
real exporter started on a free port, and the rpcd plugin run as rpcd runs
it."""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from _common import ROOT, STANDINS, binary

APP = ROOT / "packaging" / "luci-app-smarthub-exporter"
VIEWS = APP / "htdocs" / "luci-static" / "resources" / "view" / "smarthub-exporter"
SETTINGS = VIEWS / "settings.js"
STATUS = VIEWS / "status.js"
MENU = APP / "root" / "usr" / "share" / "luci" / "menu.d" / "luci-app-smarthub-exporter.json"
ACL = APP / "root" / "usr" / "share" / "rpcd" / "acl.d" / "luci-app-smarthub-exporter.json"
PLUGIN = APP / "root" / "usr" / "libexec" / "rpcd" / "luci.smarthub-exporter"
POT = APP / "po" / "templates" / "smarthub-exporter.pot"
HARNESS = Path(__file__).resolve().parent / "_luci_views.js"
# Where openwrt/luci keeps the app: the template's source references.
LUCI_PATH = "applications/luci-app-smarthub-exporter"


def node(*args: str, stdin: object = None) -> object:
    """Run the view harness; its JSON answer."""
    if shutil.which("node") is None:
        raise AssertionError("node is missing (.ci/test installs it)")
    r = subprocess.run(["node", str(HARNESS), *args], input=json.dumps(stdin), capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"harness {' '.join(args)}: {r.stderr}")
    return json.loads(r.stdout)


# --- the English template ------------------------------------------------------

# _('...') or _("...") with a literal argument, as LuCI's i18n scanner
# finds them in JavaScript.
_CALL = re.compile(r"""\b_\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")\s*\)""")


def _unquote(literal: str) -> str:
    """The value of a JavaScript string literal (the escapes the views use)."""
    body, out, i = literal[1:-1], [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
        elif body[i + 1] == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append(simple.get(body[i + 1], body[i + 1]))
            i += 2
    return "".join(out)


def msgids() -> dict[str, list[str]]:
    """Every translatable string of the app, with where it is: the views'
    _() literals, the menu entries' titles, the ACL's description."""
    found: dict[str, list[str]] = {}
    for path in sorted(VIEWS.glob("*.js")):
        text = path.read_text()
        for m in _CALL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            rel = path.relative_to(APP).as_posix()
            found.setdefault(_unquote(m[1]), []).append(f"{LUCI_PATH}/{rel}:{line}")
    for path, key in ((MENU, "title"), (ACL, "description")):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines, 1):
            m = re.match(rf'\s*"{key}":\s*"((?:[^"\\]|\\.)*)"', line)
            if m:
                rel = path.relative_to(APP).as_posix()
                found.setdefault(json.loads(f'"{m[1]}"'), []).append(f"{LUCI_PATH}/{rel}:{i}")
    return found


def render_pot() -> str:
    """po/templates/smarthub-exporter.pot as LuCI keeps its templates: a
    header, then each msgid (sorted) with its source references."""
    def quote(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    out = ['msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n']
    for msgid, where in sorted(msgids().items()):
        out.append("".join(f"#: {w}\n" for w in where) + f"msgid {quote(msgid)}\nmsgstr \"\"\n")
    return "\n".join(out)


# --- the real exporter -------------------------------------------------------------

def demo_without_day(into: Path) -> Path:
    """demo/hub copied to INTO/demo/hub without its MANIFEST's `replay-day:`
    line: the exporter then starts with one scrape rather than a replayed
    day, so /status.json carries one point of history, not 1440 (~280 KB,
    more than the rpcd plugin passes on from an exporter that ignores
    ?history=0)."""
    dest = into / "demo" / "hub"
    shutil.copytree(ROOT / "demo" / "hub", dest)
    manifest = dest / "MANIFEST"
    text = manifest.read_text()
    kept = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("replay-day:"))
    if kept == text:
        raise AssertionError("demo/hub/MANIFEST has no replay-day line to leave out")
    manifest.write_text(kept)
    return dest


class Exporter:
    """The release binary replaying a recording (demo/hub, or what `day`
    says) on 127.0.0.1, on a port the kernel picked (read back from its
    start-up line). day=False: demo/hub without its replayed day."""

    def __init__(self, *extra: str, day: bool = True):
        self.tmp = None
        # Named demo/hub either way, as status.json's exporter.hub shows it.
        cwd = ROOT
        if not day:
            self.tmp = Path(tempfile.mkdtemp(prefix="luci-demo-"))
            demo_without_day(self.tmp)
            cwd = self.tmp
        self.proc = subprocess.Popen(
            [str(binary()), "--replay", "demo/hub", "--listen", "127.0.0.1:0", *extra], cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.port = None
        seen = []
        # A bound on start-up so a broken binary fails the test rather than
        # hanging it; not a measure of speed.
        deadline = time.monotonic() + 60
        while self.port is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stderr], [], [], 1)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            line = self.proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m[1])
        if self.port is None:
            self.close()
            raise AssertionError("the exporter did not start: " + "".join(seen))

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait()
        self.proc.stderr.close()
        if self.tmp is not None:
            shutil.rmtree(self.tmp)


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the rpcd plugin -----------------------------------------------------------------

def exporter_dir() -> Path:
    """A directory holding the exporter under its installed name,
    smarthub-exporter (the binary tested may be named otherwise, e.g. the
    -nojs build), for the plugin's PATH, as /usr/bin is on a router."""
    global _EXPORTER_DIR
    if _EXPORTER_DIR is None:
        _EXPORTER_DIR = Path(tempfile.mkdtemp(prefix="luci-bin-"))
        atexit.register(shutil.rmtree, _EXPORTER_DIR, True)
        (_EXPORTER_DIR / "smarthub-exporter").symlink_to(binary().resolve())
    return _EXPORTER_DIR


_EXPORTER_DIR: Path | None = None


def fetch_path(exporter: Path | None = None) -> str:
    """PATH for the plugin: the stand-in uci, the directory the exporter is
    found in (default exporter_dir()), and GNU wget where the
    fetch is (Debian's busybox 1.35 wget crashes on -T; OpenWrt's own wget
    is uclient-fetch, not packaged for Debian)."""
    wget = shutil.which("wget")
    if wget is None:
        raise AssertionError("wget is missing: apt-get install wget")
    r = subprocess.run([wget, "--version"], capture_output=True, text=True)
    if not r.stdout.startswith("GNU Wget"):
        raise AssertionError(f"{wget} is not GNU wget")
    if shutil.which("smarthub-exporter", path="/usr/bin:/bin"):
        raise AssertionError("a smarthub-exporter in /usr/bin or /bin would stand in for the one tested")
    bindir = exporter_dir() if exporter is None else exporter
    return f"{STANDINS / 'sbin'}:{bindir}:/usr/bin:/bin"


def uci_config(options: dict[str, str]) -> Path:
    """A UCI config directory holding /etc/config/smarthub-exporter with
    these options of section main."""
    d = Path(tempfile.mkdtemp(prefix="luci-uci-"))
    body = "".join(f"\toption {k} '{v}'\n" for k, v in options.items())
    (d / "smarthub-exporter").write_text(f"\nconfig smarthub-exporter 'main'\n{body}")
    return d


def run_plugin(*args: str, uci: Path, env: dict[str, str] | None = None,
               stdin: str = "{}", shell: str = "sh", exporter: Path | None = None) -> subprocess.CompletedProcess:
    """The plugin as rpcd runs it: `list`, or `call METHOD` with the
    arguments as JSON on stdin (as rpcd formats them); the address stand-ins
    from $TEST_IPADDR_*. `shell`: dash (Debian's sh) or "busybox sh"
    (OpenWrt's ash); `exporter`: the directory smarthub-exporter is found in
    (see fetch_path)."""
    full = {"PATH": fetch_path(exporter), "UCI_CONFIG_DIR": str(uci), "IPKG_INSTROOT": str(STANDINS),
            "TMPDIR": tempfile.gettempdir(), **(env or {})}
    return subprocess.run([*shell.split(), str(PLUGIN), *args], input=stdin, env=full,
                          capture_output=True, text=True)


def call_status(uci: Path, env: dict[str, str] | None = None, shell: str = "sh", fetch: bool = True,
                exporter: Path | None = None) -> dict:
    """`call status`, its arguments as rpcd hands LuCI's over: {} for the
    status page, { "fetch": false } for the settings form."""
    r = run_plugin("call", "status", uci=uci, env=env, shell=shell, exporter=exporter,
                   stdin="{ }" if fetch else '{ "fetch": false }')
    if r.returncode != 0:
        raise AssertionError(f"plugin exit {r.returncode}: {r.stderr}")
    if len(r.stdout.encode()) > PLUGIN_MAX_OUTPUT:
        raise AssertionError(f"plugin printed {len(r.stdout.encode())} bytes, over {PLUGIN_MAX_OUTPUT}")
    return json.loads(r.stdout)


# What the plugin prints at most: rpcd's RPC_EXEC_MAX_SIZE (4096 * 64).
PLUGIN_MAX_OUTPUT = 4096 * 64
