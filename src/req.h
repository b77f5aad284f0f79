/* An HTTP request as the FastCGI edge sees it: CGI params and body. */
#ifndef MCPGW_REQ_H
#define MCPGW_REQ_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

struct FCGX_Stream;

struct req {
	struct arena *a;
	struct FCGX_Stream *in, *out;
	const char *method; /* never NULL */
	const char *uri; /* REQUEST_URI as sent, never NULL */
	const char *path; /* uri up to '?', still %-encoded */
	const char *query; /* after '?', "" if none */
	const char *content_type; /* NULL if none */
	const char *authorization; /* NULL if none */
	const char *cookie; /* NULL if none */
	const char *remote_addr; /* never NULL ("" if unknown) */
	const char *host; /* HTTP_HOST or SERVER_NAME */
	int https;
	long long content_length; /* -1 when absent */
	char **env; /* all CGI params, for the proxy */
	char *body; /* arena, NUL-terminated */
	size_t body_len;
	int replied; /* a response was started */
	int status; /* for the access log */
	size_t bytes_out;
};

/*
 * Fills r from CGI parameters envp (copied into arena a; envp may die
 * afterwards). ERR_INVAL when a required parameter is missing or
 * CONTENT_LENGTH is malformed.
 */
enum err req_init(struct req *r, struct arena *a, char **envp) MUST_CHECK;

/*
 * Reads the body. ERR_TOOBIG when CONTENT_LENGTH exceeds max (nothing is
 * read), ERR_INVAL when the body is shorter than announced.
 */
enum err req_read_body(struct req *r, size_t max) MUST_CHECK;

/* Value of CGI parameter name (e.g. "HTTP_ACCEPT"), NULL if absent. */
const char *req_param(const struct req *r, const char *name);

/* Media type of Content-Type without parameters, lowercased; "" if none. */
const char *req_media_type(const struct req *r);

/* Value of query parameter name, %-decoded into the arena; NULL if absent. */
const char *req_query(const struct req *r, const char *name);

/* Value of cookie name, NULL if absent. */
const char *req_cookie(const struct req *r, const char *name);

#endif
