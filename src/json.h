/* Strict JSON intake: UTF-8 checked, NUL escapes refused, exact parse. */
#ifndef MCPGW_JSON_H
#define MCPGW_JSON_H

#include <stddef.h>

#include <cJSON.h>

#include "arena.h"
#include "err.h"

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
int json_utf8_ok(const char *s, size_t len);

/*
 * Parses s[0..len) as exactly one JSON value (blanks may follow). Refuses
 * invalid UTF-8 and "\u0000" inside strings, which cJSON would silently
 * truncate at. ERR_INVAL with a static *why. With a non-NULL arena the
 * tree is freed at arena reset; otherwise the caller cJSON_Delete()s it.
 */
enum err json_parse(struct arena *a, const char *s, size_t len, cJSON **out,
    const char **why) MUST_CHECK;

#endif
