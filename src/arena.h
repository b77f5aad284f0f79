/* Per-request arena: many small allocations freed together in one step. */
#ifndef MCPGW_ARENA_H
#define MCPGW_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_defer;

struct arena {
	struct arena_block *head; /* newest block first */
	struct arena_defer *defers; /* cleanups run at reset, newest first */
	size_t total; /* bytes handed out since the last reset */
};

/*
 * All allocation functions abort the process on out-of-memory (the web
 * server respawns it); callers cap client-controlled sizes before asking.
 * Memory returned stays valid until arena_reset() or arena_free().
 */
void arena_init(struct arena *a);
void *arena_alloc(struct arena *a, size_t n); /* 16-byte aligned, zeroed */
char *arena_strdup(struct arena *a, const char *s); /* NULL in, NULL out */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/*
 * Registers fn(p) to run at the next arena_reset() or arena_free(), for
 * objects the arena does not own itself (cJSON trees, PGresults).
 */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Runs the cleanups, then frees all blocks but the first, which is kept for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
