/* Issuing JWTs for users: lifetime rules, scopes, and the audit row. */
#ifndef MCPGW_TOKEN_H
#define MCPGW_TOKEN_H

#include "arena.h"
#include "db.h"
#include "err.h"

struct conf;
struct crypt_keyring;

struct token_out {
	const char *access_token; /* arena */
	const char *scope;
	long long expires_in; /* seconds */
	long long expires_at; /* unix time */
	const char *jti;
};

/*
 * Issues a token for user with the given scopes (already checked to be a
 * subset of the user's) valid for hours, and records its jti. description
 * may be "" but not NULL.
 */
enum err token_issue(struct db *d, struct arena *a, const struct conf *c,
    const struct crypt_keyring *kr, const char *user, const char *scopes,
    long hours, const char *description, struct token_out *out) MUST_CHECK;

#endif
