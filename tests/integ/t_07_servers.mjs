// Reading and changing servers: list, search, paging, get, PATCH, DELETE, remove, toggle, health.
import { RUN, nameOf } from './lib/env.mjs';
import { get, post, patch, del } from './lib/http.mjs';
import { adminToken } from './lib/auth.mjs';
import { CRED, credentials } from './lib/secrets.mjs';
import { register, getServer, DEAD_URL } from './lib/servers.mjs';
import {
	json, error, eq, ok, deepEq, show, server, noSecrets, within, ISO_Z,
} from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const W = `Qz${RUN.tag}`;	// a word only the search group contains
const W2 = `Sq${RUN.tag}`;	// a word only the SQL tests' servers contain
let group = null;

// Five servers that each match W through a different field.
async function searchGroup() {
	if (group)
		return group;
	const tool = (n) => [{ name: n, inputSchema: { type: 'object' } }];
	const specs = [
		['byname', { name: `Alpha ${W} Server` }],
		['bydesc', { description: `described as ${W.toLowerCase()} here` }],
		['bytag', { tags: ['misc', `Tag${W}`] }],
		['bytool', { tool_list_json: tool(`tool_${W.toUpperCase()}_run`) }],
		['byname2', { name: `Omega ${W.toUpperCase()}` }],
	];
	const paths = {};
	for (const [k, f] of specs)
		paths[k] = (await register(f, { what: k })).path;
	group = paths;
	return group;
}

async function list(qs) {
	const res = await get(`/api/servers?${qs}`, { token: await adminToken() });
	return { res, b: json(res, 200) };
}

function listShape(res, b) {
	for (const k of ['servers', 'total_count', 'limit', 'offset',
	    'has_next'])
		ok(k in b, `list lacks "${k}"`, res);
	ok(Array.isArray(b.servers), 'servers is not an array', res);
	ok(Number.isInteger(b.total_count), 'total_count', res);
	eq(typeof b.has_next, 'boolean', 'has_next type', res);
	eq(b.has_next, b.offset + b.servers.length < b.total_count,
	    'has_next = offset + page < total_count', res);
	ok(b.servers.length <= b.limit, 'more servers than limit', res);
}

/* ---- list and search ---- */

test('list: shape and the default limit of 20', async () => {
	const { res, b } = await list('');
	listShape(res, b);
	eq(b.limit, 20, 'default limit', res);
	eq(b.offset, 0, 'default offset', res);
	for (const s of b.servers)
		server(s, res, { tools: false });
	noSecrets(res, credentials());
});

test('query matches name, description, tags and tool names', async () => {
	const g = await searchGroup();
	const { res, b } = await list(`query=${W}&limit=100`);
	listShape(res, b);
	const got = b.servers.map((s) => s.path).sort();
	deepEq(got, Object.values(g).sort(), `servers matching ${W}`, res);
	eq(b.total_count, 5, 'total_count', res);
});

test('query is case-insensitive', async () => {
	const g = await searchGroup();
	for (const q of [W.toLowerCase(), W.toUpperCase(),
	    `tag${W}`.toUpperCase(), `TOOL_${W}_RUN`.toLowerCase()]) {
		const { res, b } = await list(`query=${encodeURIComponent(q)}`);
		ok(b.total_count >= 1, `query ${show(q)} found nothing`, res);
	}
	let { res, b } = await list(`query=${encodeURIComponent(
	    `tag${W}`.toUpperCase())}`);
	deepEq(b.servers.map((s) => s.path), [g.bytag], 'tag match', res);
	({ res, b } = await list(`query=${encodeURIComponent(
	    `TOOL_${W}_RUN`.toLowerCase())}`));
	deepEq(b.servers.map((s) => s.path), [g.bytool], 'tool match', res);
});

