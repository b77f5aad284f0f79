/* Unit tests for crypt: HKDF vectors, key ring, sealing, password hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "crypt.h"
#include "err.h"
#include "t.h"

#define VECTORS "tests/data/crypt/vectors.txt"
#define MAXF 8

/* One parsed line of the vectors file: a kind and up to MAXF fields. */
struct line {
	char *f[MAXF + 1];
	int n;
};

static struct line lines[64];
static int nlines;
static char filebuf[16384];

static void
load_vectors(void)
{
	FILE *fp = fopen(VECTORS, "r");
	size_t got;
	char *p, *save = NULL, *tok;

	if (fp == NULL) {
		printf("Bail out! cannot open %s (run from the project root)\n",
		    VECTORS);
		exit(1);
	}
	got = fread(filebuf, 1, sizeof(filebuf) - 1, fp);
	fclose(fp);
	filebuf[got] = '\0';
	for (p = strtok_r(filebuf, "\n", &save); p != NULL && nlines < 64;
	     p = strtok_r(NULL, "\n", &save)) {
		if (*p == '#')
			continue;
		lines[nlines].n = 0;
		for (tok = strsep(&p, " ");
		     tok != NULL && lines[nlines].n <= MAXF;
		     tok = strsep(&p, " "))
			lines[nlines].f[lines[nlines].n++] = tok;
		nlines++;
	}
}

/* Decodes hex ("-" is empty) into a malloc'ed buffer; *n gets its size. */
static unsigned char *
unhex(const char *s, size_t *n)
{
	unsigned char *b;
	size_t i, len;
	unsigned int v;

	if (strcmp(s, "-") == 0)
		s = "";
	len = strlen(s) / 2;
	b = malloc(len + 1);
	for (i = 0; i < len; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			abort();
		b[i] = (unsigned char)v;
	}
	*n = len;
	return b;
}

static void
tohex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

static struct crypt_keyring *
ring_of(const char *hex1, const char *hex2)
{
	const void *s[2];
	size_t l[2], n = hex2 == NULL ? 1 : 2;
	unsigned char *b1, *b2 = NULL;
	struct crypt_keyring *kr = NULL;

	s[0] = b1 = unhex(hex1, &l[0]);
	if (hex2 != NULL)
		s[1] = b2 = unhex(hex2, &l[1]);
	if (crypt_keyring_new(s, l, n, &kr) != ERR_OK)
		kr = NULL;
	free(b1);
	free(b2);
	return kr;
}

/* The i-th "key" line: secret, credential key, jwt key, kid. */
static struct line *
key_line(int i)
{
	int k, seen = 0;

	for (k = 0; k < nlines; k++)
		if (strcmp(lines[k].f[0], "key") == 0 && seen++ == i)
			return &lines[k];
	abort();
}

static const char *
secret_hex(int i)
{
	return key_line(i)->f[1];
}

static int
contains(const unsigned char *h, size_t n, const char *needle)
{
	size_t i, l = strlen(needle);

	for (i = 0; i + l <= n; i++)
		if (memcmp(h + i, needle, l) == 0)
			return 1;
	return 0;
}

static void
test_hkdf(void)
{
	unsigned char *ikm, *salt, *info, *want, okm[255 * 32 + 1];
	size_t li, ls, lf, lw, len;
	int k, cases = 0;

	for (k = 0; k < nlines; k++) {
		if (strcmp(lines[k].f[0], "hkdf") != 0)
			continue;
		ikm = unhex(lines[k].f[1], &li);
		salt = unhex(lines[k].f[2], &ls);
		info = unhex(lines[k].f[3], &lf);
		len = (size_t)atoi(lines[k].f[4]);
		want = unhex(lines[k].f[5], &lw);
		memset(okm, 0xee, sizeof(okm));
		T_EQ_INT(crypt_hkdf_sha256(ls ? salt : NULL, ls, ikm, li,
			     lf ? info : NULL, lf, okm, len),
		    ERR_OK, "hkdf RFC 5869 case %d", cases + 1);
		T_OK(lw == len && memcmp(okm, want, len) == 0 &&
			okm[len] == 0xee,
		    "hkdf RFC 5869 case %d output", cases + 1);
		free(ikm);
		free(salt);
		free(info);
		free(want);
		cases++;
	}
	T_EQ_INT(cases, 3, "all three RFC 5869 SHA-256 cases ran");
	T_EQ_INT(crypt_hkdf_sha256("s", 1, "k", 1, NULL, 0, okm, 255 * 32),
	    ERR_OK, "hkdf longest output (255 blocks)");
	T_EQ_INT(crypt_hkdf_sha256("s", 1, "k", 1, NULL, 0, okm, 255 * 32 + 1),
	    ERR_INVAL, "hkdf refuses more than 255 blocks");
}

