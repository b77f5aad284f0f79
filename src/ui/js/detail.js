// One server: health, tools with their input schemas, the last discovery error, and the actions.
import { api, serverPath } from './api.js';
import {
	h, replace, timeEl, tickTimes, healthClass, healthText, authText,
	fmtTime, toast,
} from './dom.js';
import { confirmDialog, rotateDialog } from './dialogs.js';
import { POLL_MS } from './list.js';

const SOURCE_TEXT = {
	discovered: 'Discovered from the backend with tools/list.',
	manual: 'Given manually at registration (tool_list_json): served ' +
	    'while no discovery has succeeded.',
	none: 'No tools: none discovered and none given manually.',
};

function kv(pairs) {
	return h('dl.kv', {}, pairs.filter(Boolean).map(([k, v]) =>
	    [h('dt', { text: k }), h('dd', {}, v)]));
}

function typeOf(schema) {
	if (!schema || typeof schema !== 'object')
		return '';
	if (Array.isArray(schema.type))
		return schema.type.join(' | ');
	if (schema.type)
		return String(schema.type) + (schema.type === 'array' &&
		    schema.items && schema.items.type ? ` of ${schema.items.type}` : '');
	if (schema.enum)
		return 'enum';
	if (schema.anyOf || schema.oneOf)
		return (schema.anyOf || schema.oneOf).map(typeOf).filter(Boolean)
		    .join(' | ') || 'any';
	return 'any';
}

// The input schema's top-level properties as a table, then the whole
// schema as JSON on demand.
function schemaView(tool, open) {
	const schema = tool.inputSchema;
	const props = schema && typeof schema === 'object' &&
	    schema.properties && typeof schema.properties === 'object' ?
	    Object.entries(schema.properties) : [];
	const required = new Set(Array.isArray(schema?.required) ?
	    schema.required : []);
	const table = props.length ? h('table.params', {},
	    h('thead', {}, h('tr', {}, ['Parameter', 'Type', 'Required',
		'Description'].map((t) => h('th', { scope: 'col', text: t })))),
	    h('tbody', {}, props.map(([name, p]) => h('tr', {},
		h('td.mono', { 'data-label': 'Parameter', text: name }),
		h('td', { 'data-label': 'Type', text: typeOf(p) }),
		h('td', { 'data-label': 'Required',
		    text: required.has(name) ? 'yes' : 'no' }),
		h('td', { 'data-label': 'Description',
		    text: p && typeof p.description === 'string' ?
			p.description : '' }))))) :
	    h('p.muted.small', { text: 'No parameters.' });
	const det = h('details.schema', { open },
	    h('summary', { text: 'Input schema (JSON)' }),
	    h('pre.code', { text: JSON.stringify(schema, null, 2) }));
	return [table, det];
}

function toolCard(t, openSchemas) {
	const name = typeof t.name === 'string' ? t.name : String(t.name);
	return h('article.tool', { 'data-tool': name },
	    h('h3.mono', { text: name }),
	    t.title && t.title !== name ? h('p.tool-title', { text: t.title }) : null,
	    h('p.tool-desc', { text: typeof t.description === 'string' &&
		t.description ? t.description : 'No description.' }),
	    schemaView(t, openSchemas.has(name)));
}

