// Security tests (issue 6): every route with missing credentials, too little scope, oversize, truncated, malformed and hostile input.
//
// Each group of hostile requests runs between two snapshots of everything
// the API shows of the stored servers (every server with its tools, all
// pages, plus the tool lists of this file's fixtures): a refused request
// must change nothing. Only the health fields, which probes write, are
// left out of the comparison. Raw requests go over a plain socket so that
// bytes fetch would refuse to send (CR, LF, NUL in header names, lying
// Content-Lengths) reach the web server; under lighttpd a truncated body
// is also sent straight to the responder over FastCGI.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { env, RUN, confInt, uniqPath, nameOf, sleep } from './lib/env.mjs';
import { request, get, post, multipart, curl } from './lib/http.mjs';
import {
	adminToken, adminSession, readToken, issueToken,
} from './lib/auth.mjs';
import { CRED } from './lib/secrets.mjs';
import { register, getServer, DEAD_URL } from './lib/servers.mjs';
import {
	ok, eq, fail, skip, show, error, json, status, deepEq, within,
} from './lib/check.mjs';
import {
	rawRequest, hostHeader, snapshot, snapshotDiff, logMarks, noCrash,
	responderPids,
} from './lib/faults.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const MAX = confInt('max_body_bytes', 1048576);
const F = {};			// fixture server paths
let echo = null;		// backend recording what reaches it
let marks = null, pids = null;
let invokeToken = null;		// mcp:invoke only: no API scope at all

const TOOLS = [{ name: 'sec-tool', description: 'manual',
    inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }];

function startEcho() {
	const seen = [];
	const server = http.createServer((req, res) => {
		seen.push(req.url);
		req.resume();
		req.on('end', () => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ url: req.url }));
		});
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
	    resolve({ server, seen, port: server.address().port })));
}

export async function before() {
	echo = await startEcho();
	F.plain = (await register({ tool_list_json: TOOLS,
	    description: 'security fixture', tags: ['sec'] },
	    { what: 'secplain' })).path;
	F.bearer = (await register({ auth_scheme: 'bearer',
	    auth_credential: CRED.secNoAuth, tool_list_json: TOOLS },
	    { what: 'secbearer' })).path;
	F.echo = (await register({ proxy_pass_url:
	    `http://127.0.0.1:${echo.port}/base` }, { what: 'sececho' })).path;
	invokeToken = await issueToken(env.adminUser, { scope: 'mcp:invoke' });
	await readToken();
	await adminSession();
	// Let the fixtures' immediate probes land before the first snapshot.
	await sleep(1500);
	marks = logMarks();
	pids = responderPids();
}

export async function after() {
	if (echo) {
		echo.server.closeAllConnections();
		echo.server.close();
	}
}

/*
 * Runs fn between two snapshots; fails when stored data changed. allowed
 * lists snapshot keys fn may change (e.g. "server /its-own-path").
 */
async function unchanged(fn, allowed = []) {
	const extra = Object.values(F);
	const a = await snapshot(extra);
	await fn();
	const b = await snapshot(extra);
	const diff = snapshotDiff(a, b).filter((d) =>
	    !allowed.some((k) => d.startsWith(k)));
	if (diff.length) {
		fail(`stored data changed by refused requests (${diff.length}):\n` +
		    diff.slice(0, 5).join('\n'));
	}
}

// A valid registration body for a fresh path (must never be stored here).
function validReg(what = 'secnew') {
	const p = uniqPath(what);
	return { p, body: { name: `Security ${p}`, path: p,
	    proxy_pass_url: DEAD_URL, auth_scheme: 'bearer',
	    auth_credential: CRED.secNoAuth } };
}

/*
 * A refusal: the status is one of want; a JSON reply (the app's) must be
 * the error envelope with code, a bare one is the web server's own.
 */
function refused(res, want, code = null) {
	if (res.json && typeof res.json === 'object')
		return error(res, want, code);
	return status(res, ...(Array.isArray(want) ? want : [want]));
}

async function absent(p) {
	const res = await getServer(p);
	eq(res.status, 404, `${p} exists after a refused request`, res);
}

const n = (p) => nameOf(p);

// The start of every path uniqPath(what) makes in this process.
function uniqPrefix(what) {
	return uniqPath(what).replace(/\d+$/, '');
}

/*
 * Every /api route with a body that would succeed, as [method, target,
 * opts]: write routes act on the fixtures or register a fresh path.
 */
function apiRoutes(fresh) {
	return [
		['GET', '/api/auth/me', {}],
		['GET', '/api/servers', {}],
		['GET', '/api/servers/health', {}],
		['GET', `/api/servers/${n(F.plain)}`, {}],
		['GET', `/api/servers/${n(F.plain)}/tools`, {}],
		['POST', '/api/servers/register', { json: fresh.body }],
		['POST', '/api/servers/remove', { json: { path: F.plain } }],
		['POST', '/api/servers/toggle', { json: { path: F.plain,
		    new_state: false } }],
		['PATCH', `/api/servers/${n(F.plain)}`, { json:
		    { description: 'changed by an unauthorized request' } }],
		['DELETE', `/api/servers/${n(F.plain)}`, {}],
		['PATCH', `/api/servers/${n(F.bearer)}/auth-credential`,
		    { json: { auth_scheme: 'none' } }],
		['POST', `/api/servers/${n(F.plain)}/refresh`, {}],
		['POST', '/api/tokens/generate', { json: {} }],
	];
}

const WRITE = new Set(['POST', 'PATCH', 'DELETE']);

