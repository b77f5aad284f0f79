/* Cryptography over libgcrypt: init, HKDF, key ring, sealing, passwords. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gcrypt.h>

#include "arena.h"
#include "b64.h"
#include "crypt.h"
#include "err.h"
#include "log.h"

#define CRYPT_GCRYPT_MIN "1.10.0"
#define CRYPT_SECMEM_POOL 65536
#define CRYPT_NONCE_LEN 12
#define CRYPT_TAG_LEN 16

/* HKDF labels: a stored format (see crypt.h), never change them. */
#define CRYPT_HKDF_SALT "mcpgw-v1"
#define CRYPT_INFO_ENC "mcpgw credential aes-256-gcm"
#define CRYPT_INFO_JWT "mcpgw jwt hs256"
#define CRYPT_INFO_ID "mcpgw key id"

#define CRYPT_PW_PREFIX "pbkdf2-sha256$"
#define CRYPT_PW_SALT_LEN 16
#define CRYPT_PW_HASH_LEN 32
#define CRYPT_PW_ITER_MIN 1000UL
#define CRYPT_PW_ITER_MAX 10000000UL

struct crypt_key {
	unsigned char enc[CRYPT_KEY_LEN];
	unsigned char jwt[CRYPT_KEY_LEN];
	unsigned char id[CRYPT_KEY_ID_LEN];
	char kid[CRYPT_KID_LEN + 1];
};

struct crypt_keyring {
	size_t n; /* keys in use; keys[0] is current */
	size_t cap; /* keys allocated */
	struct crypt_key keys[];
};

static int crypt_ready;

/* Routes libgcrypt's own messages into our log format. */
static void crypt_gcry_log(void *opaque, int level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
crypt_gcry_log(void *opaque, int level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)opaque;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n == 0)
		return;
	switch (level) {
	case GCRY_LOG_DEBUG: log_debug("libgcrypt: %s", buf); break;
	case GCRY_LOG_CONT:
	case GCRY_LOG_INFO: log_info("libgcrypt: %s", buf); break;
	case GCRY_LOG_WARN: log_warn("libgcrypt: %s", buf); break;
	default: log_error("libgcrypt: %s", buf); break;
	}
}

enum err
crypt_global_init(void)
{
	if (crypt_ready)
		return ERR_OK;
	gcry_set_log_handler(crypt_gcry_log, NULL);
	if (gcry_check_version(CRYPT_GCRYPT_MIN) == NULL) {
		log_error("crypt: libgcrypt %s is too old; %s or later is "
			  "required",
		    gcry_check_version(NULL), CRYPT_GCRYPT_MIN);
		return ERR_CRYPTO;
	}
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		/* Another library finished the set-up; keep its choices. */
		crypt_ready = 1;
		return ERR_OK;
	}
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	/*
	 * Non-zero means the pool exists but mlock failed (a non-root user
	 * with a small RLIMIT_MEMLOCK): go on unlocked, and say so once in
	 * our log instead of libgcrypt's "using insecure memory" lines.
	 */
	if (gcry_control(GCRYCTL_INIT_SECMEM, CRYPT_SECMEM_POOL, 0) != 0) {
		log_warn("crypt: cannot lock %d bytes of secure memory into "
			 "RAM, so keys could be swapped to disk; raise "
			 "RLIMIT_MEMLOCK (ulimit -l) for this user",
		    CRYPT_SECMEM_POOL);
		gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	}
	/*
	 * Many threads opening credentials at once could exhaust the locked
	 * pool; extra pools (unlocked, still wiped on free, announced once
	 * by libgcrypt) beat failing the request.
	 */
	gcry_control(
	    GCRYCTL_AUTO_EXPAND_SECMEM, (unsigned int)CRYPT_SECMEM_POOL);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	crypt_ready = 1;
	return ERR_OK;
}

/* Opens a secure HMAC-SHA256 handle keyed with key; NULL on failure. */
static gcry_mac_hd_t
crypt_mac_open(const void *key, size_t klen)
{
	gcry_mac_hd_t h;
	gcry_error_t ge;

	ge = gcry_mac_open(
	    &h, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE, NULL);
	if (ge != 0) {
		log_error("crypt: gcry_mac_open: %s", gcry_strerror(ge));
		return NULL;
	}
	ge = gcry_mac_setkey(h, key, klen);
	if (ge != 0) {
		log_error("crypt: gcry_mac_setkey: %s", gcry_strerror(ge));
		gcry_mac_close(h);
		return NULL;
	}
	return h;
}

