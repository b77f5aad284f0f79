// Authentication and authorization: login, sessions, throttling, JWT validation, scopes, CSRF.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { env, conf, confBool, confInt, RUN } from './lib/env.mjs';
import { get, post, request } from './lib/http.mjs';
import {
	login, adminSession, adminToken, readToken, plainUser, publisher,
	createUser, forge, loginFrom, randomSource, canPickSource, jwtKid,
	decodeJwt, b64u,
} from './lib/auth.mjs';
import { CRED, PASSWORDS } from './lib/secrets.mjs';
import { register, getServer, DEAD_URL } from './lib/servers.mjs';
import {
	json, error, eq, ok, show, status, server, skip, ISO_Z,
} from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const REALM = /^Bearer realm="mcpgw"/;

function unauthorized(res, code) {
	const b = error(res, 401, code);
	const wa = res.header('www-authenticate') || '';
	ok(REALM.test(wa), `WWW-Authenticate ${show(wa)} is not ` +
	    'Bearer realm="mcpgw"', res);
	return b;
}

function asList(v) {
	return Array.isArray(v) ? v : String(v || '').split(/\s+/);
}

/* ---- login, sessions ---- */

test('login with JSON: 200, profile and a HttpOnly SameSite=Strict cookie',
    async () => {
	const res = await login(env.adminUser, env.adminPassword);
	const b = json(res, 200);
	eq(b.username, env.adminUser, 'username', res);
	ok(asList(b.roles).includes('admin'), `roles ${show(b.roles)}`, res);
	ok(asList(b.scopes).includes('servers:write'),
	    `scopes ${show(b.scopes)}`, res);
	ok(ISO_Z.test(b.expires_at || ''), `expires_at ${show(b.expires_at)}`,
	    res);
	const hours = confInt('session_hours', 8);
	const left = (Date.parse(b.expires_at) - Date.now()) / 3600e3;
	ok(Math.abs(left - hours) < 0.1, `expires_at is ${left.toFixed(2)} h ` +
	    `away, session_hours is ${hours}`, res);
	const line = res.cookieLine('session');
	ok(line, 'no Set-Cookie: session=...', res);
	ok(/^session=[^;\s]{16,}/.test(line), 'session id is short or empty',
	    res);
	const attrs = line.split(';').slice(1).map((a) => a.trim().toLowerCase());
	ok(attrs.includes('httponly'), 'cookie lacks HttpOnly', res);
	ok(attrs.includes('samesite=strict'), 'cookie lacks SameSite=Strict',
	    res);
	ok(attrs.includes('path=/'), 'cookie lacks Path=/', res);
	if (confBool('cookie_secure', false))
		ok(attrs.includes('secure'), 'cookie_secure on: no Secure', res);
});

test('login with a urlencoded form works too', async () => {
	const res = await login(env.adminUser, env.adminPassword, 'form');
	json(res, 200);
	ok(res.cookie('session'), 'no session cookie', res);
});

test('each login gets a new session id', async () => {
	const a = (await login(env.adminUser, env.adminPassword)).cookie('session');
	const b = (await login(env.adminUser, env.adminPassword)).cookie('session');
	ok(a && b && a !== b, 'two logins returned the same session id');
});

test('the session cookie authenticates GET /api/servers and /api/auth/me',
    async () => {
	const cookie = await adminSession();
	json(await get('/api/servers', { cookie }), 200);
	const res = await get('/api/auth/me', { cookie });
	eq(json(res, 200).username, env.adminUser, 'me.username', res);
});

test('GET /api/auth/me with a bearer token names its user', async () => {
	const res = await get('/api/auth/me', { token: await adminToken() });
	eq(json(res, 200).username, env.adminUser, 'me.username', res);
});

test('GET /api/auth/me without credentials is 401', async () => {
	unauthorized(await get('/api/auth/me'));
});

