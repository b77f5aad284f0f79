/* Names for the project-wide error codes. */
#include "err.h"

static const char *const err_names[ERR__COUNT] = {
	[ERR_OK] = "success",
	[ERR_NOMEM] = "out of memory",
	[ERR_INVAL] = "invalid input",
	[ERR_TOOBIG] = "input too large",
	[ERR_NOTFOUND] = "not found",
	[ERR_EXISTS] = "already exists",
	[ERR_AUTH] = "authentication failed",
	[ERR_FORBIDDEN] = "not allowed",
	[ERR_CRYPTO] = "cryptographic failure",
	[ERR_DB] = "database error",
	[ERR_DBDOWN] = "database unavailable",
	[ERR_NET] = "network error",
	[ERR_TIMEOUT] = "timed out",
	[ERR_CONFIG] = "configuration error",
	[ERR_SYS] = "system error",
	[ERR_RATE] = "too many attempts",
	[ERR_RETRY] = "transaction conflict",
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR__COUNT || err_names[e] == 0)
		return "unknown error";
	return err_names[e];
}
