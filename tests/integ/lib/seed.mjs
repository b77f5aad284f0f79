// The seed's curl commands (reference/seed-faq.md), verbatim, and a shell-words parser to run them.
//
// Only the host is replaced (by $MCPGW_URL), $JWT_TOKEN is expanded as the
// shell would, and <your-session-cookie> is the session cookie value.
import { env } from './env.mjs';

export const SEED_HOST = 'https://registry.example.com';

/* eslint-disable max-len */
export const SEED = {
	registerBearer: String.raw`curl -X POST https://registry.example.com/api/servers/register \
  -H "Authorization: Bearer $JWT_TOKEN" \
  -F "name=My Protected Server" \
  -F "description=An MCP server behind Bearer auth" \
  -F "path=/my-protected-server" \
  -F "proxy_pass_url=http://my-server:8000" \
  -F "auth_scheme=bearer" \
  -F "auth_credential=my-backend-server-token"`,
	registerApiKey: String.raw`curl -X POST https://registry.example.com/api/servers/register \
  -H "Authorization: Bearer $JWT_TOKEN" \
  -F "name=My API Key Server" \
  -F "description=An MCP server behind API key auth" \
  -F "path=/my-apikey-server" \
  -F "proxy_pass_url=http://my-server:8000" \
  -F "auth_scheme=api_key" \
  -F "auth_credential=my-api-key-value" \
  -F "auth_header_name=X-API-Key"`,
	registerTools: String.raw`curl -X POST https://registry.example.com/api/servers/register \
  -H "Authorization: Bearer $JWT_TOKEN" \
  -F "name=My Server" \
  -F "description=Server with manually defined tools" \
  -F "path=/my-server" \
  -F "proxy_pass_url=http://my-server:8000" \
  -F 'tool_list_json=[{"name": "get_weather", "description": "Get weather for a city", "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]'`,
	rotateBearer: String.raw`curl -X PATCH https://registry.example.com/api/servers/my-protected-server/auth-credential \
  -H "Authorization: Bearer $JWT_TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "auth_scheme": "bearer",
    "auth_credential": "new-backend-server-token"
  }'`,
	rotateToApiKey: String.raw`curl -X PATCH https://registry.example.com/api/servers/my-protected-server/auth-credential \
  -H "Authorization: Bearer $JWT_TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "auth_scheme": "api_key",
    "auth_credential": "new-api-key",
    "auth_header_name": "X-API-Key"
  }'`,
	rotateToNone: String.raw`curl -X PATCH https://registry.example.com/api/servers/my-protected-server/auth-credential \
  -H "Authorization: Bearer $JWT_TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "auth_scheme": "none"
  }'`,
	generateToken: String.raw`curl -X POST https://registry.example.com/api/tokens/generate \
  -H "Cookie: session=<your-session-cookie>" \
  -H "Content-Type: application/json" \
  -d '{
    "expires_in_hours": 8,
    "description": "Server registration token"
  }'`,
};

/*
 * Splits a POSIX shell command line into words: whitespace, '...' and
 * "..." quoting, backslash escapes, backslash-newline continuation and
 * $NAME / ${NAME} expansion from vars (unset names expand to "").
 */
export function shellWords(src, vars = {}) {
	const words = [];
	let cur = null;
	let i = 0;
	const add = (s) => {
		cur = (cur ?? '') + s;
	};
	const varAt = (j) => {
		const m = src.slice(j).match(/^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/);
		if (!m)
			return null;
		return { len: m[0].length, value: vars[m[1] || m[2]] ?? '' };
	};
	while (i < src.length) {
		const c = src[i];
		if (c === '\\' && src[i + 1] === '\n') {
			i += 2;
		} else if (c === ' ' || c === '\t' || c === '\n') {
			if (cur !== null)
				words.push(cur);
			cur = null;
			i++;
		} else if (c === "'") {
			const j = src.indexOf("'", i + 1);
			if (j < 0)
				throw new Error('shellWords: unterminated \'');
			add(src.slice(i + 1, j));
			i = j + 1;
		} else if (c === '"') {
			add('');
			i++;
			for (;;) {
				if (i >= src.length)
					throw new Error('shellWords: unterminated "');
				const d = src[i];
				if (d === '"') {
					i++;
					break;
				}
				if (d === '\\' && '$`"\\\n'.includes(src[i + 1])) {
					if (src[i + 1] !== '\n')
						add(src[i + 1]);
					i += 2;
					continue;
				}
				const v = d === '$' ? varAt(i) : null;
				if (v) {
					add(v.value);
					i += v.len;
					continue;
				}
				add(d);
				i++;
			}
		} else if (c === '\\') {
			add(src[i + 1] ?? '');
			i += 2;
		} else if (c === '$' && varAt(i)) {
			const v = varAt(i);
			add(v.value);
			i += v.len;
		} else if (c === '#' && cur === null) {
			while (i < src.length && src[i] !== '\n')
				i++;
		} else {
			add(c);
			i++;
		}
	}
	if (cur !== null)
		words.push(cur);
	return words;
}

/*
 * The argv (without the leading "curl") of a seed command against
 * $MCPGW_URL, with JWT_TOKEN and the session cookie filled in.
 */
export function seedArgs(cmd, { jwt = '', cookie = '' } = {}) {
	const text = cmd.split(SEED_HOST).join(env.url)
	    .split('<your-session-cookie>').join(cookie);
	const w = shellWords(text, { JWT_TOKEN: jwt });
	if (w[0] !== 'curl')
		throw new Error('seed command does not start with curl');
	return w.slice(1);
}
