/* The responder's request dispatch: routes, authentication, body parsing. */
#ifndef MCPGW_APP_H
#define MCPGW_APP_H

#include "arena.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "err.h"
#include "req.h"

struct crypt_keyring;

/* Process-wide state, read-only once workers start. */
struct app {
	struct conf conf;
	struct crypt_keyring *kr;
};

/* Per-thread state: nothing here is shared between workers. */
struct proxy_worker;

struct worker {
	const struct app *app;
	struct db db;
	struct arena arena; /* reset after every request */
	struct auth_cache authc; /* tokens this worker verified */
	struct proxy_worker *px; /* the proxy's per-worker state (proxy.c) */
	char *probe_after; /* server path to probe after the reply */
};

/*
 * Loads configuration and keys, logging any problem once. app_free()
 * releases what app_init() made, also after a failure.
 */
enum err app_init(struct app *app) MUST_CHECK;
void app_free(struct app *app);

/* Opens the worker's database connection (a failure is retried later). */
void worker_init(struct worker *w, const struct app *app);
void worker_free(struct worker *w);

/* Handles one request whose CGI params are already in r; always replies. */
void app_handle(struct worker *w, struct req *r);

/*
 * Work that must not delay the reply, run after FCGX_Finish_r(): the
 * immediate probe of a server that was registered, re-keyed or enabled.
 */
void app_after(struct worker *w);

/* Probes a server now, synchronously (for refresh). */
enum err
app_probe(struct worker *w, struct arena *a, const char *path) MUST_CHECK;
/* Schedules app_after() to probe path once this reply is sent. */
void app_probe_later(struct worker *w, const char *path);

#endif
