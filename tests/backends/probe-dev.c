/* Manual driver for src/mcp.c: probes one URL, or N copies concurrently. */
/*
 * Not part of the build. Compile from the project root, e.g.:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -Isrc -Ibuild \
 *     $(pkg-config --cflags libcjson libcurl) tests/backends/probe-dev.c \
 *     src/mcp.c src/sse.c src/ssrf.c src/arena.c src/err.c src/log.c \
 *     -o /tmp/probe-dev $(pkg-config --libs libcjson libcurl)
 * usage: probe-dev [-t timeout_ms] [-c connect_ms] [-H header] [-P path]
 *            [-d] [-n count] [-j concurrency] [-v] URL
 * The header value (e.g. "Bearer xyz") comes from env PROBE_AUTH_VALUE so
 * it stays out of ps. -d sets deny_private. With -n, prints a summary and
 * the wall time instead of one JSON object per probe. -v logs debug lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "mcp.h"

struct tally {
	int n[3];
	int tools_min, tools_max;
	long lat_max, lat_sum;
	int quiet;
};

static void
print_result(const struct mcp_result *r)
{
	cJSON *o, *names, *t;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status",
	    r->status == MCP_HEALTHY           ? "healthy"
		: r->status == MCP_AUTH_FAILED ? "auth_failed"
					       : "unhealthy");
	if (r->detail != NULL)
		cJSON_AddStringToObject(o, "detail", r->detail);
	else
		cJSON_AddNullToObject(o, "detail");
	cJSON_AddNumberToObject(o, "http_status", r->http_status);
	cJSON_AddNumberToObject(o, "latency_ms", r->latency_ms);
	cJSON_AddBoolToObject(o, "legacy", r->legacy);
	cJSON_AddBoolToObject(o, "tools_ok", r->tools_ok);
	if (r->protocol_version != NULL)
		cJSON_AddStringToObject(
		    o, "protocol_version", r->protocol_version);
	if (r->server_info != NULL)
		cJSON_AddItemToObject(
		    o, "server_info", cJSON_Duplicate(r->server_info, 1));
	cJSON_AddNumberToObject(o, "num_tools", cJSON_GetArraySize(r->tools));
	names = cJSON_AddArrayToObject(o, "tool_names");
	cJSON_ArrayForEach(t, r->tools) cJSON_AddItemToArray(names,
	    cJSON_CreateString(
		cJSON_GetStringValue(cJSON_GetObjectItem(t, "name"))));
	{
		char *s = cJSON_PrintUnformatted(o);

		printf("%s\n", s);
		free(s);
	}
	cJSON_Delete(o);
}

static void
on_done(void *user, struct mcp_result *r)
{
	struct tally *t = user;
	int nt = cJSON_GetArraySize(r->tools);

	t->n[r->status]++;
	if (t->tools_min < 0 || nt < t->tools_min)
		t->tools_min = nt;
	if (nt > t->tools_max)
		t->tools_max = nt;
	if (r->latency_ms > t->lat_max)
		t->lat_max = r->latency_ms;
	t->lat_sum += r->latency_ms;
	if (!t->quiet || r->status != MCP_HEALTHY)
		print_result(r);
	mcp_result_free(r);
}

int
main(int argc, char **argv)
{
	struct mcp_target t = { 0 };
	struct tally tally = { { 0 }, -1, 0, 0, 0, 0 };
	struct mcp_multi *m;
	struct timespec a, b;
	int c, n = 1, j = 1, i;
	const char *hdr = NULL;

	t.timeout_ms = 10000;
	t.connect_timeout_ms = 3000;
	while ((c = getopt(argc, argv, "t:c:H:P:dn:j:v")) != -1) {
		switch (c) {
		case 't': t.timeout_ms = atol(optarg); break;
		case 'c': t.connect_timeout_ms = atol(optarg); break;
		case 'H': hdr = optarg; break;
		case 'P': t.path = optarg; break;
		case 'd': t.deny_private = 1; break;
		case 'n': n = atoi(optarg); break;
		case 'j': j = atoi(optarg); break;
		case 'v': log_set_level(LOG_LVL_DEBUG); break;
		default: return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr,
		    "usage: probe-dev [-t ms] [-c ms] [-H header] "
		    "[-P path] [-d] [-n count] [-j conc] [-v] URL\n");
		return 2;
	}
	t.url = argv[optind];
	if (hdr != NULL) {
		t.auth_name = hdr;
		t.auth_value = getenv("PROBE_AUTH_VALUE");
		if (t.auth_value == NULL)
			t.auth_value = "";
	}
	log_set_ident("probe-dev");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	tally.quiet = n > 1;
	if ((m = mcp_multi_new(j)) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (mcp_multi_add(m, &t, on_done, &tally) != ERR_OK)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (mcp_multi_run(m) != ERR_OK)
		fprintf(stderr, "probe-dev: multi run failed\n");
	clock_gettime(CLOCK_MONOTONIC, &b);
	mcp_multi_free(m);
	curl_global_cleanup();
	if (n > 1)
		printf("probes=%d concurrency=%d healthy=%d unhealthy=%d "
		       "auth_failed=%d tools=%d..%d mean_latency_ms=%ld "
		       "max_latency_ms=%ld wall_ms=%ld\n",
		    n, j, tally.n[MCP_HEALTHY], tally.n[MCP_UNHEALTHY],
		    tally.n[MCP_AUTH_FAILED], tally.tools_min, tally.tools_max,
		    tally.lat_sum / n, tally.lat_max,
		    (long)((b.tv_sec - a.tv_sec) * 1000 +
			(b.tv_nsec - a.tv_nsec) / 1000000));
	return 0;
}
