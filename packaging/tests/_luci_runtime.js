'use strict';
// A stand-in for the parts of LuCI's client API the app's views use, for
// the tests: run under node by _luci_views.js (on a recording document) and
// in headless Chromium by luci_screenshots.py (on the browser's document).
// LuCI itself is not here: its client runtime is ~450 KB this repository
// does not carry. What the views call is stood in for, following LuCI's
// documented behaviour where a test or a screenshot depends on it:
//  - E() and dom.append/dom.content: an array's items are appended, strings
//    as text nodes (null and undefined too, as the text "null"/"undefined");
//    a lone string child is set as innerHTML (luci.js dom.append), which
//    _luci_views.js's document records, so a test can demand there is none.
//  - form: Map, NamedSection, Value, Flag, ListValue, MultiValue and
//    DummyValue record their properties; Map.render() draws a plain form:
//    the map's title and description, the section's tabs one below another
//    (LuCI shows one at a time), each option's label, widget, description,
//    and the message of a value it refuses, as LuCI's validation words it.
//  - datatypes: LuCI's validation expressions (luci-base validation.js):
//    or(), and(), quoted literals, numbers and the types the views use, each
//    with LuCI's verdict and message. A type not stood in for is an error,
//    so a misspelt datatype fails the tests rather than passing unchecked.
//  - rpc.declare: every call is recorded with its arguments and answered
//    with env.answer (in the screenshots: what the real rpcd plugin printed
//    against the real exporter).
//  - uci: load() and get() over env.uci ({section: {option: value}}).
//  - poll.add: recorded, never run.