enum err
crypt_hmac_sha256(const void *key, size_t klen, const void *data, size_t len,
    unsigned char out[32])
{
	gcry_mac_hd_t h;
	size_t olen = 32;
	enum err e = ERR_CRYPTO;

	if ((h = crypt_mac_open(key, klen)) == NULL)
		return ERR_CRYPTO;
	if (len > 0 && gcry_mac_write(h, data, len) != 0)
		goto fail;
	if (gcry_mac_read(h, out, &olen) != 0 || olen != 32)
		goto fail;
	e = ERR_OK;
fail:
	gcry_mac_close(h);
	return e;
}

void
crypt_sha256(const void *d, size_t n, unsigned char out[32])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, d, n);
}

int
crypt_memeq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void
crypt_random(void *buf, size_t n)
{
	gcry_randomize(buf, n, GCRY_STRONG_RANDOM);
}

char *
crypt_random_token(struct arena *a, size_t nbytes)
{
	unsigned char *raw;
	char *out;

	raw = arena_alloc(a, nbytes);
	out = arena_alloc(a, b64url_encoded_len(nbytes) + 1);
	crypt_random(raw, nbytes);
	b64url_encode(raw, nbytes, out);
	explicit_bzero(raw, nbytes);
	return out;
}

enum err
crypt_hkdf_sha256(const void *salt, size_t salt_len, const void *ikm,
    size_t ikm_len, const void *info, size_t info_len, unsigned char *okm,
    size_t okm_len)
{
	static const unsigned char zero_salt[32];
	unsigned char prk[32], t[32], ctr;
	gcry_mac_hd_t h = NULL;
	size_t done, take, tlen = 0;
	enum err e = ERR_CRYPTO;

	if (okm_len > 255 * 32)
		return ERR_INVAL;
	if (salt == NULL || salt_len == 0) {
		salt = zero_salt;
		salt_len = sizeof(zero_salt);
	}
	/* Extract: PRK = HMAC(salt, IKM). */
	if ((e = crypt_hmac_sha256(salt, salt_len, ikm, ikm_len, prk)) !=
	    ERR_OK)
		goto fail;
	e = ERR_CRYPTO;
	/* Expand: T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty. */
	if ((h = crypt_mac_open(prk, sizeof(prk))) == NULL)
		goto fail;
	for (done = 0, ctr = 1; done < okm_len; ctr++) {
		if (tlen > 0 && gcry_mac_write(h, t, tlen) != 0)
			goto fail;
		if (info_len > 0 && gcry_mac_write(h, info, info_len) != 0)
			goto fail;
		if (gcry_mac_write(h, &ctr, 1) != 0)
			goto fail;
		tlen = sizeof(t);
		if (gcry_mac_read(h, t, &tlen) != 0 || tlen != sizeof(t))
			goto fail;
		if (gcry_mac_reset(h) != 0)
			goto fail;
		take = okm_len - done < tlen ? okm_len - done : tlen;
		memcpy(okm + done, t, take);
		done += take;
	}
	e = ERR_OK;
fail:
	if (h != NULL)
		gcry_mac_close(h);
	explicit_bzero(prk, sizeof(prk));
	explicit_bzero(t, sizeof(t));
	if (e != ERR_OK && okm_len <= 255 * 32)
		explicit_bzero(okm, okm_len);
	return e;
}

/* Derives the three values of one key from an operator secret. */
static enum err
crypt_key_derive(const void *secret, size_t len, struct crypt_key *k)
{
	static const char hex[] = "0123456789abcdef";
	const char *salt = CRYPT_HKDF_SALT;
	enum err e;
	size_t i;

	e = crypt_hkdf_sha256(salt, strlen(salt), secret, len, CRYPT_INFO_ENC,
	    strlen(CRYPT_INFO_ENC), k->enc, sizeof(k->enc));
	if (e == ERR_OK)
		e = crypt_hkdf_sha256(salt, strlen(salt), secret, len,
		    CRYPT_INFO_JWT, strlen(CRYPT_INFO_JWT), k->jwt,
		    sizeof(k->jwt));
	if (e == ERR_OK)
		e = crypt_hkdf_sha256(salt, strlen(salt), secret, len,
		    CRYPT_INFO_ID, strlen(CRYPT_INFO_ID), k->id, sizeof(k->id));
	if (e != ERR_OK)
		return e;
	for (i = 0; i < sizeof(k->id); i++) {
		k->kid[2 * i] = hex[k->id[i] >> 4];
		k->kid[2 * i + 1] = hex[k->id[i] & 15];
	}
	k->kid[CRYPT_KID_LEN] = '\0';
	return ERR_OK;
}