test('a made-up session cookie is 401', async () => {
	const cookie = crypto.randomBytes(32).toString('base64url');
	unauthorized(await get('/api/servers', { cookie }));
	unauthorized(await get('/api/auth/me', { cookie }));
});

test('logout invalidates the session cookie', async () => {
	const res = await login(env.adminUser, env.adminPassword);
	const cookie = res.cookie('session');
	ok(cookie, 'no session cookie', res);
	json(await get('/api/auth/me', { cookie }), 200);
	const out = await post('/api/auth/logout', { cookie, json: {} });
	status(out, 200, 204);
	unauthorized(await get('/api/auth/me', { cookie }));
	unauthorized(await get('/api/servers', { cookie }));
});

test('wrong password and unknown user get the same 401 reply', async () => {
	const src = randomSource();
	const a = await loginFrom(src, env.adminUser, PASSWORDS.wrong);
	const b = await loginFrom(src, `nobody${RUN.tag}x`, PASSWORDS.wrong);
	error(a, 401);
	error(b, 401);
	eq(b.text, a.text, 'unknown-user body equals wrong-password body', b);
	ok(!a.cookie('session') && !b.cookie('session'),
	    'a failed login set a session cookie', a);
});

test('unknown user takes about as long as a wrong password', async () => {
	const name = await createUser('user', PASSWORDS.timing);
	const src = randomSource();
	const median = (xs) => xs.sort((x, y) => x - y)[1];
	const known = [], unknown = [];
	for (let i = 0; i < 3; i++) {
		known.push((await loginFrom(src, name, PASSWORDS.wrong)).ms);
		unknown.push((await loginFrom(src, `nobody${RUN.tag}t${i}`,
		    PASSWORDS.wrong)).ms);
	}
	const k = median(known), u = median(unknown);
	if (k < 15)
		skip(`a wrong password takes only ${k} ms: nothing to compare`);
	ok(u >= k * 0.4, `unknown user answered in ${u} ms, a wrong ` +
	    `password in ${k} ms (medians): user names can be probed`);
});

test('repeated failures for one user are throttled with 429', async () => {
	const name = await createUser('user', PASSWORDS.throttle);
	const ok1 = await loginFrom(randomSource(), name, PASSWORDS.throttle);
	json(ok1, 200);
	let last = null;
	for (let i = 0; i < 40; i++) {
		// A new source address each time: only the per-user count grows.
		last = await loginFrom(randomSource(), name, PASSWORDS.wrong);
		if (last.status === 429)
			break;
		error(last, 401);
	}
	error(last, 429);
	const right = await loginFrom(randomSource(), name, PASSWORDS.throttle);
	error(right, 429);
	ok(!right.cookie('session'), 'a throttled login set a cookie', right);
	// Others are not locked out by one user's failures.
	const other = await loginFrom(randomSource(), env.adminUser,
	    env.adminPassword);
	json(other, 200);
});

test('repeated failures from one address are throttled with 429',
    async () => {
	if (!canPickSource)
		skip(`cannot pick a source address for ${env.url}`);
	const src = randomSource();
	let last = null;
	for (let i = 0; i < 120; i++) {
		last = await loginFrom(src, `nobody${RUN.tag}a${i}`,
		    PASSWORDS.wrong);
		if (last.status === 429)
			break;
		error(last, 401);
	}
	error(last, 429);
	// 127.0.0.1 (the rest of the suite) is unaffected.
	json(await login(env.adminUser, env.adminPassword), 200);
});

/* ---- bearer tokens ---- */

test('no credentials at all: 401 with WWW-Authenticate', async () => {
	unauthorized(await get('/api/servers'));
});

test('control: a token forged with the derived key is accepted',
    async () => {
	const res = await get('/api/servers', { token: forge() });
	json(res, 200);
});

