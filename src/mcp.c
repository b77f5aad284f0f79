/* MCP client for health checks and tool discovery, over libcurl multi. */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "arena.h"
#include "log.h"
#include "mcp.h"
#include "sse.h"
#include "ssrf.h"

#define MCP_SESSION_ID_MAX 256
#define MCP_CTYPE_MAX 64
#define MCP_QUOTE_MAX 120 /* backend text quoted in a detail */
#define MCP_POLL_MS 1000
#define MCP_DEFAULT_TIMEOUT_MS 10000
#define MCP_DELETE_MIN_MS 50 /* budget below which DELETE is skipped */
#define MCP_ENDPOINT_MAX 2048

#define DETAIL_PREFIX "Failed to fetch tools: "
#define NO_TOOLS_LIST \
	DETAIL_PREFIX "the server does not implement the standard MCP " \
		      "tools/list method"

/* Versions we accept back from initialize (an allow-list, not a range). */
static const char *const mcp_versions[] = { "2025-11-25", "2025-06-18",
	"2025-03-26", "2024-11-05", NULL };

enum xkind { X_POST, X_DELETE, X_STREAM };

/* How a reply body is consumed, decided at its first byte. */
enum xmode { XM_UNDECIDED = 0, XM_SSE, XM_BUFFER, XM_DISCARD };

enum pstate {
	P_QUEUED = 0,
	P_INIT, /* POST initialize */
	P_NOTIFY, /* POST notifications/initialized */
	P_TOOLS, /* POST tools/list, one page per request */
	P_DELETE, /* DELETE the session; its result is ignored */
	P_LEGACY_OPEN, /* GET the legacy SSE URL, awaiting "endpoint" */
	P_DONE
};

struct probe;

/* One easy handle and what it received. */
struct xfer {
	struct probe *pr;
	CURL *h;
	int attached; /* added to the multi handle */
	enum xkind kind;
	struct curl_slist *hdrs; /* wiped before being freed */
	char *body; /* request body */
	char *resp; /* buffered reply (XM_BUFFER) */
	size_t resp_len, resp_cap;
	enum xmode mode;
	char ctype[MCP_CTYPE_MAX]; /* reply media type, lower case */
	char *session_id; /* the reply's Mcp-Session-Id */
	int bad_session; /* ... which was not visible ASCII or too long */
	struct sse_parser sse;
	long want_id; /* JSON-RPC id awaited in this reply, 0 for none */
	cJSON *reply; /* the response with want_id (XM_SSE) */
	int stopped; /* aborted on purpose once the reply was in */
	int too_big;
	int sse_bad;
	const char *refused; /* address policy sentence (static) */
	char refused_addr[INET6_ADDRSTRLEN];
	char errbuf[CURL_ERROR_SIZE];
};

struct probe {
	struct mcp_multi *m;
	const struct mcp_target *t;
	mcp_done_fn done;
	void *user;
	struct probe *next; /* queue or active list */
	struct probe *wake_next; /* wake list */
	int woken;
	enum pstate st;
	struct mcp_result res;
	long long t0, deadline; /* monotonic ms */
	char host[256]; /* the URL's host, for details */
	char hostport[300]; /* "host:port" for details */
	char *endpoint; /* where JSON-RPC messages are POSTed */
	char *sse_url; /* legacy GET URL */
	char *session_id;
	int has_tools; /* initialize announced the tools capability */
	long next_id;
	long init_http; /* status of the Streamable HTTP initialize */
	char init_err[MCP_QUOTE_MAX + 64]; /* and its JSON-RPC error, quoted */
	struct xfer *req; /* the request in flight */
	struct xfer *stream; /* the legacy SSE GET */
	size_t received; /* reply bytes over the whole probe */
	/* Legacy transport: replies come on the stream. */
	char *endpoint_raw; /* data of the endpoint event */
	int stream_bad; /* the first event was not "endpoint" */
	long wait_id; /* id whose reply is awaited on the stream */
	cJSON *stream_reply;
	int post_ok; /* the POST of the awaited request got its 2xx */
	/* Discovery. */
	cJSON *tools;
	char *cursors[MCP_MAX_PAGES];
	int pages;
};

struct mcp_multi {
	CURLM *cm;
	int concurrency;
	int active;
	struct probe *qhead, *qtail; /* queued, not started */
	struct probe *running; /* started, not finished */
	struct probe *wake; /* probes with stream news */
};

