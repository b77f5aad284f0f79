/* Fuzz target: multipart/form-data and urlencoded bodies. */
#include "form.h"
#include "fuzz.h"
#include "mpart.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct form_limits lim = { 64, 65536, 1024 };
	struct arena a;
	struct form f;
	const char *why;
	char *ctype, *body;
	size_t cl, bl;

	log_set_level(LOG_LVL_ERROR);
	arena_init(&a);
	/* The Content-Type comes first, up to a NUL; the body follows. */
	fuzz_split(&a, data, size, &ctype, &cl, &body, &bl);
	if (mpart_parse(&a, ctype, body, bl, &lim, &f, &why) == ERR_OK)
		(void)form_get(&f, "name");
	if (form_parse_urlencoded(&a, body, bl, &lim, &f, &why) == ERR_OK)
		(void)form_get(&f, "path");
	arena_free(&a);
	return 0;
}
