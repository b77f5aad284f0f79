// Health checks and tool discovery against real MCP backends: immediate probes, refresh, mcpgw-prober passes and leases.
//
// Backends (tests/backends, started in before() and stopped by PID in
// after()): server-everything over Streamable HTTP and legacy SSE, a bearer
// gate and an api_key gate (custom header) in front of it, synthetic
// servers without tools and with many pages of tools, and a counting bearer
// gate whose request log tells which server was probed how often.
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
	StreamableHTTPClientTransport,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { env, nameOf, sleep } from './lib/env.mjs';
import { get, post, patch, runProgram } from './lib/http.mjs';
import { adminToken, once } from './lib/auth.mjs';
import { CRED, credentials, runtimeTokens } from './lib/secrets.mjs';
import { register, getServer } from './lib/servers.mjs';
import {
	json, eq, ok, fail, skip, show, deepEq, server, noSecrets, ISO_Z,
} from './lib/check.mjs';
import {
	everything, gate, synthetic, gateEntries, closedPort, stopAll,
} from './lib/probe_backends.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const SETTLE_MS = 12000;	// an immediate probe must land within this
const CUSTOM_HEADER = 'X-My-Custom-Key';
const MANY = 120;		// tools of the paged backend (pages of 50)
const LEASE_N = 20;		// servers raced over by two probers
const FAIL_PREFIX = 'Failed to fetch tools:';

const B = {};			// backends by role
let refNames = null;		// server-everything's tool names, from the SDK

// What the counting gate's upstream received: one JSON line per request
// with its JSON-RPC method (no credentials: the gate strips its header).
const COUNTED_LOG = path.join(env.logDir,
    `backend-${env.kind}-counted-rpc.log`);

export async function before() {
	try {
		await startAll();
	} catch (e) {
		await stopAll();
		throw e;
	}
}

async function startAll() {
	fs.writeFileSync(COUNTED_LOG, '');
	const [se, sse, notools, many, counted] = await Promise.all([
		everything('p-everything'),
		everything('p-everything-sse', 'sse'),
		synthetic('p-notools', 'notools'),
		synthetic('p-many', 'manytools', ['--tools', String(MANY),
		    '--page', '50']),
		synthetic('p-counted', 'manytools', ['--tools', '2', '--log',
		    COUNTED_LOG]),
	]);
	Object.assign(B, { se, sse, notools, many, counted });
	const [bearer, apikey, count] = await Promise.all([
		gate('bearer', { upstream: se.url, scheme: 'bearer',
		    credential: CRED.probeBearer }),
		gate('apikey', { upstream: se.url, scheme: 'api_key',
		    header: CUSTOM_HEADER, credential: CRED.probeApiKey }),
		gate('count', { upstream: counted.url, scheme: 'bearer',
		    credential: CRED.probeCount }),
	]);
	Object.assign(B, { bearer, apikey, count });
	refNames = await listToolNames(`${se.url}/mcp`);
}

export async function after() {
	await stopAll();
}

/* ---- helpers ---- */

// Tool names straight from a backend with the official SDK client.
async function listToolNames(url) {
	const client = new Client({ name: 'mcpgw-integ-ref', version: '1.0.0' });
	const transport = new StreamableHTTPClientTransport(new URL(url));
	await client.connect(transport);
	const names = [];
	let cursor;
	do {
		const r = await client.listTools(cursor ? { cursor } : {});
		names.push(...r.tools.map((t) => t.name));
		cursor = r.nextCursor;
	} while (cursor);
	await transport.terminateSession().catch(() => {});
	await client.close();
	return names;
}

// The server once pred(server) holds, polling GET /api/servers/{name}.
async function settle(p, pred, what, ms = SETTLE_MS) {
	const t0 = Date.now();
	for (;;) {
		const res = await getServer(p);
		const s = json(res, 200);
		if (pred(s))
			return { s, res };
		if (Date.now() - t0 > ms) {
			fail(`${p}: ${what} not seen within ${ms} ms; last ` +
			    `status ${s.health_status}, detail ` +
			    `${show(s.health_detail)}, num_tools ${s.num_tools}, ` +
			    `tools_source ${s.tools_source}`, res);
		}
		await sleep(100);
	}
}

const probed = (s) => s.last_checked_iso !== null;