function luciRuntime(env) {
	const document = env.document;
	const window = env.window;
	const isNode = env.isNode;

	// --- dom --------------------------------------------------------------------
	const dom = {
		elem: isNode,
		append(node, children) {
			if (Array.isArray(children)) {
				for (let i = 0; i < children.length; i++)
					if (isNode(children[i]))
						node.appendChild(children[i]);
					else if (children !== null && children !== undefined)
						node.appendChild(document.createTextNode('' + children[i]));
				return node.lastChild;
			}
			if (typeof children === 'function')
				return this.append(node, children(node));
			if (isNode(children))
				return node.appendChild(children);
			if (children !== null && children !== undefined) {
				node.innerHTML = '' + children;
				return node.lastChild;
			}
			return null;
		},
		content(node, children) {
			while (node.firstChild)
				node.removeChild(node.firstChild);
			return this.append(node, children);
		},
		create(html, attr, data) {
			if (!(attr instanceof Object) || Array.isArray(attr))
				[ data, attr ] = [ attr, null ];
			let elem;
			if (Array.isArray(html)) {
				elem = document.createDocumentFragment();
				for (const h of html)
					elem.appendChild(this.create(h));
			}
			else if (isNode(html))
				elem = html;
			else if (String(html).charAt(0) === '<')
				throw new Error('E() with markup: ' + html);
			else
				elem = document.createElement(html);
			for (const k in attr || {}) {
				if (attr[k] === null || attr[k] === undefined)
					continue;
				if (typeof attr[k] === 'function')
					elem.addEventListener(k, attr[k]);
				else if (typeof attr[k] === 'object')
					elem.setAttribute(k, JSON.stringify(attr[k]));
				else
					elem.setAttribute(k, attr[k]);
			}
			this.append(elem, data);
			return elem;
		}
	};
	const E = (...args) => dom.create(...args);

	// --- LuCI's globals ---------------------------------------------------------
	const _ = (s) => s;
	const N_ = (n, s, p) => (n == 1 ? s : p);
	// String.prototype.format for the conversions the views use.
	if (!String.prototype.format)
		Object.defineProperty(String.prototype, 'format', {
			value: function(...args) {
				let i = 0;
				return this.replace(/%(%|-?\d*(?:\.(\d+))?[sdf])/g, (m, spec, prec) => {
					if (spec === '%')
						return '%';
					const v = args[i++];
					switch (spec.slice(-1)) {
					case 'd': return String(Math.floor(+v));
					case 'f': return prec !== undefined ? (+v).toFixed(+prec) : String(+v);
					default: return String(v);
					}
				});
			}
		});
	const L = {
		bind: (fn, self) => fn.bind(self),
		url: (...parts) => '/cgi-bin/luci/' + parts.join('/'),
		resolveDefault: (p, d) => Promise.resolve(p).catch(() => d)
	};

	// --- datatypes ----------------------------------------------------------------
	// An expression compiles to a list of arguments: numbers, quoted
	// literals (strings), and calls {name, args}.
	function compile(code) {
		const out = [];
		let depth = 0, start = 0, name = null;
		const text = code + ',';
		for (let i = 0; i < text.length; i++) {
			const c = text.charAt(i);
			if (c == '(' && depth++ == 0) {
				name = text.substring(start, i).trim();
				start = i + 1;
			}
			else if (c == ')' && --depth == 0) {
				out.push({ name, args: compile(text.substring(start, i)) });
				name = null;
				start = i + 1;
			}
			else if (c == ',' && depth == 0) {
				const word = text.substring(start, i).trim();
				start = i + 1;
				if (word === '')
					continue;
				if (/^(['"]).*\1$/.test(word))
					out.push(word.slice(1, -1));
				else if (!isNaN(word))
					out.push(parseFloat(word));
				else
					out.push({ name: word, args: [] });
			}
		}
		for (const a of out)
			if (typeof a == 'object' && !(a.name in TYPES))
				throw new Error('datatype: no type ' + a.name + ' in ' + code);
		return out;
	}
	const parseInteger = (x) => (/^-?\d+$/.test(x) ? +x : NaN);
	const parseDecimal = (x) => (/^-?\d+(?:\.\d+)?$/.test(x) ? +x : NaN);
	// Each type: (value, ...args) -> true or LuCI's words for what it expects.
	const TYPES = {
		or(v, ...args) {
			const errors = [];
			for (const a of args) {
				if (typeof a != 'object') {
					// LuCI compares a literal with ==, as written here.
					if (a == v)
						return true;
					errors.push('"%s"'.format(a));
				}
				else {
					const r = check(a, v);
					if (r === true)
						return true;
					errors.push(r);
				}
			}
			return 'One of the following: %s'.format('\n - ' + errors.join('\n - '));
		},
		and(v, ...args) {
			for (const a of args) {
				if (typeof a != 'object') {
					if (a != v)
						return '"%s"'.format(a);
				}
				else {
					const r = check(a, v);
					if (r !== true)
						return r;
				}
			}
			return true;
		},
		integer: (v) => !isNaN(parseInteger(v)) || 'valid integer value',
		uinteger: (v) => parseInteger(v) >= 0 || 'positive integer value',
		range: (v, min, max) => (parseDecimal(v) >= +min && parseDecimal(v) <= +max) ||
			'value between %f and %f'.format(min, max),
		min: (v, min) => parseDecimal(v) >= +min || 'value greater or equal to %f'.format(min),
		max: (v, max) => parseDecimal(v) <= +max || 'value smaller or equal to %f'.format(max),
		port: (v) => (parseInteger(v) >= 0 && parseInteger(v) <= 65535) || 'valid port value',
		uciname: (v) => /^[a-zA-Z0-9_]+$/.test(v) || 'valid UCI identifier'
	};
	function check(call, v) {
		return TYPES[call.name](v, ...call.args);
	}
	// LuCI's verdict on a non-empty value: true, or the message it shows.
	function datatype(expr, value) {
		const [ top ] = compile(expr);
		const r = check(top, String(value));
		return r === true ? true : 'Expecting: %s'.format(r);
	}

	// --- uci, rpc, poll -----------------------------------------------------------
	const uciData = env.uci || {};
	const uci = {
		load: (config) => Promise.resolve([ config ]),
		get(config, section, option) {
			const s = uciData[section];
			if (!s)
				return null;
			return option === undefined ? s : (option in s ? s[option] : null);
		}
	};
	const calls = [];
	const declared = [];
	const rpc = {
		declare(opts) {
			declared.push(opts);
			return (...args) => {
				const named = {};
				(opts.params || []).forEach((p, i) => { named[p] = args[i]; });
				calls.push({ object: opts.object, method: opts.method, args: named });
				return Promise.resolve(env.answer);
			};
		}
	};
	const polls = [];
	const poll = { add: (fn, interval) => { polls.push(interval); return true; } };

	// --- form ---------------------------------------------------------------------
	const recorded = { sections: [] };

	class Option {
		constructor(type, section, name, title, description) {
			Object.assign(this, { type, name, title, description, values: [] });
			Object.defineProperty(this, 'section', { value: section, enumerable: false });
		}
		value(key, label) { this.values.push([ key, label === undefined ? key : label ]); }
		// What LuCI shows: the configured value, else the default.
		current() {
			if (this.cfgvalue)
				return this.cfgvalue(this.section.id);
			const v = uci.get(recorded.config, this.section.id, this.name);
			return v === null || v === undefined ? this.default : v;
		}
		// LuCI's verdict on a value typed in: true or the message.
		verdict(value) {
			if (value === '' || value === undefined || value === null)
				return true;
			if (this.datatype) {
				const r = datatype(this.datatype, value);
				if (r !== true)
					return r;
			}
			return this.validate ? this.validate(this.section.id, value) : true;
		}
		widget(shown) {
			const value = shown !== undefined ? shown : this.current();
			const id = 'widget.' + this.name;
			switch (this.type) {
			case 'Flag':
				return E('input', { type: 'checkbox', id, checked: value == this.enabled ? '' : null });
			case 'ListValue':
				return E('select', { id }, this.values.map(([ k, label ]) =>
					E('option', { value: k, selected: k == value ? '' : null }, [ label ])));
			case 'MultiValue': {
				const chosen = [].concat(value || []);
				if (this.values.length == 0)
					return E('em', [ this.placeholder || '' ]);
				return E('div', { 'class': 'choices', id }, this.values.map(([ k, label ]) =>
					E('label', [ E('input', { type: 'checkbox', checked: chosen.indexOf(k) >= 0 ? '' : null }),
						' ', label ])));
			}
			case 'DummyValue':
				return E('div', { id }, [ value === null || value === undefined ? '' : String(value) ]);
			default: {
				const message = E('div', { 'class': 'invalid' }, []);
				const show = (v) => {
					const r = this.verdict(v);
					dom.content(message, r === true ? [] : [ r ]);
				};
				const input = E('input', {
					type: 'text', id, value: value === null || value === undefined ? '' : String(value),
					placeholder: this.placeholder || null,
					input: (ev) => show(ev.target.value)
				});
				const parts = [ input ];
				if (this.values.length)
					parts.push(E('span', { 'class': 'hint' }, [ 'choices: ' +
						this.values.map(([ k, label ]) => (k == label ? k : label)).join(', ') ]));
				show(value);
				parts.push(message);
				return E('div', parts);
			}
			}
		}
		render(shown) {
			const field = [ this.widget(shown) ];
			if (this.description)
				field.push(E('div', { 'class': 'cbi-value-description' }, [ this.description ]));
			return E('div', { 'class': 'cbi-value' }, [
				E('label', { 'class': 'cbi-value-title' }, [ this.title || '' ]),
				E('div', { 'class': 'cbi-value-field' }, field)
			]);
		}
	}

	class Section {
		constructor(type, args) {
			this.type = type;
			this.args = args;
			this.id = args[0];
			this.options = [];
			this.tabs = [];
		}
		tab(name, title) { this.tabs.push([ name, title ]); }
		option(cls, name, title, description) {
			const o = new Option(cls.typeName, this, name, title, description);
			this.options.push(o);
			return o;
		}
		taboption(tab, cls, name, title, description) {
			const o = this.option(cls, name, title, description);
			o.tab = tab;
			return o;
		}
		render() {
			const typed = env.typed || {};
			const rows = (tab) => this.options.filter((o) => o.tab === tab).map((o) => o.render(typed[o.name]));
			const parts = rows(undefined);
			for (const [ name, title ] of this.tabs)
				parts.push(E('div', { 'class': 'cbi-tab' }, [ E('h3', [ title ]) ].concat(rows(name))));
			return E('div', { 'class': 'cbi-section' }, parts);
		}
	}

	const form = {
		Map: class {
			constructor(config, title, description) {
				Object.assign(recorded, { config, title, description });
			}
			section(cls, ...args) {
				const s = new Section(cls.typeName, args);
				recorded.sections.push(s);
				return s;
			}
			render() {
				return Promise.resolve(E('div', { 'class': 'cbi-map' }, [
					E('h2', [ recorded.title ]),
					E('div', { 'class': 'cbi-map-descr' }, [ recorded.description ])
				].concat(recorded.sections.map((s) => s.render()))));
			}
		}
	};
	for (const t of [ 'NamedSection', 'TypedSection', 'Value', 'Flag', 'ListValue', 'MultiValue', 'DynamicList', 'DummyValue' ])
		form[t] = { typeName: t };

	// LuCI's view class: load() resolves to nothing, and the footer's
	// buttons are there unless a view sets their handlers to null.
	const view = {
		extend: (o) => Object.assign({
			load: () => Promise.resolve(),
			handleSave() {}, handleSaveApply() {}, handleReset() {}
		}, o)
	};
	const modules = { view, form, rpc, poll, dom, uci };

	// --- a view, loaded as LuCI loads a class ---------------------------------
	// 'require NAME' lines become the function's parameters, the file's
	// top-level `return` its value.
	function load(source) {
		const names = [], values = [];
		for (const m of source.matchAll(/^'require ([\w.]+)(?: as (\w+))?';$/gm)) {
			if (!(m[1] in modules))
				throw new Error('no stand-in for required ' + m[1]);
			names.push(m[2] || m[1]);
			values.push(modules[m[1]]);
		}
		const fn = new Function('window', 'document', 'L', '_', 'N_', 'E', ...names, source);
		return fn(window, document, L, _, N_, E, ...values);
	}

	// The page LuCI would show for a view: its load(), then render(); the
	// footer's buttons unless the view switched them off (null).
	async function page(source) {
		const v = load(source);
		const node = await v.render(await v.load());
		const footer = [ [ 'handleSaveApply', 'Save & Apply' ], [ 'handleSave', 'Save' ], [ 'handleReset', 'Reset' ] ]
			.filter(([ k ]) => v[k] !== null).map(([ , label ]) => E('button', [ label ]));
		return E('div', { 'class': 'view' }, [ node ].concat(footer.length ? [ E('div', { 'class': 'cbi-page-actions' }, footer) ] : []));
	}

	return { E, L, _, dom, load, page, datatype, recorded, declared, calls, polls };
}

if (typeof module !== 'undefined')
	module.exports = luciRuntime;
