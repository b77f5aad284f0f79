/* JSON Web Tokens, HS256 only: signing and strict verification. */
#ifndef MCPGW_JWT_H
#define MCPGW_JWT_H

#include "arena.h"
#include "crypt.h"
#include "err.h"

#define JWT_MAX_LEN 8192 /* bytes in a whole token */
#define JWT_LEEWAY 30 /* seconds of clock skew allowed */
#define JWT_TIME_MAX 253402300799LL /* 9999-12-31T23:59:59Z */

/*
 * Claims of an access token. NULL strings and zero times are absent. In
 * jwt_verify() output the strings point into the arena passed to it; aud
 * is want_aud's arena copy (the token may hold an array).
 */
struct jwt_claims {
	const char *iss, *aud, *sub, *scope, *jti, *description;
	long long iat, exp;
};

/*
 * Signs c with the ring's current JWT key: header
 * {"alg":"HS256","typ":"JWT","kid":"<current kid>"}, then the claims in
 * the order iss, aud, sub, scope, iat, exp, jti, description, with no
 * spaces. iss, aud and sub are required and exp must be in
 * 1..JWT_TIME_MAX (ERR_INVAL otherwise). *out is an arena string.
 * Thread-safe.
 */
enum err jwt_sign(struct arena *a, const struct crypt_keyring *kr,
    const struct jwt_claims *c, char **out) MUST_CHECK;

/*
 * Verifies token at time now (Unix seconds) and fills *out. Rules (RFC
 * 7519 and 8725, SPEC section 3): at most JWT_MAX_LEN bytes; exactly
 * three non-empty strict base64url segments; the header is a JSON object
 * with "alg" exactly "HS256", no "crit", "typ" absent or "JWT", and "kid"
 * absent (the current key) or naming a key of the ring (old keys
 * included); the HMAC-SHA256 over the received "header.payload" bytes
 * matches in constant time; the payload is a JSON object; "exp" is
 * required; "exp", "nbf" and "iat" are whole numbers in 0..JWT_TIME_MAX;
 * now < exp + JWT_LEEWAY, now >= nbf - JWT_LEEWAY, iat <= now +
 * JWT_LEEWAY; "iss" equals want_iss; "aud" equals want_aud or is an array
 * holding it; "sub" is a non-empty string; "scope", "jti" and
 * "description" are strings when present; no member name appears twice
 * in either object.
 *
 * Every rejection is ERR_AUTH (the reason is logged at debug level only);
 * *out is written only on success. ERR_INVAL if want_iss or want_aud is
 * NULL. Thread-safe.
 */
enum err jwt_verify(struct arena *a, const struct crypt_keyring *kr,
    const char *token, const char *want_iss, const char *want_aud,
    long long now, struct jwt_claims *out) MUST_CHECK;

#endif