const BAD_TOKENS = [
	['garbage', () => 'garbage'],
	['three junk segments', () => 'a.b.c'],
	['two segments', () => forge().split('.').slice(0, 2).join('.')],
	['four segments', () => forge() + '.AAAA'],
	['expired (exp an hour ago)', () => forge({ claims: {
	    iat: Math.floor(Date.now() / 1000) - 7200,
	    exp: Math.floor(Date.now() / 1000) - 3600 } })],
	['no exp claim', () => forge({ claims: { exp: undefined } })],
	['alg none', () => forge({ alg: 'none' })],
	['alg none with the HS256 MAC kept', () => {
		const t = forge();
		const [, p, s] = t.split('.');
		const h = b64u(JSON.stringify({ alg: 'none', typ: 'JWT',
		    kid: jwtKid() }));
		return `${h}.${p}.${s}`;
	}],
	['HS512 header', () => forge({ alg: 'HS512' })],
	['alg HS256 but signed with the raw secret', () => forge({
	    key: Buffer.from(fs.readFileSync(env.secretKeyFile ||
	    conf('secret_key_file'), 'utf8').replace(/\s+$/, '')) })],
	['wrong aud', () => forge({ claims: { aud: 'other-api' } })],
	['wrong iss', () => forge({ claims: { iss: 'mcp-auth-server' } })],
	['unknown kid', () => forge({ header: { kid: 'deadbeef' } })],
	['signature of another key', () => forge({
	    key: crypto.randomBytes(32) })],
	['over 8 KiB', () => forge({ claims: { description: 'x'.repeat(9000) } })],
];

for (const [what, make] of BAD_TOKENS) {
	test(`bad token (${what}): 401 invalid_token with WWW-Authenticate`,
	    async () => {
		unauthorized(await get('/api/servers', { token: make() }),
		    'invalid_token');
	});
}

test('bad token (tampered payload of a real token): 401 invalid_token',
    async () => {
	const t = await adminToken();
	const [h, p, s] = t.split('.');
	const claims = decodeJwt(t).payload;
	claims.exp += 60;
	const forged = `${h}.${b64u(JSON.stringify(claims))}.${s}`;
	ok(forged !== t, 'tampering changed nothing');
	unauthorized(await get('/api/servers', { token: forged }),
	    'invalid_token');
	json(await get('/api/servers', { token: t }), 200);
});

test('exp 10 s ago is inside the 30 s leeway; 90 s ago is not',
    async () => {
	const now = Math.floor(Date.now() / 1000);
	json(await get('/api/servers', { token: forge({ claims: {
	    iat: now - 600, exp: now - 10 } }) }), 200);
	unauthorized(await get('/api/servers', { token: forge({ claims: {
	    iat: now - 600, exp: now - 90 } }) }), 'invalid_token');
});

/* ---- scopes ---- */

let target = null;

async function readOnlyTarget() {
	if (!target) {
		target = (await register({ auth_scheme: 'bearer',
		    auth_credential: CRED.readonly, description: 'ro target' },
		    { what: 'ro' })).path;
	}
	return target;
}

test('a servers:read token may list and get', async () => {
	const token = await readToken();
	const p = await readOnlyTarget();
	json(await get('/api/servers', { token }), 200);
	server(json(await getServer(p, token), 200));
	json(await get('/api/servers/health', { token }), 200);
});

const WRITES = [
	['register', (p) => ['POST', '/api/servers/register', { json: {
	    name: 'denied', path: p + '-new', proxy_pass_url: DEAD_URL } }]],
	['PATCH', (p) => ['PATCH', `/api/servers${p}`,
	    { json: { description: 'changed by a reader' } }]],
	['DELETE', (p) => ['DELETE', `/api/servers${p}`, {}]],
	['remove', (p) => ['POST', '/api/servers/remove', { form: { path: p } }]],
	['toggle', (p) => ['POST', '/api/servers/toggle',
	    { json: { path: p, new_state: false } }]],
	['credential', (p) => ['PATCH', `/api/servers${p}/auth-credential`,
	    { json: { auth_scheme: 'none' } }]],
];

