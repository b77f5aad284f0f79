// Bad bodies (SPEC §8): unknown media types, malformed JSON/multipart/urlencoded, oversized bodies.
import { RUN, uniqPath, confInt } from './lib/env.mjs';
import { post, get, multipart } from './lib/http.mjs';
import { adminToken } from './lib/auth.mjs';
import { CRED } from './lib/secrets.mjs';
import { getServer, DEAD_URL } from './lib/servers.mjs';
import { error, eq, ok, json } from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const MAX = confInt('max_body_bytes', 1048576);

async function raw(body, contentType, extra = {}) {
	return post('/api/servers/register', { token: await adminToken(), body,
	    contentType, timeout: 30000, ...extra });
}

// The server at p must not exist: a refused request changes nothing.
async function absent(p) {
	eq((await getServer(p)).status, 404, `GET ${p} after a refused request`);
}

function validJson(p) {
	return JSON.stringify({ name: `limits-${RUN.tag}`, path: p,
	    proxy_pass_url: DEAD_URL });
}

test('text/plain body: 415 unsupported_media_type', async () => {
	const p = uniqPath('415');
	error(await raw(validJson(p), 'text/plain'), 415,
	    'unsupported_media_type');
	await absent(p);
});

test('application/xml and a made-up type: 415', async () => {
	const p = uniqPath('415x');
	error(await raw(`<server path="${p}"/>`, 'application/xml'), 415,
	    'unsupported_media_type');
	error(await raw(validJson(p), 'application/x-mcpgw-nonsense'), 415,
	    'unsupported_media_type');
	await absent(p);
});

const BAD_JSON = [
	['truncated', '{"name": "x", "path": '],
	['a trailing comma', '{"name": "x",}'],
	['single quotes', "{'name': 'x'}"],
	['an array, not an object', '[{"name": "x"}]'],
	['a bare string', '"name"'],
	['deep nesting', '['.repeat(100000) + ']'.repeat(100000)],
];

for (const [what, body] of BAD_JSON) {
	test(`malformed JSON (${what}): 400 with a reason`, async () => {
		error(await raw(body, 'application/json'), 400);
	});
}

test('JSON with invalid UTF-8 in a string: 400, nothing stored',
    async () => {
	const p = uniqPath('utf8');
	const body = Buffer.concat([Buffer.from('{"name":"bad '),
	    Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`","path":"${p}",` +
	    `"proxy_pass_url":"${DEAD_URL}"}`)]);
	error(await raw(body, 'application/json'), 400);
	await absent(p);
});

test('JSON with a lone surrogate escape: 400, nothing stored', async () => {
	const p = uniqPath('surr');
	const body = `{"name":"bad \\ud800 x","path":"${p}",` +
	    `"proxy_pass_url":"${DEAD_URL}"}`;
	error(await raw(body, 'application/json'), 400);
	await absent(p);
});

test('empty JSON body: 400', async () => {
	error(await raw('', 'application/json'), 400);
});

test('empty urlencoded body: 400', async () => {
	error(await raw('', 'application/x-www-form-urlencoded'), 400);
});

test('malformed urlencoded escapes: 400', async () => {
	const p = uniqPath('pct');
	error(await raw(`name=bad%zzname&path=${p}&proxy_pass_url=` +
	    encodeURIComponent(DEAD_URL), 'application/x-www-form-urlencoded'),
	    400);
	error(await raw(`name=bad%&path=${p}&proxy_pass_url=` +
	    encodeURIComponent(DEAD_URL), 'application/x-www-form-urlencoded'),
	    400);
	await absent(p);
});

test('multipart without a boundary parameter: 400', async () => {
	const p = uniqPath('mp1');
	const mp = multipart({ name: 'x', path: p, proxy_pass_url: DEAD_URL });
	error(await raw(mp.body, 'multipart/form-data'), 400);
	await absent(p);
});

test('multipart with no closing delimiter: 400', async () => {
	const p = uniqPath('mp2');
	const mp = multipart({ name: 'x', path: p, proxy_pass_url: DEAD_URL });
	const cut = mp.body.subarray(0, mp.body.lastIndexOf('--') - 8);
	error(await raw(cut, mp.contentType), 400);
	await absent(p);
});

test('multipart whose boundary never appears: 400', async () => {
	const p = uniqPath('mp3');
	const mp = multipart({ name: 'x', path: p, proxy_pass_url: DEAD_URL },
	    'AAAAAAAA');
	error(await raw(mp.body, 'multipart/form-data; boundary=BBBBBBBB'), 400);
	await absent(p);
});

test('multipart part without a name: 400', async () => {
	const b = 'itbnoname';
	const body = `--${b}\r\nContent-Disposition: form-data\r\n\r\nx\r\n` +
	    `--${b}--\r\n`;
	error(await raw(body, `multipart/form-data; boundary=${b}`), 400);
});

test('multipart with unterminated part headers: 400', async () => {
	const b = 'itbhdr';
	const body = `--${b}\r\nContent-Disposition: form-data; name="name"\r\n`;
	error(await raw(body, `multipart/form-data; boundary=${b}`), 400);
});

function bigJson(bytes) {
	const head = `{"name":"big","path":"${uniqPath('big')}",` +
	    `"proxy_pass_url":"${DEAD_URL}","auth_scheme":"bearer",` +
	    `"auth_credential":"${CRED.tooLarge}","description":"`;
	const tail = '"}';
	return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}

test('a 2 MiB JSON body: 413 body_too_large', async () => {
	const body = bigJson(2 * 1024 * 1024);
	error(await raw(body, 'application/json'), 413, 'body_too_large');
});

test('a body of max_body_bytes + 1: 413 body_too_large', async () => {
	const body = bigJson(MAX + 1);
	eq(Buffer.byteLength(body), MAX + 1, 'body size', null);
	error(await raw(body, 'application/json'), 413, 'body_too_large');
});

test('a 2 MiB multipart body: 413 body_too_large', async () => {
	const mp = multipart({ name: 'big', path: uniqPath('bigmp'),
	    proxy_pass_url: DEAD_URL, description: 'x'.repeat(2 * 1024 * 1024) });
	error(await raw(mp.body, mp.contentType), 413, 'body_too_large');
});

test('a 2 MiB chunked body (no Content-Length) is refused', async () => {
	const chunk = Buffer.alloc(64 * 1024, 0x20);
	let sent = 0;
	const stream = new ReadableStream({
		pull(c) {
			if (sent === 0)
				c.enqueue(Buffer.from('{"name":"chunked","d":"'));
			if (sent >= 2 * 1024 * 1024) {
				c.enqueue(Buffer.from('"}'));
				c.close();
				return;
			}
			c.enqueue(chunk);
			sent += chunk.length;
		},
	});
	const res = await raw(stream, 'application/json');
	ok(res.status === 413 || res.status === 411, `expected 413 (or 411 ` +
	    `from the web server), got ${res.status}`, res);
	if (res.status === 413 && res.json)
		eq(res.json.error, 'body_too_large', 'error', res);
});

test('the server still answers after the oversized bodies', async () => {
	json(await get('/health'), 200);
	json(await get('/api/servers?limit=1', { token: await adminToken() }),
	    200);
});
