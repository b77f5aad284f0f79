/* Fuzz target: the JWT parser and verifier. */
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "fuzz.h"
#include "jwt.h"

static struct crypt_keyring *kr;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char secret[] = "fuzzing-secret-key-0123456789abcdef";
	const void *s[1] = { secret };
	size_t l[1] = { sizeof(secret) - 1 };
	struct jwt_claims cl;
	struct arena a;
	char *tok;

	log_set_level(LOG_LVL_ERROR);
	if (kr == NULL &&
	    (crypt_global_init() != ERR_OK ||
		crypt_keyring_new(s, l, 1, &kr) != ERR_OK))
		abort();
	arena_init(&a);
	tok = arena_memdup(&a, data, size);
	(void)jwt_verify(
	    &a, kr, tok, "mcpgw", "mcp-registry", 1800000000LL, &cl);
	arena_free(&a);
	return 0;
}
