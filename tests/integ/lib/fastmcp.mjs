// A fast, stateless MCP backend (JSON-RPC over POST, no sessions) for the load and fault tests.
//
// As a script: node tests/integ/lib/fastmcp.mjs prints the port it bound
// on 127.0.0.1 as its first stdout line and serves until SIGTERM. With
// FASTMCP_BEARER in its environment (never on the command line) every
// request must carry "Authorization: Bearer <it>", else 401. It answers
// initialize, tools/list and tools/call (add: the sum as text; echo: the
// message) with application/json, notifications with 202, anything else
// with a JSON-RPC error; no Mcp-Session-Id is issued or required. It logs
// nothing (its requests carry a credential).
//
// As a module: startFastMcp(name, bearer) runs the script as a child
// process and resolves {pid, port, url, stop()}.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const TOOLS = [
	{ name: 'add', description: 'Adds two numbers.',
	    inputSchema: { type: 'object', properties: { a: { type: 'number' },
	    b: { type: 'number' } }, required: ['a', 'b'] } },
	{ name: 'echo', description: 'Echoes a message.',
	    inputSchema: { type: 'object', properties: {
	    message: { type: 'string' } }, required: ['message'] } },
];

function reply(res, status, obj) {
	const body = obj === null ? '' : JSON.stringify(obj);
	res.writeHead(status, { 'Content-Type': 'application/json',
	    'Content-Length': Buffer.byteLength(body) });
	res.end(body);
}

function answer(msg) {
	const p = msg.params || {};
	switch (msg.method) {
	case 'initialize':
		return { protocolVersion: typeof p.protocolVersion === 'string' ?
		    p.protocolVersion : '2025-06-18',
		    capabilities: { tools: { listChanged: false } },
		    serverInfo: { name: 'fastmcp', version: '1.0.0' } };
	case 'ping':
		return {};
	case 'tools/list':
		return { tools: TOOLS };
	case 'tools/call': {
		const a = p.arguments || {};
		if (p.name === 'add')
			return { content: [{ type: 'text',
			    text: String(Number(a.a) + Number(a.b)) }] };
		if (p.name === 'echo')
			return { content: [{ type: 'text',
			    text: String(a.message) }] };
		return null;
	}
	default:
		return null;
	}
}

function serve() {
	const want = process.env.FASTMCP_BEARER ?
	    `Bearer ${process.env.FASTMCP_BEARER}` : null;
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			if (want !== null && req.headers.authorization !== want)
				return reply(res, 401, { error: 'unauthorized' });
			if (req.method !== 'POST')
				return reply(res, 405, { error: 'POST only' });
			let msg;
			try {
				msg = JSON.parse(Buffer.concat(chunks).toString());
			} catch {
				return reply(res, 400, { jsonrpc: '2.0', id: null,
				    error: { code: -32700, message: 'Parse error' } });
			}
			if (!msg || msg.jsonrpc !== '2.0')
				return reply(res, 400, { jsonrpc: '2.0', id: null,
				    error: { code: -32600, message: 'Invalid' } });
			if (msg.id === undefined)
				return reply(res, 202, null);
			const r = answer(msg);
			reply(res, 200, r === null ? { jsonrpc: '2.0', id: msg.id,
			    error: { code: -32601, message: 'Method not found' } } :
			    { jsonrpc: '2.0', id: msg.id, result: r });
		});
	});
	server.keepAliveTimeout = 30000;
	server.headersTimeout = 35000;
	server.maxConnections = 1024;
	server.listen(0, '127.0.0.1', () => {
		process.stdout.write(`${server.address().port}\n`);
	});
	for (const sig of ['SIGTERM', 'SIGINT'])
		process.on(sig, () => process.exit(0));
}

const live = new Set();

process.on('exit', () => {
	for (const c of live) {
		try {
			c.kill('SIGKILL');
		} catch { /* gone */ }
	}
});

/*
 * Starts the backend as a child process (its own event loop, so a load
 * generator in this process does not slow it). bearer: the credential it
 * requires, or null. Its stderr is discarded (it writes none).
 */
export function startFastMcp(bearer = null) {
	const e = { ...process.env };
	delete e.FASTMCP_BEARER;
	if (bearer)
		e.FASTMCP_BEARER = bearer;
	const child = spawn(process.execPath, [import.meta.filename],
	    { stdio: ['ignore', 'pipe', 'ignore'], env: e });
	live.add(child);
	child.on('exit', () => live.delete(child));
	const stop = () => new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null)
			return resolve();
		const t = setTimeout(() => child.kill('SIGKILL'), 3000);
		child.once('exit', () => {
			clearTimeout(t);
			resolve();
		});
		child.kill('SIGTERM');
	});
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			stop();
			reject(new Error('fastmcp: no port line within 15 s'));
		}, 15000);
		child.on('exit', (code, sig) => {
			clearTimeout(timer);
			reject(new Error(`fastmcp exited (${sig || code}) early`));
		});
		child.stdout.on('data', (d) => {
			out += d;
			const m = out.match(/^(\d+)\n/);
			if (!m)
				return;
			clearTimeout(timer);
			child.stdout.resume();
			const port = Number(m[1]);
			resolve({ pid: child.pid, port,
			    url: `http://127.0.0.1:${port}`, stop });
		});
	});
}

if (process.argv[1] &&
    import.meta.url === pathToFileURL(process.argv[1]).href)
	serve();