enum err
crypt_keyring_new(const void *const secrets[], const size_t lens[], size_t n,
    struct crypt_keyring **out)
{
	struct crypt_keyring *kr = NULL;
	struct crypt_key *k;
	size_t i, j;
	enum err e = ERR_CONFIG;

	*out = NULL;
	if (n == 0 || n > CRYPT_KEYRING_MAX) {
		log_error("crypt: %zu secret keys given; 1 to %d are supported",
		    n, CRYPT_KEYRING_MAX);
		return ERR_CONFIG;
	}
	for (i = 0; i < n; i++)
		if (secrets[i] == NULL || lens[i] < CRYPT_SECRET_MIN) {
			if (i == 0)
				log_error("crypt: the secret key is %zu bytes "
					  "long; at least %d are required",
				    secrets[i] == NULL ? 0 : lens[i],
				    CRYPT_SECRET_MIN);
			else
				log_error(
				    "crypt: old secret key %zu is %zu "
				    "bytes long; at least %d are required",
				    i, secrets[i] == NULL ? 0 : lens[i],
				    CRYPT_SECRET_MIN);
			return ERR_CONFIG;
		}
	kr = gcry_malloc_secure(sizeof(*kr) + n * sizeof(kr->keys[0]));
	if (kr == NULL)
		return ERR_NOMEM;
	kr->n = 0;
	kr->cap = n;
	for (i = 0; i < n; i++) {
		k = &kr->keys[kr->n];
		if ((e = crypt_key_derive(secrets[i], lens[i], k)) != ERR_OK)
			goto fail;
		for (j = 0; j < kr->n; j++)
			if (memcmp(kr->keys[j].id, k->id, sizeof(k->id)) == 0)
				break;
		if (j == kr->n) {
			kr->n++;
			continue;
		}
		if (!crypt_memeq(kr->keys[j].enc, k->enc, sizeof(k->enc))) {
			log_error("crypt: two different secret keys share key "
				  "id %s; replace one of them",
			    k->kid);
			e = ERR_CONFIG;
			goto fail;
		}
		log_warn(
		    "crypt: secret key %zu repeats key %s; ignored", i, k->kid);
		explicit_bzero(k, sizeof(*k));
	}
	*out = kr;
	return ERR_OK;
fail:
	crypt_keyring_free(kr);
	return e;
}

void
crypt_keyring_free(struct crypt_keyring *kr)
{
	if (kr == NULL)
		return;
	explicit_bzero(kr, sizeof(*kr) + kr->cap * sizeof(kr->keys[0]));
	gcry_free(kr);
}

const char *
crypt_keyring_kid(const struct crypt_keyring *kr)
{
	return kr->keys[0].kid;
}

const unsigned char *
crypt_keyring_jwt_key(const struct crypt_keyring *kr, const char *kid)
{
	size_t i;

	if (kid == NULL)
		return kr->keys[0].jwt;
	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->keys[i].kid, kid) == 0)
			return kr->keys[i].jwt;
	return NULL;
}

/* Opens an AES-256-GCM handle with key, nonce and aad already applied. */
static gcry_cipher_hd_t
crypt_gcm_open(const unsigned char *key, const unsigned char *nonce,
    const void *aad, size_t aad_len)
{
	gcry_cipher_hd_t h;
	gcry_error_t ge;

	ge = gcry_cipher_open(
	    &h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE);
	if (ge != 0) {
		log_error("crypt: gcry_cipher_open: %s", gcry_strerror(ge));
		return NULL;
	}
	if ((ge = gcry_cipher_setkey(h, key, CRYPT_KEY_LEN)) != 0 ||
	    (ge = gcry_cipher_setiv(h, nonce, CRYPT_NONCE_LEN)) != 0 ||
	    (aad_len > 0 &&
		(ge = gcry_cipher_authenticate(h, aad, aad_len)) != 0) ||
	    (ge = gcry_cipher_final(h)) != 0) {
		log_error("crypt: AES-GCM set-up: %s", gcry_strerror(ge));
		gcry_cipher_close(h);
		return NULL;
	}
	return h;
}

