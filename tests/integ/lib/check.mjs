// Assertions that fail with diagnostics (request, status, body excerpt) and never print secrets.

export class Failure extends Error {
	constructor(msg, res) {
		super(msg);
		this.res = res;
	}
}

export class Skip extends Error {}

export function fail(msg, res) {
	throw new Failure(msg, res);
}

export function skip(why) {
	throw new Skip(why);
}

// Runs fn; a failure's message is prefixed with label (which case failed).
export async function within(label, fn) {
	try {
		return await fn();
	} catch (e) {
		if (e instanceof Failure || e.transport)
			e.message = `${label}: ${e.message}`;
		throw e;
	}
}

export function ok(cond, msg, res) {
	if (!cond)
		fail(msg, res);
}

// Short printable form of a value that is known not to be secret.
export function show(v) {
	let s;
	try {
		s = JSON.stringify(v);
	} catch {
		s = String(v);
	}
	if (s === undefined)
		s = 'undefined';
	return s.length > 200 ? s.slice(0, 200) + '...' : s;
}

export function eq(actual, expected, what, res) {
	if (actual !== expected) {
		fail(`${what}: expected ${show(expected)}, got ${show(actual)}`,
		    res);
	}
}

export function deepEq(actual, expected, what, res) {
	if (JSON.stringify(canon(actual)) !== JSON.stringify(canon(expected))) {
		fail(`${what}: expected ${show(expected)}, got ${show(actual)}`,
		    res);
	}
}

function canon(v) {
	if (Array.isArray(v))
		return v.map(canon);
	if (v && typeof v === 'object') {
		const o = {};
		for (const k of Object.keys(v).sort())
			o[k] = canon(v[k]);
		return o;
	}
	return v;
}

export function status(res, ...want) {
	if (!want.includes(res.status)) {
		fail(`${res.method} ${res.target}: expected status ` +
		    `${want.join(' or ')}, got ${res.status}`, res);
	}
	return res;
}

// The parsed JSON object of a reply with a JSON content type.
export function jsonBody(res) {
	const ct = res.header('content-type') || '';
	ok(/^application\/json\b/i.test(ct),
	    `${res.method} ${res.target}: Content-Type ${show(ct)} is not ` +
	    'application/json', res);
	ok(res.json !== undefined && res.json !== null &&
	    typeof res.json === 'object',
	    `${res.method} ${res.target}: body is not a JSON object`, res);
	return res.json;
}

// status + JSON object in one call.
export function json(res, ...want) {
	status(res, ...want);
	return jsonBody(res);
}

/*
 * An error reply: the status, then the SPEC §5 envelope. code is a string
 * (exact), a RegExp, or null (any snake_case code). field is a string
 * (must equal), null (not checked) or undefined (not checked).
 */
export function error(res, want, code, field) {
	const wants = Array.isArray(want) ? want : [want];
	status(res, ...wants);
	const b = jsonBody(res);
	ok(typeof b.error === 'string' && /^[a-z][a-z0-9_]*$/.test(b.error),
	    `${res.method} ${res.target}: "error" ${show(b.error)} is not a ` +
	    'snake_case code', res);
	ok(typeof b.reason === 'string' && b.reason.length > 0,
	    `${res.method} ${res.target}: "reason" missing or empty`, res);
	if (typeof code === 'string')
		eq(b.error, code, `${res.method} ${res.target}: error code`, res);
	else if (code instanceof RegExp) {
		ok(code.test(b.error), `${res.method} ${res.target}: error ` +
		    `code ${show(b.error)} does not match ${code}`, res);
	}
	if (typeof field === 'string')
		eq(b.field, field, `${res.method} ${res.target}: error field`, res);
	return b;
}

// The reply must contain none of the given secrets, in any header or body.
export function noSecrets(res, secrets) {
	const hay = res.text + '\n' + JSON.stringify(res.headers) + '\n' +
	    res.setCookies.join('\n');
	for (const s of secrets) {
		if (s && hay.includes(s)) {
			fail(`${res.method} ${res.target}: reply contains a ` +
			    `credential (starting ${show(s.slice(0, 6))}...)`, res);
		}
	}
}

