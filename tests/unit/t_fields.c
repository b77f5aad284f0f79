/* Unit tests for the declarative field validation tables. */
#include <cJSON.h>

#include "fields.h"
#include "form.h"
#include "t.h"

static const struct field_rule rules[] = {
	{ "name", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 10, "invalid_name" },
	{ "desc", FT_MULTILINE, 0, 0, 20, "invalid_desc" },
	{ "on", FT_BOOL, 0, 0, 0, "invalid_on" },
	{ "n", FT_INT, 0, 1, 24, "invalid_n" },
	{ "any", FT_ANY, 0, 0, 0, "invalid_any" },
	{ "raw", FT_RAW, 0, 0, 5, "invalid_raw" },
};

static const struct {
	const char *json;
	int form;
	int ok;
	const char *code; /* expected error code */
	const char *field;
} cases[] = {
	{ "{\"name\":\"a\"}", 0, 1, NULL, NULL },
	{ "{}", 0, 0, "missing_field", "name" },
	{ "{\"name\":null}", 0, 0, "missing_field", "name" },
	{ "{\"name\":\"\"}", 0, 0, "missing_field", "name" },
	{ "{\"name\":5}", 0, 0, "invalid_name", "name" },
	{ "{\"name\":\"0123456789a\"}", 0, 0, "invalid_name", "name" },
	{ "{\"name\":\"0123456789\"}", 0, 1, NULL, NULL },
	{ "{\"name\":\"a\\nb\"}", 0, 0, "invalid_name", "name" },
	{ "{\"name\":\"a\",\"desc\":\"x\\ny\\tz\"}", 0, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"desc\":\"x\\u0001\"}", 0, 0, "invalid_desc",
	    "desc" },
	{ "{\"name\":\"a\",\"on\":true}", 0, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"on\":\"false\"}", 1, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"on\":\"false\"}", 0, 0, "invalid_on", "on" },
	{ "{\"name\":\"a\",\"on\":\"maybe\"}", 0, 0, "invalid_on", "on" },
	{ "{\"name\":\"a\",\"on\":1}", 0, 0, "invalid_on", "on" },
	{ "{\"name\":\"a\",\"n\":8}", 0, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"n\":0}", 0, 0, "invalid_n", "n" },
	{ "{\"name\":\"a\",\"n\":25}", 0, 0, "invalid_n", "n" },
	{ "{\"name\":\"a\",\"n\":1.5}", 0, 0, "invalid_n", "n" },
	{ "{\"name\":\"a\",\"n\":\"8\"}", 0, 0, "invalid_n", "n" },
	{ "{\"name\":\"a\",\"n\":\"8\"}", 1, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"n\":\"8x\"}", 1, 0, "invalid_n", "n" },
	{ "{\"name\":\"a\",\"any\":[1,2]}", 0, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"raw\":\"a\\r\\nb\"}", 0, 1, NULL, NULL },
	{ "{\"name\":\"a\",\"raw\":\"abcdef\"}", 0, 0, "invalid_raw", "raw" },
};

int
main(void)
{
	struct field_val v[FIELDS_N(rules)];
	struct api_error ae;
	struct arena a;
	struct form f;
	struct form_field ff[3];
	cJSON *j, *o;
	const char *bad = NULL;
	size_t i;
	enum err e;

	arena_init(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = cJSON_Parse(cases[i].json);
		e = fields_apply(
		    &a, rules, FIELDS_N(rules), j, cases[i].form, 0, v, &ae);
		T_EQ_INT(e == ERR_OK, cases[i].ok, "case %lu %s",
		    (unsigned long)i, cases[i].json);
		if (!cases[i].ok && e != ERR_OK) {
			T_EQ_STR(ae.code, cases[i].code, "case %lu code",
			    (unsigned long)i);
			T_EQ_STR(ae.field, cases[i].field, "case %lu field",
			    (unsigned long)i);
		}
		cJSON_Delete(j);
	}
	j = cJSON_Parse("{\"name\":\"a\",\"n\":3,\"on\":\"yes\"}");
	T_OK(
	    fields_apply(&a, rules, FIELDS_N(rules), j, 1, 0, v, &ae) == ERR_OK,
	    "values parse");
	T_EQ_INT(v[3].i, 3, "integer value");
	T_EQ_INT(v[2].b, 1, "boolean value from text");
	T_OK(!v[1].present, "absent field not present");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"name\":\"a\",\"zzz\":1}");
	T_OK(fields_apply(&a, rules, FIELDS_N(rules), j, 0, 1, v, &ae) ==
		    ERR_INVAL &&
		ae.status == 422,
	    "unknown field refused when asked");
	T_OK(
	    fields_apply(&a, rules, FIELDS_N(rules), j, 0, 0, v, &ae) == ERR_OK,
	    "unknown field ignored otherwise");
	cJSON_Delete(j);

	ff[0] = (struct form_field){ "name", "first", 5, NULL, NULL };
	ff[1] = (struct form_field){ "name", "second", 6, NULL, NULL };
	ff[2] = (struct form_field){ "raw", "a\0b", 3, NULL, NULL };
	f.fields = ff;
	f.n = 2;
	T_OK(fields_from_form(&a, &f, &o, &bad) == ERR_OK, "form converts");
	T_EQ_STR(cJSON_GetObjectItem(o, "name")->valuestring, "first",
	    "the first of repeated form fields wins");
	f.n = 3;
	T_OK(fields_from_form(&a, &f, &o, &bad) == ERR_INVAL, "NUL refused");
	T_EQ_STR(bad, "raw", "NUL names the field");
	arena_free(&a);
	return t_done();
}
