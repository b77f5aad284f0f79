/* The server resource: registration, reads, updates, credentials. */
#ifndef MCPGW_SERVER_H
#define MCPGW_SERVER_H

#include <stddef.h>

#include <cJSON.h>

#include "arena.h"
#include "db.h"
#include "err.h"

struct crypt_keyring;

/* Validated registration input; every pointer borrowed from the caller. */
struct server_in {
	const char *path; /* canonical, from valid_path() */
	const char *name;
	const char *description;
	const char *proxy_pass_url;
	const char *license;
	const cJSON *tags; /* array of strings */
	const cJSON *manual_tools; /* array, or NULL for none */
	const char *auth_scheme; /* "none", "bearer" or "api_key" */
	const char *auth_header_name; /* NULL when none */
	const char *credential; /* NULL when none */
	size_t credential_len;
	int enabled;
	int overwrite;
	const char *registered_by;
};

/*
 * Registers (or with overwrite replaces, keeping the id) a server and
 * seals its credential with AAD = id and column. ERR_EXISTS when the path
 * is taken (case-insensitively) and overwrite is off. *doc is the server
 * resource as JSON text with tool_list, in the arena.
 */
enum err
server_register(struct db *d, struct arena *a, const struct crypt_keyring *kr,
    const struct server_in *in, char **doc, char **id) MUST_CHECK;

/* The resource for a canonical path; ERR_NOTFOUND if none. */
enum err server_get(struct db *d, struct arena *a, const char *path,
    int with_tools, char **doc) MUST_CHECK;

/* The list reply of GET /api/servers as JSON text. query may be NULL. */
enum err server_list(struct db *d, struct arena *a, const char *query,
    long limit, long offset, int with_tools, char **json) MUST_CHECK;

/* A JSON merge of the mutable fields; NULL / unset members are untouched. */
struct server_patch {
	const char *name, *description, *proxy_pass_url, *license;
	const cJSON *tags;
	int set_enabled, enabled;
	int set_tools; /* manual_tools replaces (NULL clears) */
	const cJSON *manual_tools;
};

enum err server_patch(struct db *d, struct arena *a, const char *path,
    const struct server_patch *p, const char *actor, char **doc) MUST_CHECK;

/* Deletes; *canon is the stored spelling of the path. */
enum err server_delete(struct db *d, struct arena *a, const char *path,
    const char *actor, const char **canon) MUST_CHECK;

struct server_state {
	const char *path;
	const char *status; /* health, or "disabled" */
	const char *last_checked_iso; /* NULL if never */
	long num_tools;
	int enabled;
};

enum err server_toggle(struct db *d, struct arena *a, const char *path,
    int enabled, const char *actor, struct server_state *out) MUST_CHECK;

struct server_auth_out {
	const char *path;
	const char *auth_scheme;
	const char *auth_header_name; /* NULL for none */
	const char *credential_updated_at; /* NULL for none */
};

/*
 * Replaces the credential. scheme "none" deletes the ciphertext and the
 * header name. Validation of scheme, header and credential is the
 * caller's.
 */
enum err
server_set_auth(struct db *d, struct arena *a, const struct crypt_keyring *kr,
    const char *path, const char *scheme, const char *header, const char *cred,
    size_t cred_len, const char *actor, struct server_auth_out *out) MUST_CHECK;

/* {"/path":{"status","last_checked_iso","num_tools"},...} */
enum err
server_health_map(struct db *d, struct arena *a, char **json) MUST_CHECK;

/* {"path","tools","tools_source","last_discovery":{"at","ok","error"}} */
enum err server_tools(
    struct db *d, struct arena *a, const char *path, char **json) MUST_CHECK;

/*
 * Opens every stored credential with the key ring; with reseal, seals each
 * again under the current key (the last step of a key rotation). *ok and
 * *bad count credentials that opened and that did not (each bad one is
 * logged by path, never by value).
 */
enum err server_rekey(struct db *d, struct arena *a,
    const struct crypt_keyring *kr, int reseal, int *ok, int *bad) MUST_CHECK;
#endif
