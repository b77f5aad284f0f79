/* Strict JSON intake: UTF-8 checked, NUL escapes refused, exact parse. */
#include <string.h>

#include "json.h"

int
json_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	unsigned cp, n, i;

	while (p < e) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		if ((size_t)(e - p) <= n)
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/*
 * 1 if a string literal in the JSON text holds a raw control character
 * (RFC 8259 requires them escaped; cJSON would keep them, and cut the
 * string at a raw NUL) or escapes a NUL (\u0000), which cJSON cuts at too.
 */
static int
json_has_bad_string(const char *s, size_t len)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (!in_str) {
			if (s[i] == '"')
				in_str = 1;
			continue;
		}
		if ((unsigned char)s[i] < 0x20)
			return 1;
		if (s[i] == '"')
			in_str = 0;
		else if (s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u' && i + 5 < len &&
			    memcmp(s + i + 2, "0000", 4) == 0)
				return 1;
			i++;
		}
	}
	return 0;
}

static void
json_delete(void *p)
{
	cJSON_Delete(p);
}

enum err
json_parse(
    struct arena *a, const char *s, size_t len, cJSON **out, const char **why)
{
	const char *end = NULL;
	cJSON *v;

	*out = NULL;
	if (!json_utf8_ok(s, len)) {
		*why = "The JSON text is not valid UTF-8.";
		return ERR_INVAL;
	}
	if (json_has_bad_string(s, len)) {
		*why = "JSON strings must not contain NUL or unescaped control "
		       "characters.";
		return ERR_INVAL;
	}
	v = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (v == NULL) {
		*why = "The text is not valid JSON.";
		return ERR_INVAL;
	}
	while (end < s + len &&
	    (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end != s + len) {
		cJSON_Delete(v);
		*why = "Unexpected text after the JSON value.";
		return ERR_INVAL;
	}
	if (a != NULL)
		arena_defer(a, json_delete, v);
	*out = v;
	return ERR_OK;
}
