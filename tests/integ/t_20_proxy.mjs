// The gateway proxy (SPEC §7): the MCP SDK through <base>/<path>/..., injected credentials, header rules, errors, streams, stateless responders.
//
// Backends: server-everything (Streamable HTTP and legacy SSE, via
// tests/backends/launch.mjs) behind the auth gates of tests/backends/
// gate.mjs, plus an in-process echo backend that records every request it
// gets (in memory: its records hold the injected credential). The gates'
// logs hold credentials on purpose, so they live in a private temporary
// directory, not under $MCPGW_LOG_DIR (which the leak checks scan), and
// are removed at the end. Some tests start extra lighttpd instances with
// the shipped deploy/lighttpd/mcpgw.conf (a second responder process, and
// responders with short timeouts or ssrf_deny_private); they log under
// $MCPGW_LOG_DIR/proxy-* and are stopped by PID.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { env, uniqPath, nameOf, sleep } from './lib/env.mjs';
import { get, post, patch, curl } from './lib/http.mjs';
import { adminToken, adminSession, issueToken, readToken } from './lib/auth.mjs';
import { CRED } from './lib/secrets.mjs';
import { register, DEAD_URL } from './lib/servers.mjs';
import { ok, eq, fail, skip, error, json, status, show } from './lib/check.mjs';
import { streamableSession } from './sdk/streamable.mjs';
import { legacySession } from './sdk/legacy-sse.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const here = import.meta.dirname;
const project = path.resolve(here, '..', '..');
const BACKENDS = path.join(project, 'tests', 'backends');
const SHIPPED_LIGHTTPD = path.join(project, 'deploy', 'lighttpd', 'mcpgw.conf');
const CACHE_TTL_MS = 2000;	// SRVCACHE_TTL_MS in src/srvcache.h

const children = [];		// backend processes we spawned
const instances = [];		// extra lighttpd instances we started
let tmp = null;			// private dir for the gates' logs
const S = {};			// registered server paths
const B = {};			// backend ports
let echo = null;		// the in-process echo backend
let raw = null;			// the in-process raw-bytes backend

/* ---- processes ---- */