enum err
crypt_seal(const struct crypt_keyring *kr, const void *plain, size_t len,
    const void *aad, size_t aad_len, struct arena *a, unsigned char **out,
    size_t *out_len)
{
	const struct crypt_key *k = &kr->keys[0];
	gcry_cipher_hd_t h;
	unsigned char *b, *nonce, *ct;
	enum err e = ERR_CRYPTO;

	if (len > SIZE_MAX / 2)
		return ERR_TOOBIG;
	b = arena_alloc(a, len + CRYPT_SEAL_OVERHEAD);
	b[0] = CRYPT_SEAL_VERSION;
	memcpy(b + 1, k->id, CRYPT_KEY_ID_LEN);
	nonce = b + 1 + CRYPT_KEY_ID_LEN;
	ct = nonce + CRYPT_NONCE_LEN;
	crypt_random(nonce, CRYPT_NONCE_LEN);
	if ((h = crypt_gcm_open(k->enc, nonce, aad, aad_len)) == NULL)
		return ERR_CRYPTO;
	if (gcry_cipher_encrypt(h, ct, len, len > 0 ? plain : NULL, len) != 0 ||
	    gcry_cipher_gettag(h, ct + len, CRYPT_TAG_LEN) != 0) {
		log_error("crypt: AES-GCM encryption failed");
		goto fail;
	}
	*out = b;
	*out_len = len + CRYPT_SEAL_OVERHEAD;
	e = ERR_OK;
fail:
	gcry_cipher_close(h);
	return e;
}

enum err
crypt_open(const struct crypt_keyring *kr, const unsigned char *blob, size_t n,
    const void *aad, size_t aad_len, struct crypt_secret **out)
{
	const struct crypt_key *k = NULL;
	const unsigned char *nonce, *ct;
	struct crypt_secret *s = NULL;
	gcry_cipher_hd_t h = NULL;
	size_t i, len;
	enum err e = ERR_CRYPTO;

	*out = NULL;
	if (blob == NULL || n < CRYPT_SEAL_OVERHEAD ||
	    blob[0] != CRYPT_SEAL_VERSION)
		return ERR_CRYPTO;
	for (i = 0; i < kr->n && k == NULL; i++)
		if (memcmp(kr->keys[i].id, blob + 1, CRYPT_KEY_ID_LEN) == 0)
			k = &kr->keys[i];
	if (k == NULL)
		return ERR_CRYPTO;
	nonce = blob + 1 + CRYPT_KEY_ID_LEN;
	ct = nonce + CRYPT_NONCE_LEN;
	len = n - CRYPT_SEAL_OVERHEAD;

	/* One secure block holds the struct and the text behind it. */
	s = gcry_malloc_secure(sizeof(*s) + len + 1);
	if (s == NULL) {
		log_error("crypt: out of secure memory");
		return ERR_NOMEM;
	}
	s->data = (char *)(s + 1);
	s->len = len;
	if ((h = crypt_gcm_open(k->enc, nonce, aad, aad_len)) == NULL)
		goto fail;
	if (gcry_cipher_decrypt(h, s->data, len, len > 0 ? ct : NULL, len) != 0)
		goto fail;
	if (gcry_cipher_checktag(h, ct + len, CRYPT_TAG_LEN) != 0)
		goto fail;
	s->data[len] = '\0';
	gcry_cipher_close(h);
	*out = s;
	return ERR_OK;
fail:
	if (h != NULL)
		gcry_cipher_close(h);
	crypt_secret_free(s);
	return e;
}

enum err
crypt_secret_concat(const char *prefix, const struct crypt_secret *in,
    struct crypt_secret **out)
{
	size_t pl = strlen(prefix);
	struct crypt_secret *s;

	if (in->len > SIZE_MAX / 2 || pl > SIZE_MAX / 2)
		return ERR_TOOBIG;
	if ((s = gcry_malloc_secure(sizeof(*s) + pl + in->len + 1)) == NULL) {
		log_error("crypt: out of secure memory");
		return ERR_NOMEM;
	}
	s->data = (char *)(s + 1);
	s->len = pl + in->len;
	memcpy(s->data, prefix, pl);
	memcpy(s->data + pl, in->data, in->len);
	s->data[s->len] = '\0';
	*out = s;
	return ERR_OK;
}

void
crypt_secret_free(struct crypt_secret *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s->data, s->len + 1);
	explicit_bzero(s, sizeof(*s));
	gcry_free(s);
}

