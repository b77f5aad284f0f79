// Fault tests (issue 6): PostgreSQL stopped mid-load, a backend killed mid-stream, a backend that never answers.
//
// PostgreSQL is stopped and started with the scripts tests/run names in
// MCPGW_PG_CTL_STOP and MCPGW_PG_CTL_START (fast shutdown; the restart
// appends to the run's postgresql.log); without them those tests are
// skipped. One of them holds a lock on audit_log through psql as the
// database owner (MCPGW_DATABASE_ADMIN_URL, MCPGW_PG_BIN) so that
// registrations are caught between their statements. after() restarts
// PostgreSQL if a failure left it stopped. The silent-backend test needs
// a short proxy_timeout (tests/run sets 5 s).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { env, RUN, confInt, uniqPath, nameOf, sleep } from './lib/env.mjs';
import { get, post, del, request } from './lib/http.mjs';
import { adminToken } from './lib/auth.mjs';
import { CRED } from './lib/secrets.mjs';
import { register, getServer, DEAD_URL } from './lib/servers.mjs';
import {
	ok, eq, fail, skip, show, error, json, status,
} from './lib/check.mjs';
import { everything } from './lib/probe_backends.mjs';
import { responderPids, logMarks, noCrash } from './lib/faults.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const PG_STOP = process.env.MCPGW_PG_CTL_STOP || '';
const PG_START = process.env.MCPGW_PG_CTL_START || '';
const PROXY_TIMEOUT = confInt('proxy_timeout', 60);

let pgStopped = false;
const cleanups = [];

export async function after() {
	if (pgStopped)
		await pgctl(PG_START, 'start');
	for (const c of cleanups.splice(0))
		await c();
}

/*
 * Runs a pgctl script; its output goes to $MCPGW_LOG_DIR/pgctl-<kind>.log.
 * Resolves with the time it took; fails on a non-zero exit.
 */
function pgctl(script, what) {
	const log = path.join(env.logDir, `pgctl-${env.kind}.log`);
	const fd = fs.openSync(log, 'a');
	fs.writeSync(fd, `=== ${new Date().toISOString()} ${what}\n`);
	const t0 = Date.now();
	return new Promise((resolve, reject) => {
		const p = spawn('/bin/bash', [script],
		    { stdio: ['ignore', fd, fd] });
		fs.closeSync(fd);
		const timer = setTimeout(() => p.kill('SIGKILL'), 90000);
		p.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		if (what === 'stop')
			pgStopped = true;
		p.on('exit', (code, sig) => {
			clearTimeout(timer);
			if (what === 'start' && code === 0)
				pgStopped = false;
			if (code !== 0) {
				reject(new Error(`PostgreSQL ${what} (${script}): ` +
				    `exit ${sig || code}; see ${log}`));
			} else
				resolve(Date.now() - t0);
		});
	});
}

/* ---- PostgreSQL stopped mid-load ---- */

const MARKER = `pgdown${RUN.tag}${RUN.k}`;
const TOOLS = [{ name: 'fault-tool', description: 'manual',
    inputSchema: { type: 'object', properties: {} } }];

function regBody(p, i) {
	return { name: `Fault ${i} ${MARKER}`, path: p,
	    description: `${MARKER} registration ${i} ' " \\ %`,
	    proxy_pass_url: `${DEAD_URL}/r${i}`, tags: ['fault', MARKER],
	    license: 'MIT', auth_scheme: 'bearer',
	    auth_header_name: 'X-Fault-Auth', auth_credential: CRED.fault,
	    tool_list_json: TOOLS };
}

// One request of a client loop, recorded with its phase and timing.
async function one(rec, state, kind, method, target, opts) {
	const r = { kind, phase: state.phase, t0: Date.now() - state.t0 };
	try {
		const res = await request(method, target, { timeout: 10000,
		    ...opts });
		r.status = res.status;
		r.code = res.json && res.json.error;
		r.body = res.json;
	} catch (e) {
		r.status = 0;
		r.code = `no response: ${e.message.slice(0, 120)}`;
	}
	r.ms = Date.now() - state.t0 - r.t0;
	rec.push(r);
	return r;
}