static void
test_hash_mac(void)
{
	/* RFC 4231 cases 1 and 2, FIPS 180-2 "abc". */
	static const unsigned char k1[20] = {
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
		0x0b,
	};
	unsigned char out[32];
	char hex[65];

	T_EQ_INT(crypt_hmac_sha256(k1, sizeof(k1), "Hi There", 8, out), ERR_OK,
	    "hmac RFC 4231 case 1");
	tohex(out, 32, hex);
	T_EQ_STR(hex,
	    "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7",
	    "hmac RFC 4231 case 1 value");
	T_EQ_INT(crypt_hmac_sha256(
		     "Jefe", 4, "what do ya want for nothing?", 28, out),
	    ERR_OK, "hmac RFC 4231 case 2");
	tohex(out, 32, hex);
	T_EQ_STR(hex,
	    "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843",
	    "hmac RFC 4231 case 2 value");
	T_EQ_INT(crypt_hmac_sha256("", 0, "x", 1, out), ERR_OK,
	    "hmac with an empty key");
	tohex(out, 32, hex);
	T_EQ_STR(hex,
	    "4cbc96099a6467ce002461f10549b489"
	    "8265ebe6188b45efacc44293516e62c4",
	    "hmac empty key value (node)");
	crypt_sha256("abc", 3, out);
	tohex(out, 32, hex);
	T_EQ_STR(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad",
	    "sha256 abc");
}

static void
test_memeq_random(struct arena *a)
{
	unsigned char x[32] = { 0 }, y[32] = { 0 }, r1[32], r2[32];
	const char *t1, *t2, *p;
	int ok = 1;

	T_EQ_INT(crypt_memeq(x, y, 32), 1, "memeq equal");
	T_EQ_INT(crypt_memeq(x, y, 0), 1, "memeq empty");
	y[0] = 0x80;
	T_EQ_INT(crypt_memeq(x, y, 32), 0, "memeq differs in first byte");
	y[0] = 0;
	y[31] = 1;
	T_EQ_INT(crypt_memeq(x, y, 32), 0, "memeq differs in last byte");
	T_EQ_INT(crypt_memeq(x, y, 31), 1, "memeq only compares n bytes");

	crypt_random(r1, sizeof(r1));
	crypt_random(r2, sizeof(r2));
	T_OK(memcmp(r1, r2, 32) != 0 && memcmp(r1, x, 32) != 0,
	    "random buffers differ");
	t1 = crypt_random_token(a, 32);
	t2 = crypt_random_token(a, 32);
	T_EQ_INT(strlen(t1), 43, "token of 32 bytes has 43 characters");
	for (p = t1; *p != '\0'; p++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "abcdefghijklmnopqrstuvwxyz0123456789-_",
			*p) == NULL)
			ok = 0;
	T_OK(ok, "token is base64url");
	T_OK(strcmp(t1, t2) != 0, "tokens differ");
}

