/* Request-body form fields: the shared result type, urlencoded parsing. */
#ifndef MCPGW_FORM_H
#define MCPGW_FORM_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

/*
 * One field of a submitted form. Every pointer points into the arena given
 * to the parser and stays valid until that arena is reset or freed; nothing
 * is freed separately.
 */
struct form_field {
	const char *name; /* NUL-terminated, never contains a NUL */
	const char *value; /* NUL after len bytes; may hold NULs itself */
	size_t len; /* bytes in value */
	const char *filename; /* NULL unless the part had one; never a path */
	const char *ctype; /* the part's Content-Type, NULL if none */
};

/* Fields in the order they appeared; duplicates are kept. */
struct form {
	struct form_field *fields;
	size_t n;
};

/*
 * Caps applied while parsing. The caller caps the whole body (max_body_bytes)
 * before reading it, so there is no total-size cap here.
 *   max_fields        fields (urlencoded pairs, multipart parts) per body
 *   max_value_bytes   decoded bytes in one value
 *   max_header_bytes  one multipart part's header block, excluding the
 *                     empty line that ends it; also the decoded length of
 *                     one urlencoded name
 */
struct form_limits {
	size_t max_fields;
	size_t max_value_bytes;
	size_t max_header_bytes;
};

#define FORM_MAX_FIELDS 256
#define FORM_MAX_VALUE_BYTES (1024 * 1024)
#define FORM_MAX_HEADER_BYTES (8 * 1024)
#define FORM_LIMITS_DEFAULT \
	{ \
		FORM_MAX_FIELDS, FORM_MAX_VALUE_BYTES, FORM_MAX_HEADER_BYTES \
	}

/* The defaults above; the parsers use them when given a NULL lim. */
extern const struct form_limits form_limits_default;

/*
 * Returns the first field named exactly name (byte comparison), or NULL.
 * The result borrows from f.
 */
const struct form_field *form_get(const struct form *f, const char *name);

/*
 * Appends one zeroed field to f, growing its array in a, and returns it.
 * For the body parsers: they check max_fields before calling. f must have
 * been built only by form_add (it derives the capacity from f->n).
 */
struct form_field *form_add(struct arena *a, struct form *f);

/*
 * Parses an application/x-www-form-urlencoded body of len bytes (body need
 * not be NUL-terminated). Pairs are split on '&'; empty pairs are skipped;
 * a pair without '=' has an empty value; '+' decodes to a space and %XX
 * to its byte. Raw bytes other than these pass through unchanged. Decoded
 * values may contain NULs (see len); a decoded name may not.
 * lim may be NULL for form_limits_default. why may be NULL.
 * Returns ERR_OK and fills *out (arena memory, see struct form_field);
 * ERR_INVAL for a bad %-escape or a NUL in a name; ERR_TOOBIG when a limit
 * is exceeded. On error *out is empty and *why is a static sentence that
 * never contains input bytes.
 */
enum err form_parse_urlencoded(struct arena *a, const char *body, size_t len,
    const struct form_limits *lim, struct form *out,
    const char **why) MUST_CHECK;

#endif
