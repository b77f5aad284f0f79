/* Configuration: the key = value file plus MCPGW_* environment overrides. */
#ifndef MCPGW_CONF_H
#define MCPGW_CONF_H

#include <stddef.h>

#include "err.h"
#include "log.h"

struct crypt_keyring;

struct conf {
	char *database_url;
	char *secret_key_file;
	char *secret_key; /* inline key; the file wins if both */
	char *old_secret_key_files; /* comma or space separated */
	char *public_base_url;
	char *token_issuer;
	long token_default_hours;
	long token_max_hours;
	long session_hours;
	long cookie_secure;
	long max_body_bytes;
	long proxy_connect_timeout;
	long proxy_timeout;
	long sse_idle_timeout;
	long probe_interval;
	long probe_timeout;
	long probe_concurrency;
	long ssrf_deny_private;
	char *log_level;
	char *sql_dir;
	char *ui_dir;
	char *path; /* the file that was read */
};

/*
 * Loads defaults, then the file named by MCPGW_CONFIG (default
 * /etc/mcpgw/mcpgw.conf; a missing file is fine only when MCPGW_CONFIG is
 * unset), then MCPGW_<KEY> environment overrides, and validates ranges.
 * Errors are logged with file and line. The strings are owned by c; free
 * them with conf_free().
 */
enum err conf_load(struct conf *c) MUST_CHECK;
void conf_free(struct conf *c);

/*
 * Reads the secret key (and old keys) and derives the key ring. A missing
 * or short (< 32 bytes) key is ERR_CONFIG with a clear logged message.
 * The caller frees *out with crypt_keyring_free().
 */
enum err
conf_keyring(const struct conf *c, struct crypt_keyring **out) MUST_CHECK;

#endif