async function clientLoop(id, state, rec, regs, only = null) {
	const tok = await adminToken();
	let i = 0;
	while (!state.stop && (only === null || state.phase === only)) {
		i++;
		if (id % 2 === 0) {
			await one(rec, state, 'list', 'GET',
			    `/api/servers?limit=5&query=${MARKER}`, { token: tok });
		} else {
			const p = uniqPath('pgd');
			const n = regs.length;
			const body = regBody(p, n);
			regs.push({ path: p, body, status: null });
			const r = await one(rec, state, 'register', 'POST',
			    '/api/servers/register', { token: tok, json: body });
			regs[n].status = r.status;
		}
		if (state.phase !== 'stopping')
			await sleep(60);
	}
	return i;
}

// The registration as stored matches what was sent, field by field.
function checkStored(s, body, res) {
	const w = (m) => `${body.path}: ${m}`;
	eq(s.path, body.path, w('path'), res);
	eq(s.name, body.name, w('name'), res);
	eq(s.description, body.description, w('description'), res);
	eq(s.proxy_pass_url, body.proxy_pass_url, w('proxy_pass_url'), res);
	eq(JSON.stringify(s.tags), JSON.stringify(body.tags), w('tags'), res);
	eq(s.license, body.license, w('license'), res);
	eq(s.auth_scheme, 'bearer', w('auth_scheme'), res);
	eq(s.auth_header_name, 'X-Fault-Auth', w('auth_header_name'), res);
	eq(s.has_auth_credential, true, w('has_auth_credential'), res);
	ok(Array.isArray(s.tool_list) && s.tool_list.length === 1 &&
	    s.tool_list[0].name === 'fault-tool', w(`tool_list ` +
	    `${show(s.tool_list)}`), res);
	eq(s.registered_by, env.adminUser, w('registered_by'), res);
}

function summary(rec) {
	const by = {};
	for (const r of rec) {
		const k = `${r.phase}:${r.status}`;
		by[k] = (by[k] || 0) + 1;
	}
	return Object.entries(by).map(([k, v]) => `${k}=${v}`).join(' ');
}

let outage = null;	// what the outage test saw, for the two after it

function outageRan() {
	if (!outage)
		fail('the PostgreSQL outage did not run (see the test before)');
	return outage;
}

test('PostgreSQL stopped mid-load: every request answered, 503 ' +
    'database_unavailable within 1 s while it is down, /health 503, no ' +
    'crash', async () => {
	if (!PG_STOP || !PG_START)
		skip('MCPGW_PG_CTL_STOP/START not set (tests/run sets them)');
	json(await get('/health'), 200);
	const marks = logMarks();
	const pids = responderPids();
	const state = { phase: 'up', stop: false, t0: Date.now() };
	const rec = [], regs = [];
	cleanups.push(async () => {
		const tok = await adminToken();
		for (const g of regs) {
			if (g.status !== null && g.status !== 0) {
				await del(`/api/servers/${nameOf(g.path)}`,
				    { token: tok });
			}
		}
	});
	const loops = [];
	for (let id = 0; id < 8; id++)
		loops.push(clientLoop(id, state, rec, regs));
	const health = [];
	let stopMs = 0, startMs = 0, startedAt = 0;
	try {
		await sleep(1500);
		/*
		 * Registrations back to back while PostgreSQL goes down, so
		 * that some are cut between their statements.
		 */
		state.phase = 'stopping';
		for (let id = 1; id < 32; id += 2)
			loops.push(clientLoop(id, state, rec, regs, 'stopping'));
		await sleep(20);
		stopMs = await pgctl(PG_STOP, 'stop');
		state.phase = 'down';
		await sleep(400);
		for (let i = 0; i < 3; i++) {
			const t = Date.now();
			const h = await get('/health', { timeout: 10000 });
			health.push({ res: h, ms: Date.now() - t });
			await sleep(700);
		}
		state.phase = 'starting';
		startMs = await pgctl(PG_START, 'start');
		startedAt = Date.now() - state.t0;
		state.phase = 'recovering';
		await sleep(5000);
		state.phase = 'after';
		await sleep(2000);
	} finally {
		state.stop = true;
		await Promise.all(loops);
	}
	const diag = `(stop took ${stopMs} ms, start ${startMs} ms; ` +
	    `${summary(rec)})`;
	outage = { state, rec, regs, startedAt, diag };
	const down = rec.filter((r) => r.phase === 'down');
	console.log(`# PostgreSQL outage (${env.kind}): ${rec.length} ` +
	    `requests, ${down.length} while down (max ` +
	    `${Math.max(0, ...down.map((r) => r.ms))} ms each); ${summary(rec)}`);

	// Only 2xx and 503 database_unavailable, and always an answer.
	const odd = rec.filter((r) => !(r.status === 200 || r.status === 201 ||
	    (r.status === 503 && r.code === 'database_unavailable')));
	ok(!odd.length, `${odd.length} replies other than 200/201/503 ` +
	    `database_unavailable, e.g. ${show(odd.slice(0, 4).map((r) =>
	    `${r.kind} ${r.phase} -> ${r.status} ${r.code}`))} ${diag}`);
	const up = rec.filter((r) => r.phase === 'up');
	ok(up.length >= 8 && up.every((r) => r.status < 300),
	    `before the stop: ${up.length} requests, not all 2xx ${diag}`);
	// Down: every request 503, each fast.
	ok(down.length >= 10, `only ${down.length} requests while PostgreSQL ` +
	    `was down ${diag}`);
	const good = down.filter((r) => r.status !== 503);
	ok(!good.length, `${good.length} requests succeeded while PostgreSQL ` +
	    `was down: ${show(good.slice(0, 3))} ${diag}`);
	const slow = down.filter((r) => r.ms >= 1000);
	ok(!slow.length, `${slow.length} of ${down.length} requests took 1 s ` +
	    `or more while PostgreSQL was down (max ` +
	    `${Math.max(...down.map((r) => r.ms))} ms) ${diag}`);
	for (const { res, ms } of health) {
		status(res, 503);
		eq(res.json && res.json.database, 'unreachable',
		    'GET /health: database', res);
		ok(ms < 1000, `GET /health took ${ms} ms with PostgreSQL down`, res);
	}
	noCrash(marks, pids, 'PostgreSQL outage');
});

