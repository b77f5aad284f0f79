// POST /api/servers/register: the three body formats, defaults, and every validation error.
import { env, RUN, uniqPath, nameOf } from './lib/env.mjs';
import { post, get, request } from './lib/http.mjs';
import { adminToken } from './lib/auth.mjs';
import { CRED, sized, credentials } from './lib/secrets.mjs';
import { register, getServer, DEAD_URL } from './lib/servers.mjs';
import {
	json, error, eq, ok, deepEq, show, server, noSecrets, within, ISO_Z,
	UUID,
} from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const TOOL = { name: 'lookup', description: 'Look something up',
    inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
    annotations: { readOnlyHint: true }, x_extra: [1, 2] };

async function registerWith(kind, fields) {
	const token = await adminToken();
	return post('/api/servers/register', { token, [kind]: fields });
}

/* ---- formats and defaults ---- */

test('JSON body: every field is stored and returned', async () => {
	const path = uniqPath('json');
	const res = await registerWith('json', { name: 'JSON Server',
	    description: 'registered with JSON', path,
	    proxy_pass_url: 'http://127.0.0.1:9/mcp', tags: ['alpha', 'Beta'],
	    license: 'MIT', enabled: false, auth_scheme: 'api_key',
	    auth_credential: CRED.json, auth_header_name: 'X-My-Custom-Key',
	    tool_list_json: [TOOL] });
	const b = json(res, 201);
	eq(b.path, path, 'path', res);
	eq(b.name, 'JSON Server', 'name', res);
	const s = server(b.server, res);
	eq(s.description, 'registered with JSON', 'description', res);
	eq(s.proxy_pass_url, 'http://127.0.0.1:9/mcp', 'proxy_pass_url', res);
	deepEq(s.tags, ['alpha', 'Beta'], 'tags', res);
	eq(s.license, 'MIT', 'license', res);
	eq(s.is_enabled, false, 'is_enabled', res);
	eq(s.health_status, 'disabled', 'health_status', res);
	eq(s.auth_scheme, 'api_key', 'auth_scheme', res);
	eq(s.auth_header_name, 'X-My-Custom-Key', 'auth_header_name', res);
	eq(s.tools_source, 'manual', 'tools_source', res);
	eq(s.num_tools, 1, 'num_tools', res);
	noSecrets(res, credentials());
	const g = await getServer(path);
	const t = server(json(g, 200), g, { tools: true });
	eq(t.id, s.id, 'id on GET', g);
	deepEq(t.tool_list, [TOOL], 'tool_list kept verbatim (extra fields too)',
	    g);
	noSecrets(g, credentials());
});

test('JSON body: defaults of every optional field', async () => {
	const path = uniqPath('dflt');
	const res = await registerWith('json', { name: 'Defaults', path,
	    proxy_pass_url: DEAD_URL });
	const s = server(json(res, 201).server, res);
	eq(s.description, '', 'description', res);
	deepEq(s.tags, [], 'tags', res);
	eq(s.license, 'N/A', 'license', res);
	eq(s.is_enabled, true, 'is_enabled', res);
	eq(s.auth_scheme, 'none', 'auth_scheme', res);
	eq(s.auth_header_name, null, 'auth_header_name', res);
	eq(s.has_auth_credential, false, 'has_auth_credential', res);
	eq(s.credential_updated_at, null, 'credential_updated_at', res);
	eq(s.tools_source, 'none', 'tools_source', res);
	eq(s.num_tools, 0, 'num_tools', res);
	eq(s.registered_by, env.adminUser, 'registered_by', res);
	ok(UUID.test(s.id), `id ${show(s.id)} is not a UUID`, res);
	const age = Date.now() - Date.parse(s.registered_at);
	ok(Math.abs(age) < 120e3, `registered_at is ${age} ms old`, res);
});

