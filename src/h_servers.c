/* Handlers for the server resource under /api/servers. */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "handler.h"
#include "server.h"
#include "ssrf.h"
#include "valid.h"

#define CRED_MAX 8192

static void
h_cjson_delete(void *p)
{
	cJSON_Delete(p);
}

static void
h_bad(struct hctx *c, const char *code, const char *reason, const char *field)
{
	resp_error(c->r, 400, code, reason, field, NULL);
}

/* Checks proxy_pass_url syntax and address policy; 0 after a 400. */
static int
h_check_url(struct hctx *c, const char *s)
{
	struct url u;
	const char *why = NULL;
	char *resolve = NULL;

	if (ssrf_parse_url(c->a, s, &u, &why) != ERR_OK ||
	    ssrf_check_url(c->a, &u, (int)c->app->conf.ssrf_deny_private, 0,
		&resolve, &why) != ERR_OK) {
		h_bad(c, "invalid_proxy_pass_url",
		    why ? why : "proxy_pass_url is not allowed.",
		    "proxy_pass_url");
		return 0;
	}
	return 1;
}

/* Tags from a string (comma list or JSON text) or a JSON array. */
static int
h_tags(struct hctx *c, const struct field_val *v, cJSON **out)
{
	const char *why = NULL;
	enum err e;

	if (v->s != NULL)
		e = valid_tags(c->a, v->s, v->len, out, &why);
	else
		e = valid_tags_json(c->a, v->j, out, &why);
	if (e != ERR_OK) {
		h_bad(
		    c, "invalid_tags", why ? why : "tags are invalid.", "tags");
		return 0;
	}
	arena_defer(c->a, h_cjson_delete, *out);
	return 1;
}

/* Manual tools from JSON text or a JSON array; *out NULL for "". */
static int
h_tools_arg(struct hctx *c, const struct field_val *v, cJSON **out)
{
	const char *why = NULL;
	enum err e;

	*out = NULL;
	if (v->s != NULL && v->len == 0)
		return 1;
	if (v->s != NULL)
		e = valid_tool_list(c->a, v->s, v->len, out, &why);
	else
		e = valid_tool_list_json(c->a, v->j, out, &why);
	if (e != ERR_OK) {
		h_bad(c, "invalid_tool_list_json",
		    why ? why
			: "tool_list_json must be a JSON array of MCP tools.",
		    "tool_list_json");
		return 0;
	}
	arena_defer(c->a, h_cjson_delete, *out);
	return 1;
}

/*
 * The auth triple shared by registration and rotation. Sets *scheme,
 * *header (NULL for none) and *cred (NULL for none); 0 after a 400.
 */
static int
h_auth_fields(struct hctx *c, const struct field_val *sv,
    const struct field_val *cv, const struct field_val *hv, const char **scheme,
    const char **header, const char **cred)
{
	const char *why = NULL;

	*scheme = sv->s != NULL ? sv->s : "none";
	*header = NULL;
	*cred = NULL;
	if (strcmp(*scheme, "none") != 0 && strcmp(*scheme, "bearer") != 0 &&
	    strcmp(*scheme, "api_key") != 0) {
		h_bad(c, "invalid_auth_scheme",
		    "auth_scheme must be one of: "
		    "none, bearer, api_key.",
		    "auth_scheme");
		return 0;
	}
	if (strcmp(*scheme, "none") == 0)
		return 1;
	if (cv->s == NULL || cv->len == 0) {
		h_bad(c, "missing_credential",
		    "auth_credential is required "
		    "when auth_scheme is not 'none'.",
		    "auth_credential");
		return 0;
	}
	if (valid_credential(cv->s, cv->len, &why) != ERR_OK) {
		h_bad(c, "invalid_credential",
		    why ? why : "auth_credential is invalid.",
		    "auth_credential");
		return 0;
	}
	*cred = cv->s;
	if (hv->s != NULL && hv->len > 0)
		*header = hv->s;
	else
		*header = strcmp(*scheme, "bearer") == 0 ? "Authorization"
							 : "X-API-Key";
	if (valid_header_name(*header, &why) != ERR_OK) {
		h_bad(c, "invalid_auth_header_name",
		    why ? why : "auth_header_name is not allowed.",
		    "auth_header_name");
		return 0;
	}
	return 1;
}

enum {
	RG_NAME,
	RG_DESC,
	RG_PATH,
	RG_URL,
	RG_TAGS,
	RG_LICENSE,
	RG_SCHEME,
	RG_CRED,
	RG_HEADER,
	RG_TOOLS,
	RG_OVERWRITE,
	RG_ENABLED
};