test('after the PostgreSQL restart everything works again within 5 s, on ' +
    'every worker (a burst of 64 concurrent requests)', async () => {
	const { rec, startedAt, state, diag } = outageRan();
	const tok = await adminToken();
	const late = rec.filter((r) => r.t0 >= startedAt + 5000);
	ok(late.length >= 8, `only ${late.length} requests after recovery ` +
	    diag);
	const bad = late.filter((r) => r.status >= 300);
	ok(!bad.length, `${bad.length} requests failed 5 s after the restart: ` +
	    `${show(bad.slice(0, 3))} ${diag}`);
	const lastFail = Math.max(startedAt, ...rec.filter((r) =>
	    r.t0 >= startedAt && r.status >= 300).map((r) => r.t0 + r.ms));
	console.log(`# PostgreSQL outage (${env.kind}): the client loops ` +
	    `recovered ${lastFail - startedAt} ms after the restart`);
	/*
	 * Then a burst wide enough to reach every worker (every responder
	 * process under Apache), including those that served nothing during
	 * the outage and still hold a connection to the old server.
	 */
	const failed = (await burst(tok, 64)).filter((st) => st !== 200);
	ok(!failed.length, `${failed.length} of 64 concurrent requests ` +
	    `${Date.now() - state.t0 - startedAt} ms after the restart failed: ` +
	    `${show(failed.slice(0, 5))}`);
});

// n concurrent GET /api/servers?limit=1; resolves the statuses.
function burst(tok, n) {
	return Promise.all(Array.from({ length: n }, () =>
	    get('/api/servers?limit=1', { token: tok, timeout: 15000 })
	    .then((r) => r.status, (e) => `no response: ${e.message}`)));
}

test('a quiet PostgreSQL restart: 2 s later every worker answers (none ' +
    'fails on the connection it held before)', async () => {
	if (!PG_STOP || !PG_START)
		skip('MCPGW_PG_CTL_STOP/START not set (tests/run sets them)');
	const tok = await adminToken();
	// Every worker (thread or process) gets a connection first.
	const warm = await burst(tok, 64);
	ok(warm.every((st) => st === 200), `before the restart: ` +
	    show(warm.filter((st) => st !== 200).slice(0, 5)));
	await pgctl(PG_STOP, 'stop');
	await sleep(500);
	await pgctl(PG_START, 'start');
	await sleep(2000);
	const after = await burst(tok, 64);
	const failed = after.filter((st) => st !== 200);
	console.log(`# quiet PostgreSQL restart (${env.kind}): ` +
	    `${failed.length} of 64 requests failed 2 s later`);
	ok(!failed.length, `${failed.length} of 64 concurrent requests 2 s ` +
	    `after a quiet PostgreSQL restart failed: ` +
	    `${show(failed.slice(0, 5))}`);
});

