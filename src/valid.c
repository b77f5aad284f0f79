/* Field validators for registration: path, header, credential, tags, tools. */
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "valid.h"

/* Routes and files a server path would shadow (compared without the '/'). */
static const char *const path_reserved[] = { "register", "remove", "toggle",
	"api", "health", "metrics", "ui", "static", "login", "logout", "v0",
	"v0.1", ".well-known", "favicon.ico", NULL };

/* Header names the proxy, the client or the MCP transport own. */
static const char *const header_reserved[] = { "host", "connection", "cookie",
	"accept", "origin", "expect", "via", "forwarded", "last-event-id",
	"mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name",
	"keep-alive", "te", "trailer", "upgrade", "transfer-encoding", NULL };

static const char *const header_reserved_prefix[] = { "content-", "accept-",
	"x-forwarded-", "proxy-", "mcp-param-", NULL };

/* Locale-free ASCII helpers: the rules here are byte rules. */
static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Compares s[0..n) with the lower-case NUL-terminated word, ignoring case. */
static int
eq_nocase(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word[i] == '\0' || to_lower(s[i]) != (unsigned char)word[i])
			return 0;
	return word[n] == '\0';
}

static int
prefix_nocase(const char *s, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++)
		if (i >= n || to_lower(s[i]) != (unsigned char)prefix[i])
			return 0;
	return 1;
}

static int
word_in(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (eq_nocase(s, n, *list))
			return 1;
	return 0;
}

enum err
valid_path(struct arena *a, const char *in, char **out, const char **why)
{
	const char *p;
	size_t len, i;
	char *s;

	*out = NULL;
	if (in == NULL) {
		*why = "path is required";
		return ERR_INVAL;
	}
	p = in[0] == '/' ? in + 1 : in;
	/* Two over the cap: still too long after one '/' is removed. */
	len = strnlen(p, VALID_PATH_MAX + 2);
	if (len > 0 && p[len - 1] == '/')
		len--;
	if (len == 0) {
		*why = "path must name the server after the '/'";
		return ERR_INVAL;
	}
	if (len > VALID_PATH_MAX) {
		*why = "path is longer than 64 characters after the '/'";
		return ERR_TOOBIG;
	}
	if (word_in(p, len, path_reserved)) {
		*why = "path is reserved for the gateway's own routes";
		return ERR_INVAL;
	}
	if (!is_alnum(p[0])) {
		*why = "path must start with a letter or a digit after the '/'";
		return ERR_INVAL;
	}
	for (i = 1; i < len; i++) {
		if (!is_alnum(p[i]) && p[i] != '.' && p[i] != '_' &&
		    p[i] != '-') {
			*why = "path may contain only one '/' followed by "
			       "letters, digits, '.', '_' and '-'";
			return ERR_INVAL;
		}
	}
	s = arena_alloc(a, len + 2);
	s[0] = '/';
	memcpy(s + 1, p, len);
	*out = s;
	return ERR_OK;
}

char *
valid_path_key(struct arena *a, const char *path)
{
	char *k;
	size_t i;

	k = arena_strdup(a, path);
	for (i = 0; k != NULL && k[i] != '\0'; i++)
		k[i] = to_lower(k[i]);
	return k;
}