// Registers a server and waits for its first (immediate) probe.
async function registerProbed(fields, what) {
	const { path: p, server: s0 } = await register(fields, { what });
	eq(s0.health_status, 'unknown', `${p}: health_status in the 201 reply`);
	const { s, res } = await settle(p, probed, 'the first probe');
	server(s, res, { tools: true });
	noSecrets(res, credentials());
	return { path: p, s, res };
}

async function tools(p) {
	const res = await get(`/api/servers/${nameOf(p)}/tools`,
	    { token: await adminToken() });
	const b = json(res, 200);
	for (const k of ['path', 'tools', 'tools_source', 'last_discovery'])
		ok(k in b, `tools reply lacks "${k}"`, res);
	ok(Array.isArray(b.tools), 'tools is not an array', res);
	const d = b.last_discovery;
	ok(d && typeof d === 'object', 'last_discovery is not an object', res);
	for (const k of ['at', 'ok', 'error'])
		ok(k in d, `last_discovery lacks "${k}"`, res);
	eq(b.path, p, 'tools reply path', res);
	noSecrets(res, credentials());
	return { b, res };
}

function healthyWithEverything(s, res, what) {
	eq(s.health_status, 'healthy', `${what}: health_status`, res);
	eq(s.health_detail, null, `${what}: health_detail`, res);
	eq(s.tools_source, 'discovered', `${what}: tools_source`, res);
	eq(s.num_tools, refNames.length, `${what}: num_tools`, res);
	deepEq(s.tool_list.map((t) => t.name), refNames,
	    `${what}: tool names (server-everything's, in its order)`, res);
	ok(s.server_info && typeof s.server_info.name === 'string',
	    `${what}: server_info ${show(s.server_info)}`, res);
	ok(typeof s.protocol_version === 'string',
	    `${what}: protocol_version`, res);
}

function proberBin() {
	ok(env.bin, 'MCPGW_BIN is not set: no mcpgw-prober to run');
	const isDir = fs.existsSync(env.bin) && fs.statSync(env.bin).isDirectory();
	const f = path.join(isDir ? env.bin : path.dirname(env.bin),
	    'mcpgw-prober');
	ok(fs.existsSync(f), `${f} does not exist`);
	return f;
}

const PROBER_LOG = path.join(env.logDir, `prober-${env.kind}.log`);

/*
 * Runs mcpgw-prober with the run's config (extraEnv on top); resolves
 * {code, lines (parsed --json objects), stderr}. Its stderr is appended to
 * prober-<kind>.log, which the leak check scans.
 */
async function prober(args, extraEnv = {}) {
	const r = await runProgram(proberBin(), args, { timeout: 60000,
	    env: { ...process.env, MCPGW_CONFIG: env.config, ...extraEnv } });
	fs.appendFileSync(PROBER_LOG, `=== ${new Date().toISOString()} ` +
	    `mcpgw-prober ${args.join(' ')} -> ${r.code}\n${r.stderr}`);
	const out = r.stdout.toString();
	const lines = [];
	for (const l of out.split('\n').filter((x) => x.trim())) {
		try {
			lines.push(JSON.parse(l));
		} catch {
			fail(`mcpgw-prober ${args.join(' ')}: stdout line is not ` +
			    `JSON: ${show(l)}`);
		}
	}
	return { code: r.code, signal: r.signal, lines, stderr: r.stderr };
}

