/* Unit tests for the field validators (valid.c), mostly table-driven. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tdata.h"
#include "valid.h"

#define DATA "tests/data/valid/"

static enum err
err_from_name(const char *s)
{
	if (strcmp(s, "OK") == 0)
		return ERR_OK;
	if (strcmp(s, "TOOBIG") == 0)
		return ERR_TOOBIG;
	if (strcmp(s, "INVAL") == 0)
		return ERR_INVAL;
	return ERR__COUNT;
}

/* 1 when why is a usable reason that does not echo the input. */
static int
why_ok(const char *why, const char *input, size_t len)
{
	size_t i, wl;

	if (why == NULL || why[0] == '\0')
		return 0;
	if (len < 4)
		return 1;
	wl = strlen(why);
	for (i = 0; i + len <= wl; i++)
		if (memcmp(why + i, input, len) == 0)
			return 0;
	return 1;
}

static void
test_paths(struct arena *a)
{
	struct row *rows;
	const char *why;
	char *out;
	enum err e;
	int i, n;

	n = read_rows(a, DATA "paths.tsv", &rows);
	T_OK(n > 40, "paths.tsv has cases (%d)", n);
	for (i = 0; i < n; i++) {
		why = NULL;
		e = valid_path(a, rows[i].f[0], &out, &why);
		T_EQ_INT(e, err_from_name(rows[i].f[1]),
		    "paths.tsv:%d valid_path err", rows[i].line);
		if (e == ERR_OK)
			T_EQ_STR(out, rows[i].f[2], "paths.tsv:%d path",
			    rows[i].line);
		else {
			T_OK(
			    out == NULL, "paths.tsv:%d out NULL", rows[i].line);
			T_OK(why_ok(why, rows[i].f[0], rows[i].len[0]),
			    "paths.tsv:%d why \"%s\"", rows[i].line,
			    why ? why : "(null)");
		}
	}
	free(rows);
	T_EQ_INT(valid_path(a, NULL, &out, &why), ERR_INVAL, "NULL path");
}

static void
test_reserved(struct arena *a)
{
	static const char *const names[] = { "register", "remove", "toggle",
		"api", "health", "metrics", "ui", "static", "login", "logout",
		"v0", "v0.1", ".well-known", "favicon.ico", NULL };
	/* Leading and trailing slash variants of each name. */
	static const char *const pre[] = { "", "/", "/", "" };
	static const char *const post[] = { "", "", "/", "/" };
	char name[64], in[80], *out;
	const char *why;
	size_t i, j, k;
	int variant;

	for (i = 0; names[i] != NULL; i++) {
		/* Lower, upper, and two mixed spellings. */
		for (variant = 0; variant < 4; variant++) {
			for (k = 0; names[i][k] != '\0'; k++) {
				char c = names[i][k];
				int up = variant == 1 ||
				    (variant == 2 && k % 2 == 0) ||
				    (variant == 3 && k % 2 == 1);
				name[k] = up && c >= 'a' && c <= 'z' ? c - 32
								     : c;
			}
			name[k] = '\0';
			for (j = 0; j < 4; j++) {
				snprintf(in, sizeof(in), "%s%s%s", pre[j], name,
				    post[j]);
				why = NULL;
				T_EQ_INT(valid_path(a, in, &out, &why),
				    ERR_INVAL, "reserved \"%s\"", in);
				T_OK(why != NULL && strstr(why, "reserved"),
				    "reserved \"%s\" says reserved", in);
			}
		}
	}
}

static void
test_path_key(struct arena *a)
{
	T_EQ_STR(valid_path_key(a, "/My-Server.V2"), "/my-server.v2",
	    "path key lower-cases");
	T_EQ_STR(valid_path_key(a, "/abc_09"), "/abc_09", "path key as is");
	T_OK(strcmp(valid_path_key(a, "/A"), valid_path_key(a, "/a")) == 0,
	    "path keys collide across case");
}