static void
test_keyring(void)
{
	struct crypt_keyring *kr, *kr2;
	const unsigned char *jk;
	unsigned char *want, buf[64];
	const void *s[3];
	size_t l[3], n;
	char hex[65];
	int k, keys = 0;

	for (k = 0; k < nlines; k++) {
		if (strcmp(lines[k].f[0], "key") != 0)
			continue;
		kr = ring_of(lines[k].f[1], NULL);
		T_OK(kr != NULL, "key ring from secret %d", keys);
		if (kr == NULL)
			continue;
		T_EQ_STR(crypt_keyring_kid(kr), lines[k].f[4],
		    "kid of secret %d matches node", keys);
		jk = crypt_keyring_jwt_key(kr, NULL);
		tohex(jk, 32, hex);
		T_EQ_STR(hex, lines[k].f[3],
		    "jwt key of secret %d matches node", keys);
		T_OK(crypt_keyring_jwt_key(kr, lines[k].f[4]) == jk,
		    "jwt key found by its kid");
		crypt_keyring_free(kr);
		keys++;
	}
	T_EQ_INT(keys, 3, "three key derivation vectors ran");

	kr = ring_of(secret_hex(0), secret_hex(1));
	T_OK(kr != NULL, "ring with an old key");
	if (kr != NULL) {
		T_EQ_STR(crypt_keyring_kid(kr), key_line(0)->f[4],
		    "current kid is the first secret's");
		jk = crypt_keyring_jwt_key(kr, key_line(1)->f[4]);
		want = unhex(key_line(1)->f[3], &n);
		T_OK(jk != NULL && memcmp(jk, want, 32) == 0,
		    "old jwt key found by its kid");
		free(want);
		T_OK(crypt_keyring_jwt_key(kr, key_line(2)->f[4]) == NULL,
		    "unknown kid finds no key");
		T_OK(crypt_keyring_jwt_key(kr, "") == NULL, "empty kid");
		T_OK(crypt_keyring_jwt_key(kr, "762E35EE") == NULL,
		    "kid lookup is exact (no case folding)");
		crypt_keyring_free(kr);
	}

	memset(buf, 'k', sizeof(buf));
	s[0] = buf;
	l[0] = 31;
	kr = (struct crypt_keyring *)1;
	T_EQ_INT(crypt_keyring_new(s, l, 1, &kr), ERR_CONFIG,
	    "31-byte secret refused");
	T_OK(kr == NULL, "no ring on failure");
	l[0] = 32;
	T_EQ_INT(crypt_keyring_new(s, l, 1, &kr), ERR_OK, "32-byte secret ok");
	crypt_keyring_free(kr);
	s[1] = buf;
	l[1] = 8;
	T_EQ_INT(crypt_keyring_new(s, l, 2, &kr), ERR_CONFIG,
	    "short old secret refused");
	T_EQ_INT(crypt_keyring_new(s, l, 0, &kr), ERR_CONFIG, "no secret");
	s[1] = NULL;
	l[1] = 40;
	T_EQ_INT(crypt_keyring_new(s, l, 2, &kr), ERR_CONFIG, "NULL secret");

	/* The same secret twice is kept once; distinct ones both count. */
	s[1] = buf;
	l[1] = 32;
	s[2] = buf;
	l[2] = 33;
	T_EQ_INT(crypt_keyring_new(s, l, 3, &kr2), ERR_OK,
	    "duplicate secret tolerated");
	if (kr2 != NULL) {
		T_OK(crypt_keyring_jwt_key(kr2, crypt_keyring_kid(kr2)) != NULL,
		    "deduplicated ring still works");
		crypt_keyring_free(kr2);
	}
	crypt_keyring_free(NULL);
}

