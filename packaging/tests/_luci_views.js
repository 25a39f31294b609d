'use strict';
// Runs a LuCI view of packaging/luci-app-smarthub-exporter/ under node, for
// packaging/tests/test_luci_views.py, on the LuCI stand-in of
// _luci_runtime.js (its DOM rules are written there) with a document that
// records what is built.
//
//   node _luci_views.js form VIEW < {answer, uci}  -> the form's sections and
//                                                    options, and the rpc calls
//   node _luci_views.js validate VIEW < [values]   -> validateHost's answer for each
//   node _luci_views.js datatype < [[expr, value]...]
//                                                  -> LuCI's verdict on each
//   node _luci_views.js status VIEW < {answer, hostname}
//                                                  -> the page for one rpcd answer

const fs = require('fs');
const luciRuntime = require('./_luci_runtime.js');

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
const luci = luciRuntime({
	document, window, isNode: (x) => x instanceof FakeNode,
	answer: input && input.answer, uci: input && input.uci
});

async function main() {
	const source = mode === 'datatype' ? null : fs.readFileSync(file, 'utf8');
	let out;
	if (mode === 'form') {
		const page = await luci.page(source);
		const root = new FakeNode('root');
		root.appendChild(page);
		const { recorded } = luci;
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
					if (o.type === 'DummyValue')
						r.shown = o.current();
					return r;
				})
			})),
			calls: luci.calls,
			text: root.textContent,
			innerHTML
		};
	}
	else if (mode === 'validate') {
		const v = luci.load(source);
		out = input.map((value) => v.validateHost('main', value));
	}
	else if (mode === 'datatype') {
		out = input.map(([ expr, value ]) => luci.datatype(expr, value));
	}
	else if (mode === 'status') {
		const v = luci.load(source);
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
			links, innerHTML,
			declared: luci.declared, calls: luci.calls, polls: luci.polls,
			footer: { save: v.handleSave, apply: v.handleSaveApply, reset: v.handleReset }
		};
	}
	else
		throw new Error('mode: form, validate, datatype or status');
	process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
	process.stderr.write(String(e && e.stack || e) + '\n');
	process.exit(1);
});
