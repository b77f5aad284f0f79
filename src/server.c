/* The server resource: registration, reads, updates, credentials. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "log.h"
#include "server.h"

#define SERVER_TX_TRIES 3
#define SERVER_CRED_COLUMN "auth_credential_enc"

/* Joins a server with its health row; $1 is matched against lower(path). */
/* The list's query: $1 (NULL for all) within name, description, tags
 * or tool names, case-insensitively. */
#define SERVER_FILTER \
	"($1::text IS NULL OR strpos(lower(s.name), lower($1)) > 0" \
	" OR strpos(lower(s.description), lower($1)) > 0" \
	" OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(s.tags) t" \
	"  WHERE strpos(lower(t), lower($1)) > 0)" \
	" OR EXISTS (SELECT 1 FROM json_array_elements(coalesce(" \
	"  s.tool_list, s.manual_tool_list, '[]')) e" \
	"  WHERE strpos(lower(e->>'name'), lower($1)) > 0))"

#define SERVER_BY_PATH \
	"FROM servers s JOIN server_health h ON h.server_id = s.id " \
	"WHERE lower(s.path) = lower($1)"

static char *
server_uuid(struct arena *a)
{
	unsigned char b[16];

	crypt_random(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	return arena_printf(a,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

/* AAD binding a ciphertext to its row and column. */
static const char *
server_aad(struct arena *a, const char *id)
{
	return arena_printf(a, "servers/%s/" SERVER_CRED_COLUMN, id);
}

static char *
server_json(struct arena *a, const cJSON *j)
{
	char *s, *copy;

	if (j == NULL)
		return NULL;
	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		return NULL;
	copy = arena_strdup(a, s);
	cJSON_free(s);
	return copy;
}

static enum err
server_audit(struct db *d, struct arena *a, const char *actor,
    const char *action, const char *target)
{
	const char *v[3] = { actor, action, target };

	return db_q(d, a,
	    "INSERT INTO audit_log (actor, action, target) "
	    "VALUES ($1, $2, $3)",
	    3, v, NULL);
}

static enum err
server_seal(struct arena *a, const struct crypt_keyring *kr, const char *id,
    const char *cred, size_t len, unsigned char **blob, size_t *blen)
{
	const char *aad = server_aad(a, id);

	return crypt_seal(kr, cred, len, aad, strlen(aad), a, blob, blen);
}

/*
 * Ends the transaction of a change: commit after success, else roll back,
 * so a failed request leaves nothing half-written.
 */
static enum err
server_tx_end(struct db *d, enum err e)
{
	if (e == ERR_OK)
		return db_commit(d);
	db_rollback(d);
	return e;
}

/*
 * Returns the outcome of call, run inside one transaction; a deadlock with
 * a concurrent probe or change (ERR_RETRY) runs it again, whole.
 */
#define SERVER_IN_TX(d, call) \
	do { \
		enum err e_; \
		int try_; \
		for (try_ = 1;; try_++) { \
			if ((e_ = db_begin(d)) != ERR_OK) \
				return e_; \
			e_ = server_tx_end((d), (call)); \
			if (e_ != ERR_RETRY || try_ == SERVER_TX_TRIES) \
				return e_; \
		} \
	} while (0)

static enum err
server_register_tx(struct db *d, struct arena *a,
    const struct crypt_keyring *kr, const struct server_in *in, char **doc,
    char **idp)
{
	static const char ins[] =
	    "INSERT INTO servers (id, path, name, description, proxy_pass_url,"
	    " tags, license, is_enabled, auth_scheme, auth_header_name,"
	    " auth_credential_enc, credential_updated_at, manual_tool_list,"
	    " registered_by) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7,"
	    " $8::boolean, $9, $10, $11::bytea, CASE WHEN $11::bytea IS NULL"
	    " THEN NULL ELSE now() END, $12::json, $13)";
	static const char upsert[] =
	    " ON CONFLICT ((lower(path))) DO UPDATE SET path = EXCLUDED.path,"
	    " name = EXCLUDED.name, description = EXCLUDED.description,"
	    " proxy_pass_url = EXCLUDED.proxy_pass_url, tags = EXCLUDED.tags,"
	    " license = EXCLUDED.license, is_enabled = EXCLUDED.is_enabled,"
	    " auth_scheme = EXCLUDED.auth_scheme,"
	    " auth_header_name = EXCLUDED.auth_header_name,"
	    " auth_credential_enc = EXCLUDED.auth_credential_enc,"
	    " credential_updated_at = EXCLUDED.credential_updated_at,"
	    " manual_tool_list = EXCLUDED.manual_tool_list, tool_list = NULL,"
	    " server_info = NULL, protocol_version = NULL,"
	    " registered_by = EXCLUDED.registered_by, updated_at = now()"
	    " WHERE servers.id = EXCLUDED.id";
	PGresult *res;
	const char *v[13];
	int lens[13] = { 0 }, fmts[13] = { 0 };
	unsigned char *blob = NULL;
	size_t blen = 0;
	char *id;
	enum err e;
	int replaced = 0;

	id = server_uuid(a);
	if (in->overwrite) {
		v[0] = in->path;
		if ((e = db_q(d, a,
			 "SELECT id FROM servers WHERE lower(path) = "
			 "lower($1)",
			 1, v, &res)) != ERR_OK)
			return e;
		if (PQntuples(res) == 1) {
			id = PQgetvalue(res, 0, 0);
			replaced = 1;
		}
	}
	if (in->credential != NULL &&
	    (e = server_seal(a, kr, id, in->credential, in->credential_len,
		 &blob, &blen)) != ERR_OK)
		return e;
	v[0] = id;
	v[1] = in->path;
	v[2] = in->name;
	v[3] = in->description;
	v[4] = in->proxy_pass_url;
	if ((v[5] = server_json(a, in->tags)) == NULL)
		return ERR_NOMEM;
	v[6] = in->license;
	v[7] = in->enabled ? "true" : "false";
	v[8] = in->auth_scheme;
	v[9] = in->auth_header_name;
	v[10] = (const char *)blob;
	lens[10] = (int)blen;
	fmts[10] = 1;
	v[11] = in->manual_tools ? server_json(a, in->manual_tools) : NULL;
	if (in->manual_tools != NULL && v[11] == NULL)
		return ERR_NOMEM;
	v[12] = in->registered_by;
	e = db_exec(d, a,
	    in->overwrite ? arena_printf(a, "%s%s RETURNING id", ins, upsert)
			  : arena_printf(a, "%s RETURNING id", ins),
	    13, v, lens, fmts, &res);
	if (e != ERR_OK)
		return e;
	if (PQntuples(res) != 1) /* replaced row vanished meanwhile */
		return ERR_EXISTS;
	if (replaced) {
		v[0] = id;
		if ((e = db_q(d, a,
			 "UPDATE server_health SET status = "
			 "'unknown', detail = NULL, last_checked_at = NULL, "
			 "next_check_at = now(), consecutive_failures = 0, "
			 "last_discovery_at = NULL, last_discovery_ok = NULL, "
			 "last_discovery_error = NULL WHERE server_id = $1",
			 1, v, NULL)) != ERR_OK)
			return e;
	}
	if ((e = server_audit(d, a, in->registered_by,
		 replaced ? "server.replace" : "server.register", in->path)) !=
	    ERR_OK)
		return e;
	if (idp != NULL)
		*idp = id;
	return server_get(d, a, in->path, 1, doc);
}

enum err
server_get(
    struct db *d, struct arena *a, const char *path, int with_tools, char **doc)
{
	static const char sql[] =
	    "SELECT mcpgw_server_doc(s, h, $2::boolean) " SERVER_BY_PATH;
	PGresult *res;
	const char *v[2] = { path, with_tools ? "true" : "false" };
	enum err e;

	if ((e = db_exec_prepared(d, a, sql, 2, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	*doc = PQgetvalue(res, 0, 0);
	return ERR_OK;
}

/* Builds the list reply from the database. */
static enum err
server_list_build(struct db *d, struct arena *a, const char *query, long limit,
    long offset, int with_tools, char **json)
{
	/*
	 * The page comes from the lower(path) index with LIMIT, so documents
	 * are built for its rows only; the total is one uncorrelated count.
	 */
	static const char sql[] =
	    "SELECT mcpgw_server_doc(s, h, $4::boolean),"
	    " (SELECT count(*) FROM servers s WHERE " SERVER_FILTER ")"
	    " FROM servers s JOIN server_health h ON h.server_id = s.id"
	    " WHERE " SERVER_FILTER
	    " ORDER BY lower(s.path) LIMIT $2::bigint OFFSET $3::bigint";
	PGresult *res;
	const char *v[4];
	size_t cap = 128, n = 0, l;
	long long total = 0;
	char *out, *tail;
	int i, rows;
	enum err e;

	v[0] = query;
	v[1] = arena_printf(a, "%ld", limit);
	v[2] = arena_printf(a, "%ld", offset);
	v[3] = with_tools ? "true" : "false";
	if ((e = db_exec_prepared(d, a, sql, 4, v, &res)) != ERR_OK)
		return e;
	rows = PQntuples(res);
	if (rows > 0)
		total = atoll(PQgetvalue(res, 0, 1));
	else if (offset > 0) {
		PGresult *cr;

		if ((e = db_q(d, a,
			 "SELECT count(*) FROM servers s WHERE " SERVER_FILTER,
			 1, v, &cr)) != ERR_OK)
			return e;
		total = atoll(PQgetvalue(cr, 0, 0));
	}
	for (i = 0; i < rows; i++)
		cap += (size_t)PQgetlength(res, i, 0) + 1;
	out = arena_alloc(a, cap);
	memcpy(out, "{\"servers\":[", 12);
	n = 12;
	for (i = 0; i < rows; i++) {
		if (i > 0)
			out[n++] = ',';
		l = (size_t)PQgetlength(res, i, 0);
		memcpy(out + n, PQgetvalue(res, i, 0), l);
		n += l;
	}
	out[n] = '\0';
	tail = arena_printf(a,
	    "],\"total_count\":%lld,\"limit\":%ld,"
	    "\"offset\":%ld,\"has_next\":%s}",
	    total, limit, offset, offset + rows < total ? "true" : "false");
	*json = arena_printf(a, "%s%s", out, tail);
	return ERR_OK;
}

/*
 * Rendered list replies, shared by the process's workers and revalidated
 * on every request against registry_version (bumped by triggers in the
 * same transaction as any change), so a hit is never stale. Small and
 * bounded: LIST_CACHE_SLOTS replies of at most LIST_CACHE_MAX bytes.
 */
#define LIST_CACHE_SLOTS 16
#define LIST_CACHE_MAX (128 * 1024)

static struct list_cache_slot {
	char *key; /* malloc'd; NULL when empty */
	char *json; /* malloc'd */
	long long version;
	unsigned long used; /* tick of the last hit, for eviction */
} list_cache[LIST_CACHE_SLOTS];
static unsigned long list_cache_tick;
static pthread_mutex_t list_cache_mu = PTHREAD_MUTEX_INITIALIZER;

/* A copy of the cached reply for key at version, or NULL. */
static char *
list_cache_get(struct arena *a, const char *key, long long version)
{
	char *hit = NULL;
	int i;

	pthread_mutex_lock(&list_cache_mu);
	for (i = 0; i < LIST_CACHE_SLOTS; i++) {
		struct list_cache_slot *sl = &list_cache[i];

		if (sl->key != NULL && sl->version == version &&
		    strcmp(sl->key, key) == 0) {
			sl->used = ++list_cache_tick;
			hit = arena_strdup(a, sl->json);
			break;
		}
	}
	pthread_mutex_unlock(&list_cache_mu);
	return hit;
}

static void
list_cache_put(const char *key, long long version, const char *json)
{
	struct list_cache_slot *victim = &list_cache[0];
	char *k, *j;
	int i;

	if (strlen(json) > LIST_CACHE_MAX)
		return;
	k = strdup(key);
	j = strdup(json);
	if (k == NULL || j == NULL) {
		free(k);
		free(j);
		return;
	}
	pthread_mutex_lock(&list_cache_mu);
	for (i = 0; i < LIST_CACHE_SLOTS; i++) {
		struct list_cache_slot *sl = &list_cache[i];

		if (sl->key != NULL && strcmp(sl->key, key) == 0) {
			victim = sl;
			break;
		}
		if (sl->used < victim->used)
			victim = sl;
	}
	free(victim->key);
	free(victim->json);
	victim->key = k;
	victim->json = j;
	victim->version = version;
	victim->used = ++list_cache_tick;
	pthread_mutex_unlock(&list_cache_mu);
}

enum err
server_list(struct db *d, struct arena *a, const char *query, long limit,
    long offset, int with_tools, char **json)
{
	static const char vsql[] = "SELECT v FROM registry_version";
	PGresult *res;
	long long version;
	const char *key;
	enum err e;

	/* The version is read first: a reply built after it is at least
	 * that new, so tagging it with this version never hides a change. */
	if ((e = db_exec_prepared(d, a, vsql, 0, NULL, &res)) != ERR_OK)
		return e;
	version = PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, 0)) : -1;
	key = arena_printf(a, "%d\x1f%ld\x1f%ld\x1f%s", with_tools, limit,
	    offset, query != NULL ? query : "\x1e");
	if (version >= 0 && (*json = list_cache_get(a, key, version)) != NULL)
		return ERR_OK;
	if ((e = server_list_build(
		 d, a, query, limit, offset, with_tools, json)) != ERR_OK)
		return e;
	if (version >= 0)
		list_cache_put(key, version, *json);
	return ERR_OK;
}

static enum err
server_patch_tx(struct db *d, struct arena *a, const char *path,
    const struct server_patch *p, const char *actor, char **doc)
{
	static const char sql[] =
	    "WITH old AS (SELECT id, proxy_pass_url, is_enabled FROM servers"
	    " WHERE lower(path) = lower($1) FOR UPDATE),"
	    " upd AS (UPDATE servers s SET name = coalesce($2, s.name),"
	    " description = coalesce($3, s.description),"
	    " proxy_pass_url = coalesce($4, s.proxy_pass_url),"
	    " tags = coalesce($5::jsonb, s.tags),"
	    " license = coalesce($6, s.license),"
	    " is_enabled = coalesce($7::boolean, s.is_enabled),"
	    " manual_tool_list = CASE WHEN $8::boolean THEN $9::json"
	    "  ELSE s.manual_tool_list END, updated_at = now()"
	    " FROM old WHERE s.id = old.id RETURNING s.id, s.path,"
	    " (s.proxy_pass_url <> old.proxy_pass_url"
	    "  OR (s.is_enabled AND NOT old.is_enabled)) AS reprobe)"
	    " SELECT id, path, reprobe FROM upd";
	PGresult *res;
	const char *v[9];
	enum err e;

	v[0] = path;
	v[1] = p->name;
	v[2] = p->description;
	v[3] = p->proxy_pass_url;
	v[4] = p->tags ? server_json(a, p->tags) : NULL;
	v[5] = p->license;
	v[6] = p->set_enabled ? (p->enabled ? "true" : "false") : NULL;
	v[7] = p->set_tools ? "true" : "false";
	v[8] = p->manual_tools ? server_json(a, p->manual_tools) : NULL;
	if ((e = db_q(d, a, sql, 9, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	path = PQgetvalue(res, 0, 1);
	if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		v[0] = PQgetvalue(res, 0, 0);
		if ((e = db_q(d, a,
			 "UPDATE server_health SET next_check_at = "
			 "now() WHERE server_id = $1",
			 1, v, NULL)) != ERR_OK)
			return e;
	}
	if ((e = server_audit(d, a, actor, "server.update", path)) != ERR_OK)
		return e;
	return server_get(d, a, path, 1, doc);
}

static enum err
server_delete_tx(struct db *d, struct arena *a, const char *path,
    const char *actor, const char **canon)
{
	PGresult *res;
	const char *v[1] = { path };
	enum err e;

	if ((e = db_q(d, a,
		 "DELETE FROM servers WHERE lower(path) = "
		 "lower($1) RETURNING path",
		 1, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	*canon = PQgetvalue(res, 0, 0);
	return server_audit(d, a, actor, "server.delete", *canon);
}

static enum err
server_toggle_tx(struct db *d, struct arena *a, const char *path, int enabled,
    const char *actor, struct server_state *out)
{
	PGresult *res;
	const char *v[2] = { path, enabled ? "true" : "false" };
	enum err e;

	if ((e = db_q(d, a,
		 "WITH u AS (UPDATE servers SET is_enabled = "
		 "$2::boolean, updated_at = now() WHERE lower(path) = "
		 "lower($1) "
		 "RETURNING id, path, is_enabled, mcpgw_num_tools(servers) AS "
		 "n), "
		 "h AS (UPDATE server_health SET next_check_at = now() WHERE "
		 "server_id IN (SELECT id FROM u WHERE is_enabled) RETURNING "
		 "1) "
		 "SELECT u.path, CASE WHEN u.is_enabled THEN sh.status ELSE "
		 "'disabled' END, mcpgw_iso(sh.last_checked_at), u.n FROM u "
		 "JOIN "
		 "server_health sh ON sh.server_id = u.id",
		 2, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	out->path = PQgetvalue(res, 0, 0);
	out->status = PQgetvalue(res, 0, 1);
	out->last_checked_iso = db_val(res, 0, 2);
	out->num_tools = atol(PQgetvalue(res, 0, 3));
	out->enabled = enabled;
	return server_audit(d, a, actor,
	    enabled ? "server.enable" : "server.disable", out->path);
}

static enum err
server_set_auth_tx(struct db *d, struct arena *a,
    const struct crypt_keyring *kr, const char *path, const char *scheme,
    const char *header, const char *cred, size_t cred_len, const char *actor,
    struct server_auth_out *out)
{
	PGresult *res;
	const char *v[4];
	int lens[4] = { 0 }, fmts[4] = { 0 };
	unsigned char *blob = NULL;
	size_t blen = 0;
	const char *id;
	enum err e;

	v[0] = path;
	if ((e = db_q(d, a,
		 "SELECT id FROM servers WHERE lower(path) = "
		 "lower($1)",
		 1, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	id = PQgetvalue(res, 0, 0);
	if (cred != NULL &&
	    (e = server_seal(a, kr, id, cred, cred_len, &blob, &blen)) !=
		ERR_OK)
		return e;
	v[0] = id;
	v[1] = scheme;
	v[2] = header;
	v[3] = (const char *)blob;
	lens[3] = (int)blen;
	fmts[3] = 1;
	if ((e = db_exec(d, a,
		 "WITH u AS (UPDATE servers SET auth_scheme = $2,"
		 " auth_header_name = $3, auth_credential_enc = $4::bytea,"
		 " credential_updated_at = CASE WHEN $4::bytea IS NULL THEN "
		 "NULL"
		 " ELSE now() END, updated_at = now() WHERE id = $1::uuid"
		 " RETURNING id, path, auth_scheme, auth_header_name,"
		 " credential_updated_at), h AS (UPDATE server_health SET"
		 " next_check_at = now() WHERE server_id IN (SELECT id FROM u)"
		 " RETURNING 1) SELECT path, auth_scheme, auth_header_name,"
		 " mcpgw_iso(credential_updated_at) FROM u",
		 4, v, lens, fmts, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	out->path = PQgetvalue(res, 0, 0);
	out->auth_scheme = PQgetvalue(res, 0, 1);
	out->auth_header_name = db_val(res, 0, 2);
	out->credential_updated_at = db_val(res, 0, 3);
	return server_audit(d, a, actor, "server.credential", out->path);
}

enum err
server_health_map(struct db *d, struct arena *a, char **json)
{
	PGresult *res;
	enum err e;

	if ((e = db_q(d, a,
		 "SELECT coalesce(json_object_agg(s.path, "
		 "json_build_object('status', CASE WHEN NOT s.is_enabled THEN "
		 "'disabled' ELSE h.status END, 'last_checked_iso', "
		 "mcpgw_iso(h.last_checked_at), 'num_tools', "
		 "mcpgw_num_tools(s)) ORDER BY lower(s.path)), '{}') FROM "
		 "servers s JOIN server_health "
		 "h ON h.server_id = s.id",
		 0, NULL, &res)) != ERR_OK)
		return e;
	*json = PQgetvalue(res, 0, 0);
	return ERR_OK;
}

enum err
server_tools(struct db *d, struct arena *a, const char *path, char **json)
{
	PGresult *res;
	const char *v[1] = { path };
	enum err e;

	if ((e = db_q(d, a,
		 "SELECT json_build_object('path', s.path, "
		 "'tools', coalesce(s.tool_list, s.manual_tool_list, '[]'), "
		 "'tools_source', CASE WHEN s.tool_list IS NOT NULL THEN "
		 "'discovered' WHEN s.manual_tool_list IS NOT NULL THEN "
		 "'manual' "
		 "ELSE 'none' END, 'last_discovery', json_build_object('at', "
		 "mcpgw_iso(h.last_discovery_at), 'ok', h.last_discovery_ok, "
		 "'error', h.last_discovery_error)) " SERVER_BY_PATH,
		 1, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	*json = PQgetvalue(res, 0, 0);
	return ERR_OK;
}

/* Re-seals one credential under the current key unless it changed. */
static enum err
server_reseal_one(struct db *d, struct arena *a, const struct crypt_keyring *kr,
    const char *id, const struct crypt_secret *sec, const unsigned char *old,
    size_t olen)
{
	const char *v[3];
	int lens[3] = { 0 }, fmts[3] = { 0, 1, 1 };
	unsigned char *blob;
	size_t blen;
	enum err e;

	if ((e = server_seal(a, kr, id, sec->data, sec->len, &blob, &blen)) !=
	    ERR_OK)
		return e;
	v[0] = id;
	v[1] = (const char *)blob;
	lens[1] = (int)blen;
	v[2] = (const char *)old;
	lens[2] = (int)olen;
	return db_exec(d, a,
	    "UPDATE servers SET auth_credential_enc = "
	    "$2::bytea WHERE id = $1::uuid AND auth_credential_enc = $3::bytea",
	    3, v, lens, fmts, NULL);
}

enum err
server_rekey(struct db *d, struct arena *a, const struct crypt_keyring *kr,
    int reseal, int *ok, int *bad)
{
	struct crypt_secret *sec;
	PGresult *res;
	unsigned char *blob;
	const char *id, *aad;
	size_t blen;
	enum err e;
	int i;

	*ok = *bad = 0;
	if ((e = db_q(d, a,
		 "SELECT id, path, auth_credential_enc FROM servers "
		 "WHERE auth_credential_enc IS NOT NULL ORDER BY lower(path)",
		 0, NULL, &res)) != ERR_OK)
		return e;
	for (i = 0; i < PQntuples(res); i++) {
		id = PQgetvalue(res, i, 0);
		blob = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, i, 2), &blen);
		if (blob == NULL)
			return ERR_NOMEM;
		aad = server_aad(a, id);
		e = crypt_open(kr, blob, blen, aad, strlen(aad), &sec);
		if (e == ERR_OK) {
			(*ok)++;
			if (reseal)
				e = server_reseal_one(
				    d, a, kr, id, sec, blob, blen);
			crypt_secret_free(sec);
		} else if (e == ERR_CRYPTO) {
			(*bad)++;
			log_error("credential of %s does not open with the "
				  "configured keys",
			    PQgetvalue(res, i, 1));
			e = ERR_OK;
		}
		PQfreemem(blob);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
server_register(struct db *d, struct arena *a, const struct crypt_keyring *kr,
    const struct server_in *in, char **doc, char **idp)
{
	SERVER_IN_TX(d, server_register_tx(d, a, kr, in, doc, idp));
}

enum err
server_patch(struct db *d, struct arena *a, const char *path,
    const struct server_patch *p, const char *actor, char **doc)
{
	SERVER_IN_TX(d, server_patch_tx(d, a, path, p, actor, doc));
}

enum err
server_delete(struct db *d, struct arena *a, const char *path,
    const char *actor, const char **canon)
{
	SERVER_IN_TX(d, server_delete_tx(d, a, path, actor, canon));
}

enum err
server_toggle(struct db *d, struct arena *a, const char *path, int enabled,
    const char *actor, struct server_state *out)
{
	SERVER_IN_TX(d, server_toggle_tx(d, a, path, enabled, actor, out));
}

enum err
server_set_auth(struct db *d, struct arena *a, const struct crypt_keyring *kr,
    const char *path, const char *scheme, const char *header, const char *cred,
    size_t cred_len, const char *actor, struct server_auth_out *out)
{
	SERVER_IN_TX(d,
	    server_set_auth_tx(
		d, a, kr, path, scheme, header, cred, cred_len, actor, out));
}