static void
test_seal_vectors(void)
{
	struct crypt_keyring *kr, *kr2;
	struct crypt_secret *sec;
	unsigned char *aad, *plain, *blob;
	size_t la, lp, lb;
	int k, cases = 0;

	for (k = 0; k < nlines; k++) {
		if (strcmp(lines[k].f[0], "seal") != 0)
			continue;
		kr = ring_of(lines[k].f[1], NULL);
		/* The same secret as an old key of a rotated ring. */
		kr2 = ring_of(secret_hex(2), lines[k].f[1]);
		aad = unhex(lines[k].f[2], &la);
		plain = unhex(lines[k].f[3], &lp);
		blob = unhex(lines[k].f[4], &lb);
		sec = NULL;
		T_EQ_INT(crypt_open(kr, blob, lb, aad, la, &sec), ERR_OK,
		    "open node blob %d", cases);
		T_OK(sec != NULL && sec->len == lp &&
			memcmp(sec->data, plain, lp) == 0 &&
			sec->data[lp] == '\0',
		    "node blob %d plaintext", cases);
		crypt_secret_free(sec);
		T_EQ_INT(crypt_open(kr2, blob, lb, aad, la, &sec), ERR_OK,
		    "open node blob %d with it as an old key", cases);
		crypt_secret_free(sec);
		T_EQ_INT(crypt_open(kr, blob, lb, "x", 1, &sec), ERR_CRYPTO,
		    "node blob %d with another aad", cases);
		T_OK(sec == NULL, "no output on failure");
		free(aad);
		free(plain);
		free(blob);
		crypt_keyring_free(kr);
		crypt_keyring_free(kr2);
		cases++;
	}
	T_EQ_INT(cases, 3, "three node-sealed blobs ran");
}

/* Holding more plaintext than the 64 KiB locked pool must still work. */
static void
test_many_open(struct arena *a, const struct crypt_keyring *kr)
{
	struct crypt_secret *held[160];
	unsigned char plain[1024], *b;
	size_t i, n, good = 0;

	memset(plain, 'p', sizeof(plain));
	if (crypt_seal(kr, plain, sizeof(plain), "aad", 3, a, &b, &n) !=
	    ERR_OK) {
		T_OK(0, "seal 1 KiB");
		return;
	}
	for (i = 0; i < 160; i++)
		if (crypt_open(kr, b, n, "aad", 3, &held[i]) == ERR_OK &&
		    held[i]->len == sizeof(plain) &&
		    memcmp(held[i]->data, plain, sizeof(plain)) == 0)
			good++;
	T_EQ_INT(good, 160, "160 KiB of opened secrets held at once");
	for (i = 0; i < 160; i++)
		crypt_secret_free(held[i]);
}

