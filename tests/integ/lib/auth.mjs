// Logins, tokens, users (via mcpgw-admin) and forged JWTs for negative tests.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { env, conf, uniqUser } from './env.mjs';
import { post, curl, runProgram } from './http.mjs';
import { fail, ok, show } from './check.mjs';
import { noteToken, noteSession } from './secrets.mjs';

// Caches a promise so a fixture is made once per process.
export function once(fn) {
	let p = null;
	return () => {
		if (!p)
			p = fn().catch((e) => {
				p = null;
				throw e;
			});
		return p;
	};
}

export async function login(username, password, how = 'json') {
	const res = how === 'form' ?
	    await post('/api/auth/login', { form: { username, password } }) :
	    await post('/api/auth/login', { json: { username, password } });
	noteSession(res.cookie('session'));
	return res;
}

// A session cookie value for the user, or a failure with diagnostics.
export async function sessionOf(username, password) {
	const res = await login(username, password);
	const c = res.cookie('session');
	if (res.status !== 200 || !c)
		fail(`login as ${username}: status ${res.status}, no session`, res);
	return c;
}

export const adminSession = once(() =>
    sessionOf(env.adminUser, env.adminPassword));

// A token from POST /api/tokens/generate with the given session.
export async function generateToken(session, body = {}) {
	const res = await post('/api/tokens/generate', { cookie: session,
	    json: body });
	if (res.status !== 200 || !res.json || !res.json.access_token) {
		fail(`tokens/generate: status ${res.status}, no access_token`,
		    res);
	}
	noteToken(res.json.access_token);
	return res.json.access_token;
}

// The admin's token with every scope, made the way the seed says.
export const adminToken = once(async () =>
    generateToken(await adminSession(), { expires_in_hours: 1,
    description: 'integration suite' }));

// MCPGW_BIN is the directory of the programs (a file in it also works).
function adminBin() {
	if (!env.bin)
		return 'mcpgw-admin';
	const isDir = fs.existsSync(env.bin) && fs.statSync(env.bin).isDirectory();
	return path.join(isDir ? env.bin : path.dirname(env.bin), 'mcpgw-admin');
}

