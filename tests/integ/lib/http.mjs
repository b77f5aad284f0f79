// HTTP clients for the suite (fetch and the curl binary); both record every response.
//
// Only responses are written to the log: request bodies carry credentials
// and must never reach $MCPGW_LOG_DIR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { env } from './env.mjs';

export const RESPONSES_LOG = path.join(env.logDir,
    `responses-${env.kind}.log`);
export const DEFAULT_TIMEOUT = 15000;

// After this many timeouts in a row the server is taken for hung and
// every later request fails at once, so a dead stack costs seconds.
const MAX_TIMEOUTS = 4;
let timeoutsInARow = 0;

function hung(method, target) {
	if (timeoutsInARow < MAX_TIMEOUTS)
		return;
	const e = new Error(`${method} ${target}: not sent: the server timed ` +
	    `out ${timeoutsInARow} times in a row`);
	e.transport = true;
	throw e;
}

function record(method, target, status, ms, headerLines, body) {
	const head = `=== ${new Date().toISOString()} ${method} ${target} -> ` +
	    `${status} (${ms} ms)\n`;
	fs.appendFileSync(RESPONSES_LOG, head + headerLines.join('\n') +
	    '\n\n' + body + '\n\n');
}

function parseJson(text, contentType) {
	if (!text)
		return undefined;
	if (contentType && !/json/i.test(contentType) && !/^\s*[[{]/.test(text))
		return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

// What every client returns.
export class Res {
	constructor(method, target, status, headers, setCookies, text, ms) {
		this.method = method;
		this.target = target;	// path and query, no host
		this.status = status;
		this.headers = headers;	// lower-case name -> value
		this.setCookies = setCookies;
		this.text = text;
		this.ms = ms;
		this.json = parseJson(text, headers['content-type']);
	}

	header(name) {
		return this.headers[name.toLowerCase()];
	}

	// The value of the named cookie set by this response, or undefined.
	cookie(name) {
		for (const c of this.setCookies) {
			const m = c.match(/^\s*([^=;\s]+)\s*=\s*([^;]*)/);
			if (m && m[1] === name)
				return m[2];
		}
		return undefined;
	}

	// The Set-Cookie line of the named cookie, or undefined.
	cookieLine(name) {
		return this.setCookies.find((c) =>
		    c.trim().startsWith(name + '='));
	}
}

function formBody(fields) {
	const entries = Array.isArray(fields) ? fields : Object.entries(fields);
	return new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))
	    .toString();
}

// A multipart/form-data body, built by hand so tests can also break it.
export function multipart(fields, boundary) {
	const b = boundary || '----itb' + crypto.randomBytes(8).toString('hex');
	const entries = Array.isArray(fields) ? fields : Object.entries(fields);
	const parts = [];
	for (const [k, v] of entries) {
		parts.push(Buffer.from(`--${b}\r\nContent-Disposition: ` +
		    `form-data; name="${k}"\r\n\r\n`));
		parts.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
		parts.push(Buffer.from('\r\n'));
	}
	parts.push(Buffer.from(`--${b}--\r\n`));
	return { body: Buffer.concat(parts),
	    contentType: `multipart/form-data; boundary=${b}` };
}

/*
 * One request with fetch. opts: token, cookie (the session id, or a whole
 * Cookie header starting "session="), json (any value, sent as application/json), form (urlencoded),
 * multipart (fields), body + contentType (raw), headers, timeout.
 */
export async function request(method, target, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	let body;
	if (opts.token)
		headers.Authorization = `Bearer ${opts.token}`;
	if (opts.cookie) {
		headers.Cookie = /^session=|;/.test(opts.cookie) ? opts.cookie :
		    `session=${opts.cookie}`;
	}
	if (opts.json !== undefined) {
		body = JSON.stringify(opts.json);
		headers['Content-Type'] = opts.contentType || 'application/json';
	} else if (opts.form !== undefined) {
		body = formBody(opts.form);
		headers['Content-Type'] = opts.contentType ||
		    'application/x-www-form-urlencoded';
	} else if (opts.multipart !== undefined) {
		const mp = multipart(opts.multipart);
		body = mp.body;
		headers['Content-Type'] = mp.contentType;
	} else if (opts.body !== undefined) {
		body = opts.body;
		if (opts.contentType)
			headers['Content-Type'] = opts.contentType;
	}
	const init = { method, headers, body, redirect: 'manual',
	    signal: AbortSignal.timeout(opts.timeout || DEFAULT_TIMEOUT) };
	if (body && typeof body.getReader === 'function')
		init.duplex = 'half';
	hung(method, target);
	const t0 = Date.now();
	let r, text;
	try {
		r = await fetch(env.url + target, init);
		text = await r.text();
		timeoutsInARow = 0;
	} catch (err) {
		if (err.name === 'TimeoutError')
			timeoutsInARow++;
		const why = err.cause ? `${err.message}: ${err.cause.code ||
		    err.cause.message}` : err.message;
		const e = new Error(`${method} ${target}: no response ` +
		    `(${why}) after ${Date.now() - t0} ms`);
		e.transport = true;
		throw e;
	}
	const ms = Date.now() - t0;
	const hdrs = {};
	const lines = [`HTTP ${r.status} ${r.statusText}`];
	r.headers.forEach((v, k) => {
		if (k === 'set-cookie')
			return;
		hdrs[k] = v;
		lines.push(`${k}: ${v}`);
	});
	const setCookies = r.headers.getSetCookie();
	for (const c of setCookies)
		lines.push(`set-cookie: ${c}`);
	record(method, target, r.status, ms, lines, text);
	return new Res(method, target, r.status, hdrs, setCookies, text, ms);
}

export const get = (t, o) => request('GET', t, o);
export const post = (t, o) => request('POST', t, o);
export const patch = (t, o) => request('PATCH', t, o);
export const del = (t, o) => request('DELETE', t, o);

function run(file, args, opts) {
	return new Promise((resolve) => {
		const child = execFile(file, args, { encoding: 'buffer',
		    maxBuffer: 512 * 1024 * 1024, timeout: opts.timeout,
		    env: opts.env || process.env }, (err, stdout, stderr) => {
			resolve({ code: err ? (typeof err.code === 'number' ?
			    err.code : -1) : 0, signal: err && err.signal,
			    stdout, stderr: stderr.toString() });
		});
		if (opts.input !== undefined)
			child.stdin.end(opts.input);
		else
			child.stdin.end();
	});
}

// Runs a program; resolves {code, stdout (Buffer), stderr (string)}.
export function runProgram(file, args, opts = {}) {
	return run(file, args, { timeout: 60000, ...opts });
}

/*
 * Runs curl with the given arguments (a seed command's argv minus "curl")
 * and returns a Res. Only the response is recorded. opts.label names the
 * request in diagnostics, because argv may hold credentials.
 */
export async function curl(args, opts = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itcurl-'));
	const hfile = path.join(dir, 'h');
	const bfile = path.join(dir, 'b');
	const secs = String(Math.ceil((opts.timeout || DEFAULT_TIMEOUT) / 1000));
	const full = ['-sS', '--max-time', secs, '-D', hfile, '-o', bfile,
	    '-w', '%{http_code}', ...args];
	hung('curl', curlLabel(args));
	const t0 = Date.now();
	const r = await run('curl', full, { timeout: (+secs + 5) * 1000,
	    input: opts.input });
	const ms = Date.now() - t0;
	let hraw = '', body = '';
	try {
		hraw = fs.readFileSync(hfile, 'latin1');
	} catch { /* no response at all */ }
	try {
		body = fs.readFileSync(bfile, 'utf8');
	} catch { /* no body */ }
	fs.rmSync(dir, { recursive: true, force: true });
	const label = opts.label || curlLabel(args);
	if (r.code === 28)
		timeoutsInARow++;
	else
		timeoutsInARow = 0;
	if (r.code !== 0) {
		const e = new Error(`curl ${label}: exit ${r.code}: ` +
		    r.stderr.trim().split('\n').slice(-2).join(' | '));
		e.transport = true;
		e.curlExit = r.code;
		throw e;
	}
	// With 1xx interim replies there are several blocks: keep the last.
	const blocks = hraw.split(/\r?\n\r?\n/).filter((b) => b.trim());
	const last = blocks.length ? blocks[blocks.length - 1] : '';
	const lines = last.split(/\r?\n/);
	const hdrs = {};
	const setCookies = [];
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		if (i <= 0)
			continue;
		const k = l.slice(0, i).trim().toLowerCase();
		const v = l.slice(i + 1).trim();
		if (k === 'set-cookie')
			setCookies.push(v);
		else
			hdrs[k] = k in hdrs ? `${hdrs[k]}, ${v}` : v;
	}
	const status = Number(r.stdout.toString().trim()) || 0;
	const m = label.match(/^(\S+) (.*)$/);
	const method = m ? m[1] : 'CURL';
	const target = m ? m[2] : label;
	record(method, target, status, ms, lines, body);
	return new Res(method, target, status, hdrs, setCookies, body, ms);
}

// "METHOD /path" from curl arguments, without any header or body value.
function curlLabel(args) {
	let method = null, url = '';
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '-X' || args[i] === '--request')
			method = args[++i];
		else if (/^https?:\/\//.test(args[i]))
			url = args[i];
	}
	if (!method) {
		method = args.some((a) => /^(-d|-F|--data.*|--form)$/.test(a)) ?
		    'POST' : 'GET';
	}
	return `${method} ${url.startsWith(env.url) ?
	    url.slice(env.url.length) : url}`;
}
