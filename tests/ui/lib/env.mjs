// Environment of one browser test run: the registry's URL, the admin login, where output goes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

const e = process.env;

const logDir = e.MCPGW_LOG_DIR || path.join(os.tmpdir(), 'mcpgw-ui-logs');

export const env = {
	url: (e.MCPGW_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''),
	adminUser: e.MCPGW_ADMIN_USER || 'admin',
	adminPassword: e.MCPGW_ADMIN_PASSWORD || '',
	kind: e.MCPGW_SERVER_KIND || 'local',
	logDir,
	shotDir: path.join(logDir, 'screenshots'),
	chromium: e.MCPGW_CHROMIUM || '/usr/bin/chromium',
	project: e.MCPGW_PROJECT || path.resolve(import.meta.dirname, '..', '..', '..'),
};

fs.mkdirSync(env.shotDir, { recursive: true });

// Unique per process: repeated runs against one database never collide.
export const RUN = crypto.randomBytes(3).toString('hex');

export function uniqPath(what) {
	return `/ui-${env.kind.slice(0, 1)}-${RUN}-${what}`;
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}
