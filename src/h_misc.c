/* Handlers for /health and /api/version. */
#include <string.h>

#include "config.h"
#include "handler.h"

void
h_health(struct hctx *c)
{
	static const char ok[] = "{\"status\":\"ok\",\"database\":\"ok\","
				 "\"version\":\"" PACKAGE_VERSION "\"}";
	static const char down[] =
	    "{\"status\":\"degraded\",\"database\":"
	    "\"unreachable\",\"version\":\"" PACKAGE_VERSION "\"}";

	if (db_q(c->db, c->a, "SELECT 1", 0, NULL, NULL) != ERR_OK) {
		resp_json_text(
		    c->r, 503, "Retry-After: 2\r\n", down, sizeof(down) - 1);
		return;
	}
	resp_json_text(c->r, 200, NULL, ok, sizeof(ok) - 1);
}

void
h_version(struct hctx *c)
{
	static const char v[] = "{\"version\":\"" PACKAGE_VERSION "\","
				"\"git\":\"" MCPGW_GIT "\"}";

	resp_json_text(c->r, 200, NULL, v, sizeof(v) - 1);
}
