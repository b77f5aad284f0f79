// Form fields with their hint and error line, and the API's field errors shown next to them.
import { h } from './dom.js';

// One labelled input (or textarea/select). Returns {wrap, input, error}.
// wrap carries data-field=<API field name>, which showErrors() looks up.
export function field({ id, name, label, type = 'text', value = '', hint,
    attrs = {}, textarea = false, options = null, required = false }) {
	let input;
	const common = { id, name, 'aria-describedby': `${id}-hint err-${id}`,
	    required, ...attrs };
	if (textarea) {
		input = h('textarea', common);
		input.value = value;
	} else if (options) {
		input = h('select', common, options.map(([v, t]) =>
		    h('option', { value: v, text: t })));
		input.value = value;
	} else {
		input = h('input', { type, ...common });
		input.value = value;
	}
	const error = h('p.field-error', { id: `err-${id}`, hidden: true });
	const wrap = h('div.field', { 'data-field': name },
	    h('label.label', { for: id }, label,
		required ? h('span.req', { 'aria-hidden': 'true', text: ' *' }) : null),
	    input,
	    hint ? h('p.hint', { id: `${id}-hint`, text: hint }) : null,
	    error);
	return { wrap, input, error };
}

export function checkbox({ id, name, label, checked, hint }) {
	const input = h('input', { type: 'checkbox', id, name, checked });
	const error = h('p.field-error', { id: `err-${id}`, hidden: true });
	const wrap = h('div.field.field-check', { 'data-field': name },
	    h('div.check', {}, input, h('label', { for: id, text: label })),
	    hint ? h('p.hint', { text: hint }) : null, error);
	return { wrap, input, error };
}

export function clearErrors(form, formErr) {
	for (const e of form.querySelectorAll('.field-error')) {
		e.textContent = '';
		e.hidden = true;
	}
	for (const i of form.querySelectorAll('[aria-invalid]'))
		i.removeAttribute('aria-invalid');
	if (formErr) {
		formErr.textContent = '';
		formErr.hidden = true;
	}
}

// Shows {field, message} next to that field when the form has it, else
// in the form-wide error line. Returns the input it marked, if any.
export function showErrors(form, formErr, { field: name, message }) {
	const wrap = name ? form.querySelector(
	    `[data-field="${CSS.escape(name)}"]`) : null;
	if (wrap && !wrap.hidden) {
		const err = wrap.querySelector('.field-error');
		err.textContent = message;
		err.hidden = false;
		const input = wrap.querySelector('input, textarea, select');
		if (input) {
			input.setAttribute('aria-invalid', 'true');
			input.focus();
		}
		return input;
	}
	formErr.textContent = message;
	formErr.hidden = false;
	return null;
}

// Checks the manual tools text the way the API does: a JSON array of
// objects, each with a string "name" and an object "inputSchema".
// Returns {ok, tools?, message}.
export function checkTools(text) {
	if (!text.trim())
		return { ok: true, tools: null, message: 'No manual tools.' };
	let v;
	try {
		v = JSON.parse(text);
	} catch (err) {
		return { ok: false, message: `Not valid JSON: ${err.message}` };
	}
	if (!Array.isArray(v))
		return { ok: false, message: 'Must be a JSON array of tools: [ {...}, ... ].' };
	for (let i = 0; i < v.length; i++) {
		const t = v[i];
		const at = `Tool ${i + 1}`;
		if (!t || typeof t !== 'object' || Array.isArray(t))
			return { ok: false, message: `${at} is not an object.` };
		if (typeof t.name !== 'string' || !t.name)
			return { ok: false, message: `${at} needs a string "name".` };
		if (!t.inputSchema || typeof t.inputSchema !== 'object' ||
		    Array.isArray(t.inputSchema))
			return { ok: false, message: `${at} ("${t.name}") needs an ` +
			    'object "inputSchema", e.g. {"type": "object"}.' };
	}
	const list = v.map((t) => t.name).join(', ');
	return { ok: true, tools: v, message: v.length === 0 ? 'An empty list.' :
	    `Valid: ${v.length} tool${v.length === 1 ? '' : 's'} (${list}).` };
}