/* RFC 9110 tchar. */
static int
is_tchar(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

enum err
valid_header_name(const char *name, const char **why)
{
	size_t len, i;

	if (name == NULL || name[0] == '\0') {
		*why = "header name is empty";
		return ERR_INVAL;
	}
	len = strnlen(name, VALID_HEADER_MAX + 1);
	if (len > VALID_HEADER_MAX) {
		*why = "header name is longer than 256 bytes";
		return ERR_TOOBIG;
	}
	for (i = 0; i < len; i++) {
		if (!is_tchar(name[i])) {
			*why = "header name may contain only letters, digits "
			       "and !#$%&'*+-.^_`|~";
			return ERR_INVAL;
		}
	}
	if (word_in(name, len, header_reserved)) {
		*why = "header name is reserved for the proxy or the MCP "
		       "transport";
		return ERR_INVAL;
	}
	for (i = 0; header_reserved_prefix[i] != NULL; i++) {
		if (prefix_nocase(name, len, header_reserved_prefix[i])) {
			*why = "header name is reserved for the proxy or "
			       "the MCP transport";
			return ERR_INVAL;
		}
	}
	return ERR_OK;
}

enum err
valid_credential(const char *s, size_t len, const char **why)
{
	size_t i;
	unsigned char c;

	if (s == NULL || len == 0) {
		*why = "credential is empty";
		return ERR_INVAL;
	}
	if (len > VALID_CREDENTIAL_MAX) {
		*why = "credential is longer than 8192 bytes";
		return ERR_TOOBIG;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\r' || c == '\n' || c == '\0') {
			*why = "credential must not contain CR, LF or NUL";
			return ERR_INVAL;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*why = "credential must not contain control characters";
			return ERR_INVAL;
		}
	}
	return ERR_OK;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), 0 if there is none. *cp gets the
 * code point.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return len;
}

enum err
valid_text(
    const char *s, size_t len, size_t max, int multiline, const char **why)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;
	uint32_t cp;

	if (len > max) {
		*why = "value is too long";
		return ERR_TOOBIG;
	}
	for (i = 0; i < len; i += n) {
		n = utf8_seq(u + i, len - i, &cp);
		if (n == 0) {
			*why = "value is not valid UTF-8";
			return ERR_INVAL;
		}
		if (multiline && (cp == '\t' || cp == '\n' || cp == '\r'))
			continue;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			*why = multiline
			    ? "value must not contain control characters "
			      "other than tab and line breaks"
			    : "value must not contain control characters";
			return ERR_INVAL;
		}
	}
	return ERR_OK;
}

int
valid_is_text(const char *s, size_t len, size_t max, int multiline)
{
	const char *why;

	return valid_text(s, len, max, multiline, &why) == ERR_OK;
}

/*
 * Parses exactly s[0..len) as one JSON value (see json_parse()). Returns
 * NULL when it is not acceptable JSON. The caller frees with cJSON_Delete().
 */
static cJSON *
json_parse_exact(const char *s, size_t len)
{
	const char *why;
	cJSON *v;

	if (json_parse(NULL, s, len, &v, &why) != ERR_OK)
		return NULL;
	return v;
}

static int
all_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return 0;
	return 1;
}