static void probe_finish(struct probe *pr, int status, long http,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void step_reply(struct probe *pr, cJSON *reply);
static char *
vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long
remaining_ms(const struct probe *pr)
{
	long long left = pr->deadline - now_ms();

	return left > 0 ? (long)left : 0;
}

static char *
vfmt(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Copies backend text for a detail: printable ASCII only, at most
 * MCP_QUOTE_MAX bytes, and withheld if it contains the credential.
 */
static void
quote(const struct probe *pr, const char *s, char *out, size_t outsz)
{
	const char *v = pr->t->auth_value, *tok;
	size_t i;

	for (i = 0;
	     s != NULL && s[i] != '\0' && i + 1 < outsz && i < MCP_QUOTE_MAX;
	     i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
	if (v == NULL || s == NULL)
		return;
	tok = strrchr(v, ' ') != NULL ? strrchr(v, ' ') + 1 : v;
	if ((strlen(v) >= 4 && strstr(s, v) != NULL) ||
	    (strlen(tok) >= 4 && strstr(s, tok) != NULL))
		snprintf(out, outsz, "(withheld: it quotes the credential)");
}

static const char *
server_name(const struct probe *pr)
{
	const char *p = pr->t->path;

	if (p == NULL || *p == '\0')
		return "{path}";
	return *p == '/' ? p + 1 : p;
}

/* The method name a step sends, for details. */
static const char *
step_name(const struct probe *pr)
{
	switch (pr->st) {
	case P_INIT: return "initialize";
	case P_NOTIFY: return "notifications/initialized";
	case P_TOOLS: return "tools/list";
	case P_DELETE: return "the session DELETE";
	case P_LEGACY_OPEN: return "the legacy SSE GET";
	default: return "the probe";
	}
}

/* Media type of a Content-Type value, lower case, without parameters. */
static void
media_type(const char *v, size_t n, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (; i < n && o + 1 < outsz; i++) {
		if (v[i] == ';' || v[i] == ' ' || v[i] == '\t' ||
		    v[i] == '\r' || v[i] == '\n')
			break;
		out[o++] = v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i];
	}
	out[o] = '\0';
}

/* Wipes every header line (one carries the credential), then frees. */
static void
wipe_headers(struct curl_slist *l)
{
	struct curl_slist *n;

	for (n = l; n != NULL; n = n->next)
		if (n->data != NULL)
			explicit_bzero(n->data, strlen(n->data));
	curl_slist_free_all(l);
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->attached)
		curl_multi_remove_handle(x->pr->m->cm, x->h);
	if (x->h != NULL)
		curl_easy_cleanup(x->h);
	wipe_headers(x->hdrs);
	free(x->body);
	free(x->resp);
	free(x->session_id);
	sse_free(&x->sse);
	cJSON_Delete(x->reply);
	free(x);
}

/* 1 when j is a JSON-RPC response (result or error) to request id. */
static int
is_response_to(const cJSON *j, long id)
{
	const cJSON *idj = cJSON_GetObjectItemCaseSensitive(j, "id");
	char num[32];

	if (!cJSON_IsObject(j) ||
	    (cJSON_GetObjectItemCaseSensitive(j, "result") == NULL &&
		cJSON_GetObjectItemCaseSensitive(j, "error") == NULL))
		return 0;
	if (cJSON_IsNumber(idj))
		return idj->valuedouble == (double)id;
	snprintf(num, sizeof(num), "%ld", id);
	return cJSON_IsString(idj) && strcmp(idj->valuestring, num) == 0;
}

/* Consumes j (a message or a batch); returns the response to id or NULL. */
static cJSON *
take_response(cJSON *j, long id)
{
	cJSON *it, *found = NULL;

	if (j == NULL)
		return NULL;
	if (!cJSON_IsArray(j)) {
		if (is_response_to(j, id))
			return j;
		cJSON_Delete(j);
		return NULL;
	}
	cJSON_ArrayForEach(it, j) if (is_response_to(it, id))
	{
		found = cJSON_DetachItemViaPointer(j, it);
		break;
	}
	cJSON_Delete(j);
	return found;
}

static void
wake(struct probe *pr)
{
	if (pr->woken)
		return;
	pr->woken = 1;
	pr->wake_next = pr->m->wake;
	pr->m->wake = pr;
}

static enum err
on_sse_event(void *user, const struct sse_event *ev)
{
	struct xfer *x = user;
	struct probe *pr = x->pr;
	cJSON *j;

	if (x->kind == X_STREAM && pr->endpoint_raw == NULL) {
		/* The legacy transport's first event names the POST URL. */
		if (strcmp(ev->type, "endpoint") != 0 || ev->data_len == 0 ||
		    ev->data_len > MCP_ENDPOINT_MAX) {
			pr->stream_bad = 1;
			wake(pr);
			return ERR_INVAL;
		}
		if ((pr->endpoint_raw = strdup(ev->data)) == NULL)
			return ERR_NOMEM;
		wake(pr);
		return ERR_OK;
	}
	/* Priming events (empty data) and other event types are skipped. */
	if (ev->data_len == 0 || strcmp(ev->type, "message") != 0)
		return ERR_OK;
	if (x->kind == X_POST) {
		if (x->reply != NULL || x->want_id == 0)
			return ERR_OK;
		j = cJSON_ParseWithLength(ev->data, ev->data_len);
		x->reply = take_response(j, x->want_id);
		return ERR_OK;
	}
	if (pr->wait_id == 0 || pr->stream_reply != NULL)
		return ERR_OK;
	j = cJSON_ParseWithLength(ev->data, ev->data_len);
	if ((pr->stream_reply = take_response(j, pr->wait_id)) != NULL)
		wake(pr);
	return ERR_OK;
}

static void
decide_mode(struct xfer *x)
{
	long code = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	if (x->kind == X_DELETE)
		x->mode = XM_DISCARD;
	else if (code >= 200 && code < 300 &&
	    strcmp(x->ctype, "text/event-stream") == 0) {
		x->mode = XM_SSE;
		sse_init(&x->sse, on_sse_event, x, MCP_MAX_RESPONSE);
	} else
		x->mode = XM_BUFFER;
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb, cap;
	curl_off_t cl = -1;
	enum err e;
	char *np;

	x->pr->received += n;
	if (x->pr->received > MCP_MAX_PROBE_BYTES) {
		x->too_big = 1;
		return 0;
	}
	if (x->mode == XM_UNDECIDED)
		decide_mode(x);
	switch (x->mode) {
	case XM_SSE:
		if ((e = sse_feed(&x->sse, ptr, n)) != ERR_OK) {
			if (e == ERR_TOOBIG)
				x->too_big = 1;
			else if (!x->pr->stream_bad)
				x->sse_bad = 1;
			return 0;
		}
		/*
		 * Once the reply is in (or at once for a notification, which
		 * awaits none), a stream the server keeps open is cut; one
		 * with a known length is read to its end so the connection can
		 * be reused.
		 */
		if (x->kind == X_POST &&
		    (x->reply != NULL || x->want_id == 0)) {
			curl_easy_getinfo(
			    x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
			if (cl < 0) {
				x->stopped = 1;
				return 0;
			}
		}
		return n;
	case XM_BUFFER:
		if (x->resp_len + n > MCP_MAX_RESPONSE) {
			x->too_big = 1;
			return 0;
		}
		if (x->resp_len + n + 1 > x->resp_cap) {
			cap = x->resp_cap == 0 ? 4096 : x->resp_cap;
			while (cap < x->resp_len + n + 1)
				cap *= 2;
			if ((np = realloc(x->resp, cap)) == NULL)
				return 0;
			x->resp = np;
			x->resp_cap = cap;
		}
		memcpy(x->resp + x->resp_len, ptr, n);
		x->resp_len += n;
		x->resp[x->resp_len] = '\0';
		return n;
	default: return n;
	}
}

static int
header_is(const char *b, size_t n, const char *name, size_t *vstart)
{
	size_t m = strlen(name);

	if (n <= m || b[m] != ':' || strncasecmp(b, name, m) != 0)
		return 0;
	*vstart = m + 1;
	return 1;
}

static size_t
on_header(char *b, size_t size, size_t nitems, void *user)
{
	struct xfer *x = user;
	size_t n = size * nitems, v, e, i;

	if (n >= 5 && strncmp(b, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx): forget the previous one's. */
		x->ctype[0] = '\0';
		free(x->session_id);
		x->session_id = NULL;
		x->bad_session = 0;
		return n;
	}
	if (header_is(b, n, "content-type", &v)) {
		media_type(b + v, n - v, x->ctype, sizeof(x->ctype));
	} else if (header_is(b, n, "mcp-session-id", &v)) {
		while (v < n && (b[v] == ' ' || b[v] == '\t'))
			v++;
		e = n;
		while (e > v &&
		    (b[e - 1] == '\r' || b[e - 1] == '\n' || b[e - 1] == ' ' ||
			b[e - 1] == '\t'))
			e--;
		x->bad_session = e == v || e - v > MCP_SESSION_ID_MAX;
		for (i = v; i < e; i++)
			if (b[i] < 0x21 || b[i] > 0x7e)
				x->bad_session = 1;
		free(x->session_id);
		x->session_id = x->bad_session ? NULL : strndup(b + v, e - v);
	}
	return n;
}

/*
 * Every address libcurl is about to connect to passes the SSRF policy
 * here, after its own resolution: a name that re-resolves to a refused
 * address (DNS rebinding) never gets a socket.
 */
static curl_socket_t
on_opensocket(void *user, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = user;
	const struct sockaddr *sa = &a->addr;
	const char *why = NULL;
	const void *ip = NULL;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!ssrf_addr_allowed(sa, x->pr->t->deny_private, &why)) {
		x->refused = why != NULL ? why : "address refused";
		if (sa->sa_family == AF_INET)
			ip = &((const struct sockaddr_in *)(const void *)sa)
				  ->sin_addr;
		else if (sa->sa_family == AF_INET6)
			ip = &((const struct sockaddr_in6 *)(const void *)sa)
				  ->sin6_addr;
		if (ip == NULL ||
		    inet_ntop(sa->sa_family, ip, x->refused_addr,
			sizeof(x->refused_addr)) == NULL)
			snprintf(x->refused_addr, sizeof(x->refused_addr),
			    "(address family %d)", sa->sa_family);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Appends "Name: value" and wipes the temporary copy. */
static enum err
add_header(struct curl_slist **l, const char *name, const char *value)
{
	struct curl_slist *nl;
	size_t n = strlen(name) + strlen(value) + 3;
	char *line;

	if ((line = malloc(n)) == NULL)
		return ERR_NOMEM;
	snprintf(line, n, "%s: %s", name, value);
	nl = curl_slist_append(*l, line);
	explicit_bzero(line, n);
	free(line);
	if (nl == NULL)
		return ERR_NOMEM;
	*l = nl;
	return ERR_OK;
}

static enum err
build_headers(struct probe *pr, enum xkind kind, struct curl_slist **out)
{
	const struct mcp_target *t = pr->t;
	struct curl_slist *l = NULL, *nl;

	*out = NULL;
	if (kind == X_POST &&
	    (add_header(&l, "Content-Type", "application/json") != ERR_OK ||
		add_header(&l, "Accept",
		    "application/json, text/event-stream") != ERR_OK))
		goto fail;
	if (kind == X_STREAM &&
	    (add_header(&l, "Accept", "text/event-stream") != ERR_OK ||
		add_header(&l, "Cache-Control", "no-cache") != ERR_OK))
		goto fail;
	/* No Expect: 100-continue round trip for our small bodies. */
	if (kind == X_POST) {
		if ((nl = curl_slist_append(l, "Expect:")) == NULL)
			goto fail;
		l = nl;
	}
	if (!pr->res.legacy && pr->session_id != NULL &&
	    add_header(&l, "Mcp-Session-Id", pr->session_id) != ERR_OK)
		goto fail;
	if (!pr->res.legacy && pr->st != P_INIT &&
	    pr->res.protocol_version != NULL &&
	    add_header(&l, "MCP-Protocol-Version", pr->res.protocol_version) !=
		ERR_OK)
		goto fail;
	if (t->auth_name != NULL && t->auth_value != NULL &&
	    t->auth_value[0] != '\0' &&
	    add_header(&l, t->auth_name, t->auth_value) != ERR_OK)
		goto fail;
	*out = l;
	return ERR_OK;
fail:
	wipe_headers(l);
	*out = NULL;
	return ERR_NOMEM;
}

/* Plain HTTP and HTTPS only (redirects are not followed at all). */
static CURLcode
set_protocols(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	return curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	return curl_easy_setopt(
	    h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

/* Creates, configures and starts one request; pr->req or pr->stream. */
static enum err
xfer_start(struct probe *pr, enum xkind kind, const char *url, char *body,
    long want_id)
{
	struct xfer *x;
	long left = remaining_ms(pr), ct;
	CURL *h;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		free(body);
		return ERR_NOMEM;
	}
	x->pr = pr;
	x->kind = kind;
	x->body = body;
	x->want_id = want_id;
	if ((x->h = h = curl_easy_init()) == NULL ||
	    build_headers(pr, kind, &x->hdrs) != ERR_OK)
		goto fail;
	ct = pr->t->connect_timeout_ms > 0 && pr->t->connect_timeout_ms < left
	    ? pr->t->connect_timeout_ms
	    : left;
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    set_protocols(h) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOPROXY, "*") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_VERBOSE, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left > 0 ? left : 1L) !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ct > 0 ? ct : 1L) !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_opensocket) !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, x) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) !=
		CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERDATA, x) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, x) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PRIVATE, x) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT,
		"mcpgw-prober/" PACKAGE_VERSION) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs) != CURLE_OK)
		goto fail;
	if (kind != X_STREAM &&
	    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		(curl_off_t)MCP_MAX_RESPONSE) != CURLE_OK)
		goto fail;
	if (kind == X_POST &&
	    (curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body) != CURLE_OK ||
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(x->body)) != CURLE_OK))
		goto fail;
	if (kind == X_DELETE &&
	    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE") != CURLE_OK)
		goto fail;
	if (curl_multi_add_handle(pr->m->cm, h) != CURLM_OK)
		goto fail;
	x->attached = 1;
	if (kind == X_STREAM)
		pr->stream = x;
	else
		pr->req = x;
	return ERR_OK;
fail:
	xfer_free(x);
	return ERR_NOMEM;
}

