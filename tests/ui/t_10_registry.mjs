// The registry UI end to end in chromium: login, register, health and tools, rotation, JWT, toggle, edit, XSS, delete.
import crypto from 'node:crypto';
import { env, uniqPath, RUN } from './lib/env.mjs';
import { DESKTOP, PHONE } from './lib/browser.mjs';
import { bearerBackend } from './lib/backend.mjs';
import { ok, eq, curl, apiCurl, until } from './lib/check.mjs';

const st = {
	backend: null,
	// The backend's real credential and a wrong one, never shown by the UI.
	credential: 'ui-good-' + crypto.randomBytes(12).toString('hex'),
	wrong: 'ui-wrong-' + crypto.randomBytes(12).toString('hex'),
	path: uniqPath('bearer'),
	name: `UI bearer server ${RUN}`,
	xssPath: uniqPath('xss'),
	xssName: '<img src=x onerror=alert(1)>',
	page: null,
	token: null,
};
const nameOf = (p) => p.slice(1);
const detailUrl = (p) => `/ui/#/servers/${nameOf(p)}`;

async function login(page) {
	await page.goto('/');
	await page.waitForSelector('#login-form');
	await page.fill('#login-user', env.adminUser);
	await page.fill('#login-pass', env.adminPassword);
	await page.click('#login-form button[type=submit]');
	await page.waitForSelector('#servers, .empty:not([hidden])');
}

async function noHorizontalScroll(page, what) {
	const [sw, iw] = await page.evaluate(() =>
		[document.documentElement.scrollWidth, window.innerWidth]);
	ok(sw <= iw, `${what}: the page is ${sw} px wide in a ${iw} px viewport`);
}

async function healthText(page) {
	return (await page.textContent('#health-status')).trim();
}

export async function before(fx) {
	st.backend = await bearerBackend(st.credential);
	st.page = await fx.open('desktop', DESKTOP);
}

export async function after(fx) {
	if (st.backend)
		await st.backend.stop();
	// Leave nothing behind (the XSS server is deleted by its test).
	const page = fx.pages.get('desktop');
	if (page && st.token) {
		for (const p of [st.path, st.xssPath])
			await apiCurl('DELETE', `/api/servers/${nameOf(p)}`, st.token);
	}
}

