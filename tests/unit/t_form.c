/* Unit tests for src/form.c: lookup, field arrays, urlencoded bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "form.h"
#include "t.h"

#define MAXF 6

/* A string literal and its length, NULs included. */
#define S(x) x, sizeof(x) - 1

struct want {
	const char *name;
	const char *value;
	size_t len;
};

struct ucase {
	const char *desc;
	const char *body;
	size_t len;
	const struct form_limits *lim;
	enum err want;
	size_t n;
	struct want f[MAXF];
};

static const struct form_limits lim_f2 = { 2, 100, 100 };
static const struct form_limits lim_f0 = { 0, 100, 100 };
static const struct form_limits lim_v3 = { 10, 3, 100 };
static const struct form_limits lim_n3 = { 10, 100, 3 };

static const struct ucase cases[] = {
	{ "two pairs", S("a=b&c=d"), NULL, ERR_OK, 2,
	    { { "a", S("b") }, { "c", S("d") } } },
	{ "empty body", S(""), NULL, ERR_OK, 0, { { NULL, NULL, 0 } } },
	{ "only separators", S("&&&"), NULL, ERR_OK, 0, { { NULL, NULL, 0 } } },
	{ "empty pairs skipped", S("&&a=1&&b=2&"), NULL, ERR_OK, 2,
	    { { "a", S("1") }, { "b", S("2") } } },
	{ "key without =", S("flag&a=1"), NULL, ERR_OK, 2,
	    { { "flag", S("") }, { "a", S("1") } } },
	{ "key with empty value", S("a="), NULL, ERR_OK, 1,
	    { { "a", S("") } } },
	{ "empty key", S("=v"), NULL, ERR_OK, 1, { { "", S("v") } } },
	{ "= inside a value", S("a=b=c"), NULL, ERR_OK, 1,
	    { { "a", S("b=c") } } },
	{ "plus is space", S("+a+=+b++"), NULL, ERR_OK, 1,
	    { { " a ", S(" b  ") } } },
	{ "percent escapes, both cases", S("%41%4a=%6a%4A%2b%26%3D%25"), NULL,
	    ERR_OK, 1, { { "AJ", S("jJ+&=%") } } },
	{ "escaped plus and ampersand", S("q=1%2B1%26x&r=2"), NULL, ERR_OK, 2,
	    { { "q", S("1+1&x") }, { "r", S("2") } } },
	{ "NULs in a value", S("v=%00x%00&w=1"), NULL, ERR_OK, 2,
	    { { "v", S("\0x\0") }, { "w", S("1") } } },
	{ "raw bytes pass through", S("a=\xff\x01 b\0c"), NULL, ERR_OK, 1,
	    { { "a", S("\xff\x01 b\0c") } } },
	{ "same name twice", S("t=1&t=2"), NULL, ERR_OK, 2,
	    { { "t", S("1") }, { "t", S("2") } } },
	{ "captured from curl -d and --data-urlencode",
	    S("name=My+Server&tool_list_json=%5B%7B%22a%22%3A1%7D%5D&"
	      "desc=a%26b%3Dc+d%25"),
	    NULL, ERR_OK, 3,
	    { { "name", S("My Server") },
		{ "tool_list_json", S("[{\"a\":1}]") },
		{ "desc", S("a&b=c d%") } } },
	{ "lone %", S("a=%"), NULL, ERR_INVAL, 0, { { NULL, NULL, 0 } } },
	{ "% and one digit", S("a=%4"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "% then one digit, then &", S("a=%4&b=1"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "non-hex second digit", S("a=%4g"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "non-hex first digit", S("a=%g4"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "double %", S("a=%%41"), NULL, ERR_INVAL, 0, { { NULL, NULL, 0 } } },
	{ "bad escape in a name", S("%zz=1"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "bad escape after good pairs", S("a=1&b=2&c=%"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "NUL in a name", S("a%00b=1"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "raw NUL in a name", S("a\0b=1"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0 } } },
	{ "max_fields reached", S("a&&b&"), &lim_f2, ERR_OK, 2,
	    { { "a", S("") }, { "b", S("") } } },
	{ "max_fields exceeded", S("a&b&c"), &lim_f2, ERR_TOOBIG, 0,
	    { { NULL, NULL, 0 } } },
	{ "max_fields 0, empty pairs", S("&&"), &lim_f0, ERR_OK, 0,
	    { { NULL, NULL, 0 } } },
	{ "max_fields 0, one pair", S("a"), &lim_f0, ERR_TOOBIG, 0,
	    { { NULL, NULL, 0 } } },
	{ "value at the cap", S("v=abc"), &lim_v3, ERR_OK, 1,
	    { { "v", S("abc") } } },
	{ "value over the cap", S("v=abcd"), &lim_v3, ERR_TOOBIG, 0,
	    { { NULL, NULL, 0 } } },
	{ "encoded value at the cap", S("v=%41%42%43"), &lim_v3, ERR_OK, 1,
	    { { "v", S("ABC") } } },
	{ "encoded value over the cap", S("v=%41%42%43+"), &lim_v3, ERR_TOOBIG,
	    0, { { NULL, NULL, 0 } } },
	{ "name at the cap", S("%41bc=1"), &lim_n3, ERR_OK, 1,
	    { { "Abc", S("1") } } },
	{ "name over the cap", S("abcd=1"), &lim_n3, ERR_TOOBIG, 0,
	    { { NULL, NULL, 0 } } },
};

/* Parses from an exactly sized heap copy so overreads are caught. */
static enum err
parse_exact(struct arena *a, const char *body, size_t len,
    const struct form_limits *lim, struct form *f, const char **why)
{
	char *copy;
	enum err e;

	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		abort();
	if (len > 0)
		memcpy(copy, body, len);
	e = form_parse_urlencoded(a, copy, len, lim, f, why);
	free(copy);
	return e;
}

static void
run_cases(struct arena *a)
{
	const struct ucase *c;
	struct form f;
	const char *why;
	size_t i, j;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		why = NULL;
		e = parse_exact(a, c->body, c->len, c->lim, &f, &why);
		T_EQ_INT(e, c->want, "%s: result", c->desc);
		if (c->want != ERR_OK) {
			T_OK(f.n == 0 && f.fields == NULL,
			    "%s: empty form on error", c->desc);
			T_OK(why != NULL && why[0] >= 'A' && why[0] <= 'Z' &&
				why[strlen(why) - 1] == '.',
			    "%s: reason is a sentence", c->desc);
			arena_reset(a);
			continue;
		}
		T_EQ_INT(f.n, c->n, "%s: field count", c->desc);
		for (j = 0; j < c->n && j < f.n; j++) {
			T_EQ_STR(f.fields[j].name, c->f[j].name, "%s: name %zu",
			    c->desc, j);
			T_OK(f.fields[j].len == c->f[j].len &&
				memcmp(f.fields[j].value, c->f[j].value,
				    c->f[j].len) == 0 &&
				f.fields[j].value[f.fields[j].len] == '\0',
			    "%s: value %zu", c->desc, j);
			T_OK(f.fields[j].filename == NULL &&
				f.fields[j].ctype == NULL,
			    "%s: no filename or ctype %zu", c->desc, j);
		}
		arena_reset(a);
	}
}

static void
run_misc(struct arena *a)
{
	struct form f;
	const struct form_field *ff;
	const char *why = NULL;
	static const char body[] = "x=1&t=first&t=second&%74=third";
	size_t cut, bad = 0;
	enum err e;

	e = form_parse_urlencoded(a, NULL, 0, NULL, &f, &why);
	T_EQ_INT(e, ERR_OK, "NULL body of length 0");
	T_EQ_INT(f.n, 0, "NULL body gives no fields");
	e = form_parse_urlencoded(a, NULL, 5, NULL, &f, &why);
	T_EQ_INT(e, ERR_INVAL, "NULL body of length 5");

	e = form_parse_urlencoded(a, body, sizeof(body) - 1, NULL, &f, &why);
	T_EQ_INT(e, ERR_OK, "lookup body parses");
	ff = form_get(&f, "t");
	T_OK(ff == &f.fields[1], "form_get returns the first of duplicates");
	T_EQ_STR(ff != NULL ? ff->value : NULL, "first", "first value");
	T_OK(form_get(&f, "T") == NULL, "form_get is case-sensitive");
	T_OK(form_get(&f, "") == NULL, "form_get misses an empty name");
	T_OK(form_get(&f, "x") == &f.fields[0], "form_get finds field 0");
	T_OK(form_get(NULL, "x") == NULL, "form_get on NULL form");
	T_OK(form_get(&f, NULL) == NULL, "form_get with NULL name");

	/* Every prefix: a clean result, never a read past the end. */
	for (cut = 0; cut <= sizeof(body) - 1; cut++) {
		why = NULL;
		e = parse_exact(a, body, cut, NULL, &f, &why);
		if (e != ERR_OK && (e != ERR_INVAL || why == NULL))
			bad++;
	}
	T_EQ_INT(bad, 0, "every truncation handled");
	arena_reset(a);

	T_EQ_INT(form_limits_default.max_fields, 256, "default max_fields");
	T_EQ_INT(form_limits_default.max_value_bytes, 1024 * 1024,
	    "default max_value_bytes");
	T_EQ_INT(form_limits_default.max_header_bytes, 8192,
	    "default max_header_bytes");
}

/* form_add keeps every earlier field across its array growths. */
static void
run_add(struct arena *a)
{
	struct form f = { NULL, 0 };
	struct form_field *ff;
	char *name;
	size_t i, bad = 0;

	for (i = 0; i < 1000; i++) {
		ff = form_add(a, &f);
		if (ff->name != NULL || ff->value != NULL || ff->len != 0)
			bad++;
		name = arena_printf(a, "n%zu", i);
		ff->name = name;
		ff->value = name;
		ff->len = i;
	}
	T_EQ_INT(f.n, 1000, "form_add: 1000 fields");
	T_EQ_INT(bad, 0, "form_add: new fields are zeroed");
	for (i = 0; i < f.n; i++) {
		name = arena_printf(a, "n%zu", i);
		if (strcmp(f.fields[i].name, name) != 0 || f.fields[i].len != i)
			bad++;
	}
	T_EQ_INT(bad, 0, "form_add: fields kept in order");
	T_OK(form_get(&f, "n999") == &f.fields[999], "form_get after growth");
	arena_reset(a);
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	run_cases(&a);
	run_misc(&a);
	run_add(&a);
	arena_free(&a);
	return t_done();
}