/* Sends a request (id > 0) or a notification (id 0); consumes params. */
static enum err
post_rpc(struct probe *pr, const char *method, cJSON *params, long id)
{
	cJSON *j;
	char *body;

	if ((j = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(params);
		return ERR_NOMEM;
	}
	cJSON_AddStringToObject(j, "jsonrpc", "2.0");
	if (id > 0)
		cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON_AddStringToObject(j, "method", method);
	if (params != NULL)
		cJSON_AddItemToObject(j, "params", params);
	body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (body == NULL)
		return ERR_NOMEM;
	if (pr->res.legacy) {
		pr->wait_id = id;
		pr->post_ok = 0;
		cJSON_Delete(pr->stream_reply);
		pr->stream_reply = NULL;
	}
	return xfer_start(
	    pr, X_POST, pr->endpoint, body, pr->res.legacy ? 0 : id);
}

static void
unlink_probe(struct probe **head, struct probe *pr, int wake_list)
{
	struct probe **pp;

	for (pp = head; *pp != NULL;
	     pp = wake_list ? &(*pp)->wake_next : &(*pp)->next)
		if (*pp == pr) {
			*pp = wake_list ? pr->wake_next : pr->next;
			return;
		}
}

/* Hands the result to done() and frees the probe. */
static void
probe_complete(struct probe *pr)
{
	struct mcp_multi *m = pr->m;
	struct mcp_result res;
	int i;

	xfer_free(pr->req);
	xfer_free(pr->stream);
	pr->req = pr->stream = NULL;
	unlink_probe(&m->running, pr, 0);
	if (pr->woken)
		unlink_probe(&m->wake, pr, 1);
	m->active--;
	pr->st = P_DONE;
	pr->res.latency_ms = (long)(now_ms() - pr->t0);
	/* Pages fetched before a failure are no discovery. */
	if (pr->res.status != MCP_HEALTHY)
		pr->res.tools_ok = 0;
	if (pr->res.tools_ok) {
		pr->res.tools = pr->tools;
		pr->tools = NULL;
	}
	log_debug("probe of %s: %s%s%s (%ld ms)", pr->hostport,
	    pr->res.status == MCP_HEALTHY           ? "healthy"
		: pr->res.status == MCP_AUTH_FAILED ? "auth_failed"
						    : "unhealthy",
	    pr->res.detail != NULL ? ": " : "",
	    pr->res.detail != NULL ? pr->res.detail : "", pr->res.latency_ms);
	res = pr->res;
	memset(&pr->res, 0, sizeof(pr->res));
	cJSON_Delete(pr->tools);
	cJSON_Delete(pr->stream_reply);
	for (i = 0; i < pr->pages; i++)
		free(pr->cursors[i]);
	free(pr->endpoint);
	free(pr->sse_url);
	free(pr->session_id);
	free(pr->endpoint_raw);
	pr->done(pr->user, &res);
	free(pr);
}

/*
 * Records the outcome, then ends the session (Streamable HTTP, when one
 * was opened and budget remains) before completing.
 */
static void
probe_finish(struct probe *pr, int status, long http, const char *fmt, ...)
{
	va_list ap;

	if (pr->st == P_DONE || pr->st == P_DELETE)
		return;
	pr->res.status = status;
	if (http != 0)
		pr->res.http_status = http;
	free(pr->res.detail);
	pr->res.detail = NULL;
	if (fmt != NULL) {
		va_start(ap, fmt);
		pr->res.detail = vfmt(fmt, ap);
		va_end(ap);
	}
	xfer_free(pr->req);
	pr->req = NULL;
	if (!pr->res.legacy && pr->session_id != NULL &&
	    remaining_ms(pr) >= MCP_DELETE_MIN_MS) {
		pr->st = P_DELETE;
		if (xfer_start(pr, X_DELETE, pr->endpoint, NULL, 0) == ERR_OK)
			return;
	}
	probe_complete(pr);
}

static void
fail_auth(struct probe *pr, long code)
{
	const char *what = step_name(pr);

	if (pr->t->auth_name == NULL || pr->t->auth_value == NULL)
		probe_finish(pr, MCP_AUTH_FAILED, code,
		    DETAIL_PREFIX "the backend requires a credential (HTTP %ld "
				  "to %s) and none is stored; set one with "
				  "PATCH /api/servers/%s/auth-credential",
		    code, what, server_name(pr));
	else
		probe_finish(pr, MCP_AUTH_FAILED, code,
		    DETAIL_PREFIX "credential rejected by the backend (HTTP "
				  "%ld to %s); the stored %s credential is "
				  "invalid%s; rotate it with PATCH "
				  "/api/servers/%s/auth-credential",
		    code, what, pr->t->auth_name,
		    code == 403 ? ", expired or lacks permission"
				: " or expired",
		    server_name(pr));
}

static void
fail_timeout(struct probe *pr, struct xfer *x)
{
	curl_off_t conn = 0;

	if (x != NULL)
		curl_easy_getinfo(x->h, CURLINFO_CONNECT_TIME_T, &conn);
	if (x != NULL && conn == 0)
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (no connection to %s "
				  "within the %ld ms timeout)",
		    pr->hostport,
		    pr->t->connect_timeout_ms > 0 &&
			    pr->t->connect_timeout_ms < pr->t->timeout_ms
			? pr->t->connect_timeout_ms
			: (long)(pr->deadline - pr->t0));
	else
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (%s did not answer %s "
				  "within the %ld ms probe timeout)",
		    pr->hostport, step_name(pr), (long)(pr->deadline - pr->t0));
}

/* Describes a failed transfer in words and ends the probe. */
static void
fail_transport(struct probe *pr, struct xfer *x, CURLcode rc)
{
	const char *what = step_name(pr);
	char eb[CURL_ERROR_SIZE], via[INET6_ADDRSTRLEN + 4] = "";
	long oe = 0;

	quote(pr, x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc), eb,
	    sizeof(eb));
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend's reply to %s exceeded the "
				  "%d MiB limit",
		    what,
		    (x->pr->received > MCP_MAX_PROBE_BYTES
			    ? MCP_MAX_PROBE_BYTES
			    : MCP_MAX_RESPONSE) >>
			20);
		return;
	}
	if (x->sse_bad) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend sent a malformed event stream "
				  "in reply to %s",
		    what);
		return;
	}
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		if (x->refused != NULL) {
			/* Name the address only when the URL has a name. */
			if (strcmp(pr->host, x->refused_addr) != 0)
				snprintf(
				    via, sizeof(via), " (%s)", x->refused_addr);
			probe_finish(pr, MCP_UNHEALTHY, 0,
			    DETAIL_PREFIX "the connection to %s%s was refused "
					  "by the gateway's outbound address "
					  "policy: %s",
			    pr->hostport, via, x->refused);
			return;
		}
		curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oe);
		if (oe == ECONNREFUSED)
			probe_finish(pr, MCP_UNHEALTHY, 0,
			    DETAIL_PREFIX "backend unreachable (connection "
					  "refused to %s)",
			    pr->hostport);
		else if (oe == EHOSTUNREACH || oe == ENETUNREACH)
			probe_finish(pr, MCP_UNHEALTHY, 0,
			    DETAIL_PREFIX "backend unreachable (no route to "
					  "%s)",
			    pr->hostport);
		else
			probe_finish(pr, MCP_UNHEALTHY, 0,
			    DETAIL_PREFIX "backend unreachable (could not "
					  "connect to %s: %s)",
			    pr->hostport, oe != 0 ? strerror((int)oe) : eb);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (the host name in %s "
				  "does not resolve)",
		    pr->hostport);
		return;
	case CURLE_OPERATION_TIMEDOUT: fail_timeout(pr, x); return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (TLS with %s failed: "
				  "%s)",
		    pr->hostport, eb);
		return;
	case CURLE_GOT_NOTHING:
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (%s closed the "
				  "connection without answering %s)",
		    pr->hostport, what);
		return;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (the connection to %s "
				  "broke during %s: %s)",
		    pr->hostport, what, eb);
		return;
	case CURLE_OUT_OF_MEMORY:
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
		return;
	default:
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "backend unreachable (%s during %s: %s)",
		    pr->hostport, what, eb);
		return;
	}
}

