// The seed's curl commands, run verbatim with the curl binary, in the seed's order.
import { env } from './lib/env.mjs';
import { curl, get } from './lib/http.mjs';
import { adminSession, adminToken } from './lib/auth.mjs';
import { SEED, seedArgs } from './lib/seed.mjs';
import { SEED_CREDS, noteToken } from './lib/secrets.mjs';
import { ensureGone, getServer } from './lib/servers.mjs';
import { json, eq, ok, deepEq, show, server, noSecrets, ISO_Z }
    from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const PROTECTED = '/my-protected-server';
const APIKEY = '/my-apikey-server';
const TOOLS = '/my-server';
const WEATHER = [{ name: 'get_weather',
    description: 'Get weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } },
    required: ['city'] } }];

let seedJwt = null;
let lastUpdatedAt = null;

// The seed's $JWT_TOKEN: from its own tokens/generate command if that ran.
async function jwt() {
	return seedJwt || adminToken();
}

async function runSeed(cmd) {
	return curl(seedArgs(cmd, { jwt: await jwt() }));
}

function registered(res, path, name) {
	const b = json(res, 201);
	for (const k of ['message', 'path', 'name', 'server'])
		ok(k in b, `reply lacks "${k}"`, res);
	ok(typeof b.message === 'string' && b.message.length > 0,
	    'message is empty', res);
	eq(b.path, path, 'path', res);
	eq(b.name, name, 'name', res);
	const s = server(b.server, res);
	eq(s.path, path, 'server.path', res);
	eq(s.name, name, 'server.name', res);
	eq(s.proxy_pass_url, 'http://my-server:8000', 'server.proxy_pass_url',
	    res);
	eq(s.license, 'N/A', 'server.license default', res);
	deepEq(s.tags, [], 'server.tags default', res);
	eq(s.is_enabled, true, 'server.is_enabled default', res);
	eq(s.registered_by, env.adminUser, 'server.registered_by', res);
	noSecrets(res, SEED_CREDS);
	return s;
}

test('tokens/generate curl with the session cookie gives a Bearer JWT',
    async () => {
	const cookie = await adminSession();
	const res = await curl(seedArgs(SEED.generateToken, { cookie }));
	const b = json(res, 200);
	ok(typeof b.access_token === 'string' &&
	    b.access_token.split('.').length === 3,
	    'access_token is not a three-part JWT', res);
	noteToken(b.access_token);
	eq(b.token_type, 'Bearer', 'token_type', res);
	eq(b.expires_in, 8 * 3600, 'expires_in for expires_in_hours 8', res);
	eq(b.description, 'Server registration token', 'description', res);
	ok(typeof b.scope === 'string' && b.scope.includes('servers:write'),
	    `scope ${show(b.scope)} lacks servers:write`, res);
	ok(ISO_Z.test(b.expires_at), `expires_at ${show(b.expires_at)}`, res);
	seedJwt = b.access_token;
});

test('the seed paths are cleared first so the seed can run again',
    async () => {
	for (const p of [PROTECTED, APIKEY, TOOLS])
		await ensureGone(p);
	for (const p of [PROTECTED, APIKEY, TOOLS]) {
		const res = await getServer(p, await jwt());
		eq(res.status, 404, `GET ${p} after delete`, res);
	}
});

test('register with bearer (multipart curl) is 201 with the server',
    async () => {
	const res = await runSeed(SEED.registerBearer);
	const s = registered(res, PROTECTED, 'My Protected Server');
	eq(s.description, 'An MCP server behind Bearer auth', 'description',
	    res);
	eq(s.auth_scheme, 'bearer', 'auth_scheme', res);
	eq(s.auth_header_name, 'Authorization', 'auth_header_name default',
	    res);
	eq(s.has_auth_credential, true, 'has_auth_credential', res);
	ok(ISO_Z.test(s.credential_updated_at || ''),
	    'credential_updated_at is not set', res);
	eq(s.tools_source, 'none', 'tools_source', res);
	eq(s.num_tools, 0, 'num_tools', res);
	lastUpdatedAt = s.credential_updated_at;
});

test('register with api_key and auth_header_name is 201', async () => {
	const res = await runSeed(SEED.registerApiKey);
	const s = registered(res, APIKEY, 'My API Key Server');
	eq(s.description, 'An MCP server behind API key auth', 'description',
	    res);
	eq(s.auth_scheme, 'api_key', 'auth_scheme', res);
	eq(s.auth_header_name, 'X-API-Key', 'auth_header_name', res);
	eq(s.has_auth_credential, true, 'has_auth_credential', res);
});

