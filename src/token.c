/* Issuing JWTs for users: lifetime rules, scopes, and the audit row. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "crypt.h"
#include "jwt.h"
#include "token.h"

enum err
token_issue(struct db *d, struct arena *a, const struct conf *c,
    const struct crypt_keyring *kr, const char *user, const char *scopes,
    long hours, const char *description, struct token_out *out)
{
	struct jwt_claims cl;
	const char *v[5];
	char *tok;
	enum err e;
	long long now = (long long)time(NULL);

	memset(&cl, 0, sizeof(cl));
	cl.iss = c->token_issuer;
	cl.aud = "mcp-registry";
	cl.sub = user;
	cl.scope = scopes;
	cl.description = description;
	cl.jti = crypt_random_token(a, 16);
	cl.iat = now;
	cl.exp = now + (long long)hours * 3600;
	if ((e = jwt_sign(a, kr, &cl, &tok)) != ERR_OK)
		return e;
	v[0] = cl.jti;
	v[1] = user;
	v[2] = description;
	v[3] = scopes;
	v[4] = arena_printf(a, "%lld", cl.exp);
	if ((e = db_q(d, a,
		 "INSERT INTO tokens (jti, user_id, username, "
		 "description, scope, expires_at) VALUES ($1, (SELECT id FROM "
		 "users "
		 "WHERE lower(username) = lower($2)), $2, $3, $4, "
		 "to_timestamp($5::bigint))",
		 5, v, NULL)) != ERR_OK)
		return e;
	out->access_token = tok;
	out->scope = scopes;
	out->expires_in = cl.exp - now;
	out->expires_at = cl.exp;
	out->jti = cl.jti;
	return ERR_OK;
}