for (const [what, make] of WRITES) {
	test(`a servers:read token gets 403 insufficient_scope on ${what}`,
	    async () => {
		const p = await readOnlyTarget();
		const [m, url, opts] = make(p);
		const res = await request(m, url, { ...opts,
		    token: await readToken() });
		error(res, 403, 'insufficient_scope');
		const g = await getServer(p);
		const s = server(json(g, 200), g);
		eq(s.description, 'ro target', 'description unchanged', g);
		eq(s.is_enabled, true, 'is_enabled unchanged', g);
		eq(s.auth_scheme, 'bearer', 'auth_scheme unchanged', g);
		const n = await getServer(p + '-new');
		eq(n.status, 404, 'no server registered', n);
	});
}

test('a user-role token can read but not register', async () => {
	const u = await plainUser();
	json(await get('/api/servers', { token: u.token }), 200);
	const p = await readOnlyTarget();
	server(json(await getServer(p, u.token), 200));
	const res = await post('/api/servers/register', { token: u.token,
	    json: { name: 'user denied', path: p + '-user',
	    proxy_pass_url: DEAD_URL } });
	error(res, 403, 'insufficient_scope');
});

test('a publisher token can register; registered_by is the publisher',
    async () => {
	const pub = await publisher();
	const { res } = await register({ auth_scheme: 'api_key',
	    auth_credential: CRED.pub }, { token: pub.token, what: 'pub' });
	const s = server(json(res, 201).server, res);
	eq(s.registered_by, pub.name, 'registered_by', res);
});

/* ---- CSRF: cookie-authenticated state changes need application/json ---- */

function refused(res) {
	ok(res.status === 415 || res.status === 403,
	    `cookie-authenticated ${res.method} ${res.target} without JSON: ` +
	    `expected 415 or 403, got ${res.status}`, res);
	error(res, [415, 403]);
}

test('cookie + urlencoded register is refused and creates nothing',
    async () => {
	const cookie = await adminSession();
	const p = `/it-${RUN.k}-${RUN.tag}-csrf-form`;
	refused(await post('/api/servers/register', { cookie, form: {
	    name: 'csrf', path: p, proxy_pass_url: DEAD_URL,
	    auth_scheme: 'bearer', auth_credential: CRED.csrf } }));
	refused(await post('/api/servers/register', { cookie, multipart: {
	    name: 'csrf', path: p, proxy_pass_url: DEAD_URL } }));
	refused(await post('/api/servers/register', { cookie,
	    body: JSON.stringify({ name: 'csrf', path: p,
	    proxy_pass_url: DEAD_URL }), contentType: 'text/plain' }));
	eq((await getServer(p)).status, 404, `${p} must not exist`);
});

test('cookie + JSON register is accepted (the browser UI path)',
    async () => {
	const cookie = await adminSession();
	const p = `/it-${RUN.k}-${RUN.tag}-csrf-json`;
	const res = await post('/api/servers/register', { cookie, json: {
	    name: 'cookie json', path: p, proxy_pass_url: DEAD_URL } });
	server(json(res, 201).server, res);
});

test('cookie + form toggle and remove are refused and change nothing',
    async () => {
	const cookie = await adminSession();
	const { path: p } = await register({}, { what: 'csrf' });
	refused(await post('/api/servers/toggle', { cookie,
	    form: { path: p, new_state: 'false' } }));
	refused(await post('/api/servers/remove', { cookie,
	    form: { path: p } }));
	const g = await getServer(p);
	eq(server(json(g, 200), g).is_enabled, true, 'is_enabled unchanged', g);
});

test('cookie + form tokens/generate is refused', async () => {
	const cookie = await adminSession();
	refused(await post('/api/tokens/generate', { cookie,
	    form: { expires_in_hours: '1' } }));
});
