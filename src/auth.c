/* Who is calling: principals from JWTs or sessions, roles and scopes. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "conf.h"
#include "jwt.h"
#include "user.h"

#define AUTH_AUDIENCE "mcp-registry"

static const struct {
	const char *role;
	const char *scopes;
} auth_roles[] = {
	{ "admin", "admin servers:read servers:write mcp:invoke" },
	{ "publisher", "servers:read servers:write mcp:invoke" },
	{ "user", "servers:read mcp:invoke" },
};

const char *
auth_role_scopes(const char *role)
{
	size_t i;

	for (i = 0; i < sizeof(auth_roles) / sizeof(auth_roles[0]); i++)
		if (strcmp(auth_roles[i].role, role) == 0)
			return auth_roles[i].scopes;
	return NULL;
}

/* 1 if the space-separated list has the exact word w of length n. */
static int
auth_list_has(const char *list, const char *w, size_t n)
{
	const char *p = list, *e;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		e = strchr(p, ' ');
		if ((e ? (size_t)(e - p) : strlen(p)) == n &&
		    strncmp(p, w, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

int
auth_has_scope(const char *scopes, const char *want)
{
	if (scopes == NULL)
		return 0;
	return auth_list_has(scopes, "admin", 5) ||
	    auth_list_has(scopes, want, strlen(want));
}

int
auth_scopes_subset(const char *req, const char *have)
{
	const char *p = req, *e;
	size_t n;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ' ');
		n = e ? (size_t)(e - p) : strlen(p);
		/* admin grants every scope, including per-server invoke. */
		if (!auth_list_has(have, p, n) &&
		    !auth_list_has(have, "admin", 5) &&
		    !(n > 11 && strncmp(p, "mcp:invoke:", 11) == 0 &&
			auth_list_has(have, "mcp:invoke", 10)))
			return 0;
		p = e;
	}
	return 1;
}

enum err
auth_authenticate(struct db *d, struct arena *a, const struct conf *c,
    const struct crypt_keyring *kr, const char *authorization,
    const char *cookie_id, struct principal *p)
{
	struct jwt_claims cl;
	const char *tok;
	enum err e;

	memset(p, 0, sizeof(*p));
	if (authorization != NULL) {
		if (strncasecmp(authorization, "Bearer ", 7) != 0)
			return ERR_AUTH;
		tok = authorization + 7;
		while (*tok == ' ')
			tok++;
		e = jwt_verify(a, kr, tok, c->token_issuer, AUTH_AUDIENCE,
		    (long long)time(NULL), &cl);
		if (e != ERR_OK)
			return e == ERR_NOMEM ? e : ERR_AUTH;
		p->user = cl.sub;
		p->scopes = cl.scope != NULL ? cl.scope : "";
		return ERR_OK;
	}
	if (cookie_id != NULL)
		return user_session_lookup(d, a, cookie_id, p);
	return ERR_AUTH;
}