/* ---- authentication and scope ---- */

test('every /api route without credentials, or with a bad token or ' +
    'cookie: 401 with WWW-Authenticate, nothing changed', async () => {
	const fresh = validReg();
	await unchanged(async () => {
		for (const [how, extra] of [['no credentials', {}],
		    ['a junk bearer token', { headers: { Authorization:
		    'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA' } }],
		    ['a made-up session cookie', { cookie:
		    crypto.randomBytes(32).toString('base64url') }]]) {
			for (const [m, t, o] of apiRoutes(fresh)) {
				await within(`${m} ${t} with ${how}`, async () => {
					const res = await request(m, t,
					    { ...o, ...extra });
					error(res, 401,
					    /^(invalid_token|session_required)$/);
					ok(/^Bearer realm="mcpgw"/.test(
					    res.header('www-authenticate') || ''),
					    `WWW-Authenticate ${show(res.header(
					    'www-authenticate'))}`, res);
				});
			}
		}
		const res = await post(`${F.plain}/mcp`, { json: { jsonrpc: '2.0',
		    id: 1, method: 'ping' } });
		error(res, 401, 'invalid_token');
	});
	await absent(fresh.p);
});

test('a servers:read token on every write route: 403 insufficient_scope; ' +
    'tokens/generate wants a session: 401; nothing changed', async () => {
	const fresh = validReg();
	const tok = await readToken();
	await unchanged(async () => {
		for (const [m, t, o] of apiRoutes(fresh)) {
			await within(`${m} ${t} with a servers:read token`,
			    async () => {
				const res = await request(m, t, { ...o, token: tok });
				if (t === '/api/tokens/generate')
					error(res, 401, 'session_required');
				else if (WRITE.has(m))
					error(res, 403, 'insufficient_scope');
				else
					status(res, 200);
			});
		}
		// An mcp:invoke token has no API scope at all.
		for (const [m, t, o] of apiRoutes(fresh)) {
			if (t === '/api/tokens/generate' || t === '/api/auth/me')
				continue;
			await within(`${m} ${t} with an mcp:invoke token`, async () =>
			    error(await request(m, t, { ...o, token: invokeToken }),
			    403, 'insufficient_scope'));
		}
	});
	await absent(fresh.p);
});

/* ---- oversize ---- */