/* The JSON-RPC error of a buffered error reply, quoted, or "". */
static void
rpc_error_text(struct probe *pr, const struct xfer *x, char *out, size_t outsz)
{
	cJSON *j, *err, *msg, *code;
	char q[MCP_QUOTE_MAX + 1];

	out[0] = '\0';
	if (x->resp == NULL || (j = cJSON_Parse(x->resp)) == NULL)
		return;
	err = cJSON_GetObjectItemCaseSensitive(j, "error");
	code = cJSON_GetObjectItemCaseSensitive(err, "code");
	msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	if (cJSON_IsNumber(code) && cJSON_IsString(msg)) {
		quote(pr, msg->valuestring, q, sizeof(q));
		snprintf(
		    out, outsz, ": JSON-RPC error %d, %s", code->valueint, q);
	}
	cJSON_Delete(j);
}

static enum err start_legacy(struct probe *pr);

/*
 * Checks a finished POST: 1 when the probe went on (a failure was recorded
 * or the legacy fallback started), 0 when its 2xx reply is to be used.
 */
static int
post_failed(struct probe *pr, struct xfer *x, CURLcode rc, long code)
{
	char rpc[MCP_QUOTE_MAX + 64];

	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && x->stopped)) {
		fail_transport(pr, x, rc);
		return 1;
	}
	if (code == 401 || code == 403) {
		fail_auth(pr, code);
		return 1;
	}
	if (pr->st == P_INIT && !pr->res.legacy &&
	    (code == 400 || code == 404 || code == 405)) {
		pr->init_http = code;
		rpc_error_text(pr, x, pr->init_err, sizeof(pr->init_err));
		if (start_legacy(pr) != ERR_OK)
			probe_finish(pr, MCP_UNHEALTHY, code,
			    DETAIL_PREFIX "the prober ran out of memory");
		return 1;
	}
	if (code >= 500) {
		probe_finish(pr, MCP_UNHEALTHY, code,
		    DETAIL_PREFIX "backend unreachable (%s answered HTTP %ld "
				  "to %s)",
		    pr->hostport, code, step_name(pr));
		return 1;
	}
	if (code >= 300 && code < 400) {
		probe_finish(pr, MCP_UNHEALTHY, code,
		    DETAIL_PREFIX "the backend redirected %s (HTTP %ld) and "
				  "redirects are not followed; register the "
				  "final URL as proxy_pass_url",
		    step_name(pr), code);
		return 1;
	}
	if (code < 200 || code >= 300) {
		rpc_error_text(pr, x, rpc, sizeof(rpc));
		probe_finish(pr, MCP_UNHEALTHY, code,
		    DETAIL_PREFIX "the backend refused %s (HTTP %ld%s)",
		    step_name(pr), code, rpc);
		return 1;
	}
	return 0;
}