test('limit and offset page through the matches', async () => {
	const g = await searchGroup();
	const seen = [];
	let offset = 0;
	for (let i = 0; i < 3; i++) {
		const { res, b } = await list(`query=${W}&limit=2&offset=${offset}`);
		listShape(res, b);
		eq(b.limit, 2, 'limit', res);
		eq(b.offset, offset, 'offset', res);
		eq(b.total_count, 5, 'total_count', res);
		eq(b.servers.length, i < 2 ? 2 : 1, `page ${i} size`, res);
		eq(b.has_next, i < 2, `page ${i} has_next`, res);
		seen.push(...b.servers.map((s) => s.path));
		offset += 2;
	}
	deepEq(seen.slice().sort(), Object.values(g).sort(),
	    'pages cover every match once', null);
	const { res, b } = await list(`query=${W}&limit=2&offset=10`);
	eq(b.servers.length, 0, 'page past the end', res);
	eq(b.has_next, false, 'has_next past the end', res);
	eq(b.total_count, 5, 'total_count past the end', res);
});

test('limit 500 is accepted; 0, 501, -1 and "abc" are 400', async () => {
	const { b } = await list('limit=500');
	eq(b.limit, 500, 'limit', null);
	const token = await adminToken();
	for (const l of ['0', '501', '-1', 'abc']) {
		error(await get(`/api/servers?limit=${l}`, { token }), 400, null,
		    'limit');
	}
	error(await get('/api/servers?offset=-1', { token }), 400, null,
	    'offset');
});

test('include_tools=true adds tool_list to list items', async () => {
	const g = await searchGroup();
	let { res, b } = await list(`query=tool_${W}_run&include_tools=true`);
	eq(b.servers.length, 1, 'matches', res);
	server(b.servers[0], res, { tools: true });
	eq(b.servers[0].path, g.bytool, 'path', res);
	eq(b.servers[0].tool_list[0].name, `tool_${W.toUpperCase()}_run`,
	    'tool name', res);
	({ res, b } = await list(`query=tool_${W}_run&include_tools=false`));
	server(b.servers[0], res, { tools: false });
});

test('a query matching nothing is an empty page, not an error',
    async () => {
	const { res, b } = await list(`query=nothing-matches-${RUN.tag}-zz`);
	eq(b.total_count, 0, 'total_count', res);
	deepEq(b.servers, [], 'servers', res);
	eq(b.has_next, false, 'has_next', res);
});

/* ---- get ---- */

test('GET /api/servers/{name}: the full resource', async () => {
	const { path, server: s0 } = await register({ description: 'get me',
	    tags: ['g'] });
	const res = await getServer(path);
	const s = server(json(res, 200), res, { tools: true });
	eq(s.id, s0.id, 'id', res);
	eq(s.path, path, 'path', res);
	eq(s.description, 'get me', 'description', res);
	deepEq(s.tags, ['g'], 'tags', res);
	deepEq(s.tool_list, [], 'tool_list', res);
});

test('GET an unknown server: 404 server_not_found', async () => {
	const res = await get(`/api/servers/no-such-${RUN.tag}`,
	    { token: await adminToken() });
	error(res, 404, 'server_not_found');
});

/* ---- PATCH ---- */

test('PATCH merges the given fields and leaves the rest', async () => {
	const { path, server: s0 } = await register({ name: 'patch me',
	    description: 'before', tags: ['t1'], license: 'MIT',
	    auth_scheme: 'bearer', auth_credential: CRED.patch });
	const token = await adminToken();
	let res = await patch(`/api/servers/${nameOf(path)}`, { token,
	    json: { description: 'after' } });
	let s = server(json(res, 200), res);
	eq(s.description, 'after', 'description', res);
	eq(s.name, 'patch me', 'name unchanged', res);
	deepEq(s.tags, ['t1'], 'tags unchanged', res);
	eq(s.license, 'MIT', 'license unchanged', res);
	eq(s.auth_scheme, 'bearer', 'auth_scheme unchanged', res);
	eq(s.has_auth_credential, true, 'credential kept', res);
	eq(s.id, s0.id, 'id', res);
	ok(Date.parse(s.updated_at) >= Date.parse(s0.updated_at),
	    'updated_at went back', res);
	res = await patch(`/api/servers/${nameOf(path)}`, { token, json: {
	    name: 'patched', tags: ['t2', 't3'], license: 'Apache-2.0',
	    proxy_pass_url: 'http://127.0.0.1:9/other', is_enabled: false } });
	s = server(json(res, 200), res);
	eq(s.name, 'patched', 'name', res);
	deepEq(s.tags, ['t2', 't3'], 'tags', res);
	eq(s.license, 'Apache-2.0', 'license', res);
	eq(s.proxy_pass_url, 'http://127.0.0.1:9/other', 'proxy_pass_url', res);
	eq(s.is_enabled, false, 'is_enabled', res);
	eq(s.health_status, 'disabled', 'health_status', res);
	eq(s.description, 'after', 'description kept', res);
	noSecrets(res, credentials());
	const g = await getServer(path);
	const t = server(json(g, 200), g);
	eq(t.name, 'patched', 'stored name', g);
	eq(t.is_enabled, false, 'stored is_enabled', g);
	eq(t.credential_updated_at, s0.credential_updated_at,
	    'credential_updated_at untouched', g);
});

