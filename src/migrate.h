/* Schema migrations: numbered SQL files applied once, in order. */
#ifndef MCPGW_MIGRATE_H
#define MCPGW_MIGRATE_H

#include "arena.h"
#include "db.h"
#include "err.h"

/*
 * Applies every dir/NNN_*.sql not yet recorded in schema_migrations, each
 * in its own transaction under an advisory lock, then dir/roles.sql if
 * present. Progress goes to stdout. *applied counts new migrations.
 */
enum err migrate_run(
    struct db *d, struct arena *a, const char *dir, int *applied) MUST_CHECK;

/* Number of migration files in dir not yet applied (for 'check'). */
enum err migrate_pending(
    struct db *d, struct arena *a, const char *dir, int *pending) MUST_CHECK;

#endif
