// Load test (issue 6): 64 concurrent clients mixing API calls and proxied MCP tool calls, zero 5xx.
//
// Runs for MCPGW_LOAD_SECONDS (default 10; tests/run --load sets 60 and
// raises MCPGW_TEST_TIMEOUT_MS to fit). Loopback only, and bounded: at
// most MAX_RPS_BOUND requests a second on average, each with a timeout.
// The backend is lib/fastmcp.mjs (a stateless JSON-RPC responder in its
// own process, behind a bearer credential it checks), so a 502/504 means
// the gateway failed, not the backend. Every reply is checked: its status,
// and for tools/call the sum the backend computed for this very request
// (crossed replies would show). The counts and rates are printed as TAP
// comments and written to $MCPGW_LOG_DIR/load-<kind>.json.
import fs from 'node:fs';
import path from 'node:path';
import { env, RUN, uniqPath, nameOf, sleep } from './lib/env.mjs';
import { get, del } from './lib/http.mjs';
import { adminToken } from './lib/auth.mjs';
import { CRED } from './lib/secrets.mjs';
import { register, DEAD_URL } from './lib/servers.mjs';
import { ok, fail, json, show } from './lib/check.mjs';
import { startFastMcp } from './lib/fastmcp.mjs';
import { responderPids, logMarks, noCrash } from './lib/faults.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const SECONDS = Number(process.env.MCPGW_LOAD_SECONDS) || 10;
const CLIENTS = 64;
const MAX_RPS_BOUND = 5000;
const REQ_TIMEOUT = 20000;
const TEST_TIMEOUT = Number(process.env.MCPGW_TEST_TIMEOUT_MS) || 60000;
const MARKER = `load${RUN.tag}${RUN.k}`;

let backend = null;
const S = {};
const leftovers = new Set();	// registered by the load, not yet deleted

export async function before() {
	backend = await startFastMcp(CRED.load);
	S.mcp = (await register({ proxy_pass_url: backend.url,
	    auth_scheme: 'bearer', auth_credential: CRED.load,
	    description: `${MARKER} fast backend` }, { what: 'loadmcp' })).path;
	S.get = (await register({ description: `${MARKER} fixture`,
	    tags: ['load'], tool_list_json: [{ name: 'load-tool',
	    inputSchema: { type: 'object' } }] }, { what: 'loadget' })).path;
	await sleep(1000);
}

export async function after() {
	const tok = await adminToken();
	for (const p of leftovers)
		await del(`/api/servers/${nameOf(p)}`, { token: tok });
	if (backend)
		await backend.stop();
}

// Operations, with their weights.
const OPS = [
	['tools/call', 40], ['tools/list', 10], ['list', 20], ['get', 15],
	['register+delete', 10], ['tools', 3], ['health', 2],
];
const WEIGHT = OPS.reduce((a, [, w]) => a + w, 0);

function pick(rnd) {
	let x = rnd() * WEIGHT;
	for (const [op, w] of OPS) {
		x -= w;
		if (x < 0)
			return op;
	}
	return OPS[0][0];
}

// A small deterministic generator per client, so runs are comparable.
function rng(seed) {
	let s = seed >>> 0 || 1;
	return () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return (s >>> 0) / 4294967296;
	};
}

class Stats {
	constructor() {
		this.total = 0;
		this.byOp = {};
		this.byStatus = {};
		this.bad = [];
		this.fiveXX = 0;
		this.transport = 0;
	}

	add(op, status, ms, problem) {
		this.total++;
		const o = this.byOp[op] || (this.byOp[op] = { n: 0, ms: [] });
		o.n++;
		if (o.ms.length < 20000)
			o.ms.push(ms);
		this.byStatus[status] = (this.byStatus[status] || 0) + 1;
		if (status >= 500)
			this.fiveXX++;
		if (status === 0)
			this.transport++;
		if (problem && this.bad.length < 10)
			this.bad.push(`${op}: ${problem}`);
	}
}