// Spawns `node script args`; resolves with its first stdout line (a port).
function spawnPort(script, args, extraEnv = {}) {
	return new Promise((resolve, reject) => {
		const errlog = fs.openSync(path.join(env.logDir,
		    `proxy-backends-${env.kind}.log`), 'a');
		const p = spawn(process.execPath, [script, ...args], {
			stdio: ['ignore', 'pipe', errlog],
			env: { ...process.env, ...extraEnv },
		});
		fs.closeSync(errlog);
		children.push(p);
		let buf = '';
		const timer = setTimeout(() => reject(new Error(
		    `${path.basename(script)}: no port within 15 s`)), 15000);
		p.stdout.on('data', (d) => {
			buf += d;
			const m = buf.match(/^(\d+)\n/);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		p.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${path.basename(script)} exited ` +
			    `(${code}) before reporting a port`));
		});
	});
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function alive(pid) {
	try {
		const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

// PIDs of the processes whose parent is ppid.
function childPids(ppid) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d))
			continue;
		try {
			const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
			if (Number(f[1]) === ppid)
				out.push(Number(d));
		} catch { /* gone */ }
	}
	return out;
}

async function stopPid(pid, secs = 10) {
	if (!alive(pid))
		return;
	try {
		process.kill(pid, 'SIGTERM');
	} catch { /* gone */ }
	for (let i = 0; i < secs * 10 && alive(pid); i++)
		await sleep(100);
	if (alive(pid)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch { /* gone */ }
	}
}

/*
 * Starts a lighttpd with the shipped config on a free port, serving the
 * suite's mcpgw.fcgi with the suite's config plus overrides (key: value).
 * Returns {url, log, stop()}.
 */
async function startLighttpd(name, overrides = {}) {
	const fcgi = env.bin ? path.join(fs.statSync(env.bin).isDirectory() ?
	    env.bin : path.dirname(env.bin), 'mcpgw.fcgi') : '';
	if (!fcgi || !fs.existsSync(fcgi) || !env.config)
		skip('needs MCPGW_BIN and MCPGW_CONFIG (tests/run sets them)');
	const run = fs.mkdtempSync('/tmp/itpx-');
	fs.chmodSync(run, 0o755);
	const logs = path.join(env.logDir, `proxy-${name}-${env.kind}`);
	fs.mkdirSync(logs, { recursive: true });
	let config = env.config;
	if (Object.keys(overrides).length) {
		const keep = fs.readFileSync(env.config, 'utf8').split('\n')
		    .filter((l) => !Object.keys(overrides).includes(
		    l.replace(/#.*$/, '').split('=')[0].trim()));
		config = path.join(run, 'mcpgw.conf');
		fs.writeFileSync(config, keep.join('\n') + '\n' +
		    Object.entries(overrides).map(([k, v]) => `${k} = ${v}`)
		    .join('\n') + '\n', { mode: 0o644 });
	}
	const port = await freePort();
	const e = {
		PATH: process.env.PATH, MCPGW_LISTEN: '127.0.0.1',
		MCPGW_PORT: String(port), MCPGW_FCGI: fcgi,
		MCPGW_CONFIG: config, MCPGW_THREADS: '4',
		MCPGW_LOG_DIR: logs, MCPGW_RUN_DIR: run,
		// The shipped config serves the UI's static files from here.
		MCPGW_UI_DIR: process.env.MCPGW_UI_DIR ||
		    (fs.existsSync(path.join(project, 'src', 'ui')) ?
		    path.join(project, 'src', 'ui') : run),
	};
	for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
		if (process.env[k])
			e[k] = process.env[k];
	}
	const code = await new Promise((resolve) => {
		const p = spawn('lighttpd', ['-f', SHIPPED_LIGHTTPD], {
			env: e, stdio: 'ignore' });
		p.on('exit', resolve);
		p.on('error', () => resolve(-1));
	});
	if (code !== 0) {
		fs.rmSync(run, { recursive: true, force: true });
		fail(`lighttpd (${name}) did not start: exit ${code}`);
	}
	const url = `http://127.0.0.1:${port}`;
	const inst = { name, url, log: path.join(logs, 'mcpgw.log'), run,
	    pid: 0, responders: [] };
	instances.push(inst);
	inst.stop = async () => {
		const kids = [...new Set([...inst.responders,
		    ...(inst.pid ? childPids(inst.pid) : [])])];
		if (inst.pid)
			await stopPid(inst.pid);
		for (const k of kids)
			await stopPid(k, 5);
		fs.rmSync(inst.run, { recursive: true, force: true,
		    maxRetries: 5 });
		instances.splice(instances.indexOf(inst), 1);
	};
	const pidfile = path.join(run, 'lighttpd.pid');
	for (let i = 0; i < 50 && !inst.pid; i++) {
		try {
			inst.pid = Number(fs.readFileSync(pidfile, 'utf8').trim());
		} catch {
			await sleep(100);
		}
	}
	if (!inst.pid)
		fail(`lighttpd (${name}) wrote no pid file`);
	for (let i = 0; i < 100; i++) {
		try {
			const r = await fetch(`${url}/health`,
			    { signal: AbortSignal.timeout(2000) });
			await r.text();
			if (r.status === 200)
				break;
		} catch { /* not yet */ }
		await sleep(100);
	}
	inst.responders = childPids(inst.pid);
	return inst;
}

/* ---- the echo backend ---- */

function sha256(b) {
	return crypto.createHash('sha256').update(b).digest('hex');
}

// Records each request; what it answers depends on the path under /base.
function startEcho() {
	const seen = [];
	const server = http.createServer((req, res) => {
		const rec = { method: req.method, url: req.url,
		    headers: req.headers, at: Date.now(), closedAt: 0 };
		seen.push(rec);
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		res.on('close', () => {
			rec.closedAt = Date.now();
		});
		req.on('end', () => {
			rec.body = Buffer.concat(chunks);
			echoRoute(req, res, rec);
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => resolve({ server, seen,
		    port: server.address().port,
		    find: (u) => seen.filter((r) => r.url === u) }));
	});
}

function echoRoute(req, res, rec) {
	const u = new URL(req.url, 'http://x');
	const p = u.pathname.replace(/^\/base/, '');
	let m;
	if (p === '/echo') {
		res.writeHead(200, {
			'Content-Type': 'application/json',
			'Mcp-Session-Id': 'echo-session-1',
			'Set-Cookie': 'session=from-the-backend; Path=/',
			'WWW-Authenticate': 'Bearer realm="backend-200"',
			'X-Echo': 'yes',
			'X-Hop-Resp': 'drop-me',
			'Connection': 'keep-alive, X-Hop-Resp',
			'Location': '/api/servers',
			'Cache-Control': 'no-store',
		});
		res.end(JSON.stringify({ ok: true, len: rec.body.length,
		    sha: sha256(rec.body) }));
	} else if ((m = p.match(/^\/status\/(\d{3})$/))) {
		const code = Number(m[1]);
		const h = { 'Allow': 'GET, POST' };
		if (code === 202 || code === 204) {
			res.writeHead(code, h);
			res.end();
		} else {
			h['Content-Type'] = 'application/json';
			res.writeHead(code, h);
			res.end(JSON.stringify({ backend_code: code }));
		}
	} else if (p === '/redirect') {
		res.writeHead(302, { Location: 'http://127.0.0.1:9/elsewhere' });
		res.end();
	} else if (p === '/unauth' || p === '/forbidden') {
		res.writeHead(p === '/unauth' ? 401 : 403, {
			'WWW-Authenticate': 'Bearer realm="backend-as", ' +
			    'resource_metadata="http://127.0.0.1:9/meta"',
			'Content-Type': 'application/json' });
		res.end('{"error":"invalid_token","from":"backend"}');
	} else if (p === '/slow') {
		setTimeout(() => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"slow":true}');
		}, Number(u.searchParams.get('ms')) || 5000);
	} else if (p === '/big') {
		const n = Number(u.searchParams.get('n'));
		const body = Buffer.alloc(n);
		for (let i = 0; i < n; i++)
			body[i] = 97 + (i * 7) % 26;
		res.writeHead(200, { 'Content-Type': 'application/octet-stream',
		    'Content-Length': String(n), 'X-Sha256': sha256(body) });
		res.end(body);
	} else if (p === '/sse-quiet') {
		res.writeHead(200, { 'Content-Type': 'text/event-stream',
		    'Cache-Control': 'no-cache' });
		res.write('event: message\ndata: {"hello":1}\n\n');
	} else if (p === '/sse-legacy') {
		const mode = u.searchParams.get('mode');
		const data = { abs: '/base/messages?sessionId=abc%2Fd&x=1',
			rel: 'messages?sessionId=rel-7',
			full: `http://127.0.0.1:${echo.port}/base/m?s=full`,
			other: 'http://elsewhere.invalid/messages?s=1' }[mode];
		res.writeHead(200, { 'Content-Type': 'text/event-stream' });
		res.write(`: hi\n\nevent: endpoint\ndata: ${data}\n\n`);
		setTimeout(() => res.end('event: message\ndata: {"n":1}\n\n'),
		    100);
	} else {
		res.writeHead(404, { 'Content-Type': 'application/json' });
		res.end('{"error":"no such echo route"}');
	}
}

/*
 * A backend writing raw bytes: header lines a web server could take for
 * two (a bare CR inside a value), a name with a space, a good header.
 */
function startRaw() {
	const server = net.createServer((sock) => {
		sock.once('data', () => {
			sock.end('HTTP/1.1 200 OK\r\n' +
			    'Content-Type: application/json\r\n' +
			    'X-Inject: a\rSet-Cookie: session=injected\r\n' +
			    'X-Inject2: b\rStatus: 500\r\n' +
			    'Bad Name: x\r\n' +
			    'X-Good: 1\r\n' +
			    'Content-Length: 2\r\nConnection: close\r\n\r\n{}');
		});
		sock.on('error', () => {});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => resolve({ server,
		    port: server.address().port }));
	});
}

/* ---- helpers ---- */

async function bearer() {
	return { Authorization: `Bearer ${await adminToken()}` };
}

function gateLog(file, since) {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return [];
	}
	return text.split('\n').filter(Boolean).map((l) => JSON.parse(l))
	    .filter((e) => Date.parse(e.ts) >= since - 1000);
}

// Reads an SSE reply until until(text) is true, the stream ends, or ms.
async function readStream(url, headers, until, ms = 10000) {
	const ac = new AbortController();
	const timer = setTimeout(() => ac.abort(), ms);
	let text = '', res, ended = false;
	try {
		res = await fetch(url, { headers, signal: ac.signal });
		const rd = res.body.getReader();
		const dec = new TextDecoder();
		for (;;) {
			const { value, done } = await rd.read();
			if (done) {
				ended = true;
				break;
			}
			text += dec.decode(value, { stream: true });
			if (until && until(text))
				break;
		}
	} catch (e) {
		if (e.name !== 'AbortError')
			throw e;
	} finally {
		clearTimeout(timer);
		ac.abort();
	}
	return { status: res && res.status, headers: res && res.headers, text,
	    ended };
}

// The responder's log file for this run's web server, or null.
function responderLog() {
	for (const f of ['mcpgw.log', 'error.log']) {
		const p = path.join(env.logDir, env.kind, f);
		if (fs.existsSync(p))
			return p;
	}
	return null;
}

function proxyLines(file, srv) {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return [];
	}
	return text.split('\n').filter((l) =>
	    l.includes(' proxy user=') && l.includes(` server=${srv} `));
}

