#!/usr/bin/env node
// The official MCP SDK client over Streamable HTTP through the gateway: tools, progress, terminate.
//
// As a module: streamableSession(url, opts) runs one whole session and
// returns what happened (the t_20 integration test asserts on it).
// As a script: node tests/integ/sdk/streamable.mjs <base>/<path>/mcp
// with the JWT in $MCPGW_TOKEN (never on the command line); it prints a
// JSON summary and exits 0 when every step worked.
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
	StreamableHTTPClientTransport,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// The text of a tool result's first content item.
export function resultText(r) {
	const c = r && Array.isArray(r.content) ? r.content[0] : null;
	return c && c.type === 'text' ? c.text : undefined;
}

/*
 * Connects, lists tools, calls get-sum and echo, then (unless
 * opts.progress is false) trigger-long-running-operation with a progress
 * token, timing each progress notification and the result, and ends with
 * terminateSession(). opts.headers go on every request (Authorization,
 * Cookie, ...); opts.fetch replaces fetch (e.g. to alternate responders).
 */
export async function streamableSession(url, opts = {}) {
	const t0 = Date.now();
	const transport = new StreamableHTTPClientTransport(new URL(url), {
		requestInit: { headers: opts.headers || {} },
		fetch: opts.fetch,
	});
	const client = new Client({ name: 'mcpgw-integ', version: '1.0.0' });
	const out = { steps: [] };
	try {
		await client.connect(transport);
		out.steps.push('connect');
		out.sessionId = transport.sessionId;
		out.server = client.getServerVersion();
		const { tools } = await client.listTools();
		out.tools = tools.map((t) => t.name);
		out.steps.push('listTools');
		out.sum = resultText(await client.callTool({ name: 'get-sum',
		    arguments: { a: 2, b: 40 } }));
		out.echo = resultText(await client.callTool({ name: 'echo',
		    arguments: { message: 'through the gateway' } }));
		out.steps.push('callTool');
		if (opts.progress !== false) {
			const start = Date.now();
			const progress = [];
			const r = await client.callTool({
				name: 'trigger-long-running-operation',
				arguments: { duration: 2, steps: 4 },
			}, undefined, {
				timeout: 30000,
				onprogress: (p) => progress.push({
				    at: Date.now() - start, progress: p.progress }),
			});
			out.progress = progress;
			out.resultAt = Date.now() - start;
			out.longText = resultText(r);
			out.steps.push('progress');
		}
		await transport.terminateSession();
		out.terminatedSessionId = transport.sessionId;
		out.steps.push('terminateSession');
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
		console.error('usage: MCPGW_TOKEN=<jwt> node streamable.mjs ' +
		    '<base>/<path>/mcp');
		process.exit(2);
	}
	const headers = process.env.MCPGW_TOKEN ?
	    { Authorization: `Bearer ${process.env.MCPGW_TOKEN}` } : {};
	streamableSession(url, { headers }).then((r) => {
		console.log(JSON.stringify(r, null, 1));
	}, (e) => {
		console.error(`streamable: ${e.message}`);
		process.exit(1);
	});
}
