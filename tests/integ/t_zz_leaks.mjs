// Last: no credential, password, token or session id in any log, response, or the database.
//
// Runs after every other file so it sees everything they sent. It also
// registers its own canary so it is meaningful when run alone.
import fs from 'node:fs';
import path from 'node:path';
import { env, RUN, uniqPath } from './lib/env.mjs';
import { RESPONSES_LOG, runProgram } from './lib/http.mjs';
import { adminToken } from './lib/auth.mjs';
import {
	CRED, PASSWORDS, credentials, runtimeTokens, runtimeSessions,
} from './lib/secrets.mjs';
import { register, getServer } from './lib/servers.mjs';
import { json, eq, ok, fail, skip, show } from './lib/check.mjs';

export const tests = [];
const test = (name, fn) => tests.push({ name, fn });

const CANARY_NAME = `Leak Canary ${RUN.tag} ${RUN.kind}`;
let canaryPath = null;

export async function before() {
	canaryPath = uniqPath('canary');
	await register({ name: CANARY_NAME, path: canaryPath,
	    auth_scheme: 'bearer', auth_credential: CRED.canary,
	    description: 'leak check canary' });
	json(await getServer(canaryPath), 200);
}

/*
 * Byte strings that betray a secret: the secret itself, URL-encoded, hex
 * (as bytea dumps show it), and base64 (standard and URL-safe, at each of
 * the three alignments, trimmed to the characters that depend only on it).
 */
function encodings(secret) {
	const s = Buffer.from(secret, 'utf8');
	const out = [['plain', s]];
	const pct = encodeURIComponent(secret);
	if (pct !== secret)
		out.push(['url-encoded', Buffer.from(pct)]);
	out.push(['hex', Buffer.from(s.toString('hex'))]);
	out.push(['HEX', Buffer.from(s.toString('hex').toUpperCase())]);
	for (let k = 0; k < 3; k++) {
		const b = Buffer.concat([Buffer.alloc(k), s]);
		for (const enc of ['base64', 'base64url']) {
			let t = b.toString(enc).replace(/=+$/, '');
			t = t.slice(k ? 4 : 0, t.length - 4);
			if (t.length >= 8)
				out.push([`${enc}@${k}`, Buffer.from(t)]);
		}
	}
	return out;
}

function walk(dir, out = []) {
	let ents = [];
	try {
		ents = fs.readdirSync(dir, { withFileTypes: true });
	} catch {
		return out;
	}
	for (const e of ents) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			walk(p, out);
		else if (e.isFile())
			out.push(p);
	}
	return out;
}

// Named buffers x [{label, secret}] -> "where: what" findings (never the secret).
function scanBuffers(named, secrets) {
	const pats = secrets.map(({ label, secret }) => ({ label,
	    encs: encodings(secret) }));
	const found = [];
	for (const [name, buf] of named) {
		for (const { label, encs } of pats) {
			for (const [how, needle] of encs) {
				if (buf.indexOf(needle) >= 0) {
					found.push(`${name}: ${label} (${how})`);
					break;
				}
			}
		}
	}
	return found;
}

function scan(files, secrets) {
	const named = [];
	for (const f of files) {
		try {
			named.push([path.relative(env.logDir, f) || f,
			    fs.readFileSync(f)]);
		} catch { /* vanished meanwhile */ }
	}
	return scanBuffers(named, secrets);
}

function report(found, what) {
	if (found.length) {
		fail(`${found.length} ${what} found:\n` +
		    found.slice(0, 5).join('\n'));
	}
}

// The suite's own fixed credentials may be named by their start; no other secret.
function labelled(list, kind, named = false) {
	return list.map((secret, i) => ({ secret, label: named ?
	    `${kind} #${i + 1} (${show(secret.slice(0, 12))}...)` :
	    `${kind} #${i + 1}` }));
}

const credSecrets = () => labelled(credentials(), 'credential', true);
const passwordSecrets = () => labelled(Object.values(PASSWORDS),
    'test password', true);
const tokenSecrets = () => [...labelled(runtimeTokens(), 'JWT'),
    ...labelled(runtimeSessions(), 'session id')];

const isResponsesLog = (f) => /^responses-.*\.log$/.test(path.basename(f));
// Auth gates' request logs hold the credentials they received, by design.
const isGateLog = (f) => /^gate-.*\.log$/.test(path.basename(f));

