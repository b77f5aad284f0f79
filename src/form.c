/* Form field lookup, arena-backed field arrays and the urlencoded parser. */
#include <string.h>

#include "form.h"

#define FORM_FIRST_CAP 8

const struct form_limits form_limits_default = FORM_LIMITS_DEFAULT;

const struct form_field *
form_get(const struct form *f, const char *name)
{
	size_t i;

	if (f == NULL || name == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

struct form_field *
form_add(struct arena *a, struct form *f)
{
	struct form_field *nf;
	size_t cap;

	/*
	 * The capacity is implicit: FORM_FIRST_CAP, doubled each time n
	 * reaches it, so it is full exactly when n is 0 or a power of two
	 * of at least FORM_FIRST_CAP. The old array stays in the arena.
	 */
	if (f->n == 0 || (f->n >= FORM_FIRST_CAP && (f->n & (f->n - 1)) == 0)) {
		cap = f->n == 0 ? FORM_FIRST_CAP : f->n * 2;
		nf = arena_alloc(a, cap * sizeof(*nf));
		if (f->n > 0)
			memcpy(nf, f->fields, f->n * sizeof(*nf));
		f->fields = nf;
	}
	return &f->fields[f->n++];
}

static int
form_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes s[0..n) into a new arena string. The decoded form is never longer
 * than the encoded one, so n + 1 bytes suffice; *outlen gets its length.
 */
static enum err
form_decode(
    struct arena *a, const char *s, size_t n, char **out, size_t *outlen)
{
	char *d;
	size_t i, j;
	int hi, lo;

	d = arena_alloc(a, n + 1);
	for (i = j = 0; i < n; i++) {
		if (s[i] == '+')
			d[j++] = ' ';
		else if (s[i] == '%') {
			if (n - i < 3)
				return ERR_INVAL;
			hi = form_hexval((unsigned char)s[i + 1]);
			lo = form_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return ERR_INVAL;
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			d[j++] = s[i];
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return ERR_OK;
}

enum err
form_parse_urlencoded(struct arena *a, const char *body, size_t len,
    const struct form_limits *lim, struct form *out, const char **why)
{
	struct form_field *ff;
	const char *p, *end, *amp, *eq;
	char *name, *value;
	size_t nlen, vlen;
	const char *reason = NULL;
	enum err e = ERR_OK;

	if (lim == NULL)
		lim = &form_limits_default;
	out->fields = NULL;
	out->n = 0;
	if (len == 0)
		return ERR_OK;
	if (body == NULL) {
		e = ERR_INVAL;
		reason = "The request body is missing.";
		goto fail;
	}
	p = body;
	end = body + len;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (out->n >= lim->max_fields) {
			e = ERR_TOOBIG;
			reason = "The form has too many fields.";
			goto fail;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if (form_decode(a, p, (size_t)(eq - p), &name, &nlen) !=
			ERR_OK ||
		    (eq < amp &&
			form_decode(a, eq + 1, (size_t)(amp - eq - 1), &value,
			    &vlen) != ERR_OK)) {
			e = ERR_INVAL;
			reason = "The form contains an invalid percent-escape.";
			goto fail;
		}
		if (eq == amp) {
			value = arena_alloc(a, 1);
			vlen = 0;
		}
		if (memchr(name, '\0', nlen) != NULL) {
			e = ERR_INVAL;
			reason = "A form field name contains a NUL byte.";
			goto fail;
		}
		if (nlen > lim->max_header_bytes) {
			e = ERR_TOOBIG;
			reason = "A form field name is too long.";
			goto fail;
		}
		if (vlen > lim->max_value_bytes) {
			e = ERR_TOOBIG;
			reason = "A form field value is too large.";
			goto fail;
		}
		ff = form_add(a, out);
		ff->name = name;
		ff->value = value;
		ff->len = vlen;
		p = amp < end ? amp + 1 : end;
	}
	return ERR_OK;

fail:
	out->fields = NULL;
	out->n = 0;
	if (why != NULL)
		*why = reason;
	return e;
}
