/* Declarative validation tables for request fields (JSON or form bodies). */
#ifndef MCPGW_FIELDS_H
#define MCPGW_FIELDS_H

#include <stddef.h>

#include <cJSON.h>

#include "arena.h"
#include "err.h"

struct form;

enum field_type {
	FT_TEXT, /* one line: no control characters */
	FT_MULTILINE, /* text that may hold \n, \r and \t */
	FT_RAW, /* string bytes checked by the handler */
	FT_BOOL, /* true/false; forms: true/false/1/0/on/off/yes/no */
	FT_INT, /* integral number in [min, max] */
	FT_ANY, /* a string, or (JSON bodies) any JSON value */
};

#define FR_REQUIRED 0x1
#define FR_NONEMPTY 0x2 /* a present string must not be empty */

struct field_rule {
	const char *name;
	enum field_type type;
	unsigned flags;
	long long min, max; /* FT_INT range; max bytes for strings */
	const char *code; /* error code when invalid; NULL: invalid_field */
};

struct field_val {
	int present; /* the member exists (even as null) */
	int is_null;
	const char *s; /* strings: value (arena) */
	size_t len;
	int b;
	long long i;
	const cJSON *j; /* FT_ANY given as a non-string JSON value */
};

/* What a handler reports for a 4xx: static or arena strings. */
struct api_error {
	int status;
	const char *code;
	const char *reason;
	const char *field;
};

/*
 * Converts a parsed form into a JSON object of strings (first value of a
 * repeated name wins) owned by the arena. ERR_INVAL with *bad naming the
 * field when a value holds a NUL byte.
 */
enum err fields_from_form(struct arena *a, const struct form *f, cJSON **out,
    const char **bad) MUST_CHECK;

/*
 * Applies rules[0..n) to object in; out[i] corresponds to rules[i].
 * from_form relaxes typing (booleans and integers given as text). With
 * reject_unknown, a member not in the table is a 422 unknown_field.
 * On failure returns ERR_INVAL and fills *err.
 */
enum err fields_apply(struct arena *a, const struct field_rule *rules, size_t n,
    const cJSON *in, int from_form, int reject_unknown, struct field_val *out,
    struct api_error *err) MUST_CHECK;

#define FIELDS_N(t) (sizeof(t) / sizeof((t)[0]))

#endif