test('after the outage every registration that got 201 is stored whole ' +
    'and no other one is stored at all', async () => {
	const { regs, diag } = outageRan();
	const tok = await adminToken();
	let created = 0;
	for (const g of regs) {
		const res = await getServer(g.path, tok);
		if (g.status === 201) {
			created++;
			const s = json(res, 200);
			checkStored(s, g.body, res);
		} else if (res.status !== 404) {
			fail(`registration of ${g.path} got ${g.status}, yet the ` +
			    `server exists (GET: ${res.status}): a refused ` +
			    `request changed stored data ${diag}`, res);
		}
	}
	ok(created > 0 && created < regs.length, `${created} of ` +
	    `${regs.length} registrations got 201: the outage missed them`);
	const list = json(await get(`/api/servers?limit=500&query=${MARKER}`,
	    { token: tok }), 200);
	eq(list.total_count, created, `servers stored with ${MARKER} (201s: ` +
	    `${created} of ${regs.length} attempts)`, null);
});

/*
 * psql as the database owner (MCPGW_DATABASE_ADMIN_URL): resolves
 * {code, stdout} once it ends; opts.hold returns the child instead.
 */
function psql(sql, opts = {}) {
	const bin = env.pgBin ? path.join(env.pgBin, 'psql') : 'psql';
	const p = spawn(bin, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
	    env.databaseAdminUrl, '-c', sql], { stdio: ['ignore', 'pipe',
	    'ignore'] });
	if (opts.hold)
		return p;
	let out = '';
	p.stdout.on('data', (d) => {
		out += d;
	});
	return new Promise((resolve) => {
		p.on('error', () => resolve({ code: -1, stdout: '' }));
		p.on('exit', (code) => resolve({ code, stdout: out.trim() }));
	});
}

test('PostgreSQL stopped while registrations wait between their ' +
    'statements (audit_log locked): none is left half-done', async () => {
	if (!PG_STOP || !PG_START)
		skip('MCPGW_PG_CTL_STOP/START not set (tests/run sets them)');
	if (!env.databaseAdminUrl)
		skip('MCPGW_DATABASE_ADMIN_URL not set (tests/run sets it)');
	const tok = await adminToken();
	/*
	 * An owner's transaction holds audit_log, so each registration
	 * blocks on the statement that follows its INSERT into servers;
	 * then PostgreSQL goes down under it.
	 */
	const LOCKED = 'FROM pg_locks l JOIN pg_class c ON c.oid = l.relation ' +
	    'WHERE c.relname = \'audit_log\' AND l.mode = ' +
	    '\'AccessExclusiveLock\' AND l.granted';
	// At most 10 s, and ended at once below whatever happens.
	const locker = psql('BEGIN; LOCK TABLE audit_log IN ACCESS EXCLUSIVE ' +
	    'MODE; SELECT pg_sleep(10);', { hold: true });
	const unlock = async () => {
		if (locker.exitCode !== null)
			return;
		if (!pgStopped)
			await psql(`SELECT pg_terminate_backend(l.pid) ${LOCKED}`);
		locker.kill('SIGKILL');
	};
	cleanups.push(unlock);
	try {
		await midRegistration(tok, LOCKED);
	} finally {
		await unlock();
	}
});

async function midRegistration(tok, LOCKED) {
	let held = false;
	for (let i = 0; i < 50 && !held; i++) {
		const r = await psql(`SELECT count(*) ${LOCKED}`);
		held = r.code === 0 && r.stdout === '1';
		if (!held)
			await sleep(100);
	}
	ok(held, 'could not lock audit_log as the database owner');
	const regs = [];
	for (let i = 0; i < 3; i++) {
		const p = uniqPath('pgmid');
		const body = regBody(p, 900 + i);
		regs.push({ path: p, body, res: post('/api/servers/register',
		    { token: tok, json: body, timeout: 30000 }).catch((e) => e) });
	}
	cleanups.push(async () => {
		for (const g of regs)
			await del(`/api/servers/${nameOf(g.path)}`, { token: tok });
	});
	// Wait (up to 3 s) until the rows are visible: the INSERTs are done.
	let visible = 0;
	for (let i = 0; i < 30 && visible < regs.length; i++) {
		await sleep(100);
		const r = await psql('SELECT count(*) FROM servers WHERE path IN (' +
		    regs.map((g) => `'${g.path}'`).join(',') + ')');
		visible = Number(r.stdout) || 0;
	}
	await pgctl(PG_STOP, 'stop');
	await sleep(300);
	await pgctl(PG_START, 'start');
	const done = [];
	for (const g of regs) {
		const res = await g.res;
		ok(!(res instanceof Error), `register ${g.path}: no response ` +
		    `(${res && res.message})`);
		done.push(`${res.status} ${(res.json && res.json.error) || ''}`
		    .trim());
		g.status = res.status;
	}
	console.log(`# PostgreSQL stopped mid-registration (${env.kind}): ` +
	    `${visible} of 3 rows were in before the stop; the clients got ` +
	    done.join(', '));
	for (const g of regs) {
		// A worker's first query after the restart may still fail.
		let res = await getServer(g.path, tok);
		for (let i = 0; i < 20 && res.status === 503; i++) {
			await sleep(250);
			res = await getServer(g.path, tok);
		}
		if (g.status === 201)
			checkStored(json(res, 200), g.body, res);
		else if (res.status !== 404) {
			fail(`POST /api/servers/register ${g.path} got ${g.status} ` +
			    `(${done.join(', ')}), yet GET finds the server ` +
			    `(${res.status}): the failed registration was left ` +
			    'stored', res);
		}
	}
}