static const struct field_rule register_rules[] = {
	[RG_NAME] = { "name", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 200,
	    "invalid_name" },
	[RG_DESC] = { "description", FT_MULTILINE, 0, 0, 4000,
	    "invalid_description" },
	[RG_PATH] = { "path", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 256,
	    "invalid_path" },
	[RG_URL] = { "proxy_pass_url", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0,
	    2048, "invalid_proxy_pass_url" },
	[RG_TAGS] = { "tags", FT_ANY, 0, 0, 0, "invalid_tags" },
	[RG_LICENSE] = { "license", FT_TEXT, 0, 0, 256, "invalid_license" },
	[RG_SCHEME] = { "auth_scheme", FT_TEXT, 0, 0, 64,
	    "invalid_auth_scheme" },
	[RG_CRED] = { "auth_credential", FT_RAW, 0, 0, CRED_MAX,
	    "invalid_credential" },
	[RG_HEADER] = { "auth_header_name", FT_TEXT, 0, 0, 256,
	    "invalid_auth_header_name" },
	[RG_TOOLS] = { "tool_list_json", FT_ANY, 0, 0, 0,
	    "invalid_tool_list_json" },
	[RG_OVERWRITE] = { "overwrite", FT_BOOL, 0, 0, 0, "invalid_field" },
	[RG_ENABLED] = { "enabled", FT_BOOL, 0, 0, 0, "invalid_field" },
};

