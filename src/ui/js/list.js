// The server list: search (the API's query), paging, health badges kept current without a reload.
import { api } from './api.js';
import {
	h, replace, timeEl, tickTimes, healthClass, healthText, serverHref,
	authText, toast, fmtTime,
} from './dom.js';

export const POLL_MS = 10000;
const LIMITS = [10, 20, 50, 100];

function chips(tags) {
	if (!tags || !tags.length)
		return h('span.muted', { text: '—' });
	return h('ul.chips', {}, tags.map((t) => h('li.chip', { text: t })));
}

// A badge that shows the health detail on hover (title) and, for touch
// screens and keyboards, on click.
export function healthBadge(s, detailEl) {
	const b = h('button', { type: 'button', class: healthClass(s.health_status),
	    text: healthText(s.health_status), title: detailText(s),
	    'aria-expanded': 'false' });
	if (detailEl) {
		b.setAttribute('aria-controls', detailEl.id);
		b.addEventListener('click', () => {
			detailEl.hidden = !detailEl.hidden;
			b.setAttribute('aria-expanded', String(!detailEl.hidden));
		});
	}
	return b;
}

function detailText(s) {
	if (s.health_detail)
		return s.health_detail;
	if (s.health_status === 'disabled')
		return 'Disabled: neither checked nor proxied.';
	if (!s.last_checked_iso)
		return 'Not checked yet.';
	return s.health_status === 'healthy' ? 'No problems reported.' : '—';
}

function toolsCell(s) {
	const src = s.tools_source && s.tools_source !== 'none' ?
	    h('span.muted.small', { text: ' ' + s.tools_source }) : null;
	return h('span', {}, h('span.num', { text: String(s.num_tools ?? 0) }), src);
}