static enum err
crypt_pbkdf2(const char *pw, const void *salt, size_t salt_len,
    unsigned long iter, unsigned char *out, size_t out_len)
{
	gcry_error_t ge;

	ge = gcry_kdf_derive(pw, strlen(pw), GCRY_KDF_PBKDF2, GCRY_MD_SHA256,
	    salt, salt_len, iter, out_len, out);
	if (ge != 0) {
		log_error("crypt: gcry_kdf_derive: %s", gcry_strerror(ge));
		return ERR_CRYPTO;
	}
	return ERR_OK;
}

enum err
crypt_password_hash(struct arena *a, const char *pw, char **out)
{
	unsigned char salt[CRYPT_PW_SALT_LEN], hash[CRYPT_PW_HASH_LEN];
	char salt_b64[64], hash_b64[64];
	enum err e;

	if (pw == NULL)
		return ERR_INVAL;
	crypt_random(salt, sizeof(salt));
	e = crypt_pbkdf2(
	    pw, salt, sizeof(salt), CRYPT_PBKDF2_ITER, hash, sizeof(hash));
	if (e != ERR_OK)
		goto fail;
	b64_encode(salt, sizeof(salt), salt_b64);
	b64_encode(hash, sizeof(hash), hash_b64);
	*out = arena_printf(a, "%s%lu$%s$%s", CRYPT_PW_PREFIX,
	    (unsigned long)CRYPT_PBKDF2_ITER, salt_b64, hash_b64);
fail:
	explicit_bzero(hash, sizeof(hash));
	return e;
}

/*
 * Splits "pbkdf2-sha256$<iter>$<salt>$<hash>" and decodes its fields into
 * arena a. ERR_INVAL for anything but the canonical shape.
 */
static enum err
crypt_pw_parse(struct arena *a, const char *enc, unsigned long *iter,
    unsigned char **salt, size_t *salt_len, unsigned char **hash,
    size_t *hash_len)
{
	const char *p, *d;
	size_t plen = strlen(CRYPT_PW_PREFIX);

	if (strncmp(enc, CRYPT_PW_PREFIX, plen) != 0)
		return ERR_INVAL;
	p = enc + plen;
	*iter = 0;
	for (d = p; *d >= '0' && *d <= '9' && d - p < 9; d++)
		*iter = *iter * 10 + (unsigned long)(*d - '0');
	if (d == p || *d != '$' || (*p == '0' && d - p > 1) ||
	    *iter < CRYPT_PW_ITER_MIN || *iter > CRYPT_PW_ITER_MAX)
		return ERR_INVAL;
	p = d + 1;
	if ((d = strchr(p, '$')) == NULL)
		return ERR_INVAL;
	if (b64_decode(a, p, (size_t)(d - p), salt, salt_len) != ERR_OK ||
	    *salt_len < 8 || *salt_len > 64)
		return ERR_INVAL;
	p = d + 1;
	if (strchr(p, '$') != NULL ||
	    b64_decode(a, p, strlen(p), hash, hash_len) != ERR_OK ||
	    *hash_len < 16 || *hash_len > 64)
		return ERR_INVAL;
	return ERR_OK;
}

enum err
crypt_password_verify(const char *pw, const char *encoded)
{
	struct arena a;
	unsigned char *salt, *hash, got[64];
	size_t salt_len, hash_len;
	unsigned long iter;
	enum err e;

	if (pw == NULL || encoded == NULL)
		return ERR_INVAL;
	arena_init(&a);
	e = crypt_pw_parse(
	    &a, encoded, &iter, &salt, &salt_len, &hash, &hash_len);
	if (e != ERR_OK)
		goto fail;
	if ((e = crypt_pbkdf2(pw, salt, salt_len, iter, got, hash_len)) !=
	    ERR_OK)
		goto fail;
	e = crypt_memeq(got, hash, hash_len) ? ERR_OK : ERR_AUTH;
fail:
	explicit_bzero(got, sizeof(got));
	arena_free(&a);
	return e;
}

void
crypt_password_dummy(const char *pw)
{
	static const unsigned char salt[CRYPT_PW_SALT_LEN];
	unsigned char got[CRYPT_PW_HASH_LEN];

	/* The result is thrown away: only the time spent matters. */
	if (crypt_pbkdf2(pw != NULL ? pw : "", salt, sizeof(salt),
		CRYPT_PBKDF2_ITER, got, sizeof(got)) != ERR_OK)
		log_debug("crypt: dummy password check failed");
	explicit_bzero(got, sizeof(got));
}