test('urlencoded body: comma tags, bearer, tool_list_json string',
    async () => {
	const path = uniqPath('form');
	const res = await registerWith('form', { name: 'Form Server', path,
	    description: 'registered with a form', proxy_pass_url: DEAD_URL,
	    tags: 'one, two,three', auth_scheme: 'bearer',
	    auth_credential: CRED.form, tool_list_json: JSON.stringify([TOOL]),
	    enabled: 'true' });
	const s = server(json(res, 201).server, res);
	deepEq(s.tags, ['one', 'two', 'three'], 'tags', res);
	eq(s.auth_scheme, 'bearer', 'auth_scheme', res);
	eq(s.auth_header_name, 'Authorization', 'auth_header_name', res);
	eq(s.tools_source, 'manual', 'tools_source', res);
	eq(s.is_enabled, true, 'is_enabled', res);
	noSecrets(res, credentials());
});

test('multipart body: api_key defaults its header to X-API-Key',
    async () => {
	const path = uniqPath('mpart');
	const res = await registerWith('multipart', { name: 'Multipart Server',
	    path, proxy_pass_url: DEAD_URL, auth_scheme: 'api_key',
	    auth_credential: CRED.multipart, tags: '["x","y"]',
	    enabled: 'false' });
	const s = server(json(res, 201).server, res);
	eq(s.auth_scheme, 'api_key', 'auth_scheme', res);
	eq(s.auth_header_name, 'X-API-Key', 'auth_header_name', res);
	deepEq(s.tags, ['x', 'y'], 'tags from a JSON array string', res);
	eq(s.is_enabled, false, 'is_enabled', res);
	noSecrets(res, credentials());
});

test('bearer with a custom header name keeps it', async () => {
	const { res } = await register({ auth_scheme: 'bearer',
	    auth_credential: CRED.custom, auth_header_name: 'X-Upstream-Auth' });
	eq(res.json.server.auth_header_name, 'X-Upstream-Auth',
	    'auth_header_name', res);
});

test('Content-Type application/json; charset=utf-8 is JSON', async () => {
	const path = uniqPath('chs');
	const res = await post('/api/servers/register', {
	    token: await adminToken(), contentType:
	    'application/json; charset=utf-8', json: { name: 'Charset ✓', path,
	    proxy_pass_url: DEAD_URL } });
	eq(server(json(res, 201).server, res).name, 'Charset ✓', 'name', res);
});

/* ---- paths ---- */

test('a missing leading / is added, a trailing / removed', async () => {
	const a = uniqPath('lead');
	let res = await registerWith('json', { name: 'no slash', path: nameOf(a),
	    proxy_pass_url: DEAD_URL });
	eq(json(res, 201).path, a, 'path', res);
	const b = uniqPath('trail');
	res = await registerWith('json', { name: 'trailing', path: b + '/',
	    proxy_pass_url: DEAD_URL });
	eq(json(res, 201).path, b, 'path', res);
	eq((await getServer(b)).status, 200, 'GET without the slash');
});

test('a 64-character path with dots and dashes is valid', async () => {
	const base = uniqPath('max');
	const path = (base + '.v1_2-').padEnd(65, 'z');
	eq(path.length, 65, 'path length (with /)', null);
	const res = await registerWith('json', { name: 'long path', path,
	    proxy_pass_url: DEAD_URL });
	eq(json(res, 201).path, path, 'path', res);
	const g = await getServer(path);
	eq(server(json(g, 200), g).path, path, 'GET by name', g);
});

/* ---- validation errors ---- */

const tried = [];

// A registration that must fail; fields override a valid base (undefined removes).
async function bad(fields, want, code, field, kind = 'json') {
	const base = { name: `valfail-${RUN.tag} ${tried.length}`,
	    path: uniqPath('vf'), proxy_pass_url: DEAD_URL };
	const body = { ...base, ...fields };
	for (const k of Object.keys(body)) {
		if (body[k] === undefined)
			delete body[k];
	}
	if (typeof body.path === 'string')
		tried.push(body.path);
	const res = await registerWith(kind, body);
	await within(`${kind} ${describe(fields)}`, () => {
		error(res, want, code, field);
		noSecrets(res, credentials());
	});
	return res;
}

// The overriding fields for diagnostics; credentials only by their size.
function describe(fields) {
	return Object.entries(fields).map(([k, v]) => {
		if (k === 'auth_credential')
			return `${k}=<${String(v).length} bytes>`;
		const t = show(v);
		return `${k}=${t.length > 50 ? t.slice(0, 50) + '...' : t}`;
	}).join(' ');
}