static void
start_tools_page(struct probe *pr, const char *cursor)
{
	cJSON *params = NULL;

	pr->st = P_TOOLS;
	if (cursor != NULL &&
	    ((params = cJSON_CreateObject()) == NULL ||
		cJSON_AddStringToObject(params, "cursor", cursor) == NULL)) {
		cJSON_Delete(params);
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
		return;
	}
	if (post_rpc(pr, "tools/list", params, pr->next_id++) != ERR_OK)
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
}

static void
finish_no_tools(struct probe *pr, const char *why)
{
	probe_finish(pr, MCP_HEALTHY, 0, NO_TOOLS_LIST " (%s)", why);
}

static void
start_notify(struct probe *pr)
{
	pr->st = P_NOTIFY;
	if (post_rpc(pr, "notifications/initialized", NULL, 0) != ERR_OK)
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
}

static void
after_notify(struct probe *pr)
{
	if (pr->has_tools)
		start_tools_page(pr, NULL);
	else
		finish_no_tools(pr, "it announces no tools capability");
}

static int
version_allowed(const char *v)
{
	int i;

	for (i = 0; mcp_versions[i] != NULL; i++)
		if (strcmp(v, mcp_versions[i]) == 0)
			return 1;
	return 0;
}

static void
init_reply(struct probe *pr, cJSON *reply)
{
	cJSON *err, *res, *ver, *caps, *info, *code, *msg;
	char q[MCP_QUOTE_MAX + 1];

	err = cJSON_GetObjectItemCaseSensitive(reply, "error");
	res = cJSON_GetObjectItemCaseSensitive(reply, "result");
	if (err != NULL) {
		code = cJSON_GetObjectItemCaseSensitive(err, "code");
		msg = cJSON_GetObjectItemCaseSensitive(err, "message");
		quote(pr, cJSON_IsString(msg) ? msg->valuestring : "", q,
		    sizeof(q));
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend rejected initialize (JSON-RPC "
				  "error %d: %s)",
		    cJSON_IsNumber(code) ? code->valueint : 0, q);
		return;
	}
	ver = cJSON_GetObjectItemCaseSensitive(res, "protocolVersion");
	caps = cJSON_GetObjectItemCaseSensitive(res, "capabilities");
	info = cJSON_GetObjectItemCaseSensitive(res, "serverInfo");
	if (!cJSON_IsObject(res) || !cJSON_IsString(ver) ||
	    !cJSON_IsObject(caps)) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend is not an MCP server (its "
				  "initialize result lacks protocolVersion or "
				  "capabilities)");
		return;
	}
	if (!version_allowed(ver->valuestring)) {
		quote(pr, ver->valuestring, q, sizeof(q));
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend speaks MCP protocol version "
				  "\"%s\", which the gateway does not support",
		    q);
		return;
	}
	if ((pr->res.protocol_version = strdup(ver->valuestring)) == NULL ||
	    (cJSON_IsObject(info) &&
		(pr->res.server_info = cJSON_Duplicate(info, 1)) == NULL)) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
		return;
	}
	pr->has_tools = cJSON_GetObjectItemCaseSensitive(caps, "tools") != NULL;
	start_notify(pr);
}