/* ---- fixtures ---- */

export async function before() {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'itpx-gates-'));
	const launch = path.join(BACKENDS, 'launch.mjs');
	const gate = path.join(BACKENDS, 'gate.mjs');
	echo = await startEcho();
	raw = await startRaw();
	const [se, legacy] = await Promise.all([
		spawnPort(launch, ['streamableHttp', '0']),
		spawnPort(launch, ['sse', '0']),
	]);
	B.se = se;
	B.legacy = legacy;
	const upstream = `http://127.0.0.1:${se}`;
	// The wrong-credential server has a gate of its own, so that its
	// refusals (the prober tries it too) stay out of the others' logs.
	const [gb, gk, gw] = await Promise.all([
		spawnPort(gate, ['--upstream', upstream, '--scheme', 'bearer',
		    '--log', path.join(tmp, 'gate-bearer.log')],
		    { GATE_CREDENTIAL: CRED.json }),
		spawnPort(gate, ['--upstream', upstream, '--scheme', 'api_key',
		    '--header', 'X-Custom-Auth',
		    '--log', path.join(tmp, 'gate-apikey.log')],
		    { GATE_CREDENTIAL: CRED.custom }),
		spawnPort(gate, ['--upstream', upstream, '--scheme', 'bearer'],
		    { GATE_CREDENTIAL: CRED.json }),
	]);
	B.gb = gb;
	B.gk = gk;
	const reg = async (what, fields) =>
	    (await register(fields, { what })).path;
	S.bearer = await reg('pxbearer', { proxy_pass_url: `http://127.0.0.1:${gb}`,
	    auth_scheme: 'bearer', auth_credential: CRED.json });
	S.apikey = await reg('pxkey', { proxy_pass_url: `http://127.0.0.1:${gk}`,
	    auth_scheme: 'api_key', auth_header_name: 'X-Custom-Auth',
	    auth_credential: CRED.custom });
	S.legacy = await reg('pxlegacy', {
	    proxy_pass_url: `http://127.0.0.1:${legacy}` });
	S.echo = await reg('pxecho', {
	    proxy_pass_url: `http://127.0.0.1:${echo.port}/base/`,
	    auth_scheme: 'api_key', auth_header_name: 'X-Echo-Key',
	    auth_credential: CRED.multipart });
	S.wrong = await reg('pxwrong', { proxy_pass_url: `http://127.0.0.1:${gw}`,
	    auth_scheme: 'bearer', auth_credential: CRED.rotated });
	S.dead = await reg('pxdead', { proxy_pass_url: DEAD_URL });
	S.raw = await reg('pxraw', {
	    proxy_pass_url: `http://127.0.0.1:${raw.port}` });
	S.off = await reg('pxoff', { proxy_pass_url: `http://127.0.0.1:${gb}`,
	    enabled: false });
}

