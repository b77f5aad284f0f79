/* multipart/form-data request bodies (RFC 7578, RFC 2046 section 5.1.1). */
#ifndef MCPGW_MPART_H
#define MCPGW_MPART_H

#include <stddef.h>

#include "arena.h"
#include "err.h"
#include "form.h"

/*
 * Parses a multipart/form-data body of len bytes (not NUL-terminated; it may
 * hold NULs). content_type is the whole request Content-Type value; its type
 * must be multipart/form-data and its boundary parameter (quoted or not,
 * name case-insensitive) 1..70 RFC 2046 bchars.
 *
 * Accepted: a preamble (ignored) and a first delimiter with or without a
 * leading line break; spaces and tabs after a boundary; an epilogue after
 * the closing delimiter (ignored); case-insensitive part header names;
 * Content-Disposition form-data parameters quoted or bare, with optional
 * whitespace around ';' and '=', where inside quotes only \" and \\ are
 * escapes (any other backslash is kept, as browsers send file names).
 * Names and file names are stored verbatim: curl's %22, %0D, %0A are not
 * decoded. filename* and unknown parameters and headers are ignored.
 * Line endings: if the first delimiter line ends in CRLF the whole body must
 * use CRLF; if it ends in a bare LF the body is read with LF line endings
 * (a CR before the LF of a header line is dropped) for hand-made clients.
 *
 * Rejected with ERR_INVAL: another media type, a missing or bad boundary,
 * no delimiter, a missing closing delimiter, unterminated part headers,
 * folded or malformed header lines, a part that is not form-data or has no
 * name parameter, unterminated quotes, repeated name/filename parameters or
 * repeated Content-Disposition/Content-Type headers.
 * ERR_TOOBIG: more than lim->max_fields parts, a value over
 * lim->max_value_bytes, a header block over lim->max_header_bytes.
 *
 * lim may be NULL for form_limits_default; why may be NULL. On success
 * fills *out with arena memory (see struct form_field; ctype is the part's
 * Content-Type as sent, NULL meaning text/plain). On error *out is empty
 * and *why is a static sentence that never contains input bytes.
 */
enum err mpart_parse(struct arena *a, const char *content_type,
    const char *body, size_t len, const struct form_limits *lim,
    struct form *out, const char **why) MUST_CHECK;

#endif