static void
test_headers(struct arena *a)
{
	struct row *rows;
	const char *why;
	enum err e;
	int i, n;

	n = read_rows(a, DATA "headers.tsv", &rows);
	T_OK(n > 60, "headers.tsv has cases (%d)", n);
	for (i = 0; i < n; i++) {
		why = NULL;
		e = valid_header_name(rows[i].f[0], &why);
		T_EQ_INT(e, err_from_name(rows[i].f[1]), "headers.tsv:%d",
		    rows[i].line);
		if (e != ERR_OK)
			T_OK(why_ok(why, rows[i].f[0], rows[i].len[0]),
			    "headers.tsv:%d why", rows[i].line);
	}
	free(rows);
	T_EQ_INT(valid_header_name(NULL, &why), ERR_INVAL, "NULL header");
}

static void
test_credentials(void)
{
	static char big[VALID_CREDENTIAL_MAX + 2];
	static const struct {
		const char *s;
		size_t len;
		enum err want;
		const char *name;
	} cases[] = {
		{ "secret-token", 12, ERR_OK, "plain" },
		{ "Bearer abc.def.ghi", 18, ERR_OK, "with space" },
		{ "a\tb", 3, ERR_OK, "tab" },
		{ "x", 1, ERR_OK, "one byte" },
		{ "caf\xc3\xa9", 5, ERR_OK, "non-ASCII" },
		{ "", 0, ERR_INVAL, "empty" },
		{ "abc\r", 4, ERR_INVAL, "CR" },
		{ "abc\ndef", 7, ERR_INVAL, "LF" },
		{ "abc\r\nX-Evil: 1", 15, ERR_INVAL, "CRLF" },
		{ "ab\0cd", 5, ERR_INVAL, "NUL" },
		{ "\0", 1, ERR_INVAL, "only NUL" },
		{ "a\x01", 2, ERR_INVAL, "SOH" },
		{ "a\x1b[0m", 5, ERR_INVAL, "ESC" },
		{ "a\x7f", 2, ERR_INVAL, "DEL" },
	};
	const char *why;
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		e = valid_credential(cases[i].s, cases[i].len, &why);
		T_EQ_INT(e, cases[i].want, "credential %s", cases[i].name);
		if (e != ERR_OK)
			T_OK(why != NULL, "credential %s has why",
			    cases[i].name);
	}
	why = NULL;
	T_EQ_INT(valid_credential("a\rb", 3, &why), ERR_INVAL, "CR again");
	T_OK(why != NULL && strstr(why, "CR, LF or NUL") != NULL,
	    "CR reason names CR, LF or NUL");
	memset(big, 'k', sizeof(big));
	T_EQ_INT(valid_credential(big, VALID_CREDENTIAL_MAX, &why), ERR_OK,
	    "credential of 8192 bytes");
	T_EQ_INT(valid_credential(big, VALID_CREDENTIAL_MAX + 1, &why),
	    ERR_TOOBIG, "credential of 8193 bytes");
	big[VALID_CREDENTIAL_MAX - 1] = '\n';
	T_EQ_INT(valid_credential(big, VALID_CREDENTIAL_MAX, &why), ERR_INVAL,
	    "LF as the 8192nd byte");
	T_EQ_INT(valid_credential(NULL, 0, &why), ERR_INVAL, "NULL credential");
}