// Runs mcpgw-admin; resolves {code, stdout (string), stderr}.
export async function mcpgwAdmin(args, input) {
	const r = await runProgram(adminBin(), args, { input, timeout: 30000 });
	return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

// Creates a user with the CLI; returns its name.
export async function createUser(role, password) {
	const name = uniqUser(role.slice(0, 3));
	const r = await mcpgwAdmin(['user', 'add', name, '--role', role,
	    '--password-stdin'], password + '\n');
	if (r.code !== 0) {
		fail(`mcpgw-admin user add ${name} --role ${role}: exit ` +
		    `${r.code}: ${r.stderr.trim().slice(0, 300)}`);
	}
	return name;
}

// A JWT from `mcpgw-admin token issue`.
export async function issueToken(user, { hours = 1, scope } = {}) {
	const args = ['token', 'issue', '--user', user, '--hours',
	    String(hours)];
	if (scope !== undefined)
		args.push('--scope', scope);
	const r = await mcpgwAdmin(args);
	const tok = r.stdout.trim();
	if (r.code !== 0 || tok.split('.').length !== 3) {
		fail(`mcpgw-admin ${args.join(' ')}: exit ${r.code}, ` +
		    `stdout ${tok.length} bytes: ${r.stderr.trim().slice(0, 300)}`);
	}
	noteToken(tok);
	return tok;
}

export const readToken = once(() =>
    issueToken(env.adminUser, { hours: 1, scope: 'servers:read' }));

export const publisher = once(async () => {
	const { PASSWORDS } = await import('./secrets.mjs');
	const name = await createUser('publisher', PASSWORDS.publisher);
	return { name, token: await issueToken(name, { hours: 1 }) };
});

export const plainUser = once(async () => {
	const { PASSWORDS } = await import('./secrets.mjs');
	const name = await createUser('user', PASSWORDS.user);
	return { name, password: PASSWORDS.user,
	    token: await issueToken(name, { hours: 1 }) };
});

/* ---- JWT ---- */

export function b64u(buf) {
	return Buffer.from(buf).toString('base64url');
}

function secret() {
	const f = env.secretKeyFile || conf('secret_key_file', '');
	if (!f)
		fail('no secret key file (MCPGW_SECRET_KEY_FILE) to derive keys');
	return fs.readFileSync(f, 'utf8').replace(/\s+$/, '');
}

export function jwtKey() {
	return Buffer.from(crypto.hkdfSync('sha256', secret(), 'mcpgw-v1',
	    'mcpgw jwt hs256', 32));
}

export function jwtKid() {
	return Buffer.from(crypto.hkdfSync('sha256', secret(), 'mcpgw-v1',
	    'mcpgw key id', 4)).toString('hex');
}

export function issuer() {
	return conf('token_issuer', 'mcpgw');
}

export function decodeJwt(t) {
	const [h, p] = t.split('.');
	try {
		return { header: JSON.parse(Buffer.from(h, 'base64url')),
		    payload: JSON.parse(Buffer.from(p, 'base64url')) };
	} catch {
		fail(`token is not a decodable JWT (${t.length} bytes)`);
	}
}

/*
 * A JWT signed with the derived key unless told otherwise. claims and
 * header are merged over valid defaults (a key set to undefined is
 * removed); alg picks the MAC ('HS256', 'HS512', 'none').
 */
export function forge({ claims = {}, header = {}, alg = 'HS256', key } = {}) {
	const now = Math.floor(Date.now() / 1000);
	const h = { alg, typ: 'JWT', kid: jwtKid(), ...header };
	const c = { iss: issuer(), aud: 'mcp-registry', sub: env.adminUser,
	    scope: 'servers:read servers:write', iat: now, exp: now + 600,
	    jti: crypto.randomUUID(), description: 'forged by the suite',
	    ...claims };
	for (const o of [h, c]) {
		for (const k of Object.keys(o)) {
			if (o[k] === undefined)
				delete o[k];
		}
	}
	const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(c))}`;
	if (alg === 'none')
		return input + '.';
	const mac = crypto.createHmac(alg === 'HS512' ? 'sha512' : 'sha256',
	    key || jwtKey()).update(input).digest();
	return `${input}.${b64u(mac)}`;
}

// True when t's signature verifies with the derived key.
export function verifies(t) {
	const i = t.lastIndexOf('.');
	const mac = crypto.createHmac('sha256', jwtKey())
	    .update(t.slice(0, i)).digest();
	const got = Buffer.from(t.slice(i + 1), 'base64url');
	return got.length === mac.length && crypto.timingSafeEqual(got, mac);
}

/* ---- logins from other loopback addresses (throttling is per address) ---- */

const host = new URL(env.url).hostname;
export const canPickSource = /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === 'localhost';

// A random loopback address other than 127.0.0.1.
export function randomSource() {
	const r = () => 1 + crypto.randomInt(254);
	return `127.${1 + crypto.randomInt(250)}.${r()}.${r()}`;
}

/*
 * POST /api/auth/login (JSON) with curl from the given loopback source
 * address, so failed attempts do not count against 127.0.0.1. The
 * password goes on stdin, never on the command line.
 */
export async function loginFrom(source, username, password) {
	const args = ['-X', 'POST', '-H', 'Content-Type: application/json',
	    '--data-binary', '@-'];
	if (source && canPickSource)
		args.push('--ipv4', '--interface', source);
	args.push(`${env.url}/api/auth/login`);
	const res = await curl(args, { input: JSON.stringify({ username,
	    password }), label: 'POST /api/auth/login' });
	noteSession(res.cookie('session'));
	return res;
}

export { show, ok };
