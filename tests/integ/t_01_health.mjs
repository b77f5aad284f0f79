// GET /health and GET /api/version: no authentication, fixed shapes.
import { get } from './lib/http.mjs';
import { json, eq, ok, show } from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('GET /health is 200 with status ok, database ok and a version',
    async () => {
	const res = await get('/health');
	const b = json(res, 200);
	eq(b.status, 'ok', 'status', res);
	eq(b.database, 'ok', 'database', res);
	ok(typeof b.version === 'string' && b.version.length > 0,
	    `version ${show(b.version)} is not a non-empty string`, res);
});

test('GET /health needs no token and ignores a bad one', async () => {
	const res = await get('/health', { token: 'not.a.jwt' });
	eq(json(res, 200).status, 'ok', 'status', res);
});

test('GET /api/version is 200 with version and git strings', async () => {
	const res = await get('/api/version');
	const b = json(res, 200);
	ok(typeof b.version === 'string' && b.version.length > 0,
	    `version ${show(b.version)}`, res);
	ok(typeof b.git === 'string', `git ${show(b.git)}`, res);
	const h = json(await get('/health'), 200);
	eq(h.version, b.version, '/health version equals /api/version', res);
});