static void
test_text(void)
{
	static const struct {
		const char *s;
		size_t max;
		int line_ok;
		int multi_ok;
	} cases[] = {
		{ "My Server", 200, 1, 1 },
		{ "", 200, 1, 1 },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 200, 1, 1 },
		{ "line1\nline2", 200, 0, 1 },
		{ "a\r\nb", 200, 0, 1 },
		{ "a\tb", 200, 0, 1 },
		{ "a\x01", 200, 0, 0 },
		{ "a\x1f", 200, 0, 0 },
		{ "a\x7f", 200, 0, 0 },
		{ "a\xc2\x85", 200, 0, 0 }, /* NEL, a C1 control */
		{ "a\xc2\xa0", 200, 1, 1 }, /* NBSP */
		{ "\xff", 200, 0, 0 },
		{ "\xc3", 200, 0, 0 }, /* truncated */
		{ "\xc0\xaf", 200, 0, 0 }, /* overlong '/' */
		{ "\xe0\x80\xaf", 200, 0, 0 }, /* overlong */
		{ "\xed\xa0\x80", 200, 0, 0 }, /* surrogate */
		{ "\xf4\x90\x80\x80", 200, 0, 0 }, /* above U+10FFFF */
		{ "\xf4\x8f\xbf\xbf", 200, 1, 1 }, /* U+10FFFF */
		{ "abcd", 4, 1, 1 },
		{ "abcde", 4, 0, 0 },
	};
	const char *why;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].s);
		T_EQ_INT(valid_is_text(
			     cases[i].s, len, cases[i].max, VALID_TEXT_LINE),
		    cases[i].line_ok, "text %zu single-line", i);
		T_EQ_INT(valid_is_text(cases[i].s, len, cases[i].max,
			     VALID_TEXT_MULTILINE),
		    cases[i].multi_ok, "text %zu multi-line", i);
	}
	T_EQ_INT(valid_is_text("a\0b", 3, 10, VALID_TEXT_MULTILINE), 0,
	    "text with NUL");
	T_EQ_INT(valid_text("abcde", 5, 4, VALID_TEXT_LINE, &why), ERR_TOOBIG,
	    "text over max is TOOBIG");
	T_EQ_INT(valid_text("a\x01", 2, 4, VALID_TEXT_LINE, &why), ERR_INVAL,
	    "text with control is INVAL");
}

static void
test_tags(struct arena *a)
{
	struct row *rows;
	const char *why;
	cJSON *out;
	char *js;
	enum err e;
	int i, n;

	n = read_rows(a, DATA "tags.tsv", &rows);
	T_OK(n > 25, "tags.tsv has cases (%d)", n);
	for (i = 0; i < n; i++) {
		why = NULL;
		out = (cJSON *)1;
		e = valid_tags(a, rows[i].f[0], rows[i].len[0], &out, &why);
		T_EQ_INT(e, err_from_name(rows[i].f[1]), "tags.tsv:%d err",
		    rows[i].line);
		if (e != ERR_OK) {
			T_OK(out == NULL, "tags.tsv:%d out NULL", rows[i].line);
			T_OK(why != NULL, "tags.tsv:%d why", rows[i].line);
			continue;
		}
		js = cJSON_PrintUnformatted(out);
		T_EQ_STR(js, rows[i].f[2], "tags.tsv:%d result", rows[i].line);
		free(js);
		cJSON_Delete(out);
	}
	free(rows);
}

/* Builds "t0,t1,...": count distinct tags, comma-separated, in a. */
static char *
many_tags(struct arena *a, int count)
{
	char *s = arena_alloc(a, (size_t)count * 8 + 1);
	size_t used = 0;
	int i;

	for (i = 0; i < count; i++)
		used += (size_t)sprintf(s + used, "%st%d", i ? "," : "", i);
	return s;
}