export async function after() {
	for (const i of [...instances])
		await i.stop();
	for (const p of children) {
		if (p.exitCode === null)
			p.kill('SIGTERM');
	}
	if (echo) {
		echo.server.closeAllConnections();
		echo.server.close();
	}
	if (raw)
		raw.server.close();
	if (tmp)
		fs.rmSync(tmp, { recursive: true, force: true });
}

/*
 * If the run is cut short (tests/run's timeout, ^C), after() never runs:
 * the daemonized lighttpd instances would outlive it, so end them, their
 * responders and the backends here, synchronously.
 */
function emergencyStop() {
	for (const i of instances) {
		for (const pid of [i.pid, ...i.responders]) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch { /* gone */ }
		}
		fs.rmSync(i.run, { recursive: true, force: true });
	}
	for (const p of children) {
		if (p.exitCode === null)
			p.kill('SIGKILL');
	}
	if (tmp)
		fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', emergencyStop);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
	process.once(sig, () => {
		emergencyStop();
		process.exit(128 + os.constants.signals[sig]);
	});
}

function checkSession(r, what) {
	const want = ['connect', 'listTools', 'callTool', 'progress',
	    'terminateSession'];
	eq(r.steps.join(','), want.join(','), `${what}: steps`);
	ok(r.tools.length >= 10 && ['echo', 'get-sum',
	    'trigger-long-running-operation'].every((t) => r.tools.includes(t)),
	    `${what}: tools/list lacks server-everything's tools: ${show(r.tools)}`);
	eq(r.sum, 'The sum of 2 and 40 is 42.', `${what}: get-sum`);
	eq(r.echo, 'Echo: through the gateway', `${what}: echo`);
	ok(typeof r.sessionId === 'string' && r.sessionId.length > 0,
	    `${what}: no Mcp-Session-Id came back through the gateway`);
	eq(r.terminatedSessionId, undefined, `${what}: session after terminate`);
	// Progress must stream: the first notification well before the result.
	ok(r.progress.length === 4, `${what}: ${r.progress.length} progress ` +
	    'notifications, want 4');
	ok(r.progress.every((p, i) => p.progress === i + 1),
	    `${what}: progress values ${show(r.progress)}`);
	ok(r.progress[0].at < r.resultAt - 800,
	    `${what}: first progress at ${r.progress[0].at} ms, result at ` +
	    `${r.resultAt} ms: the stream was buffered`);
	ok(r.progress[2].at < r.resultAt - 200,
	    `${what}: progress ${show(r.progress)} bunched up before the result`);
}

/* ---- the SDK through the gateway ---- */

test('Streamable HTTP (SDK), bearer backend: tools, calls, progress as it ' +
    'happens, terminate; the gate got the stored credential only', async () => {
	const t0 = Date.now();
	const jwt = await adminToken();
	const sess = await adminSession();
	const r = await streamableSession(`${env.url}${S.bearer}/mcp`, {
	    headers: { Authorization: `Bearer ${jwt}`,
	    Cookie: `session=${sess}; theme=dark` } });
	checkSession(r, 'bearer backend');
	const log = gateLog(path.join(tmp, 'gate-bearer.log'), t0)
	    .filter((e) => e.url.startsWith('/mcp'));
	const methods = new Set(log.map((e) => e.method));
	ok(methods.has('POST') && methods.has('GET') && methods.has('DELETE'),
	    `gate saw methods ${show([...methods])}, want POST, GET, DELETE`);
	for (const e of log) {
		ok(e.auth_ok, `gate refused ${e.method} ${e.url}`);
		eq(e.received.authorization, `Bearer ${CRED.json}`,
		    'gate: Authorization is the stored credential');
		ok(!JSON.stringify(e).includes(jwt),
		    'gate: the client JWT reached the backend');
		ok(!JSON.stringify(e).includes(sess),
		    'gate: the session id reached the backend');
		eq(e.received.cookie, undefined, 'gate: Cookie forwarded');
	}
});

