/* The project-wide error enum that every fallible function returns. */
#ifndef MCPGW_ERR_H
#define MCPGW_ERR_H

#define MUST_CHECK __attribute__((warn_unused_result))

enum err {
	ERR_OK = 0,
	ERR_NOMEM, /* allocation failed */
	ERR_INVAL, /* malformed or invalid input */
	ERR_TOOBIG, /* input exceeds a size cap */
	ERR_NOTFOUND, /* no such row or item */
	ERR_EXISTS, /* unique constraint: the thing already exists */
	ERR_AUTH, /* bad or missing credentials */
	ERR_FORBIDDEN, /* authenticated but not allowed */
	ERR_CRYPTO, /* cipher, MAC or random failure; tag mismatch */
	ERR_DB, /* query failed for a reason other than the ones above */
	ERR_DBDOWN, /* PostgreSQL unreachable */
	ERR_NET, /* outbound connect, DNS or TLS failure */
	ERR_TIMEOUT, /* outbound request timed out */
	ERR_CONFIG, /* configuration missing or invalid */
	ERR_SYS, /* a system call failed (errno is set) */
	ERR_RATE, /* too many attempts */
	ERR_RETRY, /* deadlock or serialization failure: run it again */
	ERR__COUNT
};

/* Returns a static, lowercase description of e. Never NULL. */
const char *err_str(enum err e);

#endif