const MISSING = /missing|required/;

for (const f of ['name', 'path', 'proxy_pass_url']) {
	test(`missing ${f}: 400 about ${f}`, async () => {
		await bad({ [f]: undefined }, 400, MISSING, f);
		await bad({ [f]: '' }, 400, null, f);
		await bad({ [f]: undefined }, 400, MISSING, f, 'form');
	});
}

const BAD_PATHS = [
	['/', 'only a slash'],
	['/bad path', 'a space'],
	['/a/b', 'an inner slash'],
	['/a//', 'two trailing slashes'],
	['/.hidden', 'a leading dot'],
	['/-dash', 'a leading dash'],
	['/_under', 'a leading underscore'],
	['/caf\u00e9', 'a non-ASCII letter'],
	['/semi;colon', 'a semicolon'],
	['/q?x=1', 'a query'],
	['/%2e%2e', 'percent signs'],
	['/..', 'dot-dot'],
	['/' + 'p'.repeat(65), '65 characters'],
];

for (const [p, what] of BAD_PATHS) {
	test(`path with ${what}: 400 invalid_path`, async () => {
		await bad({ path: p }, 400, 'invalid_path', 'path');
	});
}

const RESERVED = ['/API', '/api', '/Health', '/.well-known', '/register',
    '/REMOVE', '/toggle', '/metrics', '/ui', '/Static', '/login', '/logout',
    '/v0', '/V0.1', '/favicon.ico', 'health', '/api/'];

test('reserved names in any case: 400 invalid_path', async () => {
	for (const p of RESERVED)
		await bad({ path: p }, 400, 'invalid_path', 'path');
});

test('auth_scheme outside none|bearer|api_key: 400 invalid_auth_scheme',
    async () => {
	for (const s of ['basic', 'oauth', 'api-key', 'custom', ' bearer'])
		await bad({ auth_scheme: s, auth_credential: CRED.json }, 400,
		    'invalid_auth_scheme', 'auth_scheme');
	await bad({ auth_scheme: 'digest', auth_credential: CRED.form }, 400,
	    'invalid_auth_scheme', 'auth_scheme', 'form');
});

test('bearer or api_key without a credential: 400 missing_credential',
    async () => {
	await bad({ auth_scheme: 'bearer' }, 400, 'missing_credential',
	    'auth_credential');
	await bad({ auth_scheme: 'api_key', auth_credential: '' }, 400,
	    'missing_credential', 'auth_credential');
	await bad({ auth_scheme: 'bearer' }, 400, 'missing_credential',
	    'auth_credential', 'multipart');
});

test('credential with CR, LF or NUL: 400 about auth_credential',
    async () => {
	for (const c of [`${CRED.crlfA}\r\n${CRED.crlfB}`,
	    `${CRED.crlfA}\n${CRED.crlfB}`, `${CRED.crlfA}\r${CRED.crlfB}`]) {
		await bad({ auth_scheme: 'bearer', auth_credential: c }, 400, null,
		    'auth_credential');
	}
	await bad({ auth_scheme: 'api_key', auth_credential:
	    `${CRED.crlfA}\r\nX-Injected: 1` }, 400, null, 'auth_credential',
	    'form');
});

test('credential of 8192 bytes is fine; 8193 is 400 (not 413)',
    async () => {
	const { res } = await register({ auth_scheme: 'bearer',
	    auth_credential: sized(CRED.big, 8192) });
	eq(res.json.server.has_auth_credential, true, 'has_auth_credential',
	    res);
	await bad({ auth_scheme: 'bearer', auth_credential:
	    sized(CRED.huge, 8193) }, 400, null, 'auth_credential');
});

const BAD_HEADERS = ['Host', 'cookie', 'Cookie', 'X-Forwarded-For',
    'x-forwarded-host', 'bad header', 'Content-Length', 'Content-Type',
    'Transfer-Encoding', 'Connection', 'Accept', 'Mcp-Session-Id',
    'MCP-Protocol-Version', 'X-Bad:Colon', 'X-\u00fc', 'h'.repeat(257)];