test('Streamable HTTP (SDK), API-key backend with a custom header; the ' +
    'client\'s header of that name is not passed', async () => {
	const t0 = Date.now();
	const jwt = await adminToken();
	const r = await streamableSession(`${env.url}${S.apikey}/mcp`, {
	    headers: { 'Authorization': `Bearer ${jwt}`,
	    'X-Custom-Auth': 'client-chosen-value' } });
	checkSession(r, 'api_key backend');
	const log = gateLog(path.join(tmp, 'gate-apikey.log'), t0)
	    .filter((e) => e.url.startsWith('/mcp'));
	ok(log.length >= 6, `gate saw ${log.length} requests`);
	for (const e of log) {
		ok(e.auth_ok, `gate refused ${e.method} ${e.url}`);
		eq(e.received['x-custom-auth'], CRED.custom,
		    'gate: X-Custom-Auth is exactly the stored credential');
		eq(e.received.authorization, undefined,
		    'gate: the client Authorization reached the backend');
	}
});

test('a session cookie alone authorizes the proxy; the cookie is not ' +
    'forwarded', async () => {
	const t0 = Date.now();
	const sess = await adminSession();
	const r = await streamableSession(`${env.url}${S.bearer}/mcp`, {
	    headers: { Cookie: `session=${sess}` }, progress: false });
	eq(r.steps.join(','), 'connect,listTools,callTool,terminateSession',
	    'cookie session: steps');
	const log = gateLog(path.join(tmp, 'gate-bearer.log'), t0);
	ok(log.length > 0, 'the gate saw nothing');
	for (const e of log) {
		eq(e.received.cookie, undefined, 'gate: Cookie forwarded');
		ok(!JSON.stringify(e).includes(sess), 'gate: session id leaked');
	}
});

test('legacy HTTP+SSE backend through the gateway (SDK SSEClientTransport)',
    async () => {
	const r = await legacySession(`${env.url}${S.legacy}/sse`,
	    { headers: await bearer() });
	eq(r.steps.join(','), 'connect,listTools,callTool', 'legacy: steps');
	ok(r.tools.includes('echo'), `legacy: tools ${show(r.tools)}`);
	eq(r.echo, 'Echo: legacy through the gateway', 'legacy: echo');
	eq(r.sum, 'The sum of 20 and 22 is 42.', 'legacy: get-sum');
	ok(r.posted.length >= 3, `legacy: ${r.posted.length} POSTs`);
	for (const u of r.posted) {
		ok(u.startsWith(`${env.url}${S.legacy}/`) &&
		    /[?&]sessionId=[0-9a-f-]+/.test(u),
		    `legacy: the client posted to ${show(u)}, not through the ` +
		    'gateway');
	}
});

test('the legacy endpoint event is rewritten below the server path, query ' +
    'kept byte for byte; one that cannot be routed is not relayed',
    async () => {
	const h = await bearer();
	const want = {
		abs: `${S.echo}/messages?sessionId=abc%2Fd&x=1`,
		rel: `${S.echo}/messages?sessionId=rel-7`,
		full: `${S.echo}/m?s=full`,
	};
	for (const [mode, data] of Object.entries(want)) {
		const r = await readStream(
		    `${env.url}${S.echo}/sse-legacy?mode=${mode}`, h,
		    (t) => t.includes('"n":1'));
		eq(r.status, 200, `${mode}: status`);
		ok(r.text.includes(`event: endpoint\ndata: ${data}\n\n`),
		    `${mode}: endpoint not rewritten to ${show(data)}: ` +
		    show(r.text));
		ok(r.text.startsWith(': hi\n\n'), `${mode}: the comment before ` +
		    `the endpoint was not relayed first: ${show(r.text)}`);
		ok(!r.text.includes(String(echo.port)),
		    `${mode}: the backend address leaked: ${show(r.text)}`);
	}
	const r = await readStream(`${env.url}${S.echo}/sse-legacy?mode=other`,
	    h, null, 5000);
	ok(!r.text.includes('elsewhere.invalid') &&
	    !r.text.includes('event: endpoint'),
	    `unroutable endpoint relayed: ${show(r.text)}`);
});

/* ---- authorization and errors ---- */

test('no token: 401 with WWW-Authenticate, nothing reaches the backend',
    async () => {
	const n = echo.seen.length;
	const res = await post(`${S.echo}/echo`, { json: { jsonrpc: '2.0',
	    id: 1, method: 'ping' } });
	error(res, 401, 'invalid_token');
	ok(/^Bearer realm="mcpgw"/.test(res.header('www-authenticate') || ''),
	    `WWW-Authenticate ${show(res.header('www-authenticate'))}`, res);
	const bad = await post(`${S.echo}/echo`, { token: 'not.a.jwt',
	    json: {} });
	error(bad, 401, 'invalid_token');
	eq(echo.seen.length, n, 'requests that reached the backend');
});

test('a read-only token: 403 insufficient_scope', async () => {
	const res = await post(`${S.bearer}/mcp`, { token: await readToken(),
	    json: { jsonrpc: '2.0', id: 1, method: 'ping' } });
	error(res, 403, 'insufficient_scope');
});

test('a token scoped to one server (mcp:invoke:/<path>) works there only, ' +
    'whatever the case of the path', async () => {
	const tok = await issueToken(env.adminUser,
	    { scope: `mcp:invoke:${S.echo}` });
	const res = await get(`${S.echo}/echo`, { token: tok });
	json(res, 200);
	const upper = `/${nameOf(S.echo).toUpperCase()}/echo`;
	json(await get(upper, { token: tok }), 200);
	error(await get(`${S.bearer}/mcp`, { token: tok }), 403,
	    'insufficient_scope');
});

