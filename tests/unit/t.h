/* A minimal TAP test harness for the C unit tests (one binary per module). */
#ifndef MCPGW_T_H
#define MCPGW_T_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int t_n, t_failed;

/* Records one assertion; prints a TAP line. Returns the condition. */
#define T_OK(cond, ...) \
	t_record((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)
#define T_EQ_INT(a, b, ...) \
	do { \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
		if (!T_OK(t_a_ == t_b_, __VA_ARGS__)) \
			printf("#   got %lld, want %lld\n", t_a_, t_b_); \
	} while (0)
#define T_EQ_STR(a, b, ...) \
	do { \
		const char *t_a_ = (a), *t_b_ = (b); \
		int t_ok_ = (t_a_ == NULL && t_b_ == NULL) || \
		    (t_a_ != NULL && t_b_ != NULL && strcmp(t_a_, t_b_) == 0); \
		if (!T_OK(t_ok_, __VA_ARGS__)) \
			printf("#   got \"%s\", want \"%s\"\n", \
			    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
	} while (0)

static int __attribute__((format(printf, 4, 5), unused))
t_record(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_n++;
	if (!ok)
		t_failed++;
	printf("%sok %d - ", ok ? "" : "not ", t_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" # at %s:%d", file, line);
	printf("\n");
	return ok;
}

/* Prints the plan and returns the process exit status. */
static int __attribute__((unused)) t_done(void)
{
	printf("1..%d\n", t_n);
	printf("# %d passed, %d failed\n", t_n - t_failed, t_failed);
	return t_failed == 0 ? 0 : 1;
}

#endif
