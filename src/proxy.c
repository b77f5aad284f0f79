/* The gateway hop: /<path>/... proxied to the backend with its credential. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* POLLRDHUP */
#endif
#include <ctype.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <fcgiapp.h>

#include "crypt.h"
#include "log.h"
#include "proxy.h"
#include "srvcache.h"
#include "ssrf.h"

#define WWW_AUTH "WWW-Authenticate: Bearer realm=\"mcpgw\"\r\n"
#define PX_HDR_MAX 65536 /* response header bytes accepted from a backend */
#define PX_PEEK_MAX 65536 /* bodies larger than this are not peeked at */
#define PX_WORD_MAX 64 /* bytes of a method or tool name in the log */
#define PX_POLL_MS 1000 /* how often the client's connection is checked */
/*
 * A quiet stream gets an SSE comment this often, between events: web
 * servers notice a client that went away only when they write to it.
 */
#define PX_KEEPALIVE_MS 10000

struct proxy_worker {
	CURL *curl; /* made on first use, kept for keep-alive */
	char *hbuf; /* PX_HDR_MAX bytes for a response's header lines */
	FCGX_Request *fr;
};

/* Why the proxy itself stopped a transfer. */
enum px_stop {
	PX_NONE,
	PX_AUTH, /* the backend answered 401 or 403 */
	PX_TIMEOUT, /* proxy_timeout, or sse_idle_timeout on a stream */
	PX_GONE, /* the client went away */
	PX_BADRESP, /* headers too large or unusable */
	PX_REWRITE, /* a legacy endpoint that cannot be routed */
};

/* One transfer: what the libcurl callbacks share. */
struct px_xfer {
	struct req *r;
	struct arena *a;
	const struct conf *conf;
	int fcgi_fd; /* the web server's connection, -1 to not watch it */
	long long t0, last_io, next_poll;
	int status; /* status of the current header block */
	char *reason;
	char *hraw; /* raw header lines of the current block */
	size_t hlen;
	int sent; /* the response head went to the client */
	int sse; /* text/event-stream: flush every read, idle timeout */
	int want_rw; /* a GET: look for a legacy endpoint event */
	struct proxy_rw rw;
	size_t bytes;
	long long last_out; /* when the client was last written to */
	char tail[3]; /* the last bytes written, to know event boundaries */
	enum px_stop stop;
	const char *refused_why; /* set when an address was refused */
};

/* ---- pure helpers ---- */

static int
px_is_path_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

int
proxy_split_path(
    struct arena *a, const char *path, const char **srv, const char **rest)
{
	size_t n = 0;

	*srv = *rest = NULL;
	if (path[0] != '/' || !isalnum((unsigned char)path[1]))
		return 0;
	while (path[1 + n] != '\0' && path[1 + n] != '/') {
		if (!px_is_path_char((unsigned char)path[1 + n]) || n >= 64)
			return 0;
		n++;
	}
	*srv = arena_strndup(a, path, n + 1);
	*rest = path[1 + n] == '/' ? path + n + 2 : "";
	return 1;
}

/* 1 if the segment s[0..n) is "." or "..", also %-encoded. */
static int
px_dot_segment(const char *s, size_t n)
{
	size_t dots = 0, i = 0;

	while (i < n) {
		if (s[i] == '.')
			i++;
		else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
		    (s[i + 2] == 'e' || s[i + 2] == 'E'))
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

/* 1 if every byte of s is visible ASCII other than '#' and '\\'. */
static int
px_url_chars_ok(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '#' || *p == '\\')
			return 0;
	return 1;
}

enum err
proxy_target_url(struct arena *a, const char *base, const char *rest,
    const char *query, char **out, const char **why)
{
	const char *s, *e;
	size_t blen = strlen(base);

	*out = NULL;
	if (!px_url_chars_ok(rest) || !px_url_chars_ok(query)) {
		*why = "The request path or query holds a character that must "
		       "be percent-encoded.";
		return ERR_INVAL;
	}
	/* An encoded slash or backslash would let a backend that decodes
	 * before resolving dot segments climb out of proxy_pass_url's path. */
	if (strcasestr(rest, "%2f") != NULL ||
	    strcasestr(rest, "%5c") != NULL) {
		*why = "The request path has an encoded '/' or '\\'.";
		return ERR_INVAL;
	}
	for (s = rest;; s = e + 1) {
		e = strchr(s, '/');
		if (px_dot_segment(s, e ? (size_t)(e - s) : strlen(s))) {
			*why = "The request path has a '.' or '..' segment.";
			return ERR_INVAL;
		}
		if (e == NULL)
			break;
	}
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	*out = arena_printf(a, "%.*s/%s%s%s", (int)blen, base, rest,
	    *query != '\0' ? "?" : "", query);
	return ERR_OK;
}

char *
proxy_header_name(struct arena *a, const char *cgi)
{
	const char *s;
	char *out, *o;
	int start = 1;

	if (strncmp(cgi, "HTTP_", 5) != 0 || cgi[5] == '\0')
		return NULL;
	for (s = cgi + 5; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return NULL;
	o = out = arena_strdup(a, cgi + 5);
	for (; *o != '\0'; o++) {
		if (*o == '_') {
			*o = '-';
			start = 1;
			continue;
		}
		*o = (char)(start ? toupper((unsigned char)*o)
				  : tolower((unsigned char)*o));
		start = 0;
	}
	return out;
}

/* 1 if CGI name part c (after HTTP_) denotes header h[0..n). */
static int
px_cgi_is(const char *c, const char *h, size_t n)
{
	size_t i;
	int hc;

	for (i = 0; i < n; i++) {
		hc = h[i] == '-' ? '_' : toupper((unsigned char)h[i]);
		if (c[i] == '\0' || toupper((unsigned char)c[i]) != hc)
			return 0;
	}
	return c[n] == '\0';
}

/* 1 if the comma-separated list names the header; match(name, tok, n). */
static int
px_list_has(const char *list, const char *name,
    int (*match)(const char *, const char *, size_t))
{
	const char *p = list, *e;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		e = p;
		while (*e != '\0' && *e != ',' && *e != ' ' && *e != '\t')
			e++;
		if (e > p && match(name, p, (size_t)(e - p)))
			return 1;
		while (*e != '\0' && *e != ',')
			e++;
		p = e;
	}
	return 0;
}