test('PATCH tool_list_json sets manual tools; invalid is 400', async () => {
	const { path } = await register({});
	const token = await adminToken();
	const tools = [{ name: 'p1', inputSchema: { type: 'object' } },
	    { name: 'p2', inputSchema: {}, title: 'two' }];
	let res = await patch(`/api/servers/${nameOf(path)}`, { token,
	    json: { tool_list_json: tools } });
	let s = server(json(res, 200), res);
	eq(s.tools_source, 'manual', 'tools_source', res);
	eq(s.num_tools, 2, 'num_tools', res);
	const g = await getServer(path);
	deepEq(json(g, 200).tool_list, tools, 'tool_list', g);
	res = await patch(`/api/servers/${nameOf(path)}`, { token,
	    json: { tool_list_json: [{ name: 'no schema' }] } });
	error(res, 400, 'invalid_tool_list_json', 'tool_list_json');
	s = server(json(await getServer(path), 200));
	eq(s.num_tools, 2, 'num_tools after a refused PATCH', null);
});

test('PATCH validates like register', async () => {
	const { path } = await register({ name: 'valid' });
	const token = await adminToken();
	const url = `/api/servers/${nameOf(path)}`;
	const cases = [
		[{ proxy_pass_url: 'http://169.254.169.254/' }, 'proxy_pass_url'],
		[{ proxy_pass_url: 'ftp://x/' }, 'proxy_pass_url'],
		[{ name: 'n'.repeat(201) }, 'name'],
		[{ description: 'd'.repeat(4001) }, 'description'],
		[{ is_enabled: 'yes' }, 'is_enabled'],
		[{ tags: 5 }, 'tags'],
	];
	for (const [body, field] of cases) {
		await within(`PATCH ${show(body).slice(0, 60)}`, async () => {
			error(await patch(url, { token, json: body }), 400, null,
			    field);
		});
	}
	error(await patch(url, { token, json: { name: 'a\u0000b' } }), 400,
	    'invalid_json');
	error(await patch(url, { token, body: '{"name": ',
	    contentType: 'application/json' }), 400);
	error(await patch(url, { token, body: 'name=x',
	    contentType: 'text/plain' }), 415, 'unsupported_media_type');
	const s = server(json(await getServer(path), 200));
	eq(s.name, 'valid', 'name after refused PATCHes', null);
	eq(s.proxy_pass_url, DEAD_URL, 'proxy_pass_url after refused PATCHes',
	    null);
	eq(s.is_enabled, true, 'is_enabled after refused PATCHes', null);
});

test('PATCH with credential fields: 422, nothing changed', async () => {
	const { path } = await register({ auth_scheme: 'bearer',
	    auth_credential: CRED.patch, description: 'cred' });
	const token = await adminToken();
	const url = `/api/servers/${nameOf(path)}`;
	for (const body of [{ auth_credential: CRED.rotated },
	    { auth_scheme: 'none' }, { auth_header_name: 'X-Other' },
	    { description: 'sneaky', auth_credential: CRED.rotated }]) {
		const res = await patch(url, { token, json: body });
		error(res, 422);
		noSecrets(res, credentials());
	}
	const s = server(json(await getServer(path), 200));
	eq(s.description, 'cred', 'description unchanged', null);
	eq(s.auth_scheme, 'bearer', 'auth_scheme unchanged', null);
	eq(s.auth_header_name, 'Authorization', 'auth_header_name unchanged',
	    null);
});

