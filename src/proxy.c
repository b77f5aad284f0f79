/* The gateway hop: /<path>/... proxied to the backend with its credential. */
#include "proxy.h"

void
proxy_handle(struct hctx *c)
{
	/* The proxy lands with its own issue; until then no path is served. */
	resp_error(c->r, 404, "server_not_found",
	    "No server is registered at that path.", NULL, NULL);
}

void
proxy_worker_free(struct proxy_worker *px)
{
	(void)px;
}
