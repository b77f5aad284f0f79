// Helpers of the fault, security and load tests: responder processes, crash scans, raw HTTP, stored-data snapshots.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { env, nameOf } from './env.mjs';
import { get } from './http.mjs';
import { adminToken } from './auth.mjs';
import { fail } from './check.mjs';

/* ---- responder processes and crashes ---- */

// PIDs of the running mcpgw.fcgi processes of this run (by executable).
export function responderPids() {
	if (!env.bin)
		return [];
	const dir = fs.existsSync(env.bin) && fs.statSync(env.bin).isDirectory() ?
	    env.bin : path.dirname(env.bin);
	const exe = path.join(dir, 'mcpgw.fcgi');
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d))
			continue;
		let link;
		try {
			link = fs.readlinkSync(`/proc/${d}/exe`);
		} catch {
			continue;
		}
		if (link === exe)
			out.push(Number(d));
	}
	return out.sort((a, b) => a - b);
}

// The web server's and the responder's log files of this run.
function serverLogs() {
	const dir = path.join(env.logDir, env.kind);
	let names = [];
	try {
		names = fs.readdirSync(dir);
	} catch {
		return [];
	}
	return names.filter((n) => /^(error|mcpgw)\.log$/.test(n))
	    .map((n) => path.join(dir, n));
}

// Byte offsets of the server logs now, for crashesSince().
export function logMarks() {
	const m = new Map();
	for (const f of serverLogs()) {
		try {
			m.set(f, fs.statSync(f).size);
		} catch { /* vanished */ }
	}
	return m;
}

const CRASH = new RegExp([
	'ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
	'Segmentation fault', 'SIGSEGV', 'SIGABRT', 'core dumped',
	'get unexpected signal', 'exit\\(communication error\\)',
	'terminated by calling exit\\(\\), return code: [1-9]',
	'backend died', 'child exited', 'child signaled',
].join('|'));

// Lines of the server logs written since marks that tell of a crash.
export function crashesSince(marks) {
	const found = [];
	for (const f of serverLogs()) {
		let buf;
		try {
			buf = fs.readFileSync(f);
		} catch {
			continue;
		}
		const from = marks.get(f) || 0;
		for (const l of buf.subarray(from).toString('utf8').split('\n')) {
			if (CRASH.test(l))
				found.push(`${path.basename(f)}: ${l.slice(0, 200)}`);
		}
	}
	return found;
}

/*
 * Fails when a responder crashed since marks: a crash line in the logs, or
 * (lighttpd runs one long-lived responder) one of pidsBefore gone.
 */
export function noCrash(marks, pidsBefore, what) {
	const lines = crashesSince(marks);
	if (lines.length) {
		fail(`${what}: the server logs show a crash:\n` +
		    lines.slice(0, 5).join('\n'));
	}
	if (env.kind === 'lighttpd' && pidsBefore) {
		const now = new Set(responderPids());
		const gone = pidsBefore.filter((p) => !now.has(p));
		if (gone.length) {
			fail(`${what}: responder process(es) ${gone.join(', ')} ` +
			    `ended (now: ${[...now].join(', ') || 'none'})`);
		}
	}
}

/* ---- raw HTTP ---- */

/*
 * Sends raw bytes to the web server and collects the reply. opts:
 * halfClose (end our side after sending), holdMs (then destroy the socket
 * if no reply came), timeout (default 15000). Resolves {status (0 if
 * none), head, headers, body (Buffer), closed, timedOut, ms, error}.
 */
export function rawRequest(bytes, opts = {}) {
	const u = new URL(env.url);
	const timeout = opts.timeout || 15000;
	return new Promise((resolve) => {
		const t0 = Date.now();
		const chunks = [];
		let done = false, timedOut = false, error = null, hold = null;
		const sock = net.connect({ host: u.hostname,
		    port: Number(u.port) || 80 });
		const finish = () => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			clearTimeout(hold);
			sock.destroy();
			resolve(parseRaw(Buffer.concat(chunks), { closed: !timedOut,
			    timedOut, ms: Date.now() - t0, error }));
		};
		const timer = setTimeout(() => {
			timedOut = true;
			finish();
		}, timeout);
		sock.on('connect', () => {
			sock.write(bytes, () => {
				if (opts.halfClose)
					sock.end();
				if (opts.holdMs)
					hold = setTimeout(finish, opts.holdMs);
			});
		});
		sock.on('data', (d) => {
			chunks.push(d);
			if (complete(Buffer.concat(chunks)))
				finish();
		});
		sock.on('error', (e) => {
			error = e.code || e.message;
			finish();
		});
		sock.on('close', finish);
	});
}

