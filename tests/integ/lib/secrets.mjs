// Every secret the suite sends, so the leak checks can look for each one.
//
// Backend credentials are fixed strings with a distinctive marker so a
// separate process (t_zz_leaks.mjs run alone) knows them too. Tokens and
// session ids are only known at run time and are recorded by the helpers.

// The seed's own credentials (reference/seed-faq.md), used verbatim.
export const SEED_CREDS = [
	'my-backend-server-token',
	'my-api-key-value',
	'new-backend-server-token',
	'new-api-key',
];

const M = 'zq7Kx';	// marker: appears in no other string the suite uses

export const CRED = {
	json: `itc-${M}-json-bearer-3f9a61d0`,
	form: `itc-${M}-form-bearer-8b2e44c7`,
	multipart: `itc-${M}-mpart-apikey-51c0e9aa`,
	custom: `itc-${M}-custom-hdr-0d77b3f2`,
	rotated: `itc-${M}-rotated-6ae1c5b9`,
	rotated2: `itc-${M}-rotated2-c38d0f14`,
	overwrite: `itc-${M}-overwrite-94b6e2a3`,
	scope: `itc-${M}-scope-2e5f8c71`,
	readonly: `itc-${M}-readonly-a6d93b05`,
	patch: `itc-${M}-patch-422-f1e07c68`,
	csrf: `itc-${M}-csrf-7c2a9d16`,
	canary: `itc-${M}-canary-b5e3f0a8`,
	crlfA: `itc-${M}-crlf-a-11aa22bb`,
	crlfB: `itc-${M}-crlf-b-33cc44dd`,
	nul: `itc-${M}-nul-55ee66ff`,
	big: `itc-${M}-big8192-7d1f3b9e`,
	huge: `itc-${M}-huge8193-0c4a8e2d`,
	tooLarge: `itc-${M}-body413-e8b1c6f4`,
	toggle: `itc-${M}-toggle-9f4e2d1c`,
	pub: `itc-${M}-publisher-6b8d0e3a`,
	// t_10_prober: what the auth gates expect, and a wrong one.
	probeBearer: `itc-${M}-probe-bearer-4c8e1a7d`,
	probeApiKey: `itc-${M}-probe-apikey-9d2f6b30`,
	probeWrong: `itc-${M}-probe-wrong-e71a5c92`,
	probeCount: `itc-${M}-probe-count-3b6d08f5`,
	// t_30_faults, t_31_security, t_40_load.
	fault: `itc-${M}-fault-7e3b9c14`,
	load: `itc-${M}-load-5d2a8f61`,
	secCrlf: `itc-${M}-sec-crlf-c4e81b27`,
	secNul: `itc-${M}-sec-nul-9a36d5e0`,
	secNoAuth: `itc-${M}-sec-noauth-2f7c0b93`,
	secSql: `itc-${M}-sec-sql-6b1e4a72`,
};

// A credential of exactly n bytes that starts with a known marker.
export function sized(marker, n) {
	return (marker + '-').padEnd(n, 'x');
}

// Passwords of the users the suite creates (never the admin's).
export const PASSWORDS = {
	publisher: `itp-${M}-publisher-Vd93kq1L`,
	user: `itp-${M}-user-Qm27xc8R`,
	throttle: `itp-${M}-throttle-Hs51ne4W`,
	timing: `itp-${M}-timing-Bx60rt3Y`,
	wrong: `itp-${M}-wrong-Kp48zu7T`,
};

// Backend credentials: must appear in no response, log or database dump.
export function credentials() {
	return [...SEED_CREDS, ...Object.values(CRED)];
}

const runtime = { tokens: new Set(), sessions: new Set() };

// JWTs the suite obtained in this process.
export function noteToken(t) {
	if (t)
		runtime.tokens.add(t);
}

// Session cookie values the suite obtained in this process.
export function noteSession(s) {
	if (s)
		runtime.sessions.add(s);
}

export function runtimeTokens() {
	return [...runtime.tokens];
}

export function runtimeSessions() {
	return [...runtime.sessions];
}