static void
test_seal(struct arena *a)
{
	static const char cred[] = "Bearer sk-live-abcdefghijklmnop";
	static const char aad[] = "7f0c2a4e-1111-4222-8333-944455556666/"
				  "auth_credential_enc";
	struct crypt_keyring *cur, *old, *rot, *other;
	struct crypt_secret *sec;
	unsigned char *b, *b2, *c;
	size_t n, n2, i, bit;
	char kid[9];
	int all;

	cur = ring_of(secret_hex(0), NULL);
	old = ring_of(secret_hex(1), NULL);
	rot = ring_of(secret_hex(0), secret_hex(1));
	other = ring_of(secret_hex(2), NULL);
	if (cur == NULL || old == NULL || rot == NULL || other == NULL) {
		T_OK(0, "rings for the seal tests");
		return;
	}

	T_EQ_INT(
	    crypt_seal(cur, cred, strlen(cred), aad, strlen(aad), a, &b, &n),
	    ERR_OK, "seal");
	T_EQ_INT(n, strlen(cred) + CRYPT_SEAL_OVERHEAD, "sealed length");
	T_EQ_INT(b[0], 0x01, "version byte");
	tohex(b + 1, 4, kid);
	T_EQ_STR(kid, crypt_keyring_kid(cur), "key id in the blob");
	T_OK(!contains(b, n, "sk-live"), "no plaintext in the blob");
	T_EQ_INT(
	    crypt_seal(cur, cred, strlen(cred), aad, strlen(aad), a, &b2, &n2),
	    ERR_OK, "seal again");
	T_OK(n == n2 && memcmp(b + 5, b2 + 5, 12) != 0 &&
		memcmp(b + 17, b2 + 17, n - 17) != 0,
	    "fresh nonce and ciphertext each time");

	sec = NULL;
	T_EQ_INT(crypt_open(cur, b, n, aad, strlen(aad), &sec), ERR_OK, "open");
	T_OK(sec != NULL && sec->len == strlen(cred) &&
		strcmp(sec->data, cred) == 0,
	    "round trip");
	crypt_secret_free(sec);

	/* Every single-bit change anywhere is refused. */
	c = malloc(n + 1);
	all = 1;
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(c, b, n);
			c[i] ^= (unsigned char)(1u << bit);
			sec = (struct crypt_secret *)1;
			if (crypt_open(cur, c, n, aad, strlen(aad), &sec) !=
				ERR_CRYPTO ||
			    sec != NULL)
				all = 0;
		}
	T_OK(all, "each of %zu bit flips refused", n * 8);
	all = 1;
	for (i = 0; i < n; i++)
		if (crypt_open(cur, b, i, aad, strlen(aad), &sec) !=
			ERR_CRYPTO ||
		    sec != NULL)
			all = 0;
	T_OK(all, "truncations to every length 0..%zu refused", n - 1);
	memcpy(c, b, n);
	c[n] = 0;
	T_EQ_INT(crypt_open(cur, c, n + 1, aad, strlen(aad), &sec), ERR_CRYPTO,
	    "appended byte refused");
	free(c);
	T_EQ_INT(crypt_open(cur, NULL, 0, aad, strlen(aad), &sec), ERR_CRYPTO,
	    "NULL blob refused");

	T_EQ_INT(crypt_open(cur, b, n, aad, strlen(aad) - 1, &sec), ERR_CRYPTO,
	    "shorter aad refused");
	T_EQ_INT(crypt_open(cur, b, n, NULL, 0, &sec), ERR_CRYPTO,
	    "missing aad refused");
	T_EQ_INT(crypt_open(cur, b, n,
		     "8f0c2a4e-1111-4222-8333-944455556666/"
		     "auth_credential_enc",
		     strlen(aad), &sec),
	    ERR_CRYPTO, "other row's aad refused");
	T_EQ_INT(crypt_open(other, b, n, aad, strlen(aad), &sec), ERR_CRYPTO,
	    "unknown key id refused");

	/* Rotation: a blob sealed under the old key opens in the new ring. */
	T_EQ_INT(
	    crypt_seal(old, cred, strlen(cred), aad, strlen(aad), a, &b2, &n2),
	    ERR_OK, "seal under the old key");
	T_EQ_INT(crypt_open(rot, b2, n2, aad, strlen(aad), &sec), ERR_OK,
	    "old blob opens after rotation");
	T_OK(sec != NULL && strcmp(sec->data, cred) == 0,
	    "old blob plaintext after rotation");
	crypt_secret_free(sec);
	T_EQ_INT(
	    crypt_seal(rot, cred, strlen(cred), aad, strlen(aad), a, &b2, &n2),
	    ERR_OK, "seal after rotation");
	T_EQ_INT(crypt_open(old, b2, n2, aad, strlen(aad), &sec), ERR_CRYPTO,
	    "new blob does not open with only the old key");
	T_EQ_INT(crypt_open(cur, b2, n2, aad, strlen(aad), &sec), ERR_OK,
	    "new blob uses the current key");
	crypt_secret_free(sec);

	T_EQ_INT(crypt_seal(cur, "", 0, NULL, 0, a, &b2, &n2), ERR_OK,
	    "seal empty plaintext, no aad");
	T_EQ_INT(n2, CRYPT_SEAL_OVERHEAD, "empty sealed length");
	T_EQ_INT(crypt_open(cur, b2, n2, NULL, 0, &sec), ERR_OK, "open empty");
	T_OK(sec != NULL && sec->len == 0 && sec->data[0] == '\0',
	    "empty round trip");
	crypt_secret_free(sec);
	crypt_secret_free(NULL);

	test_many_open(a, cur);
	crypt_keyring_free(cur);
	crypt_keyring_free(old);
	crypt_keyring_free(rot);
	crypt_keyring_free(other);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
