/* The gateway hop: /<path>/... proxied to the backend with its credential. */
#ifndef MCPGW_PROXY_H
#define MCPGW_PROXY_H

#include "handler.h"

/*
 * Serves a request whose path matched no API route: the first segment
 * names a registered server. Authenticates the client (mcp:invoke or
 * mcp:invoke:/<path>), streams the body to the backend and the reply back.
 * Always replies.
 */
void proxy_handle(struct hctx *c);

/* Per-worker proxy state (a keep-alive curl handle); NULL-safe free. */
void proxy_worker_free(struct proxy_worker *px);

#endif
