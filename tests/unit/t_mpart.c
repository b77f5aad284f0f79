/* Unit tests for the multipart/form-data parser (src/mpart.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "form.h"
#include "mpart.h"
#include "t.h"

#define DATA "tests/data/mpart/"
#define MAXF 8

/* A string literal and its length, NULs included. */
#define S(x) x, sizeof(x) - 1

#define CT "multipart/form-data; boundary=XyZ"
#define CD "Content-Disposition: form-data; "
#define OPEN "--XyZ\r\n"
#define NEXT "\r\n--XyZ\r\n"
#define CLOSE "\r\n--XyZ--\r\n"
#define HDR_A CD "name=\"a\"\r\n"
#define B10 "0123456789"
#define B70 B10 B10 B10 B10 B10 B10 B10

struct want {
	const char *name;
	const char *value;
	size_t len;
	const char *filename;
	const char *ctype;
};

struct mcase {
	const char *desc;
	const char *ctype;
	const char *body;
	size_t len;
	const struct form_limits *lim;
	enum err want;
	size_t n;
	struct want f[MAXF];
};

static const struct form_limits lim_2 = { 2, 1024, 1024 };
static const struct form_limits lim_0 = { 0, 1024, 1024 };
static const struct form_limits lim_v3 = { 8, 3, 1024 };
static const struct form_limits lim_h = { 8, 1024, sizeof(HDR_A) - 1 };
static const struct form_limits lim_h1 = { 8, 1024, sizeof(HDR_A) - 2 };
static const struct form_limits lim_h16 = { 8, 1024, 16 };