static void
test_tags_limits(struct arena *a)
{
	const char *why;
	cJSON *out;
	char *s;

	s = many_tags(a, VALID_TAGS_MAX);
	T_EQ_INT(valid_tags(a, s, strlen(s), &out, &why), ERR_OK, "64 tags");
	T_EQ_INT(cJSON_GetArraySize(out), VALID_TAGS_MAX, "64 tags kept");
	cJSON_Delete(out);
	s = many_tags(a, VALID_TAGS_MAX + 1);
	T_EQ_INT(
	    valid_tags(a, s, strlen(s), &out, &why), ERR_TOOBIG, "65 tags");
	T_OK(out == NULL, "65 tags: out NULL");
	s = arena_printf(a, "%s,t0,t1", many_tags(a, VALID_TAGS_MAX));
	T_EQ_INT(valid_tags(a, s, strlen(s), &out, &why), ERR_OK,
	    "duplicates do not count toward the cap");
	cJSON_Delete(out);
	T_EQ_INT(
	    valid_tags(a, "a\0b", 3, &out, &why), ERR_INVAL, "tags with NUL");
	s = arena_alloc(a, VALID_TAGS_INPUT_MAX + 2);
	memset(s, ',', VALID_TAGS_INPUT_MAX + 1);
	T_EQ_INT(valid_tags(a, s, VALID_TAGS_INPUT_MAX + 1, &out, &why),
	    ERR_TOOBIG, "tags input over the cap");
	T_EQ_INT(valid_tags(a, s, VALID_TAGS_INPUT_MAX, &out, &why), ERR_OK,
	    "tags input at the cap");
	T_EQ_INT(cJSON_GetArraySize(out), 0, "only commas: no tags");
	cJSON_Delete(out);
}

static void
test_tags_json(struct arena *a)
{
	static const struct {
		const char *body;
		enum err want;
		const char *result;
	} cases[] = {
		{ "{\"tags\":[\"a\",\" b \",\"a\",\"\"]}", ERR_OK,
		    "[\"a\",\"b\"]" },
		{ "{\"tags\":\"x, y,,z\"}", ERR_OK, "[\"x\",\"y\",\"z\"]" },
		{ "{\"tags\":\"[\\\"p\\\",\\\"q\\\"]\"}", ERR_OK,
		    "[\"p\",\"q\"]" },
		{ "{\"tags\":null}", ERR_OK, "[]" },
		{ "{}", ERR_OK, "[]" },
		{ "{\"tags\":[]}", ERR_OK, "[]" },
		{ "{\"tags\":[1]}", ERR_INVAL, NULL },
		{ "{\"tags\":[\"a\",[\"b\"]]}", ERR_INVAL, NULL },
		{ "{\"tags\":7}", ERR_INVAL, NULL },
		{ "{\"tags\":true}", ERR_INVAL, NULL },
		{ "{\"tags\":{\"a\":\"b\"}}", ERR_INVAL, NULL },
		{ "{\"tags\":[\"a\\u0007\"]}", ERR_INVAL, NULL },
	};
	const char *why;
	cJSON *body, *out;
	size_t i;
	char *js;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body = cJSON_Parse(cases[i].body);
		T_OK(body != NULL, "tags json %zu parses", i);
		why = NULL;
		e = valid_tags_json(a,
		    cJSON_GetObjectItemCaseSensitive(body, "tags"), &out, &why);
		T_EQ_INT(e, cases[i].want, "tags json %zu err", i);
		if (e == ERR_OK) {
			js = cJSON_PrintUnformatted(out);
			T_EQ_STR(
			    js, cases[i].result, "tags json %zu result", i);
			free(js);
			cJSON_Delete(out);
		} else
			T_OK(out == NULL && why != NULL,
			    "tags json %zu out "
			    "NULL, why set",
			    i);
		cJSON_Delete(body);
	}
}

static void
test_tools(struct arena *a)
{
	struct row *rows;
	const char *why;
	cJSON *out;
	enum err e;
	int i, n;

	n = read_rows(a, DATA "tools.tsv", &rows);
	T_OK(n > 25, "tools.tsv has cases (%d)", n);
	for (i = 0; i < n; i++) {
		why = NULL;
		out = (cJSON *)1;
		e = valid_tool_list(
		    a, rows[i].f[2], rows[i].len[2], &out, &why);
		T_EQ_INT(e, err_from_name(rows[i].f[0]), "tools.tsv:%d err",
		    rows[i].line);
		if (e == ERR_OK) {
			T_OK(cJSON_IsArray(out), "tools.tsv:%d array",
			    rows[i].line);
			cJSON_Delete(out);
			continue;
		}
		T_OK(out == NULL, "tools.tsv:%d out NULL", rows[i].line);
		T_OK(why != NULL && strstr(why, rows[i].f[1]) != NULL,
		    "tools.tsv:%d why \"%s\" has \"%s\"", rows[i].line,
		    why ? why : "(null)", rows[i].f[1]);
	}
	free(rows);
}

