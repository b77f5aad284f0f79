#!/usr/bin/env node
// Minimal zero-dependency MCP servers (Streamable HTTP, POST /mcp) for the
// prober's edge cases.
//
// usage: node notools.mjs MODE [--port N] [--reply json|sse] [--tools N]
//            [--page N] [--log FILE]
// MODE:
//   notools    no tools capability; tools/list answers -32601
//   manytools  --tools N tools (default 120) in pages of --page (50),
//              linked by nextCursor
//   repeat     every tools/list page points at the same nextCursor
//   huge       tools/list answers with a 5 MiB reply
//   hang       accepts TCP connections and never answers
//   html       answers every request 200 text/html (not MCP)
//   fail500    answers every request 500
//   legacy     a legacy HTTP+SSE server (GET /sse, POST /messages) with
//              three tools; --endpoint abs (default), rel or other-origin
//              picks how its endpoint event names the POST URL, and each
//              reply is sent on the stream BEFORE the POST's 202
// --reply picks application/json (default) or text/event-stream replies;
// SSE replies start with a priming event (id, empty data) and a comment.
// Non-initialize requests need the Mcp-Session-Id from initialize and an
// MCP-Protocol-Version header equal to the negotiated version (else 400),
// so a test can prove the client sends both. The first stdout line is the
// port bound on 127.0.0.1 (port 0, the default, picks a free one). --log
// appends one JSON line per request (no credentials are involved here).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
const mode = process.argv[2];
const o = { port: '0', reply: 'json', tools: '120', page: '50', log: null,
	endpoint: 'abs' };
const a = process.argv.slice(3);
for (let i = 0; i < a.length; i += 2) {
	const k = a[i].replace(/^--/, '');
	if (!(k in o) || i + 1 >= a.length) {
		console.error(`notools: bad option ${a[i]}`);
		process.exit(2);
	}
	o[k] = a[i + 1];
}
const MODES = ['notools', 'manytools', 'repeat', 'huge', 'hang', 'html',
	'fail500', 'legacy'];
if (!MODES.includes(mode)) {
	console.error(`usage: notools.mjs ${MODES.join('|')} [--port N] ` +
	    '[--reply json|sse] [--tools N] [--page N] [--log F] ' +
	    '[--endpoint abs|rel|other-origin]');
	process.exit(2);
}
const logfd = o.log ? fs.openSync(o.log, 'a') : null;
const sessions = new Map(); // id -> negotiated version

function log(entry) {
	if (logfd !== null)
		fs.writeSync(logfd, JSON.stringify(entry) + '\n');
}

function tool(i) {
	return {
		name: `tool-${String(i).padStart(4, '0')}`,
		description: `Synthetic tool number ${i}`,
		inputSchema: { type: 'object', properties: { x: { type: 'number' } } },
		annotations: { readOnlyHint: true },
		_meta: { 'example.com/extra': i },
	};
}

function toolsPage(cursor) {
	const total = Number(o.tools), page = Number(o.page);
	if (mode === 'repeat')
		return { tools: [tool(cursor ? 1 : 0)], nextCursor: 'again' };
	if (mode === 'huge')
		return { tools: [{ name: 'big', inputSchema: { type: 'object' },
		    description: 'x'.repeat(5 * 1024 * 1024) }] };
	const start = cursor ? Number(cursor.replace(/^page-/, '')) : 0;
	if (!Number.isInteger(start) || start < 0 || start > total)
		return null;
	const tools = [];
	for (let i = start; i < Math.min(start + page, total); i++)
		tools.push(tool(i));
	const r = { tools };
	if (start + page < total)
		r.nextCursor = `page-${start + page}`;
	return r;
}

function send(res, status, msg, headers = {}) {
	if (o.reply === 'sse' && msg !== null && status === 200) {
		res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream',
		    'Cache-Control': 'no-cache' });
		// Priming event, a keepalive comment, an unrelated
		// notification, then the response; the stream stays open a
		// moment so a client must stop at the response.
		res.write('id: prime-0\r\nretry: 1000\r\ndata: \r\n\r\n');
		res.write(': keepalive\r\n\r\n');
		res.write('event: message\r\ndata: {"jsonrpc":"2.0","method":' +
		    '"notifications/message","params":{"level":"info",' +
		    '"data":"hello"}}\r\n\r\n');
		res.write(`event: message\r\nid: r-${msg.id}\r\n` +
		    `data: ${JSON.stringify(msg)}\r\n\r\n`);
		setTimeout(() => res.end(), 3000);
		return;
	}
	res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
	res.end(msg === null ? '' : JSON.stringify(msg));
}

