/* Who is calling: principals from JWTs or sessions, roles and scopes. */
#ifndef MCPGW_AUTH_H
#define MCPGW_AUTH_H

#include "arena.h"
#include "db.h"
#include "err.h"

struct crypt_keyring;
struct conf;

struct principal {
	const char *user; /* username; NULL when anonymous */
	const char *scopes; /* space separated */
	int via_session; /* authenticated by the session cookie */
};

/*
 * A worker's memory of bearer tokens it verified, so a client sending the
 * same token again costs a string compare instead of an HMAC. Keyed by
 * the whole token; an entry is used only until the token's exp. Not
 * shared between threads. Zero-initialise; free with auth_cache_free().
 */
#define AUTH_CACHE_SLOTS 16

struct auth_cache_slot {
	char *token; /* malloc'd copy, NULL when empty */
	size_t len;
	long long exp;
	char *sub, *scope; /* malloc'd */
};

struct auth_cache {
	struct auth_cache_slot slot[AUTH_CACHE_SLOTS];
	unsigned next; /* round-robin victim */
};

void auth_cache_free(struct auth_cache *ac);

/* Scopes a role grants (static string), NULL for an unknown role. */
const char *auth_role_scopes(const char *role);

/* 1 if scopes (space separated) contain want, or "admin". */
int auth_has_scope(const char *scopes, const char *want);

/* 1 if every scope in req is granted by have. */
int auth_scopes_subset(const char *req, const char *have);

/*
 * Authenticates "Bearer <jwt>" (authorization) or else the session cookie
 * id (cookie_id); ac (may be NULL) caches verified tokens. ERR_AUTH when
 * neither is present or valid, ERR_DBDOWN / ERR_DB from the session
 * lookup. Strings in *p live in the arena.
 */
enum err auth_authenticate(struct db *d, struct arena *a, const struct conf *c,
    const struct crypt_keyring *kr, struct auth_cache *ac,
    const char *authorization, const char *cookie_id,
    struct principal *p) MUST_CHECK;

#endif
