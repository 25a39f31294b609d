'use strict';
'require view';
'require rpc';
'require poll';
'require dom';

// Status → BT Smart Hub: the figures of the exporter's /status.json at a
// glance. The page never talks to the exporter's port: rpcd's
// luci.smarthub-exporter plugin fetches /status.json on the router and
// hands it over as a string (see /usr/libexec/rpcd/luci.smarthub-exporter).
//
// Every string from the hub is hostile. LuCI's E() and dom.content() put a
// lone string child in as HTML and an array's strings in as text, so every
// child list below is an array, and hub text only ever becomes a text node.
// A value the hub did not report is absent from /status.json and shown as
// a dash, never as 0.

const callStatus = rpc.declare({
	object: 'luci.smarthub-exporter',
	method: 'status',
	expect: { '': {} }
});

// The status.json schema this page reads.
const SCHEMA = 1;
// Seconds between refreshes: each may make the exporter scrape the hub
// once its cache (8 s by default) has run out, so not LuCI's 5 s.
const REFRESH = 30;

const DASH = '\u2014';

function has(v) {
	return v !== undefined && v !== null;
}

function num(v) {
	return typeof v == 'number' && isFinite(v);
}

function bitrate(bytesPerSecond) {
	if (!num(bytesPerSecond))
		return DASH;
	const bits = bytesPerSecond * 8;
	if (bits >= 1e6)
		return _('%s Mbit/s').format((bits / 1e6).toFixed(1));
	return _('%s kbit/s').format((bits / 1e3).toFixed(1));
}

function db(v, unit) {
	return num(v) ? '%s %s'.format(v.toFixed(1), unit) : DASH;
}

function bytes(v) {
	if (!num(v))
		return DASH;
	const units = [ 'B', 'KiB', 'MiB', 'GiB', 'TiB' ];
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return '%s %s'.format(i ? v.toFixed(1) : String(v), units[i]);
}

function duration(secs) {
	if (!num(secs))
		return DASH;
	const d = Math.floor(secs / 86400), h = Math.floor(secs % 86400 / 3600),
		m = Math.floor(secs % 3600 / 60);
	if (d > 0)
		return _('%dd %dh %dm').format(d, h, m);
	if (h > 0)
		return _('%dh %dm').format(h, m);
	return _('%dm %ds').format(m, Math.floor(secs % 60));
}

function when(unix) {
	return num(unix) ? new Date(unix * 1000).toLocaleString() : DASH;
}

function yesno(v, yes, no) {
	return v === true ? yes : (v === false ? no : DASH);
}

// A table of [label, value...] rows; every cell's content is text.
function table(head, rows) {
	const titles = head ? [ E('tr', { 'class': 'tr table-titles' },
		head.map((h) => E('th', { 'class': 'th' }, [ h ]))) ] : [];
	return E('table', { 'class': 'table' }, titles.concat(rows.map((row) =>
		E('tr', { 'class': 'tr' }, row.map((cell, i) =>
			E(i == 0 && !head ? 'th' : 'td', { 'class': i == 0 && !head ? 'th' : 'td' },
				[ has(cell) ? String(cell) : DASH ]))))));
}

function section(title, content) {
	return E('div', { 'class': 'cbi-section' }, [
		E('h3', [ title ]),
		E('div', { 'class': 'cbi-section-node' }, content)
	]);
}

function settingsLink() {
	return E('a', { 'href': L.url('admin/services/smarthub-exporter') },
		[ _('Open the exporter\'s settings') ]);
}

// The URL of the exporter's own page as the browser reaches it.
function pageUrl(res) {
	let host;
	if (res.listen == 'address')
		host = res.host;
	else if (res.listen == 'everywhere')
		host = window.location.hostname.indexOf(':') >= 0
			? '[' + window.location.hostname + ']' : window.location.hostname;
	else
		return null;
	return 'http://' + host + ':' + res.port + '/';
}

