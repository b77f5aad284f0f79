/* Fuzz target: JSON request bodies through the register/PATCH validation. */
#include <string.h>

#include "fields.h"
#include "fuzz.h"
#include "json.h"
#include "ssrf.h"
#include "valid.h"

/* The register table's shape (h_servers.c keeps the real one static). */
static const struct field_rule rules[] = {
	{ "name", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 200, "invalid_name" },
	{ "description", FT_MULTILINE, 0, 0, 4000, "invalid_description" },
	{ "path", FT_TEXT, FR_REQUIRED | FR_NONEMPTY, 0, 256, "invalid_path" },
	{ "proxy_pass_url", FT_TEXT, FR_REQUIRED, 0, 2048, "invalid_url" },
	{ "tags", FT_ANY, 0, 0, 0, "invalid_tags" },
	{ "auth_credential", FT_RAW, 0, 0, 8192, "invalid_credential" },
	{ "auth_header_name", FT_TEXT, 0, 0, 256, "invalid_header" },
	{ "tool_list_json", FT_ANY, 0, 0, 0, "invalid_tool_list_json" },
	{ "is_enabled", FT_BOOL, 0, 0, 0, "invalid_field" },
	{ "expires_in_hours", FT_INT, 0, 1, 8760, "invalid_hours" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct field_val v[FIELDS_N(rules)];
	struct api_error ae;
	struct arena a;
	struct url u;
	cJSON *j, *out;
	const char *why;
	char *path;
	int form;

	log_set_level(LOG_LVL_ERROR);
	if (size == 0)
		return 0;
	arena_init(&a);
	/* The first byte picks JSON or form typing, and unknown-field mode. */
	form = data[0] & 1;
	if (json_parse(&a, (const char *)data + 1, size - 1, &j, &why) !=
		ERR_OK ||
	    !cJSON_IsObject(j))
		goto out;
	if (fields_apply(&a, rules, FIELDS_N(rules), j, form, data[0] & 2, v,
		&ae) != ERR_OK)
		goto out;
	if (valid_path(&a, v[2].s, &path, &why) == ERR_OK)
		(void)valid_path_key(&a, path);
	if (v[3].s != NULL)
		(void)ssrf_parse_url(&a, v[3].s, &u, &why);
	if (v[4].s != NULL &&
	    valid_tags(&a, v[4].s, v[4].len, &out, &why) == ERR_OK)
		cJSON_Delete(out);
	if (v[4].j != NULL && valid_tags_json(&a, v[4].j, &out, &why) == ERR_OK)
		cJSON_Delete(out);
	if (v[5].s != NULL)
		(void)valid_credential(v[5].s, v[5].len, &why);
	if (v[6].s != NULL)
		(void)valid_header_name(v[6].s, &why);
	if (v[7].s != NULL &&
	    valid_tool_list(&a, v[7].s, v[7].len, &out, &why) == ERR_OK)
		cJSON_Delete(out);
	if (v[7].j != NULL &&
	    valid_tool_list_json(&a, v[7].j, &out, &why) == ERR_OK)
		cJSON_Delete(out);
out:
	arena_free(&a);
	return 0;
}
