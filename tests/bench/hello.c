/* Benchmark baseline: a hello-world FastCGI responder linking the same libraries. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <fcgiapp.h>
#include <gcrypt.h>
#include <libpq-fe.h>

static pthread_mutex_t accept_mu = PTHREAD_MUTEX_INITIALIZER;

static void *
worker(void *arg)
{
	static const char body[] = "{\"hello\":\"world\"}";
	FCGX_Request r;
	int rc;

	(void)arg;
	FCGX_InitRequest(&r, 0, 0);
	for (;;) {
		pthread_mutex_lock(&accept_mu);
		rc = FCGX_Accept_r(&r);
		pthread_mutex_unlock(&accept_mu);
		if (rc < 0)
			break;
		FCGX_FPrintF(r.out,
		    "Status: 200 OK\r\nContent-Type: "
		    "application/json\r\nContent-Length: %lu\r\n\r\n",
		    (unsigned long)(sizeof(body) - 1));
		FCGX_PutStr(body, (int)sizeof(body) - 1, r.out);
		FCGX_Finish_r(&r);
	}
	kill(getpid(), SIGTERM);
	return NULL;
}

int
main(void)
{
	pthread_t th[64];
	const char *tv = getenv("MCPGW_THREADS");
	long n = tv ? strtol(tv, NULL, 10) : 1, i;
	sigset_t ss;
	int sig;

	if (n < 1 || n > 64)
		n = 1;
	/* Touch each library so the process maps what mcpgw.fcgi maps. */
	gcry_check_version(NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	cJSON_Delete(cJSON_CreateObject());
	(void)PQlibVersion();
	FCGX_Init();
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	sigwait(&ss, &sig);
	_exit(0);
}
