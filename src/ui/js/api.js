// The registry API over fetch, authenticated by the session cookie alone.
//
// Every state change sends Content-Type: application/json (the server
// refuses cookie-authenticated changes without it, which is what stops
// cross-site forms). Nothing is ever stored in localStorage or
// sessionStorage: the HttpOnly cookie is the only credential the page has.

export class ApiError extends Error {
	constructor(status, body, fallback) {
		const b = body && typeof body === 'object' ? body : {};
		super(b.reason || fallback || `HTTP ${status}`);
		this.status = status;
		this.code = b.error || (status ? `http_${status}` : 'network_error');
		this.field = b.field || null;
	}
}

const listeners = new Set();

// fn() is called when the API answers 401 (the session is gone).
export function onUnauthorized(fn) {
	listeners.add(fn);
}

export async function api(method, path, body) {
	const opt = {
		method,
		credentials: 'same-origin',
		cache: 'no-store',
		redirect: 'error',
		headers: { Accept: 'application/json' },
	};
	if (method !== 'GET') {
		opt.headers['Content-Type'] = 'application/json';
		// An empty body still carries Content-Length: 0, which web
		// servers want on a POST.
		opt.body = body === undefined ? '' : JSON.stringify(body);
	}
	let res;
	try {
		res = await fetch(path, opt);
	} catch (err) {
		throw new ApiError(0, null, 'The registry cannot be reached ' +
		    `(${err.message}).`);
	}
	const text = await res.text();
	let data;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	if (!res.ok) {
		const e = new ApiError(res.status, data,
		    `The server answered HTTP ${res.status}.`);
		if (res.status === 401 && path !== '/api/auth/login')
			for (const fn of listeners)
				fn(e);
		throw e;
	}
	return data;
}

export function serverPath(name) {
	return '/api/servers/' + encodeURIComponent(name);
}
