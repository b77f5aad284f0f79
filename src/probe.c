/* Health checks and tool discovery against the database: leases, results. */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "conf.h"
#include "crypt.h"
#include "log.h"
#include "mcp.h"
#include "probe.h"

/* Rows claimed per query while filling free probe slots. */
#define PROBE_CLAIM_BATCH 64

/* Columns every claim returns, in this order. */
#define PROBE_COLS \
	"s.id, s.path, s.proxy_pass_url, s.auth_scheme, s.auth_header_name," \
	" s.auth_credential_enc, mcpgw_num_tools(s)"

struct probe_job {
	struct probe_run *run;
	char *id, *path, *url, *header;
	long stored_tools;
	struct crypt_secret *value; /* injected header value, or NULL */
	struct mcp_target t;
};

struct probe_run {
	struct db *d;
	const struct conf *c;
	const struct crypt_keyring *kr;
	const struct probe_opts *o;
	struct probe_stats *st;
	struct mcp_multi *m;
	struct arena a; /* claim results; reset after each claim */
	int refilling; /* probe_refill() is on the stack */
	int inflight;
	int exhausted;
	enum err dberr;
};

static void
probe_job_free(struct probe_job *j)
{
	if (j == NULL)
		return;
	crypt_secret_free(j->value);
	free(j->id);
	free(j->path);
	free(j->url);
	free(j->header);
	free(j);
}

static const char *
probe_status_name(int status)
{
	switch (status) {
	case MCP_HEALTHY: return "healthy";
	case MCP_AUTH_FAILED: return "auth_failed";
	default: return "unhealthy";
	}
}

static char *
probe_print(const cJSON *j)
{
	return j != NULL ? cJSON_PrintUnformatted(j) : NULL;
}

/* Writes one result; the lease is released and the next check set. */
static enum err
probe_store(
    struct probe_run *run, struct probe_job *j, const struct mcp_result *r)
{
	static const char sql[] =
	    "WITH h AS (UPDATE server_health SET status = $2, detail = $3,"
	    " last_checked_at = now(), latency_ms = $4::int,"
	    " consecutive_failures = CASE WHEN $2 = 'healthy' THEN 0"
	    "  ELSE consecutive_failures + 1 END,"
	    " next_check_at = now() + make_interval(secs => CASE WHEN"
	    "  $2 = 'healthy' THEN $5::int ELSE least($5::int *"
	    "  power(2, least(consecutive_failures, 4)),"
	    "  greatest($5::int, 3600)) END),"
	    " lease_owner = NULL, lease_expires_at = NULL,"
	    " last_discovery_at = now(), last_discovery_ok = $6::boolean,"
	    " last_discovery_error = CASE WHEN $6::boolean THEN NULL"
	    "  ELSE $3 END"
	    " WHERE server_id = $1::uuid RETURNING 1),"
	    " s AS (UPDATE servers SET"
	    " tool_list = CASE WHEN $6::boolean THEN $7::json"
	    "  ELSE tool_list END,"
	    " server_info = coalesce($8::json, server_info),"
	    " protocol_version = coalesce($9, protocol_version)"
	    " WHERE id = $1::uuid AND ($6::boolean OR $8::json IS NOT NULL)"
	    " RETURNING 1)"
	    " SELECT (SELECT count(*) FROM h), (SELECT count(*) FROM s)";
	const char *v[9];
	char *tools = NULL, *info = NULL;
	struct arena a;
	enum err e;
	int i;

	arena_init(&a);
	tools = r->tools_ok ? probe_print(r->tools) : NULL;
	info = probe_print(r->server_info);
	v[0] = j->id;
	v[1] = probe_status_name(r->status);
	v[2] = r->detail;
	v[3] = arena_printf(&a, "%ld", r->latency_ms);
	v[4] = arena_printf(&a, "%ld", run->c->probe_interval);
	v[5] = r->tools_ok ? "true" : "false";
	v[6] = tools != NULL ? tools : (r->tools_ok ? "[]" : NULL);
	v[7] = info;
	v[8] = r->protocol_version;
	/* A deadlock with a concurrent change of the same server is retried. */
	for (i = 0; i < 3; i++)
		if ((e = db_q(run->d, &a, sql, 9, v, NULL)) != ERR_RETRY)
			break;
	arena_free(&a);
	cJSON_free(tools);
	cJSON_free(info);
	return e;
}

static void
probe_report(
    struct probe_run *run, struct probe_job *j, const struct mcp_result *r)
{
	cJSON *o;
	char *s;
	long n = j->stored_tools;

