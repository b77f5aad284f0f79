/* Fuzz target: CGI parameters of a request, cookies and the query string. */
#include <string.h>

#include "fuzz.h"
#include "req.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *env[16], *buf;
	struct arena a;
	struct req r;
	size_t i, n = 0, start = 0;

	log_set_level(LOG_LVL_ERROR);
	arena_init(&a);
	/* NUL-separated NAME=value strings, as FastCGI hands them over. */
	buf = arena_memdup(&a, data, size);
	for (i = 0; i <= size && n < 15; i++) {
		if (i == size || buf[i] == '\0') {
			if (i > start)
				env[n++] = buf + start;
			start = i + 1;
		}
	}
	env[n] = NULL;
	if (req_init(&r, &a, env) == ERR_OK) {
		(void)req_media_type(&r);
		(void)req_query(&r, "limit");
		(void)req_query(&r, "query");
		(void)req_cookie(&r, "session");
		(void)req_param(&r, "HTTP_MCP_SESSION_ID");
	}
	arena_free(&a);
	return 0;
}
