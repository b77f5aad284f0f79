/* Per-request arena: bump allocation in linked blocks, freed in one step. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK 16384
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	/* Aligned storage follows. */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

static void
arena_oom(size_t n)
{
	fprintf(stderr, "mcpgw: fatal: out of memory allocating %lu bytes\n",
	    (unsigned long)n);
	abort();
}

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->defers = NULL;
	a->total = 0;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_defer *d;

	if (p == NULL)
		return;
	d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need, sz;
	void *p;

	if (n > SIZE_MAX / 2)
		arena_oom(n);
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (b == NULL || b->size - b->used < need) {
		sz = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		b = malloc(sizeof(*b) + sz);
		if (b == NULL)
			arena_oom(n);
		b->size = sz;
		b->used = 0;
		/* A big one-off block goes behind the current one so the
		 * current block's free space is not abandoned. */
		if (a->head != NULL && sz > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->used;
	b->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (n > 0)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	return arena_memdup(a, s, strnlen(s, n));
}

char *
arena_strdup(struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	return arena_memdup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *d;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return arena_strdup(a, "");
	d = arena_alloc(a, (size_t)n + 1);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	return d;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *d;

	va_start(ap, fmt);
	d = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return d;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;
	struct arena_defer *d;

	/* Cleanups first: their records live in the blocks freed below. */
	for (d = a->defers; d != NULL; d = d->next)
		d->fn(d->p);
	a->defers = NULL;
	if (a->head == NULL)
		return;
	for (b = a->head->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head->next = NULL;
	/* Keep only a normal-sized block; drop an oversized one. */
	if (a->head->size > ARENA_BLOCK) {
		free(a->head);
		a->head = NULL;
	} else
		a->head->used = 0;
	a->total = 0;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}
