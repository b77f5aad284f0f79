/* mcpgw-admin: migrations, users, tokens and checks from a shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "crypt.h"
#include "log.h"
#include "migrate.h"
#include "server.h"
#include "token.h"
#include "user.h"

static const char usage[] =
    "usage: mcpgw-admin migrate [--database-url DSN]\n"
    "       mcpgw-admin user add NAME [--role admin|publisher|user] "
    "[--password-stdin]\n"
    "       mcpgw-admin user passwd NAME [--password-stdin]\n"
    "       mcpgw-admin user list\n"
    "       mcpgw-admin token issue --user NAME [--hours H] [--scope S] "
    "[--description D]\n"
    "       mcpgw-admin check\n"
    "       mcpgw-admin rekey\n";

/* Value of option name in argv, or NULL. */
static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int
flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* Reads one password line from stdin into the arena. */
static const char *
read_password(struct arena *a)
{
	char buf[1024];
	size_t n;

	if (fgets(buf, sizeof(buf), stdin) == NULL)
		return NULL;
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return n > 0 ? arena_strdup(a, buf) : NULL;
}

static const char *
password_arg(struct arena *a, int argc, char **argv, int *generated)
{
	*generated = 0;
	if (flag(argc, argv, "--password-stdin"))
		return read_password(a);
	*generated = 1;
	return crypt_random_token(a, 18);
}

static int
cmd_migrate(struct app *app, struct arena *a, int argc, char **argv)
{
	const char *url = opt(argc, argv, "--database-url");
	struct db d;
	int applied;
	enum err e;

	if (db_open(&d, url ? url : app->conf.database_url) != ERR_OK) {
		db_close(&d);
		return 1;
	}
	e = migrate_run(&d, a, app->conf.sql_dir, &applied);
	db_close(&d);
	if (e != ERR_OK)
		return 1;
	printf("%d migration(s) applied\n", applied);
	return 0;
}

static int
cmd_user(struct app *app, struct arena *a, struct db *d, int argc, char **argv)
{
	const char *pw, *role;
	PGresult *res;
	int gen, i;
	enum err e;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		if (user_list(d, a, &res) != ERR_OK)
			return 1;
		for (i = 0; i < PQntuples(res); i++)
			printf("%s\t%s\t%s\n", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
		return 0;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	(void)app;
	if ((pw = password_arg(a, argc, argv, &gen)) == NULL) {
		fprintf(stderr, "mcpgw-admin: empty password on stdin\n");
		return 1;
	}
	if (strcmp(argv[0], "add") == 0) {
		role = opt(argc, argv, "--role");
		if (role == NULL)
			role = "user";
		e = user_add(d, a, argv[1], pw, role);
		if (e == ERR_EXISTS) {
			fprintf(stderr, "mcpgw-admin: user exists\n");
			return 1;
		}
		if (e == ERR_INVAL) {
			fprintf(stderr,
			    "mcpgw-admin: bad user name or role "
			    "(roles: admin, publisher, user)\n");
			return 1;
		}
	} else if (strcmp(argv[0], "passwd") == 0) {
		e = user_passwd(d, a, argv[1], pw);
		if (e == ERR_NOTFOUND) {
			fprintf(stderr, "mcpgw-admin: no such user\n");
			return 1;
		}
	} else {
		fputs(usage, stderr);
		return 2;
	}
	if (e != ERR_OK)
		return 1;
	if (gen)
		printf("%s\n", pw);
	return 0;
}

static int
cmd_token(struct app *app, struct arena *a, struct db *d, int argc, char **argv)
{
	const char *user = opt(argc, argv, "--user");
	const char *hs = opt(argc, argv, "--hours");
	const char *scope = opt(argc, argv, "--scope");
	const char *desc = opt(argc, argv, "--description");
	const char *role, *have;
	struct token_out to;
	long hours = app->conf.token_default_hours;
	char *end;

	if (argc < 1 || strcmp(argv[0], "issue") != 0 || user == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	if (hs != NULL) {
		hours = strtol(hs, &end, 10);
		if (*hs == '\0' || *end != '\0' || hours < 1 ||
		    hours > 24L * 365) {
			fprintf(
			    stderr, "mcpgw-admin: --hours must be 1..8760\n");
			return 2;
		}
	}
	if (user_role(d, a, user, &role) != ERR_OK) {
		fprintf(stderr, "mcpgw-admin: no such user\n");
		return 1;
	}
	have = auth_role_scopes(role);
	if (scope == NULL)
		scope = have;
	else if (!auth_scopes_subset(scope, have)) {
		fprintf(stderr,
		    "mcpgw-admin: --scope exceeds the user's "
		    "scopes (%s)\n",
		    have);
		return 1;
	}
	if (token_issue(d, a, &app->conf, app->kr, user, scope, hours,
		desc ? desc : "", &to) != ERR_OK)
		return 1;
	printf("%s\n", to.access_token);
	return 0;
}

/* Re-seals every credential under the current key (after rotation). */
static int
cmd_rekey(struct app *app, struct arena *a, struct db *d)
{
	int ok, bad;

	if (server_rekey(d, a, app->kr, 1, &ok, &bad) != ERR_OK)
		return 1;
	printf("%d credential(s) re-sealed under key %s, %d unreadable\n", ok,
	    crypt_keyring_kid(app->kr), bad);
	return bad == 0 ? 0 : 1;
}

static int
cmd_check(struct app *app, struct arena *a, struct db *d)
{
	int pending, ok, bad;

	if (migrate_pending(d, a, app->conf.sql_dir, &pending) != ERR_OK) {
		fprintf(stderr, "check: database or sql_dir problem\n");
		return 1;
	}
	if (pending > 0) {
		fprintf(stderr,
		    "check: %d migration(s) pending: run "
		    "'mcpgw-admin migrate'\n",
		    pending);
		return 1;
	}
	if (server_rekey(d, a, app->kr, 0, &ok, &bad) != ERR_OK)
		return 1;
	if (bad > 0) {
		fprintf(stderr,
		    "check: %d stored credential(s) do not open "
		    "with the configured secret keys (was the key replaced? "
		    "list the old one in old_secret_key_files)\n",
		    bad);
		return 1;
	}
	printf("ok: configuration %s, secret key, database, migrations, "
	       "%d credential(s) readable\n",
	    app->conf.path, ok);
	return 0;
}

int
main(int argc, char **argv)
{
	struct app app;
	struct arena a;
	struct db d;
	int rc = 1;

	log_set_ident("mcpgw-admin");
	if (argc < 2 || flag(argc, argv, "--help") || flag(argc, argv, "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	arena_init(&a);
	if (app_init(&app) != ERR_OK) {
		app_free(&app);
		return 78;
	}
	if (strcmp(argv[1], "migrate") == 0) {
		rc = cmd_migrate(&app, &a, argc - 2, argv + 2);
		goto out;
	}
	if (db_open(&d, app.conf.database_url) != ERR_OK) {
		db_close(&d);
		goto out;
	}
	if (strcmp(argv[1], "user") == 0)
		rc = cmd_user(&app, &a, &d, argc - 2, argv + 2);
	else if (strcmp(argv[1], "token") == 0)
		rc = cmd_token(&app, &a, &d, argc - 2, argv + 2);
	else if (strcmp(argv[1], "check") == 0)
		rc = cmd_check(&app, &a, &d);
	else if (strcmp(argv[1], "rekey") == 0)
		rc = cmd_rekey(&app, &a, &d);
	else {
		fputs(usage, stderr);
		rc = 2;
	}
	arena_reset(&a);
	db_close(&d);
out:
	arena_free(&a);
	app_free(&app);
	return rc;
}
