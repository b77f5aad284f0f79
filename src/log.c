/* Logging: one escaped line per event on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_level = LOG_LVL_INFO;
static const char *log_ident = "mcpgw";

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_set_level(enum log_level l)
{
	log_level = l;
}

void
log_set_ident(const char *ident)
{
	log_ident = ident;
}

int
log_parse_level(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char raw[2048], line[4096 + 128];
	struct tm tm;
	time_t now;
	va_list ap;
	size_t i, n;
	int w;

	if (l > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* libpq and libcurl messages end in newlines; one line is ours. */
	i = strlen(raw);
	while (i > 0 && (raw[i - 1] == '\n' || raw[i - 1] == '\r'))
		raw[--i] = '\0';

	now = time(NULL);
	gmtime_r(&now, &tm);
	w = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%ld] %s: ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    log_ident, (long)getpid(), log_names[l]);
	n = w > 0 ? (size_t)w : 0;
	for (i = 0; raw[i] != '\0' && n + 5 < sizeof(line); i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			n += (size_t)snprintf(
			    line + n, sizeof(line) - n, "\\x%02x", c);
		} else
			line[n++] = (char)c;
	}
	line[n++] = '\n';
	/* Nothing useful to do if stderr is gone. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
