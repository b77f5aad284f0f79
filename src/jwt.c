/* JSON Web Tokens, HS256 only: signing and strict verification. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "arena.h"
#include "b64.h"
#include "crypt.h"
#include "err.h"
#include "jwt.h"
#include "log.h"

#define JWT_MAC_LEN 32
/* Our header has 3 members and our payload 8; a little room beyond. */
#define JWT_HEADER_MEMBERS 16
#define JWT_PAYLOAD_MEMBERS 64

static int
jwt_add_str(cJSON *o, const char *name, const char *v)
{
	return v == NULL || cJSON_AddStringToObject(o, name, v) != NULL;
}

static int
jwt_add_num(cJSON *o, const char *name, long long v)
{
	return v == 0 || cJSON_AddNumberToObject(o, name, (double)v) != NULL;
}

enum err
jwt_sign(struct arena *a, const struct crypt_keyring *kr,
    const struct jwt_claims *c, char **out)
{
	const unsigned char *key = crypt_keyring_jwt_key(kr, NULL);
	unsigned char mac[JWT_MAC_LEN];
	cJSON *p = NULL;
	char *hj, *pj = NULL, *tok;
	size_t hl, pl, sl, signed_len;
	enum err e = ERR_INVAL;

	if (c->iss == NULL || c->aud == NULL || c->sub == NULL || c->exp < 1 ||
	    c->exp > JWT_TIME_MAX || c->iat < 0 || c->iat > JWT_TIME_MAX)
		return ERR_INVAL;
	hj = arena_printf(a,
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
	    crypt_keyring_kid(kr));
	e = ERR_NOMEM;
	if ((p = cJSON_CreateObject()) == NULL)
		goto fail;
	if (!jwt_add_str(p, "iss", c->iss) || !jwt_add_str(p, "aud", c->aud) ||
	    !jwt_add_str(p, "sub", c->sub) ||
	    !jwt_add_str(p, "scope", c->scope) ||
	    !jwt_add_num(p, "iat", c->iat) || !jwt_add_num(p, "exp", c->exp) ||
	    !jwt_add_str(p, "jti", c->jti) ||
	    !jwt_add_str(p, "description", c->description))
		goto fail;
	if ((pj = cJSON_PrintUnformatted(p)) == NULL)
		goto fail;

	hl = b64url_encoded_len(strlen(hj));
	pl = b64url_encoded_len(strlen(pj));
	sl = b64url_encoded_len(JWT_MAC_LEN);
	tok = arena_alloc(a, hl + 1 + pl + 1 + sl + 1);
	b64url_encode(hj, strlen(hj), tok);
	tok[hl] = '.';
	b64url_encode(pj, strlen(pj), tok + hl + 1);
	signed_len = hl + 1 + pl;
	if ((e = crypt_hmac_sha256(key, CRYPT_KEY_LEN, tok, signed_len, mac)) !=
	    ERR_OK)
		goto fail;
	tok[signed_len] = '.';
	b64url_encode(mac, sizeof(mac), tok + signed_len + 1);
	*out = tok;
	e = ERR_OK;
fail:
	cJSON_free(pj);
	cJSON_Delete(p);
	return e;
}

/*
 * Decodes one base64url segment holding a JSON object and parses it.
 * NULL unless it is exactly one object (no trailing bytes, no NUL) with at
 * most max members, each name unique. The caller deletes the result.
 */
static cJSON *
jwt_parse_obj(struct arena *a, const char *seg, size_t n, int max)
{
	unsigned char *raw;
	size_t len;
	const char *end = NULL;
	const cJSON *x, *y;
	cJSON *o;
	int count = 0;

	if (b64url_decode(a, seg, n, &raw, &len) != ERR_OK ||
	    memchr(raw, '\0', len) != NULL)
		return NULL;
	o = cJSON_ParseWithOpts((const char *)raw, &end, 1);
	if (o == NULL)
		return NULL;
	if (!cJSON_IsObject(o))
		goto bad;
	for (x = o->child; x != NULL; x = x->next)
		if (++count > max)
			goto bad;
	/* RFC 7515 section 4: refuse duplicate names rather than guess. */
	for (x = o->child; x != NULL; x = x->next)
		for (y = x->next; y != NULL; y = y->next)
			if (strcmp(x->string, y->string) == 0)
				goto bad;
	return o;
bad:
	cJSON_Delete(o);
	return NULL;
}

/* A time claim: 1 absent, 0 valid (stored in *v), -1 invalid. */
static int
jwt_time(const cJSON *o, const char *name, long long *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
	double d;

	if (x == NULL)
		return 1;
	if (!cJSON_IsNumber(x))
		return -1;
	d = x->valuedouble;
	/* The negated test also catches NaN. */
	if (!(d >= 0 && d <= (double)JWT_TIME_MAX) || d != (double)(long long)d)
		return -1;
	*v = (long long)d;
	return 0;
}

/* A string claim: 1 absent, 0 valid (arena copy in *v), -1 invalid. */
static int
jwt_str(struct arena *a, const cJSON *o, const char *name, const char **v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);

	if (x == NULL)
		return 1;
	if (!cJSON_IsString(x) || x->valuestring == NULL)
		return -1;
	*v = arena_strdup(a, x->valuestring);
	return 0;
}

static int
jwt_aud_ok(const cJSON *o, const char *want)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "aud"), *y;

	if (cJSON_IsString(x))
		return strcmp(x->valuestring, want) == 0;
	if (!cJSON_IsArray(x))
		return 0;
	cJSON_ArrayForEach(y, x) if (cJSON_IsString(y) &&
	    strcmp(y->valuestring, want) == 0) return 1;
	return 0;
}

