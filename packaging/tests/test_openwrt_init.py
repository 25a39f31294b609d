"""packaging/openwrt-feed/files/smarthub-exporter.init run against stand-ins for
/etc/rc.common, procd, UCI and netifd (packaging/tests/openwrt-root), under
dash and under busybox ash (OpenWrt's shell)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from _collectors import collectors
from _common import CONFIG, INIT, STANDINS, binary, parse_record

PROG = "/usr/bin/smarthub-exporter"
SHELLS = {"dash": ["sh"], "busybox ash": ["busybox", "sh"]}


class Instance:
    """What start_service asked procd for, from the recorded calls."""

    def __init__(self, calls: list[list[str]]):
        self.calls = calls
        names = [c[0] for c in calls]
        self.opened = names.count("procd_open_instance")
        self.command: list[str] = []
        self.params: dict[str, list[str]] = {}
        inside = False
        for call in calls:
            if call[0] == "procd_open_instance":
                inside = True
            elif call[0] == "procd_close_instance":
                inside = False
            elif call[0] in ("procd_set_param", "procd_append_param"):
                if not inside:
                    raise AssertionError(f"{call} outside an instance")
                key, values = call[1], call[2:]
                if key == "command":
                    self.command = (self.command if call[0] == "procd_append_param" else []) + values
                else:
                    self.params[key] = values
        self.returned = {c[0]: c[1] for c in calls if c[0].endswith("_returned")}

    def flag(self, name: str) -> list[str]:
        """Every value given to a command-line option."""
        return [self.command[i + 1] for i, a in enumerate(self.command) if a == name]

    def calls_named(self, name: str) -> list[list[str]]:
        return [c[1:] for c in self.calls if c[0] == name]


class InitScriptTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        (self.tmp / "config").mkdir()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def start(self, config: str | None = None, ujail: bool = False, **addresses: str) -> dict[str, Instance]:
        """Run `init start` with this UCI config (default: the shipped one)
        and these interface addresses (TEST_IPADDR_lan=...), in each shell,
        on a router with or without procd-ujail (/sbin/ujail)."""
        router = self.tmp / "router"
        (router / "sbin").mkdir(parents=True, exist_ok=True)
        (router / "sbin" / "ujail").unlink(missing_ok=True)
        if ujail:
            (router / "sbin" / "ujail").write_text("")
        (self.tmp / "config" / "smarthub-exporter").write_text(
            CONFIG.read_text() if config is None else config)
        results = {}
        for shell, argv in SHELLS.items():
            record = self.tmp / f"record-{shell}"
            record.unlink(missing_ok=True)
            env = {
                "PATH": os.environ["PATH"],
                "RECORD": str(record),
                "UCI_CONFIG_DIR": str(self.tmp / "config"),
                "IPKG_INSTROOT": str(STANDINS),
                "ROUTER_ROOT": str(router),
                **addresses,
            }
            r = subprocess.run([*argv, str(STANDINS / "etc" / "rc.common"), str(INIT), "start"],
                               env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f"{shell}: {r.stderr}")
            self.assertEqual(r.stderr, "", shell)
            results[shell] = Instance(parse_record(record))
        self.assertEqual(results["dash"].calls, results["busybox ash"].calls,
                         "dash and busybox ash must record the same calls")
        return results

    def test_shebang_and_procd(self):
        self.assertEqual(INIT.read_text().splitlines()[0], "#!/bin/sh /etc/rc.common")
        inst = self.start(TEST_IPADDR_lan="192.168.1.2")["busybox ash"]
        init_vars = inst.calls_named("init_vars")[0]
        self.assertIn("USE_PROCD=1", init_vars)
        self.assertRegex(" ".join(init_vars), r"START=\d+ STOP=\d+")
        self.assertEqual(inst.returned, {"start_service_returned": "0", "service_triggers_returned": "0"})

    def test_shipped_config(self):
        inst = self.start(TEST_IPADDR_lan="192.168.1.2")["busybox ash"]
        self.assertEqual(inst.opened, 1)
        self.assertEqual(inst.command[0], PROG)
        self.assertEqual(inst.flag("--host"), ["192.168.1.254"])
        self.assertEqual(inst.flag("--listen"), ["192.168.1.2:9101"])
        for absent in ("--no-lan", "--no-collector", "--timeout", "--cache-ttl", "--poll", "--log-level"):
            self.assertNotIn(absent, inst.command)
        # Every line to syslog at its severity, not all of stderr as daemon.err.
        self.assertEqual(inst.command.count("--syslog"), 1)
        self.assertEqual(inst.params["user"], ["smarthub-exporter"])
        self.assertEqual(inst.params["group"], ["smarthub-exporter"])
        self.assertEqual(inst.params["no_new_privs"], ["1"])
        self.assertIn("respawn", inst.params)
        self.assertEqual(inst.params["stdout"], ["1"])
        self.assertEqual(inst.params["stderr"], ["1"])
        self.assertEqual(inst.calls_named("procd_add_reload_trigger"), [["smarthub-exporter"]])
        self.assertEqual(inst.calls_named("procd_add_reload_interface_trigger"), [["lan"]])
        self.assertEqual(inst.calls_named("config_load")[0], ["smarthub-exporter"])

    def test_every_option(self):
        config = """
