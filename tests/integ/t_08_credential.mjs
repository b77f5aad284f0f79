// PATCH /api/servers/{name}/auth-credential beyond the seed: errors, custom headers, timestamps.
import { RUN, nameOf } from './lib/env.mjs';
import { patch, request } from './lib/http.mjs';
import { adminToken, adminSession } from './lib/auth.mjs';
import { CRED, sized, credentials } from './lib/secrets.mjs';
import { register, getServer } from './lib/servers.mjs';
import {
	json, error, eq, ok, show, server, noSecrets, within, ISO_Z,
} from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function rotate(path, body, opts = {}) {
	return patch(`/api/servers/${nameOf(path)}/auth-credential`, {
	    token: opts.cookie ? undefined : await adminToken(), json: body,
	    ...opts });
}

// The stored auth fields, to prove a refused rotation changed nothing.
async function authOf(path) {
	const s = server(json(await getServer(path), 200));
	return { scheme: s.auth_scheme, header: s.auth_header_name,
	    has: s.has_auth_credential, at: s.credential_updated_at };
}

async function bearerServer() {
	const { path } = await register({ auth_scheme: 'bearer',
	    auth_credential: CRED.rotated }, { what: 'cred' });
	return path;
}

test('unknown auth_scheme: 400 invalid_auth_scheme, nothing changed',
    async () => {
	const path = await bearerServer();
	const before = await authOf(path);
	for (const s of ['basic', 'BEARER ', 'oauth2', 'api-key']) {
		const res = await rotate(path, { auth_scheme: s,
		    auth_credential: CRED.rotated2 });
		await within(`auth_scheme ${show(s)}`, () => {
			error(res, 400, 'invalid_auth_scheme', 'auth_scheme');
			noSecrets(res, credentials());
		});
	}
	const after = await authOf(path);
	eq(JSON.stringify(after), JSON.stringify(before), 'auth fields', null);
});

test('empty or null auth_scheme is refused, not read as "none"',
    async () => {
	// "none" deletes the credential, so only an explicit "none" may.
	const path = await bearerServer();
	const before = await authOf(path);
	for (const s of ['', null]) {
		await within(`auth_scheme ${show(s)}`, async () => {
			error(await rotate(path, { auth_scheme: s }), 400, null,
			    'auth_scheme');
		});
	}
	eq(JSON.stringify(await authOf(path)), JSON.stringify(before),
	    'auth fields', null);
});

test('missing auth_scheme: 400', async () => {
	const path = await bearerServer();
	error(await rotate(path, { auth_credential: CRED.rotated2 }), 400, null,
	    'auth_scheme');
});

test('bearer or api_key without a credential: 400 missing_credential',
    async () => {
	const path = await bearerServer();
	const before = await authOf(path);
	error(await rotate(path, { auth_scheme: 'bearer' }), 400,
	    'missing_credential', 'auth_credential');
	error(await rotate(path, { auth_scheme: 'api_key',
	    auth_credential: '' }), 400, 'missing_credential', 'auth_credential');
	error(await rotate(path, { auth_scheme: 'api_key',
	    auth_header_name: 'X-Key' }), 400, 'missing_credential',
	    'auth_credential');
	eq(JSON.stringify(await authOf(path)), JSON.stringify(before),
	    'auth fields', null);
});

test('unknown server: 404 server_not_found', async () => {
	const res = await rotate(`/no-such-${RUN.tag}`, { auth_scheme: 'bearer',
	    auth_credential: CRED.rotated2 });
	error(res, 404, 'server_not_found');
	noSecrets(res, credentials());
});

test('bad credential or header name: 400, nothing changed', async () => {
	const path = await bearerServer();
	const before = await authOf(path);
	error(await rotate(path, { auth_scheme: 'bearer', auth_credential:
	    `${CRED.crlfA}\r\n${CRED.crlfB}` }), 400, null, 'auth_credential');
	error(await rotate(path, { auth_scheme: 'bearer', auth_credential:
	    sized(CRED.huge, 8193) }), 400, null, 'auth_credential');
	for (const h of ['Host', 'Cookie', 'X-Forwarded-For', 'bad header']) {
		const res = await rotate(path, { auth_scheme: 'api_key',
		    auth_credential: CRED.rotated2, auth_header_name: h });
		await within(`auth_header_name ${show(h)}`, () =>
		    error(res, 400, null, 'auth_header_name'));
	}
	eq(JSON.stringify(await authOf(path)), JSON.stringify(before),
	    'auth fields', null);
});