test('unknown server: 404 server_not_found', async () => {
	error(await get(`${uniqPath('nosuch')}/mcp`,
	    { token: await adminToken() }), 404, 'server_not_found');
	error(await get('/favicon.ico', { token: await adminToken() }), 404,
	    'server_not_found');
});

test('disabled server: 503; disabling a server in use takes effect within ' +
    'the cache TTL, enabling at once', async () => {
	const tok = await adminToken();
	error(await get(`${S.off}/mcp`, { token: tok }), 503,
	    'server_disabled');
	const p = (await register({ proxy_pass_url:
	    `http://127.0.0.1:${echo.port}/base` }, { what: 'pxtoggle' })).path;
	json(await get(`${p}/echo`, { token: tok }), 200);
	json(await patch(`/api/servers/${nameOf(p)}`, { token: tok,
	    json: { is_enabled: false } }), 200);
	await sleep(CACHE_TTL_MS + 300);
	error(await get(`${p}/echo`, { token: tok }), 503, 'server_disabled');
	json(await patch(`/api/servers/${nameOf(p)}`, { token: tok,
	    json: { is_enabled: true } }), 200);
	json(await get(`${p}/echo`, { token: tok }), 200);
});

test('backend down: 502 backend_unreachable at once', async () => {
	const t0 = Date.now();
	const res = await post(`${S.dead}/mcp`, { token: await adminToken(),
	    json: { jsonrpc: '2.0', id: 1, method: 'ping' } });
	error(res, 502, 'backend_unreachable');
	ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`, res);
});

test('backend 401/403: 502 backend_auth_failed, its WWW-Authenticate not ' +
    'relayed', async () => {
	const tok = await adminToken();
	for (const [p, what] of [[`${S.wrong}/mcp`, 'gate with the wrong ' +
	    'stored credential'], [`${S.echo}/unauth`, 'backend 401'],
	    [`${S.echo}/forbidden`, 'backend 403']]) {
		const res = await post(p, { token: tok, json: { jsonrpc: '2.0',
		    id: 1, method: 'initialize' } });
		error(res, 502, 'backend_auth_failed');
		eq(res.header('www-authenticate'), undefined,
		    `${what}: WWW-Authenticate relayed`, res);
		ok(!/realm="backend|resource_metadata|from/.test(res.text),
		    `${what}: backend's reply relayed`, res);
	}
});

/* ---- header and body rules ---- */

test('request headers: end-to-end ones pass, hop-by-hop, Host, Origin and ' +
    'client credentials do not, X-Forwarded-* added, the credential injected',
    async () => {
	const jwt = await adminToken();
	const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
	const q = `t=${crypto.randomUUID()}&r=%2F&s=a+b`;
	const res = await curl(['-X', 'POST', `${env.url}${S.echo}/echo?${q}`,
	    '-H', `Authorization: Bearer ${jwt}`,
	    '-H', 'Cookie: session=abc; other=1',
	    '-H', 'Origin: http://evil.example',
	    '-H', 'Mcp-Session-Id: sess-123',
	    '-H', 'MCP-Protocol-Version: 2025-06-18',
	    '-H', 'Last-Event-ID: 7',
	    '-H', 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-' +
	    'b7ad6b7169203331-01',
	    '-H', 'Accept: application/json, text/event-stream',
	    '-H', 'Content-Type: application/json',
	    '-H', 'Connection: keep-alive, X-Hop',
	    '-H', 'X-Hop: drop-me',
	    '-H', 'TE: trailers',
	    '-H', 'Proxy-Authorization: Basic eDp5',
	    '-H', 'X-Echo-Key: client-chosen-value',
	    '-H', 'X-Forwarded-For: 203.0.113.9',
	    '-H', 'X-Forwarded-Host: spoofed.example',
	    '-H', 'X-Custom-Thing: kept',
	    '--data-binary', body],
	    { label: `POST ${S.echo}/echo` });
	json(res, 200);
	const recs = echo.find(`/base/echo?${q}`);
	eq(recs.length, 1, 'backend requests with this query');
	const h = recs[0].headers;
	const want = {
		'host': `127.0.0.1:${echo.port}`,
		'x-echo-key': CRED.multipart,
		'mcp-session-id': 'sess-123',
		'mcp-protocol-version': '2025-06-18',
		'last-event-id': '7',
		'traceparent': '00-0af7651916cd43dd8448eb211c80319c-' +
		    'b7ad6b7169203331-01',
		'accept': 'application/json, text/event-stream',
		'content-type': 'application/json',
		'x-custom-thing': 'kept',
		'x-forwarded-for': '203.0.113.9, 127.0.0.1',
		'x-forwarded-proto': 'http',
		'x-forwarded-host': new URL(env.url).host,
		'content-length': String(body.length),
	};
	for (const [k, v] of Object.entries(want))
		eq(h[k], v, `backend header ${k}`);
	for (const k of ['authorization', 'cookie', 'origin', 'te',
	    'proxy-authorization', 'expect', 'transfer-encoding'])
		eq(h[k], undefined, `backend header ${k} must not arrive`);
	/*
	 * Apache hands CGI programs "Connection: close" instead of the
	 * client's list, so only lighttpd lets the gateway see which headers
	 * the client made hop-by-hop.
	 */
	if (env.kind !== 'apache')
		eq(h['x-hop'], undefined, 'backend header x-hop (named by ' +
		    'Connection) must not arrive');
	eq(recs[0].body.toString(), body, 'backend body');
	// The response side.
	eq(res.header('mcp-session-id'), 'echo-session-1', 'Mcp-Session-Id');
	eq(res.header('x-echo'), 'yes', 'X-Echo');
	eq(res.header('cache-control'), 'no-store', 'Cache-Control');
	for (const k of ['www-authenticate', 'x-hop-resp', 'location'])
		eq(res.header(k), undefined, `response header ${k}`, res);
	eq(res.setCookies.length, 0, 'Set-Cookie relayed', res);
	eq(res.header('content-security-policy'), 'sandbox', 'CSP', res);
	eq(res.header('x-content-type-options'), 'nosniff', 'nosniff', res);
});

