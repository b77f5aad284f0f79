/* Cryptography over libgcrypt: init, HKDF, key ring, sealing, passwords. */
#ifndef MCPGW_CRYPT_H
#define MCPGW_CRYPT_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

#define CRYPT_SECRET_MIN 32 /* bytes in an operator secret key */
#define CRYPT_KEYRING_MAX 16 /* current key plus old keys */
#define CRYPT_KEY_LEN 32 /* derived AES-256 and HS256 keys */
#define CRYPT_KEY_ID_LEN 4
#define CRYPT_KID_LEN 8 /* hex of the key id, no NUL */
#define CRYPT_SEAL_VERSION 0x01
/* version(1) | key id(4) | nonce(12) | ciphertext | tag(16) */
#define CRYPT_SEAL_OVERHEAD (1 + CRYPT_KEY_ID_LEN + 12 + 16)
/*
 * PBKDF2-HMAC-SHA256 iterations for new password hashes, for one check of
 * about 35 ms (SPEC section 3: tens of milliseconds). Measured on the
 * 2-vCPU Debian 12 build machine, libgcrypt 1.10.1: t_crypt built with
 * -O2 and no sanitizers prints "# one password check: 35.2 ms" when run
 * as `tests/unit/t_crypt | grep 'password check'` (ASan triples it).
 */
#define CRYPT_PBKDF2_ITER 120000

/*
 * Initialises libgcrypt once per process, before any thread starts (not
 * thread-safe itself): its messages go to our log, version check, a 64
 * KiB secure memory pool (locked with mlock when RLIMIT_MEMLOCK allows;
 * otherwise one warning is logged and the pool is used unlocked, so it
 * works as a non-root web server user; it grows unlocked rather than
 * fail under load), then INITIALIZATION_FINISHED. Calling it again is a
 * no-op. ERR_CRYPTO if the library is older than 1.10.
 */
enum err crypt_global_init(void) MUST_CHECK;

/*
 * HKDF-SHA256 (RFC 5869) extract-then-expand. A NULL or empty salt means
 * 32 zero bytes. okm_len is at most 255 * 32 (ERR_INVAL otherwise).
 * Intermediate keys are wiped. Thread-safe.
 */
enum err crypt_hkdf_sha256(const void *salt, size_t salt_len, const void *ikm,
    size_t ikm_len, const void *info, size_t info_len, unsigned char *okm,
    size_t okm_len) MUST_CHECK;

/* HMAC-SHA256 of data under key (any length, empty allowed). */
enum err crypt_hmac_sha256(const void *key, size_t klen, const void *data,
    size_t len, unsigned char out[32]) MUST_CHECK;
void crypt_sha256(const void *d, size_t n, unsigned char out[32]);

/* 1 if the n bytes are equal, else 0, in time that depends only on n. */
int crypt_memeq(const void *a, const void *b, size_t n);

/* Fills buf from libgcrypt's strong random generator; never fails. */
void crypt_random(void *buf, size_t n);
/* base64url of nbytes fresh random bytes, a NUL-terminated arena string. */
char *crypt_random_token(struct arena *a, size_t nbytes);

/*
 * Key ring. Each operator secret (at least CRYPT_SECRET_MIN bytes) yields,
 * by HKDF-SHA256 with salt "mcpgw-v1": a credential key (info "mcpgw
 * credential aes-256-gcm", 32 bytes), a JWT key (info "mcpgw jwt hs256",
 * 32 bytes) and a key id (info "mcpgw key id", 4 bytes), shown as 8
 * lowercase hex digits (the JWT "kid"). These labels are a stored format:
 * changing them orphans every sealed credential and issued token.
 *
 * secrets[0] is the current secret (used to seal and sign); the others are
 * old secrets, still accepted for opening and verifying during rotation.
 * The same secret listed twice is kept once (with a warning). ERR_CONFIG,
 * with the reason logged (never the secret), when n is 0 or above
 * CRYPT_KEYRING_MAX, a secret is too short, or two different secrets
 * share a key id. The derived keys live in libgcrypt secure memory; the
 * caller still owns (and should wipe) its copies of the secrets.
 * crypt_keyring_free() wipes and frees the ring (NULL is fine). A ring is
 * read-only after creation and safe to share between threads.
 */
