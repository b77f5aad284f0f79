/* What route handlers share: the request context and reply helpers. */
#ifndef MCPGW_HANDLER_H
#define MCPGW_HANDLER_H

#include <cJSON.h>

#include "app.h"
#include "auth.h"
#include "fields.h"
#include "req.h"
#include "resp.h"

struct hctx {
	struct req *r;
	struct arena *a;
	struct worker *w;
	const struct app *app;
	struct db *db;
	struct principal who;
	const char *arg; /* the {name} path segment, or NULL */
	const cJSON *body; /* parsed body object, or NULL */
	int body_form; /* body came as a form */
};

typedef void (*handler_fn)(struct hctx *c);

/* Maps an internal error to a status and envelope; logs nothing. */
void h_fail(struct hctx *c, enum err e);
void h_api_error(struct hctx *c, const struct api_error *e);
/* Canonical server path from the {name} segment; NULL (and a 404 sent). */
const char *h_server_arg(struct hctx *c);
void h_not_found_server(struct hctx *c, const char *path);

/* Handlers (h_misc.c, h_auth.c, h_servers.c). */
void h_health(struct hctx *c);
void h_version(struct hctx *c);
void h_login(struct hctx *c);
void h_logout(struct hctx *c);
void h_me(struct hctx *c);
void h_token_generate(struct hctx *c);
void h_register(struct hctx *c);
void h_list(struct hctx *c);
void h_get(struct hctx *c);
void h_patch(struct hctx *c);
void h_delete(struct hctx *c);
void h_remove(struct hctx *c);
void h_toggle(struct hctx *c);
void h_set_auth(struct hctx *c);
void h_health_map(struct hctx *c);
void h_tools(struct hctx *c);
void h_refresh(struct hctx *c);

#endif
