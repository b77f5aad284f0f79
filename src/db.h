/* PostgreSQL access: one connection per worker, PQexecParams only. */
#ifndef MCPGW_DB_H
#define MCPGW_DB_H

#include <libpq-fe.h>

#include "arena.h"
#include "err.h"

#define DB_PREPARED_MAX 32

struct db {
	PGconn *conn;
	char *url; /* owned copy of the conninfo */
	/* Statements prepared on conn, by the address of their static text. */
	const char *prepared[DB_PREPARED_MAX];
	int nprepared;
	int in_tx; /* inside db_begin(): never reconnect silently */
};

/*
 * Connects; on failure the struct is still usable and db_exec() retries
 * the connection, so a worker can start while PostgreSQL is down.
 */
enum err db_open(struct db *d, const char *url) MUST_CHECK;
void db_close(struct db *d);

/*
 * Runs one parameterised statement (text parameters; NULL vals[i] is SQL
 * NULL; lens/fmts may be NULL for all-text). A broken connection is reset
 * once before sending. SQLSTATE 23505 maps to ERR_EXISTS, a connection
 * failure to ERR_DBDOWN, anything else to ERR_DB; each is logged here
 * (never the parameters). On success *out, if out is not NULL, holds the
 * result, registered with the arena so it is cleared at arena reset.
 */
enum err db_exec(struct db *d, struct arena *a, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts,
    PGresult **out) MUST_CHECK;

/*
 * The same for a hot statement whose text is a string constant: it is
 * prepared once per connection (PQprepare, keyed by the text's address)
 * and then run with PQexecPrepared, saving the planning on every call.
 */
enum err db_exec_prepared(struct db *d, struct arena *a, const char *sql, int n,
    const char *const *vals, PGresult **out) MUST_CHECK;

/* Convenience: text parameters only. */
#define db_q(d, a, sql, n, vals, out) \
	db_exec((d), (a), (sql), (n), (vals), NULL, NULL, (out))

/*
 * A transaction over several statements with no network I/O between them.
 * While one is open a lost connection is ERR_DBDOWN, never a silent
 * reconnect (which would run the rest outside the transaction).
 * db_rollback() is safe to call in any state.
 */
enum err db_begin(struct db *d) MUST_CHECK;
enum err db_commit(struct db *d) MUST_CHECK;
void db_rollback(struct db *d);

/* Runs a script of several statements (migrations only). */
enum err db_script(struct db *d, const char *sql) MUST_CHECK;

/* Value of row r column c as a string, NULL when SQL NULL. */
const char *db_val(PGresult *res, int r, int c);

#endif
