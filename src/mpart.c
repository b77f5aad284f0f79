/* multipart/form-data parser: boundary, delimiters, part headers, values. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem */
#endif
#include <string.h>
#include <strings.h>

#include "mpart.h"

#define MPART_MAX_BOUNDARY 70

/* Line endings of the body, fixed by the first delimiter line. */
enum mpart_eol { MPART_EOL_ANY, MPART_EOL_CRLF, MPART_EOL_LF };

enum mpart_delim { MPART_NOT_DELIM, MPART_DELIM, MPART_CLOSE };

struct mpart {
	struct arena *a;
	const struct form_limits *lim;
	const char *end; /* one past the body */
	char needle[4 + MPART_MAX_BOUNDARY]; /* "\r\n--" boundary */
	size_t nlen; /* bytes used in needle */
	enum mpart_eol eol;
	const char *why; /* static; set with an error */
};

/* One ";name=value" parameter as spans into a header value. */
struct mpart_param {
	const char *name;
	size_t nlen;
	const char *val; /* without the quotes, still escaped */
	size_t vlen;
	int quoted;
};

/* What the headers of one part said; strings are in the arena. */
struct mpart_part {
	int have_cd;
	const char *name;
	const char *filename;
	const char *ctype;
};

static enum err
mpart_fail(struct mpart *m, enum err e, const char *why)
{
	m->why = why;
	return e;
}

static const char *
mpart_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* RFC 9110 token characters. */
static int
mpart_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars, except that the caller checks the last is no space. */
static int
mpart_bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static int
mpart_ieq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

