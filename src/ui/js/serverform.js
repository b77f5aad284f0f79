// The register and edit forms: every registration field of the API, with its errors next to the field.
import { api, serverPath } from './api.js';
import { h, replace, serverName, toast } from './dom.js';
import { field, checkbox, clearErrors, showErrors, checkTools } from './forms.js';

const PATH_RE = /^\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const TOOLS_EXAMPLE = '[{"name": "get_weather", "description": "Get weather ' +
    'for a city", "inputSchema": {"type": "object", "properties": {"city": ' +
    '{"type": "string"}}, "required": ["city"]}}]';

// "My Server" -> "/my-server"
function slug(name) {
	const s = name.toLowerCase().normalize('NFKD')
	    .replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|-+$/g, '')
	    .slice(0, 64);
	return s ? '/' + s : '';
}

function normPath(p) {
	let v = p.trim();
	if (v && !v.startsWith('/'))
		v = '/' + v;
	if (v.length > 1 && v.endsWith('/'))
		v = v.slice(0, -1);
	return v;
}

function parseTags(text) {
	return text.split(',').map((t) => t.trim()).filter(Boolean);
}

function section(title, ...children) {
	return h('fieldset.section', {}, h('legend', { text: title }), children);
}

// Renders the form into el. server is null to register, else the server
// to edit (its path cannot change; its credential has its own dialog).
export function serverForm(el, server, navigate) {
	const edit = Boolean(server);
	const s = server || {};
	const f = {};
	f.name = field({ id: 'f-name', name: 'name', label: 'Name',
	    value: s.name || '', required: true,
	    attrs: { maxlength: '200', autocomplete: 'off' },
	    hint: 'Shown in the registry, up to 200 characters.' });
	if (!edit)
		f.path = field({ id: 'f-path', name: 'path', label: 'Path',
		    required: true, attrs: { autocomplete: 'off',
			spellcheck: 'false', placeholder: '/my-server' },
		    hint: 'Where clients reach it through the gateway: /name ' +
			'(letters, digits, . _ -; up to 64 characters).' });
	f.proxy_pass_url = field({ id: 'f-url', name: 'proxy_pass_url',
	    label: 'Backend URL', type: 'url', value: s.proxy_pass_url || '',
	    required: true, attrs: { autocomplete: 'off', spellcheck: 'false',
		placeholder: 'http://my-server:8000' },
	    hint: 'http or https; MCP requests go to <URL>/mcp unless it ' +
		'already ends in /mcp.' });
	f.description = field({ id: 'f-desc', name: 'description',
	    label: 'Description', textarea: true, value: s.description || '',
	    attrs: { rows: '3', maxlength: '4000' } });
	f.tags = field({ id: 'f-tags', name: 'tags', label: 'Tags',
	    value: (s.tags || []).join(', '),
	    attrs: { autocomplete: 'off', placeholder: 'weather, internal' },
	    hint: 'Comma-separated.' });
	f.license = field({ id: 'f-license', name: 'license', label: 'License',
	    value: s.license || 'N/A', attrs: { autocomplete: 'off' } });

	let auth = null;
	if (!edit) {
		const schemes = [['none', 'None'], ['bearer', 'Bearer token'],
		    ['api_key', 'API key']];
		const radios = schemes.map(([v, t]) => h('div.radio.radio-inline', {},
		    h('input', { type: 'radio', name: 'auth_scheme', id: `f-auth-${v}`,
			value: v, checked: v === 'none' }),
		    h('label', { for: `f-auth-${v}`, text: t })));
		f.auth_scheme = { wrap: h('fieldset.field.field-radios',
		    { 'data-field': 'auth_scheme' },
		    h('legend.label', { text: 'Authentication scheme' }),
		    h('div.radios', {}, radios),
		    h('p.hint', { text: 'How the registry authenticates to the ' +
			'backend for health checks, tool discovery and proxying.' }),
		    h('p.field-error', { id: 'err-f-auth', hidden: true })) };
		f.auth_credential = field({ id: 'f-cred', name: 'auth_credential',
		    label: 'Credential', type: 'password', required: true,
		    attrs: { autocomplete: 'new-password', spellcheck: 'false' },
		    hint: 'Write-only: encrypted at rest and never shown again ' +
			'(rotate it from the server page).' });
		f.auth_header_name = field({ id: 'f-header', name: 'auth_header_name',
		    label: 'Header name', attrs: { autocomplete: 'off',
			spellcheck: 'false', placeholder: 'X-API-Key' },
		    hint: 'The header that carries the API key (default X-API-Key).' });
		auth = section('Backend authentication', f.auth_scheme.wrap,
		    f.auth_credential.wrap, f.auth_header_name.wrap);
	}

	let toolsText = '';
	if (edit && s.tools_source === 'manual' && Array.isArray(s.tool_list))
		toolsText = JSON.stringify(s.tool_list, null, 2);
	f.tool_list_json = field({ id: 'f-tools', name: 'tool_list_json',
	    label: 'Manual tools (JSON)', textarea: true, value: toolsText,
	    attrs: { rows: '6', spellcheck: 'false', class: 'mono',
		placeholder: TOOLS_EXAMPLE },
	    hint: edit && s.tools_source === 'discovered' ?
		'Tools were discovered; manual tools are served only when ' +
		'discovery has not succeeded. Leave this alone to keep the ' +
		'current manual tools; clear it to remove them.' :
		'Optional: a JSON array of MCP tools, each with a "name" and ' +
		'an "inputSchema" object. Served when discovery fails.' });
	const toolsState = h('p.tools-state', { id: 'f-tools-state',
	    'aria-live': 'polite' });
	f.tool_list_json.wrap.insertBefore(toolsState, f.tool_list_json.error);
	let toolsDirty = false;
	const example = h('button.btn.btn-small', { type: 'button',
	    text: 'Insert example' });
	example.addEventListener('click', () => {
		f.tool_list_json.input.value = JSON.stringify(
		    JSON.parse(TOOLS_EXAMPLE), null, 2);
		toolsDirty = true;
		checkToolsNow();
	});
	f.tool_list_json.wrap.insertBefore(example, toolsState);

	f.enabled = checkbox({ id: 'f-enabled', name: edit ? 'is_enabled' : 'enabled',
	    label: 'Enabled', checked: edit ? s.is_enabled !== false : true,
	    hint: 'Disabled servers are neither probed nor proxied.' });
	if (!edit)
		f.overwrite = checkbox({ id: 'f-overwrite', name: 'overwrite',
		    label: 'Replace a server already registered at this path',
		    checked: false });

	const formErr = h('p.form-error', { role: 'alert', hidden: true });
	const submit = h('button.btn.btn-primary', { type: 'submit',
	    text: edit ? 'Save changes' : 'Register server' });
	const cancel = h('a.btn', { href: edit ? '#/servers/' +
	    encodeURIComponent(serverName(s)) : '#/servers', text: 'Cancel' });
	const form = h('form.server-form', { novalidate: true,
	    id: edit ? 'edit-form' : 'register-form' },
	    section('Server', f.name.wrap, f.path ? f.path.wrap : null,
		f.proxy_pass_url.wrap, f.description.wrap,
		h('div.field-row', {}, f.tags.wrap, f.license.wrap)),
	    auth,
	    section('Tools', f.tool_list_json.wrap),
	    section('Options', f.enabled.wrap, f.overwrite ? f.overwrite.wrap : null),
	    formErr,
	    h('div.actions', {}, cancel, submit));

	function checkToolsNow() {
		const r = checkTools(f.tool_list_json.input.value);
		toolsState.textContent = r.message;
		toolsState.className = 'tools-state ' + (r.ok ? 'ok' : 'bad');
		if (r.ok)
			f.tool_list_json.input.removeAttribute('aria-invalid');
		else
			f.tool_list_json.input.setAttribute('aria-invalid', 'true');
		return r;
	}
	f.tool_list_json.input.addEventListener('input', () => {
		toolsDirty = true;
		checkToolsNow();
	});
	checkToolsNow();

	if (!edit) {
		let pathTouched = false;
		f.path.input.addEventListener('input', () => { pathTouched = true; });
		f.name.input.addEventListener('input', () => {
			if (!pathTouched)
				f.path.input.value = slug(f.name.input.value);
		});
		f.path.input.addEventListener('blur', () => {
			f.path.input.value = normPath(f.path.input.value);
		});
		const syncAuth = () => {
			const v = form.querySelector('input[name=auth_scheme]:checked').value;
			f.auth_credential.wrap.hidden = v === 'none';
			f.auth_header_name.wrap.hidden = v !== 'api_key';
		};
		f.auth_scheme.wrap.addEventListener('change', syncAuth);
		syncAuth();
	}

	// Client-side checks; the API's own answer is shown the same way.
	function precheck() {
		if (!f.name.input.value.trim())
			return { field: 'name', message: 'Enter a name.' };
		if (f.path) {
			const p = normPath(f.path.input.value);
			if (!p)
				return { field: 'path', message: 'Enter a path, e.g. /my-server.' };
			if (!PATH_RE.test(p))
				return { field: 'path', message: 'Use / then a letter ' +
				    'or digit, then letters, digits, . _ or - ' +
				    '(65 characters at most).' };
		}
		const u = f.proxy_pass_url.input.value.trim();
		if (!u)
			return { field: 'proxy_pass_url', message: 'Enter the backend URL.' };
		if (!/^https?:\/\/[^/]/i.test(u))
			return { field: 'proxy_pass_url', message: 'Use an http:// ' +
			    'or https:// URL.' };
		if (!edit) {
			const v = form.querySelector('input[name=auth_scheme]:checked').value;
			if (v !== 'none' && !f.auth_credential.input.value)
				return { field: 'auth_credential', message: 'Enter the ' +
				    'credential the backend expects.' };
		}
		const t = checkToolsNow();
		if (!t.ok)
			return { field: 'tool_list_json', message: t.message };
		return null;
	}

	function body() {
		const b = {
			name: f.name.input.value.trim(),
			proxy_pass_url: f.proxy_pass_url.input.value.trim(),
			description: f.description.input.value,
			tags: parseTags(f.tags.input.value),
			license: f.license.input.value.trim() || 'N/A',
		};
		const tools = checkTools(f.tool_list_json.input.value).tools;
		if (edit) {
			b.is_enabled = f.enabled.input.checked;
			if (toolsDirty)
				b.tool_list_json = tools;
			return b;
		}
		b.path = normPath(f.path.input.value);
		const v = form.querySelector('input[name=auth_scheme]:checked').value;
		b.auth_scheme = v;
		if (v !== 'none')
			b.auth_credential = f.auth_credential.input.value;
		if (v === 'api_key' && f.auth_header_name.input.value.trim())
			b.auth_header_name = f.auth_header_name.input.value.trim();
		if (tools)
			b.tool_list_json = tools;
		b.enabled = f.enabled.input.checked;
		b.overwrite = f.overwrite.input.checked;
		return b;
	}

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form, formErr);
		checkToolsNow();
		const pre = precheck();
		if (pre) {
			showErrors(form, formErr, pre);
			return;
		}
		submit.disabled = true;
		try {
			if (edit) {
				await api('PATCH', serverPath(serverName(s)), body());
				toast('Changes saved.');
				navigate('#/servers/' + encodeURIComponent(serverName(s)));
			} else {
				const r = await api('POST', '/api/servers/register', body());
				f.auth_credential.input.value = '';
				toast(r.message || 'Server registered.');
				navigate('#/servers/' + encodeURIComponent(
				    serverName(r.server || r)));
			}
		} catch (err) {
			let message = err.message;
			if (err.code === 'path_exists')
				message += ' (tick "Replace a server already ' +
				    'registered at this path" below to replace it)';
			showErrors(form, formErr, { field: err.field === 'enabled' &&
			    edit ? 'is_enabled' : err.field, message });
		} finally {
			submit.disabled = false;
		}
	});

	replace(el,
	    h('div.page-head', {}, h('h1', { text: edit ? 'Edit server' :
		'Register a server' }),
		edit ? h('p.muted', {}, h('span.mono', { text: s.path }),
		    ': the path stays; the credential changes with "Rotate ' +
		    'credential" on the server page.') :
		h('p.muted', { text: 'Fields marked * are required.' })),
	    form);
	f.name.input.focus();
}
