/* PostgreSQL access: one connection per worker, PQexecParams only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static enum err
db_connect(struct db *d)
{
	if (d->conn != NULL) {
		PQfinish(d->conn);
		d->conn = NULL;
	}
	d->nprepared = 0;
	d->in_tx = 0;
	d->conn = PQconnectdb(d->url);
	if (d->conn == NULL)
		return ERR_NOMEM;
	if (PQstatus(d->conn) != CONNECTION_OK) {
		/* libpq's message names host and port, never a password. */
		log_error(
		    "database: connect failed: %s", PQerrorMessage(d->conn));
		return ERR_DBDOWN;
	}
	PQsetNoticeProcessor(d->conn, db_notice, NULL);
	return ERR_OK;
}

enum err
db_open(struct db *d, const char *url)
{
	d->conn = NULL;
	if ((d->url = strdup(url)) == NULL)
		return ERR_NOMEM;
	return db_connect(d);
}

void
db_close(struct db *d)
{
	if (d->conn != NULL)
		PQfinish(d->conn);
	d->conn = NULL;
	free(d->url);
	d->url = NULL;
}

static void
db_clear(void *p)
{
	PQclear(p);
}

static enum err
db_ready(struct db *d)
{
	if (d->conn != NULL && PQstatus(d->conn) == CONNECTION_OK)
		return ERR_OK;
	if (d->in_tx)
		return ERR_DBDOWN;
	return db_connect(d);
}

/*
 * Sends one statement, prepared (see db_exec_prepared) or not. NULL when
 * libpq could not even send it.
 */
static PGresult *
db_send(struct db *d, const char *sql, int n, const char *const *vals,
    const int *lens, const int *fmts, int prepare)
{
	char name[16];
	PGresult *res;
	int i;

	if (!prepare)
		return PQexecParams(d->conn, sql, n, NULL, vals, lens, fmts, 0);
	for (i = 0; i < d->nprepared && d->prepared[i] != sql; i++)
		;
	if (i == DB_PREPARED_MAX)
		return PQexecParams(d->conn, sql, n, NULL, vals, lens, fmts, 0);
	snprintf(name, sizeof(name), "mcpgw_%d", i);
	if (i == d->nprepared) {
		res = PQprepare(d->conn, name, sql, n, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		d->prepared[d->nprepared++] = sql;
	}
	return PQexecPrepared(d->conn, name, n, vals, lens, fmts, 0);
}

static enum err
db_run(struct db *d, struct arena *a, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts, int prepare,
    PGresult **out)
{
	PGresult *res;
	const char *state;
	enum err e;
	ExecStatusType st;

	if (out != NULL)
		*out = NULL;
	if ((e = db_ready(d)) != ERR_OK)
		return e;
	res = db_send(d, sql, n, vals, lens, fmts, prepare);
	if ((res == NULL || PQresultStatus(res) == PGRES_FATAL_ERROR) &&
	    PQstatus(d->conn) != CONNECTION_OK && !d->in_tx) {
		/* The server closed the connection while it sat idle (e.g. a
		 * restart): reconnect once and send again. */
		PQclear(res);
		if ((e = db_connect(d)) != ERR_OK)
			return e;
		res = db_send(d, sql, n, vals, lens, fmts, prepare);
	}
	if (res == NULL) {
		log_error("database: %s", PQerrorMessage(d->conn));
		return PQstatus(d->conn) != CONNECTION_OK ? ERR_DBDOWN
							  : ERR_NOMEM;
	}
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (out != NULL) {
			arena_defer(a, db_clear, res);
			*out = res;
		} else
			PQclear(res);
		return ERR_OK;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "23505") == 0)
		e = ERR_EXISTS;
	else if (state != NULL &&
	    (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0))
		e = ERR_RETRY;
	else if (PQstatus(d->conn) != CONNECTION_OK ||
	    (state != NULL &&
		(strncmp(state, "08", 2) == 0 ||
		    strncmp(state, "57P", 3) == 0)))
		e = ERR_DBDOWN;
	else
		e = ERR_DB;
	if (e == ERR_RETRY)
		log_warn("database: %s; retrying",
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			: "conflict");
	else if (e != ERR_EXISTS)
		log_error("database: %s (SQLSTATE %s)",
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			: "error",
		    state ? state : "none");
	PQclear(res);
	if (e == ERR_DBDOWN && d->conn != NULL) {
		PQfinish(d->conn);
		d->conn = NULL;
	}
	return e;
}

enum err
db_begin(struct db *d)
{
	enum err e;

	/* Sent like any statement, so a connection the server closed while
	 * idle is reopened first; only later statements are bound to it. */
	d->in_tx = 0;
	if ((e = db_run(d, NULL, "BEGIN", 0, NULL, NULL, NULL, 0, NULL)) !=
	    ERR_OK)
		return e;
	d->in_tx = 1;
	return ERR_OK;
}

enum err
db_commit(struct db *d)
{
	enum err e;

	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		d->in_tx = 0;
		return ERR_DBDOWN;
	}
	e = db_script(d, "COMMIT");
	d->in_tx = 0;
	if (e != ERR_OK && PQstatus(d->conn) != CONNECTION_OK)
		e = ERR_DBDOWN;
	return e;
}

void
db_rollback(struct db *d)
{
	d->in_tx = 0;
	if (d->conn != NULL && PQstatus(d->conn) == CONNECTION_OK &&
	    PQtransactionStatus(d->conn) != PQTRANS_IDLE &&
	    db_script(d, "ROLLBACK") != ERR_OK)
		log_warn("database: rollback failed");
}

enum err
db_exec(struct db *d, struct arena *a, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts, PGresult **out)
{
	return db_run(d, a, sql, n, vals, lens, fmts, 0, out);
}

enum err
db_exec_prepared(struct db *d, struct arena *a, const char *sql, int n,
    const char *const *vals, PGresult **out)
{
	return db_run(d, a, sql, n, vals, NULL, NULL, 1, out);
}

enum err
db_script(struct db *d, const char *sql)
{
	PGresult *res;
	enum err e;

	if ((e = db_ready(d)) != ERR_OK)
		return e;
	res = PQexec(d->conn, sql);
	if (res == NULL ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK &&
		PQresultStatus(res) != PGRES_TUPLES_OK)) {
		log_error("database: %s",
		    res ? PQresultErrorMessage(res) : PQerrorMessage(d->conn));
		PQclear(res);
		return ERR_DB;
	}
	PQclear(res);
	return ERR_OK;
}

const char *
db_val(PGresult *res, int r, int c)
{
	if (PQgetisnull(res, r, c))
		return NULL;
	return PQgetvalue(res, r, c);
}