test('response header lines with control bytes or bad names are dropped',
    async () => {
	const res = await get(`${S.raw}/x`, { token: await adminToken() });
	json(res, 200);
	eq(res.header('x-good'), '1', 'X-Good', res);
	for (const k of ['x-inject', 'x-inject2', 'bad name'])
		eq(res.header(k), undefined, `response header ${k}`, res);
	eq(res.setCookies.length, 0, 'a Set-Cookie got through', res);
});

test('statuses and bodies are relayed exactly; redirects are not followed',
    async () => {
	const tok = await adminToken();
	const r202 = await post(`${S.echo}/status/202`, { token: tok,
	    json: { jsonrpc: '2.0', method: 'notifications/initialized' } });
	status(r202, 202);
	eq(r202.text, '', '202 body');
	for (const code of [400, 404, 405, 406, 409, 415, 500]) {
		const r = await post(`${S.echo}/status/${code}`, { token: tok,
		    json: {} });
		status(r, code);
		eq(r.json && r.json.backend_code, code, `${code}: backend body`, r);
	}
	eq((await get(`${S.echo}/status/405`, { token: tok })).header('allow'),
	    'GET, POST', 'Allow');
	const t0 = Date.now();
	const red = await get(`${S.echo}/redirect`, { token: tok });
	status(red, 302);
	eq(red.header('location'), 'http://127.0.0.1:9/elsewhere', 'Location');
	ok(Date.now() - t0 < 3000, 'the redirect was followed');
});

test('a 900 KB request body and a 3 MB response pass intact; a body over ' +
    'max_body_bytes is 413', async () => {
	const tok = await adminToken();
	const big = crypto.randomBytes(675 * 1024).toString('base64');
	const r = json(await post(`${S.echo}/echo`, { token: tok, body: big,
	    contentType: 'application/json' }), 200);
	eq(r.len, big.length, 'backend got the whole body');
	eq(r.sha, sha256(big), 'backend got the body intact');
	const n = 3 * 1024 * 1024 + 17;
	const res = await fetch(`${env.url}${S.echo}/big?n=${n}`,
	    { headers: await bearer() });
	const buf = Buffer.from(await res.arrayBuffer());
	eq(res.status, 200, '/big status');
	eq(buf.length, n, '/big length');
	eq(sha256(buf), res.headers.get('x-sha256'), '/big content');
	const tooBig = 'x'.repeat(2 * 1024 * 1024);
	error(await post(`${S.echo}/echo`, { token: tok, body: tooBig,
	    contentType: 'application/json' }), 413, 'body_too_large');
});

test('paths that climb out of proxy_pass_url are refused', async () => {
	const jwt = await adminToken();
	const n = echo.seen.length;
	for (const p of ['a/../../x', 'a/%2e%2e/x', '%2E%2e', 'a/./b', '..',
	    '%2e%2e/%2e%2e/x']) {
		const res = await curl(['--path-as-is', '-H',
		    `Authorization: Bearer ${jwt}`, `${env.url}${S.echo}/${p}`],
		    { label: `GET ${S.echo}/${p}` });
		// A web server may resolve or refuse the dots itself (lighttpd
		// routes "/x/.." as "/", Apache refuses to climb above "/");
		// the gateway refuses what reaches it.
		if (res.status === 400 && res.json)
			error(res, 400, 'invalid_path');
		else
			ok(res.status >= 300, `${p}: status ${res.status}`, res);
	}
	const out = echo.seen.slice(n).filter((r) => !r.url.startsWith('/base/'));
	eq(out.length, 0, `requests outside /base reached the backend: ` +
	    show(out.map((r) => r.url)));
});

/* ---- streams ---- */

