"""packaging/luci-app-smarthub-exporter/ as LuCI reads it: the menu and ACL
JSON in the shape luci-base's dispatcher and rpcd read, the views through
node --check and ESLint (packaging/tests/eslint.config.mjs, which also holds
them to building hub text as text nodes), the English template in step with
the views, the Makefile in luci.mk's form."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _common import ROOT
from _luci import (ACL, APP, MENU, PLUGIN, POT, SETTINGS, STATUS, VIEWS, _CALL, msgids, node, render_pot, run_plugin,
                   uci_config)

ESLINT_CONFIG = Path(__file__).resolve().parent / "eslint.config.mjs"
ACL_NAME = "luci-app-smarthub-exporter"
OBJECT = "luci.smarthub-exporter"
# The keys a menu.d node may have (luci-base's dispatcher).
MENU_KEYS = {"title", "order", "action", "depends", "auth", "setgroup", "wildcard", "firstchild_ineligible"}


class MenuTest(unittest.TestCase):
    menu = json.loads(MENU.read_text())

    def test_the_two_pages_where_the_issue_puts_them(self):
        self.assertEqual(set(self.menu), {"admin/services/smarthub-exporter", "admin/status/smarthub-exporter"})
        self.assertEqual(self.menu["admin/services/smarthub-exporter"]["title"], "BT Smart Hub exporter")
        self.assertEqual(self.menu["admin/status/smarthub-exporter"]["title"], "BT Smart Hub")

    def test_every_entry_is_a_view_with_its_dependencies(self):
        acl = json.loads(ACL.read_text())
        for path, node_ in self.menu.items():
            self.assertLessEqual(set(node_), MENU_KEYS, path)
            self.assertIsInstance(node_["title"], str)
            self.assertIsInstance(node_["order"], int)
            action = node_["action"]
            self.assertEqual(set(action), {"type", "path"}, path)
            self.assertEqual(action["type"], "view")
            # LuCI loads view/<path>.js from /www/luci-static/resources/.
            self.assertTrue((VIEWS.parent / f"{action['path']}.js").is_file(), action["path"])
            depends = node_["depends"]
            self.assertEqual(depends["acl"], [ACL_NAME], path)
            self.assertTrue(all(name in acl for name in depends["acl"]))
            # Shown only where the exporter's config is installed.
            self.assertEqual(depends["uci"], {"smarthub-exporter": True})


class AclTest(unittest.TestCase):
    acl = json.loads(ACL.read_text())

    def test_exactly_the_status_method_and_the_config(self):
        self.assertEqual(set(self.acl), {ACL_NAME})
        grant = self.acl[ACL_NAME]
        self.assertEqual(set(grant), {"description", "read", "write"})
        self.assertEqual(grant["read"], {"ubus": {OBJECT: ["status"]}, "uci": ["smarthub-exporter"]})
        self.assertEqual(grant["write"], {"uci": ["smarthub-exporter"]})

    def test_the_object_is_the_plugin_and_the_methods_its_list(self):
        # rpcd names an executable plugin's object after its file.
        self.assertEqual(PLUGIN.name, OBJECT)
        uci = uci_config({})
        try:
            r = run_plugin("list", uci=uci)
        finally:
            shutil.rmtree(uci)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(set(json.loads(r.stdout)), set(self.acl[ACL_NAME]["read"]["ubus"][OBJECT]))

    def test_the_pages_call_what_the_acl_grants(self):
        granted = [(OBJECT, m) for m in self.acl[ACL_NAME]["read"]["ubus"][OBJECT]]
        page = node("status", str(STATUS), stdin={"answer": {"error": "unreachable"}})
        self.assertEqual([(d["object"], d["method"]) for d in page["declared"]], granted)
        self.assertEqual([(c["object"], c["method"]) for c in page["calls"]], granted)
        form = node("form", str(SETTINGS), stdin={"answer": {"collectors": []}, "uci": {"main": {}}})
        self.assertEqual([(c["object"], c["method"]) for c in form["calls"]], granted)


class ViewSourceTest(unittest.TestCase):
    views = sorted(VIEWS.glob("*.js"))

    def test_the_views(self):
        self.assertEqual([p.name for p in self.views], ["settings.js", "status.js"])

    def test_node_check(self):
        for path in self.views:
            r = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

    def eslint(self, *paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
        if shutil.which("eslint") is None:
            raise AssertionError("eslint is missing: npm install -g eslint@9 (.ci/test does)")
        return subprocess.run(["eslint", "--config", str(ESLINT_CONFIG), *map(str, paths)],
                              cwd=cwd, capture_output=True, text=True)

    def test_eslint(self):
        r = self.eslint(*self.views)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_eslint_refuses_hub_text_as_markup(self):
        # The rules that keep hub text out of HTML do fire.
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.js"
            bad.write_text("'use strict';\n"
                           "E('td', {}, 'a' + window.x);\n"
                           "E('p', _('x').format(window.x));\n"
                           "document.body.innerHTML = window.x;\n"
                           "E('p', [ _('fine') ]);\n"
                           "E('tr', {}, [ 1 ].map(String));\n")
            r = self.eslint(bad, cwd=Path(tmp))
        lines = [line for line in r.stdout.splitlines() if "no-restricted-syntax" in line]
        self.assertEqual([int(line.split(":")[0]) for line in lines], [2, 3, 4], r.stdout)

    def test_no_markup_from_strings_in_the_source(self):
        for path in self.views:
            self.assertNotRegex(path.read_text(), r"innerHTML|outerHTML|insertAdjacentHTML|rawhtml", path.name)


class TemplateTest(unittest.TestCase):
    def test_template_is_in_step_with_the_views(self):
        self.assertEqual(POT.read_text(), render_pot(),
                         "regenerate: python3 -c 'import _luci; _luci.POT.write_text(_luci.render_pot())' in packaging/tests")

    def test_every_translation_call_has_a_literal(self):
        # A _() of anything but a string literal would escape the template.
        for path in VIEWS.glob("*.js"):
            text = path.read_text()
            self.assertEqual(len(re.findall(r"\b_\(", text)), len(_CALL.findall(text)), path.name)

    def test_menu_titles_and_the_acl_are_in_it(self):
        ids = msgids()
        for title in ("BT Smart Hub", "BT Smart Hub exporter"):
            self.assertIn(title, ids)
        self.assertIn(json.loads(ACL.read_text())[ACL_NAME]["description"], ids)
        self.assertGreater(len(ids), 50)


class LuciMakefileTest(unittest.TestCase):
    text = (APP / "Makefile").read_text()

    def test_luci_mk_form(self):
        for needle in ("include $(TOPDIR)/rules.mk", "LUCI_TITLE:=", "LUCI_PKGARCH:=all",
                       "include ../../luci.mk", "# call BuildPackage - OpenWrt buildroot signature"):
            self.assertIn(needle, self.text)
        depends = re.search(r"^LUCI_DEPENDS:=(.*)$", self.text, re.M)[1].split()
        self.assertEqual(depends, ["+luci-base", "+smarthub-exporter"])
        # luci.mk installs htdocs/ and root/; nothing else of the app
        # reaches a router.
        self.assertEqual(sorted(p.name for p in APP.iterdir()), ["Makefile", "htdocs", "po", "root"])

    def test_licence_and_maintainer_as_the_exporters(self):
        feed = (ROOT / "packaging" / "openwrt-feed" / "Makefile").read_text()
        for var in ("PKG_LICENSE", "PKG_MAINTAINER"):
            ours = re.search(rf"^{var}:=(.*)$", self.text, re.M)[1]
            self.assertEqual(ours, re.search(rf"^{var}:=(.*)$", feed, re.M)[1], var)
        self.assertIn("LUCI_MAINTAINER:=$(PKG_MAINTAINER)", self.text)


if __name__ == "__main__":
    unittest.main()
