/* Users, password checks, login throttling and sessions. */
#ifndef MCPGW_USER_H
#define MCPGW_USER_H

#include "arena.h"
#include "db.h"
#include "err.h"

struct principal;

#define USER_THROTTLE_WINDOW "15 minutes"
#define USER_THROTTLE_PER_USER 10
#define USER_THROTTLE_PER_ADDR 50

/* ERR_INVAL for a bad name or role, ERR_EXISTS when taken. */
enum err user_add(struct db *d, struct arena *a, const char *name,
    const char *password, const char *role) MUST_CHECK;
/* ERR_NOTFOUND for an unknown user; ends the user's sessions. */
enum err user_passwd(struct db *d, struct arena *a, const char *name,
    const char *password) MUST_CHECK;
/* Rows: username, role, created_at (ISO). Result owned by the arena. */
enum err user_list(struct db *d, struct arena *a, PGresult **out) MUST_CHECK;
/* Role of a user; ERR_NOTFOUND if none. */
enum err user_role(struct db *d, struct arena *a, const char *name,
    const char **role) MUST_CHECK;

struct user_login {
	const char *session_id; /* the cookie value; arena */
	const char *username; /* canonical spelling; arena */
	const char *role;
	long long expires_at; /* unix time */
};

/*
 * Checks a password and opens a session of session_hours. Unknown user and
 * wrong password both give ERR_AUTH after the same work; too many recent
 * failures for the name or the address give ERR_RATE before any check.
 */
enum err user_login(struct db *d, struct arena *a, const char *name,
    const char *password, const char *remote_addr, long session_hours,
    struct user_login *out) MUST_CHECK;

/* Deletes the session with this cookie value (no error if none). */
enum err
user_logout(struct db *d, struct arena *a, const char *session_id) MUST_CHECK;

/* Resolves a cookie value to a principal; ERR_AUTH if unknown/expired. */
enum err user_session_lookup(struct db *d, struct arena *a,
    const char *session_id, struct principal *p) MUST_CHECK;

#endif