// A raw request with a body, as bytes.
function rawWithBody(method, target, body, { contentType =
    'application/json', token, contentLength, extra = '' } = {}) {
	const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
	const head = `${method} ${target} HTTP/1.1\r\n${hostHeader()}\r\n` +
	    (token ? `Authorization: Bearer ${token}\r\n` : '') +
	    `Content-Type: ${contentType}\r\n` +
	    `Content-Length: ${contentLength ?? b.length}\r\n${extra}` +
	    'Connection: close\r\n\r\n';
	return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

test('a body over max_body_bytes on every route (and a proxy path): 413 ' +
    'body_too_large, quickly, nothing changed', async () => {
	const fresh = validReg();
	const tok = await adminToken();
	const pad = 'x'.repeat(2 * 1024 * 1024);
	const body = JSON.stringify({ ...fresh.body, description: pad });
	ok(Buffer.byteLength(body) > MAX, 'the body is not over the limit');
	await unchanged(async () => {
		const routes = [...apiRoutes(fresh).map(([m, t]) => [m, t]),
		    ['POST', '/api/auth/login'], ['POST', `${F.echo}/mcp`]];
		for (const [m, t] of routes) {
			const r = await rawRequest(rawWithBody(m, t, body,
			    { token: tok }), { timeout: 30000 });
			// lighttpd itself refuses a GET with a body (400).
			const web = m === 'GET' && r.status === 400 && !r.json;
			ok(web || (r.status === 413 && r.json &&
			    r.json.error === 'body_too_large'), `${m} ${t} with ` +
			    `a 2 MiB body: ${r.status} ${show(r.json || r.head)}`);
			ok(r.ms < 5000, `${m} ${t}: 413 took ${r.ms} ms`);
		}
	});
	await absent(fresh.p);
});

test('oversize headers, URLs, tokens and cookies: 4xx, nothing changed',
    async () => {
	const tok = await adminToken();
	const H = hostHeader();
	await unchanged(async () => {
		// Past the web server's own limits: its 4xx.
		for (const [what, bytes] of [
		    ['a 40 KB header', `GET /api/servers HTTP/1.1\r\n${H}\r\n` +
		    `Authorization: Bearer ${tok}\r\nX-Big: ${'a'.repeat(40000)}` +
		    '\r\nConnection: close\r\n\r\n'],
		    ['a 100 KB URL', `GET /api/servers/${'a'.repeat(100000)} ` +
		    `HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${tok}\r\n` +
		    'Connection: close\r\n\r\n'],
		    ['2000 headers', `DELETE /api/servers/${n(F.plain)} ` +
		    `HTTP/1.1\r\n${H}\r\n` + Array.from({ length: 2000 },
		    (_, i) => `X-H${i}: v`).join('\r\n') +
		    '\r\nConnection: close\r\n\r\n'],
		]) {
			const r = await rawRequest(Buffer.from(bytes, 'latin1'));
			ok(r.status >= 400 && r.status < 500, `${what}: ` +
			    `${r.status} ${r.head.split('\r\n')[0]}`);
		}
		// Within the web server's limits: the app's 401.
		for (const [what, o] of [
		    ['a 20 KB bearer token', { headers: { Authorization:
		    `Bearer ${'A'.repeat(20000)}.${'B'.repeat(100)}.C` } }],
		    ['a token of 9000 bytes in three segments', { headers: {
		    Authorization: `Bearer ${tok.slice(0, -10)}${'x'.repeat(9000)}`
		    } }],
		    ['Basic credentials', { headers: { Authorization:
		    'Basic YWRtaW46YWRtaW4=' } }],
		    ['"Bearer" without a token', { headers: {
		    Authorization: 'Bearer' } }],
		    ['a 20 KB session cookie', { cookie: 'c'.repeat(20000) }],
		    ['a cookie header of junk', { headers: { Cookie:
		    'session=;session=%00;;=;a' } }],
		]) {
			await within(what, async () => {
				const res = await request('DELETE',
				    `/api/servers/${n(F.plain)}`, o);
				error(res, 401, 'invalid_token');
			});
		}
		// A 3 KB search and limit junk: refused or an honest page.
		const q = await get(`/api/servers?query=${'%27'.repeat(1000)}`,
		    { token: tok });
		ok([200, 400, 414].includes(q.status), `3 KB query: ` +
		    `${q.status}`, q);
		// A NUL must not cut a value short, nor make it vanish.
		for (const qs of ['limit=1e9', 'limit=0x10', 'limit=-0',
		    'limit=99999999999999999999', 'limit=%00', 'limit=1%00abc',
		    'limit=1%0d%0a', 'offset=%00', 'offset=1%00x',
		    'query=a%00b', 'include_tools=true%00x']) {
			await within(`GET /api/servers?${qs}`, async () =>
			    refused(await get(`/api/servers?${qs}`, { token: tok }),
			    400));
		}
	});
});

/* ---- truncated bodies ---- */

test('truncated bodies (Content-Length larger than what is sent) through ' +
    'the web server: refused or dropped, never stored', async () => {
	const tok = await adminToken();
	await unchanged(async () => {
		const cases = [];
		for (const mode of ['half-close', 'hold then drop']) {
			const j = validReg('sectrunc');
			cases.push([`JSON, ${mode}`, j.p, rawWithBody('POST',
			    '/api/servers/register', JSON.stringify(j.body),
			    { token: tok, contentLength: JSON.stringify(j.body)
			    .length + 300 }), mode]);
			const m = validReg('sectruncmp');
			const mp = multipart(m.body);
			cases.push([`multipart, ${mode}`, m.p, rawWithBody('POST',
			    '/api/servers/register', mp.body, { token: tok,
			    contentType: mp.contentType,
			    contentLength: mp.body.length + 300 }), mode]);
		}
		for (const [what, p, bytes, mode] of cases) {
			const r = await rawRequest(bytes, mode === 'half-close' ?
			    { halfClose: true, timeout: 15000 } :
			    { holdMs: 2000, timeout: 15000 });
			/*
			 * Apache's mod_fcgid answers 500 itself when the client
			 * stops sending mid-body ("can't get data from http
			 * client"); the responder never sees that request.
			 */
			const fcgid = env.kind === 'apache' && r.status === 500 &&
			    !r.json;
			ok(r.status === 0 || (r.status >= 400 && r.status < 500) ||
			    fcgid, `${what}: ${r.status} ${r.head.split('\r\n')[0]}`);
			ok(!r.timedOut, `${what}: neither answered nor closed ` +
			    'within 15 s');
			await absent(p);
		}
	});
	json(await get('/health'), 200);
});

/* A FastCGI record. */
function fcgiRecord(type, id, content) {
	const pad = (8 - (content.length % 8)) % 8;
	const h = Buffer.alloc(8);
	h[0] = 1;
	h[1] = type;
	h.writeUInt16BE(id, 2);
	h.writeUInt16BE(content.length, 4);
	h[6] = pad;
	return Buffer.concat([h, content, Buffer.alloc(pad)]);
}

function fcgiParams(params) {
	const parts = [];
	const len = (n) => {
		if (n < 128)
			return Buffer.from([n]);
		const b = Buffer.alloc(4);
		b.writeUInt32BE((n | 0x80000000) >>> 0);
		return b;
	};
	for (const [k, v] of Object.entries(params)) {
		const kb = Buffer.from(k), vb = Buffer.from(v);
		parts.push(len(kb.length), len(vb.length), kb, vb);
	}
	return Buffer.concat(parts);
}

/*
 * One request straight to the responder's FastCGI socket; resolves with
 * its stdout (CGI headers and body).
 */
function fcgiRequest(sock, params, stdin) {
	return new Promise((resolve, reject) => {
		const c = net.connect(sock);
		const chunks = [];
		let out = Buffer.alloc(0);
		const timer = setTimeout(() => {
			c.destroy();
			reject(new Error('no FastCGI reply within 15 s'));
		}, 15000);
		c.on('connect', () => {
			const begin = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]);
			const p = fcgiParams(params);
			const recs = [fcgiRecord(1, 1, begin)];
			for (let i = 0; i < p.length; i += 65535)
				recs.push(fcgiRecord(4, 1, p.subarray(i, i + 65535)));
			recs.push(fcgiRecord(4, 1, Buffer.alloc(0)));
			if (stdin.length)
				recs.push(fcgiRecord(5, 1, stdin));
			recs.push(fcgiRecord(5, 1, Buffer.alloc(0)));
			c.write(Buffer.concat(recs));
		});
		c.on('data', (d) => {
			chunks.push(d);
			let buf = Buffer.concat(chunks);
			while (buf.length >= 8) {
				const clen = buf.readUInt16BE(4), pad = buf[6];
				if (buf.length < 8 + clen + pad)
					break;
				if (buf[1] === 6) {
					out = Buffer.concat([out,
					    buf.subarray(8, 8 + clen)]);
				}
				if (buf[1] === 3) {
					clearTimeout(timer);
					c.destroy();
					return resolve(out.toString());
				}
				buf = buf.subarray(8 + clen + pad);
			}
			chunks.length = 0;
			chunks.push(buf);
		});
		c.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
	});
}

