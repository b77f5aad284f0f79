/* Health checks and tool discovery against the database: leases, results. */
#ifndef MCPGW_PROBE_H
#define MCPGW_PROBE_H

#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "err.h"

struct conf;
struct crypt_keyring;

struct probe_opts {
	const char *only_path; /* probe just this server now, or NULL */
	FILE *json_out; /* one JSON object per probe, or NULL */
	const char *owner; /* lease owner id, e.g. host:pid */
};

struct probe_stats {
	int probed;
	int healthy;
	int failed; /* unhealthy or auth_failed */
	int skipped; /* could not prepare (credential, URL) */
};

/*
 * One pass: claims due, enabled servers (or only_path) with row leases
 * (FOR UPDATE SKIP LOCKED, committed at once: no transaction is open
 * while probing), probes up to probe_concurrency at a time, stores each
 * result and schedules the next check with backoff after failures.
 * Returns ERR_DBDOWN / ERR_DB only for database failures; a failed probe
 * is a result, not an error.
 */
enum err
probe_pass(struct db *d, const struct conf *c, const struct crypt_keyring *kr,
    const struct probe_opts *o, struct probe_stats *st) MUST_CHECK;

/*
 * Probes one server by canonical path now (whatever its schedule) and
 * stores the result. ERR_NOTFOUND if there is no such server.
 */
enum err
probe_now(struct db *d, const struct conf *c, const struct crypt_keyring *kr,
    const char *path, const char *owner) MUST_CHECK;

#endif