	if (r->status == MCP_HEALTHY)
		run->st->healthy++;
	else
		run->st->failed++;
	run->st->probed++;
	if (r->tools_ok && cJSON_IsArray(r->tools))
		n = cJSON_GetArraySize(r->tools);
	log_msg(r->status == MCP_HEALTHY && r->detail == NULL ? LOG_LVL_DEBUG
							      : LOG_LVL_INFO,
	    "probe %s: %s%s%s (%ld ms)", j->path, probe_status_name(r->status),
	    r->detail ? ": " : "", r->detail ? r->detail : "", r->latency_ms);
	if (run->o->json_out == NULL || (o = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddStringToObject(o, "path", j->path);
	cJSON_AddStringToObject(o, "status", probe_status_name(r->status));
	if (r->detail != NULL)
		cJSON_AddStringToObject(o, "detail", r->detail);
	else
		cJSON_AddNullToObject(o, "detail");
	cJSON_AddNumberToObject(o, "num_tools", (double)n);
	cJSON_AddNumberToObject(o, "latency_ms", (double)r->latency_ms);
	if ((s = cJSON_PrintUnformatted(o)) != NULL) {
		fprintf(run->o->json_out, "%s\n", s);
		fflush(run->o->json_out);
		cJSON_free(s);
	}
	cJSON_Delete(o);
}

static void probe_refill(struct probe_run *run);

/* Reports and stores one result, then frees the job. */
static void
probe_finish(struct probe_run *run, struct probe_job *j, struct mcp_result *r)
{
	enum err e;

	/* The credential is not needed any more: wipe it first. */
	crypt_secret_free(j->value);
	j->value = NULL;
	probe_report(run, j, r);
	if ((e = probe_store(run, j, r)) != ERR_OK && run->dberr == ERR_OK)
		run->dberr = e;
	mcp_result_free(r);
	probe_job_free(j);
}

static void
probe_done(void *user, struct mcp_result *r)
{
	struct probe_job *j = user;
	struct probe_run *run = j->run;

	probe_finish(run, j, r);
	run->inflight--;
	probe_refill(run);
}

/* Result for a server that could not even be probed. */
static void
probe_fail_early(struct probe_run *run, struct probe_job *j, const char *detail)
{
	struct mcp_result r;

	memset(&r, 0, sizeof(r));
	r.status = MCP_UNHEALTHY;
	r.detail = strdup(detail);
	run->st->skipped++;
	probe_finish(run, j, &r);
}

/* Builds the job of one claimed row and starts its probe. */
static void
probe_start(struct probe_run *run, PGresult *res, int i)
{
	struct crypt_secret *sec = NULL;
	struct probe_job *j;
	unsigned char *blob;
	const char *scheme, *aad;
	size_t blen;
	enum err e;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		abort();
	j->run = run;
	j->id = strdup(PQgetvalue(res, i, 0));
	j->path = strdup(PQgetvalue(res, i, 1));
	j->url = strdup(PQgetvalue(res, i, 2));
	j->stored_tools = atol(PQgetvalue(res, i, 6));
	if (j->id == NULL || j->path == NULL || j->url == NULL)
		abort();
	scheme = PQgetvalue(res, i, 3);
	if (strcmp(scheme, "none") != 0 && !PQgetisnull(res, i, 5)) {
		if ((j->header = strdup(PQgetvalue(res, i, 4))) == NULL)
			abort();
		blob = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, i, 5), &blen);
		if (blob == NULL)
			abort();
		aad = arena_printf(
		    &run->a, "servers/%s/auth_credential_enc", j->id);
		e = crypt_open(run->kr, blob, blen, aad, strlen(aad), &sec);
		PQfreemem(blob);
		if (e == ERR_OK && strcmp(scheme, "bearer") == 0) {
			e = crypt_secret_concat("Bearer ", sec, &j->value);
			crypt_secret_free(sec);
		} else if (e == ERR_OK)
			j->value = sec;
		if (e != ERR_OK) {
			log_error("probe %s: the stored credential does not "
				  "open with the configured keys",
			    j->path);
			probe_fail_early(run, j,
			    "Failed to fetch tools: the stored credential "
			    "cannot be decrypted with the configured secret "
			    "keys; set it again with PATCH "
			    "/api/servers/{path}/auth-credential");
			return;
		}
	}
	j->t.url = j->url;
	j->t.path = j->path;
	j->t.auth_name = j->value != NULL ? j->header : NULL;
	j->t.auth_value = j->value != NULL ? j->value->data : NULL;
	j->t.timeout_ms = run->c->probe_timeout * 1000;
	j->t.connect_timeout_ms = run->c->proxy_connect_timeout * 1000;
	j->t.deny_private = (int)run->c->ssrf_deny_private;
	if (mcp_multi_add(run->m, &j->t, probe_done, j) != ERR_OK) {
		probe_fail_early(run, j,
		    "Failed to fetch tools: the probe "
		    "could not be started (out of resources)");
		return;
	}
	run->inflight++;
}

