/* Declarative validation tables for request fields (JSON or form bodies). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "json.h"
#include "form.h"

static void
fields_cjson_delete(void *p)
{
	cJSON_Delete(p);
}

enum err
fields_from_form(
    struct arena *a, const struct form *f, cJSON **out, const char **bad)
{
	cJSON *o;
	size_t i;

	if ((o = cJSON_CreateObject()) == NULL)
		return ERR_NOMEM;
	arena_defer(a, fields_cjson_delete, o);
	*out = o;
	for (i = 0; i < f->n; i++) {
		const struct form_field *ff = &f->fields[i];

		if (cJSON_GetObjectItemCaseSensitive(o, ff->name) != NULL)
			continue;
		if (memchr(ff->value, '\0', ff->len) != NULL ||
		    !json_utf8_ok(ff->value, ff->len) ||
		    !json_utf8_ok(ff->name, strlen(ff->name))) {
			*bad = ff->name;
			return ERR_INVAL;
		}
		if (cJSON_AddStringToObject(o, ff->name, ff->value) == NULL)
			return ERR_NOMEM;
	}
	return ERR_OK;
}

static int
fields_text_ok(const char *s, int multiline)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == 0x7f)
			return 0;
		if (*p < 0x20 &&
		    !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return 0;
	}
	return 1;
}

static int
fields_bool_text(const char *s, int *b)
{
	static const char *const yes[] = { "true", "1", "on", "yes" };
	static const char *const no[] = { "false", "0", "off", "no" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*b = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*b = 0;
			return 0;
		}
	}
	return -1;
}

static enum err
fields_fail(struct api_error *err, int status, const char *code,
    const char *reason, const char *field)
{
	err->status = status;
	err->code = code;
	err->reason = reason;
	err->field = field;
	return ERR_INVAL;
}

enum err
fields_apply(struct arena *a, const struct field_rule *rules, size_t n,
    const cJSON *in, int from_form, int reject_unknown, struct field_val *out,
    struct api_error *err)
{
	const cJSON *it;
	const struct field_rule *r;
	struct field_val *v;
	const char *code;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (reject_unknown) {
		cJSON_ArrayForEach(it, in)
		{
			for (i = 0; i < n; i++)
				if (strcmp(rules[i].name, it->string) == 0)
					break;
			if (i == n)
				return fields_fail(err, 422, "unknown_field",
				    arena_printf(a,
					"Field '%.64s' is not "
					"accepted here.",
					it->string),
				    arena_strndup(a, it->string, 64));
		}
	}
	for (i = 0; i < n; i++) {
		r = &rules[i];
		v = &out[i];
		code = r->code != NULL ? r->code : "invalid_field";
		it = cJSON_GetObjectItemCaseSensitive(in, r->name);
		if (it == NULL) {
			if (r->flags & FR_REQUIRED)
				return fields_fail(err, 400, "missing_field",
				    arena_printf(
					a, "Field '%s' is required.", r->name),
				    r->name);
			continue;
		}
		v->present = 1;
		if (cJSON_IsNull(it)) {
			v->is_null = 1;
			if (r->flags & FR_REQUIRED)
				return fields_fail(err, 400, "missing_field",
				    arena_printf(
					a, "Field '%s' is required.", r->name),
				    r->name);
			continue;
		}
		switch (r->type) {
		case FT_TEXT:
		case FT_MULTILINE:
		case FT_RAW:
			if (!cJSON_IsString(it))
				return fields_fail(err, 400, code,
				    arena_printf(a,
					"Field '%s' must be a "
					"string.",
					r->name),
				    r->name);
			v->s = it->valuestring;
			v->len = strlen(v->s);
			if ((r->flags & FR_NONEMPTY) && v->len == 0)
				return fields_fail(err, 400,
				    (r->flags & FR_REQUIRED) ? "missing_field"
							     : code,
				    arena_printf(a,
					"Field '%s' must not "
					"be empty.",
					r->name),
				    r->name);
			if (r->max > 0 && v->len > (size_t)r->max)
				return fields_fail(err, 400, code,
				    arena_printf(a,
					"Field '%s' is longer than "
					"%lld bytes.",
					r->name, r->max),
				    r->name);
			if (r->type != FT_RAW &&
			    !fields_text_ok(v->s, r->type == FT_MULTILINE))
				return fields_fail(err, 400, code,
				    arena_printf(a,
					"Field '%s' contains "
					"control characters.",
					r->name),
				    r->name);
			break;
		case FT_BOOL:
			/* Only forms spell booleans as text. */
			if (cJSON_IsBool(it))
				v->b = cJSON_IsTrue(it);
			else if (!from_form || !cJSON_IsString(it) ||
			    fields_bool_text(it->valuestring, &v->b) != 0)
				return fields_fail(err, 400, code,
				    arena_printf(a,
					"Field '%s' must be true "
					"or false.",
					r->name),
				    r->name);
			break;
		case FT_INT: {
			double d;
			char *end;

			if (cJSON_IsNumber(it))
				d = it->valuedouble;
			else if (from_form && cJSON_IsString(it) &&
			    *it->valuestring != '\0') {
				errno = 0;
				d = (double)strtoll(it->valuestring, &end, 10);
				if (errno != 0 || *end != '\0')
					d = NAN;
			} else
				d = NAN;
			if (isnan(d) || d != floor(d) || d < (double)r->min ||
			    d > (double)r->max)
				return fields_fail(err, 400, code,
				    arena_printf(a,
					"Field '%s' must be an "
					"integer from %lld to %lld.",
					r->name, r->min, r->max),
				    r->name);
			v->i = (long long)d;
			break;
		}
		case FT_ANY:
			if (cJSON_IsString(it)) {
				v->s = it->valuestring;
				v->len = strlen(v->s);
			} else
				v->j = it;
			break;
		}
	}
	return ERR_OK;
}
