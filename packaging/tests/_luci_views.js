'use strict';
// Runs a LuCI view of packaging/luci-app-smarthub-exporter/ under node, for
// packaging/tests/test_luci_views.py. The view is loaded as LuCI loads a
// class ('require NAME' lines become the function's parameters, the file's
// top-level `return` its value); LuCI itself is not here, so what the view
// calls of it is stood in for, following LuCI's documented behaviour where
// the test depends on it:
//  - E() and dom.append/dom.content: an array's items are appended, strings
//    as text nodes (null and undefined too, as the text "null"/"undefined");
//    a lone string child is set as innerHTML (luci.js dom.append). Every
//    innerHTML assignment is recorded, so a test can demand there is none.
//  - form: the classes record the options, their type and properties.
//
//   node _luci_views.js form VIEW                -> the form's sections and options
//   node _luci_views.js validate VIEW < [values] -> validateHost's answer for each
//   node _luci_views.js status VIEW < {answer, hostname}
//                                                -> the page for one rpcd answer

const fs = require('fs');

const [ , , mode, file ] = process.argv;
const input = JSON.parse(fs.readFileSync(0, 'utf8') || 'null');

// --- a document -----------------------------------------------------------------
const innerHTML = [];

class FakeNode {
	constructor(tag, text) {
		this.tag = tag;
		this.text = text;
		this.attrs = {};
		this.children = [];
	}
	appendChild(child) {
		if (child.tag === '#fragment') {
			for (const c of child.children.slice())
				this.appendChild(c);
			child.children = [];
			return child;
		}
		this.children.push(child);
		return child;
	}
	removeChild(child) {
		this.children = this.children.filter((c) => c !== child);
		return child;
	}
	get firstChild() { return this.children[0] || null; }
	get lastChild() { return this.children[this.children.length - 1] || null; }
	setAttribute(k, v) { this.attrs[k] = String(v); }
	addEventListener() {}
	set innerHTML(v) {
		innerHTML.push(String(v));
		this.children = [ new FakeNode('#html', String(v)) ];
	}
	get textContent() {
		return this.tag === '#text' ? this.text : this.children.map((c) => c.textContent).join('');
	}
	json() {
		if (this.tag === '#text')
			return this.text;
		const out = { tag: this.tag, children: this.children.map((c) => c.json()) };
		if (Object.keys(this.attrs).length)
			out.attrs = this.attrs;
		return out;
	}
}

const document = {
	createElement: (tag) => new FakeNode(tag),
	createTextNode: (text) => new FakeNode('#text', String(text)),
	createDocumentFragment: () => new FakeNode('#fragment')
};
const window = { location: { hostname: (input && input.hostname) || '192.168.1.1' } };
const isNode = (x) => x instanceof FakeNode;

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

// --- LuCI's globals ------------------------------------------------------------
const _ = (s) => s;
const N_ = (n, s, p) => (n == 1 ? s : p);
// String.prototype.format for the conversions the views use.
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

// --- form ----------------------------------------------------------------------------
const recorded = { sections: [] };
class Option {
	constructor(type, name, title, description) {
		Object.assign(this, { type, name, title, description, values: [] });
	}
	value(key, label) { this.values.push([ key, label === undefined ? key : label ]); }
}
class Section {
	constructor(type, args) {
		this.type = type;
		this.args = args;
		this.options = [];
		this.tabs = [];
	}
	tab(name, title) { this.tabs.push([ name, title ]); }
	option(cls, name, title, description) {
		const o = new Option(cls.typeName, name, title, description);
		this.options.push(o);
		return o;
	}
	taboption(tab, cls, name, title, description) {
		const o = this.option(cls, name, title, description);
		o.tab = tab;
		return o;
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
		render() { return Promise.resolve('rendered'); }
	}
};
for (const t of [ 'NamedSection', 'TypedSection', 'Value', 'Flag', 'ListValue', 'MultiValue', 'DynamicList', 'DummyValue' ])
	form[t] = { typeName: t };

// --- rpc and poll ----------------------------------------------------------------------
const declared = [];
const polls = [];
const rpc = {
	declare(opts) {
		declared.push(opts);
		return () => Promise.resolve(input && input.answer);
	}
};
const poll = { add: (fn, interval) => { polls.push(interval); return true; } };
const view = { extend: (o) => o };
const modules = { view, form, rpc, poll, dom };

// --- load the view as LuCI does --------------------------------------------------------
function load(path) {
	const source = fs.readFileSync(path, 'utf8');
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

async function main() {
	const v = load(file);
	let out;
	if (mode === 'form') {
		await v.render();
		out = {
			config: recorded.config,
			title: recorded.title,
			sections: recorded.sections.map((s) => ({
				type: s.type, args: s.args, tabs: s.tabs,
				options: s.options.map((o) => {
					const r = {};
					for (const k of Object.keys(o))
						if (typeof o[k] !== 'function')
							r[k] = o[k];
					r.validates = typeof o.validate === 'function';
					return r;
				})
			}))
		};
	}
	else if (mode === 'validate') {
		out = input.map((value) => v.validateHost('main', value));
	}
	else if (mode === 'status') {
		const answer = await v.load();
		const page = v.render(answer);
		const root = new FakeNode('root');
		root.appendChild(page);
		const links = [];
		(function walk(n) {
			if (n.tag === 'a')
				links.push({ href: n.attrs.href, text: n.textContent });
			n.children.forEach(walk);
		})(root);
		out = {
			text: root.textContent,
			tree: root.json(),
			links, innerHTML, declared, polls,
			footer: { save: v.handleSave, apply: v.handleSaveApply, reset: v.handleReset }
		};
	}
	else
		throw new Error('mode: form, validate or status');
	process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
	process.stderr.write(String(e && e.stack || e) + '\n');
	process.exit(1);
});
