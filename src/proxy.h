/* The gateway hop: /<path>/... proxied to the backend with its credential. */
#ifndef MCPGW_PROXY_H
#define MCPGW_PROXY_H

#include <stddef.h>

#include "handler.h"

struct FCGX_Request;

/*
 * Serves a request whose path matched no API route: the first segment
 * names a registered server (SPEC section 7). Looks the server up in the
 * per-process cache, authenticates the client (mcp:invoke or
 * mcp:invoke:/<path>), sends the body to the backend with the stored
 * credential injected (opened into secure memory for this request only
 * and wiped after) and relays the reply as it arrives, flushing each read
 * of a text/event-stream. Logs one access line. Always replies.
 */
void proxy_handle(struct hctx *c);

/*
 * Gives worker w its proxy state: a libcurl handle kept for keep-alive to
 * the backends (made on the first proxied request). fr is the worker's
 * FastCGI request; its connection is watched during a transfer so that a
 * client that went away ends it. Call once per worker thread, after
 * worker_init() and FCGX_InitRequest(). ERR_NOMEM. worker_free() releases
 * it with proxy_worker_free() (NULL is fine).
 */
enum err
proxy_worker_init(struct worker *w, struct FCGX_Request *fr) MUST_CHECK;
void proxy_worker_free(struct proxy_worker *px);

/*
 * Pure helpers, exposed for the unit tests. Results live in arena a.
 */

/*
 * Splits a request path "/<name>[/<rest>]" into "/<name>" (*srv) and
 * <rest> without its leading '/' ("" when none). 0 when the first segment
 * is not a possible server path ([A-Za-z0-9][A-Za-z0-9._-]{0,63}).
 */
int proxy_split_path(
    struct arena *a, const char *path, const char **srv, const char **rest);

/*
 * The backend URL: base with trailing '/'s trimmed, '/', rest, and '?'
 * query when query is not empty. ERR_INVAL (with *why) when rest or query
 * hold bytes outside visible ASCII, '#', '\\', or when rest has a "." or
 * ".." segment, also %-encoded (it would climb out of base's path).
 */
enum err proxy_target_url(struct arena *a, const char *base, const char *rest,
    const char *query, char **out, const char **why) MUST_CHECK;

/*
 * Header name of a CGI parameter: "HTTP_MCP_SESSION_ID" gives
 * "Mcp-Session-Id". NULL when cgi is not HTTP_ followed by [A-Z0-9_]+.
 */
char *proxy_header_name(struct arena *a, const char *cgi);

/*
 * Whether the request header of CGI parameter cgi is passed to the
 * backend. connection is the client's Connection value (NULL if none);
 * injected is the name of the credential header (NULL if none). Dropped:
 * hop-by-hop headers and those Connection names, Proxy-*, Host, Origin,
 * Authorization, Cookie, Expect, Content-Length and Content-Type (sent
 * from CONTENT_*), X-Forwarded-* (set by the proxy) and the injected name,
 * all case-insensitively.
 */
int proxy_req_header_pass(
    const char *cgi, const char *connection, const char *injected);

/*
 * Whether a response header (name of len bytes) is relayed to the client.
 * Dropped: hop-by-hop headers and the names connection lists,
 * WWW-Authenticate, Set-Cookie, Status and the web servers' internal
 * redirect and sendfile headers; Location unless status is 201 or 3xx.
 */
int proxy_resp_header_pass(
    const char *name, size_t len, const char *connection, int status);

/*
 * The JSON-RPC method and, for tools/call, the tool name of a request
 * body (an object, or the first member of a batch); NULL when absent. For
 * the access log only: each is cut to 64 bytes of [A-Za-z0-9._/:-].
 */
void proxy_rpc_peek(struct arena *a, const char *body, size_t len,
    const char **method, const char **tool);

/*
 * Legacy HTTP+SSE: the endpoint event's data rewritten so the client posts
 * through the gateway. data is resolved against sse_url (the backend URL
 * the stream came from); the result must have sse_url's origin and lie
 * under proxy_pass_url's path, which is replaced by prefix (the path of
 * public_base_url, "" at the root) + srv_path. The query is kept byte for
 * byte. ERR_INVAL when the endpoint cannot be routed through the gateway.
 */
enum err proxy_endpoint_rewrite(struct arena *a, const char *sse_url,
    const char *proxy_pass_url, const char *prefix, const char *srv_path,
    const char *data, char **out) MUST_CHECK;

/*
 * The incremental rewriter of a stream's first event: bytes go in as they
 * arrive and come out through emit either unchanged or, for an endpoint
 * event, rewritten by proxy_endpoint_rewrite(). Comment-only blocks
 * before the first event are passed on; after the first event (or
 * PROXY_RW_MAX buffered bytes) everything passes through untouched.
 */
#define PROXY_RW_MAX 16384

typedef int (*proxy_emit_fn)(void *user, const char *buf, size_t len);

struct proxy_rw {
	struct arena *a;
	const char *sse_url, *proxy_pass_url, *prefix, *srv_path;
	char *buf; /* PROXY_RW_MAX bytes from the arena, on first use */
	size_t len;
	int done; /* pass-through mode */
	int rewrote; /* an endpoint event was rewritten */
	int failed; /* an endpoint that cannot be routed was seen */
};

void proxy_rw_init(struct proxy_rw *rw, struct arena *a, const char *sse_url,
    const char *proxy_pass_url, const char *prefix, const char *srv_path);

/*
 * Feeds len bytes. Returns 0, or -1 when emit failed or the endpoint
 * cannot be routed (rw->failed; nothing of that event is emitted).
 */
int proxy_rw_feed(struct proxy_rw *rw, const char *buf, size_t len,
    proxy_emit_fn emit, void *user);

#endif
