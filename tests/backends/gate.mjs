#!/usr/bin/env node
// Auth gate for tests: a zero-dependency streaming reverse proxy that lets a
// request through to the upstream MCP server only with the right credential.
//
// usage: node gate.mjs [--port N] --upstream URL --scheme bearer|api_key
//            [--header NAME] --credential VALUE [--log FILE]
// Every option may come from the environment instead: GATE_PORT,
// GATE_UPSTREAM, GATE_SCHEME, GATE_HEADER, GATE_CREDENTIAL, GATE_LOG.
// Port 0 (the default) picks a free port; the first stdout line is the
// port actually bound (127.0.0.1 only).
//
// bearer expects "Authorization: Bearer <credential>"; api_key expects
// "<header>: <credential>" (header default X-API-Key). A wrong or missing
// credential gets 401 with WWW-Authenticate: Bearer realm="backend". The
// checked header is removed before forwarding; SSE is piped unbuffered.
//
// The log gets ONE JSON line per request: {"ts","method","url","auth_ok",
// "received":{<checked header>, authorization?, cookie?}}. It therefore
// holds credentials on purpose (tests prove what the gateway sent): write
// it only under the test run's log directory, and let leak checks skip
// files named gate-*.log.
import fs from 'node:fs';
import http from 'node:http';

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te',
    'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization',
    'proxy-authenticate']);

function options() {
	const o = {
		port: process.env.GATE_PORT || '0',
		upstream: process.env.GATE_UPSTREAM,
		scheme: process.env.GATE_SCHEME || 'bearer',
		header: process.env.GATE_HEADER,
		credential: process.env.GATE_CREDENTIAL,
		log: process.env.GATE_LOG,
	};
	const a = process.argv.slice(2);
	for (let i = 0; i < a.length; i++) {
		const k = a[i].replace(/^--/, '');
		if (!(k in o) || i + 1 >= a.length) {
			console.error(`gate: unknown or incomplete option ${a[i]}`);
			process.exit(2);
		}
		o[k] = a[++i];
	}
	if (!o.upstream || o.credential === undefined ||
	    !['bearer', 'api_key'].includes(o.scheme)) {
		console.error('usage: gate.mjs [--port N] --upstream URL ' +
		    '--scheme bearer|api_key [--header NAME] ' +
		    '--credential VALUE [--log FILE]');
		process.exit(2);
	}
	if (!o.header)
		o.header = o.scheme === 'bearer' ? 'Authorization' : 'X-API-Key';
	return o;
}

const o = options();
const up = new URL(o.upstream);
const checked = o.header.toLowerCase();
const expected = o.scheme === 'bearer' ? `Bearer ${o.credential}` :
    o.credential;
const logfd = o.log ? fs.openSync(o.log, 'a', 0o600) : null;

function log(req, ok) {
	if (logfd === null)
		return;
	const received = {};
	for (const h of [checked, 'authorization', 'cookie'])
		if (req.headers[h] !== undefined)
			received[h] = req.headers[h];
	fs.writeSync(logfd, JSON.stringify({
		ts: new Date().toISOString(), method: req.method, url: req.url,
		auth_ok: ok, received,
	}) + '\n');
}

// Headers named by Connection are hop-by-hop too.
function endToEnd(headers) {
	const out = {};
	const named = new Set(String(headers.connection || '').toLowerCase()
	    .split(',').map(s => s.trim()).filter(Boolean));
	for (const [k, v] of Object.entries(headers))
		if (!HOP.has(k) && !named.has(k))
			out[k] = v;
	return out;
}

const server = http.createServer((req, res) => {
	const ok = req.headers[checked] === expected;
	log(req, ok);
	if (!ok) {
		res.writeHead(401, {
			'WWW-Authenticate': 'Bearer realm="backend"',
			'Content-Type': 'application/json',
		});
		res.end('{"error":"invalid_token"}');
		return;
	}
	const headers = endToEnd(req.headers);
	delete headers[checked];
	headers.host = up.host;
	const p = http.request({
		host: up.hostname, port: up.port || 80, method: req.method,
		path: up.pathname.replace(/\/$/, '') + req.url, headers,
	}, r => {
		res.writeHead(r.statusCode, endToEnd(r.headers));
		res.flushHeaders();
		r.pipe(res);
	});
	p.on('error', () => {
		if (!res.headersSent)
			res.writeHead(502, { 'Content-Type': 'application/json' });
		res.end('{"error":"upstream_unreachable"}');
	});
	// A client that goes away takes its upstream request with it.
	res.on('close', () => {
		if (!res.writableFinished)
			p.destroy();
	});
	req.pipe(p);
});
server.listen(Number(o.port), '127.0.0.1', () => {
	process.stdout.write(`${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
