/* Unit tests for the per-request arena. */
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "t.h"

static int deferred;

static void
count_defer(void *p)
{
	deferred += *(int *)p;
}

int
main(void)
{
	struct arena a;
	char *s, *big;
	int one = 1, i, aligned = 1;
	void *p;

	arena_init(&a);
	s = arena_strdup(&a, "hello");
	T_EQ_STR(s, "hello", "strdup copies");
	T_OK(arena_strdup(&a, NULL) == NULL, "strdup(NULL) is NULL");
	T_EQ_STR(arena_strndup(&a, "abcdef", 3), "abc", "strndup truncates");
	T_EQ_STR(arena_printf(&a, "%d-%s", 42, "x"), "42-x", "printf formats");
	s = arena_memdup(&a, "a\0b", 3);
	T_OK(s[0] == 'a' && s[1] == '\0' && s[2] == 'b' && s[3] == '\0',
	    "memdup keeps NULs and terminates");
	for (i = 0; i < 1000; i++) {
		p = arena_alloc(&a, (size_t)(i % 37) + 1);
		if (((uintptr_t)p & 15) != 0)
			aligned = 0;
	}
	T_OK(aligned, "allocations are 16-byte aligned");
	p = arena_alloc(&a, 64);
	T_OK(((unsigned char *)p)[0] == 0 && ((unsigned char *)p)[63] == 0,
	    "allocations are zeroed");
	big = arena_alloc(&a, 1 << 20);
	big[(1 << 20) - 1] = 'z';
	T_OK(big[(1 << 20) - 1] == 'z', "a large block is usable");
	s = arena_strdup(&a, "after-big");
	T_EQ_STR(s, "after-big", "small allocations continue after a big one");
	arena_defer(&a, count_defer, &one);
	arena_defer(&a, count_defer, &one);
	arena_defer(&a, count_defer, NULL);
	arena_reset(&a);
	T_EQ_INT(deferred, 2, "reset runs the registered cleanups once each");
	T_EQ_INT(a.total, 0, "reset clears the byte count");
	arena_reset(&a);
	T_EQ_INT(deferred, 2, "a second reset runs nothing again");
	s = arena_strdup(&a, "reuse");
	T_EQ_STR(s, "reuse", "the arena is usable after reset");
	arena_free(&a);
	T_OK(a.head == NULL, "free releases every block");
	return t_done();
}
