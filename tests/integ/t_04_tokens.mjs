// POST /api/tokens/generate: lifetimes, descriptions, scopes, and the JWT it mints.
import { confInt, uniqPath } from './lib/env.mjs';
import { get, post } from './lib/http.mjs';
import {
	adminSession, sessionOf, plainUser, decodeJwt, verifies, jwtKid, issuer,
} from './lib/auth.mjs';
import { noteToken } from './lib/secrets.mjs';
import { json, error, eq, ok, show, ISO_Z } from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function gen(body, cookie) {
	const res = await post('/api/tokens/generate', {
	    cookie: cookie || await adminSession(), json: body });
	if (res.json && res.json.access_token)
		noteToken(res.json.access_token);
	return res;
}

// Checks a 200 reply and returns it; hours is the lifetime asked for.
function minted(res, hours) {
	const b = json(res, 200);
	for (const k of ['access_token', 'token_type', 'expires_in',
	    'expires_at', 'scope', 'description'])
		ok(k in b, `reply lacks "${k}"`, res);
	eq(b.token_type, 'Bearer', 'token_type', res);
	eq(b.expires_in, hours * 3600, 'expires_in', res);
	ok(ISO_Z.test(b.expires_at), `expires_at ${show(b.expires_at)}`, res);
	const skew = Date.parse(b.expires_at) - (Date.now() + hours * 3600e3);
	ok(Math.abs(skew) < 120e3, `expires_at is ${skew} ms off now + ` +
	    'expires_in', res);
	const { payload } = decodeJwt(b.access_token);
	eq(payload.exp - payload.iat, b.expires_in, 'JWT exp - iat', res);
	ok(Math.abs(payload.exp * 1000 - Date.parse(b.expires_at)) < 1500,
	    'JWT exp differs from expires_at', res);
	eq(payload.scope, b.scope, 'JWT scope equals reply scope', res);
	return b;
}

test('default lifetime is token_default_hours', async () => {
	const hours = confInt('token_default_hours', 8);
	const res = await gen({ description: 'default lifetime' });
	const b = minted(res, hours);
	eq(b.description, 'default lifetime', 'description', res);
});

test('an empty JSON body is enough', async () => {
	minted(await gen({}), confInt('token_default_hours', 8));
});

test('the token is HS256 with the derived key, kid and registry claims',
    async () => {
	const res = await gen({ expires_in_hours: 1, description: 'claims' });
	const b = minted(res, 1);
	const { header, payload } = decodeJwt(b.access_token);
	eq(header.alg, 'HS256', 'alg', res);
	eq(header.kid, jwtKid(), 'kid (hex of HKDF "mcpgw key id")', res);
	ok(verifies(b.access_token), 'signature does not verify with HKDF ' +
	    'key "mcpgw jwt hs256"', res);
	eq(payload.iss, issuer(), 'iss', res);
	eq(payload.aud, 'mcp-registry', 'aud', res);
	ok(typeof payload.sub === 'string' && payload.sub.length > 0, 'sub',
	    res);
	ok(typeof payload.jti === 'string' && payload.jti.length >= 16,
	    `jti ${show(payload.jti)}`, res);
	eq(payload.description, 'claims', 'description claim', res);
	const again = minted(await gen({ expires_in_hours: 1 }), 1);
	ok(decodeJwt(again.access_token).payload.jti !== payload.jti,
	    'two tokens share a jti', res);
});

test('the returned token works on GET /api/servers', async () => {
	const b = minted(await gen({ expires_in_hours: 2 }), 2);
	json(await get('/api/servers', { token: b.access_token }), 200);
});

test('expires_in_hours = token_max_hours is accepted', async () => {
	const max = confInt('token_max_hours', 24);
	minted(await gen({ expires_in_hours: max }), max);
});

const BAD_HOURS = [0, -1, confInt('token_max_hours', 24) + 1, 'x', 1.5, true];

for (const h of BAD_HOURS) {
	test(`expires_in_hours ${show(h)}: 400 about expires_in_hours`,
	    async () => {
		error(await gen({ expires_in_hours: h }), 400, null,
		    'expires_in_hours');
	});
}

test('description of 256 characters is fine, 257 is 400', async () => {
	minted(await gen({ expires_in_hours: 1, description: 'd'.repeat(256) }),
	    1);
	error(await gen({ expires_in_hours: 1, description: 'd'.repeat(257) }),
	    400, null, 'description');
});

test('requested_scopes that are a subset narrow the token', async () => {
	const res = await gen({ expires_in_hours: 1,
	    requested_scopes: ['servers:read'] });
	const b = minted(res, 1);
	eq(b.scope, 'servers:read', 'scope', res);
	json(await get('/api/servers', { token: b.access_token }), 200);
	const w = await post('/api/servers/register', { token: b.access_token,
	    json: { name: 'narrow', path: uniqPath('narrow'),
	    proxy_pass_url: 'http://127.0.0.1:9' } });
	error(w, 403, 'insufficient_scope');
});

test('requested_scopes beyond the user\'s are 403', async () => {
	const u = await plainUser();
	const cookie = await sessionOf(u.name, u.password);
	const ok1 = minted(await gen({ expires_in_hours: 1,
	    requested_scopes: ['servers:read'] }, cookie), 1);
	eq(ok1.scope, 'servers:read', 'subset scope', null);
	error(await gen({ expires_in_hours: 1,
	    requested_scopes: ['servers:read', 'servers:write'] }, cookie), 403);
	error(await gen({ expires_in_hours: 1, requested_scopes: ['admin'] },
	    cookie), 403);
});

test('requested_scopes that is not an array of strings is 400', async () => {
	error(await gen({ requested_scopes: 'servers:read' }), 400, null,
	    'requested_scopes');
	error(await gen({ requested_scopes: [1] }), 400, null,
	    'requested_scopes');
});

test('without a session: 401', async () => {
	error(await post('/api/tokens/generate', { json: {} }), 401);
});

test('malformed JSON body: 400', async () => {
	error(await post('/api/tokens/generate', { cookie: await adminSession(),
	    body: '{"expires_in_hours": ', contentType: 'application/json' }),
	    400);
});
