/* mcpgw.fcgi: the FastCGI responder (accept loop and signals only). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "app.h"
#include "log.h"
#include "proxy.h"

#define MAX_THREADS 256

static struct app the_app;
static pthread_mutex_t accept_mu = PTHREAD_MUTEX_INITIALIZER;

static void *
worker_main(void *arg)
{
	struct worker w;
	FCGX_Request fr;
	struct req r;
	int rc;

	(void)arg;
	worker_init(&w, &the_app);
	if (FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		kill(getpid(), SIGTERM);
		return NULL;
	}
	if (proxy_worker_init(&w, &fr) != ERR_OK) {
		log_error("out of memory starting a worker");
		kill(getpid(), SIGTERM);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&accept_mu);
		rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&accept_mu);
		if (rc < 0) {
			/* fd 0 is not a FastCGI socket, or shutdown. */
			kill(getpid(), SIGTERM);
			break;
		}
		if (req_init(&r, &w.arena, fr.envp) != ERR_OK) {
			FCGX_FPrintF(fr.out,
			    "Status: 400 Bad Request\r\n"
			    "Content-Type: application/json\r\n\r\n"
			    "{\"error\":\"bad_request\",\"reason\":\"The "
			    "request is malformed.\"}");
		} else {
			r.in = fr.in;
			r.out = fr.out;
			app_handle(&w, &r);
		}
		FCGX_Finish_r(&fr);
		arena_reset(&w.arena);
		app_after(&w);
	}
	worker_free(&w);
	return NULL;
}

int
main(void)
{
	pthread_t th[MAX_THREADS];
	const char *tv;
	sigset_t ss;
	long n = 1, i;
	int sig;

	log_set_ident("mcpgw.fcgi");
	if (app_init(&the_app) != ERR_OK) {
		log_error("startup failed; see the messages above");
		app_free(&the_app);
		return 1;
	}
	if ((tv = getenv("MCPGW_THREADS")) != NULL) {
		n = strtol(tv, NULL, 10);
		if (n < 1 || n > MAX_THREADS) {
			log_error("MCPGW_THREADS must be 1..%d", MAX_THREADS);
			return 1;
		}
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    FCGX_Init() != 0) {
		log_error("library initialisation failed");
		return 1;
	}
	/* libfcgi swallows SIGTERM in accept(): wait for it here instead. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, worker_main, NULL) != 0) {
			log_error("cannot start worker thread");
			return 1;
		}
	log_info("started with %ld worker thread(s)", n);
	sigwait(&ss, &sig);
	FCGX_ShutdownPending();
	/* Workers may be blocked in accept(); the process just ends. */
	_exit(0);
}