test('the responses log of this run exists and has the canary', () => {
	ok(fs.existsSync(RESPONSES_LOG), `${RESPONSES_LOG} does not exist`);
	const text = fs.readFileSync(RESPONSES_LOG, 'utf8');
	ok(text.includes(CANARY_NAME), 'the canary\'s GET reply is not logged');
});

test('no credential in any response received', () => {
	const logs = walk(env.logDir).filter(isResponsesLog);
	ok(logs.length > 0, 'no responses-*.log files');
	report(scan(logs, credSecrets()), 'credentials in responses');
});

test('no credential or password in any file under MCPGW_LOG_DIR', () => {
	if (!env.logDirGiven)
		skip('MCPGW_LOG_DIR is not set');
	const files = walk(env.logDir).filter((f) => !isGateLog(f));
	ok(files.some((f) => !isResponsesLog(f)),
	    'no server logs under MCPGW_LOG_DIR');
	report(scan(files, [...credSecrets(), ...passwordSecrets()]),
	    'secrets in logs');
});

test('no JWT or session id in the server logs', () => {
	if (!env.logDirGiven)
		skip('MCPGW_LOG_DIR is not set');
	const secrets = tokenSecrets();
	if (!secrets.length)
		skip('no tokens were obtained in this process');
	const files = walk(env.logDir).filter((f) => !isResponsesLog(f));
	report(scan(files, secrets), 'tokens in server logs');
});

function pgLogs() {
	return walk(env.logDir).filter((f) => {
		if (isResponsesLog(f))
			return false;
		let head;
		try {
			head = fs.readFileSync(f, 'latin1');
		} catch {
			return false;
		}
		return /(?:LOG|STATEMENT|DETAIL):  (?:statement|execute|parameters)/
		    .test(head) || (/(?:^|[^a-z])(?:pg|postgres)/i
		    .test(path.basename(f)) && /\bLOG: /.test(head));
	});
}

test('the PostgreSQL log (log_statement=all) exists and shows this run',
    () => {
	if (!env.logDirGiven)
		skip('MCPGW_LOG_DIR is not set');
	const logs = pgLogs();
	ok(logs.length > 0, 'no PostgreSQL log with statements under ' +
	    env.logDir);
	ok(logs.some((f) => fs.statSync(f).size > 0), 'PostgreSQL log is empty');
	ok(logs.some((f) => fs.readFileSync(f, 'latin1').includes(canaryPath)),
	    `no PostgreSQL log mentions ${canaryPath}: are statements and ` +
	    'their parameters logged?');
});

let dumpCache = null;

async function dump() {
	if (dumpCache)
		return dumpCache;
	if (!env.databaseAdminUrl)
		skip('MCPGW_DATABASE_ADMIN_URL is not set');
	const bin = env.pgBin ? path.join(env.pgBin, 'pg_dump') : 'pg_dump';
	const r = await runProgram(bin, ['--no-owner', '--no-privileges',
	    '--dbname', env.databaseAdminUrl], { timeout: 60000 });
	if (r.code !== 0)
		fail(`pg_dump: exit ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
	dumpCache = r.stdout;
	return dumpCache;
}

test('pg_dump holds the registered servers (so the next check means ' +
    'something)', async () => {
	const d = await dump();
	ok(d.includes(Buffer.from(CANARY_NAME)), 'the canary\'s name is not in ' +
	    'the dump');
	ok(d.includes(Buffer.from(canaryPath)), 'the canary\'s path is not in ' +
	    'the dump');
	ok(d.length > 1000, `dump is only ${d.length} bytes`);
});

test('pg_dump holds no credential, password, token or session id',
    async () => {
	const d = await dump();
	const admin = env.adminPassword.length >= 12 ?
	    labelled([env.adminPassword],
	    'admin password') : [];
	report(scanBuffers([['pg_dump', d]], [...credSecrets(),
	    ...passwordSecrets(), ...admin, ...tokenSecrets()]),
	    'secrets in the database');
});

test('the canary is still served without its credential', async () => {
	const res = await getServer(canaryPath, await adminToken());
	const s = json(res, 200);
	eq(s.has_auth_credential, true, 'has_auth_credential', res);
	ok(!res.text.includes(CRED.canary), 'the reply holds the credential',
	    res);
});
