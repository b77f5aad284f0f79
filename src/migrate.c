/* Schema migrations: numbered SQL files applied once, in order. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "migrate.h"

#define MIGRATE_MAX_FILES 1000
#define MIGRATE_MAX_BYTES (4 * 1024 * 1024)

static int
migrate_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted names of NNN_*.sql files in dir, in the arena. */
static enum err
migrate_list(struct arena *a, const char *dir, char ***names, size_t *n)
{
	struct dirent *de;
	char **v;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL) {
		log_error("migrate: cannot open %s: %s", dir, strerror(errno));
		return ERR_CONFIG;
	}
	v = arena_alloc(a, MIGRATE_MAX_FILES * sizeof(char *));
	*n = 0;
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 9 || !isdigit((unsigned char)de->d_name[0]) ||
		    !isdigit((unsigned char)de->d_name[1]) ||
		    !isdigit((unsigned char)de->d_name[2]) ||
		    de->d_name[3] != '_' ||
		    strcmp(de->d_name + l - 4, ".sql") != 0)
			continue;
		if (*n == MIGRATE_MAX_FILES)
			break;
		v[(*n)++] = arena_strdup(a, de->d_name);
	}
	closedir(dp);
	qsort(v, *n, sizeof(char *), migrate_cmp);
	*names = v;
	return ERR_OK;
}

static enum err
migrate_read(struct arena *a, const char *path, char **out)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "r")) == NULL) {
		log_error("migrate: cannot open %s: %s", path, strerror(errno));
		return ERR_CONFIG;
	}
	buf = arena_alloc(a, MIGRATE_MAX_BYTES + 1);
	n = fread(buf, 1, MIGRATE_MAX_BYTES, f);
	if (ferror(f) || !feof(f)) {
		log_error(
		    "migrate: cannot read %s (or larger than 4 MiB)", path);
		fclose(f);
		return ERR_CONFIG;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return ERR_OK;
}

static enum err
migrate_table(struct db *d, struct arena *a)
{
	return db_q(d, a,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, applied_at "
	    "timestamptz NOT NULL DEFAULT now())",
	    0, NULL, NULL);
}

static int
migrate_is_applied(PGresult *res, int version)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (atoi(PQgetvalue(res, i, 0)) == version)
			return 1;
	return 0;
}

enum err
migrate_pending(struct db *d, struct arena *a, const char *dir, int *pending)
{
	PGresult *res;
	char **names;
	size_t n, i;
	enum err e;

	*pending = 0;
	if ((e = migrate_list(a, dir, &names, &n)) != ERR_OK)
		return e;
	if ((e = db_q(d, a,
		 "SELECT to_regclass('schema_migrations') IS NOT "
		 "NULL",
		 0, NULL, &res)) != ERR_OK)
		return e;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		*pending = (int)n;
		return ERR_OK;
	}
	if ((e = db_q(d, a, "SELECT version FROM schema_migrations", 0, NULL,
		 &res)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if (!migrate_is_applied(res, atoi(names[i])))
			(*pending)++;
	return ERR_OK;
}

enum err
migrate_run(struct db *d, struct arena *a, const char *dir, int *applied)
{
	PGresult *res;
	const char *v[2];
	char **names, *sql, *path;
	size_t n, i;
	enum err e;

	*applied = 0;
	if ((e = migrate_list(a, dir, &names, &n)) != ERR_OK)
		return e;
	if (n == 0) {
		log_error("migrate: no NNN_*.sql files in %s", dir);
		return ERR_CONFIG;
	}
	/* Serialises concurrent migrators (several hosts deploying). */
	if ((e = db_q(d, a, "SELECT pg_advisory_lock(7011904)", 0, NULL,
		 NULL)) != ERR_OK)
		return e;
	if ((e = migrate_table(d, a)) != ERR_OK)
		goto out;
	if ((e = db_q(d, a, "SELECT version FROM schema_migrations", 0, NULL,
		 &res)) != ERR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (migrate_is_applied(res, atoi(names[i])))
			continue;
		path = arena_printf(a, "%s/%s", dir, names[i]);
		if ((e = migrate_read(a, path, &sql)) != ERR_OK)
			goto out;
		if ((e = db_script(d, "BEGIN")) != ERR_OK)
			goto out;
		if ((e = db_script(d, sql)) != ERR_OK) {
			log_error("migrate: %s failed; nothing of it was "
				  "applied",
			    names[i]);
			if (db_script(d, "ROLLBACK") != ERR_OK)
				log_error("migrate: rollback failed");
			goto out;
		}
		v[0] = arena_printf(a, "%d", atoi(names[i]));
		v[1] = names[i];
		if ((e = db_q(d, a,
			 "INSERT INTO schema_migrations (version, "
			 "name) VALUES ($1, $2)",
			 2, v, NULL)) != ERR_OK ||
		    (e = db_script(d, "COMMIT")) != ERR_OK) {
			if (db_script(d, "ROLLBACK") != ERR_OK)
				log_error("migrate: rollback failed");
			goto out;
		}
		printf("applied %s\n", names[i]);
		(*applied)++;
	}
	path = arena_printf(a, "%s/roles.sql", dir);
	if (access(path, R_OK) == 0) {
		if ((e = migrate_read(a, path, &sql)) != ERR_OK ||
		    (e = db_script(d, sql)) != ERR_OK)
			goto out;
		printf("applied roles.sql\n");
	}
out:
	if (db_q(d, a, "SELECT pg_advisory_unlock(7011904)", 0, NULL, NULL) !=
	    ERR_OK)
		log_warn("migrate: could not release the advisory lock");
	return e;
}
