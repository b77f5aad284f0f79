// The UI's entry point: session check, hash routes, top bar.
import { api, onUnauthorized } from './api.js';
import { h, replace, toast } from './dom.js';
import { loginView } from './login.js';
import { listView } from './list.js';
import { detailView } from './detail.js';
import { serverForm } from './serverform.js';
import { tokenDialog } from './dialogs.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const tokenBtn = document.getElementById('get-token');
const whoami = document.getElementById('whoami');

// Who is logged in, from GET /api/auth/me; null on the login page.
let me = null;
let cleanup = null;
let afterLogin = '#/servers';

function canWrite() {
	const sc = me && me.scopes || [];
	return sc.includes('admin') || sc.includes('servers:write');
}

function navigate(hash) {
	if (location.hash === hash)
		route();
	else
		location.hash = hash;
}

function setChrome() {
	nav.hidden = !me;
	tokenBtn.hidden = !me;
	whoami.textContent = me ? me.username : '';
	document.getElementById('nav-register').hidden = !canWrite();
	for (const a of nav.querySelectorAll('a')) {
		const here = location.hash.startsWith(a.getAttribute('href')) &&
		    !(a.id === 'nav-servers' && location.hash.startsWith('#/register'));
		if (here)
			a.setAttribute('aria-current', 'page');
		else
			a.removeAttribute('aria-current');
	}
}

function showLogin() {
	me = null;
	setChrome();
	document.title = 'Log in · mcpgw registry';
	loginView(main, (who) => {
		me = who;
		const dest = afterLogin;
		afterLogin = '#/servers';
		// The login reply lacks some of /me's fields; fetch them.
		api('GET', '/api/auth/me').then((m) => { me = m; setChrome(); })
		    .catch(() => {});
		navigate(dest);
	});
}

function route() {
	if (cleanup) {
		cleanup();
		cleanup = null;
	}
	for (const d of document.querySelectorAll('dialog'))
		d.close();
	const hash = location.hash || '#/servers';
	if (!me) {
		if (hash !== '#/login')
			afterLogin = hash;
		if (hash !== '#/login')
			history.replaceState(null, '', '#/login');
		showLogin();
		return;
	}
	if (hash === '#/login') {
		history.replaceState(null, '', '#/servers');
		return route();
	}
	setChrome();
	const ctx = { me, canWrite: canWrite(), navigate };
	const [path, qs] = hash.slice(1).split('?');
	const params = new URLSearchParams(qs || '');
	let m;
	window.scrollTo(0, 0);
	if (path === '/servers' || path === '/' || path === '') {
		document.title = 'Servers · mcpgw registry';
		cleanup = listView(main, params, ctx);
	} else if (path === '/register') {
		document.title = 'Register a server · mcpgw registry';
		if (!ctx.canWrite)
			return denied();
		serverForm(main, null, navigate);
	} else if ((m = /^\/servers\/([^/]+)\/edit$/.exec(path))) {
		document.title = 'Edit server · mcpgw registry';
		if (!ctx.canWrite)
			return denied();
		editView(decode(m[1]));
	} else if ((m = /^\/servers\/([^/]+)$/.exec(path))) {
		const name = decode(m[1]);
		document.title = `/${name} · mcpgw registry`;
		cleanup = detailView(main, name, ctx);
	} else {
		replace(main, h('div.page-head', {}, h('h1', { text: 'Not found' }),
		    h('p', {}, h('a', { href: '#/servers', text: 'Back to the servers' }))));
	}
}

// A malformed %-escape in a hand-typed address is not a script error.
function decode(s) {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

function denied() {
	replace(main, h('div.page-head', {}, h('h1', { text: 'Not allowed' }),
	    h('p', { text: 'Your role cannot register or change servers.' })));
}

async function editView(name) {
	replace(main, h('p.loading', { text: 'Loading…' }));
	try {
		const s = await api('GET', '/api/servers/' + encodeURIComponent(name));
		serverForm(main, s, navigate);
	} catch (err) {
		replace(main, h('p.form-error', { role: 'alert',
		    text: 'Could not load the server: ' + err.message }));
	}
}

onUnauthorized(() => {
	if (!me)
		return;
	me = null;
	toast('Your session has ended: log in again.', 'warn');
	route();
});

tokenBtn.addEventListener('click', () => tokenDialog());
document.getElementById('logout').addEventListener('click', async () => {
	try {
		await api('POST', '/api/auth/logout');
	} catch {
		// Logged out either way: the session is dropped below.
	}
	me = null;
	afterLogin = '#/servers';
	navigate('#/login');
});
window.addEventListener('hashchange', route);

(async () => {
	try {
		me = await api('GET', '/api/auth/me');
	} catch {
		me = null;
	}
	// Bearer-token sessions have no cookie to make JWTs with; the UI
	// only ever runs on the session cookie.
	if (me && me.auth_method && me.auth_method !== 'session')
		me = null;
	route();
})();