int
proxy_req_header_pass(
    const char *cgi, const char *connection, const char *injected)
{
	static const char *const drop[] = { "CONNECTION", "KEEP_ALIVE", "TE",
		"TRAILER", "TRANSFER_ENCODING", "UPGRADE", "HOST", "ORIGIN",
		"AUTHORIZATION", "COOKIE", "EXPECT", "CONTENT_LENGTH",
		"CONTENT_TYPE", "X_FORWARDED_FOR", "X_FORWARDED_PROTO",
		"X_FORWARDED_HOST", "HTTP2_SETTINGS", NULL };
	const char *n;
	size_t i;

	if (strncasecmp(cgi, "HTTP_", 5) != 0)
		return 0;
	n = cgi + 5;
	/* Proxy-* and the "Proxy:" header of httpoxy fame. */
	if (strncasecmp(n, "PROXY", 5) == 0 && (n[5] == '\0' || n[5] == '_'))
		return 0;
	for (i = 0; drop[i] != NULL; i++)
		if (strcasecmp(n, drop[i]) == 0)
			return 0;
	if (injected != NULL && px_cgi_is(n, injected, strlen(injected)))
		return 0;
	if (connection != NULL && px_list_has(connection, n, px_cgi_is))
		return 0;
	return 1;
}

/* 1 if header name a equals h[0..n), case-insensitively. */
static int
px_name_is(const char *a, const char *h, size_t n)
{
	return strlen(a) == n && strncasecmp(a, h, n) == 0;
}

int
proxy_resp_header_pass(
    const char *name, size_t len, const char *connection, int status)
{
	static const char *const drop[] = { "connection", "keep-alive", "te",
		"trailer", "transfer-encoding", "upgrade", "www-authenticate",
		"set-cookie", "set-cookie2", "status", "x-sendfile",
		"x-sendfile2", "x-lighttpd-send-file", "x-accel-redirect",
		NULL };
	char n[256];
	size_t i;

	if (len >= sizeof(n))
		return 0;
	if (len >= 6 && strncasecmp(name, "proxy-", 6) == 0)
		return 0;
	for (i = 0; drop[i] != NULL; i++)
		if (px_name_is(drop[i], name, len))
			return 0;
	/* A web server may turn a Location into an internal redirect. */
	if (px_name_is("location", name, len))
		return status == 201 || (status >= 300 && status < 400);
	memcpy(n, name, len);
	n[len] = '\0';
	return connection == NULL || !px_list_has(connection, n, px_name_is);
}

/* A copy of s cut to PX_WORD_MAX bytes, odd bytes shown as '?'. */
static const char *
px_word(struct arena *a, const char *s)
{
	char *o;
	size_t i;

	if (s == NULL)
		return NULL;
	o = arena_strndup(a, s, PX_WORD_MAX);
	for (i = 0; o[i] != '\0'; i++)
		if (!isalnum((unsigned char)o[i]) &&
		    strchr("._/:-", o[i]) == NULL)
			o[i] = '?';
	return o;
}

void
proxy_rpc_peek(struct arena *a, const char *body, size_t len,
    const char **method, const char **tool)
{
	const cJSON *m, *p, *t, *it;
	cJSON *j;

	*method = *tool = NULL;
	if (len == 0 || len > PX_PEEK_MAX)
		return;
	if ((j = cJSON_ParseWithLength(body, len)) == NULL)
		return;
	it = cJSON_IsArray(j) ? cJSON_GetArrayItem(j, 0) : j;
	m = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "method")
			       : NULL;
	if (cJSON_IsString(m)) {
		*method = px_word(a, m->valuestring);
		p = cJSON_GetObjectItemCaseSensitive(it, "params");
		t = cJSON_IsObject(p)
		    ? cJSON_GetObjectItemCaseSensitive(p, "name")
		    : NULL;
		if (strcmp(m->valuestring, "tools/call") == 0 &&
		    cJSON_IsString(t))
			*tool = px_word(a, t->valuestring);
	}
	cJSON_Delete(j);
}

/* Length of "scheme://authority" at the start of url, 0 if none. */
static size_t
px_origin_len(const char *url)
{
	const char *p;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return 0;
	p += strcspn(p, "/?#");
	return (size_t)(p - url);
}

/* 1 if the path part (before '?') of p has a dot segment. */
static int
px_has_dot_segment(const char *p)
{
	size_t end = strcspn(p, "?"), i = 0, n;

	while (i < end) {
		if (p[i] == '/') {
			i++;
			continue;
		}
		n = strcspn(p + i, "/?");
		if (px_dot_segment(p + i, n))
			return 1;
		i += n;
	}
	return 0;
}

enum err
proxy_endpoint_rewrite(struct arena *a, const char *sse_url,
    const char *proxy_pass_url, const char *prefix, const char *srv_path,
    const char *data, char **out)
{
	size_t so = px_origin_len(sse_url), po, plen, dn;
	const char *path, *base, *rest, *slash;

	*out = NULL;
	if (so == 0 || !px_url_chars_ok(data) || *data == '\0')
		return ERR_INVAL;
	if ((dn = px_origin_len(data)) > 0) {
		if (dn != so || strncasecmp(data, sse_url, so) != 0)
			return ERR_INVAL;
		path = data + dn;
		if (*path != '/')
			path = arena_printf(a, "/%s", path);
	} else if (data[0] == '/' && data[1] == '/')
		return ERR_INVAL;
	else if (data[0] == '/')
		path = data;
	else {
		/* Relative to the stream's URL, as a browser resolves it. */
		base = arena_strndup(
		    a, sse_url + so, strcspn(sse_url + so, "?"));
		if (*base == '\0')
			base = "/";
		if (data[0] == '?')
			path = arena_printf(a, "%s%s", base, data);
		else {
			slash = strrchr(base, '/');
			path = arena_printf(
			    a, "%.*s%s", (int)(slash - base + 1), base, data);
		}
	}
	if (px_has_dot_segment(path))
		return ERR_INVAL;
	if ((po = px_origin_len(proxy_pass_url)) == 0)
		return ERR_INVAL;
	plen = strcspn(proxy_pass_url + po, "?");
	while (plen > 0 && proxy_pass_url[po + plen - 1] == '/')
		plen--;
	if (strncmp(path, proxy_pass_url + po, plen) != 0 ||
	    (path[plen] != '\0' && path[plen] != '/' && path[plen] != '?'))
		return ERR_INVAL;
	rest = path + plen;
	*out = arena_printf(
	    a, "%s%s%s%s", prefix, srv_path, *rest == '/' ? "" : "/", rest);
	return ERR_OK;
}

