'use strict';
'require view';
'require form';
'require rpc';
'require uci';

// Services → BT Smart Hub exporter: every option of
// /etc/config/smarthub-exporter that /etc/init.d/smarthub-exporter reads.
// Save & Apply commits through rpcd, which sends procd a config.change
// event; the init script's procd_add_reload_trigger turns it into a
// reload, which restarts the exporter with the new command line.
//
// Every range below is the exporter's own (src/cli.rs), and the hub
// address is checked as the exporter checks --host, so a value the
// exporter would refuse at start is refused here, with the reason, and
// never written. The collectors are the installed exporter's own, as its
// --help lists them (the rpcd plugin reads them), so a new collector
// needs no change here.

const CONFIG = 'smarthub-exporter';

// The one method the ACL grants; {fetch: false}: only the collectors, so
// the form never waits on an exporter that does not answer.
const callStatus = rpc.declare({
	object: 'luci.smarthub-exporter',
	method: 'status',
	params: [ 'fetch' ],
	expect: { '': {} }
});

// Rust's char::is_whitespace and char::is_control, which --host's parser
// trims with and refuses inside a host.
const RUST_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const RUST_CONTROL = /^[\u0000-\u001f\u007f-\u009f]$/;

function rustTrim(s) {
	let a = 0, b = s.length;
	while (a < b && RUST_SPACE.test(s.charAt(a)))
		a++;
	while (b > a && RUST_SPACE.test(s.charAt(b - 1)))
		b--;
	return s.substring(a, b);
}

// A decimal octet as Rust's Ipv4Addr reads it: 1-3 digits, no leading zero.
function ipv4(s) {
	const parts = s.split('.');
	return parts.length == 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && +p <= 255);
}

// An IPv6 address as Rust's Ipv6Addr reads it: groups of 1-4 hex digits,
// one '::' standing for at least one zero group, a dotted IPv4 address
// allowed as the last two groups.
function ipv6(s) {
	// The groups of one side of '::', or -1; a dotted IPv4 address may end
	// the address but not stand before '::'.
	function groups(part, limit, v4) {
		if (part === '')
			return 0;
		const words = part.split(':');
		let n = 0;
		for (let i = 0; i < words.length; i++) {
			if (v4 && i == words.length - 1 && words[i].indexOf('.') >= 0 && n + 2 <= limit && ipv4(words[i]))
				return n + 2;
			if (!/^[0-9a-fA-F]{1,4}$/.test(words[i]))
				return -1;
			n++;
		}
		return n <= limit ? n : -1;
	}
	const halves = s.split('::');
	if (halves.length == 1)
		return groups(s, 8, true) == 8;
	if (halves.length != 2)
		return false;
	const head = groups(halves[0], 7, false);
	if (head < 0)
		return false;
	const tail = groups(halves[1], 7 - head, true);
	return tail >= 0 && head + tail <= 7;
}

// An IPv4 address or a DNS name of letters, digits and hyphens.
function hostname(h) {
	if (ipv4(h))
		return true;
	if (/^[0-9.]*$/.test(h))
		return false;
	if (h.charAt(h.length - 1) == '.')
		h = h.substring(0, h.length - 1);
	return h.length > 0 && h.length <= 253 && h.split('.').every((label) =>
		label.length > 0 && label.length <= 63 && /^[0-9A-Za-z-]+$/.test(label) &&
		label.charAt(0) != '-' && label.charAt(label.length - 1) != '-');
}

