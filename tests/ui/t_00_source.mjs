// Static checks of the UI's files: no HTML sinks, no web storage, nothing inline the CSP would have to allow.
import fs from 'node:fs';
import path from 'node:path';
import { env } from './lib/env.mjs';
import { ok } from './lib/check.mjs';

const ui = path.join(env.project, 'src', 'ui');

function files(dir, ext) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
		const p = path.join(dir, d.name);
		if (d.isDirectory())
			return files(p, ext);
		return p.endsWith(ext) ? [p] : [];
	});
}

// The code without its comments, so that a comment may name what the
// code must not use.
function code(p) {
	return fs.readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')
	    .replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');
}

export const tests = [
	{
		name: 'the scripts use no HTML sinks, eval or web storage',
		fn: async () => {
			const js = files(ui, '.js');
			ok(js.length >= 5, `only ${js.length} scripts under ${ui}`);
			const bad = /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|localStorage|sessionStorage|\.cookie\b|setAttribute\(\s*['"]on|\.style\./;
			for (const p of js) {
				const m = bad.exec(code(p));
				ok(!m, `${path.relative(ui, p)} uses ${m && m[0]}`);
			}
		},
	},
	{
		name: 'the HTML has no inline script, style or event handler',
		fn: async () => {
			for (const p of files(ui, '.html')) {
				const t = fs.readFileSync(p, 'utf8');
				ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(t),
				    `${p}: inline <script>`);
				ok(!/<style/i.test(t), `${p}: <style> element`);
				ok(!/\sstyle=/i.test(t), `${p}: style attribute`);
				ok(!/\son[a-z]+=/i.test(t), `${p}: event handler attribute`);
				ok(!/javascript:/i.test(t), `${p}: javascript: URL`);
			}
		},
	},
	{
		name: 'every UI file is installed by Makefile.am',
		fn: async () => {
			const am = fs.readFileSync(path.join(env.project, 'Makefile.am'), 'utf8');
			for (const p of files(ui, '')) {
				const rel = path.relative(env.project, p);
				ok(am.includes(rel), `${rel} is not in Makefile.am`);
			}
		},
	},
];