function proberOk(r, what) {
	if (r.code !== 0) {
		fail(`${what}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''}` +
		    `: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
	}
	for (const l of r.lines) {
		ok(typeof l.path === 'string' && l.path.startsWith('/'),
		    `${what}: line without a path: ${show(l)}`);
		ok(['healthy', 'unhealthy', 'auth_failed'].includes(l.status),
		    `${what}: ${l.path}: status ${show(l.status)}`);
		ok(l.detail === null || typeof l.detail === 'string',
		    `${what}: ${l.path}: detail ${show(l.detail)}`);
		ok(Number.isInteger(l.num_tools) && l.num_tools >= 0,
		    `${what}: ${l.path}: num_tools ${show(l.num_tools)}`);
		ok(Number.isInteger(l.latency_ms) && l.latency_ms >= 0,
		    `${what}: ${l.path}: latency_ms ${show(l.latency_ms)}`);
		for (const c of credentials()) {
			ok(!JSON.stringify(l).includes(c),
			    `${what}: ${l.path}: the line holds a credential`);
		}
	}
	return r.lines;
}

function byPath(lines, what) {
	const m = new Map();
	for (const l of lines) {
		ok(!m.has(l.path), `${what}: ${l.path} reported twice`);
		m.set(l.path, l);
	}
	return m;
}

function psqlBin() {
	return env.pgBin ? path.join(env.pgBin, 'psql') : 'psql';
}

async function sql(text) {
	if (!env.databaseAdminUrl)
		skip('MCPGW_DATABASE_ADMIN_URL is not set');
	const r = await runProgram(psqlBin(), ['-X', '-q', '-At', '-v',
	    'ON_ERROR_STOP=1', '-d', env.databaseAdminUrl, '-c', text],
	    { timeout: 30000 });
	if (r.code !== 0)
		fail(`psql: exit ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
	return r.stdout.toString().trim();
}

// Makes the given servers due now (paths are validated server paths).
async function setDue(paths) {
	const list = paths.map((p) => `'${p.toLowerCase()}'`).join(',');
	const n = await sql('WITH u AS (UPDATE server_health h SET ' +
	    'next_check_at = now() FROM servers s WHERE s.id = h.server_id ' +
	    `AND lower(s.path) IN (${list}) RETURNING 1) ` +
	    'SELECT count(*) FROM u');
	eq(Number(n), paths.length, 'servers made due');
}

// The gate log entries whose URL starts with prefix + "/".
function forPrefix(entries, prefix) {
	return entries.filter((e) => e.url.startsWith(prefix + '/'));
}

/* ---- fixtures: one server per backend, registered on first use ---- */

const bearerSrv = once(() => registerProbed({ proxy_pass_url: B.bearer.url,
    auth_scheme: 'bearer', auth_credential: CRED.probeBearer }, 'pbearer'));
const apikeySrv = once(() => registerProbed({ proxy_pass_url: B.apikey.url,
    auth_scheme: 'api_key', auth_header_name: CUSTOM_HEADER,
    auth_credential: CRED.probeApiKey }, 'papikey'));
const noauthSrv = once(() => registerProbed({ proxy_pass_url: B.se.url },
    'pnoauth'));
const MANUAL = [
	{ name: 'manual_one', description: 'kept apart',
	    inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
	{ name: 'manual_two', inputSchema: { type: 'object' },
	    annotations: { title: 'Two' } },
];
const deadSrv = once(async () => registerProbed({
    proxy_pass_url: `http://127.0.0.1:${await closedPort()}`,
    tool_list_json: MANUAL }, 'pdead'));
const notoolsSrv = once(() => registerProbed({ proxy_pass_url:
    B.notools.url }, 'pnotools'));
const manySrv = once(() => registerProbed({ proxy_pass_url: B.many.url },
    'pmany'));
const sseSrv = once(() => registerProbed({ proxy_pass_url: B.sse.url },
    'psse'));

// notools.mjs's synthetic tool i, as the backend sends it.
function synthTool(i) {
	return {
		name: `tool-${String(i).padStart(4, '0')}`,
		description: `Synthetic tool number ${i}`,
		inputSchema: { type: 'object', properties: { x: { type: 'number' } } },
		annotations: { readOnlyHint: true },
		_meta: { 'example.com/extra': i },
	};
}

/* ---- immediate probes after registration ---- */

test('bearer backend: healthy with all of server-everything\'s tools',
    async () => {
	eq(refNames.length, 13, 'server-everything tool count (fixture)');
	const { path: p, s, res } = await bearerSrv();
	healthyWithEverything(s, res, p);
	eq(s.auth_scheme, 'bearer', 'auth_scheme', res);
	ok(ISO_Z.test(s.last_checked_iso), 'last_checked_iso', res);
	const { b, res: tr } = await tools(p);
	eq(b.tools_source, 'discovered', 'tools_source', tr);
	deepEq(b.tools.map((t) => t.name), refNames, 'tools', tr);
	deepEq(b.tools, s.tool_list, 'tools = tool_list', tr);
	eq(b.last_discovery.ok, true, 'last_discovery.ok', tr);
	eq(b.last_discovery.error, null, 'last_discovery.error', tr);
	ok(ISO_Z.test(b.last_discovery.at), `last_discovery.at ` +
	    `${show(b.last_discovery.at)}`, tr);
});

test(`api_key backend with ${CUSTOM_HEADER}: healthy with its tools`,
    async () => {
	const { path: p, s, res } = await apikeySrv();
	healthyWithEverything(s, res, p);
	eq(s.auth_scheme, 'api_key', 'auth_scheme', res);
	eq(s.auth_header_name, CUSTOM_HEADER, 'auth_header_name', res);
	const { b, res: tr } = await tools(p);
	eq(b.tools.length, 13, 'tools', tr);
	eq(b.last_discovery.ok, true, 'last_discovery.ok', tr);
});

test('backend without auth: healthy with its tools', async () => {
	const { path: p, s, res } = await noauthSrv();
	healthyWithEverything(s, res, p);
	eq(s.auth_scheme, 'none', 'auth_scheme', res);
});

test('the gates received exactly the stored credential, never a JWT or ' +
    'a cookie', async () => {
	await bearerSrv();
	await apikeySrv();
	const jwts = runtimeTokens();
	ok(jwts.length > 0, 'no JWT was obtained in this process');
	const cases = [
		[B.bearer.log, 'authorization', `Bearer ${CRED.probeBearer}`],
		[B.apikey.log, CUSTOM_HEADER.toLowerCase(), CRED.probeApiKey],
	];
	for (const [log, header, want] of cases) {
		const what = path.basename(log);
		const raw = fs.readFileSync(log, 'utf8');
		const { entries } = gateEntries(log);
		ok(entries.length >= 4, `${what}: only ${entries.length} ` +
		    'requests (initialize, initialized, tools/list, DELETE)');
		ok(entries.some((e) => e.method === 'POST') &&
		    entries.some((e) => e.method === 'DELETE'),
		    `${what}: no POST or no DELETE (session not ended?)`);
		for (const e of entries) {
			const r = e.received || {};
			const at = `${what}: ${e.method} ${e.url}`;
			ok(r[header] === want, `${at}: ${header} is not the ` +
			    'stored credential' + (r[header] === undefined ?
			    ' (absent)' : ''));
			eq(e.auth_ok, true, `${at}: auth_ok`);
			ok(!('cookie' in r), `${at}: a Cookie header was sent`);
			if (header !== 'authorization') {
				ok(!('authorization' in r), `${at}: an ` +
				    'Authorization header was sent to the ' +
				    'api_key backend');
			}
		}
		ok(!/eyJ[\w-]*\.[\w-]*\./.test(raw), `${what}: holds a JWT`);
		for (const t of jwts)
			ok(!raw.includes(t), `${what}: holds a registry token`);
	}
});

/* ---- credentials: rejected, rotated back, refresh ---- */

test('a wrong credential: auth_failed naming the credential; the last ' +
    'good tools are still served', async () => {
	const { path: p } = await bearerSrv();
	const mark = gateEntries(B.bearer.log).size;
	const res = await patch(`/api/servers/${nameOf(p)}/auth-credential`, {
	    token: await adminToken(), json: { auth_scheme: 'bearer',
	    auth_credential: CRED.probeWrong } });
	json(res, 200);
	const { s, res: g } = await settle(p,
	    (x) => x.health_status === 'auth_failed', 'auth_failed');
	const d = s.health_detail || '';
	ok(d.startsWith(FAIL_PREFIX), `detail ${show(d)} does not start ` +
	    `with "${FAIL_PREFIX}"`, g);
	ok(/HTTP 401\b/.test(d), `detail ${show(d)} does not name HTTP 401`, g);
	ok(/credential/i.test(d) && d.includes('Authorization'),
	    `detail ${show(d)} does not name the credential (Authorization)`, g);
	noSecrets(g, credentials());
	eq(s.tools_source, 'discovered', 'tools_source kept', g);
	eq(s.num_tools, 13, 'num_tools kept', g);
	deepEq(s.tool_list.map((t) => t.name), refNames, 'tool_list kept', g);
	const { b, res: tr } = await tools(p);
	eq(b.tools.length, 13, 'tools served', tr);
	eq(b.tools_source, 'discovered', 'tools reply tools_source', tr);
	eq(b.last_discovery.ok, false, 'last_discovery.ok', tr);
	ok(typeof b.last_discovery.error === 'string' &&
	    b.last_discovery.error.startsWith(FAIL_PREFIX),
	    `last_discovery.error ${show(b.last_discovery.error)}`, tr);
	const { entries } = gateEntries(B.bearer.log, mark);
	ok(entries.length > 0, 'the re-probe never reached the gate');
	for (const e of entries) {
		ok(e.received && e.received.authorization ===
		    `Bearer ${CRED.probeWrong}`, `${e.method} ${e.url}: ` +
		    'Authorization is not the newly stored (wrong) credential');
		eq(e.auth_ok, false, `${e.method} ${e.url}: auth_ok`);
	}
});

test('rotating back and POST refresh: healthy in the refresh reply',
    async () => {
	const { path: p } = await bearerSrv();
	const token = await adminToken();
	json(await patch(`/api/servers/${nameOf(p)}/auth-credential`, { token,
	    json: { auth_scheme: 'bearer',
	    auth_credential: CRED.probeBearer } }), 200);
	const mark = gateEntries(B.bearer.log).size;
	const res = await post(`/api/servers/${nameOf(p)}/refresh`, { token,
	    body: '', timeout: 30000 });
	const s = server(json(res, 200), res, { tools: true });
	eq(s.path, p, 'path', res);
	healthyWithEverything(s, res, 'refresh reply');
	noSecrets(res, credentials());
	const { entries } = gateEntries(B.bearer.log, mark);
	ok(entries.some((e) => e.method === 'DELETE'),
	    'refresh did not probe the backend (no session DELETE logged)');
	for (const e of entries) {
		ok(e.received.authorization === `Bearer ${CRED.probeBearer}`,
		    `${e.method} ${e.url}: not the rotated credential`);
	}
});

/* ---- failures and edge cases ---- */

test('unreachable backend: unhealthy, "backend unreachable", manual tools ' +
    'served', async () => {
	const { path: p, s, res } = await deadSrv();
	eq(s.health_status, 'unhealthy', 'health_status', res);
	const d = s.health_detail || '';
	ok(d.startsWith(`${FAIL_PREFIX} backend unreachable`),
	    `detail ${show(d)}`, res);
	eq(s.tools_source, 'manual', 'tools_source', res);
	eq(s.num_tools, MANUAL.length, 'num_tools', res);
	deepEq(s.tool_list, MANUAL, 'tool_list', res);
	const { b, res: tr } = await tools(p);
	eq(b.tools_source, 'manual', 'tools reply tools_source', tr);
	deepEq(b.tools, MANUAL, 'manual tools served', tr);
	eq(b.last_discovery.ok, false, 'last_discovery.ok', tr);
	ok(String(b.last_discovery.error).startsWith(FAIL_PREFIX),
	    `last_discovery.error ${show(b.last_discovery.error)}`, tr);
});

test('backend without tools: "does not implement the standard tools/list"',
    async () => {
	const { s, res } = await notoolsSrv();
	const d = s.health_detail || '';
	ok(d.startsWith(FAIL_PREFIX), `detail ${show(d)}`, res);
	ok(/does not implement the standard (MCP )?tools\/list/.test(d),
	    `detail ${show(d)} does not say tools/list is missing`, res);
	ok(['healthy', 'unhealthy'].includes(s.health_status),
	    `health_status ${s.health_status}`, res);
	eq(s.tools_source, 'none', 'tools_source', res);
	eq(s.num_tools, 0, 'num_tools', res);
});

test(`tools over several pages: all ${MANY} discovered verbatim`,
    async () => {
	const { path: p, s, res } = await manySrv();
	eq(s.health_status, 'healthy', 'health_status', res);
	eq(s.num_tools, MANY, 'num_tools', res);
	const want = Array.from({ length: MANY }, (_, i) => synthTool(i));
	deepEq(s.tool_list, want, 'tool_list (unknown fields kept)', res);
	const { b, res: tr } = await tools(p);
	eq(b.tools.length, MANY, 'tools served', tr);
});

test('legacy HTTP+SSE server-everything: healthy with its tools',
    async () => {
	const { path: p, s, res } = await sseSrv();
	healthyWithEverything(s, res, p);
});

/* ---- mcpgw-prober ---- */

test('mcpgw-prober --json: one line per due server; --server; exit ' +
    'status', async () => {
	const fx = await Promise.all([bearerSrv(), apikeySrv(), noauthSrv(),
	    deadSrv(), notoolsSrv(), manySrv(), sseSrv()]);
	const paths = fx.map((f) => f.path);
	await setDue(paths);
	let r = await prober(['--json']);
	let m = byPath(proberOk(r, 'pass'), 'pass');
	for (const p of paths)
		ok(m.has(p), `pass: ${p} was due but not reported`);
	const [bp, kp, np, dp, tp, mp, sp] = paths;
	for (const [p, n] of [[bp, 13], [kp, 13], [np, 13], [sp, 13],
	    [mp, MANY]]) {
		eq(m.get(p).status, 'healthy', `pass: ${p} status`);
		eq(m.get(p).detail, null, `pass: ${p} detail`);
		eq(m.get(p).num_tools, n, `pass: ${p} num_tools`);
	}
	eq(m.get(dp).status, 'unhealthy', `pass: ${dp} status`);
	ok(m.get(dp).detail.startsWith(`${FAIL_PREFIX} backend unreachable`),
	    `pass: ${dp} detail ${show(m.get(dp).detail)}`);
	ok(/tools\/list/.test(m.get(tp).detail), `pass: ${tp} detail ` +
	    `${show(m.get(tp).detail)}`);

	// Probed in this interval: the next pass leaves them alone.
	r = await prober(['--json']);
	m = byPath(proberOk(r, 'second pass'), 'second pass');
	for (const p of paths)
		ok(!m.has(p), `second pass probed ${p} again within its interval`);

	// --server probes one server now, due or not.
	r = await prober(['--server', kp, '--json']);
	const one = proberOk(r, '--server');
	eq(one.length, 1, '--server: lines');
	eq(one[0].path, kp, '--server: path');
	eq(one[0].status, 'healthy', '--server: status');
	eq(one[0].num_tools, 13, '--server: num_tools');
	r = await prober(['--server', dp, '--json']);
	eq(proberOk(r, '--server (unreachable)')[0].status, 'unhealthy',
	    '--server on an unreachable backend: status (exit 0)');

	// Configuration and database failures are the only non-zero exits.
	const port = await closedPort();
	r = await prober(['--json'], { MCPGW_DATABASE_URL: `host=127.0.0.1 ` +
	    `port=${port} dbname=mcpgw user=mcpgw_app connect_timeout=5` });
	ok(r.code !== 0, 'a database that cannot be reached: exit 0');
	eq(r.lines.length, 0, 'database down: lines printed');
	r = await prober(['--json'], { MCPGW_CONFIG: path.join(env.logDir,
	    'no-such-mcpgw.conf') });
	ok(r.code !== 0, 'a missing config file: exit 0');
	r = await prober(['--json'], { MCPGW_PROBE_CONCURRENCY: '0' });
	ok(r.code !== 0, 'probe_concurrency 0: exit 0');
});

// LEASE_N servers on the counting gate, each under its own URL prefix.
const leaseGroup = once(async () => {
	const token = await adminToken();
	const group = [];
	await Promise.all(Array.from({ length: LEASE_N }, async (_, i) => {
		const prefix = `/lease${i}`;
		const { path: p } = await register({ proxy_pass_url:
		    `${B.count.url}${prefix}`, auth_scheme: 'bearer',
		    auth_credential: CRED.probeCount }, { what: 'lease',
		    token });
		group.push({ path: p, prefix });
	}));
	// Every registration's own probe must be over before the race.
	const t0 = Date.now();
	for (;;) {
		const res = await get('/api/servers/health', { token });
		const h = json(res, 200);
		if (group.every((g) => h[g.path] && h[g.path].last_checked_iso))
			break;
		if (Date.now() - t0 > SETTLE_MS * 2) {
			fail('the lease group\'s first probes did not finish: ' +
			    group.filter((g) => !(h[g.path] &&
			    h[g.path].last_checked_iso)).map((g) => g.path)
			    .join(' '), res);
		}
		await sleep(150);
	}
	return group;
});

test(`two probers at once over ${LEASE_N} due servers: each probed ` +
    'exactly once', async () => {
	const group = await leaseGroup();
	const before = gateEntries(B.count.log);
	const rpcMark = gateEntries(COUNTED_LOG).size;
	await setDue(group.map((g) => g.path));
	// Small batches make the two claim in turns instead of one taking all.
	const conc = { MCPGW_PROBE_CONCURRENCY: '4' };
	const [r1, r2] = await Promise.all([prober(['--json'], conc),
	    prober(['--json'], conc)]);
	const a = byPath(proberOk(r1, 'prober 1'), 'prober 1');
	const b = byPath(proberOk(r2, 'prober 2'), 'prober 2');
	for (const p of a.keys())
		ok(!b.has(p), `${p} was probed by both probers`);
	const mine = (m) => group.filter((g) => m.has(g.path)).length;
	console.log(`# lease race: prober 1 took ${mine(a)}, prober 2 took ` +
	    `${mine(b)} of ${LEASE_N}`);
	const after = gateEntries(B.count.log, before.size).entries;
	for (const g of group) {
		const l = a.get(g.path) || b.get(g.path);
		ok(l, `${g.path} was due but neither prober reported it`);
		eq(l.status, 'healthy', `${g.path}: status`);
		const was = forPrefix(before.entries, g.prefix);
		const now = forPrefix(after, g.prefix);
		const dels = (es) => es.filter((e) => e.method === 'DELETE')
		    .length;
		eq(dels(was), 1, `${g.path}: sessions of its registration probe`);
		eq(dels(now), 1, `${g.path}: sessions the two probers opened`);
		eq(now.length, was.length, `${g.path}: requests of the race ` +
		    'vs. one probe');
		for (const e of now) {
			ok(e.received.authorization === `Bearer ${CRED.probeCount}`,
			    `${e.method} ${e.url}: not the stored credential`);
		}
	}
	const stray = after.filter((e) => !group.some((g) =>
	    e.url.startsWith(g.prefix + '/')));
	eq(stray.length, 0, 'requests for other URLs on the counting gate');
	const rpc = gateEntries(COUNTED_LOG, rpcMark).entries;
	const calls = (m) => rpc.filter((e) => e.rpc === m).length;
	eq(calls('initialize'), LEASE_N, 'initialize requests in the race');
	eq(calls('tools/list'), LEASE_N, 'tools/list requests in the race');
});

test('a disabled server is not probed by a pass; enabling probes it',
    async () => {
	const prefix = '/disabled';
	const { path: p } = await registerProbed({ proxy_pass_url:
	    `${B.count.url}${prefix}`, auth_scheme: 'bearer',
	    auth_credential: CRED.probeCount }, 'pdis');
	const token = await adminToken();
	json(await post('/api/servers/toggle', { token,
	    json: { path: p, new_state: false } }), 200);
	await setDue([p]);
	let mark = gateEntries(B.count.log).size;
	const r = await prober(['--json']);
	const m = byPath(proberOk(r, 'pass'), 'pass');
	ok(!m.has(p), 'a pass probed the disabled server');
	eq(forPrefix(gateEntries(B.count.log, mark).entries, prefix).length,
	    0, 'requests to the disabled server\'s backend');
	const g = await getServer(p);
	eq(json(g, 200).health_status, 'disabled', 'health_status', g);

	mark = gateEntries(B.count.log).size;
	json(await post('/api/servers/toggle', { token,
	    json: { path: p, new_state: true } }), 200);
	const t0 = Date.now();
	while (!forPrefix(gateEntries(B.count.log, mark).entries, prefix)
	    .some((e) => e.method === 'DELETE')) {
		ok(Date.now() - t0 < SETTLE_MS, 'enabling did not probe the ' +
		    `server within ${SETTLE_MS} ms`);
		await sleep(100);
	}
	await settle(p, (s) => s.health_status === 'healthy',
	    'healthy after enabling');
});

test('a pass with every backend down still exits 0', async () => {
	const fx = await Promise.all([bearerSrv(), apikeySrv(), noauthSrv(),
	    notoolsSrv(), manySrv(), sseSrv()]);
	const group = await leaseGroup();
	const paths = [...fx.map((f) => f.path), ...group.map((g) => g.path)];
	await stopAll();
	await setDue(paths);
	const r = await prober(['--json']);
	const m = byPath(proberOk(r, 'pass with backends down'), 'pass');
	for (const p of paths) {
		const l = m.get(p);
		ok(l, `${p} was due but not reported`);
		eq(l.status, 'unhealthy', `${p}: status`);
		ok(l.detail.startsWith(`${FAIL_PREFIX} backend unreachable`),
		    `${p}: detail ${show(l.detail)}`);
	}
	// Discovered tools outlive the outage.
	const { s, res } = await settle(fx[0].path,
	    (x) => x.health_status === 'unhealthy', 'unhealthy');
	eq(s.tools_source, 'discovered', 'tools_source after the outage', res);
	eq(s.num_tools, 13, 'num_tools after the outage', res);
});
