/* An HTTP request as the FastCGI edge sees it: CGI params and body. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "form.h"
#include "req.h"

static const char *
env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

const char *
req_param(const struct req *r, const char *name)
{
	return env_get(r->env, name);
}

enum err
req_init(struct req *r, struct arena *a, char **envp)
{
	const char *v, *q;
	char *end;
	size_t n, i;

	memset(r, 0, sizeof(*r));
	r->a = a;
	for (n = 0; envp != NULL && envp[n] != NULL; n++)
		;
	r->env = arena_alloc(a, (n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		r->env[i] = arena_strdup(a, envp[i]);

	r->method = req_param(r, "REQUEST_METHOD");
	if (r->method == NULL || *r->method == '\0')
		return ERR_INVAL;
	if ((v = req_param(r, "REQUEST_URI")) == NULL || *v != '/') {
		/* Some servers give only SCRIPT_NAME + PATH_INFO. */
		const char *sn = req_param(r, "SCRIPT_NAME");
		const char *pi = req_param(r, "PATH_INFO");
		const char *qs = req_param(r, "QUERY_STRING");

		v = arena_printf(a, "%s%s%s%s", sn ? sn : "", pi ? pi : "",
		    qs && *qs ? "?" : "", qs && *qs ? qs : "");
		if (*v != '/')
			return ERR_INVAL;
	}
	r->uri = v;
	if ((q = strchr(v, '?')) != NULL) {
		r->path = arena_strndup(a, v, (size_t)(q - v));
		r->query = q + 1;
	} else {
		r->path = v;
		r->query = "";
	}
	r->content_type = req_param(r, "CONTENT_TYPE");
	if (r->content_type != NULL && *r->content_type == '\0')
		r->content_type = NULL;
	r->authorization = req_param(r, "HTTP_AUTHORIZATION");
	if (r->authorization == NULL)
		r->authorization = req_param(r, "Authorization");
	r->cookie = req_param(r, "HTTP_COOKIE");
	r->remote_addr = req_param(r, "REMOTE_ADDR");
	if (r->remote_addr == NULL)
		r->remote_addr = "";
	r->host = req_param(r, "HTTP_HOST");
	if (r->host == NULL)
		r->host = req_param(r, "SERVER_NAME");
	v = req_param(r, "HTTPS");
	r->https = v != NULL &&
	    (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0);

	r->content_length = -1;
	v = req_param(r, "CONTENT_LENGTH");
	if (v != NULL && *v != '\0') {
		long long cl;

		if (!isdigit((unsigned char)*v))
			return ERR_INVAL;
		errno = 0;
		cl = strtoll(v, &end, 10);
		if (errno != 0 || *end != '\0' || cl < 0)
			return ERR_INVAL;
		r->content_length = cl;
	}
	return ERR_OK;
}

enum err
req_read_body(struct req *r, size_t max)
{
	size_t want, got = 0;
	int n;

	r->body = arena_strdup(r->a, "");
	r->body_len = 0;
	if (r->content_length <= 0)
		return ERR_OK;
	if ((unsigned long long)r->content_length > max)
		return ERR_TOOBIG;
	want = (size_t)r->content_length;
	r->body = arena_alloc(r->a, want + 1);
	while (got < want) {
		n = FCGX_GetStr(r->body + got, (int)(want - got), r->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r->body[got] = '\0';
	r->body_len = got;
	return got == want ? ERR_OK : ERR_INVAL;
}

const char *
req_media_type(const struct req *r)
{
	const char *ct = r->content_type;
	size_t n = 0;
	char *m;

	if (ct == NULL)
		return "";
	while (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t')
		n++;
	m = arena_strndup(r->a, ct, n);
	for (n = 0; m[n] != '\0'; n++)
		m[n] = (char)tolower((unsigned char)m[n]);
	return m;
}

const char *
req_query(const struct req *r, const char *name)
{
	static const struct form_limits lim = { 64, 4096, 256 };
	const struct form_field *f;
	struct form q;
	const char *why;

	if (*r->query == '\0')
		return NULL;
	if (form_parse_urlencoded(
		r->a, r->query, strlen(r->query), &lim, &q, &why) != ERR_OK)
		return NULL;
	if ((f = form_get(&q, name)) == NULL)
		return NULL;
	/* A NUL inside a query value cannot be meant; treat as absent. */
	if (strlen(f->value) != f->len)
		return NULL;
	return f->value;
}

const char *
req_cookie(const struct req *r, const char *name)
{
	const char *p = r->cookie, *e;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		e = strchr(p, ';');
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return arena_strndup(r->a, p + n + 1,
			    e ? (size_t)(e - p - n - 1) : strlen(p + n + 1));
		p = e;
	}
	return NULL;
}
