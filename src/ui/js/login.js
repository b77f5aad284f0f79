// The login page: username and password for the session cookie.
import { api } from './api.js';
import { h, replace } from './dom.js';
import { field } from './forms.js';

export function loginView(el, onLoggedIn) {
	const user = field({ id: 'login-user', name: 'username', label: 'Username',
	    attrs: { autocomplete: 'username', autocapitalize: 'none',
		spellcheck: 'false', required: true } });
	const pass = field({ id: 'login-pass', name: 'password', label: 'Password',
	    type: 'password', attrs: { autocomplete: 'current-password',
		required: true } });
	const err = h('p.form-error', { id: 'login-error', role: 'alert', hidden: true });
	const submit = h('button.btn.btn-primary.btn-block', { type: 'submit',
	    text: 'Log in' });
	const form = h('form.stack', { id: 'login-form', novalidate: true },
	    user.wrap, pass.wrap, err, submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.hidden = true;
		if (!user.input.value || !pass.input.value) {
			err.textContent = 'Enter your username and password.';
			err.hidden = false;
			return;
		}
		submit.disabled = true;
		try {
			const me = await api('POST', '/api/auth/login', {
				username: user.input.value,
				password: pass.input.value,
			});
			pass.input.value = '';
			onLoggedIn(me);
		} catch (e) {
			err.textContent = e.status === 401 ?
			    'Wrong username or password.' : e.status === 429 ?
			    'Too many failed attempts: wait a few minutes, then try again.' :
			    e.message;
			err.hidden = false;
			pass.input.select();
		} finally {
			submit.disabled = false;
		}
	});
	replace(el, h('div.login-card.card', {},
	    h('h1', { text: 'Log in to the registry' }),
	    h('p.muted', { text: 'MCP servers, their health and their tools.' }),
	    form));
	user.input.focus();
}
