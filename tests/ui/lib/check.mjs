// Assertions and small HTTP helpers for the browser tests.
import { execFile } from 'node:child_process';
import { env } from './env.mjs';

export function ok(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

export function eq(actual, expected, msg) {
	if (actual !== expected)
		throw new Error(`${msg}: expected ${JSON.stringify(expected)}, ` +
		    `got ${JSON.stringify(actual)}`);
}

// curl ARGS... -> {status, body}; the URL is the last argument.
export function curl(args) {
	return new Promise((resolve, reject) => {
		execFile('curl', ['-s', '--max-time', '20', '-w', '\n%{http_code}',
		    ...args], { maxBuffer: 4 << 20 }, (err, stdout) => {
			if (err)
				return reject(new Error(`curl failed: ${err.message}`));
			const i = stdout.lastIndexOf('\n');
			resolve({ status: Number(stdout.slice(i + 1)),
			    body: stdout.slice(0, i) });
		});
	});
}

// The registry's JSON API with a bearer token, through curl.
export async function apiCurl(method, path, token, json) {
	const args = ['-X', method, '-H', `Authorization: Bearer ${token}`];
	if (json !== undefined)
		args.push('-H', 'Content-Type: application/json', '--data-binary',
		    JSON.stringify(json));
	args.push(env.url + path);
	const r = await curl(args);
	let body = null;
	try {
		body = JSON.parse(r.body);
	} catch {
		body = null;
	}
	return { status: r.status, json: body, text: r.body };
}

// Polls fn() until it returns a truthy value; the last value otherwise.
export async function until(fn, ms, what) {
	const end = Date.now() + ms;
	let last;
	for (;;) {
		last = await fn();
		if (last)
			return last;
		if (Date.now() > end)
			throw new Error(`${what}: not within ${ms} ms`);
		await new Promise((r) => setTimeout(r, 250));
	}
}
