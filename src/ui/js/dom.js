// DOM helpers: every piece of data reaches the page as text, never as markup.

// h('tag.class', {attr: value, onclick: fn}, child...) builds an element.
// Children may be strings (text nodes), nodes, arrays, null or false.
// Attributes go through setAttribute; "text" sets textContent; there is
// deliberately no way to set innerHTML.
export function h(spec, attrs, ...children) {
	const [tag, ...classes] = spec.split('.');
	const el = document.createElement(tag || 'div');
	if (classes.length)
		el.className = classes.join(' ');
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k === 'text')
			el.textContent = String(v);
		else if (k === 'class')
			el.className = [el.className, v].filter(Boolean).join(' ');
		else if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'value')
			el.value = v;
		else if (k === 'checked')
			el.checked = Boolean(v);
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export function clear(el) {
	while (el.firstChild)
		el.firstChild.remove();
	return el;
}

export function replace(el, ...children) {
	clear(el);
	return append(el, children);
}

export function $(sel, root = document) {
	return root.querySelector(sel);
}

// "2026-11-26 10:00:00 UTC" for an ISO time, "" for none.
export function fmtTime(iso) {
	if (!iso)
		return '';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return String(iso);
	return d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

// "3 min ago", "in 8 h" ... relative to now.
export function relTime(iso, now = Date.now()) {
	if (!iso)
		return '';
	const t = new Date(iso).getTime();
	if (Number.isNaN(t))
		return '';
	const s = Math.round((t - now) / 1000);
	const a = Math.abs(s);
	let v;
	if (a < 10)
		return 'just now';
	if (a < 60)
		v = `${a} s`;
	else if (a < 3600)
		v = `${Math.round(a / 60)} min`;
	else if (a < 86400 * 2)
		v = `${Math.round(a / 3600)} h`;
	else
		v = `${Math.round(a / 86400)} days`;
	return s < 0 ? `${v} ago` : `in ${v}`;
}

// A <time> showing the relative time, the absolute one on hover; it is
// refreshed by tickTimes().
export function timeEl(iso, empty = 'never') {
	if (!iso)
		return h('span.muted', { text: empty });
	return h('time.rel', { datetime: iso, title: fmtTime(iso),
	    text: relTime(iso) });
}

export function tickTimes(root = document) {
	for (const t of root.querySelectorAll('time.rel'))
		t.textContent = relTime(t.getAttribute('datetime'));
}

const BADGE_TEXT = {
	healthy: 'healthy', unhealthy: 'unhealthy', auth_failed: 'auth failed',
	unknown: 'unknown', disabled: 'disabled',
};

export function healthClass(status) {
	return 'badge badge-' + (BADGE_TEXT[status] ? status : 'unknown');
}

export function healthText(status) {
	return BADGE_TEXT[status] || String(status || 'unknown');
}

// The server's name in URLs: its path without the leading '/'.
export function serverName(s) {
	return String(s.path || '').replace(/^\//, '');
}

export function serverHref(s, suffix = '') {
	return '#/servers/' + encodeURIComponent(serverName(s)) + suffix;
}

export function authText(s) {
	if (!s.auth_scheme || s.auth_scheme === 'none')
		return 'none';
	if (s.auth_scheme === 'api_key')
		return `api_key (${s.auth_header_name || 'X-API-Key'})`;
	if (s.auth_header_name && s.auth_header_name !== 'Authorization')
		return `bearer (${s.auth_header_name})`;
	return 'bearer';
}

let toastTimer = 0;

// A short message at the bottom of the screen.
export function toast(msg, kind = 'ok') {
	const t = document.getElementById('toast');
	t.textContent = msg;
	t.className = 'toast toast-' + kind;
	t.hidden = false;
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}
