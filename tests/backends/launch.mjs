#!/usr/bin/env node
// Runs @modelcontextprotocol/server-everything on 127.0.0.1 in this process.
// usage: node launch.mjs [streamableHttp|sse] [port]
// port 0 (the default) picks a free one. The first stdout line is the
// port actually bound; everything the server itself logs goes to stderr.
// Stop it with SIGTERM to this PID.
import './loopback.mjs';
import net from 'node:net';

const mode = process.argv[2] || 'streamableHttp';
const port = process.argv[3] || process.env.PORT || '0';
if (mode !== 'streamableHttp' && mode !== 'sse') {
	console.error('usage: launch.mjs [streamableHttp|sse] [port]');
	process.exit(2);
}

// The server logs with console.log; keep stdout for the port line alone.
console.log = console.error;
console.info = console.error;

let reported = false;
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) {
	this.once('listening', () => {
		if (reported)
			return;
		reported = true;
		process.stdout.write(`${this.address().port}\n`);
	});
	return listen.apply(this, a);
};

process.env.PORT = String(port);
process.argv = [process.argv[0], 'server-everything', mode];
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
const entry = new URL(
    '../node_modules/@modelcontextprotocol/server-everything/dist/index.js',
    import.meta.url);
await import(entry.href);
