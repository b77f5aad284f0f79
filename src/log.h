/* Logging: one escaped line per event on stderr (the web server's error log). */
#ifndef MCPGW_LOG_H
#define MCPGW_LOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Set once at startup, before threads; "error", "warn", "info" or "debug". */
void log_set_level(enum log_level l);
int log_parse_level(const char *s, enum log_level *out);
/* Program name prefixed to each line (static string, not copied). */
void log_set_ident(const char *ident);

/*
 * Writes one line with one write(2) so threads do not interleave. Control
 * bytes in the formatted message are escaped as \xNN. Never pass a secret.
 */
void log_msg(enum log_level l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