static const struct mcase cases[] = {
	/* Delimiters, preamble, epilogue, padding. */
	{ "minimal", CT, S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "first delimiter after a CRLF", CT,
	    S("\r\n" OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "preamble and epilogue ignored", CT,
	    S("preamble --XyZ\r\nmore\r\n" OPEN HDR_A "\r\n1" CLOSE
	      "epilogue\r\n--XyZ\r\n" HDR_A "\r\n2" CLOSE),
	    NULL, ERR_OK, 1, { { "a", S("1"), NULL, NULL } } },
	{ "preamble with a fake delimiter line", CT,
	    S("--XyZX\r\n" OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "transport padding after boundaries", CT,
	    S("--XyZ \t\r\n" HDR_A "\r\n1\r\n--XyZ\t \r\n" CD "name=b\r\n"
	      "\r\n2\r\n--XyZ--  \r\n"),
	    NULL, ERR_OK, 2,
	    { { "a", S("1"), NULL, NULL }, { "b", S("2"), NULL, NULL } } },
	{ "closing delimiter at the very end", CT,
	    S(OPEN HDR_A "\r\n1\r\n--XyZ--"), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "only a closing delimiter", CT, S("--XyZ--\r\n"), NULL, ERR_OK, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	/* Values. */
	{ "empty value", CT, S(OPEN HDR_A "\r\n" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S(""), NULL, NULL } } },
	{ "empty parts around a full one", CT,
	    S(OPEN HDR_A "\r\n" NEXT CD "name=b\r\n\r\nx" NEXT CD "name=c\r\n"
			 "\r\n" CLOSE),
	    NULL, ERR_OK, 3,
	    { { "a", S(""), NULL, NULL }, { "b", S("x"), NULL, NULL },
		{ "c", S(""), NULL, NULL } } },
	{ "embedded NULs", CT, S(OPEN HDR_A "\r\n\0a\0\0b\0" CLOSE), NULL,
	    ERR_OK, 1, { { "a", S("\0a\0\0b\0"), NULL, NULL } } },
	{ "CRLF--boundary followed by more boundary chars", CT,
	    S(OPEN HDR_A "\r\nx\r\n--XyZX\r\ny" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("x\r\n--XyZX\r\ny"), NULL, NULL } } },
	{ "CRLF--boundary followed by a single dash", CT,
	    S(OPEN HDR_A "\r\nx\r\n--XyZ-y" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("x\r\n--XyZ-y"), NULL, NULL } } },
	{ "CRLF--boundary then padding then text", CT,
	    S(OPEN HDR_A "\r\nx\r\n--XyZ  z\r\n" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("x\r\n--XyZ  z\r\n"), NULL, NULL } } },
	{ "CRLF--boundary then bare LF is not a delimiter", CT,
	    S(OPEN HDR_A "\r\nx\r\n--XyZ\ny" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("x\r\n--XyZ\ny"), NULL, NULL } } },
	{ "LF--boundary inside a CRLF body", CT,
	    S(OPEN HDR_A "\r\nx\n--XyZ\r\ny" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("x\n--XyZ\r\ny"), NULL, NULL } } },
	{ "boundary inside a value without CRLF--", CT,
	    S(OPEN HDR_A "\r\nXyZ --XyZ\r\n-XyZ--XyZ--" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("XyZ --XyZ\r\n-XyZ--XyZ--"), NULL, NULL } } },
	{ "value ending in CR and CRLF", CT, S(OPEN HDR_A "\r\n\r\r\n\r" CLOSE),
	    NULL, ERR_OK, 1, { { "a", S("\r\r\n\r"), NULL, NULL } } },
	{ "value is a lone CRLF", CT, S(OPEN HDR_A "\r\n\r\n" CLOSE), NULL,
	    ERR_OK, 1, { { "a", S("\r\n"), NULL, NULL } } },
	{ "same name several times", CT,
	    S(OPEN CD "name=tag\r\n\r\na" NEXT CD "name=tag\r\n\r\nb" NEXT CD
		      "name=x\r\n\r\nc" NEXT CD "name=tag\r\n\r\nd" CLOSE),
	    NULL, ERR_OK, 4,
	    { { "tag", S("a"), NULL, NULL }, { "tag", S("b"), NULL, NULL },
		{ "x", S("c"), NULL, NULL }, { "tag", S("d"), NULL, NULL } } },
	/* Part headers and Content-Disposition parameters. */
	{ "case-insensitive names and type", CT,
	    S(OPEN "content-DISPOSITION: Form-Data; NAME=\"a\"; FileName=f\r\n"
		   "CONTENT-TYPE: text/x\r\n\r\n1" CLOSE),
	    NULL, ERR_OK, 1, { { "a", S("1"), "f", "text/x" } } },
	{ "bare parameter values", CT,
	    S(OPEN CD "name=a; filename=b.txt\r\n\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), "b.txt", NULL } } },
	{ "whitespace around ; and =", CT,
	    S(OPEN "Content-Disposition:form-data ;name = \"a\"\t; filename="
		   " \"f g\"  \r\n\r\n1" CLOSE),
	    NULL, ERR_OK, 1, { { "a", S("1"), "f g", NULL } } },
	{ "empty and trailing parameters", CT,
	    S(OPEN CD "; ;name=a;\r\n\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "escaped quote and backslash", CT,
	    S(OPEN CD "name=\"a\\\"b\\\\c\"; "
		      "filename=\"C:\\x\\\"y\\z\"\r\n\r\n1" CLOSE),
	    NULL, ERR_OK, 1, { { "a\"b\\c", S("1"), "C:\\x\"y\\z", NULL } } },
	{ "semicolon and equals inside quotes", CT,
	    S(OPEN CD "name=\"a;b=c\"\r\n\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a;b=c", S("1"), NULL, NULL } } },
	{ "percent-encoded quote kept verbatim", CT,
	    S(OPEN CD "name=\"a%22b\"; filename=\"%0D%0A\"\r\n\r\n1" CLOSE),
	    NULL, ERR_OK, 1, { { "a%22b", S("1"), "%0D%0A", NULL } } },
	{ "filename* ignored", CT,
	    S(OPEN CD "name=f; filename*=UTF-8''x.txt\r\n\r\n1" CLOSE), NULL,
	    ERR_OK, 1, { { "f", S("1"), NULL, NULL } } },
	{ "empty filename and name", CT,
	    S(OPEN CD "name=\"\"; filename=\"\"\r\n\r\n1" CLOSE), NULL, ERR_OK,
	    1, { { "", S("1"), "", NULL } } },
	{ "UTF-8 filename", CT,
	    S(OPEN CD
		"name=f; filename=\"\xc3\xa9t\xc3\xa9.txt\"\r\n\r\n1" CLOSE),
	    NULL, ERR_OK, 1,
	    { { "f", S("1"), "\xc3\xa9t\xc3\xa9.txt", NULL } } },
	{ "content type trimmed, other headers ignored", CT,
	    S(OPEN "X-Foo: bar\r\n" HDR_A "Content-Type:   text/plain; "
		   "charset=utf-8 \t\r\nContent-Transfer-Encoding: "
		   "binary\r\n\r\n1" CLOSE),
	    NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, "text/plain; charset=utf-8" } } },
	/* Line endings. */
	{ "LF-only body", CT,
	    S("--XyZ\n" CD "name=a\n\nv1\n--XyZ\n" CD "name=b\r\n\nv2\r\n"
	      "--XyZ--\n"),
	    NULL, ERR_OK, 2,
	    { { "a", S("v1"), NULL, NULL }, { "b", S("v2\r"), NULL, NULL } } },
	{ "LF body with a CR before a later delimiter's LF", CT,
	    S("--XyZ\n" CD "name=a\n\nv1\n--XyZ \r\n" CD "name=b\n\nv2\n"
	      "--XyZ--"),
	    NULL, ERR_OK, 2,
	    { { "a", S("v1"), NULL, NULL }, { "b", S("v2"), NULL, NULL } } },
	{ "LF body, bare CR after a boundary", CT,
	    S("--XyZ\n" CD "name=a\n\nv1\n--XyZ\rx\n--XyZ--"), NULL, ERR_OK, 1,
	    { { "a", S("v1\n--XyZ\rx"), NULL, NULL } } },
	{ "LF preamble, CRLF body", CT, S("junk\n" OPEN HDR_A "\r\n1" CLOSE),
	    NULL, ERR_OK, 1, { { "a", S("1"), NULL, NULL } } },
	/* The request Content-Type. */
	{ "quoted boundary", "multipart/form-data; boundary=\"XyZ\"",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "case and spacing in content type",
	    "  MULTIPART/Form-Data ;charset=utf-8;  BOUNDARY = XyZ ; x=y",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	{ "boundary with a space and specials",
	    "multipart/form-data; boundary=\"a b'()+_,-./:=?\"",
	    S("--a b'()+_,-./:=?\r\n" HDR_A "\r\n1\r\n--a b'()+_,-./:=?--"),
	    NULL, ERR_OK, 1, { { "a", S("1"), NULL, NULL } } },
	{ "70-character boundary", "multipart/form-data; boundary=" B70,
	    S("--" B70 "\r\n" HDR_A "\r\n1\r\n--" B70 "--"), NULL, ERR_OK, 1,
	    { { "a", S("1"), NULL, NULL } } },
	/* Content-Type errors. */
	{ "no content type", NULL, S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL,
	    0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "other media type", "application/json; boundary=XyZ",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "media type prefix", "multipart/form-datax; boundary=XyZ",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "missing boundary", "multipart/form-data",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "missing boundary, other params", "multipart/form-data; charset=a",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "empty bare boundary",
	    "multipart/form-data; boundary=", S(OPEN HDR_A "\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "empty quoted boundary", "multipart/form-data; boundary=\"\"",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "71-character boundary", "multipart/form-data; boundary=" B70 "x",
	    S("--" B70 "x\r\n" HDR_A "\r\n1\r\n--" B70 "x--"), NULL, ERR_INVAL,
	    0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "boundary with a non-bchar", "multipart/form-data; boundary=a@b",
	    S("--a@b\r\n" HDR_A "\r\n1\r\n--a@b--"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "boundary ending in a space", "multipart/form-data; boundary=\"ab \"",
	    S("--ab \r\n" HDR_A "\r\n1\r\n--ab --"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "boundary given twice",
	    "multipart/form-data; boundary=XyZ; "
	    "Boundary=XyZ",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "boundary without =", "multipart/form-data; boundary",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "unterminated quoted boundary", "multipart/form-data; boundary=\"XyZ",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "junk between type and params", "multipart/form-data x; boundary=XyZ",
	    S(OPEN HDR_A "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	/* Body structure errors. */
	{ "empty body", CT, "", 0, NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "no delimiter", CT, S("hello\r\n--XyZX\r\n--XyZ"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "other boundary", CT, S("--XyW\r\n" HDR_A "\r\n1\r\n--XyW--"), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "missing closing delimiter", CT, S(OPEN HDR_A "\r\nvalue"), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "missing closing delimiter after a part", CT,
	    S(OPEN HDR_A "\r\n1" NEXT HDR_A "\r\n2\r\n--XyZ-"), NULL, ERR_INVAL,
	    0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "body ends after a delimiter line", CT, S(OPEN HDR_A "\r\n1" NEXT),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "headers not terminated", CT, S(OPEN HDR_A), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "empty line doubling as delimiter CRLF", CT,
	    S(OPEN HDR_A "\r\n--XyZ--\r\n"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "bare LF closing delimiter in a CRLF body", CT,
	    S(OPEN HDR_A "\r\n1\n--XyZ--\r\n"), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "bare LF header line in a CRLF body", CT,
	    S(OPEN CD "name=a\n\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "folded header line", CT, S(OPEN CD "\r\n name=a\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "header line without colon", CT, S(OPEN HDR_A "X-Foo\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "header line with an empty name", CT,
	    S(OPEN HDR_A ": x\r\n\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "space before the header colon", CT,
	    S(OPEN "Content-Disposition : form-data; name=a\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "NUL in a header", CT, S(OPEN CD "name=\"a\0b\"\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "bare CR in a header", CT, S(OPEN CD "name=\"a\rb\"\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	/* Content-Disposition errors. */
	{ "no Content-Disposition", CT,
	    S(OPEN "Content-Type: text/plain\r\n\r\n1" CLOSE), NULL, ERR_INVAL,
	    0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "no headers at all", CT, S(OPEN "\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "not form-data", CT,
	    S(OPEN "Content-Disposition: attachment; name=a\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "no name parameter", CT, S(OPEN CD "filename=x\r\n\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "name twice", CT, S(OPEN CD "name=a; NAME=b\r\n\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "filename twice", CT,
	    S(OPEN CD "name=a; filename=b; filename=c\r\n\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "Content-Disposition twice", CT, S(OPEN HDR_A HDR_A "\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "Content-Type twice", CT,
	    S(OPEN HDR_A
		"Content-Type: a/b\r\ncontent-type: a/b\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "unterminated quote", CT, S(OPEN CD "name=\"abc\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "escaped closing quote", CT,
	    S(OPEN CD "name=\"abc\\\"\r\n\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "junk after a quoted value", CT,
	    S(OPEN CD "name=\"a\"b\r\n\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "parameter without =", CT, S(OPEN CD "name\r\n\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "parameter without ;", CT,
	    S(OPEN "Content-Disposition: form-data name=a\r\n\r\n1" CLOSE),
	    NULL, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "quote inside a bare value", CT,
	    S(OPEN CD "name=a\"b\"\r\n\r\n1" CLOSE), NULL, ERR_INVAL, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "empty bare value", CT, S(OPEN CD "name=; x=y\r\n\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "empty parameter name", CT, S(OPEN CD "=a\r\n\r\n1" CLOSE), NULL,
	    ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
	/* Limits. */
	{ "max_fields reached exactly", CT,
	    S(OPEN HDR_A "\r\n1" NEXT HDR_A "\r\n2" CLOSE), &lim_2, ERR_OK, 2,
	    { { "a", S("1"), NULL, NULL }, { "a", S("2"), NULL, NULL } } },
	{ "max_fields exceeded", CT,
	    S(OPEN HDR_A "\r\n1" NEXT HDR_A "\r\n2" NEXT HDR_A "\r\n3" CLOSE),
	    &lim_2, ERR_TOOBIG, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "max_fields 0, no parts", CT, S("--XyZ--"), &lim_0, ERR_OK, 0,
	    { { NULL, NULL, 0, NULL, NULL } } },
	{ "max_fields 0, one part", CT, S(OPEN HDR_A "\r\n1" CLOSE), &lim_0,
	    ERR_TOOBIG, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "value at max_value_bytes", CT, S(OPEN HDR_A "\r\nabc" CLOSE),
	    &lim_v3, ERR_OK, 1, { { "a", S("abc"), NULL, NULL } } },
	{ "value over max_value_bytes", CT, S(OPEN HDR_A "\r\nabcd" CLOSE),
	    &lim_v3, ERR_TOOBIG, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "headers at max_header_bytes", CT, S(OPEN HDR_A "\r\n1" CLOSE),
	    &lim_h, ERR_OK, 1, { { "a", S("1"), NULL, NULL } } },
	{ "headers over max_header_bytes", CT, S(OPEN HDR_A "\r\n1" CLOSE),
	    &lim_h1, ERR_TOOBIG, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "long unterminated header over the cap", CT,
	    S(OPEN CD "name=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    &lim_h16, ERR_TOOBIG, 0, { { NULL, NULL, 0, NULL, NULL } } },
	{ "short unterminated header under the cap", CT, S(OPEN "X: y"),
	    &lim_h16, ERR_INVAL, 0, { { NULL, NULL, 0, NULL, NULL } } },
};

/*
 * Copies body into an exactly sized heap buffer so ASan and valgrind catch
 * any read past its end, then parses it.
 */
static enum err
parse_exact(struct arena *a, const char *ct, const char *body, size_t len,
    const struct form_limits *lim, struct form *f, const char **why)
{
	char *copy;
	enum err e;

	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		abort();
	if (len > 0)
		memcpy(copy, body, len);
	e = mpart_parse(a, ct, len > 0 ? copy : NULL, len, lim, f, why);
	free(copy);
	return e;
}

static void
check_fields(
    const char *desc, const struct form *f, const struct want *w, size_t n)
{
	size_t i;

	T_EQ_INT(f->n, n, "%s: field count", desc);
	for (i = 0; i < n && i < f->n; i++) {
		T_EQ_STR(f->fields[i].name, w[i].name, "%s: name %zu", desc, i);
		T_OK(f->fields[i].len == w[i].len &&
			memcmp(f->fields[i].value, w[i].value, w[i].len) == 0,
		    "%s: value %zu (%zu bytes)", desc, i, w[i].len);
		T_OK(f->fields[i].value[f->fields[i].len] == '\0',
		    "%s: value %zu NUL-terminated", desc, i);
		T_EQ_STR(f->fields[i].filename, w[i].filename,
		    "%s: filename %zu", desc, i);
		T_EQ_STR(
		    f->fields[i].ctype, w[i].ctype, "%s: ctype %zu", desc, i);
	}
}

static void
check_error(const char *desc, enum err e, enum err want, const struct form *f,
    const char *why)
{
	T_EQ_INT(e, want, "%s: result", desc);
	T_OK(f->n == 0 && f->fields == NULL, "%s: empty form on error", desc);
	T_OK(why != NULL && why[0] >= 'A' && why[0] <= 'Z' &&
		why[strlen(why) - 1] == '.',
	    "%s: reason is a sentence", desc);
}

static void
run_cases(struct arena *a)
{
	const struct mcase *c;
	struct form f;
	const char *why;
	enum err e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		why = NULL;
		e = parse_exact(a, c->ctype, c->body, c->len, c->lim, &f, &why);
		if (c->want == ERR_OK) {
			T_EQ_INT(e, ERR_OK, "%s: result", c->desc);
			if (e != ERR_OK)
				printf("#   why: %s\n", why);
			check_fields(c->desc, &f, c->f, c->n);
		} else
			check_error(c->desc, e, c->want, &f, why);
		arena_reset(a);
	}
}

/* Reads a whole file into the arena; *len gets its size. */
static char *
slurp(struct arena *a, const char *path, size_t *len)
{
	FILE *fp;
	long n;
	char *buf = NULL;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = arena_alloc(a, (size_t)n + 1);
		if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
			buf = NULL;
		else
			*len = (size_t)n;
	}
	fclose(fp);
	return buf;
}

#define TOOLS \
	"[{\"name\": \"get_weather\", \"description\": \"Get weather " \
	"for a city\", \"inputSchema\": {\"type\": \"object\", " \
	"\"properties\": " \
	"{\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}]"
#define BIN "a\0b\r\n--not-the-boundary\r\n\r\nend\n"

/* Bodies captured from curl 7.88.1 -F and Node 20 fetch (see README). */
static const struct capture {
	const char *file;
	size_t n;
	struct want f[MAXF];
} captures[] = {
	{ "curl_seed_bearer", 6,
	    { { "name", S("My Protected Server"), NULL, NULL },
		{ "description", S("An MCP server behind Bearer auth"), NULL,
		    NULL },
		{ "path", S("/my-protected-server"), NULL, NULL },
		{ "proxy_pass_url", S("http://my-server:8000"), NULL, NULL },
		{ "auth_scheme", S("bearer"), NULL, NULL },
		{ "auth_credential", S("my-backend-server-token"), NULL,
		    NULL } } },
	{ "curl_seed_apikey", 7,
	    { { "name", S("My API Key Server"), NULL, NULL },
		{ "description", S("An MCP server behind API key auth"), NULL,
		    NULL },
		{ "path", S("/my-apikey-server"), NULL, NULL },
		{ "proxy_pass_url", S("http://my-server:8000"), NULL, NULL },
		{ "auth_scheme", S("api_key"), NULL, NULL },
		{ "auth_credential", S("my-api-key-value"), NULL, NULL },
		{ "auth_header_name", S("X-API-Key"), NULL, NULL } } },
	{ "curl_seed_tools", 5,
	    { { "name", S("My Server"), NULL, NULL },
		{ "description", S("Server with manually defined tools"), NULL,
		    NULL },
		{ "path", S("/my-server"), NULL, NULL },
		{ "proxy_pass_url", S("http://my-server:8000"), NULL, NULL },
		{ "tool_list_json", S(TOOLS), NULL, NULL } } },
	{ "curl_files", 6,
	    { { "up", S(BIN), "bin.dat", "application/octet-stream" },
		{ "up", S(BIN), "sec%22ond.txt", "text/plain" },
		{ "empty", S(""), NULL, NULL },
		{ "we%22ird", S("x"), NULL, NULL },
		{ "tag", S("a"), NULL, NULL },
		{ "tag", S("b"), NULL, NULL } } },
	{ "node_fetch", 3,
	    { { "name", S("My Server"), NULL, NULL },
		{ "tool_list_json",
		    S("[{\"name\": \"x\", \"inputSchema\": {}}]"), NULL, NULL },
		{ "file", S("\0\r\n--"), "q%22uote.bin",
		    "application/octet-stream" } } },
};

/*
 * Parses each capture whole, then every proper prefix: a prefix that
 * still holds the closing "--boundary--" parses, any shorter one is
 * ERR_INVAL. Each prefix sits in an exact heap buffer, so a read past the
 * end at any split point shows up under ASan or valgrind.
 */
static void
run_captures(struct arena *a)
{
	const struct capture *c;
	struct form f;
	const char *why;
	char path[256], *ct, *body;
	size_t i, ctlen, len, cut, full, bad;
	enum err e;

	for (i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		c = &captures[i];
		snprintf(path, sizeof(path), DATA "%s.ctype", c->file);
		ct = slurp(a, path, &ctlen);
		snprintf(path, sizeof(path), DATA "%s.body", c->file);
		body = slurp(a, path, &len);
		if (!T_OK(ct != NULL && body != NULL, "%s: data files read",
			c->file))
			continue;
		why = NULL;
		e = parse_exact(a, ct, body, len, NULL, &f, &why);
		T_EQ_INT(e, ERR_OK, "%s: parses", c->file);
		check_fields(c->file, &f, c->f, c->n);
		if (c->n > 0)
			T_OK(form_get(&f, c->f[0].name) == &f.fields[0],
			    "%s: form_get finds the first field", c->file);
		/* Each capture ends "--boundary--\r\n". */
		full = len - 2;
		bad = 0;
		for (cut = 0; cut < len; cut++) {
			why = NULL;
			e = parse_exact(a, ct, body, cut, NULL, &f, &why);
			if (cut >= full
				? e != ERR_OK || f.n != c->n
				: e != ERR_INVAL || f.n != 0 || why == NULL)
				bad++;
		}
		T_EQ_INT(bad, 0, "%s: every truncation handled", c->file);
		arena_reset(a);
	}
}

/*
 * Overwrites each byte of a capture with a few values and parses: the result
 * must be a clean success or a clean error, never a crash or a read
 * outside the buffer.
 */
static void
run_mutations(struct arena *a)
{
	static const unsigned char subst[] = { '\0', '\r', '\n', '-', '"', ';',
		'\\', ' ', 'X', 0xff };
	struct form f;
	const char *why;
	char *ct, *body, *mut;
	size_t ctlen, len, i, j, bad = 0, runs = 0;
	enum err e;

	ct = slurp(a, DATA "curl_files.ctype", &ctlen);
	body = slurp(a, DATA "curl_files.body", &len);
	if (!T_OK(ct != NULL && body != NULL, "mutations: data files read"))
		return;
	mut = malloc(len);
	if (mut == NULL)
		abort();
	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(subst); j++) {
			memcpy(mut, body, len);
			mut[i] = (char)subst[j];
			why = NULL;
			e = parse_exact(a, ct, mut, len, NULL, &f, &why);
			runs++;
			if (e == ERR_OK ? f.n > 6
					: (e != ERR_INVAL && e != ERR_TOOBIG) ||
				    f.n != 0 || why == NULL)
				bad++;
		}
	}
	free(mut);
	T_EQ_INT(bad, 0, "mutations: %zu runs, all clean", runs);
	arena_reset(a);
}

/* Many parts, to exercise the growth of the field array. */
static void
run_many(struct arena *a)
{
	struct form f;
	const char *why = NULL;
	char *body, name[32];
	size_t i, len = 0, cap = 300 * 64, bad = 0;
	enum err e;

	body = arena_alloc(a, cap);
	for (i = 0; i < 300; i++)
		len += (size_t)snprintf(body + len, cap - len,
		    "--XyZ\r\n" CD "name=f%zu\r\n\r\n%zu\r\n", i, i);
	len += (size_t)snprintf(body + len, cap - len, "--XyZ--\r\n");
	e = parse_exact(a, CT, body, len, NULL, &f, &why);
	T_EQ_INT(e, ERR_TOOBIG, "300 parts over the default 256");
	e = parse_exact(a, CT, body, len,
	    &(struct form_limits){ 300, 1024, 1024 }, &f, &why);
	T_EQ_INT(e, ERR_OK, "300 parts under a 300 cap");
	T_EQ_INT(f.n, 300, "300 parts kept");
	for (i = 0; i < f.n; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		if (strcmp(f.fields[i].name, name) != 0 ||
		    (size_t)atoi(f.fields[i].value) != i)
			bad++;
	}
	T_EQ_INT(bad, 0, "300 parts in order");
	T_OK(form_get(&f, "f299") == &f.fields[299], "form_get finds the last");
	T_OK(form_get(&f, "f300") == NULL, "form_get misses an absent name");
	arena_reset(a);
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	run_cases(&a);
	run_captures(&a);
	run_mutations(&a);
	run_many(&a);
	arena_free(&a);
	return t_done();
}
