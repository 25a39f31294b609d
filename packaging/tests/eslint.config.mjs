// ESLint for the LuCI app's views (packaging/tests/test_luci_app.py runs
// `eslint --config` with this file). A view is a LuCI class: a script whose
// top-level `return` is its value, with LuCI's globals and its 'require'd
// modules as names in scope.
export default [
	{
		files: ["**/*.js"],
		languageOptions: {
			ecmaVersion: 2020,
			sourceType: "script",
			parserOptions: { ecmaFeatures: { globalReturn: true } },
			globals: {
				L: "readonly", E: "readonly", _: "readonly", N_: "readonly",
				window: "readonly", document: "readonly", Promise: "readonly",
				// The modules the views require, named as LuCI names them.
				view: "readonly", form: "readonly", rpc: "readonly", poll: "readonly",
				dom: "readonly", uci: "readonly"
			}
		},
		rules: {
			"no-undef": "error",
			"no-unused-vars": ["error", { args: "none" }],
			"no-redeclare": "error",
			"no-dupe-keys": "error",
			"no-duplicate-case": "error",
			"no-unreachable": "error",
			"no-fallthrough": "error",
			"no-const-assign": "error",
			"no-self-compare": "error",
			"no-unsafe-finally": "error",
			"no-eval": "error",
			"no-implied-eval": "error",
			"no-new-func": "error",
			"prefer-const": "error",
			"no-var": "error",
			"semi": ["error", "always"],
			"strict": ["error", "global"],
			"no-restricted-syntax": ["error",
				{
					selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]",
					message: "hub text must never become markup: build nodes with E()"
				},
				{
					selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
					message: "hub text must never become markup: build nodes with E()"
				},
				// E(tag, attrs, children) and E(tag, children): LuCI's dom.append
				// puts a lone string in as HTML and an array's strings in as
				// text, so the children are an array (literal, variable, or
				// the array map/filter/concat return), never a string.
				{
					selector: "CallExpression[callee.name='E'] > :matches(Literal, TemplateLiteral, BinaryExpression, ConditionalExpression, CallExpression[callee.property.name!=/^(map|filter|concat)$/]).arguments:nth-child(2)",
					message: "E()'s children must be an array: a lone string is set as innerHTML"
				},
				{
					selector: "CallExpression[callee.name='E'] > :matches(Literal, TemplateLiteral, BinaryExpression, ConditionalExpression, CallExpression[callee.property.name!=/^(map|filter|concat)$/]).arguments:nth-child(3)",
					message: "E()'s children must be an array: a lone string is set as innerHTML"
				},
				{
					selector: "CallExpression[callee.object.name='dom'][callee.property.name=/^(append|content)$/] > :matches(Literal, TemplateLiteral, BinaryExpression, ConditionalExpression).arguments:nth-child(2)",
					message: "dom.content()'s children must be an array: a lone string is set as innerHTML"
				}
			]
		}
	}
];
