/* Per-process cache of what the proxy needs to know about each server. */
#ifndef MCPGW_SRVCACHE_H
#define MCPGW_SRVCACHE_H

#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "err.h"

/*
 * How long an entry is trusted before the database is asked again. A
 * disable, delete or credential change made through any responder takes
 * effect within this time everywhere; unknown and disabled servers are
 * never cached, so registering or enabling one takes effect at once.
 */
#define SRVCACHE_TTL_MS 2000
#define SRVCACHE_MAX 4096 /* entries; the oldest are dropped beyond it */

/*
 * One server as the proxy sees it. The credential stays sealed here: only
 * the ciphertext is cached, never the plaintext.
 */
struct srvcache_entry {
	const char *id; /* uuid, part of the credential's AAD */
	const char *path; /* stored spelling, e.g. "/weather" */
	const char *proxy_pass_url;
	const char *auth_scheme; /* "none", "bearer" or "api_key" */
	const char *auth_header_name; /* NULL when the scheme is none */
	const unsigned char *cred_enc; /* sealed credential, NULL if none */
	size_t cred_enc_len;
	int enabled;
};

/*
 * The server whose path equals path case-insensitively (path starts with
 * '/'). Served from the cache when an entry is younger than
 * SRVCACHE_TTL_MS, else read with one query (through d) and cached when it
 * is enabled. *out's strings are copies in arena a, so they outlive any
 * later change to the cache. ERR_NOTFOUND when no such server, ERR_DBDOWN
 * / ERR_DB from the query. Thread-safe: the cache is behind a mutex, which
 * is never held during the query.
 */
enum err srvcache_get(struct db *d, struct arena *a, const char *path,
    struct srvcache_entry *out) MUST_CHECK;

/*
 * The cache without the database, for srvcache_get() and unit tests.
 * now_ms is a monotonic clock. srvcache_find() returns 1 and copies a
 * fresh entry into a, else 0 (an expired entry is dropped). srvcache_put()
 * stores a copy of *e (replacing any entry of the same path), or with e
 * NULL forgets the path. srvcache_clear() empties the cache and frees its
 * memory (at exit, and between tests).
 */
int srvcache_find(struct arena *a, const char *path, long long now_ms,
    struct srvcache_entry *out);
void srvcache_put(
    const char *path, const struct srvcache_entry *e, long long now_ms);
void srvcache_clear(void);

/* Entries held now (tests). */
size_t srvcache_count(void);

/* Milliseconds of CLOCK_MONOTONIC. */
long long srvcache_now_ms(void);

#endif