function pct(a, q) {
	if (!a.length)
		return 0;
	const s = [...a].sort((x, y) => x - y);
	return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

// One HTTP exchange; never throws. Resolves {status, text, json, ms}.
async function call(method, target, { token, body, headers = {} } = {}) {
	const t0 = Date.now();
	const h = { ...headers };
	if (token)
		h.Authorization = `Bearer ${token}`;
	if (body !== undefined)
		h['Content-Type'] = 'application/json';
	try {
		const r = await fetch(env.url + target, { method, headers: h,
		    body: body === undefined ? undefined : JSON.stringify(body),
		    signal: AbortSignal.timeout(REQ_TIMEOUT) });
		const text = await r.text();
		let j;
		try {
			j = JSON.parse(text);
		} catch {
			j = undefined;
		}
		return { status: r.status, text, json: j, ms: Date.now() - t0 };
	} catch (e) {
		const why = e.cause ? `${e.message}: ${e.cause.code ||
		    e.cause.message}` : e.message;
		return { status: 0, text: why, json: undefined,
		    ms: Date.now() - t0 };
	}
}

const MCP_HEADERS = { 'Accept': 'application/json, text/event-stream',
    'MCP-Protocol-Version': '2025-06-18' };

function problemOf(r, want) {
	if (r.status === want)
		return null;
	const body = (r.text || '').replace(/\s+/g, ' ').slice(0, 160);
	return `status ${r.status} (want ${want}) after ${r.ms} ms: ${body}`;
}

async function client(id, tok, deadline, budget, st) {
	const rnd = rng(0x9e3779b9 ^ (id * 2654435761));
	let seq = 0;
	while (Date.now() < deadline && budget.left > 0) {
		budget.left--;
		const op = pick(rnd);
		seq++;
		if (op === 'tools/call') {
			const a = id * 100000 + seq, b = Math.floor(rnd() * 1000);
			const rid = `${id}-${seq}`;
			const r = await call('POST', `${S.mcp}/mcp`, { token: tok,
			    headers: MCP_HEADERS, body: { jsonrpc: '2.0', id: rid,
			    method: 'tools/call', params: { name: 'add',
			    arguments: { a, b } } } });
			let p = problemOf(r, 200);
			if (!p) {
				const text = r.json && r.json.result &&
				    r.json.result.content && r.json.result.content[0] &&
				    r.json.result.content[0].text;
				if (r.json.id !== rid || text !== String(a + b)) {
					p = `reply ${show(r.json)} to id ${rid} ` +
					    `(${a}+${b})`;
				}
			}
			st.add(op, r.status, r.ms, p);
		} else if (op === 'tools/list') {
			const r = await call('POST', `${S.mcp}/mcp`, { token: tok,
			    headers: MCP_HEADERS, body: { jsonrpc: '2.0', id: seq,
			    method: 'tools/list' } });
			let p = problemOf(r, 200);
			if (!p && !(r.json && r.json.result &&
			    Array.isArray(r.json.result.tools) &&
			    r.json.result.tools.length === 2))
				p = `tools/list reply ${show(r.json)}`;
			st.add(op, r.status, r.ms, p);
		} else if (op === 'list') {
			const r = await call('GET', `/api/servers?limit=20&offset=${
			    Math.floor(rnd() * 40)}`, { token: tok });
			let p = problemOf(r, 200);
			if (!p && !(r.json && Array.isArray(r.json.servers)))
				p = `list reply ${r.text.slice(0, 100)}`;
			st.add(op, r.status, r.ms, p);
		} else if (op === 'get') {
			const r = await call('GET', `/api/servers/${nameOf(S.get)}`,
			    { token: tok });
			let p = problemOf(r, 200);
			if (!p && r.json.path !== S.get)
				p = `get reply for ${show(r.json.path)}`;
			st.add(op, r.status, r.ms, p);
		} else if (op === 'tools') {
			const r = await call('GET', `/api/servers/${nameOf(S.get)}` +
			    '/tools', { token: tok });
			st.add(op, r.status, r.ms, problemOf(r, 200));
		} else if (op === 'health') {
			const r = await call('GET', '/health');
			st.add(op, r.status, r.ms, problemOf(r, 200));
		} else {
			const p = uniqPath('ld');
			leftovers.add(p);
			const r = await call('POST', '/api/servers/register',
			    { token: tok, body: { name: `Load ${p}`, path: p,
			    proxy_pass_url: DEAD_URL, description: MARKER,
			    tags: ['load'] } });
			st.add('register', r.status, r.ms, problemOf(r, 201));
			if (r.status === 201 || r.status >= 500 || r.status === 0) {
				const d = await call('DELETE',
				    `/api/servers/${nameOf(p)}`, { token: tok });
				st.add('delete', d.status, d.ms, r.status === 201 ?
				    problemOf(d, 200) : null);
				if (d.status === 200 || d.status === 404)
					leftovers.delete(p);
			}
		}
	}
}

test(`${CLIENTS} concurrent clients for MCPGW_LOAD_SECONDS (${SECONDS} s) ` +
    'mixing API calls and proxied tools/call: zero 5xx, every reply right',
    async () => {
	if (SECONDS * 1000 + 25000 > TEST_TIMEOUT) {
		fail(`MCPGW_LOAD_SECONDS=${SECONDS} needs MCPGW_TEST_TIMEOUT_MS ` +
		    `of at least ${SECONDS * 1000 + 25000} (it is ${TEST_TIMEOUT}); ` +
		    'tests/run --load sets both');
	}
	const tok = await adminToken();
	const marks = logMarks();
	const pids = responderPids();
	const st = new Stats();
	const budget = { left: SECONDS * MAX_RPS_BOUND };
	const t0 = Date.now();
	const deadline = t0 + SECONDS * 1000;
	await Promise.all(Array.from({ length: CLIENTS }, (_, i) =>
	    client(i, tok, deadline, budget, st)));
	const secs = (Date.now() - t0) / 1000;
	const summary = {
		kind: env.kind, clients: CLIENTS, seconds: Number(secs.toFixed(1)),
		requests: st.total, rps: Math.round(st.total / secs),
		statuses: st.byStatus, five_xx: st.fiveXX,
		transport_errors: st.transport,
		ops: Object.fromEntries(Object.entries(st.byOp).map(([op, o]) =>
		    [op, { n: o.n, rps: Math.round(o.n / secs),
		    p50_ms: pct(o.ms, 0.5), p99_ms: pct(o.ms, 0.99),
		    max_ms: Math.max(...o.ms) }])),
		problems: st.bad,
	};
	fs.writeFileSync(path.join(env.logDir, `load-${env.kind}.json`),
	    JSON.stringify(summary, null, 1) + '\n');
	console.log(`# load (${env.kind}): ${st.total} requests in ` +
	    `${secs.toFixed(1)} s by ${CLIENTS} clients = ${summary.rps}/s; ` +
	    `statuses ${show(st.byStatus)}`);
	for (const [op, o] of Object.entries(summary.ops)) {
		console.log(`#   ${op}: ${o.n} (${o.rps}/s), p50 ${o.p50_ms} ms, ` +
		    `p99 ${o.p99_ms} ms, max ${o.max_ms} ms`);
	}
	ok(st.total >= CLIENTS * 2, `only ${st.total} requests in ${secs} s`);
	ok(budget.left > 0 || secs >= SECONDS * 0.5, 'request bound hit early');
	ok(st.fiveXX === 0 && st.transport === 0 && st.bad.length === 0,
	    `${st.fiveXX} 5xx, ${st.transport} without a reply, problems ` +
	    `(first ${st.bad.length}):\n${st.bad.slice(0, 6).join('\n')}`);
	for (const op of ['tools/call', 'list', 'register'])
		ok(st.byOp[op] && st.byOp[op].n > 0, `no ${op} was made`);
	// Afterwards: the responder is fine and nothing of the load is left.
	json(await get('/health'), 200);
	const left = json(await get(`/api/servers?limit=5&query=${MARKER}`,
	    { token: tok }), 200);
	ok(left.total_count === 2, `${left.total_count} servers with ` +
	    `${MARKER} after the load (want the 2 fixtures)`);
	noCrash(marks, pids, 'load');
});