return view.extend({
	load() {
		return callStatus().catch((err) => ({ error: 'rpc', detail: String(err) }));
	},

	// Why there are no figures, in words, and where to change it.
	problem(res) {
		let what;
		const url = res.url || '';
		switch (res.error) {
		case 'rpc':
			what = _('LuCI could not ask the router for the exporter\'s status. If luci-app-smarthub-exporter was just installed, log in again; otherwise rpcd may need a restart (/etc/init.d/rpcd restart).');
			break;
		case 'config':
			what = _('The exporter\'s port in its settings is not a port (1-65535), so the exporter cannot start.');
			break;
		case 'timeout':
			what = _('The exporter at %s did not answer in time. It may be stuck waiting for the hub.').format(url);
			break;
		case 'http':
			if (res.code == 503)
				what = _('The exporter at %s runs, but its scrape of the hub took longer than its time budget (HTTP 503). The hub may be slow or busy.').format(url);
			else if (res.code == 404)
				what = _('Something answers at %s, but it has no /status.json: an exporter older than this page, or another program on that port.').format(url);
			else
				what = _('The exporter at %s answered with an HTTP error%s.').format(url, has(res.code) ? ' (%d)'.format(res.code) : '');
			break;
		case 'too_large':
			// The plugin refuses an answer over its limit (256 KiB, rpcd's
			// RPC_EXEC_MAX_SIZE), with its size when it measured it.
			what = (num(res.bytes)
				? _('The exporter at %s answered with %s bytes, more than the %s this page takes through rpcd.').format(url, String(res.bytes), String(res.limit))
				: _('The exporter at %s answered with more than the %s bytes this page takes through rpcd.').format(url, String(res.limit))) +
				' ' + _('An exporter that leaves out its history when asked (?history=0) answers in a few KB: update smarthub-exporter if it is older.');
			break;
		case 'body':
			what = _('Something answers at %s, but not with the exporter\'s status: another program may be using that port.').format(url);
			break;
		case 'schema':
			what = _('The exporter at %s speaks a newer status format (schema %s) than this page reads (schema %d): update luci-app-smarthub-exporter.').format(url, String(res.schema), SCHEMA);
			break;
		default:
			if (res.listen == 'none')
				what = _('The exporter is not running: it listens on the interface %s, which has no address yet. It starts when the interface comes up.').format(res['interface']);
			else
				what = _('The exporter does not answer at %s: it is not running, or listens elsewhere. Its log: logread -e smarthub-exporter.').format(url);
		}
		const parts = [ E('p', [ what ]) ];
		if (res.detail)
			parts.push(E('p', [ E('em', [ _('Details: %s').format(res.detail) ]) ]));
		parts.push(E('p', [ settingsLink() ]));
		return E('div', { 'class': 'alert-message warning' }, parts);
	},

	// The exporter runs but cannot read the hub: every collector that is on
	// fails, or none has scraped yet.
	hubProblem(res, st) {
		const on = (st.collectors || []).filter((c) => c.state != 'disabled' && c.state != 'unavailable');
		const failing = on.filter((c) => c.state == 'failing');
		if (on.length > 0 && failing.length < on.length)
			return null;
		const hub = st.exporter && st.exporter.hub;
		const parts = [];
		if (on.length == 0)
			parts.push(E('p', [ _('Every collector is switched off, so the exporter reads nothing from the hub.') ]));
		else
			parts.push(E('p', [ _('The exporter runs, but cannot read the hub at %s.').format(hub || DASH) ]));
		for (const c of failing)
			parts.push(E('p', [ E('em', [ '%s: %s'.format(c.name, c.error || DASH) ]) ]));
		parts.push(E('p', [ settingsLink() ]));
		return E('div', { 'class': 'alert-message warning' }, parts);
	},

	wan(st) {
		const w = st.wan;
		if (!w)
			return null;
		const rows = [
			[ _('Connected'), yesno(w.connected, _('yes'), _('no')) ],
			[ _('Connected for'), duration(w.connection_uptime_seconds) ],
			[ _('Line'), { ethernet: _('Ethernet (fibre)'), vdsl: _('VDSL'), adsl: _('ADSL') }[w.kind] || DASH ],
			[ _('Line rate down / up'), '%s / %s'.format(bitrate(num(w.download_rate_bits_per_second) ? w.download_rate_bits_per_second / 8 : null),
				bitrate(num(w.upload_rate_bits_per_second) ? w.upload_rate_bits_per_second / 8 : null)) ],
			[ _('Traffic now down / up'), w.throughput ? '%s / %s'.format(bitrate(w.throughput.down_bytes_per_second), bitrate(w.throughput.up_bytes_per_second)) : DASH ],
			[ _('Data down / up'), '%s / %s'.format(bytes(w.downloaded_bytes), bytes(w.uploaded_bytes)) ],
			[ _('IPv4 address'), w.ipv4 ],
			[ _('IPv6 address'), w.ipv6 ]
		];
		const parts = [ table(null, rows) ];
		const dsl = w.dsl;
		if (dsl) {
			const down = dsl.down || {}, up = dsl.up || {};
			const line = (label, key, f) => [ label, f(down[key]), f(up[key]) ];
			parts.push(E('h4', [ _('DSL line: %s').format(
				dsl.up === false ? _('down') : [ dsl.mode, dsl.profile, dsl.channel ].filter(has).join(', ') || _('up')) ]));
			if (dsl.up !== false)
				parts.push(table([ '', _('Down'), _('Up') ], [
					line(_('Sync rate'), 'sync_rate_bytes_per_second', bitrate),
					line(_('Attainable rate'), 'attainable_rate_bytes_per_second', bitrate),
					line(_('SNR margin'), 'snr_margin_db', (v) => db(v, 'dB')),
					line(_('Line attenuation'), 'line_attenuation_db', (v) => db(v, 'dB')),
					line(_('Signal attenuation'), 'signal_attenuation_db', (v) => db(v, 'dB')),
					line(_('Output power'), 'output_power_dbm', (v) => db(v, 'dBm'))
				]));
		}
		return section(_('Line and WAN'), parts);
	},

	hub(st) {
		const h = st.hub;
		if (!h)
			return null;
		return section(_('Hub'), [ table(null, [
			[ _('Model'), h.model ],
			[ _('Firmware'), h.firmware_version ],
			[ _('Up for'), duration(h.uptime_seconds) ],
			[ _('LAN address'), h.lan_ip ]
		]) ]);
	},

	devices(st) {
		const d = st.devices;
		if (!d)
			return null;
		const list = (d.list || []).filter((x) => x.active === true);
		list.sort((a, b) => String(a.name || a.hostname || a.mac).localeCompare(String(b.name || b.hostname || b.mac)));
		const summary = _('%s at home of %s known').format(num(d.active) ? String(d.active) : DASH, num(d.known) ? String(d.known) : DASH);
		return section(_('Devices at home'), [
			E('p', [ summary ]),
			table([ _('Name'), _('IP address'), _('Connection'), _('Disc'), _('Signal'), _('Link rate') ],
				list.map((x) => [
					x.name || x.hostname || x.mac,
					x.ip,
					{ ethernet: _('Ethernet'), '2.4GHz': _('Wi-Fi 2.4 GHz'), '5GHz': _('Wi-Fi 5 GHz') }[x.connection] || x.connection,
					x.node,
					num(x.signal_dbm) ? '%d dBm'.format(x.signal_dbm) : DASH,
					bitrate(x.link_rate_bytes_per_second)
				]))
		]);
	},

	mesh(st) {
		const nodes = st.mesh && st.mesh.nodes;
		if (!nodes || nodes.length == 0)
			return null;
		return section(_('Whole Home discs'), [ table(
			[ _('Name'), _('Model'), _('Backhaul'), _('Backhaul signal'), _('Devices'), _('Up for') ],
			nodes.map((n) => [
				n.name || n.id,
				n.model,
				n.backhaul,
				num(n.backhaul_signal_dbm) ? '%d dBm'.format(n.backhaul_signal_dbm) : DASH,
				num(n.stations) ? String(n.stations) : DASH,
				duration(n.uptime_seconds)
			])) ]);
	},

	collectors(st) {
		const words = { ok: _('working'), failing: _('failing'), unavailable: _('not on this hub model'), disabled: _('switched off') };
		return section(_('Collectors'), [ table([ _('Collector'), _('State'), _('Since'), _('Error') ],
			(st.collectors || []).map((c) => [
				c.name,
				words[c.state] || c.state,
				c.state == 'failing' ? when(c.failing_since) : '',
				c.error || ''
			])) ]);
	},

	footer(res, st) {
		const e = st.exporter || {};
		const parts = [ _('Scraped %s in %s s; exporter %s, hub %s.').format(
			when(e.scraped_at), num(e.scrape_duration_seconds) ? e.scrape_duration_seconds.toFixed(2) : DASH,
			e.version || DASH, e.hub || DASH) ];
		const url = pageUrl(res);
		if (url)
			parts.push(' ', E('a', { 'href': url, 'target': '_blank', 'rel': 'noreferrer' },
				[ _('The exporter\'s own page, with the day\'s chart') ]));
		return E('p', parts);
	},

	// The page's content for one answer of the rpcd method.
	content(res) {
		res = res || {};
		if (res.error)
			return [ this.problem(res) ];
		let st;
		try {
			st = JSON.parse(res.body);
		}
		catch (e) {
			return [ this.problem(Object.assign({}, res, { error: 'body', detail: String(e.message || e) })) ];
		}
		if (!st || typeof st != 'object')
			return [ this.problem(Object.assign({}, res, { error: 'body' })) ];
		if (st.schema !== SCHEMA)
			return [ this.problem(Object.assign({}, res, { error: 'schema', schema: st.schema })) ];
		return [
			this.hubProblem(res, st),
			this.wan(st),
			this.hub(st),
			this.devices(st),
			this.mesh(st),
			this.collectors(st),
			this.footer(res, st)
		].filter((x) => x !== null);
	},

	render(res) {
		const parts = this.content(res);
		const body = E('div', { 'id': 'smarthub-exporter-status' }, parts);
		poll.add(() => callStatus()
			.catch((err) => ({ error: 'rpc', detail: String(err) }))
			.then((r) => {
				const fresh = this.content(r);
				dom.content(body, fresh);
			}), REFRESH);
		return E([], [
			E('h2', [ _('BT Smart Hub') ]),
			E('div', { 'class': 'cbi-map-descr' }, [ _('The hub as the exporter last read it, refreshed every %d seconds.').format(REFRESH) ]),
			body
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
