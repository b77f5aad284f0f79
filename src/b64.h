/* Base64 (RFC 4648): strict base64url for JWTs and tokens, padded base64. */
#ifndef MCPGW_B64_H
#define MCPGW_B64_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

/*
 * base64url (RFC 4648 section 5) without padding.
 *
 * b64url_encoded_len() is the number of characters b64url_encode() writes
 * for n input bytes, not counting the NUL; out must hold that plus one.
 *
 * b64url_decode() is strict: it refuses '=' padding, any byte outside the
 * alphabet (including whitespace and NUL), a length of 1 mod 4, and
 * non-zero unused trailing bits, so that every byte string has exactly one
 * accepted encoding. On success *out is a new arena buffer with *out_len
 * bytes followed by a NUL (not counted), freed with the arena. On
 * ERR_INVAL *out and *out_len are left untouched. Thread-safe.
 */
size_t b64url_encoded_len(size_t n);
void b64url_encode(const void *in, size_t n, char *out);
enum err b64url_decode(struct arena *a, const char *in, size_t n,
    unsigned char **out, size_t *out_len) MUST_CHECK;

/*
 * Standard base64 (RFC 4648 section 4) with '=' padding, used inside the
 * stored password hash strings. Same contracts as above; decoding requires
 * canonical padding (length a multiple of 4, at most two '=', only at the
 * end) and zero trailing bits.
 */
size_t b64_encoded_len(size_t n);
void b64_encode(const void *in, size_t n, char *out);
enum err b64_decode(struct arena *a, const char *in, size_t n,
    unsigned char **out, size_t *out_len) MUST_CHECK;

#endif