test('register with tool_list_json stores the manual tools', async () => {
	const res = await runSeed(SEED.registerTools);
	const s = registered(res, TOOLS, 'My Server');
	eq(s.description, 'Server with manually defined tools', 'description',
	    res);
	eq(s.auth_scheme, 'none', 'auth_scheme', res);
	eq(s.tools_source, 'manual', 'tools_source', res);
	eq(s.num_tools, 1, 'num_tools', res);
});

test('GET /api/servers/my-server serves the manual tool list', async () => {
	const res = await getServer(TOOLS, await jwt());
	const s = server(json(res, 200), res, { tools: true });
	eq(s.tools_source, 'manual', 'tools_source', res);
	eq(s.num_tools, 1, 'num_tools', res);
	deepEq(s.tool_list, WEATHER, 'tool_list', res);
});

test('the list has tool_list only with include_tools=true', async () => {
	const q = encodeURIComponent('Server with manually defined tools');
	const token = await jwt();
	let res = await get(`/api/servers?query=${q}&include_tools=true`,
	    { token });
	let b = json(res, 200);
	const withTools = b.servers.find((s) => s.path === TOOLS);
	ok(withTools, '/my-server not found by its description', res);
	server(withTools, res, { tools: true });
	deepEq(withTools.tool_list, WEATHER, 'tool_list', res);
	res = await get(`/api/servers?query=${q}`, { token });
	b = json(res, 200);
	const plain = b.servers.find((s) => s.path === TOOLS);
	ok(plain, '/my-server not found by its description', res);
	server(plain, res, { tools: false });
});

test('GET shows each seed server with its scheme and no credential',
    async () => {
	for (const [p, scheme, hdr] of [[PROTECTED, 'bearer', 'Authorization'],
	    [APIKEY, 'api_key', 'X-API-Key']]) {
		const res = await getServer(p, await jwt());
		const s = server(json(res, 200), res, { tools: true });
		eq(s.auth_scheme, scheme, `${p} auth_scheme`, res);
		eq(s.auth_header_name, hdr, `${p} auth_header_name`, res);
		eq(s.has_auth_credential, true, `${p} has_auth_credential`, res);
		noSecrets(res, SEED_CREDS);
	}
});

function rotated(res, scheme, header) {
	const b = json(res, 200);
	eq(b.message, 'Auth credentials updated successfully', 'message', res);
	eq(b.path, PROTECTED, 'path', res);
	eq(b.auth_scheme, scheme, 'auth_scheme', res);
	eq(b.auth_header_name, header, 'auth_header_name', res);
	ok('credential_updated_at' in b, 'credential_updated_at missing', res);
	noSecrets(res, SEED_CREDS);
	return b;
}

test('rotate the bearer token (PATCH auth-credential curl)', async () => {
	const res = await runSeed(SEED.rotateBearer);
	const b = rotated(res, 'bearer', 'Authorization');
	ok(ISO_Z.test(b.credential_updated_at || ''),
	    `credential_updated_at ${show(b.credential_updated_at)}`, res);
	if (lastUpdatedAt) {
		ok(Date.parse(b.credential_updated_at) >=
		    Date.parse(lastUpdatedAt),
		    'credential_updated_at went back in time', res);
	}
	const g = await getServer(PROTECTED, await jwt());
	const s = server(json(g, 200), g);
	eq(s.auth_scheme, 'bearer', 'stored auth_scheme', g);
	eq(s.credential_updated_at, b.credential_updated_at,
	    'stored credential_updated_at', g);
});

test('switch from bearer to api_key (PATCH auth-credential curl)',
    async () => {
	const res = await runSeed(SEED.rotateToApiKey);
	const b = rotated(res, 'api_key', 'X-API-Key');
	ok(ISO_Z.test(b.credential_updated_at || ''),
	    `credential_updated_at ${show(b.credential_updated_at)}`, res);
	const g = await getServer(PROTECTED, await jwt());
	const s = server(json(g, 200), g);
	eq(s.auth_scheme, 'api_key', 'stored auth_scheme', g);
	eq(s.auth_header_name, 'X-API-Key', 'stored auth_header_name', g);
	eq(s.has_auth_credential, true, 'stored has_auth_credential', g);
});

test('remove authentication (PATCH auth-credential none curl)',
    async () => {
	const res = await runSeed(SEED.rotateToNone);
	rotated(res, 'none', null);
	const g = await getServer(PROTECTED, await jwt());
	const s = server(json(g, 200), g);
	eq(s.auth_scheme, 'none', 'stored auth_scheme', g);
	eq(s.has_auth_credential, false, 'stored has_auth_credential', g);
	eq(s.auth_header_name, null, 'stored auth_header_name', g);
});

test('no seed credential appears in any server listing', async () => {
	const res = await get('/api/servers?limit=500&include_tools=true',
	    { token: await jwt() });
	json(res, 200);
	noSecrets(res, SEED_CREDS);
});