/* ---- a backend killed mid-stream ---- */

async function mcpPost(p, body, headers = {}) {
	return fetch(`${env.url}${p}/mcp`, { method: 'POST',
	    headers: { Authorization: `Bearer ${await adminToken()}`,
	    'Content-Type': 'application/json',
	    'Accept': 'application/json, text/event-stream', ...headers },
	    body: JSON.stringify(body), signal: AbortSignal.timeout(30000) });
}

test('a backend killed mid-stream: the client\'s stream ends, the ' +
    'responder keeps serving', async () => {
	const be = await everything('flt-stream');
	cleanups.push(() => be.stop());
	const p = (await register({ proxy_pass_url: be.url },
	    { what: 'fltstream' })).path;
	const marks = logMarks();
	const pids = responderPids();
	const init = await mcpPost(p, { jsonrpc: '2.0', id: 1,
	    method: 'initialize', params: { protocolVersion: '2025-06-18',
	    capabilities: {}, clientInfo: { name: 'faults', version: '1' } } });
	eq(init.status, 200, 'initialize through the gateway');
	const sid = init.headers.get('mcp-session-id');
	await init.text();
	ok(sid, 'no Mcp-Session-Id from server-everything');
	const sh = { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-06-18' };
	const n = await mcpPost(p, { jsonrpc: '2.0',
	    method: 'notifications/initialized' }, sh);
	await n.text();
	eq(n.status, 202, 'notifications/initialized');
	const call = await mcpPost(p, { jsonrpc: '2.0', id: 2,
	    method: 'tools/call', params: { name:
	    'trigger-long-running-operation', arguments: { duration: 60,
	    steps: 60 }, _meta: { progressToken: 'fault-1' } } }, sh);
	eq(call.status, 200, 'tools/call status');
	ok(/event-stream/.test(call.headers.get('content-type') || ''),
	    `tools/call content type ${call.headers.get('content-type')}`);
	const rd = call.body.getReader();
	const dec = new TextDecoder();
	let text = '';
	const t0 = Date.now();
	while (!text.includes('notifications/progress') &&
	    Date.now() - t0 < 10000) {
		const { value, done } = await rd.read();
		if (done)
			break;
		text += dec.decode(value, { stream: true });
	}
	ok(text.includes('notifications/progress'), `no progress event ` +
	    `streamed within 10 s: ${show(text)}`);
	// Kill the backend with the stream open.
	process.kill(be.pid, 'SIGKILL');
	const tk = Date.now();
	let how = null;
	const limit = setTimeout(() => call.body.cancel().catch(() => {}),
	    15000);
	try {
		for (;;) {
			const { value, done } = await rd.read();
			if (done) {
				how = 'end';
				break;
			}
			text += dec.decode(value, { stream: true });
		}
	} catch (e) {
		how = `error (${e.cause ? e.cause.code || e.cause.message :
		    e.message})`;
	} finally {
		clearTimeout(limit);
	}
	const took = Date.now() - tk;
	ok(took < 10000, `the client's stream was still open ${took} ms after ` +
	    'the backend was killed');
	ok(!text.includes('Long running operation completed'),
	    'the operation completed: the kill came too late');
	console.log(`# backend killed mid-stream (${env.kind}): the client's ` +
	    `stream ended by ${how} ${took} ms later`);
	// The responder keeps serving, and the dead backend is a clean 502.
	const t1 = Date.now();
	json(await get('/health'), 200);
	json(await get('/api/servers?limit=1', { token: await adminToken() }),
	    200);
	const dead = await post(`${p}/mcp`, { token: await adminToken(),
	    json: { jsonrpc: '2.0', id: 3, method: 'ping' } });
	error(dead, 502, 'backend_unreachable');
	ok(Date.now() - t1 < 3000, `the next requests took ${Date.now() - t1} ms`);
	noCrash(marks, pids, 'backend killed mid-stream');
});

/* ---- a backend that accepts and never answers ---- */

/*
 * A TCP listener that accepts and never answers. With spareProbes, a
 * connection whose request names the prober's User-Agent is closed at
 * once, so a registration's immediate probe ends quickly and only the
 * proxied request meets the silence.
 */
async function silentBackend({ spareProbes }) {
	const socks = new Set();
	const st = { accepted: 0, held: 0 };
	const srv = net.createServer((s) => {
		st.accepted++;
		socks.add(s);
		let head = '';
		s.on('error', () => {});
		s.on('close', () => socks.delete(s));
		s.on('data', (d) => {
			if (head.includes('\r\n\r\n'))
				return;
			head += d.toString('latin1');
			if (!head.includes('\r\n\r\n'))
				return;
			if (spareProbes && /^user-agent: mcpgw-prober/im.test(head))
				s.destroy();
			else
				st.held++;
		});
	});
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	cleanups.push(() => {
		for (const s of socks)
			s.destroy();
		return new Promise((r) => srv.close(r));
	});
	st.url = `http://127.0.0.1:${srv.address().port}`;
	return st;
}

test('a backend that accepts and never answers: 504 backend_timeout ' +
    'within proxy_timeout, the responder keeps serving', async () => {
	if (PROXY_TIMEOUT > 20) {
		skip(`proxy_timeout is ${PROXY_TIMEOUT} s (tests/run sets 5; ` +
		    'over 20 s this test would take too long)');
	}
	const be = await silentBackend({ spareProbes: true });
	const p = (await register({ proxy_pass_url: be.url },
	    { what: 'flthang' })).path;
	// Let the immediate probe meet its closed connection first.
	await sleep(500);
	const marks = logMarks();
	const pids = responderPids();
	const before = be.held;
	const t0 = Date.now();
	const hung = post(`${p}/mcp`, { token: await adminToken(),
	    json: { jsonrpc: '2.0', id: 1, method: 'ping' },
	    timeout: (PROXY_TIMEOUT + 15) * 1000 });
	await sleep(500);
	const t1 = Date.now();
	json(await get('/api/servers?limit=1', { token: await adminToken() }),
	    200);
	const other = Date.now() - t1;
	ok(other < 2000, `GET /api/servers took ${other} ms while a request ` +
	    'waited on the silent backend');
	const res = await hung;
	const took = Date.now() - t0;
	error(res, 504, 'backend_timeout');
	ok(be.held > before, 'the silent backend got no proxied request');
	ok(took >= PROXY_TIMEOUT * 1000 - 500 &&
	    took <= PROXY_TIMEOUT * 1000 + 3000, `504 after ${took} ms, ` +
	    `proxy_timeout is ${PROXY_TIMEOUT} s`, res);
	console.log(`# silent backend (${env.kind}): 504 after ${took} ms ` +
	    `(proxy_timeout ${PROXY_TIMEOUT} s)`);
	json(await get('/health'), 200);
	noCrash(marks, pids, 'silent backend');
});

test('registering a backend that never answers holds up no other request ' +
    '(its immediate probe waits, not the next client)', async () => {
	const be = await silentBackend({ spareProbes: false });
	const marks = logMarks();
	const tok = await adminToken();
	await register({ proxy_pass_url: be.url }, { what: 'fltprobe' });
	const slow = [];
	const t0 = Date.now();
	for (let i = 0; i < 10; i++) {
		const t = Date.now();
		const res = await get('/api/servers?limit=1', { token: tok,
		    timeout: 30000 });
		status(res, 200);
		const ms = Date.now() - t;
		if (ms >= 2000)
			slow.push(`request ${i + 1}: ${ms} ms`);
		await sleep(50);
	}
	for (let i = 0; i < 50 && !be.held; i++)
		await sleep(100);
	ok(be.held > 0, 'the immediate probe never reached the silent backend');
	ok(!slow.length, `while the immediate probe waited on the silent ` +
	    `backend, ${slow.length} of 10 requests took 2 s or more ` +
	    `(${slow.join(', ')}; all 10 took ${Date.now() - t0} ms)`);
	noCrash(marks, null, 'probe of a silent backend');
});
