/* Per-process cache of what the proxy needs to know about each server. */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "srvcache.h"

#define SRVCACHE_BUCKETS 1024 /* a power of two */
#define SRVCACHE_KEY_MAX 128 /* stored paths are at most 65 bytes */

/* One cached server; the strings and the ciphertext follow the struct. */
struct srvcache_node {
	struct srvcache_node *next;
	long long fetched_ms;
	char *key; /* lower-cased path */
	struct srvcache_entry e;
};

static pthread_mutex_t srvcache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct srvcache_node *srvcache_tab[SRVCACHE_BUCKETS];
static size_t srvcache_n;

long long
srvcache_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lower-cases path into key; 0 if it does not fit. */
static int
srvcache_key(const char *path, char key[SRVCACHE_KEY_MAX])
{
	size_t i;

	for (i = 0; path[i] != '\0'; i++) {
		if (i + 1 >= SRVCACHE_KEY_MAX)
			return 0;
		key[i] = (char)tolower((unsigned char)path[i]);
	}
	key[i] = '\0';
	return 1;
}

/* FNV-1a. */
static size_t
srvcache_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 16777619u;
	}
	return h & (SRVCACHE_BUCKETS - 1);
}

static size_t
srvcache_slen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* Copies s to *p and advances it; NULL stays NULL. */
static const char *
srvcache_pack(char **p, const char *s)
{
	char *d = *p;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

/* One malloc'd node holding a deep copy of e; NULL when out of memory. */
static struct srvcache_node *
srvcache_node_new(const char *key, const struct srvcache_entry *e)
{
	struct srvcache_node *n;
	size_t sz;
	char *p;

	sz = sizeof(*n) + srvcache_slen(key) + srvcache_slen(e->id) +
	    srvcache_slen(e->path) + srvcache_slen(e->proxy_pass_url) +
	    srvcache_slen(e->auth_scheme) + srvcache_slen(e->auth_header_name) +
	    e->cred_enc_len;
	if ((n = malloc(sz)) == NULL)
		return NULL;
	memset(n, 0, sizeof(*n));
	p = (char *)(n + 1);
	n->key = (char *)srvcache_pack(&p, key);
	n->e.id = srvcache_pack(&p, e->id);
	n->e.path = srvcache_pack(&p, e->path);
	n->e.proxy_pass_url = srvcache_pack(&p, e->proxy_pass_url);
	n->e.auth_scheme = srvcache_pack(&p, e->auth_scheme);
	n->e.auth_header_name = srvcache_pack(&p, e->auth_header_name);
	if (e->cred_enc != NULL) {
		memcpy(p, e->cred_enc, e->cred_enc_len);
		n->e.cred_enc = (const unsigned char *)p;
		n->e.cred_enc_len = e->cred_enc_len;
	}
	n->e.enabled = e->enabled;
	return n;
}

/* Unlinks and frees the node of key, if any. Lock held. */
static void
srvcache_drop(const char *key)
{
	struct srvcache_node **pp = &srvcache_tab[srvcache_hash(key)], *n;

	for (; (n = *pp) != NULL; pp = &n->next)
		if (strcmp(n->key, key) == 0) {
			*pp = n->next;
			free(n);
			srvcache_n--;
			return;
		}
}

/* Frees expired nodes, or every node when all is set. Lock held. */
static void
srvcache_purge(long long now_ms, int all)
{
	struct srvcache_node **pp, *n;
	size_t b;

	for (b = 0; b < SRVCACHE_BUCKETS; b++) {
		pp = &srvcache_tab[b];
		while ((n = *pp) != NULL) {
			if (all || now_ms - n->fetched_ms >= SRVCACHE_TTL_MS) {
				*pp = n->next;
				free(n);
				srvcache_n--;
			} else
				pp = &n->next;
		}
	}
}

static void
srvcache_copy_out(struct arena *a, const struct srvcache_entry *in,
    struct srvcache_entry *out)
{
	out->id = arena_strdup(a, in->id);
	out->path = arena_strdup(a, in->path);
	out->proxy_pass_url = arena_strdup(a, in->proxy_pass_url);
	out->auth_scheme = arena_strdup(a, in->auth_scheme);
	out->auth_header_name = arena_strdup(a, in->auth_header_name);
	out->cred_enc = in->cred_enc != NULL
	    ? arena_memdup(a, in->cred_enc, in->cred_enc_len)
	    : NULL;
	out->cred_enc_len = in->cred_enc_len;
	out->enabled = in->enabled;
}

int
srvcache_find(struct arena *a, const char *path, long long now_ms,
    struct srvcache_entry *out)
{
	char key[SRVCACHE_KEY_MAX];
	struct srvcache_node *n;
	int hit = 0;

	memset(out, 0, sizeof(*out));
	if (!srvcache_key(path, key))
		return 0;
	pthread_mutex_lock(&srvcache_mu);
	for (n = srvcache_tab[srvcache_hash(key)]; n != NULL; n = n->next)
		if (strcmp(n->key, key) == 0)
			break;
	if (n != NULL && now_ms - n->fetched_ms < SRVCACHE_TTL_MS &&
	    now_ms >= n->fetched_ms) {
		srvcache_copy_out(a, &n->e, out);
		hit = 1;
	} else if (n != NULL)
		srvcache_drop(key);
	pthread_mutex_unlock(&srvcache_mu);
	return hit;
}

void
srvcache_put(const char *path, const struct srvcache_entry *e, long long now_ms)
{
	char key[SRVCACHE_KEY_MAX];
	struct srvcache_node *n = NULL;
	size_t b;

	if (!srvcache_key(path, key))
		return;
	/* Allocate outside the lock. */
	if (e != NULL && (n = srvcache_node_new(key, e)) == NULL)
		return;
	pthread_mutex_lock(&srvcache_mu);
	srvcache_drop(key);
	if (n != NULL) {
		if (srvcache_n >= SRVCACHE_MAX)
			srvcache_purge(now_ms, 0);
		if (srvcache_n >= SRVCACHE_MAX)
			srvcache_purge(now_ms, 1);
		n->fetched_ms = now_ms;
		b = srvcache_hash(key);
		n->next = srvcache_tab[b];
		srvcache_tab[b] = n;
		srvcache_n++;
	}
	pthread_mutex_unlock(&srvcache_mu);
}

void
srvcache_clear(void)
{
	pthread_mutex_lock(&srvcache_mu);
	srvcache_purge(0, 1);
	pthread_mutex_unlock(&srvcache_mu);
}

size_t
srvcache_count(void)
{
	size_t n;

	pthread_mutex_lock(&srvcache_mu);
	n = srvcache_n;
	pthread_mutex_unlock(&srvcache_mu);
	return n;
}

enum err
srvcache_get(
    struct db *d, struct arena *a, const char *path, struct srvcache_entry *out)
{
	const char *v[1] = { path };
	struct srvcache_entry e;
	unsigned char *blob = NULL;
	long long now = srvcache_now_ms();
	const char *enc, *en;
	PGresult *res;
	size_t blen = 0;
	enum err err;

	if (srvcache_find(a, path, now, out))
		return ERR_OK;
	if ((err = db_q(d, a,
		 "SELECT id, path, proxy_pass_url, is_enabled, auth_scheme,"
		 " auth_header_name, auth_credential_enc FROM servers"
		 " WHERE lower(path) = lower($1)",
		 1, v, &res)) != ERR_OK)
		return err;
	if (PQntuples(res) != 1)
		return ERR_NOTFOUND;
	memset(&e, 0, sizeof(e));
	e.id = PQgetvalue(res, 0, 0);
	e.path = PQgetvalue(res, 0, 1);
	e.proxy_pass_url = PQgetvalue(res, 0, 2);
	en = PQgetvalue(res, 0, 3);
	e.enabled = en[0] == 't';
	e.auth_scheme = PQgetvalue(res, 0, 4);
	e.auth_header_name = db_val(res, 0, 5);
	if ((enc = db_val(res, 0, 6)) != NULL) {
		blob = PQunescapeBytea((const unsigned char *)enc, &blen);
		if (blob == NULL)
			return ERR_NOMEM;
		e.cred_enc = blob;
		e.cred_enc_len = blen;
	}
	srvcache_copy_out(a, &e, out);
	/* Unknown and disabled servers are re-read: enabling is immediate. */
	if (e.enabled)
		srvcache_put(path, &e, now);
	else
		srvcache_put(path, NULL, now);
	if (blob != NULL)
		PQfreemem(blob);
	return ERR_OK;
}
