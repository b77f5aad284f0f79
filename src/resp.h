/* HTTP responses on the FastCGI stream: status, headers, JSON bodies. */
#ifndef MCPGW_RESP_H
#define MCPGW_RESP_H

#include <stddef.h>

#include <cJSON.h>

#include "req.h"

/* Reason phrase for an HTTP status ("Unknown" for odd ones). */
const char *resp_reason(int status);

/*
 * Writes a whole response. extra is zero or more complete header lines
 * each ending in "\r\n" (NULL for none). Only the first call per request
 * writes anything.
 */
void resp_send(struct req *r, int status, const char *ctype, const char *extra,
    const char *body, size_t len);

/* JSON body from text or from a tree (not freed: the caller owns it). */
void resp_json_text(
    struct req *r, int status, const char *extra, const char *json, size_t len);
void resp_json(struct req *r, int status, const char *extra, const cJSON *j);

/*
 * The error envelope {"error","reason","field"?}. code is a stable
 * snake_case identifier; reason one sentence; field NULL if not about one.
 */
void resp_error(struct req *r, int status, const char *code, const char *reason,
    const char *field, const char *extra);

#endif