static int
cursor_seen(const struct probe *pr, const char *c)
{
	int i;

	for (i = 0; i < pr->pages; i++)
		if (pr->cursors[i] != NULL && strcmp(pr->cursors[i], c) == 0)
			return 1;
	return 0;
}

static void
tools_reply(struct probe *pr, cJSON *reply)
{
	cJSON *err, *res, *arr, *it, *name, *next, *code, *msg;
	char q[MCP_QUOTE_MAX + 1];
	int ntools;

	err = cJSON_GetObjectItemCaseSensitive(reply, "error");
	res = cJSON_GetObjectItemCaseSensitive(reply, "result");
	if (err != NULL) {
		code = cJSON_GetObjectItemCaseSensitive(err, "code");
		msg = cJSON_GetObjectItemCaseSensitive(err, "message");
		if (cJSON_IsNumber(code) && code->valueint == -32601) {
			finish_no_tools(pr,
			    "tools/list answered -32601 "
			    "method not found");
			return;
		}
		quote(pr, cJSON_IsString(msg) ? msg->valuestring : "", q,
		    sizeof(q));
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend answered tools/list with "
				  "JSON-RPC error %d: %s",
		    cJSON_IsNumber(code) ? code->valueint : 0, q);
		return;
	}
	arr = cJSON_GetObjectItemCaseSensitive(res, "tools");
	if (!cJSON_IsArray(arr)) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend is not an MCP server (its "
				  "tools/list result has no tools array)");
		return;
	}
	if (pr->tools == NULL && (pr->tools = cJSON_CreateArray()) == NULL) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
		return;
	}
	/* Tools are kept verbatim; entries without a string name are not. */
	while ((it = cJSON_DetachItemFromArray(arr, 0)) != NULL) {
		name = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (cJSON_IsObject(it) && cJSON_IsString(name) &&
		    name->valuestring[0] != '\0')
			cJSON_AddItemToArray(pr->tools, it);
		else
			cJSON_Delete(it);
	}
	ntools = cJSON_GetArraySize(pr->tools);
	pr->res.tools_ok = 1;
	next = cJSON_GetObjectItemCaseSensitive(res, "nextCursor");
	if (!cJSON_IsString(next) || next->valuestring[0] == '\0') {
		probe_finish(pr, MCP_HEALTHY, 0, NULL);
		return;
	}
	if (cursor_seen(pr, next->valuestring)) {
		probe_finish(pr, MCP_HEALTHY, 0,
		    "the backend repeated a tools/list cursor; kept the %d "
		    "tools of its first %d pages",
		    ntools, pr->pages + 1);
		return;
	}
	if (pr->pages + 1 >= MCP_MAX_PAGES) {
		probe_finish(pr, MCP_HEALTHY, 0,
		    "tool list truncated: kept the %d tools of the first %d "
		    "tools/list pages",
		    ntools, MCP_MAX_PAGES);
		return;
	}
	if ((pr->cursors[pr->pages] = strdup(next->valuestring)) == NULL) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
		return;
	}
	pr->pages++;
	start_tools_page(pr, pr->cursors[pr->pages - 1]);
}

/* Consumes the response to the current step's request. */
static void
step_reply(struct probe *pr, cJSON *reply)
{
	if (pr->st == P_INIT)
		init_reply(pr, reply);
	else if (pr->st == P_TOOLS)
		tools_reply(pr, reply);
	cJSON_Delete(reply);
}

/* A Streamable HTTP or legacy POST finished. */
static void
post_done(struct probe *pr, struct xfer *x, CURLcode rc, long code)
{
	cJSON *reply;

	if (code != 0)
		pr->res.http_status = code;
	if (post_failed(pr, x, rc, code))
		return;
	if (pr->st == P_INIT && !pr->res.legacy) {
		if (x->bad_session) {
			probe_finish(pr, MCP_UNHEALTHY, code,
			    DETAIL_PREFIX "the backend sent an invalid "
					  "Mcp-Session-Id header");
			return;
		}
		pr->session_id = x->session_id;
		x->session_id = NULL;
	}
	if (pr->st == P_NOTIFY) {
		after_notify(pr);
		return;
	}
	if (pr->res.legacy) {
		/* The reply comes on the stream, maybe already. */
		pr->post_ok = 1;
		if (pr->stream_reply != NULL) {
			reply = pr->stream_reply;
			pr->stream_reply = NULL;
			pr->wait_id = 0;
			step_reply(pr, reply);
		}
		return;
	}
	if (x->mode == XM_SSE) {
		if ((reply = x->reply) == NULL) {
			probe_finish(pr, MCP_UNHEALTHY, code,
			    DETAIL_PREFIX "the backend's event stream ended "
					  "without a reply to %s",
			    step_name(pr));
			return;
		}
		x->reply = NULL;
	} else if (strcmp(x->ctype, "application/json") == 0) {
		reply = take_response(
		    cJSON_ParseWithLength(
			x->resp != NULL ? x->resp : "", x->resp_len),
		    x->want_id);
		if (reply == NULL) {
			probe_finish(pr, MCP_UNHEALTHY, code,
			    DETAIL_PREFIX "the backend is not an MCP server "
					  "(no JSON-RPC reply to %s)",
			    step_name(pr));
			return;
		}
	} else {
		probe_finish(pr, MCP_UNHEALTHY, code,
		    DETAIL_PREFIX "the backend is not an MCP server (%s got "
				  "HTTP %ld with Content-Type \"%s\")",
		    step_name(pr), code,
		    x->ctype[0] != '\0' ? x->ctype : "none");
		return;
	}
	step_reply(pr, reply);
}