static void
test_tools_kept(struct arena *a)
{
	const char *in = "[{\"name\":\"t\",\"inputSchema\":{\"type\":"
			 "\"object\"},\"annotations\":{\"readOnlyHint\":true},"
			 "\"_meta\":{\"x\":[1,2]}}]";
	const char *why;
	cJSON *out;
	char *js;

	T_EQ_INT(valid_tool_list(a, in, strlen(in), &out, &why), ERR_OK,
	    "tool with unknown fields");
	js = cJSON_PrintUnformatted(out);
	T_EQ_STR(js, in, "unknown tool fields are kept verbatim");
	free(js);
	cJSON_Delete(out);
}

static void
test_tools_limits(struct arena *a)
{
	const char *why;
	cJSON *out;
	size_t used;
	char *s;
	int i;

	/* 1000 tools pass, 1001 do not. */
	s = arena_alloc(a, 1001 * 40 + 8);
	used = (size_t)sprintf(s, "[");
	for (i = 0; i < VALID_TOOLS_MAX; i++)
		used += (size_t)sprintf(s + used,
		    "%s{\"name\":\"t%d\","
		    "\"inputSchema\":{}}",
		    i ? "," : "", i);
	strcpy(s + used, "]");
	T_EQ_INT(
	    valid_tool_list(a, s, used + 1, &out, &why), ERR_OK, "1000 tools");
	T_EQ_INT(cJSON_GetArraySize(out), VALID_TOOLS_MAX, "1000 tools kept");
	cJSON_Delete(out);
	used += (size_t)sprintf(s + used,
	    ",{\"name\":\"t%d\","
	    "\"inputSchema\":{}}]",
	    i);
	T_EQ_INT(
	    valid_tool_list(a, s, used, &out, &why), ERR_TOOBIG, "1001 tools");

	/* Name of 128 bytes passes, 129 does not. */
	s = arena_printf(a, "[{\"name\":\"%0128d\",\"inputSchema\":{}}]", 0);
	T_EQ_INT(valid_tool_list(a, s, strlen(s), &out, &why), ERR_OK,
	    "name of 128 bytes");
	cJSON_Delete(out);
	s = arena_printf(a, "[{\"name\":\"%0129d\",\"inputSchema\":{}}]", 0);
	T_EQ_INT(valid_tool_list(a, s, strlen(s), &out, &why), ERR_TOOBIG,
	    "name of 129 bytes");
	T_OK(why != NULL && strstr(why, "index 0") != NULL,
	    "long name why has the index");

	/* Depth: tool array 1, tool 2, schema 3; 64 levels pass. */
	s = arena_alloc(a, 400);
	used = (size_t)sprintf(s, "[{\"name\":\"d\",\"inputSchema\":");
	for (i = 3; i <= VALID_TOOLS_DEPTH; i++)
		used += (size_t)sprintf(s + used, "{\"a\":");
	used += (size_t)sprintf(s + used, "1");
	for (i = 3; i <= VALID_TOOLS_DEPTH; i++)
		used += (size_t)sprintf(s + used, "}");
	used += (size_t)sprintf(s + used, "}]");
	T_EQ_INT(
	    valid_tool_list(a, s, used, &out, &why), ERR_OK, "nesting 64 deep");
	cJSON_Delete(out);
	s = arena_alloc(a, 400);
	used = (size_t)sprintf(s, "[{\"name\":\"d\",\"inputSchema\":");
	for (i = 3; i <= VALID_TOOLS_DEPTH + 1; i++)
		used += (size_t)sprintf(s + used, "{\"a\":");
	used += (size_t)sprintf(s + used, "1");
	for (i = 3; i <= VALID_TOOLS_DEPTH + 1; i++)
		used += (size_t)sprintf(s + used, "}");
	used += (size_t)sprintf(s + used, "}]");
	T_EQ_INT(valid_tool_list(a, s, used, &out, &why), ERR_TOOBIG,
	    "nesting 65 deep");

	/* cJSON's own nesting limit must fail cleanly too. */
	s = arena_alloc(a, 5002);
	memset(s, '[', 5000);
	T_EQ_INT(valid_tool_list(a, s, 5000, &out, &why), ERR_INVAL,
	    "5000 open brackets");

	T_EQ_INT(valid_tool_list(a, "[]\0x", 4, &out, &why), ERR_INVAL,
	    "tool list with NUL");
	s = arena_alloc(a, VALID_TOOLS_INPUT_MAX + 1);
	memset(s, ' ', VALID_TOOLS_INPUT_MAX + 1);
	T_EQ_INT(valid_tool_list(a, s, VALID_TOOLS_INPUT_MAX + 1, &out, &why),
	    ERR_TOOBIG, "tool list over 1 MiB");
}