export const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const HEALTH = ['healthy', 'unhealthy', 'auth_failed', 'unknown', 'disabled'];
const SCHEMES = ['none', 'bearer', 'api_key'];
const SOURCES = ['discovered', 'manual', 'none'];

function isoOrNull(v) {
	return v === null || (typeof v === 'string' && ISO_Z.test(v));
}

function strOrNull(v) {
	return v === null || typeof v === 'string';
}

/*
 * A server resource of SPEC §4. opts.tools: true (tool_list required),
 * false (must be absent), undefined (either).
 */
export function server(s, res, opts = {}) {
	const w = (m) => `server ${s && s.path}: ${m}`;
	ok(s && typeof s === 'object', 'server is not an object', res);
	const checks = [
		['id', typeof s.id === 'string' && UUID.test(s.id)],
		['path', typeof s.path === 'string' &&
		    /^\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s.path)],
		['name', typeof s.name === 'string'],
		['description', typeof s.description === 'string'],
		['proxy_pass_url', typeof s.proxy_pass_url === 'string'],
		['tags', Array.isArray(s.tags) &&
		    s.tags.every((t) => typeof t === 'string')],
		['license', typeof s.license === 'string'],
		['is_enabled', typeof s.is_enabled === 'boolean'],
		['auth_scheme', SCHEMES.includes(s.auth_scheme)],
		['auth_header_name', strOrNull(s.auth_header_name)],
		['has_auth_credential', typeof s.has_auth_credential === 'boolean'],
		['credential_updated_at', isoOrNull(s.credential_updated_at)],
		['health_status', HEALTH.includes(s.health_status)],
		['health_detail', strOrNull(s.health_detail)],
		['last_checked_iso', isoOrNull(s.last_checked_iso)],
		['server_info', s.server_info === null ||
		    (typeof s.server_info === 'object' &&
		    !Array.isArray(s.server_info))],
		['protocol_version', strOrNull(s.protocol_version)],
		['num_tools', Number.isInteger(s.num_tools) && s.num_tools >= 0],
		['tools_source', SOURCES.includes(s.tools_source)],
		['registered_by', typeof s.registered_by === 'string'],
		['registered_at', typeof s.registered_at === 'string' &&
		    ISO_Z.test(s.registered_at)],
		['updated_at', typeof s.updated_at === 'string' &&
		    ISO_Z.test(s.updated_at)],
	];
	for (const [k, good] of checks) {
		ok(k in s, w(`field "${k}" missing`), res);
		ok(good, w(`field "${k}" has a bad value ${show(s[k])}`), res);
	}
	if (opts.tools === true) {
		ok(Array.isArray(s.tool_list), w('tool_list missing'), res);
	} else if (opts.tools === false) {
		ok(!('tool_list' in s), w('tool_list present without ' +
		    'include_tools'), res);
	}
	if ('tool_list' in s)
		ok(Array.isArray(s.tool_list), w('tool_list not an array'), res);
	// No field may carry the credential or its ciphertext.
	for (const k of Object.keys(s)) {
		if (k === 'has_auth_credential' || k === 'credential_updated_at')
			continue;
		ok(!/credential|secret|cipher|encrypt|_enc$/i.test(k),
		    w(`unexpected field "${k}" looks like a credential`), res);
	}
	if (s.auth_scheme === 'none') {
		eq(s.has_auth_credential, false, w('has_auth_credential'), res);
		eq(s.auth_header_name, null, w('auth_header_name'), res);
	} else {
		eq(s.has_auth_credential, true, w('has_auth_credential'), res);
		ok(typeof s.auth_header_name === 'string' &&
		    s.auth_header_name.length > 0, w('auth_header_name'), res);
	}
	if (!s.is_enabled)
		eq(s.health_status, 'disabled', w('health_status'), res);
	return s;
}
