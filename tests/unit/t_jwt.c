/* Unit tests for jwt: a table of Node-signed tokens, signing, tampering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "crypt.h"
#include "err.h"
#include "jwt.h"
#include "t.h"

#define TOKENS "tests/data/jwt/tokens.txt"

static long long now;
static const char *want_iss, *want_aud, *sign_want;
static const char *secret_hex[3]; /* current, old, other */

/* Reads the whole file (malloc'ed); run_table() splits it in place. */
static char *
load_file(void)
{
	char *file;
	FILE *fp = fopen(TOKENS, "r");
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		printf("Bail out! cannot read %s (run from the project root)\n",
		    TOKENS);
		exit(1);
	}
	file = malloc((size_t)n + 1);
	if (fread(file, 1, (size_t)n, fp) != (size_t)n)
		abort();
	file[n] = '\0';
	fclose(fp);
	return file;
}

/* Returns the next line (NUL-terminated in place) or NULL. */
static char *
next_line(char **cur)
{
	char *l = *cur, *nl;

	if (l == NULL || *l == '\0')
		return NULL;
	if ((nl = strchr(l, '\n')) != NULL) {
		*nl = '\0';
		*cur = nl + 1;
	} else
		*cur = NULL;
	return l;
}

/* Splits "a b rest": *b and *rest point into l (rest taken verbatim). */
static void
split3(char *l, char **b, char **rest)
{
	char *p;

	*b = *rest = l + strlen(l);
	if ((p = strchr(l, ' ')) == NULL)
		return;
	*p = '\0';
	*b = p + 1;
	if ((p = strchr(*b, ' ')) == NULL)
		return;
	*p = '\0';
	*rest = p + 1;
}

static struct crypt_keyring *
ring_of(const char *h1, const char *h2)
{
	unsigned char b[2][128];
	const void *s[2] = { b[0], b[1] };
	size_t l[2] = { 0, 0 }, i, k;
	struct crypt_keyring *kr = NULL;
	const char *h[2] = { h1, h2 };
	unsigned int v;

	for (k = 0; k < 2 && h[k] != NULL; k++) {
		for (i = 0; h[k][2 * i] != '\0' && i < sizeof(b[k]); i++) {
			if (sscanf(h[k] + 2 * i, "%2x", &v) != 1)
				abort();
			b[k][i] = (unsigned char)v;
		}
		l[k] = i;
	}
	if (crypt_keyring_new(s, l, h2 == NULL ? 1 : 2, &kr) != ERR_OK)
		return NULL;
	return kr;
}

/* Runs every ok/reject line of the table; returns the "valid" token. */
static char *
run_table(struct arena *a, char *file, const struct crypt_keyring *kr)
{
	struct jwt_claims c;
	char *cur = file, *l, *name, *tok, *valid = NULL;
	int n_ok = 0, n_reject = 0;
	enum err e;

	while ((l = next_line(&cur)) != NULL) {
		if (*l == '#')
			continue;
		split3(l, &name, &tok);
		if (strcmp(l, "secret") == 0) {
			if (strcmp(name, "current") == 0)
				secret_hex[0] = tok;
			else if (strcmp(name, "old") == 0)
				secret_hex[1] = tok;
			else
				secret_hex[2] = tok;
		} else if (strcmp(l, "now") == 0)
			now = atoll(name);
		else if (strcmp(l, "want") == 0) {
			want_iss = name;
			want_aud = tok;
		} else if (strcmp(l, "sign") == 0) {
			/* split3 cut the token at its first (only) space. */
			sign_want = name;
		} else if (kr != NULL && strcmp(l, "ok") == 0) {
			memset(&c, 0, sizeof(c));
			e = jwt_verify(a, kr, tok, want_iss, want_aud, now, &c);
			T_EQ_INT(e, ERR_OK, "accepts %s", name);
			T_EQ_STR(c.sub, e == ERR_OK ? "alice" : NULL, "%s: sub",
			    name);
			if (strcmp(name, "valid") == 0)
				valid = tok;
			n_ok++;
		} else if (kr != NULL && strcmp(l, "reject") == 0) {
			T_EQ_INT(
			    jwt_verify(a, kr, tok, want_iss, want_aud, now, &c),
			    ERR_AUTH, "rejects %s", name);
			n_reject++;
		}
	}
	if (kr != NULL)
		T_OK(n_ok >= 10 && n_reject >= 60,
		    "table ran (%d accepted, %d rejected)", n_ok, n_reject);
	return valid;
}

static void
test_valid_claims(
    struct arena *a, const struct crypt_keyring *kr, const char *valid)
{
	struct jwt_claims c;

	memset(&c, 0, sizeof(c));
	T_EQ_INT(jwt_verify(a, kr, valid, want_iss, want_aud, now, &c), ERR_OK,
	    "valid token");
	T_EQ_STR(c.iss, "mcpgw-test", "iss");
	T_EQ_STR(c.aud, "mcp-registry", "aud");
	T_EQ_STR(c.scope, "servers:read mcp:invoke", "scope");
	T_EQ_STR(c.jti, "c0ffee00-0000-4000-8000-000000000001", "jti");
	T_EQ_STR(c.description, "unit test", "description");
	T_EQ_INT(c.iat, now - 60, "iat");
	T_EQ_INT(c.exp, now + 3600, "exp");
}

/* Changing any single character of a good token must make it fail. */
static void
test_mutations(
    struct arena *a, const struct crypt_keyring *kr, const char *valid)
{
	static const char subst[] = "AQgw_-.";
	struct jwt_claims c;
	char *t;
	size_t i, k, n = strlen(valid), tried = 0, passed = 0;