test('PATCH with an unknown or read-only field is refused', async () => {
	const { path, server: s0 } = await register({ description: 'ro' });
	const token = await adminToken();
	const url = `/api/servers/${nameOf(path)}`;
	for (const body of [{ bogus: 1 }, { id: '00000000-0000-0000-0000-' +
	    '000000000000' }, { path: '/elsewhere' }, { registered_by: 'x' },
	    { num_tools: 9 }]) {
		const res = await patch(url, { token, json: body });
		ok(res.status === 400 || res.status === 422, `PATCH ` +
		    `${show(body)}: expected 400 or 422, got ${res.status}`, res);
		error(res, [400, 422]);
	}
	const s = server(json(await getServer(path), 200));
	eq(s.id, s0.id, 'id', null);
	eq(s.registered_by, s0.registered_by, 'registered_by', null);
});

test('PATCH an unknown server: 404 server_not_found', async () => {
	const res = await patch(`/api/servers/no-such-${RUN.tag}`, {
	    token: await adminToken(), json: { description: 'x' } });
	error(res, 404, 'server_not_found');
});

/* ---- DELETE and remove ---- */

test('DELETE /api/servers/{name}: 200 {message, path}, then 404',
    async () => {
	const { path } = await register({});
	const token = await adminToken();
	const res = await del(`/api/servers/${nameOf(path)}`, { token });
	const b = json(res, 200);
	ok(typeof b.message === 'string' && b.message, 'message', res);
	eq(b.path, path, 'path', res);
	error(await getServer(path), 404, 'server_not_found');
	error(await del(`/api/servers/${nameOf(path)}`, { token }), 404,
	    'server_not_found');
	const { b: l } = await list(`query=${nameOf(path)}`);
	eq(l.total_count, 0, 'deleted server still listed', null);
});

test('a deleted path can be registered again with a new id', async () => {
	const { path, server: s0 } = await register({});
	json(await del(`/api/servers/${nameOf(path)}`,
	    { token: await adminToken() }), 200);
	const { server: s1 } = await register({ path });
	ok(s1.id !== s0.id, 'the new server reused the old id');
});

test('POST /api/servers/remove with form path: 200, then 404', async () => {
	const { path } = await register({});
	const token = await adminToken();
	const res = await post('/api/servers/remove', { token,
	    form: { path } });
	const b = json(res, 200);
	ok(typeof b.message === 'string' && b.message, 'message', res);
	eq(b.path, path, 'path', res);
	error(await getServer(path), 404, 'server_not_found');
	error(await post('/api/servers/remove', { token, form: { path } }), 404,
	    'server_not_found');
});

test('remove accepts the path without its leading slash', async () => {
	const { path } = await register({});
	const res = await post('/api/servers/remove', {
	    token: await adminToken(), form: { path: nameOf(path) } });
	eq(json(res, 200).path, path, 'path', res);
});

test('remove without a path: 400', async () => {
	error(await post('/api/servers/remove', { token: await adminToken(),
	    form: { other: 'x' } }), 400, null, 'path');
});

/* ---- toggle ---- */

function toggled(res, path, state) {
	const b = json(res, 200);
	for (const k of ['message', 'service_path', 'new_enabled_state',
	    'status', 'last_checked_iso', 'num_tools'])
		ok(k in b, `toggle reply lacks "${k}"`, res);
	eq(b.service_path, path, 'service_path', res);
	eq(b.new_enabled_state, state, 'new_enabled_state', res);
	ok(Number.isInteger(b.num_tools), 'num_tools', res);
	ok(b.last_checked_iso === null || ISO_Z.test(b.last_checked_iso),
	    `last_checked_iso ${show(b.last_checked_iso)}`, res);
	if (!state)
		eq(b.status, 'disabled', 'status when disabled', res);
	else
		ok(b.status !== 'disabled', 'status is still disabled', res);
	return b;
}

test('toggle with a form: disable, then the server shows disabled',
    async () => {
	const { path } = await register({ auth_scheme: 'bearer',
	    auth_credential: CRED.toggle });
	const token = await adminToken();
	const res = await post('/api/servers/toggle', { token,
	    form: { path, new_state: 'false' } });
	toggled(res, path, false);
	noSecrets(res, credentials());
	const s = server(json(await getServer(path), 200));
	eq(s.is_enabled, false, 'is_enabled', null);
	eq(s.health_status, 'disabled', 'health_status', null);
	const h = json(await get('/api/servers/health', { token }), 200);
	ok(h[path], `health map lacks ${path}`);
	eq(h[path].status, 'disabled', 'health map status', null);
});