function headEnd(buf) {
	return buf.indexOf('\r\n\r\n');
}

function parseHead(text) {
	const lines = text.split('\r\n');
	const m = lines[0].match(/^HTTP\/\d\.\d (\d{3})/);
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		if (i > 0)
			headers[l.slice(0, i).trim().toLowerCase()] =
			    l.slice(i + 1).trim();
	}
	return { status: m ? Number(m[1]) : 0, headers };
}

// Whether buf holds one whole response (by Content-Length or chunking).
function complete(buf) {
	const e = headEnd(buf);
	if (e < 0)
		return false;
	const { status, headers } = parseHead(buf.subarray(0, e).toString());
	const body = buf.subarray(e + 4);
	if (status === 204 || status === 304 || (status >= 100 && status < 200))
		return true;
	if ('content-length' in headers)
		return body.length >= Number(headers['content-length']);
	if (/chunked/i.test(headers['transfer-encoding'] || '')) {
		return body.includes('\r\n0\r\n\r\n') ||
		    body.indexOf('0\r\n\r\n') === 0;
	}
	return false;
}

function parseRaw(buf, extra) {
	const e = headEnd(buf);
	const head = e < 0 ? buf.toString('latin1') :
	    buf.subarray(0, e).toString('latin1');
	const { status, headers } = parseHead(head);
	const body = e < 0 ? Buffer.alloc(0) : buf.subarray(e + 4);
	let json;
	try {
		json = JSON.parse(/chunked/i.test(headers['transfer-encoding'] ||
		    '') ? dechunk(body) : body.toString());
	} catch {
		json = undefined;
	}
	return { status, head, headers, body, json, ...extra };
}

function dechunk(body) {
	let out = '', s = body.toString('latin1');
	for (;;) {
		const i = s.indexOf('\r\n');
		if (i < 0)
			break;
		const n = Number.parseInt(s.slice(0, i), 16);
		if (!n)
			break;
		out += s.slice(i + 2, i + 2 + n);
		s = s.slice(i + 2 + n + 2);
	}
	return Buffer.from(out, 'latin1').toString();
}

// "Host: ..." for raw requests.
export function hostHeader() {
	return `Host: ${new URL(env.url).host}`;
}

/* ---- stored data ---- */

// Fields that probes (not requests) may change.
const VOLATILE = ['health_status', 'health_detail', 'last_checked_iso'];

/*
 * Everything the API shows of the stored servers: every server with its
 * tool list (GET /api/servers?include_tools=true, all pages) and, for each
 * path in extra, GET /api/servers/{name}/tools. Returns a Map from a key
 * to a canonical JSON string.
 */
export async function snapshot(extra = []) {
	const tok = await adminToken();
	const out = new Map();
	let total = null;
	for (let offset = 0; ; offset += 500) {
		const res = await get(`/api/servers?limit=500&offset=${offset}` +
		    '&include_tools=true', { token: tok, timeout: 30000 });
		if (res.status !== 200 || !res.json || !Array.isArray(res.json.servers))
			fail(`snapshot: GET /api/servers: ${res.status}`, res);
		total = res.json.total_count;
		for (const s of res.json.servers) {
			const c = { ...s };
			for (const k of VOLATILE)
				delete c[k];
			out.set(`server ${s.path}`, canon(c));
		}
		if (!res.json.has_next)
			break;
	}
	out.set('total_count', String(total));
	for (const p of extra) {
		const res = await get(`/api/servers/${encodeURIComponent(
		    nameOf(p))}/tools`, { token: tok });
		const j = res.json ? { ...res.json } : null;
		if (j)
			delete j.last_discovery;
		out.set(`tools ${p}`, `${res.status} ${canon(j)}`);
	}
	return out;
}

function canon(v) {
	const sort = (x) => {
		if (Array.isArray(x))
			return x.map(sort);
		if (x && typeof x === 'object') {
			const o = {};
			for (const k of Object.keys(x).sort())
				o[k] = sort(x[k]);
			return o;
		}
		return x;
	};
	return JSON.stringify(sort(v));
}

// The keys whose value differs between two snapshots.
export function snapshotDiff(a, b) {
	const diff = [];
	for (const k of new Set([...a.keys(), ...b.keys()])) {
		if (a.get(k) !== b.get(k))
			diff.push(`${k}: ${(a.get(k) || '(absent)').slice(0, 160)} ` +
			    `-> ${(b.get(k) || '(absent)').slice(0, 160)}`);
	}
	return diff;
}
