// Server fixtures: register, fetch and delete through the API.
import { uniqPath, nameOf } from './env.mjs';
import { post, get, del } from './http.mjs';
import { adminToken } from './auth.mjs';
import { fail } from './check.mjs';

// A backend address nothing listens on: probes fail fast and locally.
export const DEAD_URL = 'http://127.0.0.1:9';

/*
 * Registers a server with JSON as the admin (or opts.token) and returns
 * {res, server, path}. Fields default to a valid minimal server.
 */
export async function register(fields = {}, opts = {}) {
	const path = fields.path || uniqPath(opts.what || 'srv');
	const body = { name: `Integ ${path}`, path, proxy_pass_url: DEAD_URL,
	    ...fields };
	const res = await post('/api/servers/register', {
	    token: opts.token || await adminToken(), json: body });
	if (opts.expect !== false && res.status !== 201) {
		fail(`register ${path}: expected 201, got ${res.status}`, res);
	}
	return { res, server: res.json && res.json.server, path };
}

export async function getServer(path, token) {
	return get(`/api/servers/${encodeURIComponent(nameOf(path))}`,
	    { token: token || await adminToken() });
}

// Deletes a server if it exists (for re-runnable fixed paths).
export async function ensureGone(path) {
	const res = await del(`/api/servers/${nameOf(path)}`,
	    { token: await adminToken() });
	if (res.status !== 200 && res.status !== 404)
		fail(`DELETE ${path}: expected 200 or 404, got ${res.status}`, res);
	return res;
}