void
proxy_rw_init(struct proxy_rw *rw, struct arena *a, const char *sse_url,
    const char *proxy_pass_url, const char *prefix, const char *srv_path)
{
	memset(rw, 0, sizeof(*rw));
	rw->a = a;
	rw->sse_url = sse_url;
	rw->proxy_pass_url = proxy_pass_url;
	rw->prefix = prefix;
	rw->srv_path = srv_path;
}

/* Drops the first n bytes of rw->buf. */
static void
px_rw_shift(struct proxy_rw *rw, size_t n)
{
	memmove(rw->buf, rw->buf + n, rw->len - n);
	rw->len -= n;
}

/*
 * Handles the complete blocks in rw->buf, which always starts a block:
 * comment-only blocks are emitted, the first event is emitted (rewritten
 * if it is an endpoint event) and ends the scan. What remains is the
 * start of an incomplete block.
 */
static int
px_rw_scan(struct proxy_rw *rw, proxy_emit_fn emit, void *user)
{
	const char *b = rw->buf, *ln, *colon, *val, *dval = NULL;
	size_t i = 0, j, eol, ll, nlen, vlen, dlen = 0;
	int fields = 0, endpoint = 0, ndata = 0, rc;
	char *ev, *re;

	for (;;) {
		for (j = i; j < rw->len && b[j] != '\r' && b[j] != '\n'; j++)
			;
		/* Wait for the byte after a CR: it may be the LF of CRLF. */
		if (j >= rw->len || (b[j] == '\r' && j + 1 >= rw->len))
			return 0;
		eol = b[j] == '\r' && b[j + 1] == '\n' ? j + 2 : j + 1;
		if (j == i && fields == 0) {
			rc = emit(user, b, eol);
			px_rw_shift(rw, eol);
			if (rc != 0)
				return rc;
			i = 0;
			continue;
		}
		if (j == i)
			break;
		ln = b + i;
		ll = j - i;
		/* A byte order mark may open the stream. */
		if (ll >= 3 && memcmp(ln, "\xef\xbb\xbf", 3) == 0) {
			ln += 3;
			ll -= 3;
		}
		i = eol;
		if (ll > 0 && ln[0] == ':')
			continue;
		fields++;
		colon = memchr(ln, ':', ll);
		nlen = colon != NULL ? (size_t)(colon - ln) : ll;
		val = colon != NULL ? colon + 1 : ln + ll;
		vlen = ll - (size_t)(val - ln);
		if (vlen > 0 && *val == ' ') {
			val++;
			vlen--;
		}
		if (nlen == 5 && memcmp(ln, "event", 5) == 0)
			endpoint = vlen == 8 && memcmp(val, "endpoint", 8) == 0;
		else if (nlen == 4 && memcmp(ln, "data", 4) == 0) {
			ndata++;
			dval = val;
			dlen = vlen;
		}
	}
	/* The first event ends at eol. */
	rw->done = 1;
	if (!endpoint) {
		rc = emit(user, b, eol);
		px_rw_shift(rw, eol);
		return rc;
	}
	if (ndata != 1 ||
	    proxy_endpoint_rewrite(rw->a, rw->sse_url, rw->proxy_pass_url,
		rw->prefix, rw->srv_path, arena_strndup(rw->a, dval, dlen),
		&re) != ERR_OK) {
		rw->failed = 1;
		return -1;
	}
	px_rw_shift(rw, eol);
	rw->rewrote = 1;
	ev = arena_printf(rw->a, "event: endpoint\ndata: %s\n\n", re);
	return emit(user, ev, strlen(ev));
}

int
proxy_rw_feed(struct proxy_rw *rw, const char *buf, size_t len,
    proxy_emit_fn emit, void *user)
{
	size_t n;

	while (len > 0 && !rw->done) {
		if (rw->buf == NULL)
			rw->buf = arena_alloc(rw->a, PROXY_RW_MAX);
		n = PROXY_RW_MAX - rw->len;
		if (n > len)
			n = len;
		memcpy(rw->buf + rw->len, buf, n);
		rw->len += n;
		buf += n;
		len -= n;
		if (px_rw_scan(rw, emit, user) != 0)
			return -1;
		/* No event fits the buffer: give up looking. */
		if (rw->len == PROXY_RW_MAX)
			rw->done = 1;
		if (rw->done && rw->len > 0) {
			n = rw->len;
			rw->len = 0;
			if (emit(user, rw->buf, n) != 0)
				return -1;
		}
	}
	if (len > 0 && emit(user, buf, len) != 0)
		return -1;
	return 0;
}

/* ---- the transfer ---- */

enum err
proxy_worker_init(struct worker *w, struct FCGX_Request *fr)
{
	struct proxy_worker *px;

	if ((px = calloc(1, sizeof(*px))) == NULL)
		return ERR_NOMEM;
	px->fr = fr;
	w->px = px;
	return ERR_OK;
}

void
proxy_worker_free(struct proxy_worker *px)
{
	if (px == NULL)
		return;
	if (px->curl != NULL)
		curl_easy_cleanup(px->curl);
	free(px->hbuf);
	free(px);
}

/*
 * 1 if the web server closed the connection or wrote to it: after the
 * request's stdin has ended, that only happens when the client is gone.
 */
