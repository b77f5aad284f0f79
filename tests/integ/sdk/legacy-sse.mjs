#!/usr/bin/env node
// The official MCP SDK client over the legacy HTTP+SSE transport through the gateway.
//
// As a module: legacySession(url, opts) connects to <base>/<path>/sse,
// lists tools and calls echo, and returns what happened, including the
// endpoint the gateway's rewritten `endpoint` event named.
// As a script: node tests/integ/sdk/legacy-sse.mjs <base>/<path>/sse with
// the JWT in $MCPGW_TOKEN; prints a JSON summary, exit 0 on success.
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { resultText } from './streamable.mjs';

export async function legacySession(url, opts = {}) {
	const t0 = Date.now();
	const posted = [];
	const transport = new SSEClientTransport(new URL(url), {
		requestInit: { headers: opts.headers || {} },
		// Records where the client posts: the rewritten endpoint.
		fetch: (u, init) => {
			if (init && init.method === 'POST')
				posted.push(String(u));
			return fetch(u, init);
		},
	});
	const client = new Client({ name: 'mcpgw-integ-legacy',
	    version: '1.0.0' });
	const out = { steps: [], posted };
	try {
		await client.connect(transport);
		out.steps.push('connect');
		out.server = client.getServerVersion();
		const { tools } = await client.listTools();
		out.tools = tools.map((t) => t.name);
		out.steps.push('listTools');
		out.echo = resultText(await client.callTool({ name: 'echo',
		    arguments: { message: 'legacy through the gateway' } }));
		out.sum = resultText(await client.callTool({ name: 'get-sum',
		    arguments: { a: 20, b: 22 } }));
		out.steps.push('callTool');
	} finally {
		await client.close().catch(() => {});
		out.ms = Date.now() - t0;
	}
	return out;
}

if (process.argv[1] &&
    import.meta.url === pathToFileURL(process.argv[1]).href) {
	const url = process.argv[2];
	if (!url) {
		console.error('usage: MCPGW_TOKEN=<jwt> node legacy-sse.mjs ' +
		    '<base>/<path>/sse');
		process.exit(2);
	}
	const headers = process.env.MCPGW_TOKEN ?
	    { Authorization: `Bearer ${process.env.MCPGW_TOKEN}` } : {};
	legacySession(url, { headers }).then((r) => {
		console.log(JSON.stringify(r, null, 1));
	}, (e) => {
		console.error(`legacy-sse: ${e.message}`);
		process.exit(1);
	});
}