test('api_key with a custom header name; default X-API-Key without one',
    async () => {
	const path = await bearerServer();
	let res = await rotate(path, { auth_scheme: 'api_key',
	    auth_credential: CRED.rotated2, auth_header_name: 'X-My-Custom-Key' });
	let b = json(res, 200);
	eq(b.auth_header_name, 'X-My-Custom-Key', 'auth_header_name', res);
	eq((await authOf(path)).header, 'X-My-Custom-Key', 'stored header', null);
	res = await rotate(path, { auth_scheme: 'api_key',
	    auth_credential: CRED.rotated });
	b = json(res, 200);
	eq(b.auth_header_name, 'X-API-Key', 'default auth_header_name', res);
	res = await rotate(path, { auth_scheme: 'bearer',
	    auth_credential: CRED.rotated2 });
	eq(json(res, 200).auth_header_name, 'Authorization',
	    'bearer default after api_key', res);
	noSecrets(res, credentials());
});

test('credential_updated_at moves forward on each rotation', async () => {
	const path = await bearerServer();
	const t0 = (await authOf(path)).at;
	ok(ISO_Z.test(t0 || ''), `credential_updated_at ${show(t0)}`);
	await new Promise((r) => setTimeout(r, 1100));
	const res = await rotate(path, { auth_scheme: 'bearer',
	    auth_credential: CRED.rotated2 });
	const b = json(res, 200);
	ok(Date.parse(b.credential_updated_at) > Date.parse(t0),
	    `credential_updated_at ${b.credential_updated_at} not after ${t0}`,
	    res);
	eq((await authOf(path)).at, b.credential_updated_at, 'stored time',
	    null);
});

test('none then bearer again: a new credential is required', async () => {
	const path = await bearerServer();
	json(await rotate(path, { auth_scheme: 'none' }), 200);
	const a = await authOf(path);
	eq(a.scheme, 'none', 'scheme', null);
	eq(a.has, false, 'has_auth_credential', null);
	eq(a.header, null, 'auth_header_name', null);
	error(await rotate(path, { auth_scheme: 'bearer' }), 400,
	    'missing_credential', 'auth_credential');
	json(await rotate(path, { auth_scheme: 'bearer',
	    auth_credential: CRED.rotated }), 200);
	const c = await authOf(path);
	eq(c.scheme, 'bearer', 'scheme', null);
	eq(c.has, true, 'has_auth_credential', null);
});

test('malformed JSON and non-JSON bodies: 400 and 415', async () => {
	const path = await bearerServer();
	const url = `/api/servers/${nameOf(path)}/auth-credential`;
	const token = await adminToken();
	error(await request('PATCH', url, { token, body: '{"auth_scheme": ',
	    contentType: 'application/json' }), 400);
	error(await request('PATCH', url, { token, body: 'auth_scheme=none',
	    contentType: 'text/plain' }), 415, 'unsupported_media_type');
	eq((await authOf(path)).scheme, 'bearer', 'scheme unchanged', null);
});

test('with the session cookie and JSON it works (the UI path)',
    async () => {
	const path = await bearerServer();
	const res = await rotate(path, { auth_scheme: 'bearer',
	    auth_credential: CRED.rotated2 }, { cookie: await adminSession() });
	eq(json(res, 200).auth_scheme, 'bearer', 'auth_scheme', res);
});

test('without a token: 401', async () => {
	const path = await bearerServer();
	const res = await request('PATCH',
	    `/api/servers/${nameOf(path)}/auth-credential`,
	    { json: { auth_scheme: 'none' } });
	error(res, 401);
	eq((await authOf(path)).scheme, 'bearer', 'scheme unchanged', null);
});