test_password(struct arena *a)
{
	static const char *const bad[] = {
		"",
		"pbkdf2-sha256$",
		"pbkdf2-sha256$120000$",
		"pbkdf2-sha256$120000$AAAAAAAAAAAAAAAAAAAAAA==",
		"pbkdf2-sha256$120000$AAAAAAAAAAAAAAAAAAAAAA==$",
		"scrypt$1000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"PBKDF2-SHA256$1000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$999$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$10000001$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$01000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$+1000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$ 1000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$1000x$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$99999999999999999999$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$1000$AAAA$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAA=",
		"pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$",
		"pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pbkdf2-sha256$1000$AA-AAAAAAAAAAAAAAAAAAA==$"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	struct timespec t0;
	char *h1 = NULL, *h2 = NULL, prefix[64];
	double tv, td, best_v = 1e9, best_d = 1e9;
	size_t i;
	int k, cases = 0, r;

	T_EQ_INT(crypt_password_hash(a, "correct horse", &h1), ERR_OK,
	    "password hash");
	snprintf(
	    prefix, sizeof(prefix), "pbkdf2-sha256$%d$", CRYPT_PBKDF2_ITER);
	T_OK(h1 != NULL && strncmp(h1, prefix, strlen(prefix)) == 0 &&
		strlen(h1) == strlen(prefix) + 24 + 1 + 44,
	    "hash format: %s...", prefix);
	T_EQ_INT(
	    crypt_password_hash(a, "correct horse", &h2), ERR_OK, "hash again");
	T_OK(h2 != NULL && strcmp(h1, h2) != 0, "random salt per hash");
	T_EQ_INT(crypt_password_verify("correct horse", h1), ERR_OK,
	    "right password");
	T_EQ_INT(crypt_password_verify("correct horsE", h1), ERR_AUTH,
	    "wrong password");
	T_EQ_INT(crypt_password_verify("", h1), ERR_AUTH, "empty password");

	for (k = 0; k < nlines; k++) {
		if (strcmp(lines[k].f[0], "password") != 0)
			continue;
		T_EQ_INT(crypt_password_verify(lines[k].f[1], lines[k].f[2]),
		    ERR_OK, "node hash %d verifies", cases);
		T_EQ_INT(crypt_password_verify("x", lines[k].f[2]), ERR_AUTH,
		    "node hash %d refuses a wrong password", cases);
		cases++;
	}
	T_EQ_INT(cases, 2, "two node password hashes ran");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = crypt_password_verify("x", bad[i]);
		T_EQ_INT(r, ERR_INVAL, "malformed hash %zu refused: %.40s", i,
		    bad[i]);
	}
	T_EQ_INT(crypt_password_verify(NULL, h1), ERR_INVAL, "NULL password");

	/* An unknown user must cost what a wrong password costs. */
	for (i = 0; i < 2; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (crypt_password_verify("wrong", h1) != ERR_AUTH)
			T_OK(0, "timing run verify");
		tv = ms_since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		crypt_password_dummy("wrong");
		td = ms_since(&t0);
		best_v = tv < best_v ? tv : best_v;
		best_d = td < best_d ? td : best_d;
	}
	printf("# one password check: %.1f ms, dummy: %.1f ms "
	       "(%d iterations)\n",
	    best_v, best_d, CRYPT_PBKDF2_ITER);
	T_OK(best_d > best_v * 0.5 && best_d < best_v * 2.0,
	    "dummy check takes as long as a real one");
	crypt_password_dummy(NULL);
}

int
main(void)
{
	struct arena a;

	load_vectors();
	T_EQ_INT(crypt_global_init(), ERR_OK, "global init");
	T_EQ_INT(crypt_global_init(), ERR_OK, "global init is idempotent");
	arena_init(&a);
	test_hkdf();
	test_hash_mac();
	test_memeq_random(&a);
	test_keyring();
	test_seal_vectors();
	test_seal(&a);
	test_password(&a);
	arena_free(&a);
	return t_done();
}
