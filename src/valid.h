/* Field validators for registration: path, header, credential, tags, tools. */
#ifndef MCPGW_VALID_H
#define MCPGW_VALID_H

#include <stddef.h>

#include <cJSON.h>

#include "arena.h"
#include "err.h"

/*
 * Conventions for every function here:
 * - ERR_INVAL means the value is malformed; ERR_TOOBIG means one of the
 *   field's size caps was exceeded. Both are a 400 about that field, never
 *   a 413 (that is for whole bodies).
 * - On failure *why is set to a short sentence fit for the API's "reason".
 *   It never contains the input. It is static unless the function takes an
 *   arena, in which case it may live in that arena.
 * - Nothing here logs, and nothing keeps a pointer to its input.
 */

#define VALID_PATH_MAX 64 /* characters after the leading '/' */
#define VALID_HEADER_MAX 256
#define VALID_CREDENTIAL_MAX 8192
#define VALID_TAGS_MAX 64 /* tags per server */
#define VALID_TAG_MAX 64 /* bytes per tag */
#define VALID_TAGS_INPUT_MAX 16384 /* bytes of raw tags input */
#define VALID_TOOLS_MAX 1000
#define VALID_TOOL_NAME_MAX 128
#define VALID_TOOLS_DEPTH 64 /* JSON nesting inside a tool list */
#define VALID_TOOLS_INPUT_MAX (1024 * 1024)

/*
 * Normalises a server path: a leading '/' is added when missing and exactly
 * one trailing '/' is removed, so "/a//" is refused rather than folded. The
 * result must match ^/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ and must not be a
 * reserved name (register, api, health, ..., in any case). Case is kept.
 * *out is allocated in a. Length over the cap gives ERR_TOOBIG.
 */
enum err valid_path(
    struct arena *a, const char *in, char **out, const char **why) MUST_CHECK;

/*
 * The uniqueness key of an already valid path: its ASCII lower-case copy,
 * allocated in a.
 */
char *valid_path_key(struct arena *a, const char *path);

/*
 * An HTTP field name (RFC 9110 token, 1..256 bytes, ERR_TOOBIG above)
 * that may carry an injected credential. Refused, in any case: names the
 * proxy, the client or the MCP transport manage (Host, Content-*,
 * Transfer-Encoding, Connection, Cookie, Accept, Accept-*, Origin, Expect,
 * Via, Forwarded, X-Forwarded-*, Last-Event-ID, Mcp-Session-Id,
 * MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-*) and the
 * hop-by-hop ones (Keep-Alive, TE, Trailer, Upgrade, Proxy-*).
 * Authorization, the bearer default, is allowed.
 */
enum err valid_header_name(const char *name, const char **why) MUST_CHECK;

/*
 * A credential, 1..8192 bytes (ERR_TOOBIG above). Being a header value, it
 * may hold no control byte but horizontal tab: CR, LF and NUL are the ones
 * that matter, DEL and the rest are refused too (RFC 9110 field-value).
 */
enum err
valid_credential(const char *s, size_t len, const char **why) MUST_CHECK;

/*
 * Text fields. A single-line field (name, license) may hold no control
 * character at all; a multi-line one (description) may also hold tab, LF
 * and CR. Both must be well-formed UTF-8 without C1 controls, and at most
 * max bytes (ERR_TOOBIG). An empty string is valid: required-ness is the
 * caller's business.
 */
#define VALID_TEXT_LINE 0
#define VALID_TEXT_MULTILINE 1
enum err valid_text(const char *s, size_t len, size_t max, int multiline,
    const char **why) MUST_CHECK;
/* The same as a predicate: 1 when valid_text() would return ERR_OK. */
int valid_is_text(const char *s, size_t len, size_t max, int multiline);

/*
 * Tags from a form field: a JSON array of strings when the first
 * non-blank byte is '[', else a comma-separated list. Each tag is trimmed
 * of blanks, empty ones are dropped and exact duplicates are dropped
 * (first one kept). Each tag must be single-line text of at most 64 bytes,
 * at most 64 tags. On success *out is a new cJSON array of strings that
 * the caller frees with cJSON_Delete(); on failure *out is NULL. The arena
 * holds scratch copies only.
 */
enum err valid_tags(struct arena *a, const char *in, size_t len, cJSON **out,
    const char **why) MUST_CHECK;
/*
 * Tags from a JSON body: v may be an array of strings, a string (treated
 * like valid_tags()) or null (no tags). Same ownership as valid_tags().
 */
enum err valid_tags_json(
    struct arena *a, const cJSON *v, cJSON **out, const char **why) MUST_CHECK;

/*
 * A manual tool list: a JSON array (at most 1000 elements, nesting at most
 * 64 deep) of objects, each with a "name" that is a non-empty single-line
 * string of at most 128 bytes, unique in the list, and an object
 * "inputSchema". Other fields are kept as they are. On failure *why names
 * the first bad element by its 0-based index ("tool 2: ...") and lives in
 * a. Blank input is an empty list. On success *out is the parsed array,
 * owned by the caller (cJSON_Delete); on failure it is NULL.
 */
enum err valid_tool_list(struct arena *a, const char *json, size_t len,
    cJSON **out, const char **why) MUST_CHECK;
/*
 * The same for a JSON body, where v is the array itself, a string
 * holding it, or null (an empty list). *out is a new array owned by the
 * caller (a deep copy of v); v is not modified.
 */
enum err valid_tool_list_json(
    struct arena *a, const cJSON *v, cJSON **out, const char **why) MUST_CHECK;

#endif
