/* Users, password checks, login throttling and sessions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "b64.h"
#include "crypt.h"
#include "log.h"
#include "user.h"

#define USER_SESSION_BYTES 32

static int
user_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') ||
			(i > 0 &&
			    (ch == '.' || ch == '_' || ch == '@' ||
				ch == '-'))))
			return 0;
	}
	return 1;
}

enum err
user_add(struct db *d, struct arena *a, const char *name, const char *password,
    const char *role)
{
	const char *v[3];
	char *hash;
	enum err e;

	if (!user_name_ok(name) || auth_role_scopes(role) == NULL ||
	    password == NULL || *password == '\0')
		return ERR_INVAL;
	if ((e = crypt_password_hash(a, password, &hash)) != ERR_OK)
		return e;
	v[0] = name;
	v[1] = hash;
	v[2] = role;
	return db_q(d, a,
	    "INSERT INTO users (username, password_hash, role) "
	    "VALUES ($1, $2, $3)",
	    3, v, NULL);
}

enum err
user_passwd(
    struct db *d, struct arena *a, const char *name, const char *password)
{
	PGresult *res;
	const char *v[2];
	char *hash;
	enum err e;

	if (password == NULL || *password == '\0')
		return ERR_INVAL;
	if ((e = crypt_password_hash(a, password, &hash)) != ERR_OK)
		return e;
	v[0] = name;
	v[1] = hash;
	if ((e = db_q(d, a,
		 "WITH u AS (UPDATE users SET password_hash = $2, "
		 "updated_at = now() WHERE lower(username) = lower($1) "
		 "RETURNING id) DELETE FROM sessions WHERE user_id IN "
		 "(SELECT id FROM u) RETURNING 1",
		 2, v, &res)) != ERR_OK)
		return e;
	if ((e = db_q(d, a,
		 "SELECT 1 FROM users WHERE lower(username) = "
		 "lower($1)",
		 1, v, &res)) != ERR_OK)
		return e;
	return PQntuples(res) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
user_list(struct db *d, struct arena *a, PGresult **out)
{
	return db_q(d, a,
	    "SELECT username, role, mcpgw_iso(created_at) "
	    "FROM users ORDER BY lower(username)",
	    0, NULL, out);
}

enum err
user_role(struct db *d, struct arena *a, const char *name, const char **role)
{
	PGresult *res;
	const char *v[1] = { name };
	enum err e;

	if ((e = db_q(d, a,
		 "SELECT role FROM users WHERE lower(username) = "
		 "lower($1)",
		 1, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	*role = PQgetvalue(res, 0, 0);
	return ERR_OK;
}

static enum err
user_throttled(
    struct db *d, struct arena *a, const char *name, const char *addr)
{
	PGresult *res;
	const char *v[2] = { name, addr };
	enum err e;

	if ((e = db_q(d, a,
		 "SELECT "
		 "(SELECT count(*) FROM login_failures WHERE lower(username) = "
		 "lower($1) AND at > now() - interval '" USER_THROTTLE_WINDOW
		 "'),"
		 "(SELECT count(*) FROM login_failures WHERE remote_addr = $2 "
		 "AND at > now() - interval '" USER_THROTTLE_WINDOW "')",
		 2, v, &res)) != ERR_OK)
		return e;
	if (atol(PQgetvalue(res, 0, 0)) >= USER_THROTTLE_PER_USER ||
	    atol(PQgetvalue(res, 0, 1)) >= USER_THROTTLE_PER_ADDR)
		return ERR_RATE;
	return ERR_OK;
}

static void
user_session_hash(const char *sid, char hex[65])
{
	unsigned char h[32];
	int i;

	crypt_sha256(sid, strlen(sid), h);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

enum err
user_login(struct db *d, struct arena *a, const char *name,
    const char *password, const char *remote_addr, long session_hours,
    struct user_login *out)
{
	PGresult *res;
	const char *v[4];
	char hex[65], hours[24];
	enum err e;

	if ((e = user_throttled(d, a, name, remote_addr)) != ERR_OK)
		return e;
	v[0] = name;
	if ((e = db_q(d, a,
		 "SELECT id, username, password_hash, role FROM "
		 "users WHERE lower(username) = lower($1)",
		 1, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1) {
		crypt_password_dummy(password);
		e = ERR_AUTH;
	} else
		e = crypt_password_verify(password, PQgetvalue(res, 0, 2));
	if (e != ERR_OK) {
		v[0] = name;
		v[1] = remote_addr;
		if (db_q(d, a,
			"INSERT INTO login_failures (username, "
			"remote_addr) VALUES ($1, $2)",
			2, v, NULL) != ERR_OK)
			log_warn("login: could not record a failure");
		log_info("login failed for a user from %s", remote_addr);
		return ERR_AUTH;
	}
	out->username = PQgetvalue(res, 0, 1);
	out->role = PQgetvalue(res, 0, 3);
	out->session_id = crypt_random_token(a, USER_SESSION_BYTES);
	user_session_hash(out->session_id, hex);
	snprintf(hours, sizeof(hours), "%ld", session_hours);
	v[0] = arena_printf(a, "\\x%s", hex);
	v[1] = PQgetvalue(res, 0, 0);
	v[2] = hours;
	v[3] = remote_addr;
	if ((e = db_q(d, a,
		 "INSERT INTO sessions (id_hash, user_id, "
		 "expires_at, remote_addr) VALUES ($1, $2, now() + "
		 "make_interval("
		 "hours => $3::int), $4) RETURNING extract(epoch FROM "
		 "expires_at)"
		 "::bigint",
		 4, v, &res)) != ERR_OK)
		return e;
	out->expires_at = atoll(PQgetvalue(res, 0, 0));
	/* Opportunistic cleanup keeps both tables small. */
	if (db_q(d, a,
		"WITH s AS (DELETE FROM sessions WHERE expires_at < "
		"now()) DELETE FROM login_failures WHERE at < now() - interval "
		"'1 "
		"day'",
		0, NULL, NULL) != ERR_OK)
		log_warn("login: cleanup failed");
	return ERR_OK;
}

enum err
user_logout(struct db *d, struct arena *a, const char *session_id)
{
	const char *v[1];
	char hex[65];

	user_session_hash(session_id, hex);
	v[0] = arena_printf(a, "\\x%s", hex);
	return db_q(
	    d, a, "DELETE FROM sessions WHERE id_hash = $1", 1, v, NULL);
}

enum err
user_session_lookup(
    struct db *d, struct arena *a, const char *session_id, struct principal *p)
{
	PGresult *res;
	const char *v[1];
	char hex[65];
	enum err e;

	if (*session_id == '\0' || strlen(session_id) > 128)
		return ERR_AUTH;
	user_session_hash(session_id, hex);
	v[0] = arena_printf(a, "\\x%s", hex);
	if ((e = db_exec_prepared(d, a,
		 "SELECT u.username, u.role FROM sessions s JOIN "
		 "users u ON u.id = s.user_id WHERE s.id_hash = $1 AND "
		 "s.expires_at > now()",
		 1, v, &res)) != ERR_OK)
		return e;
	if (PQntuples(res) != 1)
		return ERR_AUTH;
	p->user = PQgetvalue(res, 0, 0);
	p->scopes = auth_role_scopes(PQgetvalue(res, 0, 1));
	p->via_session = 1;
	return p->scopes != NULL ? ERR_OK : ERR_AUTH;
}