// The responder's FastCGI socket under the suite's lighttpd, or null.
function fcgiSocket() {
	if (!env.config)
		return null;
	const run = path.join(path.dirname(env.config), 'run');
	let names = [];
	try {
		names = fs.readdirSync(run);
	} catch {
		return null;
	}
	const s = names.find((x) => /^mcpgw\.sock/.test(x));
	return s ? path.join(run, s) : null;
}

test('a truncated body straight to the responder over FastCGI: 400 ' +
    'incomplete_body, never stored', async () => {
	if (env.kind !== 'lighttpd')
		skip('the FastCGI socket is lighttpd\'s (mod_fcgid manages its own)');
	const sock = fcgiSocket();
	if (!sock)
		skip('no FastCGI socket next to MCPGW_CONFIG');
	const tok = await adminToken();
	await unchanged(async () => {
		for (const [what, cl] of [['300 bytes short', 300],
		    ['claims 1 MiB', MAX - 2000]]) {
			const j = validReg('secfcgi');
			const body = Buffer.from(JSON.stringify(j.body));
			const out = await fcgiRequest(sock, {
				REQUEST_METHOD: 'POST',
				REQUEST_URI: '/api/servers/register',
				SCRIPT_NAME: '', QUERY_STRING: '',
				CONTENT_TYPE: 'application/json',
				CONTENT_LENGTH: String(body.length + cl),
				HTTP_AUTHORIZATION: `Bearer ${tok}`,
				HTTP_HOST: new URL(env.url).host,
				REMOTE_ADDR: '127.0.0.1', SERVER_PROTOCOL: 'HTTP/1.1',
			}, body);
			const st = (out.match(/^Status: (\d{3})/m) || [])[1];
			ok(st === '400' && out.includes('"incomplete_body"'),
			    `${what}: ${show(out.slice(0, 300))}`);
			await absent(j.p);
		}
	});
});

/* ---- malformed bodies ---- */

// Routes taking a body, as [method, target, kinds, opts] (admin auth).
async function bodyRoutes() {
	return [
		['POST', '/api/servers/register', 'any'],
		['POST', '/api/servers/remove', 'any'],
		['POST', '/api/servers/toggle', 'any'],
		['PATCH', `/api/servers/${n(F.plain)}`, 'json'],
		['PATCH', `/api/servers/${n(F.bearer)}/auth-credential`, 'json'],
		['POST', '/api/auth/login', 'any'],
		['POST', '/api/tokens/generate', 'json',
		    { cookie: await adminSession() }],
	];
}

const BAD_JSON = [
	['truncated', '{"path": "/x", "name": '],
	['trailing garbage', '{"path": "/x"} {"a": 1}'],
	['NaN', '{"a": NaN}'],
	['a bad escape', '{"a": "\\x41"}'],
	['a raw control byte', '{"a": "x\u0001y"}'],
	['an escaped NUL', '{"name": "a\\u0000b", "path": "/x"}'],
	['100,000 [', '['.repeat(100000)],
	['100,000 nested arrays', '['.repeat(100000) + ']'.repeat(100000)],
	['100,000 nested objects', '{"a":'.repeat(100000) + '1' +
	    '}'.repeat(100000)],
	['an array', '[]'],
	['a number', '1'],
	['a lone surrogate', '{"name": "\\udc00"}'],
];

