// Test backends for the browser tests: server-everything behind the bearer gate (tests/backends/).
import path from 'node:path';
import { spawn } from 'node:child_process';
import { env } from './env.mjs';

const backends = path.join(env.project, 'tests', 'backends');

// Starts a script that prints its port on the first stdout line.
function startPorted(args, what, extraEnv = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, ...extraEnv },
		});
		let out = '', err = '';
		const timer = setTimeout(() => {
			child.kill('SIGTERM');
			reject(new Error(`${what}: no port within 20 s: ${err.slice(-400)}`));
		}, 20000);
		child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
		child.stdout.on('data', (d) => {
			out += d;
			const m = /^(\d+)\n/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve({ child, port: Number(m[1]) });
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${what} exited (${code}): ${err.slice(-400)}`));
		});
	});
}

function stop(child) {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null)
			return resolve();
		const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5000);
		child.once('exit', () => { clearTimeout(t); resolve(); });
		child.kill('SIGTERM');
	});
}

// server-everything (Streamable HTTP) behind a gate that wants
// "Authorization: Bearer <credential>". Returns {url, stop()}. The gate's
// log (which holds credentials on purpose) is gate-ui-<kind>.log.
export async function bearerBackend(credential) {
	const ev = await startPorted([path.join(backends, 'launch.mjs'),
	    'streamableHttp', '0'], 'server-everything');
	let gate;
	try {
		gate = await startPorted([path.join(backends, 'gate.mjs')],
		    'gate', {
			GATE_UPSTREAM: `http://127.0.0.1:${ev.port}`,
			GATE_SCHEME: 'bearer',
			GATE_CREDENTIAL: credential,
			GATE_LOG: path.join(env.logDir, `gate-ui-${env.kind}.log`),
		    });
	} catch (err) {
		await stop(ev.child);
		throw err;
	}
	return {
		url: `http://127.0.0.1:${gate.port}`,
		stop: async () => {
			await stop(gate.child);
			await stop(ev.child);
		},
	};
}
