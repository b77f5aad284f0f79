/* Unit tests for roles and scope checks. */
#include <string.h>
#include <time.h>

#include "auth.h"
#include "conf.h"
#include "crypt.h"
#include "jwt.h"
#include "t.h"

static const struct {
	const char *have, *want;
	int ok;
} has_cases[] = {
	{ "servers:read mcp:invoke", "servers:read", 1 },
	{ "servers:read mcp:invoke", "mcp:invoke", 1 },
	{ "servers:read mcp:invoke", "servers:write", 0 },
	{ "servers:readx", "servers:read", 0 },
	{ "xservers:read", "servers:read", 0 },
	{ "admin", "servers:write", 1 },
	{ "administrator", "servers:write", 0 },
	{ "", "servers:read", 0 },
	{ "  servers:read  ", "servers:read", 1 },
	{ NULL, "servers:read", 0 },
};

static const struct {
	const char *req, *have;
	int ok;
} subset_cases[] = {
	{ "servers:read", "servers:read servers:write", 1 },
	{ "servers:read servers:write", "servers:read", 0 },
	{ "admin", "servers:read servers:write", 0 },
	{ "servers:write", "admin", 1 },
	{ "mcp:invoke:/weather", "servers:read mcp:invoke", 1 },
	{ "mcp:invoke", "mcp:invoke:/weather", 0 },
	{ "", "servers:read", 1 },
};

/* Verified tokens are remembered per worker, but never past their exp. */
static void
test_cache(void)
{
	static const char secret[] = "unit-test-secret-key-0123456789abcdef";
	const void *sec[1] = { secret };
	size_t len[1] = { sizeof(secret) - 1 };
	struct crypt_keyring *kr;
	struct auth_cache ac;
	struct jwt_claims cl;
	struct principal p;
	struct arena a;
	struct conf c;
	char *tok, *hdr, *bad;
	long long now = (long long)time(NULL);

	arena_init(&a);
	memset(&ac, 0, sizeof(ac));
	memset(&c, 0, sizeof(c));
	c.token_issuer = "mcpgw";
	if (crypt_global_init() != ERR_OK ||
	    crypt_keyring_new(sec, len, 1, &kr) != ERR_OK) {
		T_OK(0, "key ring");
		return;
	}
	memset(&cl, 0, sizeof(cl));
	cl.iss = "mcpgw";
	cl.aud = "mcp-registry";
	cl.sub = "alice";
	cl.scope = "servers:read";
	cl.iat = now;
	cl.exp = now + 3600;
	T_OK(jwt_sign(&a, kr, &cl, &tok) == ERR_OK, "sign");
	hdr = arena_printf(&a, "Bearer %s", tok);
	T_OK(auth_authenticate(NULL, &a, &c, kr, &ac, hdr, NULL, &p) == ERR_OK,
	    "a valid token authenticates");
	T_EQ_STR(p.user, "alice", "its subject");
	T_OK(ac.slot[0].token != NULL && strcmp(ac.slot[0].token, tok) == 0,
	    "and is remembered");
	T_OK(
	    auth_authenticate(NULL, &a, &c, kr, &ac, hdr, NULL, &p) == ERR_OK &&
		strcmp(p.scopes, "servers:read") == 0,
	    "the remembered token authenticates with its scopes");
	T_EQ_INT(ac.next, 1, "without a second entry");
	ac.slot[0].exp = now - 3600;
	T_OK(auth_authenticate(NULL, &a, &c, kr, &ac, hdr, NULL, &p) == ERR_OK,
	    "an entry past its exp is verified afresh");
	T_EQ_INT(ac.next, 2, "and stored again");
	bad = arena_printf(&a, "Bearer %sx", tok);
	T_OK(
	    auth_authenticate(NULL, &a, &c, kr, &ac, bad, NULL, &p) == ERR_AUTH,
	    "a token differing by a byte is refused");
	T_EQ_INT(ac.next, 2, "and not remembered");
	auth_cache_free(&ac);
	crypt_keyring_free(kr);
	arena_free(&a);
}

int
main(void)
{
	size_t i;

	T_OK(auth_has_scope(auth_role_scopes("admin"), "servers:write"),
	    "admin role may write");
	T_OK(auth_has_scope(auth_role_scopes("publisher"), "servers:write"),
	    "publisher role may write");
	T_OK(!auth_has_scope(auth_role_scopes("user"), "servers:write"),
	    "user role may not write");
	T_OK(auth_has_scope(auth_role_scopes("user"), "mcp:invoke"),
	    "user role may invoke");
	T_OK(!auth_has_scope(auth_role_scopes("publisher"), "admin"),
	    "publisher is not admin");
	T_OK(auth_role_scopes("root") == NULL, "unknown role has no scopes");
	for (i = 0; i < sizeof(has_cases) / sizeof(has_cases[0]); i++)
		T_EQ_INT(auth_has_scope(has_cases[i].have, has_cases[i].want),
		    has_cases[i].ok, "has_scope(\"%s\", \"%s\")",
		    has_cases[i].have ? has_cases[i].have : "(null)",
		    has_cases[i].want);
	for (i = 0; i < sizeof(subset_cases) / sizeof(subset_cases[0]); i++)
		T_EQ_INT(auth_scopes_subset(
			     subset_cases[i].req, subset_cases[i].have),
		    subset_cases[i].ok, "subset(\"%s\" of \"%s\")",
		    subset_cases[i].req, subset_cases[i].have);
	test_cache();
	return t_done();
}
