// Environment of one integration run: URLs, paths, config values, unique names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

const e = process.env;

export const env = {
	url: (e.MCPGW_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''),
	adminUser: e.MCPGW_ADMIN_USER || 'admin',
	adminPassword: e.MCPGW_ADMIN_PASSWORD || '',
	databaseUrl: e.MCPGW_DATABASE_URL || '',
	databaseAdminUrl: e.MCPGW_DATABASE_ADMIN_URL || e.MCPGW_DATABASE_URL || '',
	config: e.MCPGW_CONFIG || '',
	bin: e.MCPGW_BIN || '',
	logDir: e.MCPGW_LOG_DIR || path.join(os.tmpdir(), 'mcpgw-integ-logs'),
	logDirGiven: Boolean(e.MCPGW_LOG_DIR),
	secretKeyFile: e.MCPGW_SECRET_KEY_FILE || '',
	kind: e.MCPGW_SERVER_KIND || 'local',
	project: e.MCPGW_PROJECT || path.resolve(import.meta.dirname, '..', '..', '..'),
	pgBin: e.MCPGW_PG_BIN || '',
};

fs.mkdirSync(env.logDir, { recursive: true });

let confCache = null;

// The config file as a map; a missing file is an empty config.
function confFile() {
	if (confCache)
		return confCache;
	confCache = new Map();
	if (!env.config)
		return confCache;
	let text;
	try {
		text = fs.readFileSync(env.config, 'utf8');
	} catch {
		return confCache;
	}
	for (const raw of text.split('\n')) {
		const line = raw.replace(/#.*$/, '').trim();
		const eq = line.indexOf('=');
		if (eq <= 0)
			continue;
		confCache.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
	}
	return confCache;
}

// A config value as the programs see it: env MCPGW_<KEY> wins over the file.
export function conf(key, dflt) {
	const v = e['MCPGW_' + key.toUpperCase()];
	if (v !== undefined && v !== '')
		return v;
	const f = confFile().get(key);
	return f !== undefined && f !== '' ? f : dflt;
}

export function confInt(key, dflt) {
	const n = Number.parseInt(conf(key, String(dflt)), 10);
	return Number.isFinite(n) ? n : dflt;
}

export function confBool(key, dflt) {
	const v = String(conf(key, dflt ? 'true' : 'false')).toLowerCase();
	return ['1', 'true', 'yes', 'on'].includes(v);
}

// Unique per process, so repeated runs against one database never collide.
export const RUN = {
	kind: env.kind,
	k: env.kind.slice(0, 1).toLowerCase() || 'x',
	tag: crypto.randomBytes(3).toString('hex'),
};

let seq = 0;

// A fresh server path, e.g. /it-l-a1b2c3-reg-4 (always a valid path).
export function uniqPath(what) {
	seq++;
	const p = `/it-${RUN.k}-${RUN.tag}-${what}-${seq}`;
	if (p.length > 65)
		throw new Error(`uniqPath: ${p} too long`);
	return p;
}

// A fresh user name: lower-case letters and digits only.
export function uniqUser(what) {
	seq++;
	return `it${RUN.k}${RUN.tag}${what}${seq}`;
}

// The server name of a path: the path without its leading '/'.
export function nameOf(p) {
	return p.replace(/^\//, '');
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}