/* initialize params: our newest version, no capabilities, clientInfo. */
static cJSON *
init_params(void)
{
	cJSON *p, *ci;

	if ((p = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(
		p, "protocolVersion", MCP_PROTOCOL_VERSION) == NULL ||
	    cJSON_AddObjectToObject(p, "capabilities") == NULL ||
	    (ci = cJSON_AddObjectToObject(p, "clientInfo")) == NULL ||
	    cJSON_AddStringToObject(ci, "name", "mcpgw-prober") == NULL ||
	    cJSON_AddStringToObject(ci, "version", PACKAGE_VERSION) == NULL) {
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

/* Resolves the endpoint event against the SSE URL, same origin only. */
static enum err
resolve_endpoint(struct probe *pr, char **out)
{
	CURLU *base = NULL, *u = NULL;
	char *a[3] = { NULL }, *b[3] = { NULL };
	static const CURLUPart parts[3] = { CURLUPART_SCHEME, CURLUPART_HOST,
		CURLUPART_PORT };
	enum err e = ERR_INVAL;
	int i;

	*out = NULL;
	if ((base = curl_url()) == NULL || (u = curl_url()) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	if (curl_url_set(base, CURLUPART_URL, pr->sse_url, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, pr->sse_url, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, pr->endpoint_raw, 0) != CURLUE_OK)
		goto fail;
	for (i = 0; i < 3; i++)
		if (curl_url_get(base, parts[i], &a[i], CURLU_DEFAULT_PORT) !=
			CURLUE_OK ||
		    curl_url_get(u, parts[i], &b[i], CURLU_DEFAULT_PORT) !=
			CURLUE_OK ||
		    strcasecmp(a[i], b[i]) != 0)
			goto fail;
	if (curl_url_get(u, CURLUPART_URL, out, 0) != CURLUE_OK) {
		*out = NULL;
		goto fail;
	}
	e = ERR_OK;
fail:
	for (i = 0; i < 3; i++) {
		curl_free(a[i]);
		curl_free(b[i]);
	}
	curl_url_cleanup(base);
	curl_url_cleanup(u);
	return e;
}

/* The endpoint event arrived: POST initialize to it. */
static void
legacy_begin(struct probe *pr)
{
	char *url, *cu;
	cJSON *params;
	enum err e;

	e = resolve_endpoint(pr, &cu);
	if (e != ERR_OK) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the legacy SSE endpoint event names a URL "
				  "that is invalid or on another origin");
		return;
	}
	url = strdup(cu);
	curl_free(cu);
	free(pr->endpoint);
	pr->endpoint = url;
	if (url == NULL)
		goto nomem;
	pr->st = P_INIT;
	if ((params = init_params()) == NULL)
		goto nomem;
	if (post_rpc(pr, "initialize", params, pr->next_id++) != ERR_OK)
		goto nomem;
	return;
nomem:
	probe_finish(
	    pr, MCP_UNHEALTHY, 0, DETAIL_PREFIX "the prober ran out of memory");
}

static enum err
start_legacy(struct probe *pr)
{
	xfer_free(pr->req);
	pr->req = NULL;
	pr->res.legacy = 1;
	pr->st = P_LEGACY_OPEN;
	return xfer_start(pr, X_STREAM, pr->sse_url, NULL, 0);
}

/* The legacy SSE GET ended (it should outlive the probe). */
static void
stream_done(struct probe *pr, struct xfer *x, CURLcode rc, long code)
{
	if (pr->st == P_LEGACY_OPEN && pr->endpoint_raw == NULL) {
		if (code == 401 || code == 403) {
			fail_auth(pr, code);
			return;
		}
		if (rc == CURLE_OK &&
		    (code < 200 || code >= 300 ||
			strcmp(x->ctype, "text/event-stream") != 0)) {
			probe_finish(pr, MCP_UNHEALTHY, pr->init_http,
			    DETAIL_PREFIX
			    "the backend does not serve MCP at "
			    "this URL (initialize POST: HTTP "
			    "%ld%s; legacy SSE GET: HTTP %ld%s%s)",
			    pr->init_http, pr->init_err, code,
			    code >= 200 && code < 300 ? " with Content-Type "
						      : "",
			    code >= 200 && code < 300 ? x->ctype : "");
			return;
		}
	}
	if (pr->stream_bad) {
		probe_finish(pr, MCP_UNHEALTHY, code,
		    DETAIL_PREFIX "the backend is not an MCP server (its "
				  "legacy SSE stream did not start with an "
				  "endpoint event)");
		return;
	}
	if (rc != CURLE_OK) {
		fail_transport(pr, x, rc);
		return;
	}
	probe_finish(pr, MCP_UNHEALTHY, code,
	    DETAIL_PREFIX "the backend closed its legacy SSE stream before "
			  "answering %s",
	    step_name(pr));
}

/* Acts on what the legacy stream delivered (outside libcurl callbacks). */
static void
on_wake(struct probe *pr)
{
	cJSON *reply;

	if (pr->st == P_LEGACY_OPEN) {
		if (pr->stream_bad)
			probe_finish(pr, MCP_UNHEALTHY, 0,
			    DETAIL_PREFIX "the backend is not an MCP server "
					  "(its legacy SSE stream did not "
					  "start with an endpoint event)");
		else if (pr->endpoint_raw != NULL)
			legacy_begin(pr);
		return;
	}
	if (pr->post_ok && pr->stream_reply != NULL && pr->req == NULL) {
		reply = pr->stream_reply;
		pr->stream_reply = NULL;
		pr->wait_id = 0;
		pr->post_ok = 0;
		step_reply(pr, reply);
	}
}

static void
xfer_done(struct xfer *x, CURLcode rc)
{
	struct probe *pr = x->pr;
	long code = 0;

	curl_multi_remove_handle(pr->m->cm, x->h);
	x->attached = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	if (x == pr->stream) {
		pr->stream = NULL;
		stream_done(pr, x, rc, code);
	} else {
		pr->req = NULL;
		if (pr->st == P_DELETE)
			probe_complete(pr);
		else
			post_done(pr, x, rc, code);
	}
	xfer_free(x);
}

/* Derives the Streamable HTTP endpoint and the legacy SSE URL. */
static enum err
derive_urls(struct probe *pr)
{
	CURLU *u;
	char *path = NULL, *base = NULL, *np = NULL, *url = NULL;
	size_t n;
	enum err e = ERR_INVAL;
	int is_mcp, is_sse;

	if ((u = curl_url()) == NULL)
		return ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, pr->t->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto fail;
	e = ERR_NOMEM;
	if ((base = strdup(path)) == NULL)
		goto fail;
	is_mcp = has_suffix(base, "/mcp") || has_suffix(base, "/mcp/");
	is_sse = has_suffix(base, "/sse") || has_suffix(base, "/sse/");
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	if (is_mcp) {
		base[n - 4] = '\0';
		if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
			goto fail;
	} else {
		if ((np = malloc(n + 5)) == NULL)
			goto fail;
		snprintf(np, n + 5, "%s/mcp", base);
		if (curl_url_set(u, CURLUPART_PATH, np, 0) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
			goto fail;
		free(np);
		np = NULL;
	}
	if ((pr->endpoint = strdup(url)) == NULL)
		goto fail;
	curl_free(url);
	url = NULL;
	if (is_sse) {
		if (curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK)
			goto fail;
	} else {
		n = strlen(base);
		if ((np = malloc(n + 5)) == NULL)
			goto fail;
		snprintf(np, n + 5, "%s/sse", base);
		if (curl_url_set(u, CURLUPART_PATH, np, 0) != CURLUE_OK)
			goto fail;
	}
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK ||
	    (pr->sse_url = strdup(url)) == NULL)
		goto fail;
	e = ERR_OK;
fail:
	curl_free(path);
	curl_free(url);
	free(base);
	free(np);
	curl_url_cleanup(u);
	return e;
}

/* A header name is an RFC 9110 token; a value has no CR, LF or NUL. */
static int
auth_ok(const struct mcp_target *t)
{
	const char *s;

	if (t->auth_name == NULL)
		return 1;
	if (t->auth_name[0] == '\0' || t->auth_value == NULL)
		return 0;
	for (s = t->auth_name; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?={}", *s) != NULL)
			return 0;
	for (s = t->auth_value; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

static void
probe_start(struct probe *pr)
{
	struct arena a;
	struct url u;
	const char *why = NULL;
	cJSON *params;
	long tmo = pr->t->timeout_ms > 0 ? pr->t->timeout_ms
					 : MCP_DEFAULT_TIMEOUT_MS;

	pr->t0 = now_ms();
	pr->deadline = pr->t0 + tmo;
	pr->next_id = 1;
	pr->st = P_INIT;
	arena_init(&a);
	if (pr->t->url == NULL ||
	    ssrf_parse_url(&a, pr->t->url, &u, &why) != ERR_OK) {
		snprintf(pr->hostport, sizeof(pr->hostport), "(invalid URL)");
		arena_free(&a);
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend URL is invalid (%s)",
		    why != NULL ? why : "missing");
		return;
	}
	snprintf(pr->host, sizeof(pr->host), "%s", u.host);
	snprintf(pr->hostport, sizeof(pr->hostport),
	    strchr(u.host, ':') != NULL ? "[%s]:%u" : "%s:%u", u.host, u.port);
	arena_free(&a);
	if (!auth_ok(pr->t)) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the stored credential header is malformed; "
				  "set it again with PATCH "
				  "/api/servers/%s/auth-credential",
		    server_name(pr));
		return;
	}
	if (derive_urls(pr) != ERR_OK) {
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the backend URL is invalid");
		return;
	}
	if ((params = init_params()) == NULL ||
	    post_rpc(pr, "initialize", params, pr->next_id++) != ERR_OK)
		probe_finish(pr, MCP_UNHEALTHY, 0,
		    DETAIL_PREFIX "the prober ran out of memory");
}

void
mcp_result_free(struct mcp_result *r)
{
	if (r == NULL)
		return;
	free(r->detail);
	cJSON_Delete(r->tools);
	cJSON_Delete(r->server_info);
	free(r->protocol_version);
	memset(r, 0, sizeof(*r));
}

struct mcp_multi *
mcp_multi_new(int concurrency)
{
	struct mcp_multi *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->cm = curl_multi_init()) == NULL) {
		free(m);
		return NULL;
	}
	m->concurrency = concurrency > 0 ? concurrency : 1;
	return m;
}