void
h_register(struct hctx *c)
{
	struct field_val v[FIELDS_N(register_rules)];
	struct server_in in;
	struct api_error ae;
	cJSON *tags = NULL, *tools = NULL, *j;
	const char *why = NULL;
	char *path, *doc, *id;
	enum err e;

	if (fields_apply(c->a, register_rules, FIELDS_N(register_rules),
		c->body, c->body_form, 0, v, &ae) != ERR_OK) {
		h_api_error(c, &ae);
		return;
	}
	memset(&in, 0, sizeof(in));
	if (valid_path(c->a, v[RG_PATH].s, &path, &why) != ERR_OK) {
		h_bad(
		    c, "invalid_path", why ? why : "path is invalid.", "path");
		return;
	}
	in.path = path;
	in.name = v[RG_NAME].s;
	in.description = v[RG_DESC].s != NULL ? v[RG_DESC].s : "";
	in.proxy_pass_url = v[RG_URL].s;
	if (!h_check_url(c, in.proxy_pass_url))
		return;
	in.license = v[RG_LICENSE].s != NULL && v[RG_LICENSE].len > 0
	    ? v[RG_LICENSE].s
	    : "N/A";
	if (v[RG_TAGS].present && !v[RG_TAGS].is_null) {
		if (!h_tags(c, &v[RG_TAGS], &tags))
			return;
	} else {
		if ((tags = cJSON_CreateArray()) == NULL) {
			h_fail(c, ERR_NOMEM);
			return;
		}
		arena_defer(c->a, h_cjson_delete, tags);
	}
	in.tags = tags;
	if (!h_auth_fields(c, &v[RG_SCHEME], &v[RG_CRED], &v[RG_HEADER],
		&in.auth_scheme, &in.auth_header_name, &in.credential))
		return;
	in.credential_len = in.credential ? strlen(in.credential) : 0;
	if (v[RG_TOOLS].present && !v[RG_TOOLS].is_null &&
	    !h_tools_arg(c, &v[RG_TOOLS], &tools))
		return;
	in.manual_tools = tools;
	in.overwrite = v[RG_OVERWRITE].present ? v[RG_OVERWRITE].b : 0;
	in.enabled = v[RG_ENABLED].present ? v[RG_ENABLED].b : 1;
	in.registered_by = c->who.user;

	e = server_register(c->db, c->a, c->app->kr, &in, &doc, &id);
	if (e == ERR_EXISTS) {
		resp_error(c->r, 409, "path_exists",
		    arena_printf(c->a,
			"A server is already registered at path '%s'; use "
			"overwrite=true to replace it.",
			path),
		    "path", NULL);
		return;
	}
	if (e != ERR_OK) {
		h_fail(c, e);
		return;
	}
	if ((j = cJSON_CreateObject()) == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	arena_defer(c->a, h_cjson_delete, j);
	cJSON_AddStringToObject(j, "message",
	    arena_printf(c->a,
		"Server "
		"'%s' registered successfully at path '%s'",
		in.name, path));
	cJSON_AddStringToObject(j, "path", path);
	cJSON_AddStringToObject(j, "name", in.name);
	cJSON_AddItemToObject(j, "server", cJSON_Parse(doc));
	resp_json(c->r, 201, NULL, j);
	if (in.enabled)
		app_probe_later(c->w, path);
}

void
h_list(struct hctx *c)
{
	const char *q = req_query(c->r, "query");
	const char *ls = req_query(c->r, "limit");
	const char *os = req_query(c->r, "offset");
	const char *ts = req_query(c->r, "include_tools");
	long limit = 20, offset = 0;
	int tools = 0;
	char *end, *json;
	enum err e;

	if (ls != NULL) {
		limit = strtol(ls, &end, 10);
		if (*ls == '\0' || *end != '\0' || limit < 1 || limit > 500) {
			h_bad(c, "invalid_limit",
			    "limit must be an integer "
			    "from 1 to 500.",
			    "limit");
			return;
		}
	}
	if (os != NULL) {
		offset = strtol(os, &end, 10);
		if (*os == '\0' || *end != '\0' || offset < 0 ||
		    offset > 1000000000L) {
			h_bad(c, "invalid_offset",
			    "offset must be a "
			    "non-negative integer.",
			    "offset");
			return;
		}
	}
	if (ts != NULL) {
		if (strcmp(ts, "true") == 0 || strcmp(ts, "1") == 0)
			tools = 1;
		else if (strcmp(ts, "false") != 0 && strcmp(ts, "0") != 0) {
			h_bad(c, "invalid_include_tools",
			    "include_tools must "
			    "be true or false.",
			    "include_tools");
			return;
		}
	}
	if (q != NULL && (*q == '\0' || strlen(q) > 256))
		q = *q == '\0' ? NULL : arena_strndup(c->a, q, 256);
	if ((e = server_list(c->db, c->a, q, limit, offset, tools, &json)) !=
	    ERR_OK) {
		h_fail(c, e);
		return;
	}
	resp_json_text(c->r, 200, NULL, json, strlen(json));
}

/*
 * Replies for the outcome e of an operation on the server at path: 404,
 * the mapped error, or (doc not NULL) 200 with doc. Returns 1 when e is
 * ERR_OK, so the caller may go on to build its own reply.
 */
static int
h_outcome(struct hctx *c, const char *path, enum err e, const char *doc)
{
	if (e == ERR_NOTFOUND)
		h_not_found_server(c, path);
	else if (e != ERR_OK)
		h_fail(c, e);
	else {
		if (doc != NULL)
			resp_json_text(c->r, 200, NULL, doc, strlen(doc));
		return 1;
	}
	return 0;
}

void
h_get(struct hctx *c)
{
	const char *path = h_server_arg(c);
	char *doc;
	enum err e;

	if (path == NULL)
		return;
	e = server_get(c->db, c->a, path, 1, &doc);
	h_outcome(c, path, e, doc);
}

enum { PT_NAME, PT_DESC, PT_URL, PT_TAGS, PT_LICENSE, PT_ENABLED, PT_TOOLS };

static const struct field_rule patch_rules[] = {
	[PT_NAME] = { "name", FT_TEXT, FR_NONEMPTY, 0, 200, "invalid_name" },
	[PT_DESC] = { "description", FT_MULTILINE, 0, 0, 4000,
	    "invalid_description" },
	[PT_URL] = { "proxy_pass_url", FT_TEXT, FR_NONEMPTY, 0, 2048,
	    "invalid_proxy_pass_url" },
	[PT_TAGS] = { "tags", FT_ANY, 0, 0, 0, "invalid_tags" },
	[PT_LICENSE] = { "license", FT_TEXT, 0, 0, 256, "invalid_license" },
	[PT_ENABLED] = { "is_enabled", FT_BOOL, 0, 0, 0, "invalid_field" },
	[PT_TOOLS] = { "tool_list_json", FT_ANY, 0, 0, 0,
	    "invalid_tool_list_json" },
};

void
h_patch(struct hctx *c)
{
	static const char *const cred_fields[] = { "auth_scheme",
		"auth_credential", "auth_header_name",
		"auth_credential_encrypted" };
	struct field_val v[FIELDS_N(patch_rules)];
	struct server_patch p;
	struct api_error ae;
	const char *path = h_server_arg(c);
	cJSON *tags = NULL, *tools = NULL;
	char *doc;
	size_t i;
	enum err e;

	if (path == NULL)
		return;
	for (i = 0; i < sizeof(cred_fields) / sizeof(cred_fields[0]); i++)
		if (cJSON_GetObjectItemCaseSensitive(c->body, cred_fields[i])) {
			resp_error(c->r, 422, "credential_field_not_allowed",
			    "Credentials change only through PATCH "
			    "/api/servers/{name}/auth-credential.",
			    cred_fields[i], NULL);
			return;
		}
	if (cJSON_GetArraySize(c->body) == 0) {
		h_bad(c, "empty_patch", "The patch body has no fields.", NULL);
		return;
	}
	if (fields_apply(c->a, patch_rules, FIELDS_N(patch_rules), c->body, 0,
		1, v, &ae) != ERR_OK) {
		h_api_error(c, &ae);
		return;
	}
	for (i = 0; i < FIELDS_N(patch_rules); i++)
		if (v[i].is_null && i != PT_TOOLS && i != PT_DESC) {
			h_bad(c, patch_rules[i].code,
			    arena_printf(c->a, "Field '%s' cannot be null.",
				patch_rules[i].name),
			    patch_rules[i].name);
			return;
		}
	memset(&p, 0, sizeof(p));
	p.name = v[PT_NAME].s;
	p.description = v[PT_DESC].is_null ? "" : v[PT_DESC].s;
	if (v[PT_URL].s != NULL) {
		if (!h_check_url(c, v[PT_URL].s))
			return;
		p.proxy_pass_url = v[PT_URL].s;
	}
	if (v[PT_TAGS].present) {
		if (!h_tags(c, &v[PT_TAGS], &tags))
			return;
		p.tags = tags;
	}
	p.license = v[PT_LICENSE].s;
	p.set_enabled = v[PT_ENABLED].present;
	p.enabled = v[PT_ENABLED].b;
	if (v[PT_TOOLS].present) {
		p.set_tools = 1;
		if (!v[PT_TOOLS].is_null &&
		    !h_tools_arg(c, &v[PT_TOOLS], &tools))
			return;
		p.manual_tools = tools;
	}
	e = server_patch(c->db, c->a, path, &p, c->who.user, &doc);
	/* A new backend or a re-enabled server is checked at once. */
	if (h_outcome(c, path, e, doc) &&
	    (p.proxy_pass_url != NULL || (p.set_enabled && p.enabled)))
		app_probe_later(c->w, path);
}

static void
h_delete_path(struct hctx *c, const char *path)
{
	const char *canon;
	cJSON *j;
	enum err e;

	e = server_delete(c->db, c->a, path, c->who.user, &canon);
	if (!h_outcome(c, path, e, NULL))
		return;
	if ((j = cJSON_CreateObject()) == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	arena_defer(c->a, h_cjson_delete, j);
	cJSON_AddStringToObject(j, "message",
	    arena_printf(c->a, "Server '%s' removed successfully", canon));
	cJSON_AddStringToObject(j, "path", canon);
	resp_json(c->r, 200, NULL, j);
}

void
h_delete(struct hctx *c)
{
	const char *path = h_server_arg(c);

	if (path != NULL)
		h_delete_path(c, path);
}

static const struct field_rule path_rules[] = {
	{ "path", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 256, "invalid_path" },
	{ "new_state", FT_BOOL, 0, 0, 0, "invalid_new_state" },
};

/* Reads the body's path (and new_state); NULL after a reply. */
static const char *
h_body_path(struct hctx *c, struct field_val *v)
{
	struct api_error ae;
	const char *why;
	char *path;

	if (c->body == NULL) {
		h_bad(c, "missing_field", "Field 'path' is required.", "path");
		return NULL;
	}
	if (fields_apply(c->a, path_rules, FIELDS_N(path_rules), c->body,
		c->body_form, 0, v, &ae) != ERR_OK) {
		h_api_error(c, &ae);
		return NULL;
	}
	if (valid_path(c->a, v[0].s, &path, &why) != ERR_OK) {
		h_not_found_server(c, v[0].s);
		return NULL;
	}
	return path;
}

void
h_remove(struct hctx *c)
{
	struct field_val v[FIELDS_N(path_rules)];
	const char *path = h_body_path(c, v);

	if (path != NULL)
		h_delete_path(c, path);
}

void
h_toggle(struct hctx *c)
{
	struct field_val v[FIELDS_N(path_rules)];
	struct server_state st;
	const char *path = h_body_path(c, v);
	cJSON *j;
	enum err e;

	if (path == NULL)
		return;
	if (!v[1].present || v[1].is_null) {
		h_bad(c, "missing_field", "Field 'new_state' is required.",
		    "new_state");
		return;
	}
	e = server_toggle(c->db, c->a, path, v[1].b, c->who.user, &st);
	if (!h_outcome(c, path, e, NULL))
		return;
	if ((j = cJSON_CreateObject()) == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	arena_defer(c->a, h_cjson_delete, j);
	cJSON_AddStringToObject(j, "message",
	    arena_printf(c->a, "Toggle request for %s processed.", st.path));
	cJSON_AddStringToObject(j, "service_path", st.path);
	cJSON_AddBoolToObject(j, "new_enabled_state", st.enabled);
	cJSON_AddStringToObject(j, "status", st.status);
	if (st.last_checked_iso != NULL)
		cJSON_AddStringToObject(
		    j, "last_checked_iso", st.last_checked_iso);
	else
		cJSON_AddNullToObject(j, "last_checked_iso");
	cJSON_AddNumberToObject(j, "num_tools", (double)st.num_tools);
	resp_json(c->r, 200, NULL, j);
	if (st.enabled)
		app_probe_later(c->w, st.path);
}

static const struct field_rule auth_rules[] = {
	{ "auth_scheme", FT_TEXT, FR_REQUIRED, 0, 64, "invalid_auth_scheme" },
	{ "auth_credential", FT_RAW, 0, 0, CRED_MAX, "invalid_credential" },
	{ "auth_header_name", FT_TEXT, 0, 0, 256, "invalid_auth_header_name" },
};

void
h_set_auth(struct hctx *c)
{
	struct field_val v[FIELDS_N(auth_rules)];
	struct server_auth_out out;
	struct api_error ae;
	const char *path = h_server_arg(c), *scheme, *header, *cred;
	cJSON *j;
	enum err e;

	if (path == NULL)
		return;
	if (fields_apply(c->a, auth_rules, FIELDS_N(auth_rules), c->body, 0, 1,
		v, &ae) != ERR_OK) {
		if (strcmp(ae.code, "missing_field") == 0)
			ae.code = "invalid_auth_scheme";
		h_api_error(c, &ae);
		return;
	}
	if (!h_auth_fields(c, &v[0], &v[1], &v[2], &scheme, &header, &cred))
		return;
	e = server_set_auth(c->db, c->a, c->app->kr, path, scheme, header, cred,
	    cred ? strlen(cred) : 0, c->who.user, &out);
	if (!h_outcome(c, path, e, NULL))
		return;
	if ((j = cJSON_CreateObject()) == NULL) {
		h_fail(c, ERR_NOMEM);
		return;
	}
	arena_defer(c->a, h_cjson_delete, j);
	cJSON_AddStringToObject(
	    j, "message", "Auth credentials updated successfully");
	cJSON_AddStringToObject(j, "path", out.path);
	cJSON_AddStringToObject(j, "auth_scheme", out.auth_scheme);
	if (out.auth_header_name != NULL)
		cJSON_AddStringToObject(
		    j, "auth_header_name", out.auth_header_name);
	else
		cJSON_AddNullToObject(j, "auth_header_name");
	if (out.credential_updated_at != NULL)
		cJSON_AddStringToObject(
		    j, "credential_updated_at", out.credential_updated_at);
	else
		cJSON_AddNullToObject(j, "credential_updated_at");
	resp_json(c->r, 200, NULL, j);
	app_probe_later(c->w, out.path);
}

void
h_health_map(struct hctx *c)
{
	char *json;
	enum err e;

	if ((e = server_health_map(c->db, c->a, &json)) != ERR_OK) {
		h_fail(c, e);
		return;
	}
	resp_json_text(c->r, 200, NULL, json, strlen(json));
}

void
h_tools(struct hctx *c)
{
	const char *path = h_server_arg(c);
	char *json;
	enum err e;

	if (path == NULL)
		return;
	e = server_tools(c->db, c->a, path, &json);
	h_outcome(c, path, e, json);
}

void
h_refresh(struct hctx *c)
{
	const char *path = h_server_arg(c);
	char *doc = NULL;
	enum err e;

	if (path == NULL)
		return;
	if ((e = server_get(c->db, c->a, path, 0, &doc)) != ERR_OK) {
		if (e == ERR_NOTFOUND)
			h_not_found_server(c, path);
		else
			h_fail(c, e);
		return;
	}
	/* Probes the server inline, with its credential, then shows it. */
	e = app_probe(c->w, c->a, path);
	if (e == ERR_OK)
		e = server_get(c->db, c->a, path, 1, &doc);
	h_outcome(c, path, e, doc);
}