static int
px_client_gone(int fd)
{
	struct pollfd p;

	p.fd = fd;
	p.events = POLLIN | POLLRDHUP;
	p.revents = 0;
	return poll(&p, 1, 0) > 0 && p.revents != 0;
}

/* Writes to the client; a stream is flushed at once. 0 or -1 (gone). */
static int
px_emit(void *user, const char *buf, size_t len)
{
	struct px_xfer *x = user;
	size_t i;

	if (len > 0 && FCGX_PutStr(buf, (int)len, x->r->out) != (int)len)
		goto gone;
	if (x->sse && FCGX_FFlush(x->r->out) != 0)
		goto gone;
	x->bytes += len;
	if (len >= sizeof(x->tail))
		memcpy(x->tail, buf + len - sizeof(x->tail), sizeof(x->tail));
	else if (len > 0) {
		for (i = 0; i + len < sizeof(x->tail); i++)
			x->tail[i] = x->tail[i + len];
		memcpy(x->tail + sizeof(x->tail) - len, buf, len);
	}
	x->last_out = srvcache_now_ms();
	return 0;
gone:
	x->stop = PX_GONE;
	return -1;
}

/* The value of header name in the raw block, joined with ", "; or NULL. */
static char *
px_raw_header(struct px_xfer *x, const char *name)
{
	const char *p = x->hraw, *end = x->hraw + x->hlen, *e, *c, *v;
	size_t nl = strlen(name), vl;
	char *out = NULL;

	for (; p < end; p = e + 1) {
		if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		c = memchr(p, ':', (size_t)(e - p));
		if (c == NULL || (size_t)(c - p) != nl ||
		    strncasecmp(p, name, nl) != 0)
			continue;
		for (v = c + 1; v < e && (*v == ' ' || *v == '\t'); v++)
			;
		vl = (size_t)(e - v);
		while (vl > 0 &&
		    (v[vl - 1] == '\r' || v[vl - 1] == ' ' ||
			v[vl - 1] == '\t'))
			vl--;
		out = out == NULL
		    ? arena_strndup(x->a, v, vl)
		    : arena_printf(x->a, "%s, %.*s", out, (int)vl, v);
	}
	return out;
}

/*
 * 1 if the header line p[0..n) (without its line end) has a token name
 * and a value without control bytes: nothing a web server could read as
 * a second header.
 */
static int
px_line_ok(const char *p, size_t n, size_t name_len)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t i;

	for (i = 0; i < name_len; i++)
		if (!isalnum((unsigned char)p[i]) &&
		    strchr(tchar, p[i]) == NULL)
			return 0;
	for (i = name_len + 1; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return 0;
	return 1;
}

/* 1 if the media type of a Content-Type value is text/event-stream. */
static int
px_is_sse(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	n = strcspn(ct, "; \t");
	return n == 17 && strncasecmp(ct, "text/event-stream", 17) == 0;
}

/* Sends the status line and the relayed headers of the final block. */
static int
px_send_head(struct px_xfer *x)
{
	const char *p, *e, *c, *reason = x->reason, *conn, *s;
	size_t n, vl, cap = 2 * x->hlen + 512, len = 0;
	char *out;
	int xab = 0, nosniff = 0, w;

	conn = px_raw_header(x, "Connection");
	x->sse = px_is_sse(px_raw_header(x, "Content-Type"));
	for (s = reason; s != NULL && *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			break;
	if (reason == NULL || *reason == '\0' || *s != '\0')
		reason = resp_reason(x->status);
	out = arena_alloc(x->a, cap);
	w = snprintf(out, cap, "Status: %d %.64s\r\n", x->status, reason);
	len = (size_t)w;
	for (p = x->hraw; p < x->hraw + x->hlen; p = e + 1) {
		e = memchr(p, '\n', (size_t)(x->hraw + x->hlen - p));
		if (e == NULL)
			break;
		c = memchr(p, ':', (size_t)(e - p));
		/* Continuation lines (obsolete folding) and junk are dropped. */
		if (c == NULL || c == p || *p == ' ' || *p == '\t')
			continue;
		n = (size_t)(c - p);
		if (!proxy_resp_header_pass(p, n, conn, x->status))
			continue;
		vl = (size_t)(e - p);
		while (vl > 0 && p[vl - 1] == '\r')
			vl--;
		if (!px_line_ok(p, vl, n))
			continue;
		/* A stream is re-framed by the web server, never sized. */
		if (x->sse && n == 14 &&
		    strncasecmp(p, "content-length", n) == 0)
			continue;
		if (n == 17 && strncasecmp(p, "x-accel-buffering", n) == 0)
			xab = 1;
		if (n == 22 && strncasecmp(p, "x-content-type-options", n) == 0)
			nosniff = 1;
		memcpy(out + len, p, vl);
		len += vl;
		memcpy(out + len, "\r\n", 2);
		len += 2;
	}
	/*
	 * A backend's page must not run script with the gateway's origin
	 * (and its session cookie): sandbox it and forbid sniffing.
	 */
	w = snprintf(out + len, cap - len,
	    "%s%sContent-Security-Policy: "
	    "sandbox\r\n\r\n",
	    x->sse && !xab ? "X-Accel-Buffering: no\r\n" : "",
	    nosniff ? "" : "X-Content-Type-Options: nosniff\r\n");
	len += (size_t)w;
	x->sent = 1;
	x->last_out = srvcache_now_ms();
	x->r->replied = 1;
	x->r->status = x->status;
	if (FCGX_PutStr(out, (int)len, x->r->out) != (int)len ||
	    (x->sse && FCGX_FFlush(x->r->out) != 0)) {
		x->stop = PX_GONE;
		return -1;
	}
	return 0;
}

static size_t
px_on_header(char *data, size_t size, size_t nitems, void *user)
{
	struct px_xfer *x = user;
	size_t n = size * nitems, i;

	if (x->sent)
		return n; /* trailers */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		x->status = 0;
		x->reason = NULL;
		x->hlen = 0;
		for (i = 5; i < n && data[i] != ' '; i++)
			;
		if (i + 4 > n || !isdigit((unsigned char)data[i + 1]) ||
		    !isdigit((unsigned char)data[i + 2]) ||
		    !isdigit((unsigned char)data[i + 3])) {
			x->stop = PX_BADRESP;
			return 0;
		}
		x->status = (data[i + 1] - '0') * 100 +
		    (data[i + 2] - '0') * 10 + (data[i + 3] - '0');
		i += 4;
		if (i < n && data[i] == ' ')
			i++;
		while (n > i && (data[n - 1] == '\r' || data[n - 1] == '\n'))
			n--;
		x->reason = arena_strndup(x->a, data + i, n - i);
		return size * nitems;
	}
	if ((n == 2 && data[0] == '\r' && data[1] == '\n') ||
	    (n == 1 && data[0] == '\n')) {
		if (x->status < 200)
			return n; /* 100 Continue and friends */
		if (x->status == 401 || x->status == 403) {
			x->stop = PX_AUTH;
			return 0;
		}
		return px_send_head(x) == 0 ? n : 0;
	}
	if (x->hlen + n + 1 > PX_HDR_MAX || x->status == 0) {
		x->stop = PX_BADRESP;
		return 0;
	}
	memcpy(x->hraw + x->hlen, data, n);
	x->hlen += n;
	/* curl hands over whole lines; make sure each ends in '\n'. */
	if (data[n - 1] != '\n')
		x->hraw[x->hlen++] = '\n';
	return n;
}