enum err
mcp_multi_add(struct mcp_multi *m, const struct mcp_target *t, mcp_done_fn done,
    void *user)
{
	struct probe *pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return ERR_NOMEM;
	pr->m = m;
	pr->t = t;
	pr->done = done;
	pr->user = user;
	pr->st = P_QUEUED;
	if (m->qtail != NULL)
		m->qtail->next = pr;
	else
		m->qhead = pr;
	m->qtail = pr;
	return ERR_OK;
}

/* Starts queued probes while there is room. */
static void
fill(struct mcp_multi *m)
{
	struct probe *pr;

	while (m->active < m->concurrency && m->qhead != NULL) {
		pr = m->qhead;
		if ((m->qhead = pr->next) == NULL)
			m->qtail = NULL;
		pr->next = m->running;
		m->running = pr;
		m->active++;
		probe_start(pr);
	}
}

static void
run_wakes(struct mcp_multi *m)
{
	struct probe *pr;

	while ((pr = m->wake) != NULL) {
		m->wake = pr->wake_next;
		pr->woken = 0;
		on_wake(pr);
	}
}

/*
 * After a failure of the multi interface: end every running probe without
 * a session DELETE, as nothing more can be sent.
 */
static void
abort_all(struct mcp_multi *m)
{
	struct probe *pr;

	while ((pr = m->running) != NULL) {
		free(pr->session_id);
		pr->session_id = NULL;
		if (pr->st == P_DELETE)
			probe_complete(pr);
		else
			probe_finish(pr, MCP_UNHEALTHY, 0,
			    DETAIL_PREFIX "internal error in the prober's HTTP "
					  "client");
	}
}

enum err
mcp_multi_run(struct mcp_multi *m)
{
	struct CURLMsg *msg;
	CURLMcode mc;
	int still, left;

	for (;;) {
		fill(m);
		if (m->active == 0 && m->qhead == NULL)
			return ERR_OK;
		if ((mc = curl_multi_perform(m->cm, &still)) != CURLM_OK)
			goto fail;
		run_wakes(m);
		while ((msg = curl_multi_info_read(m->cm, &left)) != NULL) {
			struct xfer *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(
			    msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if (x != NULL)
				xfer_done(x, msg->data.result);
		}
		run_wakes(m);
		if (m->active < m->concurrency && m->qhead != NULL)
			continue;
		if (m->active == 0)
			continue;
		if ((mc = curl_multi_poll(m->cm, NULL, 0, MCP_POLL_MS, NULL)) !=
		    CURLM_OK)
			goto fail;
	}
fail:
	log_error("curl multi: %s", curl_multi_strerror(mc));
	abort_all(m);
	return mc == CURLM_OUT_OF_MEMORY ? ERR_NOMEM : ERR_NET;
}

void
mcp_multi_free(struct mcp_multi *m)
{
	struct probe *pr;

	if (m == NULL)
		return;
	while ((pr = m->qhead) != NULL) {
		m->qhead = pr->next;
		free(pr);
	}
	curl_multi_cleanup(m->cm);
	free(m);
}

static void
one_done(void *user, struct mcp_result *r)
{
	struct mcp_result *out = user;

	*out = *r;
	memset(r, 0, sizeof(*r));
}

enum err
mcp_probe_one(const struct mcp_target *t, struct mcp_result *out)
{
	struct mcp_multi *m;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((m = mcp_multi_new(1)) == NULL)
		return ERR_NOMEM;
	if ((e = mcp_multi_add(m, t, one_done, out)) == ERR_OK)
		e = mcp_multi_run(m);
	mcp_multi_free(m);
	return e;
}
