/* Handlers for login, logout, the caller's identity and token generation. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "crypt.h"
#include "handler.h"
#include "token.h"
#include "user.h"

/* Formats unix time t as ISO 8601 UTC with Z into the arena. */
static const char *
h_iso(struct arena *a, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* A JSON array of the words in a space-separated list. */
static cJSON *
h_words(const char *list)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = list, *e;
	char buf[256];
	size_t n;

	if (arr == NULL)
		return NULL;
	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ' ');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
		p = e;
	}
	return arr;
}

static const struct field_rule login_rules[] = {
	{ "username", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 64, NULL },
	{ "password", FT_RAW, FR_REQUIRED | FR_NONEMPTY, 0, 1024, NULL },
};

void
h_login(struct hctx *c)
{
	struct field_val v[FIELDS_N(login_rules)];
	struct api_error ae;
	struct user_login ul;
	cJSON *j;
	const char *role_scopes;
	enum err e;

	if (c->body == NULL) {
		resp_error(c->r, 400, "missing_field",
		    "username and password are required.", NULL, NULL);
		return;
	}
	if (fields_apply(c->a, login_rules, FIELDS_N(login_rules), c->body,
		c->body_form, 0, v, &ae) != ERR_OK) {
		h_api_error(c, &ae);
		return;
	}
	e = user_login(c->db, c->a, v[0].s, v[1].s, c->r->remote_addr,
	    c->app->conf.session_hours, &ul);
	if (e == ERR_AUTH) {
		resp_error(c->r, 401, "invalid_credentials",
		    "Unknown user or wrong password.", NULL, NULL);
		return;
	}
	if (e != ERR_OK) {
		h_fail(c, e);
		return;
	}
	role_scopes = auth_role_scopes(ul.role);
	if ((j = cJSON_CreateObject()) == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	cJSON_AddStringToObject(j, "username", ul.username);
	cJSON_AddItemToObject(j, "roles", h_words(ul.role));
	cJSON_AddItemToObject(j, "scopes", h_words(role_scopes));
	cJSON_AddStringToObject(j, "expires_at", h_iso(c->a, ul.expires_at));
	resp_json(c->r, 200,
	    arena_printf(c->a,
		"Set-Cookie: session=%s; "
		"Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s\r\n",
		ul.session_id, c->app->conf.session_hours * 3600,
		c->app->conf.cookie_secure ? "; Secure" : ""),
	    j);
	cJSON_Delete(j);
}

void
h_logout(struct hctx *c)
{
	static const char body[] = "{\"message\":\"Logged out\"}";
	const char *sid = req_cookie(c->r, "session");
	enum err e;

	if (sid != NULL && (e = user_logout(c->db, c->a, sid)) != ERR_OK) {
		h_fail(c, e);
		return;
	}
	resp_json_text(c->r, 200,
	    arena_printf(c->a,
		"Set-Cookie: session=; "
		"Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s\r\n",
		c->app->conf.cookie_secure ? "; Secure" : ""),
	    body, sizeof(body) - 1);
}

void
h_me(struct hctx *c)
{
	cJSON *j = cJSON_CreateObject();

	if (j == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	cJSON_AddStringToObject(j, "username", c->who.user);
	cJSON_AddItemToObject(j, "scopes", h_words(c->who.scopes));
	cJSON_AddStringToObject(
	    j, "auth_method", c->who.via_session ? "session" : "jwt");
	cJSON_AddBoolToObject(
	    j, "is_admin", auth_has_scope(c->who.scopes, "admin"));
	resp_json(c->r, 200, NULL, j);
	cJSON_Delete(j);
}

static const struct field_rule token_rules[] = {
	{ "expires_in_hours", FT_INT, 0, 1, 24 * 365,
	    "invalid_expires_in_hours" },
	{ "description", FT_MULTILINE, 0, 0, 256, "invalid_description" },
	{ "requested_scopes", FT_ANY, 0, 0, 0, "invalid_requested_scopes" },
};

void
h_token_generate(struct hctx *c)
{
	struct field_val v[FIELDS_N(token_rules)];
	const struct conf *cf = &c->app->conf;
	struct api_error ae;
	struct token_out to;
	const char *scopes = c->who.scopes, *desc = "";
	long hours = cf->token_default_hours;
	const cJSON *it;
	cJSON *j;
	enum err e;

	if (fields_apply(c->a, token_rules, FIELDS_N(token_rules), c->body, 0,
		0, v, &ae) != ERR_OK) {
		h_api_error(c, &ae);
		return;
	}
	if (v[0].present && !v[0].is_null) {
		if (v[0].i > cf->token_max_hours) {
			resp_error(c->r, 400, "invalid_expires_in_hours",
			    arena_printf(c->a,
				"expires_in_hours must be an "
				"integer between 1 and %ld.",
				cf->token_max_hours),
			    "expires_in_hours", NULL);
			return;
		}
		hours = (long)v[0].i;
	}
	if (v[1].s != NULL)
		desc = v[1].s;
	if (v[2].present && !v[2].is_null) {
		char *req = arena_strdup(c->a, "");

		if (!cJSON_IsArray(v[2].j) || cJSON_GetArraySize(v[2].j) == 0) {
			resp_error(c->r, 400, "invalid_requested_scopes",
			    "requested_scopes must be a non-empty list of "
			    "strings.",
			    "requested_scopes", NULL);
			return;
		}
		cJSON_ArrayForEach(it, v[2].j)
		{
			if (!cJSON_IsString(it) || *it->valuestring == '\0' ||
			    strlen(it->valuestring) > 128 ||
			    strpbrk(it->valuestring, " \t\r\n") != NULL) {
				resp_error(c->r, 400,
				    "invalid_requested_scopes",
				    "requested_scopes must be a list of scope "
				    "names.",
				    "requested_scopes", NULL);
				return;
			}
			req = arena_printf(c->a, "%s%s%s", req, *req ? " " : "",
			    it->valuestring);
		}
		if (!auth_scopes_subset(req, c->who.scopes)) {
			resp_error(c->r, 403, "insufficient_scope",
			    "requested_scopes exceed the scopes of your "
			    "account.",
			    "requested_scopes", NULL);
			return;
		}
		scopes = req;
	}
	if ((e = token_issue(c->db, c->a, cf, c->app->kr, c->who.user, scopes,
		 hours, desc, &to)) != ERR_OK) {
		h_fail(c, e);
		return;
	}
	if ((j = cJSON_CreateObject()) == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	cJSON_AddStringToObject(j, "access_token", to.access_token);
	cJSON_AddStringToObject(j, "token_type", "Bearer");
	cJSON_AddNumberToObject(j, "expires_in", (double)to.expires_in);
	cJSON_AddStringToObject(j, "expires_at", h_iso(c->a, to.expires_at));
	cJSON_AddStringToObject(j, "scope", to.scope);
	cJSON_AddStringToObject(j, "description", desc);
	resp_json(c->r, 200, NULL, j);
	cJSON_Delete(j);
}