test('reserved or malformed auth_header_name: 400 about auth_header_name',
    async () => {
	for (const h of BAD_HEADERS) {
		await bad({ auth_scheme: 'api_key', auth_credential: CRED.json,
		    auth_header_name: h }, 400, null, 'auth_header_name');
	}
	await bad({ auth_scheme: 'bearer', auth_credential: CRED.json,
	    auth_header_name: 'Host' }, 400, null, 'auth_header_name', 'form');
});

const BAD_TOOLS = [
	['not JSON', 'not json ['],
	['an object, not an array', '{"name":"t","inputSchema":{}}'],
	['a tool without name', '[{"inputSchema":{"type":"object"}}]'],
	['a tool without inputSchema', '[{"name":"t"}]'],
	['inputSchema not an object', '[{"name":"t","inputSchema":"x"}]'],
	['a name that is a number', '[{"name":5,"inputSchema":{}}]'],
	['a number instead of a tool', '[1]'],
	['one bad tool among good ones', '[{"name":"a","inputSchema":{}},' +
	    '{"name":"b"}]'],
];

for (const [what, text] of BAD_TOOLS) {
	test(`tool_list_json with ${what}: 400 invalid_tool_list_json`,
	    async () => {
		await bad({ tool_list_json: text }, 400,
		    'invalid_tool_list_json', 'tool_list_json', 'form');
		let v;
		try {
			v = JSON.parse(text);
		} catch {
			v = text;
		}
		await bad({ tool_list_json: v }, 400, 'invalid_tool_list_json',
		    'tool_list_json');
	});
}

const BAD_URLS = [
	['ftp scheme', 'ftp://127.0.0.1/'],
	['no scheme', '127.0.0.1:8000'],
	['not a URL', 'not a url'],
	['no host', 'http://'],
	['userinfo', 'http://user:pw@127.0.0.1:9/'],
	['a fragment', 'http://127.0.0.1:9/mcp#frag'],
	['the metadata address', 'http://169.254.169.254/'],
	['link-local IPv4', 'http://169.254.10.20:8000/mcp'],
	['the metadata address as a decimal number', 'http://2852039166/'],
	['the metadata address in hex', 'http://0xa9fea9fe/'],
	['link-local IPv6', 'http://[fe80::1]/'],
	['IPv4-mapped metadata address', 'http://[::ffff:169.254.169.254]/'],
	['the AWS IPv6 metadata address', 'http://[fd00:ec2::254]/'],
	['metadata.google.internal', 'http://metadata.google.internal/'],
	['metadata.google.internal in capitals',
	    'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/'],
	['the unspecified address', 'http://0.0.0.0:8000/'],
	['the IPv6 unspecified address', 'http://[::]:8000/'],
	['a multicast address', 'http://224.0.0.1/'],
	['the broadcast address', 'http://255.255.255.255/'],
	['over 2048 bytes', 'http://127.0.0.1:9/' + 'a'.repeat(2040)],
	['javascript scheme', 'javascript:alert(1)'],
];

for (const [what, u] of BAD_URLS) {
	test(`proxy_pass_url with ${what}: 400 about proxy_pass_url`,
	    async () => {
		await bad({ proxy_pass_url: u }, 400, null, 'proxy_pass_url');
	});
}

test('name of 200 characters is fine, 201 is 400', async () => {
	const n = 'N'.repeat(200);
	const { res } = await register({ name: n });
	eq(res.json.server.name, n, 'name', res);
	await bad({ name: 'N'.repeat(201) }, 400, null, 'name');
});

test('name with control characters: 400 about name', async () => {
	await bad({ name: `valfail-${RUN.tag} a\nb` }, 400, null, 'name');
});

// cJSON would cut a string at an escaped NUL, so the whole body is refused
// before any field is read; multipart NUL bytes are refused per field.
test('a NUL in any field: 400, nothing stored', async () => {
	await bad({ path: '/a\u0000b' }, 400, 'invalid_json', null);
	await bad({ name: `valfail-${RUN.tag} a\u0000b` }, 400, 'invalid_json',
	    null);
	await bad({ auth_scheme: 'bearer', auth_credential:
	    `${CRED.nul}\u0000${CRED.crlfB}` }, 400, 'invalid_json', null);
	await bad({ name: `valfail-${RUN.tag} a\u0000b` }, 400, null, 'name',
	    'multipart');
	await bad({ auth_scheme: 'bearer', auth_credential:
	    `${CRED.nul}\u0000${CRED.crlfB}` }, 400, null, 'auth_credential',
	    'multipart');
});

