/* Unit tests for the proxy's pure helpers and the server cache. */
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "srvcache.h"
#include "t.h"

static struct arena A;

static void
test_split_path(void)
{
	static const struct {
		const char *path, *srv, *rest;
	} cases[] = {
		{ "/weather/mcp", "/weather", "mcp" },
		{ "/weather", "/weather", "" },
		{ "/weather/", "/weather", "" },
		{ "/Weather/a/b?x", "/Weather", "a/b?x" },
		{ "/w.x_y-z/sse", "/w.x_y-z", "sse" },
		{ "/a", "/a", "" },
		{ "/", NULL, NULL },
		{ "", NULL, NULL },
		{ "//x", NULL, NULL },
		{ "/.hidden/x", NULL, NULL },
		{ "/-x/y", NULL, NULL },
		{ "/we%41ther/mcp", NULL, NULL },
		{ "/a b/c", NULL, NULL },
		{ "/01234567890123456789012345678901234567890123456789012345678"
		  "90123",
		    "/012345678901234567890123456789012345678901234567890123456"
		    "7890123",
		    "" },
		{ "/01234567890123456789012345678901234567890123456789012345678"
		  "901234",
		    NULL, NULL },
	};
	const char *srv, *rest;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok = proxy_split_path(&A, cases[i].path, &srv, &rest);
		T_EQ_INT(ok, cases[i].srv != NULL, "split %s: accepted",
		    cases[i].path);
		if (ok && cases[i].srv != NULL) {
			T_EQ_STR(srv, cases[i].srv, "split %s: server",
			    cases[i].path);
			T_EQ_STR(rest, cases[i].rest, "split %s: rest",
			    cases[i].path);
		}
	}
}

static void
test_target_url(void)
{
	static const struct {
		const char *base, *rest, *query, *want;
	} cases[] = {
		{ "http://b:8000", "mcp", "", "http://b:8000/mcp" },
		{ "http://b:8000/", "mcp", "", "http://b:8000/mcp" },
		{ "http://b:8000///", "mcp", "", "http://b:8000/mcp" },
		{ "http://b/base", "mcp", "a=1&b=%20",
		    "http://b/base/mcp?a=1&b=%20" },
		{ "http://b/base/", "", "", "http://b/base/" },
		{ "http://b", "messages/", "sessionId=x",
		    "http://b/messages/?sessionId=x" },
		{ "http://b", "a/%2F/b", "", NULL },
		{ "http://b", "..%2fapi%2fservers", "", NULL },
		{ "http://b", "a%5Cb", "", NULL },
		{ "http://b", "a/..b/c", "", "http://b/a/..b/c" },
		{ "http://b", "...", "", "http://b/..." },
		{ "http://b", "..", "", NULL },
		{ "http://b", "a/../b", "", NULL },
		{ "http://b", "a/./b", "", NULL },
		{ "http://b", "a/%2e%2E/b", "", NULL },
		{ "http://b", "a/.%2e", "", NULL },
		{ "http://b", "%2e", "", NULL },
		{ "http://b", "a b", "", NULL },
		{ "http://b", "a", "x=1#frag", NULL },
		{ "http://b", "a\\b", "", NULL },
		{ "http://b", "a\x7f", "", NULL },
		{ "http://b", "caf\xc3\xa9", "", NULL },
		{ "http://b", "a", "x=\r\n", NULL },
	};
	const char *why;
	char *out;
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		e = proxy_target_url(&A, cases[i].base, cases[i].rest,
		    cases[i].query, &out, &why);
		if (cases[i].want == NULL) {
			T_EQ_INT(e, ERR_INVAL, "target case %lu refused",
			    (unsigned long)i);
			T_OK(why != NULL && out == NULL,
			    "target case %lu: reason, no URL",
			    (unsigned long)i);
		} else {
			T_EQ_INT(e, ERR_OK, "target case %lu accepted",
			    (unsigned long)i);
			T_EQ_STR(out, cases[i].want, "target case %lu",
			    (unsigned long)i);
		}
	}
}