static size_t
px_on_body(char *data, size_t size, size_t nitems, void *user)
{
	struct px_xfer *x = user;
	size_t n = size * nitems;

	if (!x->sent)
		return 0;
	x->last_io = srvcache_now_ms();
	if (x->want_rw && x->sse && !x->rw.done) {
		if (proxy_rw_feed(&x->rw, data, n, px_emit, x) != 0) {
			if (x->rw.failed)
				x->stop = PX_REWRITE;
			return 0;
		}
		return n;
	}
	return px_emit(x, data, n) == 0 ? n : 0;
}

/* 1 if what the client got so far ends between two SSE events. */
static int
px_at_boundary(const struct px_xfer *x)
{
	const char *t = x->tail;

	if (x->bytes == 0)
		return 1;
	return (t[1] == '\n' && t[2] == '\n') ||
	    (t[1] == '\r' && t[2] == '\r') ||
	    (t[1] == '\r' && t[2] == '\n' && (t[0] == '\n' || t[0] == '\r'));
}

static int
px_on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct px_xfer *x = user;
	long long now = srvcache_now_ms();

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (x->sent && x->sse) {
		if (now - x->last_io >= x->conf->sse_idle_timeout * 1000LL) {
			x->stop = PX_TIMEOUT;
			return 1;
		}
	} else if (now - x->t0 >= x->conf->proxy_timeout * 1000LL) {
		x->stop = PX_TIMEOUT;
		return 1;
	}
	if (x->sent && x->sse && now - x->last_out >= PX_KEEPALIVE_MS &&
	    px_at_boundary(x) && px_emit(x, ":\n\n", 3) != 0)
		return 1;
	if (x->fcgi_fd >= 0 && now >= x->next_poll) {
		x->next_poll = now + PX_POLL_MS;
		if (px_client_gone(x->fcgi_fd)) {
			x->stop = PX_GONE;
			return 1;
		}
	}
	return 0;
}