function handle(req, res, body) {
	const sid = req.headers['mcp-session-id'];
	const pv = req.headers['mcp-protocol-version'];
	let msg;
	try {
		msg = JSON.parse(body);
	} catch {
		msg = null;
	}
	log({ ts: new Date().toISOString(), method: req.method,
	    rpc: msg && msg.method, session: sid ?? null,
	    protocol_version: pv ?? null });
	if (req.method === 'DELETE') {
		const ok = sid !== undefined && sessions.delete(sid);
		res.writeHead(ok ? 200 : 404);
		res.end();
		return;
	}
	if (req.method !== 'POST') {
		res.writeHead(405, { Allow: 'POST, DELETE' });
		res.end();
		return;
	}
	if (msg === null || msg.jsonrpc !== '2.0') {
		send(res, 400, { jsonrpc: '2.0', id: null,
		    error: { code: -32700, message: 'Parse error' } });
		return;
	}
	if (msg.method === 'initialize') {
		const want = msg.params && msg.params.protocolVersion;
		const version = VERSIONS.includes(want) ? want : VERSIONS[1];
		const id = crypto.randomUUID();
		sessions.set(id, version);
		send(res, 200, { jsonrpc: '2.0', id: msg.id, result: {
			protocolVersion: version,
			capabilities: mode === 'notools' ? { logging: {} } :
			    { tools: { listChanged: false } },
			serverInfo: { name: `mini-${mode}`, version: '1.0.0' },
		} }, { 'Mcp-Session-Id': id });
		return;
	}
	if (sid === undefined || !sessions.has(sid)) {
		send(res, sid === undefined ? 400 : 404, { jsonrpc: '2.0',
		    id: null, error: { code: -32001,
		    message: 'Session not found' } });
		return;
	}
	if (pv !== sessions.get(sid)) {
		send(res, 400, { jsonrpc: '2.0', id: null, error: {
		    code: -32600, message: `Bad MCP-Protocol-Version: ${pv}` } });
		return;
	}
	if (msg.id === undefined) {
		res.writeHead(202);
		res.end();
		return;
	}
	if (msg.method === 'tools/list' && mode !== 'notools') {
		const page = toolsPage(msg.params && msg.params.cursor);
		if (page === null)
			send(res, 200, { jsonrpc: '2.0', id: msg.id, error: {
			    code: -32602, message: 'Invalid cursor' } });
		else
			send(res, 200, { jsonrpc: '2.0', id: msg.id,
			    result: page });
		return;
	}
	if (msg.method === 'ping') {
		send(res, 200, { jsonrpc: '2.0', id: msg.id, result: {} });
		return;
	}
	send(res, 200, { jsonrpc: '2.0', id: msg.id, error: { code: -32601,
	    message: `Method not found: ${msg.method}` } });
}

// Legacy transport: one SSE stream per session, replies go there.
const streams = new Map();

function legacy(req, res, body) {
	const u = new URL(req.url, 'http://x');
	log({ ts: new Date().toISOString(), method: req.method, url: req.url });
	if (req.method === 'GET' && u.pathname === '/sse') {
		const id = crypto.randomUUID();
		res.writeHead(200, { 'Content-Type': 'text/event-stream',
		    'Cache-Control': 'no-cache' });
		const ep = o.endpoint === 'rel' ? `messages?session_id=${id}` :
		    o.endpoint === 'other-origin' ?
		    `http://127.0.0.2:${server.address().port}/messages?session_id=${id}` :
		    `/messages?session_id=${id}`;
		res.write(`: hello\n\nevent: endpoint\ndata: ${ep}\n\n`);
		streams.set(id, res);
		res.on('close', () => streams.delete(id));
		return;
	}
	if (req.method !== 'POST' || u.pathname !== '/messages') {
		res.writeHead(404);
		res.end('Not Found');
		return;
	}
	const s = streams.get(u.searchParams.get('session_id'));
	let msg = null;
	try {
		msg = JSON.parse(body);
	} catch {
	}
	if (!s || msg === null) {
		res.writeHead(s ? 400 : 404);
		res.end();
		return;
	}
	let reply = null;
	if (msg.method === 'initialize')
		reply = { protocolVersion: '2024-11-05',
		    capabilities: { tools: {} },
		    serverInfo: { name: 'mini-legacy', version: '1.0.0' } };
	else if (msg.method === 'tools/list')
		reply = { tools: [0, 1, 2].map(tool) };
	if (msg.id !== undefined && reply !== null)
		s.write(`event: message\ndata: ${JSON.stringify({
		    jsonrpc: '2.0', id: msg.id, result: reply })}\n\n`);
	setTimeout(() => {
		res.writeHead(202);
		res.end('Accepted');
	}, 20);
}

let server;
if (mode === 'hang') {
	const held = [];
	server = net.createServer(s => {
		held.push(s);
		s.on('data', () => {});
		s.on('error', () => {});
	});
} else {
	server = http.createServer((req, res) => {
		const chunks = [];
		let size = 0;
		req.on('data', c => {
			size += c.length;
			if (size <= 1 << 20)
				chunks.push(c);
		});
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString();
			if (mode === 'html') {
				res.writeHead(200, { 'Content-Type':
				    'text/html; charset=utf-8' });
				res.end('<html><body>hello</body></html>');
			} else if (mode === 'fail500') {
				res.writeHead(500);
				res.end('oops');
			} else if (mode === 'legacy')
				legacy(req, res, body);
			else
				handle(req, res, body);
		});
	});
}
server.listen(Number(o.port), '127.0.0.1', () => {
	process.stdout.write(`${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