/* The end of a media type or disposition type token at p. */
static const char *
mpart_type_end(const char *p, const char *end)
{
	while (p < end && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/*
 * Reads the next parameter after *pp: OWS, one or more ';' (empty
 * parameters are skipped), name, OWS '=' OWS, a quoted string or a bare
 * value. Returns 1 with *pr filled and *pp advanced, 0 at the end, -1 when
 * malformed. Inside quotes only \" and \\ escape (see mpart.h).
 */
static int
mpart_param(const char **pp, const char *end, struct mpart_param *pr)
{
	const char *p;

	p = mpart_ows(*pp, end);
	if (p == end)
		return 0;
	if (*p != ';')
		return -1;
	while (p < end && *p == ';')
		p = mpart_ows(p + 1, end);
	if (p == end) {
		*pp = p;
		return 0;
	}
	pr->name = p;
	while (p < end && mpart_tchar((unsigned char)*p))
		p++;
	pr->nlen = (size_t)(p - pr->name);
	if (pr->nlen == 0)
		return -1;
	p = mpart_ows(p, end);
	if (p == end || *p != '=')
		return -1;
	p = mpart_ows(p + 1, end);
	if (p < end && *p == '"') {
		pr->quoted = 1;
		pr->val = ++p;
		while (p < end && *p != '"') {
			if (*p == '\\' && end - p > 1 &&
			    (p[1] == '"' || p[1] == '\\'))
				p++;
			p++;
		}
		if (p == end)
			return -1;
		pr->vlen = (size_t)(p - pr->val);
		p++;
	} else {
		pr->quoted = 0;
		pr->val = p;
		while (p < end && *p != ';' && *p != ' ' && *p != '\t' &&
		    *p != '"')
			p++;
		pr->vlen = (size_t)(p - pr->val);
		if (pr->vlen == 0)
			return -1;
	}
	*pp = p;
	return 1;
}

/* Copies a parameter value into the arena, undoing quoted-pair escapes. */
static char *
mpart_unquote(struct arena *a, const struct mpart_param *pr, size_t *outlen)
{
	char *d;
	size_t i, j;

	d = arena_alloc(a, pr->vlen + 1);
	for (i = j = 0; i < pr->vlen; i++) {
		if (pr->quoted && pr->val[i] == '\\' && i + 1 < pr->vlen &&
		    (pr->val[i + 1] == '"' || pr->val[i + 1] == '\\'))
			i++;
		d[j++] = pr->val[i];
	}
	d[j] = '\0';
	*outlen = j;
	return d;
}

/* Checks the media type and builds the delimiter needle from the boundary. */
static enum err
mpart_boundary(struct mpart *m, const char *ct)
{
	struct mpart_param pr;
	const char *p, *end, *t;
	char *b = NULL;
	size_t blen = 0, i;
	int r;

	if (ct == NULL)
		return mpart_fail(
		    m, ERR_INVAL, "The request has no content type.");
	end = ct + strlen(ct);
	t = mpart_ows(ct, end);
	p = mpart_type_end(t, end);
	if (!mpart_ieq(t, (size_t)(p - t), "multipart/form-data"))
		return mpart_fail(m, ERR_INVAL,
		    "The content type is not multipart/form-data.");
	while ((r = mpart_param(&p, end, &pr)) == 1) {
		if (!mpart_ieq(pr.name, pr.nlen, "boundary"))
			continue;
		if (b != NULL)
			return mpart_fail(m, ERR_INVAL,
			    "The multipart boundary is given twice.");
		b = mpart_unquote(m->a, &pr, &blen);
	}
	if (r < 0)
		return mpart_fail(
		    m, ERR_INVAL, "The content type parameters are malformed.");
	if (b == NULL)
		return mpart_fail(
		    m, ERR_INVAL, "The multipart boundary is missing.");
	if (blen < 1 || blen > MPART_MAX_BOUNDARY || b[blen - 1] == ' ')
		return mpart_fail(
		    m, ERR_INVAL, "The multipart boundary is invalid.");
	for (i = 0; i < blen; i++)
		if (!mpart_bchar((unsigned char)b[i]))
			return mpart_fail(
			    m, ERR_INVAL, "The multipart boundary is invalid.");
	memcpy(m->needle, "\r\n--", 4);
	memcpy(m->needle + 4, b, blen);
	m->nlen = 4 + blen;
	return ERR_OK;
}

/*
 * Classifies the bytes at p, just after "--boundary": "--" closes; spaces or
 * tabs and a line break (of the body's kind) open a part at *next; anything
 * else means the match was part of a value. The first delimiter line fixes
 * the body's line endings.
 */
static enum mpart_delim
mpart_tail(struct mpart *m, const char *p, const char **next)
{
	int crlf, lf;

	if (m->end - p >= 2 && p[0] == '-' && p[1] == '-') {
		*next = m->end;
		return MPART_CLOSE;
	}
	p = mpart_ows(p, m->end);
	crlf = m->end - p >= 2 && p[0] == '\r' && p[1] == '\n';
	lf = p < m->end && p[0] == '\n';
	switch (m->eol) {
	case MPART_EOL_ANY:
		if (crlf)
			m->eol = MPART_EOL_CRLF;
		else if (lf)
			m->eol = MPART_EOL_LF;
		else
			return MPART_NOT_DELIM;
		break;
	case MPART_EOL_CRLF:
		if (!crlf)
			return MPART_NOT_DELIM;
		break;
	case MPART_EOL_LF:
		if (!crlf && !lf)
			return MPART_NOT_DELIM;
		break;
	}
	*next = p + (crlf ? 2 : 1);
	return MPART_DELIM;
}

/*
 * Finds the first real delimiter at or after from: line break, "--",
 * boundary, valid tail. *at gets the line break, where a value ends.
 */
static enum mpart_delim
mpart_find(
    struct mpart *m, const char *from, const char **at, const char **next)
{
	const char *nd, *hit;
	size_t nl;
	enum mpart_delim d;

	nd = m->needle;
	nl = m->nlen;
	if (m->eol != MPART_EOL_CRLF) {
		nd++;
		nl--;
	}
	while (from < m->end &&
	    (hit = memmem(from, (size_t)(m->end - from), nd, nl)) != NULL) {
		d = mpart_tail(m, hit + nl, next);
		if (d != MPART_NOT_DELIM) {
			*at = hit;
			return d;
		}
		from = hit + 1;
	}
	return MPART_NOT_DELIM;
}

/* Parses a Content-Disposition value v..ve into pt. */
static enum err
mpart_disposition(
    struct mpart *m, const char *v, const char *ve, struct mpart_part *pt)
{
	struct mpart_param pr;
	const char *p;
	size_t n;
	int r;

	p = mpart_type_end(v, ve);
	if (!mpart_ieq(v, (size_t)(p - v), "form-data"))
		return mpart_fail(m, ERR_INVAL, "A part is not form-data.");
	while ((r = mpart_param(&p, ve, &pr)) == 1) {
		if (mpart_ieq(pr.name, pr.nlen, "name")) {
			if (pt->name != NULL)
				return mpart_fail(m, ERR_INVAL,
				    "A part names its field twice.");
			pt->name = mpart_unquote(m->a, &pr, &n);
		} else if (mpart_ieq(pr.name, pr.nlen, "filename")) {
			if (pt->filename != NULL)
				return mpart_fail(m, ERR_INVAL,
				    "A part gives its file name twice.");
			pt->filename = mpart_unquote(m->a, &pr, &n);
		}
	}
	if (r < 0)
		return mpart_fail(
		    m, ERR_INVAL, "A part's Content-Disposition is malformed.");
	return ERR_OK;
}

/* Parses one header line p..le (line break excluded) into pt. */
static enum err
mpart_header_line(
    struct mpart *m, const char *p, const char *le, struct mpart_part *pt)
{
	const char *q, *colon, *v, *ve;
	unsigned char c;

	for (q = p; q < le; q++) {
		c = (unsigned char)*q;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return mpart_fail(m, ERR_INVAL,
			    "A part header contains a control character.");
	}
	if (*p == ' ' || *p == '\t')
		return mpart_fail(m, ERR_INVAL,
		    "Folded part header lines are not supported.");
	colon = memchr(p, ':', (size_t)(le - p));
	if (colon == NULL || colon == p)
		return mpart_fail(m, ERR_INVAL, "A part header is malformed.");
	for (q = p; q < colon; q++)
		if (!mpart_tchar((unsigned char)*q))
			return mpart_fail(
			    m, ERR_INVAL, "A part header is malformed.");
	v = mpart_ows(colon + 1, le);
	ve = le;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	if (mpart_ieq(p, (size_t)(colon - p), "Content-Disposition")) {
		if (pt->have_cd)
			return mpart_fail(m, ERR_INVAL,
			    "A part has two Content-Disposition headers.");
		pt->have_cd = 1;
		return mpart_disposition(m, v, ve, pt);
	}
	if (mpart_ieq(p, (size_t)(colon - p), "Content-Type")) {
		if (pt->ctype != NULL)
			return mpart_fail(m, ERR_INVAL,
			    "A part has two Content-Type headers.");
		pt->ctype = arena_strndup(m->a, v, (size_t)(ve - v));
	}
	return ERR_OK;
}

/*
 * Parses the header block starting at p up to and including its empty
 * line; *body gets the first byte of the value. Only the window the
 * header cap allows is searched, so a huge value is not rescanned.
 */
static enum err
mpart_headers(
    struct mpart *m, const char *p, struct mpart_part *pt, const char **body)
{
	const char *hstart = p, *nl, *le;
	size_t max = m->lim->max_header_bytes, room, win;
	enum err e;

	for (;;) {
		room = max - (size_t)(p - hstart);
		win = (size_t)(m->end - p);
		if (win > 2 && win - 2 > room)
			win = room + 2;
		nl = memchr(p, '\n', win);
		if (nl == NULL) {
			if (win == (size_t)(m->end - p))
				return mpart_fail(m, ERR_INVAL,
				    "A part's headers are not terminated.");
			return mpart_fail(
			    m, ERR_TOOBIG, "A part's headers are too large.");
		}
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		else if (m->eol == MPART_EOL_CRLF)
			return mpart_fail(m, ERR_INVAL,
			    "A part header line does not end in CRLF.");
		if (le == p) {
			*body = nl + 1;
			return ERR_OK;
		}
		if ((size_t)(nl + 1 - hstart) > max)
			return mpart_fail(
			    m, ERR_TOOBIG, "A part's headers are too large.");
		if ((e = mpart_header_line(m, p, le, pt)) != ERR_OK)
			return e;
		p = nl + 1;
	}
}

enum err
mpart_parse(struct arena *a, const char *content_type, const char *body,
    size_t len, const struct form_limits *lim, struct form *out,
    const char **why)
{
	struct mpart m;
	struct mpart_part pt;
	struct form_field *ff;
	const char *next = NULL, *vstart = NULL, *vend = NULL;
	enum mpart_delim d = MPART_NOT_DELIM;
	enum err e;

	memset(&m, 0, sizeof(m));
	m.a = a;
	m.lim = lim != NULL ? lim : &form_limits_default;
	m.eol = MPART_EOL_ANY;
	out->fields = NULL;
	out->n = 0;
	if ((e = mpart_boundary(&m, content_type)) != ERR_OK)
		goto fail;
	if (body == NULL || len == 0) {
		e = mpart_fail(&m, ERR_INVAL, "The multipart body is empty.");
		goto fail;
	}
	m.end = body + len;

	/* The first delimiter may open the body, without a line break. */
	if (len >= m.nlen - 2 && memcmp(body, m.needle + 2, m.nlen - 2) == 0)
		d = mpart_tail(&m, body + m.nlen - 2, &next);
	if (d == MPART_NOT_DELIM)
		d = mpart_find(&m, body, &vend, &next);
	if (d == MPART_NOT_DELIM) {
		e = mpart_fail(&m, ERR_INVAL,
		    "The multipart body has no boundary delimiter.");
		goto fail;
	}

	while (d == MPART_DELIM) {
		if (out->n >= m.lim->max_fields) {
			e = mpart_fail(
			    &m, ERR_TOOBIG, "The form has too many parts.");
			goto fail;
		}
		memset(&pt, 0, sizeof(pt));
		if ((e = mpart_headers(&m, next, &pt, &vstart)) != ERR_OK)
			goto fail;
		if (pt.name == NULL) {
			e = mpart_fail(&m, ERR_INVAL,
			    "A part has no form-data field name.");
			goto fail;
		}
		d = mpart_find(&m, vstart, &vend, &next);
		if (d == MPART_NOT_DELIM) {
			e = mpart_fail(&m, ERR_INVAL,
			    "The multipart body has no closing delimiter.");
			goto fail;
		}
		if ((size_t)(vend - vstart) > m.lim->max_value_bytes) {
			e = mpart_fail(
			    &m, ERR_TOOBIG, "A form field value is too large.");
			goto fail;
		}
		ff = form_add(a, out);
		ff->name = pt.name;
		ff->value = arena_memdup(a, vstart, (size_t)(vend - vstart));
		ff->len = (size_t)(vend - vstart);
		ff->filename = pt.filename;
		ff->ctype = pt.ctype;
	}
	return ERR_OK;

fail:
	out->fields = NULL;
	out->n = 0;
	if (why != NULL)
		*why = m.why;
	return e;
}
