/* Configuration: the key = value file plus MCPGW_* environment overrides. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "config.h"
#include "conf.h"
#include "crypt.h"
#include "log.h"

#define CONF_DEFAULT_PATH "/etc/mcpgw/mcpgw.conf"
#define CONF_MAX_KEYS 8
#define CONF_KEY_CAP 4096 /* every key buffer has this size */

enum conf_type { CT_STR, CT_INT, CT_BOOL };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;
	const char *def;
	long min, max;
};

#define S(n, d) \
	{ \
#n, CT_STR, offsetof(struct conf, n), d, 0, 0 \
	}
#define I(n, d, lo, hi) \
	{ \
#n, CT_INT, offsetof(struct conf, n), d, lo, hi \
	}
#define B(n, d) \
	{ \
#n, CT_BOOL, offsetof(struct conf, n), d, 0, 1 \
	}

static const struct conf_key conf_keys[] = {
	S(database_url, "dbname=mcpgw"),
	S(secret_key_file, NULL),
	S(secret_key, NULL),
	S(old_secret_key_files, NULL),
	S(public_base_url, NULL),
	S(token_issuer, "mcpgw"),
	I(token_default_hours, "8", 1, 24 * 365),
	I(token_max_hours, "24", 1, 24 * 365),
	I(session_hours, "8", 1, 24 * 30),
	B(cookie_secure, "false"),
	I(max_body_bytes, "1048576", 1024, 64L * 1024 * 1024),
	I(proxy_connect_timeout, "5", 1, 600),
	I(proxy_timeout, "60", 1, 86400),
	I(sse_idle_timeout, "300", 1, 86400),
	I(probe_interval, "300", 10, 86400),
	I(probe_timeout, "10", 1, 600),
	I(probe_concurrency, "32", 1, 1024),
	B(ssrf_deny_private, "false"),
	S(log_level, "info"),
	S(sql_dir, MCPGW_SQL_DIR),
	S(ui_dir, MCPGW_UI_DIR),
};

#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

static int
conf_parse_bool(const char *v, long *out)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Sets one key from text; where names the source for error messages. */
static enum err
conf_set(
    struct conf *c, const struct conf_key *k, const char *v, const char *where)
{
	char **sp;
	long *lp, n;
	char *end;

	switch (k->type) {
	case CT_STR:
		sp = (char **)((char *)c + k->off);
		free(*sp);
		*sp = NULL;
		if (v != NULL && (*sp = strdup(v)) == NULL)
			return ERR_NOMEM;
		return ERR_OK;
	case CT_INT:
		lp = (long *)((char *)c + k->off);
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < k->min ||
		    n > k->max) {
			log_error(
			    "config: %s: %s must be an integer in %ld..%ld",
			    where, k->name, k->min, k->max);
			return ERR_CONFIG;
		}
		*lp = n;
		return ERR_OK;
	case CT_BOOL:
		lp = (long *)((char *)c + k->off);
		if (conf_parse_bool(v, lp) != 0) {
			log_error("config: %s: %s must be true or false", where,
			    k->name);
			return ERR_CONFIG;
		}
		return ERR_OK;
	}
	return ERR_CONFIG;
}

static const struct conf_key *
conf_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

static char *
conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static enum err
conf_read_file(struct conf *c, const char *path, int must_exist)
{
	char line[4096], where[512], *k, *v, *eq;
	const struct conf_key *key;
	enum err e = ERR_OK;
	unsigned lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return ERR_OK;
		log_error("config: cannot open %s: %s", path, strerror(errno));
		return ERR_CONFIG;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			log_error("config: %s: line too long", where);
			e = ERR_CONFIG;
			goto out;
		}
		k = conf_trim(line);
		if (*k == '#' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			log_error("config: %s: expected key = value", where);
			e = ERR_CONFIG;
			goto out;
		}
		*eq = '\0';
		k = conf_trim(k);
		v = conf_trim(eq + 1);
		if ((key = conf_find(k)) == NULL) {
			log_error("config: %s: unknown key '%s'", where, k);
			e = ERR_CONFIG;
			goto out;
		}
		if ((e = conf_set(c, key, v, where)) != ERR_OK)
			goto out;
	}
out:
	fclose(f);
	return e;
}

