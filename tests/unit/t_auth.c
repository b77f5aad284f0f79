/* Unit tests for roles and scope checks. */
#include "auth.h"
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
	return t_done();
}
