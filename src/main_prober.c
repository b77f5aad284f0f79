/* mcpgw-prober: health checks and tool discovery, one pass per run. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "app.h"
#include "log.h"
#include "probe.h"
#include "valid.h"

#define EX_USAGE 64
#define EX_UNAVAILABLE 69
#define EX_CONFIG 78

static const char usage[] =
    "usage: mcpgw-prober [--server /path] [--json]\n"
    "  One pass: probes every enabled server whose check is due (or just\n"
    "  --server now), prints one JSON line per server with --json.\n"
    "  Exit status is non-zero only for configuration or database "
    "failures.\n";

int
main(int argc, char **argv)
{
	struct probe_opts o;
	struct probe_stats st;
	struct app app;
	struct arena a;
	struct db d;
	char host[128], *canon;
	const char *why;
	int i, rc = 0;
	enum err e;

	log_set_ident("mcpgw-prober");
	memset(&o, 0, sizeof(o));
	arena_init(&a);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o.json_out = stdout;
		else if (strcmp(argv[i], "--server") == 0 && i + 1 < argc) {
			if (valid_path(&a, argv[++i], &canon, &why) != ERR_OK) {
				fprintf(stderr,
				    "mcpgw-prober: bad --server "
				    "path: %s\n",
				    why);
				return EX_USAGE;
			}
			o.only_path = canon;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return EX_USAGE;
		}
	}
	if (app_init(&app) != ERR_OK) {
		app_free(&app);
		return EX_CONFIG;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		app_free(&app);
		return EX_UNAVAILABLE;
	}
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	o.owner = arena_printf(&a, "%s:%ld", host, (long)getpid());
	if (db_open(&d, app.conf.database_url) != ERR_OK) {
		rc = EX_UNAVAILABLE;
		goto out;
	}
	e = probe_pass(&d, &app.conf, app.kr, &o, &st);
	if (e != ERR_OK) {
		log_error("probe pass failed: %s", err_str(e));
		rc = EX_UNAVAILABLE;
	} else if (o.only_path != NULL && st.probed == 0) {
		fprintf(stderr, "mcpgw-prober: no server at %s\n", o.only_path);
		rc = 1;
	} else
		log_info("pass done: %d probed, %d healthy, %d failed",
		    st.probed, st.healthy, st.failed);
out:
	db_close(&d);
	curl_global_cleanup();
	arena_free(&a);
	app_free(&app);
	return rc;
}