const RAW_JSON = [
	['a raw NUL', Buffer.from('{"name": "a\u0000b", "path": "/x"}')],
	['overlong UTF-8', Buffer.concat([Buffer.from('{"name": "'),
	    Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
	['a UTF-16 body', Buffer.from('{"name": "x"}', 'utf16le')],
];

test('malformed and deeply nested JSON on every JSON route: 400, quickly, ' +
    'nothing changed', async () => {
	const tok = await adminToken();
	await unchanged(async () => {
		for (const [m, t, , o] of await bodyRoutes()) {
			for (const [what, body] of [...BAD_JSON, ...RAW_JSON]) {
				await within(`${m} ${t} with ${what}`, async () => {
					const res = await request(m, t, { token: tok,
					    ...(o || {}), body,
					    contentType: 'application/json' });
					error(res, 400, 'invalid_json');
					ok(res.ms < 3000, `took ${res.ms} ms`, res);
				});
			}
		}
	});
	json(await get('/health'), 200);
});

test('raw (unescaped) control bytes inside JSON strings, NUL included: ' +
    '400 invalid_json, never stored cut short', async () => {
	const tok = await adminToken();
	for (const [what, byte] of [['NUL', '\u0000'], ['0x01', '\u0001'],
	    ['LF', '\n'], ['0x1f', '\u001f']]) {
		const v = validReg('secrawctl');
		const text = JSON.stringify({ ...v.body, name: 'NAMEHERE' })
		    .replace('NAMEHERE', `before${byte}after`);
		const res = await request('POST', '/api/servers/register',
		    { token: tok, body: Buffer.from(text),
		    contentType: 'application/json' });
		if (res.status === 201) {
			await request('DELETE', `/api/servers/${n(v.p)}`,
			    { token: tok });
			fail(`a raw ${what} inside a JSON string: registered as ` +
			    `${show(res.json.name)}`, res);
		}
		await within(`a raw ${what} inside a JSON string`, async () =>
		    error(res, 400, 'invalid_json'));
		await absent(v.p);
	}
});

// A multipart body of count parts, built by hand.
function manyParts(count, b = 'secmanyparts') {
	const parts = [];
	for (let i = 0; i < count; i++) {
		parts.push(`--${b}\r\nContent-Disposition: form-data; ` +
		    `name="f${i}"\r\n\r\nv\r\n`);
	}
	return { body: parts.join('') + `--${b}--\r\n`,
	    contentType: `multipart/form-data; boundary=${b}` };
}

test('huge part and field counts, huge part headers and odd boundaries ' +
    'on every form route: 413 or 400, quickly, nothing changed',
    async () => {
	const tok = await adminToken();
	const valid = validReg('secmp');
	const b = 'secb';
	const longHeader = `--${b}\r\nContent-Disposition: form-data; ` +
	    `name="name"; x="${'h'.repeat(100000)}"\r\n\r\nv\r\n--${b}--\r\n`;
	const cases = [
		['10,000 multipart parts', manyParts(10000), [400, 413]],
		['100,000 multipart parts', manyParts(100000), [400, 413]],
		['10,000 urlencoded fields', { body: Array.from({ length: 10000 },
		    (_, i) => `f${i}=v`).join('&'),
		    contentType: 'application/x-www-form-urlencoded' }, [400, 413]],
		['100,000 empty urlencoded fields', { body: '&'.repeat(100000),
		    contentType: 'application/x-www-form-urlencoded' }, [400, 413]],
		['a 100 KB part header', { body: longHeader,
		    contentType: `multipart/form-data; boundary=${b}` }, [400, 413]],
		['a 300-byte boundary', multipart(valid.body, 'B'.repeat(300)),
		    [400]],
		['an empty boundary', { body: '--\r\n\r\n----\r\n',
		    contentType: 'multipart/form-data; boundary=' }, [400]],
		['a part with no headers', { body: `--${b}\r\n\r\nv\r\n--${b}--\r\n`,
		    contentType: `multipart/form-data; boundary=${b}` }, [400]],
		['nested multipart/mixed', { body: `--${b}\r\nContent-Disposition: ` +
		    'form-data; name="name"\r\nContent-Type: multipart/mixed; ' +
		    `boundary=inner\r\n\r\n--inner\r\n\r\nx\r\n--inner--\r\n` +
		    `\r\n--${b}--\r\n`, contentType:
		    `multipart/form-data; boundary=${b}` }, [400]],
		['a NUL in a part name', { body: `--${b}\r\nContent-Disposition: ` +
		    `form-data; name="na\u0000me"\r\n\r\nv\r\n--${b}--\r\n`,
		    contentType: `multipart/form-data; boundary=${b}` }, [400]],
		['a bad percent escape', { body: 'path=%G0&name=%',
		    contentType: 'application/x-www-form-urlencoded' }, [400]],
	];
	await unchanged(async () => {
		for (const [m, t, kind, o] of await bodyRoutes()) {
			if (kind !== 'any')
				continue;
			for (const [what, c, want] of cases) {
				await within(`${m} ${t} with ${what}`, async () => {
					const res = await request(m, t, {
					    token: tok, ...(o || {}), body: c.body,
					    contentType: c.contentType,
					    timeout: 30000 });
					error(res, want, null);
					ok(res.ms < 3000, `took ${res.ms} ms`, res);
				});
			}
		}
	});
	await absent(valid.p);
	json(await get('/health'), 200);
});

/* ---- hostile field values ---- */

const CRLF_CRED = `${CRED.secCrlf}\r\nX-Injected: 1`;
const NUL_CRED = `${CRED.secNul}\u0000X-Injected: 1`;
const CRLF_HEADER = 'X-A\r\nInjected: 1';

// Registration bodies that must be refused, in every encoding.
function hostileRegs() {
	const mk = (what, fields) => {
		const v = validReg('sechost');
		return [what, v.p, { ...v.body, ...fields }];
	};
	return [
		mk('CRLF in the credential', { auth_credential: CRLF_CRED }),
		mk('a bare LF in the credential', { auth_credential:
		    `${CRED.secCrlf}\nX-Injected: 1` }),
		mk('a bare CR in the credential', { auth_credential:
		    `${CRED.secCrlf}\rX-Injected: 1` }),
		mk('CRLF in auth_header_name', { auth_scheme: 'api_key',
		    auth_header_name: CRLF_HEADER }),
		mk('a colon in auth_header_name', { auth_scheme: 'api_key',
		    auth_header_name: 'X-A: Injected' }),
		mk('a NUL in the credential', { auth_credential: NUL_CRED }),
		mk('a NUL in auth_header_name', { auth_scheme: 'api_key',
		    auth_header_name: 'X-A\u0000B' }),
		mk('a NUL in the name', { name: 'sec\u0000name' }),
		mk('a NUL in a tag', { tags: ['ok', 'a\u0000b'] }),
		mk('CRLF in proxy_pass_url', { proxy_pass_url:
		    `${DEAD_URL}/a\r\nX-Injected: 1` }),
		mk('a space in proxy_pass_url', { proxy_pass_url:
		    'http://127.0.0.1:9/a b' }),
	];
}

test('CR, LF and NUL in credentials, header names and fields (JSON, ' +
    'urlencoded, multipart): 400, nothing stored', async () => {
	const tok = await adminToken();
	await unchanged(async () => {
		for (const [what, p, body] of hostileRegs()) {
			const form = Object.entries(body).map(([k, v]) =>
			    [k, Array.isArray(v) ? v.join(',') : String(v)]);
			for (const enc of ['json', 'form', 'multipart']) {
				const label = `register with ${what} (${enc})`;
				await within(label, async () => error(await post(
				    '/api/servers/register', { token: tok,
				    [enc]: enc === 'json' ? body : form }), 400, null));
			}
			await absent(p);
		}
		for (const [what, body] of [
		    ['CRLF in the credential', { auth_scheme: 'bearer',
		    auth_credential: CRLF_CRED }],
		    ['CRLF in auth_header_name', { auth_scheme: 'api_key',
		    auth_credential: CRED.secCrlf, auth_header_name: CRLF_HEADER }],
		    ['a NUL in the credential', { auth_scheme: 'bearer',
		    auth_credential: NUL_CRED }],
		]) {
			await within(`PATCH auth-credential with ${what}`, async () =>
			    error(await request('PATCH', `/api/servers/${
			    n(F.bearer)}/auth-credential`, { token: tok, json: body }),
			    400, null));
		}
		for (const [what, body] of [
		    ['CRLF in the name', { name: 'a\r\nX-Injected: 1' }],
		    ['a NUL in the description', { description: 'a\u0000b' }],
		    ['CRLF in proxy_pass_url', { proxy_pass_url:
		    `${DEAD_URL}/\r\nX-Injected: 1` }],
		]) {
			await within(`PATCH with ${what}`, async () =>
			    error(await request('PATCH', `/api/servers/${
			    n(F.plain)}`, { token: tok, json: body }), 400, null));
		}
		for (const [what, body] of [
		    ['CRLF in the username', { username: 'admin\r\nX: 1',
		    password: 'x' }],
		    ['a NUL in the username', { username: 'admin\u0000',
		    password: 'x' }],
		]) {
			await within(`login with ${what}`, async () => {
				const res = await post('/api/auth/login',
				    { json: body });
				error(res, [400, 401], null);
				eq(res.cookie('session'), undefined,
				    'a session was set', res);
			});
		}
		await within('tokens/generate with CRLF in the description',
		    async () => error(await post('/api/tokens/generate',
		    { cookie: await adminSession(), json: { description:
		    'a\r\nb\u0000c' } }), 400, null));
	});
});

// Strings that would break naively built SQL.
const SQL = [
	'\'; DROP TABLE servers; --',
	'Robert\'); DELETE FROM servers WHERE (\'1\'=\'1',
	'" OR ""="',
	'\\\'; TRUNCATE users; --',
	'$1 $$ $tag$ E\'\\x27\' %s %_ \\N',
	'x\'::text); SELECT pg_sleep(5); --',
];

test('SQL metacharacters in every text field are stored verbatim, read ' +
    'back identical and searched literally (JSON, urlencoded, multipart, ' +
    'PATCH)', async () => {
	const tok = await adminToken();
	const made = [];
	const t0 = Date.now();
	await unchanged(async () => {
		for (const [i, enc] of ['json', 'form', 'multipart'].entries()) {
			const p = uniqPath('secsql');
			const word = `sqlw${RUN.tag}${i}`;
			const fields = { name: `${SQL[0]} ${word}`, path: p,
			    description: SQL.join(' | '), proxy_pass_url:
			    `${DEAD_URL}/?q=${encodeURIComponent(SQL[0])}`,
			    tags: [SQL[0], SQL[1], word], license: SQL[3],
			    auth_scheme: 'bearer', auth_credential: CRED.secSql,
			    auth_header_name: 'X-Sql-Key' };
			const body = enc === 'json' ? fields :
			    Object.entries(fields).map(([k, v]) => [k,
			    Array.isArray(v) ? JSON.stringify(v) : v]);
			const res = await post('/api/servers/register',
			    { token: tok, [enc]: body });
			status(res, 201);
			made.push(p);
			const s = json(await getServer(p), 200);
			for (const k of ['name', 'description', 'proxy_pass_url',
			    'license'])
				eq(s[k], fields[k], `${enc}: ${k} read back`, null);
			deepEq(s.tags, fields.tags, `${enc}: tags read back`, null);
			const q = json(await get(`/api/servers?query=${
			    encodeURIComponent(`${SQL[0]} ${word}`)}`,
			    { token: tok }), 200);
			deepEq(q.servers.map((x) => x.path), [p],
			    `${enc}: a literal search for the name`, null);
			// PATCH with the other strings, read back again.
			const patch = { name: SQL[5], description: SQL[4],
			    tags: [SQL[2], SQL[5]], license: SQL[1] };
			json(await request('PATCH', `/api/servers/${n(p)}`,
			    { token: tok, json: patch }), 200);
			const s2 = json(await getServer(p), 200);
			for (const [k, v] of Object.entries(patch)) {
				deepEq(s2[k], v, `${enc}: PATCHed ${k} read back`,
				    null);
			}
		}
		// Searches that would match everything if spliced into SQL.
		for (const q of ['\' OR \'1\'=\'1', '%', '_', '\\', SQL[1]]) {
			const r = json(await get(`/api/servers?limit=500&query=${
			    encodeURIComponent(q)}`, { token: tok }), 200);
			ok(!r.servers.some((x) => x.path === F.plain),
			    `query ${show(q)} matched the fixture ${F.plain}`, null);
		}
		json(await get('/health'), 200);
	}, ['total_count', `server ${uniqPrefix('secsql')}`]);
	ok(Date.now() - t0 < 30000, `took ${Date.now() - t0} ms: did ` +
	    'pg_sleep run?');
});

test('path traversal in server paths: 400 invalid_path at registration, ' +
    '404 on the API routes, nothing changed', async () => {
	const tok = await adminToken();
	const traversal = ['../etc', '/../x', '/a/../b', '..', '.', '/.',
	    '/%2e%2e', '%2e%2e/api', '/a%2fb', '/a/b', '/a\\b', '/api/../x',
	    '/..%2f..%2fapi', '/\u2025', '/\uff41', '/a\u0000', '/ a',
	    '//double', '/.well-known', '/-lead'];
	await unchanged(async () => {
		for (const p of traversal) {
			await within(`register path ${show(p)}`, async () => {
				const res = await post('/api/servers/register', {
				    token: tok, json: { name: 'traversal', path: p,
				    proxy_pass_url: DEAD_URL } });
				error(res, 400, /^(invalid_path|invalid_json)$/);
			});
		}
		// Through the API routes, as sent (no client normalization).
		const targets = [
			`/api/servers/${n(F.plain)}/..`,
			`/api/servers/${n(F.plain)}/../${n(F.bearer)}`,
			`/api/servers/..%2f${n(F.plain)}`,
			`/api/servers/%2e%2e/${n(F.plain)}`,
			`/api/servers/${n(F.plain)}%2f..%2f${n(F.bearer)}`,
			`/api/servers/${n(F.plain)}%00`,
			`/api/servers/./${n(F.plain)}/x`,
		];
		for (const t of targets) {
			for (const m of ['GET', 'DELETE', 'PATCH']) {
				const args = ['--path-as-is', '-X', m, '-H',
				    `Authorization: Bearer ${tok}`];
				if (m === 'PATCH') {
					args.push('-H',
					    'Content-Type: application/json',
					    '--data-binary',
					    '{"description":"traversed"}');
				}
				const res = await curl([...args, `${env.url}${t}`],
				    { label: `${m} ${t}` });
				// A web server may refuse the path itself (400) or
				// resolve the dots; the app finds no such server.
				ok([400, 404, 405].includes(res.status) ||
				    (m === 'GET' && res.status === 200 && res.json &&
				    res.json.path), `${m} ${t}: ${res.status}`, res);
			}
		}
	});
});

test('path traversal through the proxy (/<path>/../api/..., %2e%2e, ' +
    'encoded slashes): no API action, nothing outside the backend\'s ' +
    'base reached', async () => {
	const fresh = validReg();
	const e = n(F.echo);
	const seen0 = echo.seen.length;
	await unchanged(async () => {
		const cases = [
			['GET', `/${e}/../api/servers`],
			['GET', `/${e}/%2e%2e/api/servers`],
			['GET', `/${e}/%2E%2E/%2e%2e/api/servers`],
			['GET', `/${e}/..%2fapi%2fservers`],
			['GET', `/${e}/..%2f..%2fetc%2fpasswd`],
			['GET', `/${e}%2f..%2fapi%2fservers`],
			['GET', `/${e}/./../api/servers`],
			['GET', `/${e}/a/../../api/servers/${n(F.plain)}`],
			['DELETE', `/${e}/../api/servers/${n(F.plain)}`],
			['DELETE', `/${e}/%2e%2e/api/servers/${n(F.plain)}`],
			['POST', `/${e}/../api/servers/register`],
			['POST', `/${e}/%2e%2e/api/servers/toggle`],
		];
		for (const [m, t] of cases) {
			const args = ['--path-as-is', '-X', m, '-H',
			    `Authorization: Bearer ${invokeToken}`];
			if (m === 'POST')
				args.push('-H', 'Content-Type: application/json',
				    '--data-binary', JSON.stringify({ ...fresh.body,
				    path: F.plain, new_state: false }));
			const res = await curl([...args, `${env.url}${t}`],
			    { label: `${m} ${t}` });
			// Either the gateway refuses the path (400 invalid_path),
			// the web server refuses or resolves it (then the API
			// answers 403: the token has no API scope), or the
			// request stays inside the backend's base.
			const inside = res.status === 200 && res.json &&
			    typeof res.json.url === 'string';
			ok([400, 403, 404].includes(res.status) || inside,
			    `${m} ${t}: ${res.status}`, res);
			if (res.status === 400 && res.json)
				error(res, 400, 'invalid_path');
		}
	});
	const out = echo.seen.slice(seen0).filter((u) => {
		let d;
		try {
			d = decodeURIComponent(u.split('?')[0]);
		} catch {
			d = u;
		}
		return !d.startsWith('/base/') || /(^|\/)\.\.?(\/|$)/.test(d);
	});
	ok(!out.length, `requests that climb out of the backend's base ` +
	    `reached it: ${show(out)}`);
	await absent(fresh.p);
});

/* ---- hostile request lines and headers ---- */

test('hostile request lines and headers (CR, LF, NUL and spaces in header ' +
    'names and values, bad versions, smuggling): 4xx, nothing changed',
    async () => {
	const tok = await adminToken();
	const H = hostHeader();
	const A = `Authorization: Bearer ${tok}`;
	const del = `DELETE /api/servers/${n(F.plain)} HTTP/1.1\r\n${H}\r\n`;
	const cases = [
		['a bare CR in a header name', `${del}${A}\r\nX-A\rInjected: 1\r\n`],
		['CR LF inside a header name', `${del}${A}\r\nX-A\r\n: 1\r\n`],
		['a space in a header name', `${del}${A}\r\nX A: 1\r\n`],
		['a NUL in a header name', `${del}${A}\r\nX-A\u0000B: 1\r\n`],
		['a NUL in a header value', `${del}${A}\r\nX-A: a\u0000b\r\n`],
		['a bare LF in a header value',
		    `${del}${A}\r\nX-A: a\nInjected: 1\r\n`],
		['a bare CR in the token', `${del}Authorization: Bearer ` +
		    `${tok.slice(0, 20)}\r${tok.slice(20)}\r\n`],
		['a NUL in the URL', `DELETE /api/servers/${n(F.plain)}%00 ` +
		    `HTTP/1.1\r\n${H}\r\n${A}\r\n`],
		['a raw NUL in the URL', `DELETE /api/servers/${n(F.plain)}\u0000x ` +
		    `HTTP/1.1\r\n${H}\r\n${A}\r\n`],
		['two Content-Lengths', `${del}${A}\r\nContent-Length: 0\r\n` +
		    'Content-Length: 5\r\n'],
		['a negative Content-Length', `${del}${A}\r\n` +
		    'Content-Length: -1\r\n'],
		['a 20-digit Content-Length', `${del}${A}\r\n` +
		    'Content-Length: 99999999999999999999\r\n'],
		['HTTP/0.9', `DELETE /api/servers/${n(F.plain)}\r\n`],
		['no Host in HTTP/1.1', `DELETE /api/servers/${n(F.plain)} ` +
		    `HTTP/1.1\r\n${A}\r\n`],
	];
	await unchanged(async () => {
		for (const [what, head] of cases) {
			const bytes = head + 'Connection: close\r\n\r\n';
			const r = await rawRequest(Buffer.from(bytes, 'latin1'));
			ok((r.status >= 400 && r.status < 500) || r.status === 505,
			    `${what}: ${r.status} ${r.head.split('\r\n')[0]} ` +
			    show(r.json));
		}
		/*
		 * Content-Length with Transfer-Encoding: RFC 9112 lets a server
		 * refuse it (lighttpd: 400) or go by the chunking (Apache);
		 * either way the smuggled DELETE after the empty chunk is
		 * never run.
		 */
		const smuggled = `DELETE /api/servers/${n(F.plain)} HTTP/1.1\r\n` +
		    `${H}\r\n${A}\r\nConnection: close\r\n\r\n`;
		const body = `0\r\n\r\n${smuggled}`;
		const r = await rawRequest(Buffer.from(`GET /health HTTP/1.1\r\n` +
		    `${H}\r\nContent-Length: ${body.length}\r\n` +
		    'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
		    body, 'latin1'));
		ok([200, 400].includes(r.status), `Content-Length with ` +
		    `Transfer-Encoding: ${r.status} ${r.head.split('\r\n')[0]}`);
	});
});

test('methods a route does not take: 405 method_not_allowed; unknown ' +
    'methods: 405, or 501 from the web server; nothing changed', async () => {
	const tok = await adminToken();
	const fresh = validReg();
	await unchanged(async () => {
		const wrong = [
			['PUT', '/api/servers'], ['DELETE', '/api/servers'],
			['POST', '/api/servers'], ['PATCH', '/api/servers'],
			['POST', '/health'], ['DELETE', '/health'],
			['GET', '/api/auth/login'], ['PUT', '/api/auth/login'],
			['PUT', `/api/servers/${n(F.plain)}`],
			['POST', `/api/servers/${n(F.plain)}`],
			['DELETE', `/api/servers/${n(F.plain)}/tools`],
			['GET', `/api/servers/${n(F.plain)}/refresh`],
			['GET', `/api/servers/${n(F.plain)}/auth-credential`],
			['GET', '/api/tokens/generate'],
			['PUT', '/api/servers/register'],
		];
		for (const [m, t] of wrong) {
			await within(`${m} ${t}`, async () => {
				const res = await request(m, t, { token: tok,
				    json: m === 'GET' ? undefined : fresh.body });
				error(res, 405, 'method_not_allowed');
			});
		}
		for (const m of ['FOO', 'get', 'PROPFIND', 'TRACE', 'CONNECT',
		    'M-SEARCH', 'DELETE\u0000']) {
			const r = await rawRequest(Buffer.from(`${m} ` +
			    `/api/servers/${n(F.plain)} HTTP/1.1\r\n${hostHeader()}` +
			    `\r\nAuthorization: Bearer ${tok}\r\n` +
			    'Connection: close\r\n\r\n', 'latin1'));
			const app = r.json && typeof r.json.error === 'string';
			ok(app ? r.status === 405 && r.json.error ===
			    'method_not_allowed' : [400, 405, 501].includes(r.status),
			    `${show(m)} ${n(F.plain)}: ${r.status} ` +
			    `${r.head.split('\r\n')[0]} ${show(r.json)}`);
		}
	});
	await absent(fresh.p);
});

test('after all of it: the responder still serves and no crash was logged',
    async () => {
	json(await get('/health'), 200);
	const s = json(await getServer(F.bearer), 200);
	eq(s.has_auth_credential, true, 'the fixture\'s credential', null);
	deepEq(s.tool_list.map((t) => t.name), ['sec-tool'], 'fixture tools',
	    null);
	noCrash(marks, pids, 'security tests');
});
