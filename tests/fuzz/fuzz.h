/* Shared bits of the libFuzzer targets: one arena per input, quiet logs. */
#ifndef MCPGW_FUZZ_H
#define MCPGW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits input at the first NUL into two NUL-terminated arena strings. */
static void __attribute__((unused))
fuzz_split(struct arena *a, const uint8_t *data, size_t size, char **x,
    size_t *xl, char **y, size_t *yl)
{
	size_t i;

	for (i = 0; i < size && data[i] != 0; i++)
		;
	*x = arena_memdup(a, data, i);
	*xl = i;
	if (i < size)
		i++;
	*y = arena_memdup(a, data + i, size - i);
	*yl = size - i;
}

#endif
