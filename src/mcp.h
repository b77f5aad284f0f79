/* MCP client for health checks and tool discovery, over libcurl multi. */
#ifndef MCPGW_MCP_H
#define MCPGW_MCP_H

#include <cJSON.h>

#include "err.h"

/* The protocol version sent in initialize (the newest one we speak). */
#define MCP_PROTOCOL_VERSION "2025-06-18"
#define MCP_MAX_RESPONSE (4 * 1024 * 1024) /* bytes of one reply */
#define MCP_MAX_PROBE_BYTES (16 * 1024 * 1024) /* received over a probe */
#define MCP_MAX_PAGES 50 /* tools/list pages followed */

enum mcp_status { MCP_HEALTHY = 0, MCP_UNHEALTHY, MCP_AUTH_FAILED };

/*
 * What to probe. Every string is borrowed and must stay valid until the
 * probe's done() callback has returned.
 */
struct mcp_target {
	const char *url; /* proxy_pass_url */
	const char *auth_name; /* header to inject, NULL for none */
	/*
	 * Full header value ("Bearer <cred>" or the key). The caller owns and
	 * wipes it; the probe only copies it into the libcurl header list,
	 * which it wipes before freeing. It never appears in a detail.
	 */
	const char *auth_value;
	const char
	    *path; /* server path ("/weather") for details; may be NULL */
	long timeout_ms; /* bound on the whole probe */
	long connect_timeout_ms; /* per connection, within timeout_ms */
	int deny_private; /* SSRF policy flag, see ssrf_addr_allowed() */
};

/*
 * A probe's outcome. mcp_result_free() frees the members (not the struct).
 *
 * status: MCP_HEALTHY when the handshake worked and tools/list either
 * worked (tools_ok 1) or is not offered by the server (tools_ok 0, the
 * detail starts "Failed to fetch tools: the server does not implement the
 * standard MCP tools/list method"): the backend is up and accepts the
 * credential, so it is not unhealthy, yet there was no successful
 * discovery, so the caller keeps serving manual tools. MCP_AUTH_FAILED when
 * the backend answered 401 or 403 at any step; MCP_UNHEALTHY for anything
 * else (DNS, connect, TLS, timeout, 5xx, refused by the address policy,
 * not MCP). Every non-healthy detail starts with "Failed to fetch tools:".
 */
struct mcp_result {
	int status; /* enum mcp_status */
	char *detail; /* malloc'd sentence, never the credential; NULL when
					 * healthy with all tools */
	int tools_ok; /* tools/list succeeded */
	cJSON *tools; /* array of the tool objects verbatim, NULL unless
					 * tools_ok */
	cJSON *server_info; /* initialize's serverInfo object, may be NULL */
	char *protocol_version; /* negotiated version, may be NULL */
	long http_status; /* status of the deciding response, 0 if none */
	long latency_ms; /* whole probe, from start to done() */
	int legacy; /* 1 when probed over the legacy HTTP+SSE transport */
};

void mcp_result_free(struct mcp_result *r);

struct mcp_multi;

/* Called when a probe ends; r is valid during the call only. */
typedef void (*mcp_done_fn)(void *user, struct mcp_result *r);

/*
 * Creates a runner holding at most concurrency probes in flight (at least
 * 1). libcurl must be initialised (curl_global_init) by the program.
 * Returns NULL on out-of-memory. Not thread-safe: one runner per thread.
 * Its probes share a connection cache and a reused connection is not
 * checked again, so all targets of one runner must use the same
 * deny_private (it is a configuration setting anyway).
 */
struct mcp_multi *mcp_multi_new(int concurrency);

/*
 * Queues a probe of t. done(user, r) is called exactly once from
 * mcp_multi_run(), with r's members owned by done: it must call
 * mcp_result_free(r) or move them out (and NULL them) first. done may call
 * mcp_multi_add() again. ERR_NOMEM only.
 */
enum err mcp_multi_add(struct mcp_multi *m, const struct mcp_target *t,
    mcp_done_fn done, void *user) MUST_CHECK;

/*
 * Runs until every queued probe has finished and its done() has returned.
 * ERR_NOMEM or ERR_NET for a failure of libcurl's multi interface itself;
 * the probes in flight then end as unhealthy (their done() is still called).
 */
enum err mcp_multi_run(struct mcp_multi *m) MUST_CHECK;

/* Frees the runner; probes still queued are dropped without done(). */
void mcp_multi_free(struct mcp_multi *m);

/*
 * One blocking probe. On ERR_OK *out holds the result, to be freed with
 * mcp_result_free(); on error *out is zeroed.
 */
enum err
mcp_probe_one(const struct mcp_target *t, struct mcp_result *out) MUST_CHECK;

#endif