static enum err
probe_claim(struct probe_run *run, int n, PGresult **res)
{
	const char *v[4];

	v[0] = run->o->owner;
	v[1] = arena_printf(&run->a, "%d", n);
	/* A lease outlives the probe's own time bound by a margin. */
	v[2] = arena_printf(&run->a, "%ld", run->c->probe_timeout + 60);
	if (run->o->only_path != NULL) {
		v[3] = run->o->only_path;
		return db_q(run->d, &run->a,
		    "UPDATE server_health h SET lease_owner = $1,"
		    " lease_expires_at = now() + make_interval(secs =>"
		    " $3::int) FROM servers s WHERE s.id = h.server_id"
		    " AND lower(s.path) = lower($4) AND $2::int > 0"
		    " RETURNING " PROBE_COLS,
		    4, v, res);
	}
	return db_q(run->d, &run->a,
	    "WITH c AS (SELECT h.server_id FROM server_health h"
	    " JOIN servers s ON s.id = h.server_id"
	    " WHERE s.is_enabled AND h.next_check_at <= now()"
	    " AND (h.lease_expires_at IS NULL OR h.lease_expires_at < now())"
	    " ORDER BY h.next_check_at LIMIT $2::int"
	    " FOR UPDATE OF h SKIP LOCKED)"
	    " UPDATE server_health h SET lease_owner = $1,"
	    " lease_expires_at = now() + make_interval(secs => $3::int)"
	    " FROM c, servers s WHERE h.server_id = c.server_id"
	    " AND s.id = h.server_id RETURNING " PROBE_COLS,
	    3, v, res);
}

static void
probe_refill(struct probe_run *run)
{
	PGresult *res;
	int want, got, i;
	enum err e;

	/* A probe that ends at once may call back in here: the outer loop
	 * then carries on, so the claimed rows stay valid. */
	if (run->refilling)
		return;
	run->refilling = 1;
	while (!run->exhausted && run->dberr == ERR_OK &&
	    run->inflight < run->c->probe_concurrency) {
		want = (int)run->c->probe_concurrency - run->inflight;
		if (want > PROBE_CLAIM_BATCH)
			want = PROBE_CLAIM_BATCH;
		if ((e = probe_claim(run, want, &res)) != ERR_OK) {
			run->dberr = e;
			break;
		}
		got = PQntuples(res);
		/* One claim suffices for a single server. */
		if (got < want || run->o->only_path != NULL)
			run->exhausted = 1;
		for (i = 0; i < got; i++)
			probe_start(run, res, i);
		arena_reset(&run->a);
	}
	run->refilling = 0;
}

enum err
probe_pass(struct db *d, const struct conf *c, const struct crypt_keyring *kr,
    const struct probe_opts *o, struct probe_stats *st)
{
	struct probe_run run;
	enum err e;

	memset(&run, 0, sizeof(run));
	memset(st, 0, sizeof(*st));
	run.d = d;
	run.c = c;
	run.kr = kr;
	run.o = o;
	run.st = st;
	arena_init(&run.a);
	if ((run.m = mcp_multi_new((int)c->probe_concurrency)) == NULL) {
		arena_free(&run.a);
		return ERR_NOMEM;
	}
	probe_refill(&run);
	e = mcp_multi_run(run.m);
	mcp_multi_free(run.m);
	arena_free(&run.a);
	if (run.dberr != ERR_OK)
		return run.dberr;
	return e;
}

enum err
probe_now(struct db *d, const struct conf *c, const struct crypt_keyring *kr,
    const char *path, const char *owner)
{
	struct probe_opts o;
	struct probe_stats st;
	enum err e;

	memset(&o, 0, sizeof(o));
	o.only_path = path;
	o.owner = owner;
	if ((e = probe_pass(d, c, kr, &o, &st)) != ERR_OK)
		return e;
	return st.probed > 0 ? ERR_OK : ERR_NOTFOUND;
}
