// Modal dialogs: confirmation, "Get JWT Token", and credential rotation.
import { api, serverPath } from './api.js';
import { h, replace, fmtTime, relTime, serverName, authText } from './dom.js';
import { field, showErrors, clearErrors } from './forms.js';

let seq = 0;

// A <dialog> with a title; the caller fills .body and .actions. It is
// removed from the page when closed (Escape included).
export function modal(title, { onClose, wide } = {}) {
	const id = `dlg-title-${++seq}`;
	const body = h('div.modal-body');
	const closeBtn = h('button.modal-x', { type: 'button',
	    'aria-label': 'Close', text: '×' });
	const dlg = h('dialog.modal' + (wide ? '.modal-wide' : ''),
	    { 'aria-labelledby': id },
	    h('div.modal-head', {}, h('h2', { id, text: title }), closeBtn),
	    body);
	closeBtn.addEventListener('click', () => dlg.close());
	dlg.addEventListener('close', () => {
		if (onClose)
			onClose();
		dlg.remove();
	});
	document.body.append(dlg);
	return { dlg, body, open: () => dlg.showModal(),
	    close: () => dlg.close() };
}

// Resolves true when the user confirms.
export function confirmDialog(title, message, okText, danger = true) {
	return new Promise((resolve) => {
		let ok = false;
		const m = modal(title, { onClose: () => resolve(ok) });
		const yes = h('button.btn' + (danger ? '.btn-danger' : '.btn-primary'),
		    { type: 'button', text: okText });
		const no = h('button.btn', { type: 'button', text: 'Cancel' });
		yes.addEventListener('click', () => { ok = true; m.close(); });
		no.addEventListener('click', () => m.close());
		replace(m.body, h('p', {}, message),
		    h('div.actions', {}, no, yes));
		m.open();
		no.focus();
	});
}

async function copyText(text, input) {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch {
		// Older browsers, or no clipboard permission: select it and
		// fall back to the legacy command.
		input.focus();
		input.select();
		try {
			return document.execCommand('copy');
		} catch {
			return false;
		}
	}
}

// "Get JWT Token": lifetime and description, then the token, shown once.
export function tokenDialog() {
	let tokenBox = null;
	const m = modal('Get JWT Token', {
		// The token lives only in this dialog: wipe it on close.
		onClose: () => { if (tokenBox) tokenBox.value = ''; },
	});
	const hours = field({ id: 'tok-hours', name: 'expires_in_hours',
	    label: 'Lifetime (hours)', type: 'number', value: '8',
	    attrs: { min: '1', step: '1', inputmode: 'numeric', required: true },
	    hint: 'Whole hours; the registry sets the maximum (24 by default).' });
	const desc = field({ id: 'tok-desc', name: 'description',
	    label: 'Description', value: '',
	    attrs: { maxlength: '256', placeholder: 'Server registration token' },
	    hint: 'What the token is for (stored in the token, up to 256 characters).' });
	const formErr = h('p.form-error', { role: 'alert', hidden: true });
	const submit = h('button.btn.btn-primary', { type: 'submit',
	    text: 'Generate token' });
	const cancel = h('button.btn', { type: 'button', text: 'Cancel',
	    onclick: () => m.close() });
	const form = h('form.stack', { novalidate: true }, hours.wrap, desc.wrap,
	    formErr, h('div.actions', {}, cancel, submit));
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form, formErr);
		const n = Number(hours.input.value);
		if (!Number.isInteger(n) || n < 1) {
			showErrors(form, formErr, { field: 'expires_in_hours',
			    message: 'Enter a whole number of hours, 1 or more.' });
			return;
		}
		submit.disabled = true;
		try {
			const t = await api('POST', '/api/tokens/generate', {
				expires_in_hours: n,
				description: desc.input.value,
			});
			showToken(t);
		} catch (err) {
			showErrors(form, formErr, { field: err.field,
			    message: err.message });
		} finally {
			submit.disabled = false;
		}
	});

	function showToken(t) {
		tokenBox = h('textarea.mono.token-box', { id: 'tok-value',
		    readonly: true, rows: '5', spellcheck: 'false',
		    autocomplete: 'off', 'aria-label': 'Access token' });
		tokenBox.value = t.access_token;
		const copied = h('span.copy-state', { role: 'status' });
		const copy = h('button.btn.btn-primary', { type: 'button',
		    id: 'tok-copy', text: 'Copy token' });
		copy.addEventListener('click', async () => {
			const ok = await copyText(tokenBox.value, tokenBox);
			copied.textContent = ok ? 'Copied to the clipboard.' :
			    'Copy failed: select the text and copy it.';
		});
		const origin = location.origin;
		replace(m.body,
		    h('p.notice.notice-warn', { text: 'Copy this token now: it ' +
			'is shown only once, and this page keeps no copy.' }),
		    h('label.label', { for: 'tok-value', text: 'Access token' }),
		    tokenBox,
		    h('div.copy-row', {}, copy, copied),
		    h('dl.kv', {},
			h('dt', { text: 'Expires' }),
			h('dd', { id: 'tok-expires' },
			    fmtTime(t.expires_at) + ' (' +
			    relTime(t.expires_at) + ')'),
			h('dt', { text: 'Scope' }),
			h('dd.mono', { text: t.scope || '' }),
			t.description ? [h('dt', { text: 'Description' }),
			    h('dd', { text: t.description })] : null),
		    h('p.hint', { text: 'Use it as a bearer token:' }),
		    h('pre.code.code-wrap', { text: 'curl -H "Authorization: Bearer ' +
			'$JWT_TOKEN" ' + origin + '/api/servers' }),
		    h('div.actions', {}, h('button.btn', { type: 'button',
			text: 'Done', onclick: () => m.close() })));
		tokenBox.focus();
		tokenBox.select();
	}

	replace(m.body, form);
	m.open();
	hours.input.focus();
}

