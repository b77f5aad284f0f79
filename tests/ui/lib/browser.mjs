// The browser fixture: Debian's chromium driven by playwright-core, pages that record script errors, dialogs and CSP violations.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { env } from './env.mjs';

// The flags this machine needs: no sandbox as root, and no background
// connections to Google's hosts (the network is closed).
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage'];

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

export class Fixture {
	constructor() {
		this.browser = null;
		this.pages = new Map(); // name -> page
		this.problems = [];     // script errors, CSP reports, dialogs
		this.dialogs = [];      // every dialog any page opened
	}

	async start() {
		try {
			fs.accessSync(env.chromium, fs.constants.X_OK);
		} catch {
			throw new Error(`no chromium at ${env.chromium} ` +
			    '(apt-get install chromium; deploy/install-deps does)');
		}
		this.browser = await chromium.launch({
			executablePath: env.chromium,
			headless: true,
			args: FLAGS,
		});
		this.version = this.browser.version();
	}

	// A page in a fresh context (its own cookies) of the given size.
	async open(name, viewport = DESKTOP) {
		const ctx = await this.browser.newContext({
			viewport, deviceScaleFactor: 1,
			isMobile: viewport.width < 500, hasTouch: viewport.width < 500,
			baseURL: env.url,
		});
		await ctx.grantPermissions(['clipboard-read', 'clipboard-write'],
		    { origin: env.url });
		const page = await ctx.newPage();
		page.setDefaultTimeout(15000);
		page.on('pageerror', (err) =>
			this.problems.push(`${name}: script error: ${err.message}`));
		page.on('console', (m) => {
			const t = m.text();
			if (/Content Security Policy|Refused to (execute|apply|load)/i.test(t))
				this.problems.push(`${name}: CSP: ${t}`);
		});
		page.on('dialog', async (d) => {
			this.dialogs.push(`${d.type()}: ${d.message()}`);
			this.problems.push(`${name}: unexpected ${d.type()} dialog: ` +
			    d.message());
			await d.dismiss().catch(() => {});
		});
		this.pages.set(name, page);
		return page;
	}

	beginTest() {
		this.problems = [];
	}

	// Fails the test that caused a script error, a CSP violation or a
	// native dialog (the UI uses none).
	endTest() {
		if (this.problems.length)
			throw new Error('the page reported problems:\n' +
			    this.problems.join('\n'));
	}

	shotPath(name) {
		return path.join(env.shotDir, `${env.kind}-${name}.png`);
	}

	// A screenshot for the layout review; the transient toast is hidden
	// so that it covers nothing.
	async shot(page, name, fullPage = true) {
		const p = this.shotPath(name);
		await page.evaluate(() => {
			const t = document.getElementById('toast');
			if (t)
				t.hidden = true;
		});
		await page.screenshot({ path: p, fullPage });
		return p;
	}

	async failureShot(name) {
		let first = null;
		for (const [pn, page] of this.pages) {
			if (page.isClosed())
				continue;
			try {
				const p = await this.shot(page, `${name}-${pn}`, false);
				first = first || p;
			} catch {
				// The page may be gone with the failure.
			}
		}
		return first;
	}

	async stop() {
		if (this.browser)
			await this.browser.close().catch(() => {});
		this.browser = null;
	}
}