static void
test_tools_json(struct arena *a)
{
	static const struct {
		const char *body;
		enum err want;
		int count;
		const char *why;
	} cases[] = {
		{ "{\"t\":[{\"name\":\"a\",\"inputSchema\":{}}]}", ERR_OK, 1,
		    NULL },
		{ "{\"t\":\"[{\\\"name\\\":\\\"a\\\",\\\"inputSchema\\\":{}},"
		  "{\\\"name\\\":\\\"b\\\",\\\"inputSchema\\\":{}}]\"}",
		    ERR_OK, 2, NULL },
		{ "{\"t\":null}", ERR_OK, 0, NULL },
		{ "{}", ERR_OK, 0, NULL },
		{ "{\"t\":\"\"}", ERR_OK, 0, NULL },
		{ "{\"t\":[]}", ERR_OK, 0, NULL },
		{ "{\"t\":{\"name\":\"a\",\"inputSchema\":{}}}", ERR_INVAL, 0,
		    "JSON array" },
		{ "{\"t\":5}", ERR_INVAL, 0, "JSON array" },
		{ "{\"t\":[{\"name\":\"a\",\"inputSchema\":{}},"
		  "{\"name\":\"b\"}]}",
		    ERR_INVAL, 0, "index 1" },
		{ "{\"t\":\"[{\\\"name\\\":1}]\"}", ERR_INVAL, 0, "index 0" },
		{ "{\"t\":\"[oops\"}", ERR_INVAL, 0, "not valid JSON" },
	};
	const char *why;
	cJSON *body, *out, *t;
	char *before, *after;
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body = cJSON_Parse(cases[i].body);
		T_OK(body != NULL, "tools json %zu parses", i);
		t = cJSON_GetObjectItemCaseSensitive(body, "t");
		before = cJSON_PrintUnformatted(body);
		why = NULL;
		e = valid_tool_list_json(a, t, &out, &why);
		T_EQ_INT(e, cases[i].want, "tools json %zu err", i);
		if (e == ERR_OK) {
			T_EQ_INT(cJSON_GetArraySize(out), cases[i].count,
			    "tools json %zu count", i);
			T_OK(out != t, "tools json %zu is a copy", i);
			cJSON_Delete(out);
		} else
			T_OK(out == NULL && why != NULL &&
				strstr(why, cases[i].why) != NULL,
			    "tools json %zu why \"%s\"", i,
			    why ? why : "(null)");
		after = cJSON_PrintUnformatted(body);
		T_EQ_STR(after, before, "tools json %zu input untouched", i);
		free(before);
		free(after);
		cJSON_Delete(body);
	}
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_paths(&a);
	test_reserved(&a);
	test_path_key(&a);
	test_headers(&a);
	test_credentials();
	test_text();
	test_tags(&a);
	test_tags_limits(&a);
	test_tags_json(&a);
	test_tools(&a);
	test_tools_kept(&a);
	test_tools_limits(&a);
	test_tools_json(&a);
	arena_free(&a);
	return t_done();
}