test('toggle with JSON: enable again', async () => {
	const { path } = await register({ enabled: false });
	const token = await adminToken();
	const res = await post('/api/servers/toggle', { token,
	    json: { path, new_state: true } });
	toggled(res, path, true);
	const s = server(json(await getServer(path), 200));
	eq(s.is_enabled, true, 'is_enabled', null);
	ok(s.health_status !== 'disabled', 'health_status still disabled');
});

test('toggle an unknown path: 404 server_not_found', async () => {
	const res = await post('/api/servers/toggle', {
	    token: await adminToken(), form: { path: `/no-such-${RUN.tag}`,
	    new_state: 'true' } });
	error(res, 404, 'server_not_found');
});

test('toggle without new_state or path, or with junk: 400', async () => {
	const { path } = await register({});
	const token = await adminToken();
	error(await post('/api/servers/toggle', { token, form: { path } }), 400,
	    null, 'new_state');
	error(await post('/api/servers/toggle', { token,
	    form: { new_state: 'true' } }), 400, null, 'path');
	error(await post('/api/servers/toggle', { token,
	    json: { path, new_state: 'maybe' } }), 400, null, 'new_state');
	eq(server(json(await getServer(path), 200)).is_enabled, true,
	    'is_enabled unchanged', null);
});

/* ---- health map ---- */

test('GET /api/servers/health: {"/path": {status, last_checked_iso, ' +
    'num_tools}}', async () => {
	const { path } = await register({ tool_list_json: [{ name: 'h1',
	    inputSchema: {} }] });
	const res = await get('/api/servers/health',
	    { token: await adminToken() });
	const b = json(res, 200);
	ok(b[path], `no entry for ${path}`, res);
	for (const [p, v] of Object.entries(b)) {
		ok(/^\//.test(p), `key ${show(p)} is not a path`, res);
		for (const k of ['status', 'last_checked_iso', 'num_tools'])
			ok(k in v, `${p} lacks "${k}"`, res);
		ok(typeof v.status === 'string', `${p} status`, res);
		ok(v.last_checked_iso === null || ISO_Z.test(v.last_checked_iso),
		    `${p} last_checked_iso ${show(v.last_checked_iso)}`, res);
		ok(Number.isInteger(v.num_tools), `${p} num_tools`, res);
	}
	eq(b[path].num_tools, 1, 'num_tools of the manual list', res);
});

test('GET /api/servers/health needs a token', async () => {
	error(await get('/api/servers/health'), 401);
});

/* ---- SQL metacharacters ---- */

test('SQL and LIKE metacharacters are stored and searched literally',
    async () => {
	const evil = `Robert'); DROP TABLE servers; -- ${W2}`;
	const desc = `'; DROP TABLE servers; -- \\ $1 %s ${W2} "q" \u00e9`;
	const { path } = await register({ name: evil, description: desc,
	    tags: [`it's-${W2}`] });
	const s = server(json(await getServer(path), 200));
	eq(s.name, evil, 'name verbatim', null);
	eq(s.description, desc, 'description verbatim', null);
	deepEq(s.tags, [`it's-${W2}`], 'tag verbatim', null);
	const { res, b } = await list(`query=${encodeURIComponent(
	    `'); DROP TABLE servers; -- ${W2}`)}`);
	deepEq(b.servers.map((x) => x.path), [path], 'literal search', res);
	json(await get('/health'), 200);
});

test('% and _ in a query are not wildcards', async () => {
	const { path: lit } = await register({ name: `Lit _%x ${W2}` });
	const { path: other } = await register({ name: `Lit yx ${W2}` });
	let { res, b } = await list(`query=${encodeURIComponent(`_%x ${W2}`)}`);
	deepEq(b.servers.map((x) => x.path), [lit], 'query "_%x W"', res);
	({ res, b } = await list(`query=${encodeURIComponent('%')}${W2}`));
	ok(!b.servers.some((x) => x.path === other),
	    `query "%${W2}" matched a name without a %`, res);
	ok(!b.servers.some((x) => x.path === lit),
	    `query "%${W2}" matched "_%x ${W2}" (no "%${W2}" in it)`, res);
});