/* Trims s[0..n) and appends it to list unless it is empty or a duplicate. */
static enum err
tags_add(struct arena *a, cJSON *list, int *count, const char *s, size_t n,
    const char **why)
{
	const cJSON *t;
	cJSON *item;
	char *copy;
	enum err e;

	while (n > 0 && is_blank(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0)
		return ERR_OK;
	if (n > VALID_TAG_MAX) {
		*why = "a tag is longer than 64 bytes";
		return ERR_TOOBIG;
	}
	if ((e = valid_text(s, n, VALID_TAG_MAX, VALID_TEXT_LINE, why)) !=
	    ERR_OK) {
		*why = "a tag contains control characters or invalid UTF-8";
		return e;
	}
	cJSON_ArrayForEach(t, list)
	{
		if (strlen(t->valuestring) == n &&
		    memcmp(t->valuestring, s, n) == 0)
			return ERR_OK;
	}
	if (*count >= VALID_TAGS_MAX) {
		*why = "more than 64 tags";
		return ERR_TOOBIG;
	}
	copy = arena_strndup(a, s, n);
	if ((item = cJSON_CreateString(copy)) == NULL)
		return ERR_NOMEM;
	if (!cJSON_AddItemToArray(list, item)) {
		cJSON_Delete(item);
		return ERR_NOMEM;
	}
	(*count)++;
	return ERR_OK;
}

static enum err
tags_from_array(
    struct arena *a, const cJSON *arr, cJSON *list, const char **why)
{
	const cJSON *t;
	enum err e;
	int count = 0;

	cJSON_ArrayForEach(t, arr)
	{
		if (!cJSON_IsString(t) || t->valuestring == NULL) {
			*why = "tags must be strings";
			return ERR_INVAL;
		}
		e = tags_add(a, list, &count, t->valuestring,
		    strlen(t->valuestring), why);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
tags_from_csv(
    struct arena *a, const char *in, size_t len, cJSON *list, const char **why)
{
	const char *p = in, *end = in + len, *comma;
	enum err e;
	int count = 0;

	while (p <= end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		e = tags_add(a, list, &count, p, (size_t)(comma - p), why);
		if (e != ERR_OK)
			return e;
		p = comma + 1;
	}
	return ERR_OK;
}

enum err
valid_tags(
    struct arena *a, const char *in, size_t len, cJSON **out, const char **why)
{
	cJSON *list = NULL, *arr = NULL;
	size_t i;
	enum err e;

	*out = NULL;
	if (len > VALID_TAGS_INPUT_MAX) {
		*why = "tags are longer than 16384 bytes";
		return ERR_TOOBIG;
	}
	if (len > 0 && memchr(in, '\0', len) != NULL) {
		*why = "tags must not contain NUL bytes";
		return ERR_INVAL;
	}
	if ((list = cJSON_CreateArray()) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < len && is_blank(in[i]); i++)
		;
	if (i < len && in[i] == '[') {
		if ((arr = json_parse_exact(in, len)) == NULL ||
		    !cJSON_IsArray(arr)) {
			*why = "tags starting with '[' must be a JSON array "
			       "of strings";
			e = ERR_INVAL;
			goto fail;
		}
		e = tags_from_array(a, arr, list, why);
	} else
		e = tags_from_csv(a, in, len, list, why);
	if (e != ERR_OK)
		goto fail;
	cJSON_Delete(arr);
	*out = list;
	return ERR_OK;
fail:
	cJSON_Delete(arr);
	cJSON_Delete(list);
	return e;
}

enum err
valid_tags_json(struct arena *a, const cJSON *v, cJSON **out, const char **why)
{
	cJSON *list;
	enum err e;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v)) {
		if ((*out = cJSON_CreateArray()) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	}
	if (cJSON_IsString(v) && v->valuestring != NULL)
		return valid_tags(
		    a, v->valuestring, strlen(v->valuestring), out, why);
	if (!cJSON_IsArray(v)) {
		*why = "tags must be an array of strings or a comma-separated "
		       "string";
		return ERR_INVAL;
	}
	if ((list = cJSON_CreateArray()) == NULL)
		return ERR_NOMEM;
	if ((e = tags_from_array(a, v, list, why)) != ERR_OK) {
		cJSON_Delete(list);
		return e;
	}
	*out = list;
	return ERR_OK;
}

/* 1 when no array or object inside v is nested deeper than the cap. */
static int
json_depth_ok(const cJSON *v, int depth)
{
	const cJSON *c;

	if (depth > VALID_TOOLS_DEPTH)
		return 0;
	for (c = v->child; c != NULL; c = c->next)
		if ((cJSON_IsArray(c) || cJSON_IsObject(c)) &&
		    !json_depth_ok(c, depth + 1))
			return 0;
	return 1;
}

/* Number of members of obj named key (exact case). */
static int
key_count(const cJSON *obj, const char *key)
{
	const cJSON *c;
	int n = 0;

	for (c = obj->child; c != NULL; c = c->next)
		if (c->string != NULL && strcmp(c->string, key) == 0)
			n++;
	return n;
}

static enum err
tools_check(struct arena *a, const cJSON *arr, const char **why)
{
	const cJSON *t, *name, *schema, *prev;
	size_t nlen;
	int i, j;

	if (!cJSON_IsArray(arr)) {
		*why = "tool list must be a JSON array of tool objects";
		return ERR_INVAL;
	}
	if (cJSON_GetArraySize(arr) > VALID_TOOLS_MAX) {
		*why = "tool list has more than 1000 tools";
		return ERR_TOOBIG;
	}
	if (!json_depth_ok(arr, 1)) {
		*why = "tool list is nested more than 64 levels deep";
		return ERR_TOOBIG;
	}
	i = 0;
	cJSON_ArrayForEach(t, arr)
	{
		if (!cJSON_IsObject(t)) {
			*why = arena_printf(a,
			    "tool at index %d is not an "
			    "object",
			    i);
			return ERR_INVAL;
		}
		/* jsonb keeps the last duplicate, cJSON finds the first. */
		if (key_count(t, "name") > 1 ||
		    key_count(t, "inputSchema") > 1) {
			*why = arena_printf(a,
			    "tool at index %d repeats "
			    "\"name\" or \"inputSchema\"",
			    i);
			return ERR_INVAL;
		}
		name = cJSON_GetObjectItemCaseSensitive(t, "name");
		if (!cJSON_IsString(name) || name->valuestring == NULL) {
			*why = arena_printf(a,
			    "tool at index %d has no "
			    "string \"name\"",
			    i);
			return ERR_INVAL;
		}
		nlen = strlen(name->valuestring);
		if (nlen == 0) {
			*why = arena_printf(a,
			    "tool at index %d has an "
			    "empty \"name\"",
			    i);
			return ERR_INVAL;
		}
		if (nlen > VALID_TOOL_NAME_MAX) {
			*why = arena_printf(a,
			    "tool at index %d has a "
			    "\"name\" longer than 128 bytes",
			    i);
			return ERR_TOOBIG;
		}
		if (!valid_is_text(name->valuestring, nlen, VALID_TOOL_NAME_MAX,
			VALID_TEXT_LINE)) {
			*why = arena_printf(a,
			    "tool at index %d has a "
			    "\"name\" with control characters or invalid "
			    "UTF-8",
			    i);
			return ERR_INVAL;
		}
		j = 0;
		cJSON_ArrayForEach(prev, arr)
		{
			if (j == i)
				break;
			if (strcmp(
				cJSON_GetObjectItemCaseSensitive(prev, "name")
				    ->valuestring,
				name->valuestring) == 0) {
				*why = arena_printf(a,
				    "tool at index %d has "
				    "the same \"name\" as index %d",
				    i, j);
				return ERR_INVAL;
			}
			j++;
		}
		schema = cJSON_GetObjectItemCaseSensitive(t, "inputSchema");
		if (!cJSON_IsObject(schema)) {
			*why = arena_printf(a,
			    "tool at index %d has no "
			    "object \"inputSchema\"",
			    i);
			return ERR_INVAL;
		}
		i++;
	}
	return ERR_OK;
}

enum err
valid_tool_list(struct arena *a, const char *json, size_t len, cJSON **out,
    const char **why)
{
	cJSON *arr;
	enum err e;

	*out = NULL;
	if (len > VALID_TOOLS_INPUT_MAX) {
		*why = "tool list is larger than 1 MiB";
		return ERR_TOOBIG;
	}
	if (len > 0 && memchr(json, '\0', len) != NULL) {
		*why = "tool list must not contain NUL bytes";
		return ERR_INVAL;
	}
	if (all_blank(json, len)) {
		if ((*out = cJSON_CreateArray()) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	}
	if ((arr = json_parse_exact(json, len)) == NULL) {
		*why = "tool list is not valid JSON";
		return ERR_INVAL;
	}
	if ((e = tools_check(a, arr, why)) != ERR_OK) {
		cJSON_Delete(arr);
		return e;
	}
	*out = arr;
	return ERR_OK;
}

enum err
valid_tool_list_json(
    struct arena *a, const cJSON *v, cJSON **out, const char **why)
{
	enum err e;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v)) {
		if ((*out = cJSON_CreateArray()) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	}
	if (cJSON_IsString(v) && v->valuestring != NULL)
		return valid_tool_list(
		    a, v->valuestring, strlen(v->valuestring), out, why);
	if ((e = tools_check(a, v, why)) != ERR_OK)
		return e;
	if ((*out = cJSON_Duplicate(v, 1)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}