return view.extend({
	// The exporter's --host rule: HOST, HOST:PORT, [IPv6] or [IPv6]:PORT,
	// optionally as http://.../. Returns true or the reason it is refused.
	validateHost(section_id, value) {
		if (value == null || value === '')
			return true;
		let s = rustTrim(String(value));
		if (/^http:\/\//i.test(s) && s.length > 7)
			s = s.substring(7);
		else if (/^https:\/\//i.test(s) && s.length > 8)
			return _('https is not supported: the hub serves these pages over plain http');
		else if (s.indexOf('://') >= 0)
			return _('only http:// addresses are accepted');
		if (s.charAt(s.length - 1) == '/')
			s = s.substring(0, s.length - 1);
		if (s === '')
			return _('empty host');
		for (const c of s)
			if ('/?#@'.indexOf(c) >= 0 || RUST_SPACE.test(c) || RUST_CONTROL.test(c))
				return _('give the host, or host:port, only');
		if (s.charAt(0) != '[' && s.split(':').length > 2)
			return _('write an IPv6 address in brackets: [fe80::1] or [fe80::1]:8080');

		let port = null;
		if (s.charAt(0) == '[') {
			const close = s.indexOf(']');
			if (close < 0)
				return _('unclosed "[" in an IPv6 address');
			if (!ipv6(s.substring(1, close)))
				return _('not an IPv6 address inside the brackets');
			const after = s.substring(close + 1);
			if (after !== '') {
				if (after.charAt(0) != ':')
					return _('expected :port after "]"');
				port = after.substring(1);
			}
		}
		else {
			const colon = s.lastIndexOf(':');
			const host = colon >= 0 ? s.substring(0, colon) : s;
			if (colon >= 0)
				port = s.substring(colon + 1);
			if (!hostname(host))
				return _('not an IP address or host name');
		}
		// Rust's u16 parse: an optional '+', then digits.
		if (port !== null && !(/^\+?[0-9]+$/.test(port) && +port.replace(/^\+/, '') >= 1 && +port.replace(/^\+/, '') <= 65535))
			return _('the port must be 1-65535');
		return true;
	},

	load() {
		return Promise.all([
			callStatus(false).catch((err) => ({ collectors_error: String(err) })),
			uci.load(CONFIG)
		]);
	},

	// The collector choices: the installed exporter's, then any name the
	// config already switches off that it does not know, so that a save
	// never drops one (the exporter refuses to start with such a name, which
	// its label says).
	collectorChoices(status) {
		const known = Array.isArray(status && status.collectors) ? status.collectors : [];
		const choices = known.map((c) => [ c.name, '%s: %s (%s)'.format(c.name, c.description, c.page) ]);
		const configured = [].concat(uci.get(CONFIG, 'main', 'disable_collector') || []);
		for (const name of configured)
			if (!choices.some(([ n ]) => n == name))
				choices.push([ name, _('%s: not a collector of the installed exporter, which will not start while it is named here').format(name) ]);
		return choices;
	},

	render([ status ]) {
		let o;

		const m = new form.Map(CONFIG, _('BT Smart Hub exporter'),
			_('A Prometheus exporter for the BT Smart Hub 2 (also Plusnet Hub Two, EE Smart Hub): it reads the hub\'s pages and serves them as metrics on /metrics, and as a page of its own on /. Save & Apply restarts it with these settings.'));

		const s = m.section(form.NamedSection, 'main', CONFIG);
		s.addremove = false;

		s.tab('hub', _('Hub'));
		s.tab('listen', _('Listening'));
		s.tab('scrape', _('Scraping'));
		s.tab('collectors', _('Collectors'));
		s.tab('service', _('Service'));

		o = s.taboption('hub', form.Value, 'host', _('Hub address'),
			_('The hub\'s IP address or host name, with :port if it is not 80. IPv6 in brackets, as [fe80::1] or [fe80::1]:8080. Empty: 192.168.1.254.'));
		o.placeholder = '192.168.1.254';
		o.validate = L.bind(this.validateHost, this);

		o = s.taboption('listen', form.Value, 'listen_interface', _('Interface'),
			_('The logical interface (as in Network → Interfaces) whose address the exporter listens on, or * for every address of this router. It starts when the interface has an address.'));
		o.value('lan');
		o.value('*', _('* (every address)'));
		o.datatype = 'or("*", uciname)';
		o.placeholder = 'lan';

		o = s.taboption('listen', form.Value, 'listen_port', _('Port'),
			_('The TCP port of /metrics and of the exporter\'s own page. prometheus-node-exporter-ucode also uses 9101, on loopback: give one of them another port if both should listen on the same address.'));
		o.datatype = 'and(port, min(1))';
		o.placeholder = '9101';

		o = s.taboption('listen', form.Flag, 'listen_ipv6', _('IPv6'),
			_('Listen on the interface\'s IPv6 address (its IPv4 one when it has none); with *, on [::] instead of 0.0.0.0.'));
		o.enabled = '1';
		o.disabled = '0';
		o.default = o.disabled;

		o = s.taboption('scrape', form.Value, 'timeout', _('Time budget (seconds)'),
			_('How long all the hub requests of one scrape may take together, 1 to 300 seconds. Empty: 5.'));
		o.datatype = 'and(uinteger, range(1, 300))';
		o.placeholder = '5';

		// LuCI's uinteger takes "-0", which the exporter refuses: so 0 is
		// the literal "0" (LuCI's or() compares a quoted literal as a
		// string), and the range starts at 1. Likewise for poll.
		o = s.taboption('scrape', form.Value, 'cache_ttl', _('Cache (seconds)'),
			_('Scrapes within this many seconds of a scrape\'s start share its hub requests, 0 to 3600. Empty: 8, which suits Prometheus scraping every 15 seconds.'));
		o.datatype = 'or("0", and(uinteger, range(1, 3600)))';
		o.placeholder = '8';

		o = s.taboption('scrape', form.Value, 'poll', _('Background polling (seconds)'),
			_('The exporter scrapes the hub at least this often on its own, so its page and LuCI\'s status page stay current without Prometheus: 10 to 3600 seconds, or 0 for never. Empty: 60.'));
		o.datatype = 'or("0", and(uinteger, range(10, 3600)))';
		o.placeholder = '60';

		o = s.taboption('collectors', form.Flag, 'lan', _('Device page'),
			_('Fetch the hub\'s device page, for per-device traffic and presence. It is the only page run as JavaScript (the others are read as data), so with it off none runs. The same as switching the lan collector off.'));
		o.enabled = '1';
		o.disabled = '0';
		o.default = o.enabled;

		o = s.taboption('collectors', form.MultiValue, 'disable_collector', _('Collectors switched off'),
			_('Each collector reads one hub page per scrape; each one off is one request less to the hub, and its metrics and figures are gone.'));
		for (const [ name, label ] of this.collectorChoices(status))
			o.value(name, label);
		o.placeholder = _('none: all on');

		if (status && status.collectors_error) {
			o = s.taboption('collectors', form.DummyValue, '_collectors_error', _('Collectors of the installed exporter'));
			o.cfgvalue = () => _('Could not be read (%s), so only those already switched off are listed.').format(status.collectors_error);
		}

		o = s.taboption('service', form.ListValue, 'log_level', _('Log level'),
			_('What reaches the system log (read it with logread -e smarthub-exporter). A failing hub page is logged once when it starts failing, then reminded of at growing intervals.'));
		o.value('error', _('error'));
		o.value('warn', _('warn'));
		o.value('info', _('info'));
		o.value('debug', _('debug'));
		o.value('trace', _('trace'));
		o.default = 'info';

		o = s.taboption('service', form.Flag, 'jail', _('Jail'),
			_('Where procd-ujail is installed, procd runs the exporter in a jail: its own mount, PID and IPC namespaces holding only its binary, /dev/log, /etc/resolv.conf and /etc/hosts, with no_new_privs set. Off: no jail even there; it still runs as the user smarthub-exporter with no privilege, but sees every file that user may read, and no_new_privs is not set (procd sets it only through ujail). Without procd-ujail (not in the default images) it runs unjailed either way.'));
		o.enabled = '1';
		o.disabled = '0';
		o.default = o.enabled;

		return m.render();
	}
});
