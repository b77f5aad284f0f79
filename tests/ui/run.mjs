// Browser test runner: runs tests/ui/t_*.mjs (or the named ones) in headless chromium and prints TAP.
//
// Each test file exports `tests`, an array of {name, fn}; fn is async, gets
// the shared browser fixture and fails by throwing. A file may also export
// async `before(fx)` and `after(fx)`. Tests of one file share state and run
// in order; after a failure the file's remaining tests still run.
// Usage: node tests/ui/run.mjs [t_file.mjs ...]
//
// Environment (set by tests/run): MCPGW_URL, MCPGW_ADMIN_USER,
// MCPGW_ADMIN_PASSWORD, MCPGW_LOG_DIR (screenshots go to its screenshots/,
// the test backends' logs next to it), MCPGW_SERVER_KIND. Optional:
// MCPGW_CHROMIUM (default /usr/bin/chromium), MCPGW_UI_TEST_TIMEOUT_MS (one
// test, default 90000).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { env } from './lib/env.mjs';
import { Fixture } from './lib/browser.mjs';

const here = import.meta.dirname;
const TEST_TIMEOUT = Number(process.env.MCPGW_UI_TEST_TIMEOUT_MS) || 90000;

function files() {
	const args = process.argv.slice(2);
	if (args.length) {
		return args.map((a) => {
			const p = fs.existsSync(a) ? a : path.join(here, a);
			return path.resolve(p.endsWith('.mjs') ? p : p + '.mjs');
		});
	}
	return fs.readdirSync(here).filter((f) => /^t_.*\.mjs$/.test(f))
	    .sort().map((f) => path.join(here, f));
}

// Diagnostics never carry a JWT (the output is kept with the logs).
function diag(text) {
	for (const l of String(text).split('\n').slice(0, 12))
		console.log('# ' + l.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<jwt>'));
}

function withTimeout(p, ms, what) {
	let timer;
	return Promise.race([p, new Promise((_, rej) => {
		timer = setTimeout(() => rej(new Error(`${what}: timed out ` +
		    `after ${ms} ms`)), ms);
	})]).finally(() => clearTimeout(timer));
}

function slug(s) {
	return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60);
}

async function main() {
	let n = 0, failed = 0;
	const t0 = Date.now();
	console.log('TAP version 13');
	diag(`target ${env.url} (${env.kind}); screenshots in ${env.shotDir}`);
	const result = (good, label) => {
		n++;
		if (!good)
			failed++;
		console.log(`${good ? 'ok' : 'not ok'} ${n} - ${label}`);
	};
	const fx = new Fixture();
	try {
		await withTimeout(fx.start(), 60000, 'browser start');
		result(true, `chromium starts headless (${fx.version})`);
	} catch (err) {
		result(false, 'chromium starts headless');
		diag(err.stack || err.message);
		console.log(`1..${n}`);
		process.exitCode = 1;
		return;
	}
	for (const file of files()) {
		const base = path.basename(file, '.mjs');
		let mod;
		try {
			mod = await import(pathToFileURL(file).href);
		} catch (err) {
			result(false, `${base}: load`);
			diag(err.stack || err.message);
			continue;
		}
		const tests = Array.isArray(mod.tests) ? mod.tests : [];
		if (mod.before) {
			try {
				await withTimeout(mod.before(fx), TEST_TIMEOUT,
				    `${base} before`);
			} catch (err) {
				for (const t of tests)
					result(false, `${base}: ${t.name}`);
				diag('before() failed: ' + (err.stack || err.message));
				if (mod.after)
					await mod.after(fx).catch(() => {});
				continue;
			}
		}
		for (const t of tests) {
			const label = `${base}: ${t.name}`;
			const s = Date.now();
			fx.beginTest();
			try {
				await withTimeout(Promise.resolve().then(() =>
				    t.fn(fx)), TEST_TIMEOUT, label);
				fx.endTest();
				result(true, label);
			} catch (err) {
				result(false, label);
				diag(err.stack || err.message);
				const shot = await fx.failureShot(
				    `fail-${slug(base + '-' + t.name)}`);
				if (shot)
					diag(`screenshot: ${shot}`);
			}
			const ms = Date.now() - s;
			if (ms > 10000)
				diag(`slow: ${ms} ms`);
		}
		if (mod.after) {
			try {
				await withTimeout(mod.after(fx), TEST_TIMEOUT,
				    `${base} after`);
			} catch (err) {
				result(false, `${base}: after`);
				diag(err.stack || err.message);
			}
		}
	}
	await fx.stop();
	console.log(`1..${n}`);
	diag(`${env.kind}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	console.log(`# ${n - failed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

process.on('unhandledRejection', (err) => {
	console.log('# unhandled rejection: ' + (err && err.message || err));
});

main().catch((err) => {
	console.log('Bail out! ' + (err && err.message || err));
	process.exitCode = 1;
});