static void
test_header_name(void)
{
	static const struct {
		const char *cgi, *want;
	} cases[] = {
		{ "HTTP_MCP_SESSION_ID", "Mcp-Session-Id" },
		{ "HTTP_MCP_PROTOCOL_VERSION", "Mcp-Protocol-Version" },
		{ "HTTP_ACCEPT", "Accept" },
		{ "HTTP_LAST_EVENT_ID", "Last-Event-Id" },
		{ "HTTP_TRACEPARENT", "Traceparent" },
		{ "HTTP_X_API_KEY", "X-Api-Key" },
		{ "HTTP_X2", "X2" },
		{ "HTTP_", NULL },
		{ "HTTPS", NULL },
		{ "CONTENT_TYPE", NULL },
		{ "HTTP_BAD-NAME", NULL },
		{ "HTTP_A B", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_EQ_STR(proxy_header_name(&A, cases[i].cgi), cases[i].want,
		    "header name of %s", cases[i].cgi);
}

static void
test_req_header_pass(void)
{
	static const struct {
		const char *cgi, *conn, *inj;
		int pass;
	} cases[] = {
		{ "HTTP_ACCEPT", NULL, NULL, 1 },
		{ "HTTP_MCP_SESSION_ID", NULL, "Authorization", 1 },
		{ "HTTP_MCP_PROTOCOL_VERSION", NULL, NULL, 1 },
		{ "HTTP_LAST_EVENT_ID", NULL, NULL, 1 },
		{ "HTTP_TRACEPARENT", NULL, NULL, 1 },
		{ "HTTP_USER_AGENT", NULL, NULL, 1 },
		{ "HTTP_FORWARDED", NULL, NULL, 1 },
		{ "HTTP_PROXYISH", NULL, NULL, 1 },
		{ "HTTP_AUTHORIZATION", NULL, NULL, 0 },
		{ "HTTP_COOKIE", NULL, NULL, 0 },
		{ "HTTP_HOST", NULL, NULL, 0 },
		{ "HTTP_ORIGIN", NULL, NULL, 0 },
		{ "HTTP_CONNECTION", NULL, NULL, 0 },
		{ "HTTP_KEEP_ALIVE", NULL, NULL, 0 },
		{ "HTTP_TE", NULL, NULL, 0 },
		{ "HTTP_TRAILER", NULL, NULL, 0 },
		{ "HTTP_TRANSFER_ENCODING", NULL, NULL, 0 },
		{ "HTTP_UPGRADE", NULL, NULL, 0 },
		{ "HTTP_EXPECT", NULL, NULL, 0 },
		{ "HTTP_PROXY", NULL, NULL, 0 },
		{ "HTTP_PROXY_AUTHORIZATION", NULL, NULL, 0 },
		{ "HTTP_PROXY_CONNECTION", NULL, NULL, 0 },
		{ "HTTP_CONTENT_LENGTH", NULL, NULL, 0 },
		{ "HTTP_CONTENT_TYPE", NULL, NULL, 0 },
		{ "HTTP_X_FORWARDED_FOR", NULL, NULL, 0 },
		{ "HTTP_X_FORWARDED_HOST", NULL, NULL, 0 },
		{ "HTTP_X_FORWARDED_PROTO", NULL, NULL, 0 },
		{ "HTTP_X_API_KEY", NULL, "X-API-Key", 0 },
		{ "HTTP_X_API_KEY", NULL, "x-api-key", 0 },
		{ "HTTP_X_API_KEY", NULL, "X-API-Key2", 1 },
		{ "HTTP_X_API_KEY2", NULL, "X-API-Key", 1 },
		{ "HTTP_X_CUSTOM_AUTH", NULL, "X-Custom-Auth", 0 },
		{ "HTTP_X_FOO", "keep-alive, X-Foo", NULL, 0 },
		{ "HTTP_X_FOO", "x-foo", NULL, 0 },
		{ "HTTP_X_FOO", "close,x-foo ,y", NULL, 0 },
		{ "HTTP_X_FOO", "keep-alive, X-Foobar", NULL, 1 },
		{ "HTTP_X_FOOBAR", "X-Foo", NULL, 1 },
		{ "CONTENT_TYPE", NULL, NULL, 0 },
		{ "REMOTE_ADDR", NULL, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_EQ_INT(proxy_req_header_pass(
			     cases[i].cgi, cases[i].conn, cases[i].inj),
		    cases[i].pass, "request header %s (conn %s, inj %s)",
		    cases[i].cgi, cases[i].conn ? cases[i].conn : "-",
		    cases[i].inj ? cases[i].inj : "-");
}

static void
test_resp_header_pass(void)
{
	static const struct {
		const char *name, *conn;
		int status, pass;
	} cases[] = {
		{ "Content-Type", NULL, 200, 1 },
		{ "mcp-session-id", NULL, 200, 1 },
		{ "Cache-Control", NULL, 200, 1 },
		{ "Content-Length", NULL, 200, 1 },
		{ "Retry-After", NULL, 503, 1 },
		{ "Allow", NULL, 405, 1 },
		{ "WWW-Authenticate", NULL, 200, 0 },
		{ "www-authenticate", NULL, 404, 0 },
		{ "Set-Cookie", NULL, 200, 0 },
		{ "Connection", NULL, 200, 0 },
		{ "Keep-Alive", NULL, 200, 0 },
		{ "Transfer-Encoding", NULL, 200, 0 },
		{ "Upgrade", NULL, 200, 0 },
		{ "Trailer", NULL, 200, 0 },
		{ "TE", NULL, 200, 0 },
		{ "Proxy-Authenticate", NULL, 200, 0 },
		{ "Proxy-Connection", NULL, 200, 0 },
		{ "Status", NULL, 200, 0 },
		{ "X-Sendfile", NULL, 200, 0 },
		{ "X-LIGHTTPD-send-file", NULL, 200, 0 },
		{ "X-Accel-Redirect", NULL, 200, 0 },
		{ "Location", NULL, 200, 0 },
		{ "Location", NULL, 201, 1 },
		{ "Location", NULL, 302, 1 },
		{ "X-Foo", "X-Foo", 200, 0 },
		{ "x-foo", "keep-alive, X-FOO", 200, 0 },
		{ "X-Foo", "X-Foobar", 200, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_EQ_INT(
		    proxy_resp_header_pass(cases[i].name, strlen(cases[i].name),
			cases[i].conn, cases[i].status),
		    cases[i].pass, "response header %s (status %d)",
		    cases[i].name, cases[i].status);
	/* The name is a slice of a longer line. */
	T_EQ_INT(proxy_resp_header_pass("Set-Cookie: a=b", 10, NULL, 200), 0,
	    "response header slice Set-Cookie");
	T_EQ_INT(proxy_resp_header_pass("Content-Type: x", 12, NULL, 200), 1,
	    "response header slice Content-Type");
}

static void
test_rpc_peek(void)
{
	static const struct {
		const char *body, *method, *tool;
	} cases[] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
		    "tools/list", NULL },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
		  "\"params\":{\"name\":\"get-sum\",\"arguments\":{}}}",
		    "tools/call", "get-sum" },
		{ "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
		  "\"params\":{\"name\":\"echo\"}},{\"method\":\"ping\"}]",
		    "tools/call", "echo" },
		{ "{\"method\":\"resources/read\",\"params\":{\"name\":\"x\"}}",
		    "resources/read", NULL },
		{ "{\"method\":\"tools/call\",\"params\":{\"name\":\"a "
		  "b\\nc\"}}",
		    "tools/call", "a?b?c" },
		{ "{\"method\":\"tools/call\",\"params\":{\"name\":7}}",
		    "tools/call", NULL },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", NULL, NULL },
		{ "{\"method\":5}", NULL, NULL },
		{ "not json", NULL, NULL },
		{ "[]", NULL, NULL },
		{ "", NULL, NULL },
	};
	const char *m, *t;
	char big[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		proxy_rpc_peek(
		    &A, cases[i].body, strlen(cases[i].body), &m, &t);
		T_EQ_STR(m, cases[i].method, "rpc peek %lu: method",
		    (unsigned long)i);
		T_EQ_STR(
		    t, cases[i].tool, "rpc peek %lu: tool", (unsigned long)i);
	}
	/* Long names are cut to 64 bytes. */
	memset(big, 0, sizeof(big));
	strcpy(big, "{\"method\":\"");
	memset(big + strlen(big), 'm', 100);
	strcat(big, "\"}");
	proxy_rpc_peek(&A, big, strlen(big), &m, &t);
	T_EQ_INT(m != NULL ? strlen(m) : 0, 64, "rpc peek: method cut to 64");
}

static void
test_endpoint_rewrite(void)
{
	static const struct {
		const char *sse, *ppu, *prefix, *data, *want;
	} cases[] = {
		/* TypeScript SDK servers: path-absolute. */
		{ "http://127.0.0.1:3001/sse", "http://127.0.0.1:3001", "",
		    "/messages?sessionId=abc-1",
		    "/srv/messages?sessionId=abc-1" },
		{ "http://127.0.0.1:3001/sse", "http://127.0.0.1:3001/", "",
		    "/messages?sessionId=abc-1",
		    "/srv/messages?sessionId=abc-1" },
		/* Python SDK: a mount path and a trailing slash. */
		{ "http://b:8000/mcp/sse", "http://b:8000/mcp", "",
		    "/mcp/messages/?session_id=00ff",
		    "/srv/messages/?session_id=00ff" },
		/* The gateway under a prefix. */
		{ "http://b/sse", "http://b", "/gw", "/messages?x=1",
		    "/gw/srv/messages?x=1" },
		/* Relative references resolve against the stream's URL. */
		{ "http://b/base/sse", "http://b/base", "", "messages?s=1",
		    "/srv/messages?s=1" },
		{ "http://b/base/sse?t=1", "http://b/base", "", "?s=2",
		    "/srv/sse?s=2" },
		/* Absolute URLs of the same origin. */
		{ "http://b:8000/sse", "http://b:8000", "",
		    "http://b:8000/messages?s=3", "/srv/messages?s=3" },
		{ "http://B:8000/sse", "http://b:8000", "",
		    "http://b:8000/messages?s=3", "/srv/messages?s=3" },
		/* The query is kept byte for byte. */
		{ "http://b/sse", "http://b", "", "/m?a=%2F&b=c%20d&e",
		    "/srv/m?a=%2F&b=c%20d&e" },
		/* Endpoint equal to the base path. */
		{ "http://b/base/sse", "http://b/base", "", "/base?s=1",
		    "/srv/?s=1" },
		/* Not routable: another origin, outside the base path. */
		{ "http://b:8000/sse", "http://b:8000", "",
		    "http://evil:8000/messages", NULL },
		{ "http://b:8000/sse", "http://b:8000", "",
		    "https://b:8000/messages", NULL },
		{ "http://b/base/sse", "http://b/base", "", "/other/messages",
		    NULL },
		{ "http://b/base/sse", "http://b/base", "", "/basement/m",
		    NULL },
		{ "http://b/sse", "http://b", "", "//evil/messages", NULL },
		{ "http://b/sse", "http://b", "", "/a/../messages", NULL },
		{ "http://b/sse", "http://b", "", "", NULL },
		{ "http://b/sse", "http://b", "", "/m es", NULL },
	};
	char *out;
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = proxy_endpoint_rewrite(&A, cases[i].sse, cases[i].ppu,
		    cases[i].prefix, "/srv", cases[i].data, &out);
		if (cases[i].want == NULL)
			T_EQ_INT(
			    e, ERR_INVAL, "endpoint %s refused", cases[i].data);
		else
			T_EQ_STR(e == ERR_OK ? out : "(refused)", cases[i].want,
			    "endpoint %s via %s", cases[i].data, cases[i].ppu);
	}
}

/* Collects what the rewriter emits. */
struct sink {
	char buf[PROXY_RW_MAX + 4096];
	size_t len;
	int fail_after; /* fail the call after this many; -1 never */
	int calls;
};

static int
sink_emit(void *user, const char *b, size_t n)
{
	struct sink *s = user;

	if (s->fail_after >= 0 && s->calls >= s->fail_after)
		return -1;
	s->calls++;
	if (s->len + n > sizeof(s->buf))
		return -1;
	memcpy(s->buf + s->len, b, n);
	s->len += n;
	return 0;
}

static void
test_rewriter(void)
{
	static const struct {
		const char *in, *want;
		int rewrote, failed;
	} cases[] = {
		{ "event: endpoint\ndata: /messages?sessionId=u1\n\n"
		  "event: message\ndata: {\"a\":1}\n\n",
		    "event: endpoint\ndata: /srv/messages?sessionId=u1\n\n"
		    "event: message\ndata: {\"a\":1}\n\n",
		    1, 0 },
		/* CRLF and data before event. */
		{ "data: /messages?sessionId=u2\r\nevent: endpoint\r\n\r\n"
		  ": ping\r\n\r\n",
		    "event: endpoint\ndata: /srv/messages?sessionId=u2\n\n"
		    ": ping\r\n\r\n",
		    1, 0 },
		/* Bare CR line ends and no space after the colon. */
		{ "event:endpoint\rdata:/messages?sessionId=u3\r\rdata: {}\r\r",
		    "event: endpoint\ndata: /srv/messages?sessionId=u3\n\n"
		    "data: {}\r\r",
		    1, 0 },
		/* Comments before the first event pass first. */
		{ ": hello\n\n\nevent: endpoint\ndata: /m?s=4\n\n",
		    ": hello\n\n\nevent: endpoint\ndata: /srv/m?s=4\n\n", 1,
		    0 },
		/* A byte order mark. */
		{ "\xef\xbb\xbf"
		  "event: endpoint\ndata: /m?s=5\n\n",
		    "event: endpoint\ndata: /srv/m?s=5\n\n", 1, 0 },
		/* Streamable HTTP: the first event is a message; untouched. */
		{ "event: message\nid: 1\ndata: {\"x\":\"event: endpoint\"}\n\n"
		  "event: endpoint\ndata: /m?s=6\n\n",
		    "event: message\nid: 1\ndata: {\"x\":\"event: "
		    "endpoint\"}\n\n"
		    "event: endpoint\ndata: /m?s=6\n\n",
		    0, 0 },
		/* A priming event (id only, empty data). */
		{ "id: p1\ndata: \n\nevent: message\ndata: {}\n\n",
		    "id: p1\ndata: \n\nevent: message\ndata: {}\n\n", 0, 0 },
		/* An incomplete event at the end is held back. */
		{ "event: endpoint\ndata: /m?s=7\n", "", 0, 0 },
		/* Endpoints that cannot be routed end the stream. */
		{ "event: endpoint\ndata: http://other:1/m\n\n", "", 0, 1 },
		{ "event: endpoint\ndata: /a\ndata: /b\n\n", "", 0, 1 },
	};
	struct proxy_rw rw;
	struct sink s;
	size_t i, n, cut;
	int rc, allok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = strlen(cases[i].in);
		allok = 1;
		/* Every split of the input into two reads gives the same. */
		for (cut = 0; cut <= n; cut++) {
			memset(&s, 0, sizeof(s));
			s.fail_after = -1;
			proxy_rw_init(&rw, &A, "http://127.0.0.1:3001/sse",
			    "http://127.0.0.1:3001", "", "/srv");
			rc = proxy_rw_feed(
			    &rw, cases[i].in, cut, sink_emit, &s);
			if (rc == 0)
				rc = proxy_rw_feed(&rw, cases[i].in + cut,
				    n - cut, sink_emit, &s);
			if (rc != (cases[i].failed ? -1 : 0) ||
			    rw.rewrote != cases[i].rewrote ||
			    rw.failed != cases[i].failed ||
			    s.len != strlen(cases[i].want) ||
			    memcmp(s.buf, cases[i].want, s.len) != 0) {
				allok = 0;
				printf("# case %lu cut %lu: rc %d, got %.*s\n",
				    (unsigned long)i, (unsigned long)cut, rc,
				    (int)s.len, s.buf);
				break;
			}
		}
		T_OK(allok, "rewriter case %lu, every split", (unsigned long)i);
	}

	/* Byte by byte. */
	memset(&s, 0, sizeof(s));
	s.fail_after = -1;
	proxy_rw_init(&rw, &A, "http://b/sse", "http://b", "/gw", "/srv");
	{
		const char *in = "event: endpoint\r\ndata: /m?s=9\r\n\r\n"
				 "data: {}\r\n\r\n";
		for (n = 0; in[n] != '\0'; n++)
			(void)proxy_rw_feed(&rw, in + n, 1, sink_emit, &s);
	}
	T_OK(s.len ==
		    strlen("event: endpoint\ndata: /gw/srv/m?s=9\n\n"
			   "data: {}\r\n\r\n") &&
		memcmp(s.buf,
		    "event: endpoint\ndata: /gw/srv/m?s=9\n\ndata: {}\r\n\r\n",
		    s.len) == 0,
	    "rewriter byte by byte");

	/* An event larger than the buffer passes through untouched. */
	{
		char *big = malloc(PROXY_RW_MAX + 100);

		memset(big, 'x', PROXY_RW_MAX + 100);
		memcpy(big, "event: endpoint\ndata: /", 23);
		memset(&s, 0, sizeof(s));
		s.fail_after = -1;
		proxy_rw_init(&rw, &A, "http://b/sse", "http://b", "", "/srv");
		rc = proxy_rw_feed(&rw, big, PROXY_RW_MAX + 100, sink_emit, &s);
		T_OK(rc == 0 && rw.done && !rw.rewrote &&
			s.len == PROXY_RW_MAX + 100 &&
			memcmp(s.buf, big, s.len) == 0,
		    "rewriter passes an oversized event on untouched");
		free(big);
	}

	/* A failing emit is reported. */
	memset(&s, 0, sizeof(s));
	s.fail_after = 0;
	proxy_rw_init(&rw, &A, "http://b/sse", "http://b", "", "/srv");
	T_EQ_INT(proxy_rw_feed(
		     &rw, "event: endpoint\ndata: /m\n\n", 26, sink_emit, &s),
	    -1, "rewriter: emit failure is reported");
	T_EQ_INT(rw.failed, 0, "rewriter: emit failure is not a routing one");
}

static void
test_srvcache(void)
{
	static const unsigned char blob[] = { 1, 0, 2, 3, 0, 255 };
	struct srvcache_entry e, got;
	int hit;

	srvcache_clear();
	memset(&e, 0, sizeof(e));
	e.id = "0b6f6e8c-63d5-4c8e-9b1a-1f7d5f1d2a10";
	e.path = "/Weather";
	e.proxy_pass_url = "http://127.0.0.1:8000";
	e.auth_scheme = "bearer";
	e.auth_header_name = "Authorization";
	e.cred_enc = blob;
	e.cred_enc_len = sizeof(blob);
	e.enabled = 1;

	T_EQ_INT(srvcache_find(&A, "/weather", 1000, &got), 0, "cache: empty");
	srvcache_put("/Weather", &e, 1000);
	T_EQ_INT(srvcache_count(), 1, "cache: one entry");
	hit = srvcache_find(&A, "/WEATHER", 1500, &got);
	T_EQ_INT(hit, 1, "cache: hit, case-insensitively");
	if (hit) {
		T_EQ_STR(got.path, "/Weather", "cache: stored spelling");
		T_EQ_STR(got.id, e.id, "cache: id");
		T_EQ_STR(got.proxy_pass_url, e.proxy_pass_url, "cache: url");
		T_EQ_STR(
		    got.auth_header_name, "Authorization", "cache: header");
		T_OK(got.cred_enc_len == sizeof(blob) &&
			memcmp(got.cred_enc, blob, sizeof(blob)) == 0 &&
			got.cred_enc != blob,
		    "cache: ciphertext copied");
		T_EQ_INT(got.enabled, 1, "cache: enabled");
	}
	T_EQ_INT(
	    srvcache_find(&A, "/weather", 1000 + SRVCACHE_TTL_MS - 1, &got), 1,
	    "cache: fresh just before the TTL");
	T_EQ_INT(srvcache_find(&A, "/weather", 1000 + SRVCACHE_TTL_MS, &got), 0,
	    "cache: expired at the TTL");
	T_EQ_INT(srvcache_count(), 0, "cache: expired entry dropped");
	T_EQ_INT(srvcache_find(&A, "/weather", 500, &got), 0,
	    "cache: gone after expiry");

	/* Replacement, no credential, and forgetting. */
	srvcache_put("/weather", &e, 2000);
	e.auth_scheme = "none";
	e.auth_header_name = NULL;
	e.cred_enc = NULL;
	e.cred_enc_len = 0;
	e.proxy_pass_url = "http://127.0.0.1:9000";
	srvcache_put("/WeAther", &e, 2100);
	T_EQ_INT(srvcache_count(), 1, "cache: replaced, not added");
	hit = srvcache_find(&A, "/weather", 2200, &got);
	T_OK(hit && strcmp(got.proxy_pass_url, "http://127.0.0.1:9000") == 0 &&
		got.cred_enc == NULL && got.auth_header_name == NULL,
	    "cache: the replacement is served");
	srvcache_put("/weather", NULL, 2300);
	T_EQ_INT(
	    srvcache_find(&A, "/weather", 2300, &got), 0, "cache: forgotten");

	/* Many entries, then clear. */
	{
		char p[32];
		int i, all = 1;

		for (i = 0; i < 300; i++) {
			snprintf(p, sizeof(p), "/s%d", i);
			srvcache_put(p, &e, 3000);
		}
		for (i = 0; i < 300; i++) {
			snprintf(p, sizeof(p), "/S%d", i);
			all &= srvcache_find(&A, p, 3001, &got);
		}
		T_OK(all, "cache: 300 entries all found");
		T_EQ_INT(srvcache_count(), 300, "cache: 300 entries");
	}
	srvcache_clear();
	T_EQ_INT(srvcache_count(), 0, "cache: cleared");
}

int
main(void)
{
	arena_init(&A);
	test_split_path();
	test_target_url();
	test_header_name();
	test_req_header_pass();
	test_resp_header_pass();
	test_rpc_peek();
	test_endpoint_rewrite();
	test_rewriter();
	test_srvcache();
	arena_free(&A);
	return t_done();
}