export function detailView(el, name, ctx) {
	let server = null, tools = null, timer = 0, ticker = 0, stopped = false;
	let busy = false;
	const statusBox = h('section.card', { id: 'health', 'aria-labelledby': 'h-health' });
	const toolsBox = h('section.card', { id: 'tools', 'aria-labelledby': 'h-tools' });
	const infoBox = h('section.card', { id: 'info', 'aria-labelledby': 'h-info' });
	const head = h('div.page-head');
	const actions = h('div.actions.actions-start', { id: 'server-actions' });

	replace(el, h('p.loading', { text: 'Loading…' }));

	async function fetchAll() {
		const [s, t] = await Promise.all([
			api('GET', serverPath(name)),
			api('GET', serverPath(name) + '/tools'),
		]);
		return [s, t];
	}

	async function load(first) {
		clearTimeout(timer);
		let s, t;
		try {
			[s, t] = await fetchAll();
		} catch (err) {
			if (stopped)
				return;
			if (err.status === 404) {
				replace(el, h('div.page-head', {},
				    h('h1', { text: 'Server not found' }),
				    h('p', {}, 'No server is registered at ',
					h('span.mono', { text: '/' + name }), '. ',
					h('a', { href: '#/servers', text: 'Back to the list' }))));
				return;
			}
			if (first)
				replace(el, h('p.form-error', { role: 'alert',
				    text: 'Could not load the server: ' + err.message }));
			else
				toast('Could not refresh: ' + err.message, 'error');
			schedule();
			return;
		}
		if (stopped)
			return;
		const changed = JSON.stringify([s, t]) !== JSON.stringify([server, tools]);
		server = s;
		tools = t;
		if (first) {
			replace(el, head, actions, h('div.detail-grid', {},
			    statusBox, infoBox), toolsBox);
		}
		if (first || changed)
			render();
		schedule();
	}

	function schedule() {
		if (!stopped)
			timer = setTimeout(() => document.hidden ? schedule() :
			    load(false), POLL_MS);
	}

	function button(text, id, fn, cls = '') {
		const b = h('button.btn' + cls, { type: 'button', id, text });
		b.addEventListener('click', async () => {
			if (busy)
				return;
			busy = true;
			for (const x of actions.querySelectorAll('button'))
				x.disabled = true;
			try {
				await fn(b);
			} catch (err) {
				toast(err.message, 'error');
			} finally {
				busy = false;
				for (const x of actions.querySelectorAll('button'))
					x.disabled = false;
				render();
			}
		});
		return b;
	}

	async function refreshNow(b) {
		b.textContent = 'Checking…';
		const s = await api('POST', serverPath(name) + '/refresh');
		const t = await api('GET', serverPath(name) + '/tools');
		server = s;
		tools = t;
		toast(`Checked: ${healthText(s.health_status)}, ${s.num_tools} ` +
		    `tool${s.num_tools === 1 ? '' : 's'}.`,
		    s.health_status === 'healthy' ? 'ok' : 'warn');
	}

	async function toggle() {
		const r = await api('POST', '/api/servers/toggle',
		    { path: server.path, new_state: !server.is_enabled });
		toast(`${server.name}: ${r.new_enabled_state ? 'enabled' : 'disabled'}.`);
		[server, tools] = await fetchAll();
	}

	async function remove() {
		const ok = await confirmDialog('Delete server',
		    [`Delete “${server.name}” (${server.path})? Its registration, `,
			'tools and stored credential are removed. This cannot be undone.'],
		    'Delete server');
		if (!ok)
			return;
		await api('DELETE', serverPath(name));
		toast(`${server.name} deleted.`);
		stopped = true;
		ctx.navigate('#/servers');
	}

	function renderHead() {
		const s = server;
		replace(head,
		    h('p.crumbs', {}, h('a', { href: '#/servers', text: '← Servers' })),
		    h('h1.server-name', { text: s.name }),
		    h('p.head-meta', {},
			h('span.mono', { text: s.path }),
			h('span', { class: healthClass(s.health_status) + ' badge-static',
			    text: healthText(s.health_status) }),
			h('span.pill', { text: s.is_enabled ? 'enabled' : 'disabled',
			    class: s.is_enabled ? 'pill-on' : 'pill-off' }),
			h('span.pill', { text: 'auth: ' + authText(s) })));
		if (!ctx.canWrite) {
			replace(actions);
			return;
		}
		replace(actions,
		    button('Refresh now', 'act-refresh', refreshNow, '.btn-primary'),
		    button(s.is_enabled ? 'Disable' : 'Enable', 'act-toggle', toggle),
		    h('a.btn', { href: '#/servers/' + encodeURIComponent(name) + '/edit',
			id: 'act-edit', text: 'Edit' }),
		    button('Rotate credential', 'act-rotate', () => rotateDialog(s,
			(r) => {
				toast(`${r.message || 'Credential updated'}; ` +
				    'the server is checked again shortly.');
				load(false);
			})),
		    button('Delete', 'act-delete', remove, '.btn-danger'));
	}

	function renderStatus() {
		const s = server;
		const ld = tools.last_discovery || {};
		const detail = s.health_detail ?
		    h('pre.detail-text', { id: 'health-detail', text: s.health_detail }) :
		    h('span.muted', { id: 'health-detail', text: !s.last_checked_iso ?
			'Not checked yet.' : s.health_status === 'healthy' ?
			'No problems reported.' : '—' });
		replace(statusBox, h('h2', { id: 'h-health', text: 'Health' }),
		    kv([
			['Status', h('span', { id: 'health-status',
			    class: healthClass(s.health_status) + ' badge-static',
			    text: healthText(s.health_status) })],
			['Detail', detail],
			['Last checked', timeEl(s.last_checked_iso)],
			s.server_info ? ['Backend', h('span', { text:
			    [s.server_info.name, s.server_info.version]
			    .filter(Boolean).join(' ') })] : null,
			s.protocol_version ? ['MCP protocol', h('span.mono',
			    { text: s.protocol_version })] : null,
			['Last discovery', ld.at ? h('span', {}, timeEl(ld.at), ' — ',
			    h('span', { id: 'discovery-ok', class: ld.ok ? 'ok-text' : 'bad-text',
				text: ld.ok ? 'succeeded' : 'failed' })) :
			    h('span.muted', { text: 'never' })],
		    ]),
		    ld.error ? h('div.error-box', { role: 'note' },
			h('p.error-title', { text: 'Last discovery error' }),
			h('pre', { id: 'discovery-error', text: ld.error })) : null);
	}

	function renderTools() {
		const open = new Set([...toolsBox.querySelectorAll('article.tool')]
		    .filter((a) => a.querySelector('details[open]'))
		    .map((a) => a.dataset.tool));
		const list = Array.isArray(tools.tools) ? tools.tools : [];
		const src = tools.tools_source || 'none';
		replace(toolsBox,
		    h('div.section-head', {},
			h('h2', { id: 'h-tools' }, 'Tools ',
			    h('span.count', { id: 'tools-count', text: String(list.length) })),
			src !== 'none' ? h('span.pill', { id: 'tools-source',
			    class: 'pill-' + src, text: src }) : null),
		    h('p.muted', { text: SOURCE_TEXT[src] || src }),
		    list.length ? h('div.tools', {}, list.map((t) =>
			toolCard(t, open))) : null);
	}

	function renderInfo() {
		const s = server;
		let cred = h('span.muted', { text: 'none' });
		if (s.auth_scheme && s.auth_scheme !== 'none') {
			cred = h('span', {}, s.has_auth_credential ?
			    'stored, encrypted (never shown)' : 'missing',
			    s.credential_updated_at ? [', updated ',
				timeEl(s.credential_updated_at)] : null);
		}
		replace(infoBox, h('h2', { id: 'h-info', text: 'Registration' }),
		    kv([
			['Backend URL', h('span.mono.break', { text: s.proxy_pass_url })],
			['Description', s.description ? h('p.pre-line',
			    { text: s.description }) : h('span.muted', { text: '—' })],
			['Tags', s.tags && s.tags.length ? h('ul.chips', {},
			    s.tags.map((t) => h('li.chip', { text: t }))) :
			    h('span.muted', { text: '—' })],
			['License', h('span', { text: s.license || 'N/A' })],
			['Auth scheme', h('span', { id: 'auth-scheme', text: authText(s) })],
			['Credential', cred],
			['Registered', h('span', {}, s.registered_by ?
			    `by ${s.registered_by}, ` : '', h('span', {
			    text: fmtTime(s.registered_at) }))],
			['Updated', timeEl(s.updated_at)],
			['ID', h('span.mono.small', { text: s.id })],
		    ]));
	}

	function render() {
		if (!server)
			return;
		renderHead();
		renderStatus();
		renderTools();
		renderInfo();
	}

	ticker = setInterval(() => tickTimes(el), 5000);
	load(true);
	return () => {
		stopped = true;
		clearTimeout(timer);
		clearInterval(ticker);
	};
}