/* Checks the header; returns the key it names, or NULL with *why set. */
static const unsigned char *
jwt_header_key(const cJSON *h, const struct crypt_keyring *kr, const char **why)
{
	const cJSON *alg, *typ, *kid;
	const unsigned char *key;

	alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
	if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "HS256") != 0) {
		*why = "alg is not HS256";
		return NULL;
	}
	if (cJSON_GetObjectItemCaseSensitive(h, "crit") != NULL) {
		*why = "crit header";
		return NULL;
	}
	typ = cJSON_GetObjectItemCaseSensitive(h, "typ");
	if (typ != NULL &&
	    (!cJSON_IsString(typ) ||
		strcasecmp(typ->valuestring, "JWT") != 0)) {
		*why = "typ is not JWT";
		return NULL;
	}
	kid = cJSON_GetObjectItemCaseSensitive(h, "kid");
	if (kid == NULL)
		key = crypt_keyring_jwt_key(kr, NULL);
	else if (!cJSON_IsString(kid))
		key = NULL;
	else
		key = crypt_keyring_jwt_key(kr, kid->valuestring);
	if (key == NULL)
		*why = "unknown kid";
	return key;
}

/* Checks the payload claims into *c; returns NULL or why they fail. */
static const char *
jwt_claims_check(struct arena *a, const cJSON *p, const char *want_iss,
    const char *want_aud, long long now, struct jwt_claims *c)
{
	long long nbf = 0;
	int r;

	if (jwt_time(p, "exp", &c->exp) != 0)
		return "exp missing or not a whole number";
	if (now >= c->exp + JWT_LEEWAY)
		return "expired";
	if ((r = jwt_time(p, "nbf", &nbf)) < 0)
		return "nbf not a whole number";
	if (r == 0 && now < nbf - JWT_LEEWAY)
		return "not yet valid (nbf)";
	if ((r = jwt_time(p, "iat", &c->iat)) < 0)
		return "iat not a whole number";
	if (r == 0 && c->iat > now + JWT_LEEWAY)
		return "issued in the future (iat)";
	if (jwt_str(a, p, "iss", &c->iss) != 0 || strcmp(c->iss, want_iss) != 0)
		return "wrong iss";
	if (!jwt_aud_ok(p, want_aud))
		return "wrong aud";
	c->aud = arena_strdup(a, want_aud);
	if (jwt_str(a, p, "sub", &c->sub) != 0 || c->sub[0] == '\0')
		return "sub missing or not a string";
	if (jwt_str(a, p, "scope", &c->scope) < 0 ||
	    jwt_str(a, p, "jti", &c->jti) < 0 ||
	    jwt_str(a, p, "description", &c->description) < 0)
		return "scope, jti or description not a string";
	return NULL;
}

enum err
jwt_verify(struct arena *a, const struct crypt_keyring *kr, const char *token,
    const char *want_iss, const char *want_aud, long long now,
    struct jwt_claims *out)
{
	struct jwt_claims c;
	const char *d1, *d2, *why = NULL;
	const unsigned char *key;
	unsigned char *sig, mac[JWT_MAC_LEN];
	cJSON *h = NULL, *p = NULL;
	size_t n, sig_len;

	if (want_iss == NULL || want_aud == NULL)
		return ERR_INVAL;
	memset(&c, 0, sizeof(c));
	if (token == NULL ||
	    (n = strnlen(token, JWT_MAX_LEN + 1)) > JWT_MAX_LEN) {
		why = "missing or too long";
		goto fail;
	}
	d1 = memchr(token, '.', n);
	d2 = d1 == NULL ? NULL
			: memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - token));
	if (d2 == NULL ||
	    memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - token)) != NULL ||
	    d1 == token || d2 == d1 + 1 || d2 + 1 == token + n) {
		why = "not three non-empty segments";
		goto fail;
	}
	if ((h = jwt_parse_obj(
		 a, token, (size_t)(d1 - token), JWT_HEADER_MEMBERS)) == NULL) {
		why = "header is not a JSON object";
		goto fail;
	}
	if ((key = jwt_header_key(h, kr, &why)) == NULL)
		goto fail;
	if (b64url_decode(a, d2 + 1, n - (size_t)(d2 + 1 - token), &sig,
		&sig_len) != ERR_OK ||
	    sig_len != JWT_MAC_LEN) {
		why = "signature is not 32 bytes of base64url";
		goto fail;
	}
	if (crypt_hmac_sha256(key, CRYPT_KEY_LEN, token, (size_t)(d2 - token),
		mac) != ERR_OK ||
	    !crypt_memeq(mac, sig, JWT_MAC_LEN)) {
		why = "bad signature";
		goto fail;
	}
	if ((p = jwt_parse_obj(a, d1 + 1, (size_t)(d2 - d1 - 1),
		 JWT_PAYLOAD_MEMBERS)) == NULL) {
		why = "payload is not a JSON object";
		goto fail;
	}
	if ((why = jwt_claims_check(a, p, want_iss, want_aud, now, &c)) != NULL)
		goto fail;
	cJSON_Delete(h);
	cJSON_Delete(p);
	*out = c;
	return ERR_OK;
fail:
	log_debug("jwt: token rejected: %s", why);
	cJSON_Delete(h);
	cJSON_Delete(p);
	return ERR_AUTH;
}