struct crypt_keyring;

enum err crypt_keyring_new(const void *const secrets[], const size_t lens[],
    size_t n, struct crypt_keyring **out) MUST_CHECK;
void crypt_keyring_free(struct crypt_keyring *kr);
/* The current key's id as 8 hex digits; valid as long as the ring. */
const char *crypt_keyring_kid(const struct crypt_keyring *kr);
/*
 * The 32-byte HS256 key whose kid is the given hex string (any key in the
 * ring), or the current key when kid is NULL; NULL when no key matches.
 * The pointer is valid as long as the ring; never copy it out of it.
 */
const unsigned char *
crypt_keyring_jwt_key(const struct crypt_keyring *kr, const char *kid);

/*
 * Seals plain with AES-256-GCM under the current credential key and a
 * fresh random 96-bit nonce:
 *   version 0x01 (1) | key id (4) | nonce (12) | ciphertext | tag (16).
 * aad is authenticated but not stored; callers bind a value to its place
 * by passing the server id and the column name (for example
 * "<uuid>/auth_credential_enc"), so a blob copied to another row or
 * column does not open. *out is an arena buffer of *out_len =
 * len + CRYPT_SEAL_OVERHEAD bytes (it holds no secret).
 */
enum err crypt_seal(const struct crypt_keyring *kr, const void *plain,
    size_t len, const void *aad, size_t aad_len, struct arena *a,
    unsigned char **out, size_t *out_len) MUST_CHECK;

/* Plaintext of an opened blob: data[len] is a NUL, data is secure memory. */
struct crypt_secret {
	char *data;
	size_t len;
};

/*
 * Opens a blob made by crypt_seal() with any key of the ring (chosen by
 * the key id in the blob) and the same aad. ERR_CRYPTO for a truncated
 * blob, an unknown version or key id, a wrong aad or any altered byte;
 * no partial plaintext survives a failure. ERR_NOMEM if secure memory
 * runs out. On success the caller frees *out with crypt_secret_free(),
 * which wipes it, as soon as the plaintext has been used.
 */
enum err
crypt_open(const struct crypt_keyring *kr, const unsigned char *blob, size_t n,
    const void *aad, size_t aad_len, struct crypt_secret **out) MUST_CHECK;
void crypt_secret_free(struct crypt_secret *s);

/*
 * A new secret holding prefix followed by in (e.g. "Bearer " + token),
 * in secure memory; the caller frees it with crypt_secret_free().
 */
enum err crypt_secret_concat(const char *prefix, const struct crypt_secret *in,
    struct crypt_secret **out) MUST_CHECK;

/*
 * Password hashing: PBKDF2-HMAC-SHA256, random 16-byte salt, 32-byte hash,
 * stored as "pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>"
 * (padded standard base64). The iteration count is CRYPT_PBKDF2_ITER for
 * new hashes; verification honours the count stored in the string, so it
 * can be raised later without invalidating old hashes.
 *
 * crypt_password_hash(): *out is an arena string. ERR_CRYPTO if libgcrypt
 * fails.
 * crypt_password_verify(): ERR_OK on a match, ERR_AUTH on a mismatch,
 * ERR_INVAL for a malformed or unsupported encoding (iterations outside
 * 1000..10000000, salt or hash of odd sizes). The comparison is constant
 * time.
 * crypt_password_dummy(): spends the time of one verification against a
 * current-cost hash and returns nothing; call it for an unknown user so
 * that "no such user" and "wrong password" take the same time.
 */
enum err
crypt_password_hash(struct arena *a, const char *pw, char **out) MUST_CHECK;
enum err crypt_password_verify(const char *pw, const char *encoded) MUST_CHECK;
void crypt_password_dummy(const char *pw);

#endif
