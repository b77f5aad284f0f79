/* Who is calling: principals from JWTs or sessions, roles and scopes. */
#include <stdio.h>
#include <stdlib.h>
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

static void
auth_slot_clear(struct auth_cache_slot *sl)
{
	free(sl->token);
	free(sl->sub);
	free(sl->scope);
	memset(sl, 0, sizeof(*sl));
}

void
auth_cache_free(struct auth_cache *ac)
{
	size_t i;

	for (i = 0; i < AUTH_CACHE_SLOTS; i++)
		auth_slot_clear(&ac->slot[i]);
	ac->next = 0;
}

static const struct auth_cache_slot *
auth_cache_find(
    const struct auth_cache *ac, const char *tok, size_t len, long long now)
{
	size_t i;

	for (i = 0; i < AUTH_CACHE_SLOTS; i++) {
		const struct auth_cache_slot *sl = &ac->slot[i];

		if (sl->token != NULL && sl->len == len &&
		    now < sl->exp + JWT_LEEWAY &&
		    memcmp(sl->token, tok, len) == 0)
			return sl;
	}
	return NULL;
}

static void
auth_cache_put(struct auth_cache *ac, const char *tok, size_t len,
    const struct jwt_claims *cl)
{
	struct auth_cache_slot *sl = &ac->slot[ac->next];

	ac->next = (ac->next + 1) % AUTH_CACHE_SLOTS;
	auth_slot_clear(sl);
	sl->token = malloc(len + 1);
	sl->sub = strdup(cl->sub);
	sl->scope = strdup(cl->scope != NULL ? cl->scope : "");
	if (sl->token == NULL || sl->sub == NULL || sl->scope == NULL) {
		auth_slot_clear(sl);
		return;
	}
	memcpy(sl->token, tok, len + 1);
	sl->len = len;
	sl->exp = cl->exp;
}

enum err
auth_authenticate(struct db *d, struct arena *a, const struct conf *c,
    const struct crypt_keyring *kr, struct auth_cache *ac,
    const char *authorization, const char *cookie_id, struct principal *p)
{
	const struct auth_cache_slot *sl;
	struct jwt_claims cl;
	const char *tok;
	long long now;
	size_t len;
	enum err e;

	memset(p, 0, sizeof(*p));
	if (authorization != NULL) {
		if (strncasecmp(authorization, "Bearer ", 7) != 0)
			return ERR_AUTH;
		tok = authorization + 7;
		while (*tok == ' ')
			tok++;
		now = (long long)time(NULL);
		len = strlen(tok);
		if (ac != NULL && (sl = auth_cache_find(ac, tok, len, now))) {
			p->user = arena_strdup(a, sl->sub);
			p->scopes = arena_strdup(a, sl->scope);
			return ERR_OK;
		}
		e = jwt_verify(
		    a, kr, tok, c->token_issuer, AUTH_AUDIENCE, now, &cl);
		if (e != ERR_OK)
			return e == ERR_NOMEM ? e : ERR_AUTH;
		if (ac != NULL)
			auth_cache_put(ac, tok, len, &cl);
		p->user = cl.sub;
		p->scopes = cl.scope != NULL ? cl.scope : "";
		return ERR_OK;
	}
	if (cookie_id != NULL)
		return user_session_lookup(d, a, cookie_id, p);
	return ERR_AUTH;
}
