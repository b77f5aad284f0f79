// Integration test runner: runs tests/integ/t_*.mjs (or the named ones) in order and prints TAP.
//
// Each test file exports `tests`, an array of {name, fn}; fn is async and
// fails by throwing. A file may also export async `before` and `after`.
// Usage: node tests/integ/run.mjs [t_file.mjs ...]
//
// Environment (set by tests/run): MCPGW_URL, MCPGW_ADMIN_USER,
// MCPGW_ADMIN_PASSWORD, MCPGW_CONFIG, MCPGW_BIN (directory of mcpgw-admin),
// MCPGW_SECRET_KEY_FILE, MCPGW_LOG_DIR (every response is appended to
// responses-$MCPGW_SERVER_KIND.log there; requests never are),
// MCPGW_SERVER_KIND, MCPGW_DATABASE_ADMIN_URL and MCPGW_PG_BIN (pg_dump).
// MCPGW_TEST_TIMEOUT_MS bounds one test (default 60000).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Failure, Skip } from './lib/check.mjs';
import { env } from './lib/env.mjs';
import { RESPONSES_LOG } from './lib/http.mjs';

const here = import.meta.dirname;
const TEST_TIMEOUT = Number(process.env.MCPGW_TEST_TIMEOUT_MS) || 60000;

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

function diag(lines) {
	for (const l of lines)
		console.log('# ' + l.replace(/\r/g, '\\r'));
}

// A body excerpt for diagnostics, with JWTs masked (the TAP output may be
// kept next to the server logs, which the leak checks scan for tokens).
function excerpt(text, n = 400) {
	const s = String(text ?? '').replace(/\s+/g, ' ').trim()
	    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<jwt>');
	return s.length > n ? s.slice(0, n) + '...' : s;
}

function explain(err) {
	const lines = String(err && err.message || err).split('\n').slice(0, 6);
	const res = err && err.res;
	if (res) {
		lines.push(`  request: ${res.method} ${res.target} -> ` +
		    `${res.status} in ${res.ms} ms`);
		const ct = res.header('content-type');
		if (ct)
			lines.push(`  content-type: ${ct}`);
		const wa = res.header('www-authenticate');
		if (wa)
			lines.push(`  www-authenticate: ${wa}`);
		lines.push(`  body: ${excerpt(res.text) || '(empty)'}`);
	} else if (!(err instanceof Failure) && err && err.stack &&
	    !err.transport) {
		const at = err.stack.split('\n').find((l) =>
		    l.includes('/integ/'));
		if (at)
			lines.push('  at ' + at.trim().replace(/^at /, ''));
	}
	return lines;
}

function withTimeout(p, ms, what) {
	let timer;
	return Promise.race([p, new Promise((_, rej) => {
		timer = setTimeout(() => rej(new Error(`${what}: timed out ` +
		    `after ${ms} ms`)), ms);
	})]).finally(() => clearTimeout(timer));
}

async function main() {
	let n = 0, passed = 0, failed = 0, skipped = 0;
	const t0 = Date.now();
	console.log('TAP version 13');
	diag([`target ${env.url} (${env.kind}); responses logged to ` +
	    RESPONSES_LOG]);
	const result = (good, label, extra) => {
		n++;
		console.log(`${good ? 'ok' : 'not ok'} ${n} - ${label}` +
		    (extra || ''));
	};
	for (const file of files()) {
		const base = path.basename(file, '.mjs');
		let mod;
		try {
			mod = await import(pathToFileURL(file).href);
		} catch (err) {
			result(false, `${base}: load`);
			diag(explain(err));
			failed++;
			continue;
		}
		const tests = Array.isArray(mod.tests) ? mod.tests : [];
		if (!tests.length) {
			result(false, `${base}: exports no tests`);
			failed++;
			continue;
		}
		if (mod.before) {
			try {
				await withTimeout(mod.before(), TEST_TIMEOUT,
				    `${base} before`);
			} catch (err) {
				for (const t of tests) {
					result(false, `${base}: ${t.name}`);
					failed++;
				}
				diag(['before() failed:', ...explain(err)]);
				continue;
			}
		}
		for (const t of tests) {
			const label = `${base}: ${t.name}`;
			const s = Date.now();
			try {
				await withTimeout(Promise.resolve().then(() =>
				    t.fn()), TEST_TIMEOUT, label);
				result(true, label);
				passed++;
			} catch (err) {
				if (err instanceof Skip) {
					result(true, label, ` # SKIP ${err.message}`);
					skipped++;
					continue;
				}
				result(false, label);
				diag(explain(err));
				failed++;
			}
			const ms = Date.now() - s;
			if (ms > 5000)
				diag([`slow: ${ms} ms`]);
		}
		if (mod.after) {
			try {
				await withTimeout(mod.after(), TEST_TIMEOUT,
				    `${base} after`);
			} catch (err) {
				result(false, `${base}: after`);
				diag(explain(err));
				failed++;
			}
		}
	}
	console.log(`1..${n}`);
	diag([`${env.kind}: ${((Date.now() - t0) / 1000).toFixed(1)} s`]);
	console.log(`# ${passed} passed, ${failed} failed` +
	    (skipped ? `, ${skipped} skipped` : ''));
	process.exitCode = failed ? 1 : 0;
}

process.on('unhandledRejection', (err) => {
	console.log('# unhandled rejection: ' + (err && err.message || err));
});

main().catch((err) => {
	console.log('Bail out! ' + (err && err.message || err));
	process.exitCode = 1;
});