config smarthub-exporter 'main'
	option host '10.0.0.138:8080'
	option listen_interface '*'
	option listen_port '9200'
	option listen_ipv6 '1'
	option lan '0'
	option timeout '12'
	option cache_ttl '30'
	option poll '300'
	option log_level 'debug'
	list disable_collector 'owl'
	list disable_collector 'status'
"""
        inst = self.start(config)["busybox ash"]
        self.assertEqual(inst.command, [
            PROG, "--listen", "[::]:9200", "--host", "10.0.0.138:8080", "--timeout", "12",
            "--no-lan", "--no-collector", "owl", "--no-collector", "status",
            "--cache-ttl", "30", "--poll", "300", "--log-level", "debug", "--syslog",
        ])
        # '*' needs no interface to come up first.
        self.assertEqual(inst.calls_named("procd_add_reload_interface_trigger"), [])
        self.assertEqual(inst.calls_named("procd_add_reload_trigger"), [["smarthub-exporter"]])

    def confinement(self, inst: Instance) -> dict[str, str]:
        (record,) = inst.calls_named("procd_confinement")
        return dict(field.split("=", 1) for field in record)

    def test_the_config_names_only_collectors_the_binary_knows(self):
        # The binary lists its collectors in --help (from the collector
        # table) and names the same when refused an unknown one.
        table = collectors(binary())
        r = subprocess.run([str(binary()), "--no-collector", "No-Such-Collector"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        known = re.search(r"known: ([^)]*)\)", r.stderr)
        self.assertIsNotNone(known, r.stderr)
        self.assertEqual(known.group(1).split(", "), [c.name for c in table])
        pages = {c.name: c.path for c in table}
        # The comment lists collectors for the reader, not necessarily all:
        # each it names is one the binary knows, and it says where they all are.
        text = CONFIG.read_text()
        self.assertIn("smarthub-exporter --help lists them all", text)
        described = re.findall(r"(?m)^\t#   ([a-z]+) +(/\S*):", text)
        self.assertTrue(described, text)
        for name, path in described:
            self.assertEqual(pages.get(name), path, name)
        lines = re.findall(r"^\t#list disable_collector '([^']*)'$", text, re.M)
        self.assertTrue(lines, text)
        self.assertEqual(len(lines), len(set(lines)), lines)
        for name in lines:
            self.assertIn(name, pages)
            # Removing the '#' is all it takes.
            uncommented = text.replace(f"\t#list disable_collector '{name}'", f"\tlist disable_collector '{name}'")
            inst = self.start(uncommented, TEST_IPADDR_lan="192.168.1.2")["busybox ash"]
            self.assertEqual(inst.flag("--no-collector"), [name])

    def test_commented_options_show_the_binarys_defaults(self):
        # An option shown commented out must read as what applies while it
        # is unset: the binary's own default (its --help).
        r = subprocess.run([str(binary()), "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        help_text = " ".join(r.stdout.split())
        flags = {"host": "--host", "listen_port": "--listen", "timeout": "--timeout",
                 "cache_ttl": "--cache-ttl", "poll": "--poll", "log_level": "--log-level"}
        shown = dict(re.findall(r"^\t#?option (\w+) '([^']*)'$", CONFIG.read_text(), re.M))
        self.assertTrue(set(flags) <= set(shown), shown)
        for option, flag in flags.items():
            block = help_text.split(f" {flag} ", 1)[1].split(" --", 1)[0]
            default = re.search(r"\(default: ([^)]*)\)", block)
            self.assertIsNotNone(default, f"{flag} states no default: {block!r}")
            self.assertRegex(default.group(1), rf"(^|[\s:]){re.escape(shown[option])}($|[;\s])",
                             f"option {option} '{shown[option]}' against {flag}'s {default.group(0)}")

    def test_with_ujail_the_instance_is_jailed_with_no_new_privs(self):
        inst = self.start(ujail=True, TEST_IPADDR_lan="192.168.1.2")["busybox ash"]
        self.assertEqual(self.confinement(inst), {"jail": "1", "no_new_privs": "1", "user": "smarthub-exporter"})
        (argv,) = inst.calls_named("procd_exec")
        sep = argv.index("--")
        jail, command = argv[:sep], argv[sep + 1:]
        self.assertEqual(command, inst.command)
        self.assertEqual(jail[:3], ["/sbin/ujail", "-n", "smarthub-exporter"])
        for flag in ("-c", "-l"):  # no_new_privs; /dev/log for --syslog
            self.assertIn(flag, jail)
        self.assertEqual(jail[jail.index("-U") + 1], "smarthub-exporter")
        self.assertEqual(jail[jail.index("-G") + 1], "smarthub-exporter")
        # What a host name in 'host' needs to resolve; nothing writable.
        mounts = [jail[i + 1] for i, a in enumerate(jail) if a == "-r"]
        self.assertEqual(sorted(mounts), ["/etc/hosts", "/etc/resolv.conf"])
        self.assertNotIn("-w", jail)
        # No procfs, sysfs, ubus: the exporter reads none of them.
        for flag in ("-p", "-s", "-u"):
            self.assertNotIn(flag, jail)

    def test_without_ujail_procd_runs_it_unjailed_and_no_new_privs_is_lost(self):
        inst = self.start(ujail=False, TEST_IPADDR_lan="192.168.1.2")["busybox ash"]
        # The init script asks the same either way ...
        self.assertEqual(inst.params["no_new_privs"], ["1"])
        self.assertEqual(len(inst.calls_named("procd_add_jail")), 1)
        # ... but procd drops the jail and, with it, no_new_privs.
        self.assertEqual(self.confinement(inst), {"jail": "0", "no_new_privs": "0", "user": "smarthub-exporter"})
        (argv,) = inst.calls_named("procd_exec")
        self.assertEqual(argv, inst.command)

    def test_jail_off_runs_it_unjailed_even_with_ujail(self):
        for value in ("0", "off", "no", "false"):
            config = ("config smarthub-exporter 'main'\n\toption listen_interface '*'\n"
                      f"\toption jail '{value}'\n")
            inst = self.start(config, ujail=True)["busybox ash"]
            self.assertEqual(inst.calls_named("procd_add_jail"), [], value)
            self.assertEqual(inst.calls_named("procd_add_jail_mount"), [], value)
            # What is lost: the jail, and no_new_privs with it; the user
            # and group stay.
            self.assertEqual(self.confinement(inst), {"jail": "0", "no_new_privs": "0", "user": "smarthub-exporter"})
            self.assertEqual(inst.params["group"], ["smarthub-exporter"])
            (argv,) = inst.calls_named("procd_exec")
            self.assertEqual(argv, inst.command)
            self.assertEqual(argv[0], PROG)

    def test_jail_on_or_unset_is_the_jail(self):
        for line in ("\toption jail '1'\n", "\toption jail 'yes'\n", "\toption jail 'on'\n", ""):
            config = f"config smarthub-exporter 'main'\n\toption listen_interface '*'\n{line}"
            inst = self.start(config, ujail=True)["busybox ash"]
            self.assertEqual(inst.calls_named("procd_add_jail"), [["smarthub-exporter", "log"]], line)
            self.assertEqual(self.confinement(inst)["jail"], "1", line)
        # As shipped: on.
        self.assertRegex(CONFIG.read_text(), r"(?m)^\toption jail '1'$")
        inst = self.start(ujail=True, TEST_IPADDR_lan="192.168.1.2")["busybox ash"]
        self.assertEqual(self.confinement(inst)["jail"], "1")

    def test_all_addresses_ipv4(self):
        config = "config smarthub-exporter 'main'\n\toption listen_interface '*'\n"
        inst = self.start(config)["dash"]
        self.assertEqual(inst.flag("--listen"), ["0.0.0.0:9101"])
        # No host option: the exporter falls back to SMARTHUB_HOST / 192.168.1.254.
        self.assertNotIn("--host", inst.command)

    def test_empty_config_section_takes_defaults(self):
        inst = self.start("config smarthub-exporter 'main'\n", TEST_IPADDR_lan="192.168.1.9")["dash"]
        self.assertEqual(inst.flag("--listen"), ["192.168.1.9:9101"])
        self.assertNotIn("--no-lan", inst.command)
        self.assertEqual(inst.calls_named("procd_add_reload_interface_trigger"), [["lan"]])

    def test_interface_ipv6(self):
        config = ("config smarthub-exporter 'main'\n\toption listen_interface 'iot'\n"
                  "\toption listen_ipv6 'yes'\n")
        inst = self.start(config, TEST_IPADDR_iot="10.1.1.1", TEST_IPADDR6_iot="fd00::1")["dash"]
        self.assertEqual(inst.flag("--listen"), ["[fd00::1]:9101"])
        self.assertEqual(inst.calls_named("procd_add_reload_interface_trigger"), [["iot"]])

    def test_interface_ipv6_falls_back_to_ipv4(self):
        config = ("config smarthub-exporter 'main'\n\toption listen_interface 'lan'\n"
                  "\toption listen_ipv6 '1'\n")
        inst = self.start(config, TEST_IPADDR_lan="192.168.1.2")["dash"]
        self.assertEqual(inst.flag("--listen"), ["192.168.1.2:9101"])

    def test_interface_without_address_defers_start(self):
        inst = self.start()["busybox ash"]
        self.assertEqual(inst.opened, 0)
        self.assertEqual(inst.command, [])
        self.assertEqual(len(inst.calls_named("logger")), 1)
        self.assertEqual(inst.returned["start_service_returned"], "0")
        # ... and the trigger that starts it when the interface comes up.
        self.assertEqual(inst.calls_named("procd_add_reload_interface_trigger"), [["lan"]])

    def test_lan_switch_values(self):
        for value, no_lan in (("0", True), ("off", True), ("no", True), ("false", True),
                              ("1", False), ("on", False), ("yes", False)):
            config = f"config smarthub-exporter 'main'\n\toption listen_interface '*'\n\toption lan '{value}'\n"
            inst = self.start(config)["dash"]
            self.assertEqual("--no-lan" in inst.command, no_lan, value)

    def test_values_stay_single_arguments(self):
        # UCI values are data: no word splitting, no globbing, no evaluation.
        config = ("config smarthub-exporter 'main'\n\toption listen_interface '*'\n"
                  "\toption host 'hub.home; reboot *'\n\tlist disable_collector 'a b'\n")
        inst = self.start(config)["busybox ash"]
        self.assertEqual(inst.flag("--host"), ["hub.home; reboot *"])
        self.assertEqual(inst.flag("--no-collector"), ["a b"])


if __name__ == "__main__":
    unittest.main()