export const tests = [
	{
		name: '/ redirects to /ui/, served with a CSP without inline script and the security headers',
		fn: async () => {
			const r = await fetch(env.url + '/', { redirect: 'manual' });
			ok([301, 302, 303, 307, 308].includes(r.status),
			    `GET / answered ${r.status}, not a redirect`);
			ok(/\/ui\/$/.test(r.headers.get('location') || ''),
			    `GET / redirects to ${r.headers.get('location')}`);
			for (const p of ['/ui/', '/ui/js/main.js', '/ui/app.css']) {
				const u = await fetch(env.url + p);
				eq(u.status, 200, `GET ${p}`);
				const csp = u.headers.get('content-security-policy') || '';
				ok(/script-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp),
				    `${p}: CSP ${csp}`);
				ok(/frame-ancestors 'none'/.test(csp), `${p}: no frame-ancestors 'none'`);
				ok(/default-src 'none'/.test(csp), `${p}: no default-src 'none'`);
				eq(u.headers.get('x-content-type-options'), 'nosniff',
				    `${p}: X-Content-Type-Options`);
				ok(u.headers.get('referrer-policy'), `${p}: no Referrer-Policy`);
			}
			const js = await fetch(env.url + '/ui/js/main.js');
			ok(/^text\/javascript/.test(js.headers.get('content-type')),
			    `main.js Content-Type ${js.headers.get('content-type')}`);
			// The API still goes to the app.
			eq((await fetch(env.url + '/health')).status, 200, 'GET /health');
		},
	},
	{
		name: 'log in: a wrong password is refused; the right one shows the list with an HttpOnly SameSite=Strict session cookie',
		fn: async (fx) => {
			const page = st.page;
			await page.goto('/');
			await page.waitForSelector('#login-form');
			ok(await page.isHidden('#get-token'), 'Get JWT Token shown before login');
			await fx.shot(page, 'login-desktop');
			await page.fill('#login-user', env.adminUser);
			await page.fill('#login-pass', 'not-the-password');
			await page.click('#login-form button[type=submit]');
			await page.waitForSelector('#login-error:not([hidden])');
			ok(/wrong username or password/i.test(await page.textContent('#login-error')),
			    'no "wrong password" message');
			await login(page);
			const box = await page.locator('#get-token').boundingBox();
			ok(box && box.x < 40 && box.y < 30,
			    `Get JWT Token is not in the top-left corner: ${JSON.stringify(box)}`);
			const cookies = await page.context().cookies();
			const s = cookies.find((c) => c.name === 'session');
			ok(s, 'no session cookie');
			ok(s.httpOnly, 'session cookie is not HttpOnly');
			eq(s.sameSite, 'Strict', 'session cookie SameSite');
		},
	},
	{
		name: 'register a bearer-protected server through the form (API field errors next to the field, tools JSON feedback)',
		fn: async () => {
			const page = st.page;
			await page.click('#nav-register');
			await page.waitForSelector('#register-form');
			await page.fill('#f-name', st.name);
			// A reserved path passes the client's pattern; the API's
			// field error must land next to the path field.
			await page.fill('#f-path', '/api');
			await page.fill('#f-url', st.backend.url);
			await page.fill('#f-desc', 'server-everything behind a bearer gate');
			await page.fill('#f-tags', 'ui-test, bearer');
			await page.check('#f-auth-bearer');
			ok(await page.isVisible('#f-cred'), 'credential field hidden for bearer');
			ok(await page.isHidden('#f-header'), 'header name shown for bearer');
			eq(await page.getAttribute('#f-cred', 'type'), 'password', 'credential input type');
			await page.fill('#f-cred', st.credential);
			await page.fill('#f-tools', '[{"name": 1, "inputSchema": {}}]');
			ok(/name/.test(await page.textContent('#f-tools-state')),
			    'no feedback on a tool without a string name');
			await page.fill('#f-tools', '[{"name": "x"}]');
			ok(/inputSchema/.test(await page.textContent('#f-tools-state')),
			    'no feedback on a tool without inputSchema');
			await page.click('#register-form button[type=submit]');
			await page.waitForSelector('#err-f-tools:not([hidden])');
			await page.fill('#f-tools', '');
			ok(/No manual tools/.test(await page.textContent('#f-tools-state')),
			    'empty tools not accepted');
			await page.click('#register-form button[type=submit]');
			await page.waitForSelector('#err-f-path:not([hidden])');
			const msg = await page.textContent('#err-f-path');
			ok(/reserved|path/i.test(msg), `path error: ${msg}`);
			eq(await page.getAttribute('#f-path', 'aria-invalid'), 'true',
			    'path input not marked invalid');
			await page.fill('#f-path', st.path);
			await page.click('#register-form button[type=submit]');
			await page.waitForFunction((p) => location.hash === '#/servers/' + p,
			    nameOf(st.path));
			await page.waitForSelector('h1.server-name');
			eq(await page.textContent('h1.server-name'), st.name, 'detail heading');
			ok(/bearer/.test(await page.textContent('#auth-scheme')), 'auth scheme');
		},
	},
	{
		name: 'after "Refresh now" it is healthy, with its discovered tools, descriptions and input schemas',
		fn: async (fx) => {
			const page = st.page;
			await page.click('#act-refresh');
			await until(async () => await healthText(page) === 'healthy' &&
			    await page.isEnabled('#act-refresh'), 30000, 'healthy');
			const n = Number(await page.textContent('#tools-count'));
			ok(n > 0, `tools count ${n}`);
			eq((await page.textContent('#tools-source')).trim(), 'discovered', 'tools source');
			eq(await page.locator('article.tool').count(), n, 'tool cards');
			const echo = page.locator('article.tool[data-tool="echo"]');
			ok(await echo.count() === 1, 'no echo tool');
			ok((await echo.locator('.tool-desc').textContent()).length > 3,
			    'echo has no description');
			await echo.locator('summary').click();
			const schema = JSON.parse(await echo.locator('pre.code').textContent());
			eq(schema.type, 'object', 'echo input schema type');
			ok(schema.properties && schema.properties.message,
			    'echo schema has no "message" property');
			ok(await echo.locator('table.params td', { hasText: 'message' }).count() > 0,
			    'echo parameters table lacks "message"');
			ok(!(await page.content()).includes(st.credential),
			    'the credential appears in the page');
			await fx.shot(page, 'detail-desktop');
		},
	},
	{
		name: 'the list shows it: health badge with detail, last checked, tools count, auth scheme, tags; search is the API query',
		fn: async (fx) => {
			const page = st.page;
			await page.click('#nav-servers');
			await page.waitForSelector('#servers tbody tr');
			await fx.shot(page, 'list-desktop', false);
			await page.fill('#search', RUN);
			const row = page.locator(`tr[data-path="${st.path}"]`);
			await row.waitFor();
			await until(async () => await page.locator('#servers tbody tr').count() === 1,
			    10000, 'search narrows the list to one row');
			ok(/query=/.test(await page.evaluate(() => location.hash)),
			    'the search is not in the address');
			eq((await row.locator('.server-link').textContent()), st.name, 'row name');
			eq((await row.locator('.c-health .badge').textContent()).trim(), 'healthy', 'row badge');
			ok(Number(await row.locator('.c-tools .num').textContent()) > 0, 'row tools');
			eq((await row.locator('.c-auth').textContent()).trim(), 'bearer', 'row auth');
			ok(/ago|just now/.test(await row.locator('.c-checked').textContent()), 'last checked');
			eq(await row.locator('.chip').count(), 2, 'tags');
			await row.locator('.c-health .badge').click();
			ok(await row.locator('.health-detail').isVisible(), 'badge click shows no detail');
			await fx.shot(page, 'list-search-desktop', false);
			ok(!(await page.content()).includes(st.credential),
			    'the credential appears in the list');
			await page.fill('#search', 'no-such-server-' + st.path);
			await page.waitForSelector('.empty:not([hidden])');
		},
	},
	{
		name: 'a 390 px phone: list and detail fit the width (screenshots)',
		fn: async (fx) => {
			const phone = await fx.open('phone', PHONE);
			await login(phone);
			await noHorizontalScroll(phone, 'list');
			await fx.shot(phone, 'list-phone', false);
			await phone.goto(`/ui/#/servers?query=${RUN}`);
			const row = phone.locator(`tr[data-path="${st.path}"]`);
			await row.locator('.c-health .badge').click();
			ok(await row.locator('.health-detail').isVisible(), 'tapping the badge shows no detail');
			await noHorizontalScroll(phone, 'list with a detail open');
			await fx.shot(phone, 'list-search-phone', false);
			await phone.goto(detailUrl(st.path));
			await phone.waitForSelector('article.tool');
			eq(await healthText(phone), 'healthy', 'phone detail health');
			await noHorizontalScroll(phone, 'detail');
			await fx.shot(phone, 'detail-phone');
			await phone.goto('/ui/#/register');
			await phone.waitForSelector('#register-form');
			await noHorizontalScroll(phone, 'register form');
			await fx.shot(phone, 'register-phone');
			await phone.click('#get-token');
			await phone.waitForSelector('dialog[open] #tok-hours');
			await noHorizontalScroll(phone, 'token dialog');
			await phone.keyboard.press('Escape');
			await phone.context().close();
			fx.pages.delete('phone');
		},
	},
	{
		name: 'rotate its credential to a wrong one: auth_failed with the detail',
		fn: async (fx) => {
			const page = st.page;
			await page.goto(detailUrl(st.path));
			await page.waitForSelector('#act-rotate');
			await page.click('#act-rotate');
			const dlg = page.locator('dialog[open]');
			await dlg.waitFor();
			ok(await dlg.locator('#rot-bearer').isChecked(), 'bearer not preselected');
			await dlg.locator('#rot-api_key').check();
			ok(await dlg.locator('#rot-header').isVisible(), 'api_key shows no header field');
			await dlg.locator('#rot-none').check();
			ok(await dlg.locator('#rot-credential').isHidden(), '"none" asks for a credential');
			await dlg.locator('#rot-bearer').check();
			await dlg.locator('#rot-credential').fill(st.wrong);
			await fx.shot(page, 'rotate-desktop', false);
			await dlg.locator('button[type=submit]').click();
			await dlg.waitFor({ state: 'detached' });
			await page.click('#act-refresh');
			await until(async () => await healthText(page) === 'auth failed' &&
			    await page.isEnabled('#act-refresh'), 30000, 'auth_failed');
			const detail = await page.textContent('#health-detail');
			ok(/401/.test(detail) && /credential/i.test(detail),
			    `health detail: ${detail}`);
			const derr = await page.textContent('#discovery-error');
			ok(/^Failed to fetch tools:/.test(derr), `discovery error: ${derr}`);
			// The last good tool list stays.
			ok(Number(await page.textContent('#tools-count')) > 0, 'tools were erased');
			await fx.shot(page, 'detail-auth-failed-desktop');
		},
	},
	{
		name: 'Get JWT Token: shown once with a copy button and its expiry; curl lists the servers with it',
		fn: async (fx) => {
			const page = st.page;
			await page.click('#get-token');
			const dlg = page.locator('dialog[open]');
			await dlg.locator('#tok-hours').fill('2');
			await dlg.locator('#tok-desc').fill('UI test token');
			await dlg.locator('button[type=submit]').click();
			await dlg.locator('#tok-value').waitFor();
			const token = await dlg.locator('#tok-value').inputValue();
			ok(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(token), 'no JWT shown');
			const exp = await dlg.locator('#tok-expires').textContent();
			ok(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 2 h\)/.test(exp),
			    `expiry shown as ${exp}`);
			await dlg.locator('#tok-copy').click();
			await until(async () => /Copied/.test(await dlg.locator('.copy-state').textContent()),
			    5000, 'copied');
			eq(await page.evaluate(() => navigator.clipboard.readText()), token,
			    'clipboard content');
			const r = await curl(['-H', `Authorization: Bearer ${token}`,
			    `${env.url}/api/servers?limit=500`]);
			eq(r.status, 200, 'curl GET /api/servers with the JWT');
			ok(JSON.parse(r.body).servers.some((s) => s.path === st.path),
			    'the JWT does not list the new server');
			st.token = token;
			await dlg.getByRole('button', { name: 'Done' }).click();
			await dlg.waitFor({ state: 'detached' });
			ok(!(await page.content()).includes(token), 'the token stays in the page');
			const stored = await page.evaluate(() => JSON.stringify(
			    [Object.entries(localStorage), Object.entries(sessionStorage)]));
			eq(stored, '[[],[]]', 'web storage');
			ok(!(await page.evaluate(() => document.cookie)).includes('session'),
			    'the session cookie is readable by scripts');
		},
	},
	{
		name: 'the list refreshes health without a page reload (a toggle made elsewhere shows up); toggle back from the list',
		fn: async () => {
			const page = st.page;
			await page.goto(`/ui/#/servers?query=${RUN}`);
			const row = page.locator(`tr[data-path="${st.path}"]`);
			await row.waitFor();
			await page.evaluate(() => { window.__same_page = 1; });
			const r = await apiCurl('POST', '/api/servers/toggle', st.token,
			    { path: st.path, new_state: false });
			eq(r.status, 200, 'toggle through the API');
			await until(async () => (await row.locator('.c-health .badge')
			    .textContent()).trim() === 'disabled', 30000,
			    'the list shows "disabled" by itself');
			ok(!(await row.locator('input.switch').isChecked()), 'switch still on');
			eq(await page.evaluate(() => window.__same_page), 1, 'the page was reloaded');
			await row.locator('input.switch').click();
			await until(async () => (await row.locator('.c-health .badge')
			    .textContent()).trim() !== 'disabled', 15000, 'enabled again');
			const g = await apiCurl('GET', `/api/servers/${nameOf(st.path)}`, st.token);
			eq(g.json.is_enabled, true, 'enabled in the API');
		},
	},
	{
		name: 'toggle from the detail page, then edit the description',
		fn: async () => {
			const page = st.page;
			await page.goto(detailUrl(st.path));
			await page.waitForSelector('#act-toggle');
			eq(await page.textContent('#act-toggle'), 'Disable', 'toggle label');
			await page.click('#act-toggle');
			await until(async () => await page.textContent('#act-toggle') === 'Enable',
			    10000, 'disabled');
			eq(await healthText(page), 'disabled', 'badge after disabling');
			await page.click('#act-toggle');
			await until(async () => await page.textContent('#act-toggle') === 'Disable',
			    10000, 'enabled');
			await page.click('#act-edit');
			await page.waitForSelector('#edit-form');
			eq(await page.inputValue('#f-name'), st.name, 'edit form name');
			ok(await page.locator('#f-cred').count() === 0,
			    'the edit form has a credential field');
			await page.fill('#f-desc', 'edited in the browser');
			await page.click('#edit-form button[type=submit]');
			await page.waitForSelector('#info');
			await until(async () => /edited in the browser/.test(
			    await page.textContent('#info')), 10000, 'new description');
		},
	},
	{
		name: 'XSS: a server named <img src=x onerror=alert(1)> renders as text, no dialog fires',
		fn: async (fx) => {
			const page = st.page;
			await page.goto('/ui/#/register');
			await page.waitForSelector('#register-form');
			await page.fill('#f-name', st.xssName);
			await page.fill('#f-path', st.xssPath);
			await page.fill('#f-url', 'http://127.0.0.1:9');
			await page.fill('#f-desc', '<script>alert(2)</script>');
			await page.fill('#f-tags', '<b>bold</b>');
			await page.fill('#f-tools', JSON.stringify([{
				name: '<svg onload=alert(3)>',
				description: '<img src=y onerror=alert(4)>',
				inputSchema: { type: 'object', properties: {
				    '<i>p</i>': { type: 'string', description: '<u>d</u>' } } },
			}]));
			await page.click('#register-form button[type=submit]');
			await page.waitForSelector('h1.server-name');
			eq(await page.textContent('h1.server-name'), st.xssName, 'heading text');
			eq(await page.textContent('article.tool h3'), '<svg onload=alert(3)>', 'tool name');
			eq(await page.textContent('article.tool .tool-desc'),
			    '<img src=y onerror=alert(4)>', 'tool description');
			eq(await page.locator('main img, main svg, main script, main b, main i, main u')
			    .count(), 0, 'markup from data became elements');
			await page.goto('/ui/#/servers?query=' +
			    encodeURIComponent('onerror=alert(1)'));
			const row = page.locator(`tr[data-path="${st.xssPath}"]`);
			await row.waitFor();
			eq(await row.locator('.server-link').textContent(), st.xssName, 'list name');
			eq(await row.locator('.desc').textContent(), '<script>alert(2)</script>',
			    'list description');
			eq(await row.locator('.chip').textContent(), '<b>bold</b>', 'list tag');
			eq(await page.locator('main img, main svg, main b').count(), 0,
			    'markup in the list');
			await page.waitForTimeout(1000);
			eq(fx.dialogs.length, 0, `dialogs fired: ${fx.dialogs.join('; ')}`);
		},
	},
	{
		name: 'delete a server with confirmation (cancel keeps it)',
		fn: async () => {
			const page = st.page;
			await page.goto(detailUrl(st.xssPath));
			await page.waitForSelector('#act-delete');
			await page.click('#act-delete');
			let dlg = page.locator('dialog[open]');
			await dlg.getByRole('button', { name: 'Cancel' }).click();
			await dlg.waitFor({ state: 'detached' });
			eq((await apiCurl('GET', `/api/servers/${nameOf(st.xssPath)}`, st.token)).status,
			    200, 'still there after Cancel');
			await page.click('#act-delete');
			dlg = page.locator('dialog[open]');
			ok(/cannot be undone/.test(await dlg.textContent()), 'no warning');
			await dlg.getByRole('button', { name: 'Delete server' }).click();
			await page.waitForFunction(() => location.hash.startsWith('#/servers') &&
			    !location.hash.includes('/ui-'));
			eq((await apiCurl('GET', `/api/servers/${nameOf(st.xssPath)}`, st.token)).status,
			    404, 'gone after Delete');
		},
	},
	{
		name: 'log out: back to the login page, the session is revoked',
		fn: async () => {
			const page = st.page;
			await page.click('#logout');
			await page.waitForSelector('#login-form');
			ok(await page.isHidden('#get-token'), 'Get JWT Token still shown');
			const r = await page.context().request.get('/api/auth/me');
			eq(r.status(), 401, '/api/auth/me after logout');
		},
	},
];