enum err
conf_load(struct conf *c)
{
	const char *path, *v;
	char envname[128];
	enum log_level lvl;
	enum err e;
	size_t i, j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].def == NULL)
			continue;
		if ((e = conf_set(c, &conf_keys[i], conf_keys[i].def,
			 "default")) != ERR_OK)
			return e;
	}
	path = getenv("MCPGW_CONFIG");
	if ((c->path = strdup(path != NULL ? path : CONF_DEFAULT_PATH)) == NULL)
		return ERR_NOMEM;
	if ((e = conf_read_file(c, c->path, path != NULL)) != ERR_OK)
		return e;
	for (i = 0; i < NKEYS; i++) {
		snprintf(
		    envname, sizeof(envname), "MCPGW_%s", conf_keys[i].name);
		for (j = 6; envname[j] != '\0'; j++)
			envname[j] = (char)toupper((unsigned char)envname[j]);
		if ((v = getenv(envname)) == NULL)
			continue;
		if ((e = conf_set(c, &conf_keys[i], v, envname)) != ERR_OK)
			return e;
	}
	if (log_parse_level(c->log_level, &lvl) != 0) {
		log_error("config: log_level must be error, warn, info or "
			  "debug");
		return ERR_CONFIG;
	}
	log_set_level(lvl);
	if (c->token_default_hours > c->token_max_hours) {
		log_error("config: token_default_hours exceeds "
			  "token_max_hours");
		return ERR_CONFIG;
	}
	return ERR_OK;
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (conf_keys[i].type == CT_STR)
			free(*(char **)((char *)c + conf_keys[i].off));
	free(c->path);
	memset(c, 0, sizeof(*c));
}

/* Key buffers live in libgcrypt secure memory and are wiped on free. */
static unsigned char *
conf_key_alloc(void)
{
	unsigned char *p = gcry_malloc_secure(CONF_KEY_CAP);

	if (p != NULL)
		memset(p, 0, CONF_KEY_CAP);
	return p;
}

static void
conf_key_free(unsigned char *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, CONF_KEY_CAP);
	gcry_free(p);
}

/*
 * Reads a key file into secure memory, trailing whitespace trimmed. The
 * caller frees *out with conf_key_free().
 */
static enum err
conf_read_key(const char *path, unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL;
	enum err e = ERR_CONFIG;
	size_t n = 0, cap = CONF_KEY_CAP;
	FILE *f;
	int ch;

	if ((f = fopen(path, "r")) == NULL) {
		log_error("config: cannot read secret key file %s: %s", path,
		    strerror(errno));
		return ERR_CONFIG;
	}
	if ((buf = conf_key_alloc()) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	while ((ch = fgetc(f)) != EOF) {
		if (n == cap) {
			log_error("config: secret key file %s is larger than "
				  "%lu bytes",
			    path, (unsigned long)cap);
			goto fail;
		}
		buf[n++] = (unsigned char)ch;
	}
	if (ferror(f)) {
		log_error("config: error reading %s", path);
		goto fail;
	}
	while (n > 0 && isspace(buf[n - 1]))
		n--;
	fclose(f);
	*out = buf;
	*len = n;
	return ERR_OK;
fail:
	fclose(f);
	conf_key_free(buf);
	return e;
}

enum err
conf_keyring(const struct conf *c, struct crypt_keyring **out)
{
	unsigned char *keys[CONF_MAX_KEYS] = { 0 };
	const void *kp[CONF_MAX_KEYS];
	size_t lens[CONF_MAX_KEYS], n = 0, i;
	char *olds = NULL, *tok, *save;
	enum err e = ERR_CONFIG;

	if (c->secret_key_file != NULL && *c->secret_key_file != '\0') {
		if ((e = conf_read_key(
			 c->secret_key_file, &keys[0], &lens[0])) != ERR_OK)
			goto fail;
	} else if (c->secret_key != NULL && *c->secret_key != '\0') {
		lens[0] = strlen(c->secret_key);
		if (lens[0] >= CONF_KEY_CAP) {
			log_error("config: secret_key is too long");
			goto fail;
		}
		if ((keys[0] = conf_key_alloc()) == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
		memcpy(keys[0], c->secret_key, lens[0]);
	} else {
		log_error("config: no secret key: set secret_key_file (a file "
			  "holding at least 32 random bytes, e.g. from "
			  "'head -c 32 /dev/urandom | base64') in %s or "
			  "MCPGW_SECRET_KEY_FILE",
		    c->path);
		e = ERR_CONFIG;
		goto fail;
	}
	n = 1;
	if (c->old_secret_key_files != NULL) {
		if ((olds = strdup(c->old_secret_key_files)) == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
		for (tok = strtok_r(olds, ", \t", &save); tok != NULL;
		     tok = strtok_r(NULL, ", \t", &save)) {
			if (n == CONF_MAX_KEYS) {
				log_error("config: at most %d old secret keys",
				    CONF_MAX_KEYS - 1);
				e = ERR_CONFIG;
				goto fail;
			}
			if ((e = conf_read_key(tok, &keys[n], &lens[n])) !=
			    ERR_OK)
				goto fail;
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		if (lens[i] < CRYPT_SECRET_MIN) {
			log_error(
			    "config: secret key %s is %lu bytes; at least "
			    "%d are required (generate one with "
			    "'head -c 32 /dev/urandom | base64')",
			    i == 0 ? "(current)" : "(old)",
			    (unsigned long)lens[i], CRYPT_SECRET_MIN);
			e = ERR_CONFIG;
			goto fail;
		}
		kp[i] = keys[i];
	}
	e = crypt_keyring_new(kp, lens, n, out);
fail:
	for (i = 0; i < CONF_MAX_KEYS; i++)
		if (keys[i] != NULL)
			conf_key_free(keys[i]);
	free(olds);
	return e;
}