export function listView(el, params, ctx) {
	let query = params.get('query') || '';
	let limit = Number(params.get('limit')) || 20;
	if (!LIMITS.includes(limit))
		limit = 20;
	let offset = Math.max(0, Number(params.get('offset')) || 0);
	let rows = new Map(); // path -> {tr, parts, server}
	let order = [];
	let timer = 0, ticker = 0, seq = 0, stopped = false, lastLoad = null;

	const search = h('input', { type: 'search', id: 'search', name: 'query',
	    value: query, placeholder: 'Search names, descriptions, tags, tools',
	    'aria-label': 'Search servers', autocomplete: 'off' });
	const count = h('p.muted', { id: 'list-count', 'aria-live': 'polite' });
	const updated = h('p.muted.small', { id: 'list-updated' });
	const tbody = h('tbody');
	const table = h('table.servers', { id: 'servers' },
	    h('thead', {}, h('tr', {}, ['Server', 'Tags', 'Health',
		'Last checked', 'Tools', 'Auth', 'Enabled'].map((t) =>
		h('th', { scope: 'col', text: t })))),
	    tbody);
	const empty = h('div.empty', { hidden: true });
	const errBox = h('p.form-error', { role: 'alert', hidden: true });
	const prev = h('button.btn', { type: 'button', text: '← Previous',
	    id: 'page-prev' });
	const next = h('button.btn', { type: 'button', text: 'Next →',
	    id: 'page-next' });
	const perPage = h('select', { id: 'page-size', 'aria-label': 'Servers per page' },
	    LIMITS.map((n) => h('option', { value: String(n), text: `${n} per page` })));
	perPage.value = String(limit);
	const pager = h('nav.pager', { 'aria-label': 'Pages' }, prev,
	    h('span.pager-pos', { id: 'page-pos' }), next, perPage);

	replace(el,
	    h('div.page-head.page-head-row', {},
		h('div', {}, h('h1', { text: 'Servers' }), count),
		ctx.canWrite ? h('a.btn.btn-primary', { href: '#/register',
		    text: 'Register server' }) : null),
	    h('form.toolbar', { role: 'search', onsubmit: (e) => {
		e.preventDefault();
		setQuery(search.value);
	    } }, search, h('button.btn', { type: 'submit', text: 'Search' })),
	    errBox,
	    h('div.table-wrap', {}, table),
	    empty, pager, updated);

	let debounce = 0;
	search.addEventListener('input', () => {
		clearTimeout(debounce);
		debounce = setTimeout(() => setQuery(search.value), 300);
	});
	prev.addEventListener('click', () => { offset = Math.max(0, offset - limit); load(true); });
	next.addEventListener('click', () => { offset += limit; load(true); });
	perPage.addEventListener('change', () => {
		limit = Number(perPage.value);
		offset = 0;
		load(true);
	});

	function setQuery(q) {
		if (q.trim() === query)
			return;
		query = q.trim();
		offset = 0;
		load(true);
	}

	// Keeps the address in step (for reloads and links) without a new
	// view: replaceState fires no hashchange.
	function syncUrl() {
		const p = new URLSearchParams();
		if (query)
			p.set('query', query);
		if (offset)
			p.set('offset', String(offset));
		if (limit !== 20)
			p.set('limit', String(limit));
		const qs = p.toString();
		history.replaceState(null, '', '#/servers' + (qs ? '?' + qs : ''));
	}

	function rowFor(s) {
		const id = 'hd-' + s.id;
		const detail = h('p.health-detail', { id, hidden: true,
		    text: detailText(s) });
		const parts = {
			health: h('td.c-health', { 'data-label': 'Health' }),
			checked: h('td.c-checked', { 'data-label': 'Last checked' }),
			tools: h('td.c-tools', { 'data-label': 'Tools' }),
			auth: h('td.c-auth', { 'data-label': 'Auth' }),
			enabled: h('td.c-enabled', { 'data-label': 'Enabled' }),
			detail,
		};
		const tr = h('tr', { 'data-path': s.path },
		    h('td.c-server', { 'data-label': 'Server' },
			h('a.server-link', { href: serverHref(s), text: s.name }),
			h('div.mono.small.path', { text: s.path }),
			s.description ? h('p.desc', { text: s.description }) : null),
		    h('td.c-tags', { 'data-label': 'Tags' }, chips(s.tags)),
		    parts.health, parts.checked, parts.tools, parts.auth,
		    parts.enabled);
		const r = { tr, parts, server: null };
		patch(r, s);
		return r;
	}

	// Updates one row's changing cells in place (an open detail stays open).
	function patch(r, s) {
		const old = r.server;
		const p = r.parts;
		r.server = s;
		if (!old || old.health_status !== s.health_status ||
		    old.health_detail !== s.health_detail) {
			const open = !p.detail.hidden;
			p.detail.textContent = detailText(s);
			const badge = healthBadge(s, p.detail);
			if (open)
				badge.setAttribute('aria-expanded', 'true');
			replace(p.health, badge, p.detail);
		}
		if (!old || old.last_checked_iso !== s.last_checked_iso)
			replace(p.checked, timeEl(s.last_checked_iso));
		if (!old || old.num_tools !== s.num_tools ||
		    old.tools_source !== s.tools_source)
			replace(p.tools, toolsCell(s));
		if (!old || authText(old) !== authText(s) ||
		    old.has_auth_credential !== s.has_auth_credential)
			replace(p.auth, h('span', { text: authText(s) }));
		if (!old || old.is_enabled !== s.is_enabled)
			replace(p.enabled, enabledCell(s, r));
	}

	function enabledCell(s, r) {
		if (!ctx.canWrite)
			return h('span', { text: s.is_enabled ? 'yes' : 'no' });
		const input = h('input.switch', { type: 'checkbox', role: 'switch',
		    checked: s.is_enabled,
		    'aria-label': `Enabled: ${s.name}` });
		input.addEventListener('change', async () => {
			input.disabled = true;
			try {
				const t = await api('POST', '/api/servers/toggle',
				    { path: s.path, new_state: input.checked });
				toast(`${s.name}: ${t.new_enabled_state ? 'enabled' : 'disabled'}.`);
				await load(false);
			} catch (err) {
				input.checked = !input.checked;
				toast(err.message, 'error');
			} finally {
				input.disabled = false;
			}
		});
		return input;
	}

	async function load(userAction) {
		const my = ++seq;
		clearTimeout(timer);
		if (userAction)
			syncUrl();
		const p = new URLSearchParams({ limit: String(limit),
		    offset: String(offset) });
		if (query)
			p.set('query', query);
		let data;
		try {
			data = await api('GET', '/api/servers?' + p);
		} catch (err) {
			if (my !== seq || stopped)
				return;
			errBox.textContent = 'Could not load the servers: ' + err.message;
			errBox.hidden = false;
			schedule();
			return;
		}
		if (my !== seq || stopped)
			return;
		errBox.hidden = true;
		// A page past the end (servers were removed): go back.
		if (!data.servers.length && offset > 0 && data.total_count > 0) {
			offset = Math.max(0, Math.floor((data.total_count - 1) / limit) * limit);
			return load(true);
		}
		render(data);
		lastLoad = new Date();
		updated.textContent = 'Health refreshes every ' + POLL_MS / 1000 +
		    ' s; last update ' + fmtTime(lastLoad.toISOString()) + '.';
		schedule();
	}

	// A hidden tab skips its turns (and catches up when shown).
	function schedule() {
		if (!stopped)
			timer = setTimeout(() => document.hidden ? schedule() :
			    load(false), POLL_MS);
	}

	function render(data) {
		const servers = data.servers;
		const paths = servers.map((s) => s.path);
		const same = paths.length === order.length &&
		    paths.every((p, i) => p === order[i]);
		if (same) {
			for (const s of servers)
				patch(rows.get(s.path), s);
		} else {
			const next = new Map();
			for (const s of servers) {
				const r = rows.get(s.path);
				if (r) {
					patch(r, s);
					next.set(s.path, r);
				} else {
					next.set(s.path, rowFor(s));
				}
			}
			rows = next;
			order = paths;
			replace(tbody, servers.map((s) => rows.get(s.path).tr));
		}
		const total = data.total_count ?? servers.length;
		count.textContent = query ?
		    `${total} server${total === 1 ? '' : 's'} matching “${query}”` :
		    `${total} server${total === 1 ? '' : 's'} registered`;
		table.hidden = servers.length === 0;
		empty.hidden = servers.length !== 0;
		if (!servers.length) {
			replace(empty, query ?
			    h('p', { text: `No server matches “${query}”.` }) :
			    h('p', {}, 'No servers are registered yet.',
				ctx.canWrite ? [' ', h('a', { href: '#/register',
				    text: 'Register the first one.' })] : null));
		}
		const from = servers.length ? offset + 1 : 0;
		replace(pager.querySelector('#page-pos'),
		    `${from}–${offset + servers.length} of ${total}`);
		prev.disabled = offset === 0;
		next.disabled = !data.has_next;
		pager.hidden = total <= LIMITS[0] && offset === 0;
	}

	ticker = setInterval(() => tickTimes(el), 5000);
	load(false);
	return () => {
		stopped = true;
		clearTimeout(timer);
		clearTimeout(debounce);
		clearInterval(ticker);
	};
}