test('description of 4000 characters is fine, 4001 is 400', async () => {
	const d = 'D'.repeat(4000);
	const { res } = await register({ description: d });
	eq(res.json.server.description, d, 'description', res);
	await bad({ description: 'D'.repeat(4001) }, 400, null, 'description');
});

test('failed registrations stored nothing', async () => {
	ok(tried.length > 20, `only ${tried.length} failures were tried`);
	const token = await adminToken();
	const res = await get(`/api/servers?query=valfail-${RUN.tag}&limit=500`,
	    { token });
	const b = json(res, 200);
	eq(b.total_count, 0, 'servers named valfail-<run>', res);
	for (const p of tried.filter((x) => /^\/it-/.test(x))) {
		const g = await get(`/api/servers/${nameOf(p)}`, { token });
		eq(g.status, 404, `GET ${p}`, g);
	}
});

/* ---- duplicates and overwrite ---- */

test('a taken path is 409 path_exists, in any case or with a slash',
    async () => {
	const { path, server: first } = await register({ name: 'first' });
	const again = async (p, extra = {}) => {
		const res = await registerWith('json', { name: 'second', path: p,
		    proxy_pass_url: DEAD_URL, ...extra });
		error(res, 409, 'path_exists', 'path');
	};
	await again(path);
	await again(path, { overwrite: false });
	await again(path.toUpperCase());
	await again(path + '/');
	const g = await getServer(path);
	const s = server(json(g, 200), g);
	eq(s.name, 'first', 'name unchanged', g);
	eq(s.id, first.id, 'id unchanged', g);
});

test('case-insensitive uniqueness: /Foo then /foo is 409', async () => {
	const p = uniqPath('Case');
	await register({ path: p });
	const res = await registerWith('json', { name: 'lower', path:
	    p.toLowerCase(), proxy_pass_url: DEAD_URL });
	error(res, 409, 'path_exists', 'path');
});

test('overwrite=true replaces the server and keeps its id', async () => {
	const { path, server: first } = await register({ name: 'before',
	    description: 'old', tags: ['old'] });
	const res = await registerWith('json', { name: `after ${path}`, path,
	    proxy_pass_url: 'http://127.0.0.1:9/v2', overwrite: true,
	    auth_scheme: 'bearer', auth_credential: CRED.overwrite });
	ok(res.status === 201 || res.status === 200,
	    `overwrite: expected 201 or 200, got ${res.status}`, res);
	const s = server(json(res, 200, 201).server, res);
	eq(s.id, first.id, 'id kept', res);
	eq(s.name, `after ${path}`, 'name', res);
	eq(s.proxy_pass_url, 'http://127.0.0.1:9/v2', 'proxy_pass_url', res);
	eq(s.auth_scheme, 'bearer', 'auth_scheme', res);
	noSecrets(res, credentials());
	const g = await getServer(path);
	const t = server(json(g, 200), g);
	eq(t.id, first.id, 'id on GET', g);
	eq(t.name, `after ${path}`, 'name on GET', g);
	ok(ISO_Z.test(t.updated_at), 'updated_at', g);
	const list = json(await get(`/api/servers?query=${nameOf(path)}`,
	    { token: await adminToken() }), 200);
	eq(list.servers.filter((x) => x.path === path).length, 1,
	    'one server at the path', g);
});

test('overwrite=true as a form field works too', async () => {
	const { path, server: first } = await register({ name: 'form before' });
	const res = await registerWith('form', { name: 'form after', path,
	    proxy_pass_url: DEAD_URL, overwrite: 'true' });
	const s = server(json(res, 200, 201).server, res);
	eq(s.id, first.id, 'id kept', res);
	eq(s.name, 'form after', 'name', res);
});

/* ---- request is sent with no token ---- */

test('register without a token is 401', async () => {
	const res = await request('POST', '/api/servers/register', { json: {
	    name: 'anon', path: uniqPath('anon'), proxy_pass_url: DEAD_URL } });
	error(res, 401);
});
