/* Fuzz target: path rules, proxy_pass_url parsing and the address policy. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <string.h>

#include "fuzz.h"
#include "ssrf.h"
#include "valid.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct arena a;
	struct url u;
	const char *why;
	char *s, *path;

	log_set_level(LOG_LVL_ERROR);
	arena_init(&a);
	s = arena_memdup(&a, data, size);
	if (valid_path(&a, s, &path, &why) == ERR_OK)
		(void)valid_path_key(&a, path);
	(void)ssrf_parse_url(&a, s, &u, &why);
	if (size >= 16) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, data, 16);
		(void)ssrf_addr_allowed(
		    (struct sockaddr *)&s6, data[0] & 1, &why);
	}
	if (size >= 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, data, 4);
		(void)ssrf_addr_allowed(
		    (struct sockaddr *)&s4, data[0] & 1, &why);
	}
	arena_free(&a);
	return 0;
}