	t = arena_strdup(a, valid);
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(subst) - 1; k++) {
			if (valid[i] == subst[k])
				continue;
			t[i] = subst[k];
			tried++;
			if (jwt_verify(a, kr, t, want_iss, want_aud, now, &c) ==
			    ERR_AUTH)
				passed++;
			t[i] = valid[i];
		}
	T_EQ_INT(
	    passed, tried, "all %zu one-character changes rejected", tried);
	t = arena_printf(a, "%s\n", valid);
	T_EQ_INT(jwt_verify(a, kr, t, want_iss, want_aud, now, &c), ERR_AUTH,
	    "trailing newline rejected");
	t = arena_printf(a, " %s", valid);
	T_EQ_INT(jwt_verify(a, kr, t, want_iss, want_aud, now, &c), ERR_AUTH,
	    "leading space rejected");
}

static void
test_sign(struct arena *a, const struct crypt_keyring *kr,
    const struct crypt_keyring *rotated, const struct crypt_keyring *other)
{
	struct jwt_claims in = {
		.iss = "mcpgw-test", .aud = "mcp-registry", .sub = "alice",
		.scope = "servers:read servers:write",
		.jti = "6f1d2c3b-aaaa-4bbb-8ccc-0123456789ab",
		.description = "Server registration token \"quoted\" \xc3\xa9",
	}, c, bad;
	char *tok = NULL;

	in.iat = now;
	in.exp = now + 28800;
	T_EQ_INT(jwt_sign(a, kr, &in, &tok), ERR_OK, "sign");
	T_EQ_STR(tok, sign_want, "signed token equals node's byte for byte");
	memset(&c, 0, sizeof(c));
	T_EQ_INT(jwt_verify(a, kr, tok, want_iss, want_aud, now, &c), ERR_OK,
	    "own token verifies");
	T_EQ_STR(c.description, in.description, "description round trip");
	T_EQ_STR(c.scope, in.scope, "scope round trip");
	T_EQ_INT(c.iat, in.iat, "iat round trip");
	T_EQ_INT(c.exp, in.exp, "exp round trip");

	T_EQ_INT(jwt_verify(a, rotated, tok, want_iss, want_aud, now, &c),
	    ERR_OK, "token verifies after rotation (old kid)");
	T_EQ_INT(jwt_verify(a, other, tok, want_iss, want_aud, now, &c),
	    ERR_AUTH, "token from another secret rejected");

	/* Leeway edges with our own tokens. */
	in.exp = now + 10;
	in.iat = 0;
	in.scope = in.jti = in.description = NULL;
	T_EQ_INT(jwt_sign(a, kr, &in, &tok), ERR_OK, "sign minimal");
	T_EQ_INT(jwt_verify(a, kr, tok, want_iss, want_aud, now + 39, &c),
	    ERR_OK, "accepted 29 s after exp");
	T_OK(c.scope == NULL && c.jti == NULL && c.iat == 0,
	    "absent claims stay absent");
	memset(&bad, 0x5a, sizeof(bad));
	c = bad;
	T_EQ_INT(jwt_verify(a, kr, tok, want_iss, want_aud, now + 40, &c),
	    ERR_AUTH, "rejected 30 s after exp");
	T_OK(memcmp(&c, &bad, sizeof(c)) == 0, "output untouched on reject");
	T_EQ_INT(jwt_verify(a, kr, tok, "mcp-registry", want_aud, now, &c),
	    ERR_AUTH, "iss checked on own token");

	T_EQ_INT(jwt_verify(a, kr, NULL, want_iss, want_aud, now, &c), ERR_AUTH,
	    "NULL token");
	T_EQ_INT(jwt_verify(a, kr, tok, NULL, want_aud, now, &c), ERR_INVAL,
	    "NULL want_iss is a caller error");
	in.sub = NULL;
	T_EQ_INT(jwt_sign(a, kr, &in, &tok), ERR_INVAL, "sign needs sub");
	in.sub = "alice";
	in.exp = 0;
	T_EQ_INT(jwt_sign(a, kr, &in, &tok), ERR_INVAL, "sign needs exp");
	in.exp = JWT_TIME_MAX + 1;
	T_EQ_INT(jwt_sign(a, kr, &in, &tok), ERR_INVAL, "sign caps exp");
}

int
main(void)
{
	struct crypt_keyring *kr, *rotated, *other;
	struct arena a;
	char *valid, *f1, *f2;

	T_EQ_INT(crypt_global_init(), ERR_OK, "crypt init");
	arena_init(&a);
	/* A first pass reads the secrets; the second runs the table. */
	f1 = load_file();
	run_table(&a, f1, NULL);
	f2 = load_file();
	kr = ring_of(secret_hex[0], secret_hex[1]);
	rotated = ring_of(secret_hex[2], secret_hex[0]);
	other = ring_of(secret_hex[2], NULL);
	if (kr == NULL || rotated == NULL || other == NULL) {
		printf("Bail out! cannot build the key rings\n");
		return 1;
	}
	valid = run_table(&a, f2, kr);
	T_OK(valid != NULL, "table has a valid token");
	if (valid != NULL) {
		test_valid_claims(&a, kr, valid);
		test_mutations(&a, kr, valid);
	}
	test_sign(&a, kr, rotated, other);
	crypt_keyring_free(kr);
	crypt_keyring_free(rotated);
	crypt_keyring_free(other);
	arena_free(&a);
	free(f1);
	free(f2);
	return t_done();
}