const ROTATE_CASES = [
	{ value: 'bearer', label: 'New bearer token',
	    hint: 'Sent as Authorization: Bearer <token>.' },
	{ value: 'api_key', label: 'Switch to an API key',
	    hint: 'Sent in a header of your choice (X-API-Key by default).' },
	{ value: 'none', label: 'Remove authentication',
	    hint: 'The stored credential is deleted; the server is called ' +
		'without one.' },
];

// Rotate, switch or remove a server's credential. onDone(result) runs
// after a successful change.
export function rotateDialog(server, onDone) {
	const m = modal('Rotate credential');
	const current = server.auth_scheme || 'none';
	const radios = ROTATE_CASES.map((c) => {
		const id = `rot-${c.value}`;
		const input = h('input', { type: 'radio', name: 'auth_scheme',
		    id, value: c.value,
		    checked: c.value === (current === 'none' ? 'bearer' : current) });
		return h('div.radio', {}, input, h('label', { for: id },
		    h('strong', { text: c.label }),
		    h('span.hint', { text: c.hint })));
	});
	const scheme = h('fieldset.field', { 'data-field': 'auth_scheme' },
	    h('legend', { text: 'Change to' }), radios,
	    h('p.field-error', { id: 'err-rot-auth_scheme', hidden: true }));
	const cred = field({ id: 'rot-credential', name: 'auth_credential',
	    label: 'New credential', type: 'password',
	    attrs: { autocomplete: 'new-password', spellcheck: 'false' },
	    hint: 'Write-only: it is encrypted by the registry and never shown again.' });
	const header = field({ id: 'rot-header', name: 'auth_header_name',
	    label: 'Header name',
	    value: server.auth_scheme === 'api_key' && server.auth_header_name ?
		server.auth_header_name : 'X-API-Key',
	    attrs: { autocomplete: 'off', spellcheck: 'false' },
	    hint: 'The header that carries the key, e.g. X-API-Key.' });
	const formErr = h('p.form-error', { role: 'alert', hidden: true });
	const submit = h('button.btn.btn-primary', { type: 'submit',
	    text: 'Update credential' });
	const form = h('form.stack', { novalidate: true },
	    h('p', {}, 'Server ', h('strong', { text: server.name }), ' (',
		h('span.mono', { text: server.path }), '), currently: ',
		h('span.mono', { text: authText(server) }), '.'),
	    scheme, cred.wrap, header.wrap, formErr,
	    h('div.actions', {}, h('button.btn', { type: 'button',
		text: 'Cancel', onclick: () => m.close() }), submit));
	const chosen = () => form.querySelector('input[name=auth_scheme]:checked').value;
	const sync = () => {
		const v = chosen();
		cred.wrap.hidden = v === 'none';
		header.wrap.hidden = v !== 'api_key';
	};
	form.addEventListener('change', sync);
	sync();
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		clearErrors(form, formErr);
		const v = chosen();
		const body = { auth_scheme: v };
		if (v !== 'none') {
			if (!cred.input.value) {
				showErrors(form, formErr, { field: 'auth_credential',
				    message: 'Enter the new credential.' });
				return;
			}
			body.auth_credential = cred.input.value;
		}
		if (v === 'api_key' && header.input.value.trim())
			body.auth_header_name = header.input.value.trim();
		submit.disabled = true;
		try {
			const r = await api('PATCH', serverPath(serverName(server)) +
			    '/auth-credential', body);
			cred.input.value = '';
			m.close();
			onDone(r);
		} catch (err) {
			showErrors(form, formErr, { field: err.field,
			    message: err.message });
		} finally {
			submit.disabled = false;
		}
	});
	replace(m.body, form);
	m.open();
	(current === 'none' ? cred.input : form.querySelector(
	    'input[name=auth_scheme]:checked')).focus();
}