test('a client that goes away ends the backend stream', async () => {
	const t = crypto.randomUUID();
	const ac = new AbortController();
	const res = await fetch(`${env.url}${S.echo}/sse-quiet?t=${t}`,
	    { headers: await bearer(), signal: ac.signal });
	eq(res.status, 200, 'stream status');
	eq(res.headers.get('content-type'), 'text/event-stream',
	    'stream content type');
	const rd = res.body.getReader();
	const first = new TextDecoder().decode((await rd.read()).value);
	ok(first.includes('{"hello":1}'), `first event: ${show(first)}`);
	const t0 = Date.now();
	ac.abort();
	const rec = echo.find(`/base/sse-quiet?t=${t}`)[0];
	while (!rec.closedAt && Date.now() - t0 < 40000)
		await sleep(200);
	ok(rec.closedAt > 0, 'the backend stream was still open 40 s after ' +
	    'the client left');
});

test('one access log line per proxied request: user, server, method, tool, ' +
    'status, bytes, latency; no token', async () => {
	const file = responderLog();
	if (!file)
		skip(`no responder log under ${env.logDir}/${env.kind}`);
	const lines = proxyLines(file, S.bearer);
	const call = lines.find((l) => l.includes('rpc=tools/call') &&
	    l.includes('tool=get-sum'));
	ok(call, `no tools/call get-sum line for ${S.bearer} in ${file}`);
	ok(/ user=admin /.test(call) && / http=POST /.test(call) &&
	    / status=200 /.test(call) && / bytes=\d+ /.test(call) &&
	    / ms=\d+/.test(call), `access line ${show(call)}`);
	ok(lines.some((l) => l.includes('rpc=initialize')),
	    'no initialize line');
	ok(lines.some((l) => l.includes('http=DELETE')), 'no DELETE line');
	const text = fs.readFileSync(file, 'utf8');
	ok(!text.includes(await adminToken()), 'the JWT is in the log');
	ok(!text.includes(CRED.json), 'the credential is in the log');
});

/* ---- stateless responders, timeouts, the outbound policy ---- */

test('two responder processes serve alternate requests of one MCP session',
    async () => {
	const other = await startLighttpd('second');
	const bases = [env.url, other.url];
	let n = 0;
	const used = [];
	const alternate = (u, init) => {
		const url = new URL(u);
		const b = new URL(bases[n++ % 2]);
		url.host = b.host;
		used.push(url.host);
		return fetch(url, init);
	};
	const r = await streamableSession(`${env.url}${S.bearer}/mcp`, {
	    headers: await bearer(), fetch: alternate });
	checkSession(r, 'alternating responders');
	const hosts = new Set(used);
	eq(hosts.size, 2, `hosts used ${show([...hosts])}`);
	const mine = proxyLines(other.log, S.bearer);
	ok(mine.some((l) => l.includes('rpc=tools/call')),
	    `the second responder served no tools/call: ${show(mine)}`);
	const main = responderLog();
	if (main) {
		ok(proxyLines(main, S.bearer).length > 0,
		    'the first responder served nothing');
	}
	const pids = new Set(mine.map((l) => (l.match(/\[(\d+)\]/) || [])[1]));
	ok(pids.size >= 1 && !pids.has(undefined), 'second responder pid');
	await other.stop();
	for (const p of other.responders)
		ok(!alive(p), `responder ${p} still runs after its lighttpd stopped`);
});

test('timeouts: a slow backend gives 504, a quiet stream is closed after ' +
    'sse_idle_timeout (responder with proxy_timeout 2, sse_idle_timeout 3)',
    async () => {
	const inst = await startLighttpd('timeouts', { proxy_timeout: 2,
	    sse_idle_timeout: 3 });
	const h = await bearer();
	let t0 = Date.now();
	const res = await fetch(`${inst.url}${S.echo}/slow?ms=8000`,
	    { headers: h });
	const b = await res.json();
	const took = Date.now() - t0;
	eq(res.status, 504, '/slow status');
	eq(b.error, 'backend_timeout', '/slow error');
	ok(took >= 1800 && took < 5000, `/slow answered after ${took} ms`);
	// Events keep a stream alive past proxy_timeout; silence ends it.
	t0 = Date.now();
	const r = await fetch(`${inst.url}${S.bearer}/mcp`, {
	    method: 'POST', headers: { ...h,
	    'Content-Type': 'application/json',
	    'Accept': 'application/json, text/event-stream' },
	    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
	    params: { protocolVersion: '2025-06-18', capabilities: {},
	    clientInfo: { name: 'x', version: '0' } } }) });
	eq(r.status, 200, 'initialize through the timeouts responder');
	await r.text();
	const q = await readStream(`${inst.url}${S.echo}/sse-quiet?t=idle`, h,
	    null, 15000);
	const idle = Date.now() - t0;
	ok(q.ended, 'the quiet stream was not closed');
	ok(q.text.includes('{"hello":1}'), `stream text ${show(q.text)}`);
	ok(idle >= 2500 && idle < 12000, `quiet stream closed after ${idle} ms`);
	await inst.stop();
});

test('ssrf_deny_private: the address check at connect time refuses a ' +
    'loopback backend (502 backend_address_refused)', async () => {
	const inst = await startLighttpd('denyprivate',
	    { ssrf_deny_private: 'true' });
	const n = echo.seen.length;
	const res = await fetch(`${inst.url}${S.echo}/echo`,
	    { headers: await bearer() });
	const b = await res.json();
	eq(res.status, 502, 'status');
	eq(b.error, 'backend_address_refused', 'error');
	eq(echo.seen.length, n, 'requests that reached the backend');
	await inst.stop();
});