/* Connects only to addresses the SSRF policy allows (DNS rebinding). */
static curl_socket_t
px_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct px_xfer *x = user;
	const char *why = NULL;
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    !ssrf_addr_allowed(
		&addr->addr, (int)x->conf->ssrf_deny_private, &why)) {
		x->refused_why = why != NULL ? why : "not allowed";
		return CURL_SOCKET_BAD;
	}
	fd = socket(
	    addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* 1 if scopes allow invoking the server at path. */
static int
px_may_invoke(const char *scopes, const char *path)
{
	const char *p = scopes, *e;
	size_t n, pl = strlen(path);

	if (auth_has_scope(scopes, "mcp:invoke"))
		return 1;
	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		/* Paths are unique case-insensitively, so compare so. */
		if (n == 11 + pl && strncmp(p, "mcp:invoke:", 11) == 0 &&
		    strncasecmp(p + 11, path, pl) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* The path of public_base_url without trailing '/', "" if none. */
static const char *
px_public_prefix(struct arena *a, const char *base)
{
	size_t o, n;

	if (base == NULL || (o = px_origin_len(base)) == 0)
		return "";
	n = strcspn(base + o, "?#");
	while (n > 0 && base[o + n - 1] == '/')
		n--;
	return arena_strndup(a, base + o, n);
}

/* 1 if s has a byte that must not appear in a header value. */
static int
px_bad_value(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 1;
	return 0;
}

static enum err
px_append(struct curl_slist **l, const char *line)
{
	struct curl_slist *n = curl_slist_append(*l, line);

	if (n == NULL)
		return ERR_NOMEM;
	*l = n;
	return ERR_OK;
}

/*
 * The request headers for the backend (without the credential). ERR_INVAL
 * when a value holds CR or LF.
 */
static enum err
px_req_headers(
    struct hctx *c, const char *injected, int has_body, struct curl_slist **out)
{
	struct req *r = c->r;
	const char *conn = req_param(r, "HTTP_CONNECTION"), *v, *xff;
	struct curl_slist *l = NULL;
	char **ep, *eq, *name, *hn;
	enum err e = ERR_OK;
	int accept = 0;

	*out = NULL;
	for (ep = r->env; *ep != NULL && e == ERR_OK; ep++) {
		if (strncmp(*ep, "HTTP_", 5) != 0 ||
		    (eq = strchr(*ep, '=')) == NULL)
			continue;
		name = arena_strndup(c->a, *ep, (size_t)(eq - *ep));
		v = eq + 1;
		if (!proxy_req_header_pass(name, conn, injected) ||
		    (hn = proxy_header_name(c->a, name)) == NULL)
			continue;
		if (px_bad_value(v)) {
			e = ERR_INVAL;
			break;
		}
		if (strcmp(name, "HTTP_ACCEPT") == 0)
			accept = 1;
		/* "Name;" is how libcurl sends a header with no value. */
		e = px_append(&l,
		    *v != '\0' ? arena_printf(c->a, "%s: %s", hn, v)
			       : arena_printf(c->a, "%s;", hn));
	}
	if (e == ERR_OK && r->content_type != NULL) {
		if (px_bad_value(r->content_type))
			e = ERR_INVAL;
		else
			e = px_append(&l,
			    arena_printf(
				c->a, "Content-Type: %s", r->content_type));
	} else if (e == ERR_OK && has_body)
		e = px_append(&l, "Content-Type:"); /* no libcurl default */
	if (e == ERR_OK && !accept)
		e = px_append(&l, "Accept:");
	if (e == ERR_OK)
		e = px_append(&l, "Expect:");
	xff = req_param(r, "HTTP_X_FORWARDED_FOR");
	if (e == ERR_OK && xff != NULL && px_bad_value(xff))
		e = ERR_INVAL;
	if (e == ERR_OK && *r->remote_addr != '\0')
		e = px_append(&l,
		    xff != NULL && *xff != '\0'
			? arena_printf(c->a, "X-Forwarded-For: %s, %s", xff,
			      r->remote_addr)
			: arena_printf(
			      c->a, "X-Forwarded-For: %s", r->remote_addr));
	if (e == ERR_OK)
		e = px_append(&l,
		    r->https ? "X-Forwarded-Proto: https"
			     : "X-Forwarded-Proto: http");
	if (e == ERR_OK && r->host != NULL && *r->host != '\0') {
		if (px_bad_value(r->host))
			e = ERR_INVAL;
		else
			e = px_append(&l,
			    arena_printf(
				c->a, "X-Forwarded-Host: %s", r->host));
	}
	if (e != ERR_OK) {
		curl_slist_free_all(l);
		return e;
	}
	*out = l;
	return ERR_OK;
}

/*
 * "Name: value" of the stored credential in secure memory, or NULL (and
 * ERR_OK) when the server has none. The caller frees it with
 * crypt_secret_free().
 */
static enum err
px_credential(
    struct hctx *c, const struct srvcache_entry *s, struct crypt_secret **out)
{
	struct crypt_secret *plain = NULL;
	const char *aad, *prefix;
	enum err e;

	*out = NULL;
	if (s->cred_enc == NULL || s->auth_header_name == NULL ||
	    strcmp(s->auth_scheme, "none") == 0)
		return ERR_OK;
	aad = arena_printf(c->a, "servers/%s/auth_credential_enc", s->id);
	if ((e = crypt_open(c->app->kr, s->cred_enc, s->cred_enc_len, aad,
		 strlen(aad), &plain)) != ERR_OK)
		return e;
	if (px_bad_value(plain->data) || strlen(plain->data) != plain->len) {
		crypt_secret_free(plain);
		return ERR_CRYPTO;
	}
	prefix = arena_printf(c->a, "%s: %s", s->auth_header_name,
	    strcmp(s->auth_scheme, "bearer") == 0 ? "Bearer " : "");
	e = crypt_secret_concat(prefix, plain, out);
	crypt_secret_free(plain);
	return e;
}

/* 1 for a method token the proxy forwards. */
static int
px_method_ok(const char *m)
{
	const char *p;

	if (*m == '\0' || strcmp(m, "CONNECT") == 0 || strcmp(m, "TRACE") == 0)
		return 0;
	for (p = m; *p != '\0'; p++)
		if (!isupper((unsigned char)*p))
			return 0;
	return 1;
}

static void
px_log(struct hctx *c, const char *srv, const char *rpc, const char *tool,
    long long t0, size_t bytes, const char *note)
{
	log_info("proxy user=%s server=%s http=%s rpc=%s tool=%s status=%d "
		 "bytes=%lu ms=%lld%s%s",
	    c->who.user != NULL ? c->who.user : "-", srv, c->r->method,
	    rpc != NULL ? rpc : "-", tool != NULL ? tool : "-", c->r->status,
	    (unsigned long)bytes, srvcache_now_ms() - t0,
	    note != NULL ? " note=" : "", note != NULL ? note : "");
}

#define PX_SET(h, cc, opt, val) \
	do { \
		if ((cc) == CURLE_OK) \
			(cc) = curl_easy_setopt((h), (opt), (val)); \
	} while (0)

/*
 * Makes the worker's easy handle with the options every transfer shares,
 * and its header buffer. Kept between requests: no curl_easy_reset(), so
 * that neither the options nor the connection cache are rebuilt.
 */
static enum err
px_handle(struct proxy_worker *px, const struct conf *cf)
{
	CURLcode cc = CURLE_OK;
	CURL *h;

	if (px->curl != NULL)
		return ERR_OK;
	if (px->hbuf == NULL && (px->hbuf = malloc(PX_HDR_MAX)) == NULL)
		return ERR_NOMEM;
	if ((h = curl_easy_init()) == NULL)
		return ERR_NOMEM;
	PX_SET(h, cc, CURLOPT_NOSIGNAL, 1L);
	PX_SET(h, cc, CURLOPT_NOPROXY, "*");
	PX_SET(h, cc, CURLOPT_PROTOCOLS_STR, "http,https");
	PX_SET(h, cc, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	PX_SET(h, cc, CURLOPT_FOLLOWLOCATION, 0L);
	PX_SET(h, cc, CURLOPT_PATH_AS_IS, 1L);
	PX_SET(h, cc, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	PX_SET(h, cc, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	PX_SET(h, cc, CURLOPT_TCP_NODELAY, 1L);
	PX_SET(h, cc, CURLOPT_CONNECTTIMEOUT_MS,
	    cf->proxy_connect_timeout * 1000L);
	PX_SET(h, cc, CURLOPT_HEADERFUNCTION, px_on_header);
	PX_SET(h, cc, CURLOPT_WRITEFUNCTION, px_on_body);
	PX_SET(h, cc, CURLOPT_NOPROGRESS, 0L);
	PX_SET(h, cc, CURLOPT_XFERINFOFUNCTION, px_on_progress);
	PX_SET(h, cc, CURLOPT_OPENSOCKETFUNCTION, px_open_socket);
	if (cc != CURLE_OK) {
		curl_easy_cleanup(h);
		return ERR_NOMEM;
	}
	px->curl = h;
	return ERR_OK;
}

/* The options of one transfer; every one is set, as nothing is reset. */
static enum err
px_setup(CURL *h, struct px_xfer *x, const char *url, struct curl_slist *hdrs,
    const struct req *r, char *errbuf)
{
	CURLcode cc = CURLE_OK;
	const char *m = r->method;

	PX_SET(h, cc, CURLOPT_URL, url);
	PX_SET(h, cc, CURLOPT_ERRORBUFFER, errbuf);
	PX_SET(h, cc, CURLOPT_HTTPHEADER, hdrs);
	PX_SET(h, cc, CURLOPT_HEADERDATA, x);
	PX_SET(h, cc, CURLOPT_WRITEDATA, x);
	PX_SET(h, cc, CURLOPT_XFERINFODATA, x);
	PX_SET(h, cc, CURLOPT_OPENSOCKETDATA, x);
	/* GET clears what an earlier POST, HEAD or other method left. */
	PX_SET(h, cc, CURLOPT_HTTPGET, 1L);
	PX_SET(h, cc, CURLOPT_CUSTOMREQUEST, (char *)NULL);
	if (strcmp(m, "HEAD") == 0)
		PX_SET(h, cc, CURLOPT_NOBODY, 1L);
	else if (strcmp(m, "GET") != 0) {
		if (r->content_length >= 0 || strcmp(m, "POST") == 0) {
			PX_SET(h, cc, CURLOPT_POST, 1L);
			PX_SET(h, cc, CURLOPT_POSTFIELDSIZE, (long)r->body_len);
			PX_SET(h, cc, CURLOPT_POSTFIELDS, r->body);
		}
		if (strcmp(m, "POST") != 0)
			PX_SET(h, cc, CURLOPT_CUSTOMREQUEST, m);
	}
	return cc == CURLE_OK ? ERR_OK : ERR_NOMEM;
}

/* Forgets the pointers into this request's memory. */
static void
px_unset(CURL *h)
{
	CURLcode cc = CURLE_OK;

	PX_SET(h, cc, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	PX_SET(h, cc, CURLOPT_POSTFIELDS, (char *)NULL);
	PX_SET(h, cc, CURLOPT_ERRORBUFFER, (char *)NULL);
	PX_SET(h, cc, CURLOPT_HEADERDATA, (void *)NULL);
	PX_SET(h, cc, CURLOPT_WRITEDATA, (void *)NULL);
	PX_SET(h, cc, CURLOPT_XFERINFODATA, (void *)NULL);
	PX_SET(h, cc, CURLOPT_OPENSOCKETDATA, (void *)NULL);
	(void)cc;
}

/* Reads what is left of stdin, so that later input means "gone". */
static int
px_drain_stdin(struct req *r)
{
	char buf[512];

	while (FCGX_GetStr(buf, (int)sizeof(buf), r->in) > 0)
		;
	return FCGX_HasSeenEOF(r->in) != 0;
}

/* The reply for a transfer that failed before the response head. */
static void
px_fail_reply(struct hctx *c, struct px_xfer *x, CURLcode cc, const char *srv)
{
	const struct conf *cf = &c->app->conf;

	switch (x->stop) {
	case PX_AUTH:
		resp_error(c->r, 502, "backend_auth_failed",
		    "The backend rejected the gateway's stored credential.",
		    NULL, NULL);
		return;
	case PX_TIMEOUT:
		resp_error(c->r, 504, "backend_timeout",
		    arena_printf(c->a,
			"The backend did not answer within %ld seconds.",
			cf->proxy_timeout),
		    NULL, NULL);
		return;
	case PX_GONE:
		/* Nobody is listening; the status is for the log. */
		c->r->replied = 1;
		c->r->status = 499;
		return;
	case PX_BADRESP:
	case PX_REWRITE:
		resp_error(c->r, 502, "backend_bad_response",
		    "The backend's response could not be relayed.", NULL, NULL);
		return;
	case PX_NONE: break;
	}
	if (x->refused_why != NULL && cc == CURLE_COULDNT_CONNECT)
		resp_error(c->r, 502, "backend_address_refused",
		    "The backend's address is not allowed by the gateway's "
		    "outbound policy.",
		    NULL, NULL);
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		resp_error(c->r, 502, "backend_unreachable",
		    arena_printf(c->a,
			"The backend did not accept a connection within %ld "
			"seconds.",
			cf->proxy_connect_timeout),
		    NULL, NULL);
	else
		resp_error(c->r, 502, "backend_unreachable",
		    arena_printf(
			c->a, "The backend of %s could not be reached.", srv),
		    NULL, NULL);
}

static const char *
px_stop_note(enum px_stop s)
{
	switch (s) {
	case PX_AUTH: return "backend_auth_failed";
	case PX_TIMEOUT: return "timeout";
	case PX_GONE: return "client_gone";
	case PX_BADRESP: return "bad_response";
	case PX_REWRITE: return "endpoint_not_routable";
	case PX_NONE: break;
	}
	return NULL;
}

void
proxy_handle(struct hctx *c)
{
	const struct conf *cf = &c->app->conf;
	struct req *r = c->r;
	struct proxy_worker *px = c->w->px;
	struct srvcache_entry s;
	struct curl_slist *hdrs = NULL, cred_node, *tail;
	struct crypt_secret *cred = NULL;
	struct px_xfer x;
	const char *srv, *rest, *why = NULL, *sid, *rpc = NULL, *tool = NULL;
	const char *note = NULL;
	char *url, errbuf[CURL_ERROR_SIZE];
	long long t0 = srvcache_now_ms();
	CURLcode cc;
	enum err e;

	memset(&x, 0, sizeof(x));
	if (!proxy_split_path(c->a, r->path, &srv, &rest)) {
		resp_error(r, 404, "server_not_found",
		    "No server is registered at that path.", NULL, NULL);
		return;
	}
	if ((e = srvcache_get(c->db, c->a, srv, &s)) != ERR_OK) {
		if (e == ERR_NOTFOUND)
			h_not_found_server(c, srv);
		else
			h_fail(c, e);
		return;
	}
	srv = s.path;
	if (!s.enabled) {
		resp_error(r, 503, "server_disabled",
		    arena_printf(c->a, "The server %s is disabled.", srv), NULL,
		    NULL);
		goto done;
	}
	sid = req_cookie(r, "session");
	e = auth_authenticate(c->db, c->a, cf, c->app->kr, &c->w->authc,
	    r->authorization, sid, &c->who);
	if (e == ERR_AUTH) {
		resp_error(r, 401, "invalid_token",
		    r->authorization == NULL && sid == NULL
			? "A bearer token or a session cookie is required."
			: "The token or session is invalid or expired.",
		    NULL, WWW_AUTH);
		goto done;
	}
	if (e != ERR_OK) {
		h_fail(c, e);
		goto done;
	}
	if (!px_may_invoke(c->who.scopes, srv)) {
		resp_error(r, 403, "insufficient_scope",
		    arena_printf(c->a,
			"Invoking %s requires the 'mcp:invoke' or "
			"'mcp:invoke:%s' scope.",
			srv, srv),
		    NULL, NULL);
		goto done;
	}
	/* Cross-site forms cannot send JSON: the cookie is no CSRF vector. */
	if (c->who.via_session && strcmp(r->method, "POST") == 0 &&
	    strcmp(req_media_type(r), "application/json") != 0) {
		resp_error(r, 415, "unsupported_media_type",
		    "Requests authenticated by the session cookie must send "
		    "Content-Type: application/json.",
		    NULL, NULL);
		goto done;
	}
	if (!px_method_ok(r->method)) {
		resp_error(r, 405, "method_not_allowed",
		    "The gateway does not forward this method.", NULL, NULL);
		goto done;
	}
	e = req_read_body(r, (size_t)cf->max_body_bytes);
	if (e == ERR_TOOBIG) {
		resp_error(r, 413, "body_too_large",
		    arena_printf(c->a, "The request body exceeds %ld bytes.",
			cf->max_body_bytes),
		    NULL, NULL);
		goto done;
	}
	if (e != ERR_OK) {
		resp_error(r, 400, "incomplete_body",
		    "The request body is shorter than its Content-Length.",
		    NULL, NULL);
		goto done;
	}
	if (strcmp(req_media_type(r), "application/json") == 0)
		proxy_rpc_peek(c->a, r->body, r->body_len, &rpc, &tool);
	if (proxy_target_url(
		c->a, s.proxy_pass_url, rest, r->query, &url, &why) != ERR_OK) {
		resp_error(r, 400, "invalid_path", why, NULL, NULL);
		goto done;
	}
	if ((e = px_req_headers(c, s.auth_header_name, r->content_length >= 0,
		 &hdrs)) != ERR_OK) {
		if (e == ERR_INVAL)
			resp_error(r, 400, "invalid_header",
			    "A request header holds a CR or LF byte.", NULL,
			    NULL);
		else
			h_fail(c, e);
		goto done;
	}
	if (px == NULL || px_handle(px, cf) != ERR_OK) {
		h_fail(c, ERR_NOMEM);
		goto done;
	}
	if ((e = px_credential(c, &s, &cred)) != ERR_OK) {
		log_error("proxy: the credential of %s does not open", srv);
		h_fail(c, e == ERR_NOMEM ? ERR_NOMEM : ERR_CRYPTO);
		goto done;
	}
	/*
	 * The credential header is linked in as a node of our own so that
	 * the only copy we make stays in secure memory (libcurl still copies
	 * it into its request buffer while sending).
	 */
	tail = NULL;
	if (cred != NULL) {
		cred_node.data = cred->data;
		cred_node.next = NULL;
		for (tail = hdrs; tail != NULL && tail->next != NULL;
		     tail = tail->next)
			;
		if (tail != NULL)
			tail->next = &cred_node;
		else
			hdrs = &cred_node;
	}

	x.r = r;
	x.a = c->a;
	x.hraw = px->hbuf;
	x.conf = cf;
	x.t0 = x.last_io = x.last_out = t0;
	x.next_poll = t0 + PX_POLL_MS;
	x.fcgi_fd = -1;
	if (px->fr != NULL && px->fr->ipcFd >= 0 && px_drain_stdin(r))
		x.fcgi_fd = px->fr->ipcFd;
	x.want_rw = strcmp(r->method, "GET") == 0;
	proxy_rw_init(&x.rw, c->a, url, s.proxy_pass_url,
	    px_public_prefix(c->a, cf->public_base_url), srv);
	errbuf[0] = '\0';
	if (px_setup(px->curl, &x, url, hdrs, r, errbuf) != ERR_OK) {
		h_fail(c, ERR_NOMEM);
		cc = CURLE_OK;
	} else
		cc = curl_easy_perform(px->curl);
	/* Nothing may point at the arena or the credential any more. */
	px_unset(px->curl);
	if (tail != NULL)
		tail->next = NULL;
	else if (cred != NULL)
		hdrs = NULL;
	crypt_secret_free(cred);
	cred = NULL;
	curl_slist_free_all(hdrs);
	hdrs = NULL;

	note = px_stop_note(x.stop);
	if (x.stop == PX_REWRITE)
		log_warn("proxy: %s sent a legacy endpoint event that cannot "
			 "be routed through the gateway",
		    srv);
	if (!x.sent && !r->replied)
		px_fail_reply(c, &x, cc, srv);
	if (cc != CURLE_OK && x.stop == PX_NONE)
		note = arena_printf(c->a, "curl:%d(%s)", (int)cc,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	if (!x.sent && x.refused_why != NULL && cc == CURLE_COULDNT_CONNECT)
		note = arena_printf(c->a, "address_refused(%s)", x.refused_why);
done:
	curl_slist_free_all(hdrs);
	px_log(c, srv, rpc, tool, t0, x.sent ? x.bytes : r->bytes_out, note);
}
