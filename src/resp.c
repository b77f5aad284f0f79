/* HTTP responses on the FastCGI stream: status, headers, JSON bodies. */
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "resp.h"

const char *
resp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

void
resp_send(struct req *r, int status, const char *ctype, const char *extra,
    const char *body, size_t len)
{
	if (r->replied)
		return;
	r->replied = 1;
	r->status = status;
	r->bytes_out = len;
	/* FCGX_FPrintF has no %zu. */
	FCGX_FPrintF(r->out, "Status: %d %s\r\n", status, resp_reason(status));
	if (ctype != NULL)
		FCGX_FPrintF(r->out, "Content-Type: %s\r\n", ctype);
	FCGX_FPrintF(r->out,
	    "Content-Length: %lu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n",
	    (unsigned long)len);
	if (extra != NULL)
		FCGX_PutS(extra, r->out);
	FCGX_PutS("\r\n", r->out);
	if (len > 0 && strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(body, (int)len, r->out);
}

void
resp_json_text(
    struct req *r, int status, const char *extra, const char *json, size_t len)
{
	resp_send(r, status, "application/json", extra, json, len);
}

void
resp_json(struct req *r, int status, const char *extra, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	if (s == NULL) {
		resp_error(
		    r, 500, "internal_error", "Out of memory.", NULL, NULL);
		return;
	}
	resp_json_text(r, status, extra, s, strlen(s));
	cJSON_free(s);
}

void
resp_error(struct req *r, int status, const char *code, const char *reason,
    const char *field, const char *extra)
{
	cJSON *j = cJSON_CreateObject();

	if (j == NULL || cJSON_AddStringToObject(j, "error", code) == NULL ||
	    cJSON_AddStringToObject(j, "reason", reason) == NULL ||
	    (field != NULL &&
		cJSON_AddStringToObject(j, "field", field) == NULL)) {
		static const char oom[] = "{\"error\":\"internal_error\","
					  "\"reason\":\"Out of memory.\"}";

		cJSON_Delete(j);
		resp_json_text(r, 500, NULL, oom, sizeof(oom) - 1);
		return;
	}
	resp_json(r, status, extra, j);
	cJSON_Delete(j);
}
