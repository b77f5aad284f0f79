// MCP test backends for the prober tests (tests/backends/*.mjs) as child processes, stopped by PID.
//
// Each backend prints the port it bound as its first stdout line; its
// stderr goes to $MCPGW_LOG_DIR/backend-<kind>-<name>.log (no secrets: gate
// credentials are passed in the environment, never logged there). Gate
// request logs hold credentials on purpose and are written only as
// $MCPGW_LOG_DIR/gate-<kind>-<name>.log, which the leak check skips.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { env } from './env.mjs';

const DIR = path.resolve(import.meta.dirname, '..', '..', 'backends');
const START_TIMEOUT = 20000;
const live = new Map();	// pid -> ChildProcess

// Stops every backend still running when the runner itself is killed.
function killAllSync() {
	for (const [pid] of live) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch { /* already gone */ }
	}
	live.clear();
}
process.on('exit', killAllSync);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
	process.once(sig, () => {
		killAllSync();
		process.kill(process.pid, sig);
	});
}

export function gateLogPath(name) {
	return path.join(env.logDir, `gate-${env.kind}-${name}.log`);
}

/*
 * Starts `node tests/backends/<script> args...` and resolves {name, pid,
 * port, url, stop()} once the port line is read. extraEnv adds variables.
 */
export function startBackend(name, script, args = [], extraEnv = {}) {
	const errPath = path.join(env.logDir,
	    `backend-${env.kind}-${name}.log`);
	const errFd = fs.openSync(errPath, 'a');
	const child = spawn(process.execPath, [path.join(DIR, script), ...args],
	    { stdio: ['ignore', 'pipe', errFd],
	    env: { ...process.env, ...extraEnv } });
	fs.closeSync(errFd);
	live.set(child.pid, child);
	child.on('exit', () => live.delete(child.pid));
	return new Promise((resolve, reject) => {
		let out = '';
		const failed = (why) => {
			clearTimeout(timer);
			stopChild(child);
			let tail = '';
			try {
				tail = fs.readFileSync(errPath, 'utf8').split('\n')
				    .slice(-6).join(' | ');
			} catch { /* no stderr */ }
			reject(new Error(`backend ${name} (${script} ` +
			    `${args.join(' ')}): ${why}; stderr: ${tail}`));
		};
		const timer = setTimeout(() => failed('no port line within ' +
		    `${START_TIMEOUT} ms`), START_TIMEOUT);
		child.on('error', (e) => failed(e.message));
		child.on('exit', (code, sig) => {
			if (!out.includes('\n'))
				failed(`exited (${sig || code}) before printing its port`);
		});
		child.stdout.on('data', (d) => {
			if (out.includes('\n'))
				return;
			out += d;
			const nl = out.indexOf('\n');
			if (nl < 0)
				return;
			clearTimeout(timer);
			const port = Number(out.slice(0, nl).trim());
			if (!Number.isInteger(port) || port <= 0)
				return failed(`bad port line ${JSON.stringify(out)}`);
			child.stdout.resume();
			resolve({ name, pid: child.pid, port,
			    url: `http://127.0.0.1:${port}`,
			    stop: () => stopChild(child) });
		});
	});
}

// SIGTERM, then SIGKILL after 3 s; resolves when the process is gone.
function stopChild(child) {
	if (child.exitCode !== null || child.signalCode !== null) {
		live.delete(child.pid);
		return Promise.resolve();
	}
	return new Promise((resolve) => {
		const t = setTimeout(() => {
			try {
				process.kill(child.pid, 'SIGKILL');
			} catch { /* gone */ }
		}, 3000);
		child.once('exit', () => {
			clearTimeout(t);
			live.delete(child.pid);
			resolve();
		});
		try {
			process.kill(child.pid, 'SIGTERM');
		} catch {
			clearTimeout(t);
			live.delete(child.pid);
			resolve();
		}
	});
}

// Stops every backend this process started.
export async function stopAll() {
	await Promise.all([...live.values()].map(stopChild));
}

// server-everything in streamableHttp or sse mode.
export function everything(name, mode = 'streamableHttp') {
	return startBackend(name, 'launch.mjs', [mode]);
}

/*
 * An auth gate (bearer or api_key) in front of upstream, logging every
 * request to gateLogPath(name) (truncated first). The credential travels in
 * the environment, not on the command line.
 */
export async function gate(name, { upstream, scheme, header, credential }) {
	const log = gateLogPath(name);
	fs.writeFileSync(log, '', { mode: 0o600 });
	const genv = { GATE_UPSTREAM: upstream, GATE_SCHEME: scheme,
	    GATE_CREDENTIAL: credential, GATE_LOG: log };
	if (header)
		genv.GATE_HEADER = header;
	const b = await startBackend(name, 'gate.mjs', [], genv);
	return { ...b, log };
}

// A synthetic server from notools.mjs (mode and its options).
export function synthetic(name, mode, args = []) {
	return startBackend(name, 'notools.mjs', [mode, ...args]);
}

/*
 * The requests a gate (or notools.mjs --log) logged, one JSON object a
 * line, parsed from byte offset `from` on. Returns {entries, size} where
 * size is the log's length now.
 */
export function gateEntries(log, from = 0) {
	const buf = fs.readFileSync(log);
	const entries = buf.subarray(from).toString('utf8').split('\n')
	    .filter((l) => l.trim()).map((l) => JSON.parse(l));
	return { entries, size: buf.length };
}

// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
export function closedPort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}
