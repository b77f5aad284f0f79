/* The responder's request dispatch: routes, authentication, body parsing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "crypt.h"
#include "form.h"
#include "handler.h"
#include "json.h"
#include "log.h"
#include "mpart.h"
#include "probe.h"
#include "proxy.h"
#include "valid.h"

#define WWW_AUTH "WWW-Authenticate: Bearer realm=\"mcpgw\"\r\n"

enum route_auth {
	RA_PUBLIC, /* no authentication */
	RA_ANY, /* any valid principal */
	RA_SESSION, /* the session cookie only */
	RA_SCOPE, /* a principal holding route.scope */
};

enum route_body { RB_NONE, RB_JSON, RB_ANY };

struct route {
	const char *method;
	const char *pattern; /* '*' matches one non-empty segment */
	handler_fn fn;
	enum route_auth auth;
	const char *scope;
	enum route_body body;
};

/* Order matters: the first match wins, so fixed names precede '*'. */
static const struct route routes[] = {
	{ "GET", "/health", h_health, RA_PUBLIC, NULL, RB_NONE },
	{ "GET", "/api/version", h_version, RA_PUBLIC, NULL, RB_NONE },
	{ "POST", "/api/auth/login", h_login, RA_PUBLIC, NULL, RB_ANY },
	{ "POST", "/api/auth/logout", h_logout, RA_PUBLIC, NULL, RB_NONE },
	{ "GET", "/api/auth/me", h_me, RA_ANY, NULL, RB_NONE },
	{ "POST", "/api/tokens/generate", h_token_generate, RA_SESSION, NULL,
	    RB_JSON },
	{ "POST", "/api/servers/register", h_register, RA_SCOPE,
	    "servers:write", RB_ANY },
	{ "POST", "/api/servers/remove", h_remove, RA_SCOPE, "servers:write",
	    RB_ANY },
	{ "POST", "/api/servers/toggle", h_toggle, RA_SCOPE, "servers:write",
	    RB_ANY },
	{ "GET", "/api/servers/health", h_health_map, RA_SCOPE, "servers:read",
	    RB_NONE },
	{ "GET", "/api/servers", h_list, RA_SCOPE, "servers:read", RB_NONE },
	{ "GET", "/api/servers/*", h_get, RA_SCOPE, "servers:read", RB_NONE },
	{ "PATCH", "/api/servers/*", h_patch, RA_SCOPE, "servers:write",
	    RB_JSON },
	{ "DELETE", "/api/servers/*", h_delete, RA_SCOPE, "servers:write",
	    RB_NONE },
	{ "PATCH", "/api/servers/*/auth-credential", h_set_auth, RA_SCOPE,
	    "servers:write", RB_JSON },
	{ "POST", "/api/servers/*/refresh", h_refresh, RA_SCOPE,
	    "servers:write", RB_NONE },
	{ "GET", "/api/servers/*/tools", h_tools, RA_SCOPE, "servers:read",
	    RB_NONE },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

enum err
app_init(struct app *app)
{
	enum err e;

	memset(app, 0, sizeof(*app));
	if ((e = conf_load(&app->conf)) != ERR_OK)
		return e;
	if ((e = crypt_global_init()) != ERR_OK) {
		log_error("libgcrypt initialisation failed");
		return e;
	}
	return conf_keyring(&app->conf, &app->kr);
}

void
app_free(struct app *app)
{
	if (app->kr != NULL)
		crypt_keyring_free(app->kr);
	app->kr = NULL;
	conf_free(&app->conf);
}

void
worker_init(struct worker *w, const struct app *app)
{
	memset(w, 0, sizeof(*w));
	w->app = app;
	arena_init(&w->arena);
	/* A database that is down now is retried on the first query. */
	if (db_open(&w->db, app->conf.database_url) == ERR_NOMEM)
		abort();
}

void
worker_free(struct worker *w)
{
	proxy_worker_free(w->px);
	w->px = NULL;
	auth_cache_free(&w->authc);
	free(w->probe_after);
	w->probe_after = NULL;
	db_close(&w->db);
	arena_free(&w->arena);
}

/*
 * Matches path against pattern; *arg receives the '*' segment. Returns 1
 * on a match.
 */
static int
route_match(
    struct arena *a, const char *pattern, const char *path, const char **arg)
{
	const char *p = pattern, *s = path, *e;

	*arg = NULL;
	while (*p != '\0') {
		if (*p == '*') {
			e = s;
			while (*e != '\0' && *e != '/')
				e++;
			if (e == s)
				return 0;
			*arg = arena_strndup(a, s, (size_t)(e - s));
			s = e;
			p++;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	/* One trailing slash is tolerated: /api/servers/ is /api/servers. */
	return *s == '\0' || (s[0] == '/' && s[1] == '\0');
}

/* Lease owner name of this process for probes it runs itself. */
static const char *
app_probe_owner(struct arena *a)
{
	char host[128];

	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	return arena_printf(a, "%s:%ld:fcgi", host, (long)getpid());
}

enum err
app_probe(struct worker *w, struct arena *a, const char *path)
{
	return probe_now(
	    &w->db, &w->app->conf, w->app->kr, path, app_probe_owner(a));
}

void
app_probe_later(struct worker *w, const char *path)
{
	free(w->probe_after);
	if ((w->probe_after = strdup(path)) == NULL)
		abort();
}

/* Immediate probes run beside the workers, at most this many at once. */
#define APP_PROBE_THREADS 32

static atomic_int app_probes_running;

struct app_probe_job {
	const struct app *app;
	char *path;
};

static void *
app_probe_thread(void *arg)
{
	struct app_probe_job *job = arg;
	struct arena a;
	struct db d;
	enum err e;

	arena_init(&a);
	if ((e = db_open(&d, job->app->conf.database_url)) == ERR_OK)
		e = probe_now(&d, &job->app->conf, job->app->kr, job->path,
		    app_probe_owner(&a));
	if (e != ERR_OK && e != ERR_NOTFOUND)
		log_warn("immediate probe of %s: %s", job->path, err_str(e));
	db_close(&d);
	arena_free(&a);
	free(job->path);
	free(job);
	atomic_fetch_sub(&app_probes_running, 1);
	return NULL;
}

/* The fallback: the worker itself probes before its next accept. */
static void
app_probe_inline(struct worker *w)
{
	char *path = w->probe_after;
	enum err e;

	w->probe_after = NULL;
	e = app_probe(w, &w->arena, path);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		log_warn("immediate probe of %s: %s", path, err_str(e));
	free(path);
	arena_reset(&w->arena);
}

/*
 * Under mod_fcgid the process takes its next request as soon as the reply
 * is finished, so the probe must not hold the worker: it runs in a thread
 * of its own with its own connection. When too many run already, the
 * worker probes itself, as a bound on threads and connections.
 */
void
app_after(struct worker *w)
{
	struct app_probe_job *job;
	pthread_attr_t attr;
	pthread_t th;

	if (w->probe_after == NULL)
		return;
	if (atomic_fetch_add(&app_probes_running, 1) >= APP_PROBE_THREADS ||
	    (job = malloc(sizeof(*job))) == NULL) {
		atomic_fetch_sub(&app_probes_running, 1);
		app_probe_inline(w);
		return;
	}
	job->app = w->app;
	job->path = w->probe_after;
	w->probe_after = NULL;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, app_probe_thread, job) != 0) {
		w->probe_after = job->path;
		free(job);
		atomic_fetch_sub(&app_probes_running, 1);
		app_probe_inline(w);
	}
	pthread_attr_destroy(&attr);
}

void
h_fail(struct hctx *c, enum err e)
{
	switch (e) {
	case ERR_DBDOWN:
		resp_error(c->r, 503, "database_unavailable",
		    "The database is unavailable; try again shortly.", NULL,
		    "Retry-After: 2\r\n");
		break;
	case ERR_RETRY:
		resp_error(c->r, 503, "database_busy",
		    "The change conflicted with concurrent ones; try again.",
		    NULL, "Retry-After: 1\r\n");
		break;
	case ERR_AUTH:
		resp_error(c->r, 401, "invalid_token",
		    "Authentication is required.", NULL, WWW_AUTH);
		break;
	case ERR_FORBIDDEN:
		resp_error(c->r, 403, "insufficient_scope",
		    "The token lacks the scope this route requires.", NULL,
		    NULL);
		break;
	case ERR_RATE:
		resp_error(c->r, 429, "too_many_requests",
		    "Too many attempts; wait and try again.", NULL,
		    "Retry-After: 60\r\n");
		break;
	case ERR_CRYPTO:
		resp_error(c->r, 500, "credential_error",
		    "The stored credential could not be processed.", NULL,
		    NULL);
		break;
	default:
		resp_error(c->r, 500, "internal_error",
		    "The request could not be completed.", NULL, NULL);
		break;
	}
}

void
h_api_error(struct hctx *c, const struct api_error *e)
{
	resp_error(c->r, e->status, e->code, e->reason, e->field, NULL);
}

void
h_not_found_server(struct hctx *c, const char *path)
{
	resp_error(c->r, 404, "server_not_found",
	    arena_printf(
		c->a, "No server is registered at path '%.80s'.", path),
	    NULL, NULL);
}

const char *
h_server_arg(struct hctx *c)
{
	const char *why;
	char *canon;

	if (c->arg == NULL ||
	    valid_path(c->a, c->arg, &canon, &why) != ERR_OK) {
		resp_error(c->r, 404, "server_not_found",
		    "No server is registered at that path.", NULL, NULL);
		return NULL;
	}
	return canon;
}

/* Parses the body per the route's kind; on failure a reply is sent. */
static int
app_parse_body(struct hctx *c, enum route_body kind)
{
	static const struct form_limits lim = { 256, 1024 * 1024, 8192 };
	const char *mt = req_media_type(c->r), *why = NULL, *bad = NULL;
	struct form f;
	cJSON *j;
	enum err e;

	if (kind == RB_NONE)
		return 1;
	if (strcmp(mt, "application/json") == 0) {
		if (c->r->body_len == 0) {
			resp_error(c->r, 400, "invalid_json",
			    "The request body is empty; a JSON object is "
			    "expected.",
			    NULL, NULL);
			return 0;
		}
		if (json_parse(c->a, c->r->body, c->r->body_len, &j, &why) !=
		    ERR_OK) {
			resp_error(c->r, 400, "invalid_json", why, NULL, NULL);
			return 0;
		}
		if (!cJSON_IsObject(j)) {
			resp_error(c->r, 400, "invalid_json",
			    "The request body is not a JSON object.", NULL,
			    NULL);
			return 0;
		}
		c->body = j;
		return 1;
	}
	if (kind == RB_ANY &&
	    (strcmp(mt, "multipart/form-data") == 0 ||
		strcmp(mt, "application/x-www-form-urlencoded") == 0)) {
		if (mt[0] == 'm')
			e = mpart_parse(c->a, c->r->content_type, c->r->body,
			    c->r->body_len, &lim, &f, &why);
		else
			e = form_parse_urlencoded(
			    c->a, c->r->body, c->r->body_len, &lim, &f, &why);
		if (e == ERR_TOOBIG) {
			resp_error(
			    c->r, 413, "body_too_large", why, NULL, NULL);
			return 0;
		}
		if (e != ERR_OK) {
			resp_error(c->r, 400, "invalid_form",
			    why ? why : "The form body is malformed.", NULL,
			    NULL);
			return 0;
		}
		if ((e = fields_from_form(c->a, &f, &j, &bad)) != ERR_OK) {
			if (e == ERR_INVAL)
				resp_error(c->r, 400, "invalid_field",
				    "A form field contains a NUL byte or "
				    "invalid UTF-8.",
				    bad, NULL);
			else
				h_fail(c, e);
			return 0;
		}
		c->body = j;
		c->body_form = 1;
		return 1;
	}
	resp_error(c->r, 415, "unsupported_media_type",
	    kind == RB_JSON
		? "This route accepts Content-Type: application/json only."
		: "Send application/json, multipart/form-data or "
		  "application/x-www-form-urlencoded.",
	    NULL, NULL);
	return 0;
}

static int
app_authorize(struct hctx *c, const struct route *rt)
{
	const char *sid;
	enum err e;

	if (rt->auth == RA_PUBLIC)
		return 1;
	sid = req_cookie(c->r, "session");
	if (rt->auth == RA_SESSION) {
		if (sid == NULL) {
			resp_error(c->r, 401, "session_required",
			    "This route requires a login session cookie.", NULL,
			    WWW_AUTH);
			return 0;
		}
		e = auth_authenticate(c->db, c->a, &c->app->conf, c->app->kr,
		    NULL, NULL, sid, &c->who);
	} else
		e = auth_authenticate(c->db, c->a, &c->app->conf, c->app->kr,
		    &c->w->authc, c->r->authorization, sid, &c->who);
	if (e != ERR_OK) {
		if (e == ERR_AUTH)
			resp_error(c->r, 401, "invalid_token",
			    c->r->authorization == NULL && sid == NULL
				? "A bearer token or a session cookie is "
				  "required."
				: "The token or session is invalid or expired.",
			    NULL, WWW_AUTH);
		else
			h_fail(c, e);
		return 0;
	}
	if (rt->auth == RA_SCOPE && !auth_has_scope(c->who.scopes, rt->scope)) {
		resp_error(c->r, 403, "insufficient_scope",
		    arena_printf(
			c->a, "This route requires the '%s' scope.", rt->scope),
		    NULL, NULL);
		return 0;
	}
	/*
	 * Cross-site forms cannot send application/json, so requiring it
	 * for cookie-authenticated changes defeats CSRF.
	 */
	if (c->who.via_session && strcmp(c->r->method, "GET") != 0 &&
	    strcmp(c->r->method, "HEAD") != 0 &&
	    strcmp(req_media_type(c->r), "application/json") != 0) {
		resp_error(c->r, 415, "unsupported_media_type",
		    "Requests authenticated by the session cookie must send "
		    "Content-Type: application/json.",
		    NULL, NULL);
		return 0;
	}
	return 1;
}

/*
 * Whether a path that matched no route belongs to the gateway: anything
 * but the API and well-known trees (reserved names never register).
 */
static int
app_is_proxy_path(const char *path)
{
	if (strcmp(path, "/") == 0 || strcmp(path, "/api") == 0 ||
	    strncmp(path, "/api/", 5) == 0 ||
	    strncmp(path, "/.well-known/", 13) == 0)
		return 0;
	return 1;
}

void
app_handle(struct worker *w, struct req *r)
{
	const struct route *rt = NULL;
	const char *method = r->method, *arg = NULL;
	struct hctx c;
	int path_matched = 0;
	size_t i;
	enum err e;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.a = r->a;
	c.w = w;
	c.app = w->app;
	c.db = &w->db;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (i = 0; i < NROUTES; i++) {
		if (!route_match(c.a, routes[i].pattern, r->path, &arg))
			continue;
		path_matched = 1;
		if (strcmp(routes[i].method, method) == 0) {
			rt = &routes[i];
			c.arg = arg;
			break;
		}
	}
	if (rt == NULL) {
		if (path_matched)
			resp_error(r, 405, "method_not_allowed",
			    "This method is not allowed on this route.", NULL,
			    NULL);
		else if (app_is_proxy_path(r->path))
			proxy_handle(&c);
		else
			resp_error(r, 404, "not_found",
			    "No such route or server.", NULL, NULL);
		return;
	}
	/* A NUL in a query value cannot be meant; some servers pass it on. */
	if (strstr(r->query, "%00") != NULL) {
		resp_error(r, 400, "invalid_query",
		    "The query string holds an encoded NUL (%00).", NULL, NULL);
		return;
	}
	e = req_read_body(r, (size_t)w->app->conf.max_body_bytes);
	if (e == ERR_TOOBIG) {
		resp_error(r, 413, "body_too_large",
		    arena_printf(c.a, "The request body exceeds %ld bytes.",
			w->app->conf.max_body_bytes),
		    NULL, NULL);
		return;
	}
	if (e != ERR_OK) {
		resp_error(r, 400, "incomplete_body",
		    "The request body is shorter than its Content-Length.",
		    NULL, NULL);
		return;
	}
	if (!app_authorize(&c, rt) || !app_parse_body(&c, rt->body))
		return;
	rt->fn(&c);
	if (!r->replied)
		h_fail(&c, ERR_SYS);
}
