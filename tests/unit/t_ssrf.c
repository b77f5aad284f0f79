/* Unit tests for URL parsing and the SSRF address policy (ssrf.c). */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssrf.h"
#include "t.h"
#include "tdata.h"

#define DATA "tests/data/ssrf/"

static enum err
err_from_name(const char *s)
{
	if (strcmp(s, "OK") == 0)
		return ERR_OK;
	if (strcmp(s, "TOOBIG") == 0)
		return ERR_TOOBIG;
	if (strcmp(s, "INVAL") == 0)
		return ERR_INVAL;
	if (strcmp(s, "NET") == 0)
		return ERR_NET;
	return ERR__COUNT;
}

static void
test_urls(struct arena *a)
{
	struct row *rows;
	struct url u;
	const char *why;
	enum err e;
	int i, n;

	n = read_rows(a, DATA "urls.tsv", &rows);
	T_OK(n > 90, "urls.tsv has cases (%d)", n);
	for (i = 0; i < n; i++) {
		why = NULL;
		e = ssrf_parse_url(a, rows[i].f[0], &u, &why);
		T_EQ_INT(e, err_from_name(rows[i].f[1]), "urls.tsv:%d err%s%s",
		    rows[i].line, why ? ": " : "", why ? why : "");
		if (e != ERR_OK) {
			T_OK(why != NULL && u.host == NULL && u.scheme == NULL,
			    "urls.tsv:%d why set, url zeroed", rows[i].line);
			continue;
		}
		T_EQ_STR(
		    u.scheme, rows[i].f[2], "urls.tsv:%d scheme", rows[i].line);
		T_EQ_STR(
		    u.host, rows[i].f[3], "urls.tsv:%d host", rows[i].line);
		T_EQ_INT(u.port, atoi(rows[i].f[4]), "urls.tsv:%d port",
		    rows[i].line);
		T_EQ_STR(
		    u.path, rows[i].f[5], "urls.tsv:%d path", rows[i].line);
		T_EQ_INT(u.host_is_ip, atoi(rows[i].f[6]),
		    "urls.tsv:%d host_is_ip", rows[i].line);
	}
	free(rows);
	T_EQ_INT(ssrf_parse_url(a, NULL, &u, &why), ERR_INVAL, "NULL URL");
}

static void
test_url_lengths(struct arena *a)
{
	const char *why;
	struct url u;
	char *s;

	/* Exactly 2048 bytes passes, 2049 is too big, a huge one too. */
	s = arena_alloc(a, 5000);
	strcpy(s, "https://h/");
	memset(s + 10, 'p', SSRF_URL_MAX - 10);
	T_EQ_INT(ssrf_parse_url(a, s, &u, &why), ERR_OK, "URL of 2048 bytes");
	T_EQ_INT(strlen(u.path), SSRF_URL_MAX - 9, "long path kept whole");
	s[SSRF_URL_MAX] = 'p';
	T_EQ_INT(
	    ssrf_parse_url(a, s, &u, &why), ERR_TOOBIG, "URL of 2049 bytes");
	memset(s + 10, 'p', 4980);
	T_EQ_INT(
	    ssrf_parse_url(a, s, &u, &why), ERR_TOOBIG, "URL of 4990 bytes");
}

static int
to_sockaddr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static void
test_addrs(struct arena *a)
{
	struct sockaddr_storage ss;
	struct row *rows;
	const char *why;
	int i, n, got;

	n = read_rows(a, DATA "addrs.tsv", &rows);
	T_OK(n > 100, "addrs.tsv has cases (%d)", n);
	for (i = 0; i < n; i++) {
		if (!T_OK(to_sockaddr(rows[i].f[0], &ss) == 0,
			"addrs.tsv:%d parses", rows[i].line))
			continue;
		why = NULL;
		got = ssrf_addr_allowed((struct sockaddr *)&ss, 0, &why);
		T_EQ_INT(got, atoi(rows[i].f[1]), "addrs.tsv:%d %s default",
		    rows[i].line, rows[i].f[0]);
		if (!got)
			T_OK(why != NULL, "addrs.tsv:%d why", rows[i].line);
		why = NULL;
		got = ssrf_addr_allowed((struct sockaddr *)&ss, 1, &why);
		T_EQ_INT(got, atoi(rows[i].f[2]),
		    "addrs.tsv:%d %s deny_private", rows[i].line, rows[i].f[0]);
		if (!got)
			T_OK(why != NULL, "addrs.tsv:%d why", rows[i].line);
	}
	free(rows);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	T_EQ_INT(ssrf_addr_allowed((struct sockaddr *)&ss, 0, &why), 0,
	    "AF_UNIX refused");
	T_EQ_INT(ssrf_addr_allowed(NULL, 0, &why), 0, "NULL refused");
}

/* 1 when every address pinned in entry is loopback. */
static int
entry_all_loopback(const char *entry, const char *prefix)
{
	const char *p = entry + strlen(prefix);
	char buf[64];
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n >= sizeof(buf))
			return 0;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (strncmp(buf, "127.", 4) != 0 && strcmp(buf, "[::1]") != 0)
			return 0;
		p += n;
		if (*p == ',')
			p++;
	}
	return 1;
}

static void
test_check(struct arena *a)
{
	static const struct {
		const char *url;
		int deny;
		int must;
		enum err want;
		const char *entry; /* expected prefix, NULL: no entry */
	} cases[] = {
		{ "http://localhost:8000/mcp", 0, 0, ERR_OK,
		    "localhost:8000:" },
		{ "http://localhost:8000/mcp", 0, 1, ERR_OK,
		    "localhost:8000:" },
		{ "http://LOCALHOST/", 0, 1, ERR_OK, "localhost:80:" },
		{ "https://localhost/", 0, 1, ERR_OK, "localhost:443:" },
		{ "http://localhost:8000/mcp", 1, 0, ERR_INVAL, NULL },
		{ "http://localhost:8000/mcp", 1, 1, ERR_INVAL, NULL },
		{ "http://app.localhost/", 1, 0, ERR_INVAL, NULL },
		{ "http://169.254.169.254/latest/meta-data/", 0, 0, ERR_INVAL,
		    NULL },
		{ "http://169.254.169.254/", 0, 1, ERR_INVAL, NULL },
		{ "http://169.254.169.254/", 1, 1, ERR_INVAL, NULL },
		{ "http://[::ffff:169.254.169.254]/", 0, 0, ERR_INVAL, NULL },
		{ "http://[::ffff:a9fe:a9fe]/", 0, 0, ERR_INVAL, NULL },
		{ "http://[fd00:ec2::254]/", 0, 0, ERR_INVAL, NULL },
		{ "http://[fe80::1]:8080/", 0, 0, ERR_INVAL, NULL },
		{ "http://0.0.0.0:8000/", 0, 0, ERR_INVAL, NULL },
		{ "http://[::]:8000/", 0, 0, ERR_INVAL, NULL },
		{ "http://224.0.0.1/", 0, 0, ERR_INVAL, NULL },
		{ "http://255.255.255.255/", 0, 0, ERR_INVAL, NULL },
		{ "http://metadata.google.internal/computeMetadata/v1/", 0, 0,
		    ERR_INVAL, NULL },
		{ "http://METADATA.Google.Internal/", 0, 1, ERR_INVAL, NULL },
		{ "http://metadata/", 0, 0, ERR_INVAL, NULL },
		{ "http://metadata.goog/", 0, 0, ERR_INVAL, NULL },
		{ "http://instance-data/", 0, 0, ERR_INVAL, NULL },
		{ "http://127.0.0.1:8000/", 0, 1, ERR_OK, NULL },
		{ "http://127.0.0.1:8000/", 1, 1, ERR_INVAL, NULL },
		{ "http://10.0.0.5/", 0, 1, ERR_OK, NULL },
		{ "http://10.0.0.5/", 1, 0, ERR_INVAL, NULL },
		{ "http://[::1]:8000/", 0, 1, ERR_OK, NULL },
		{ "http://[::1]:8000/", 1, 1, ERR_INVAL, NULL },
		{ "http://[fd12::1]/", 1, 1, ERR_INVAL, NULL },
		{ "http://8.8.8.8/", 1, 1, ERR_OK, NULL },
		{ "http://[2001:4860:4860::8888]/", 1, 1, ERR_OK, NULL },
		{ "http://no-such-host.invalid:8000/", 0, 0, ERR_OK, NULL },
		{ "http://no-such-host.invalid:8000/", 1, 0, ERR_OK, NULL },
		{ "http://no-such-host.invalid:8000/", 0, 1, ERR_NET, NULL },
		{ "http://no-such-host.invalid:8000/", 1, 1, ERR_NET, NULL },
		/* The seed's registration URL: a name this host cannot see. */
		{ "http://my-server:8000", 0, 0, ERR_OK, NULL },
	};
	struct url u;
	const char *why;
	char *entry;
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		if (!T_OK(ssrf_parse_url(a, cases[i].url, &u, &why) == ERR_OK,
			"check %zu: %s parses", i, cases[i].url))
			continue;
		why = NULL;
		entry = (char *)1;
		e = ssrf_check_url(
		    a, &u, cases[i].deny, cases[i].must, &entry, &why);
		T_EQ_INT(e, cases[i].want, "check %s deny=%d must=%d%s%s",
		    cases[i].url, cases[i].deny, cases[i].must, why ? ": " : "",
		    why ? why : "");
		if (e != ERR_OK) {
			T_OK(why != NULL && entry == NULL,
			    "check %zu: why set, no entry", i);
			continue;
		}
		if (cases[i].entry == NULL) {
			T_OK(entry == NULL, "check %zu: no entry", i);
			continue;
		}
		T_OK(entry != NULL &&
			strncmp(entry, cases[i].entry,
			    strlen(cases[i].entry)) == 0 &&
			strlen(entry) > strlen(cases[i].entry),
		    "check %zu: entry \"%s\"", i, entry ? entry : "(null)");
		T_OK(entry != NULL && strstr(entry, "127.0.0.1") != NULL &&
			entry_all_loopback(entry, cases[i].entry),
		    "check %zu: localhost pins loopback only", i);
	}
}

/* A struct url built by hand, as a caller might, bypassing the parser. */
static void
test_check_handmade(struct arena *a)
{
	struct url u;
	const char *why;
	char *entry;

	memset(&u, 0, sizeof(u));
	u.scheme = "http";
	u.port = 80;
	u.path = "/";
	u.host = "Metadata.Google.Internal.";
	T_EQ_INT(ssrf_check_url(a, &u, 0, 0, &entry, &why), ERR_INVAL,
	    "metadata name with trailing dot and mixed case");
	u.host = "metadata.";
	T_EQ_INT(ssrf_check_url(a, &u, 0, 0, &entry, &why), ERR_INVAL,
	    "short metadata name with trailing dot");
	u.host = "localhost.";
	T_EQ_INT(ssrf_check_url(a, &u, 1, 0, &entry, &why), ERR_INVAL,
	    "localhost. refused by name with deny_private");
	u.host = "x.LOCALHOST";
	T_EQ_INT(ssrf_check_url(a, &u, 1, 0, &entry, &why), ERR_INVAL,
	    "x.LOCALHOST refused by name with deny_private");
	u.host = "notlocalhost.invalid";
	T_EQ_INT(ssrf_check_url(a, &u, 1, 0, &entry, &why), ERR_OK,
	    "a name merely ending in localhost is not loopback");

	/* Odd numeric forms still meet the policy through the resolver. */
	u.host = "2130706433";
	T_EQ_INT(ssrf_check_url(a, &u, 1, 1, &entry, &why), ERR_INVAL,
	    "2130706433 resolves to loopback, refused with deny_private");
	T_EQ_INT(ssrf_check_url(a, &u, 0, 1, &entry, &why), ERR_OK,
	    "2130706433 allowed without deny_private");
	T_EQ_STR(entry, "2130706433:80:127.0.0.1", "2130706433 pinned");
	u.host = "0xa9.0xfe.0xa9.0xfe";
	T_EQ_INT(ssrf_check_url(a, &u, 0, 1, &entry, &why), ERR_INVAL,
	    "hex metadata address refused through the resolver");
	u.host = "169.254.43518";
	T_EQ_INT(ssrf_check_url(a, &u, 0, 0, &entry, &why), ERR_INVAL,
	    "two-part metadata address refused through the resolver");

	u.host = "not-an-ip";
	u.host_is_ip = 1;
	T_EQ_INT(ssrf_check_url(a, &u, 0, 0, &entry, &why), ERR_INVAL,
	    "host_is_ip with a name");
	u.host = "";
	T_EQ_INT(
	    ssrf_check_url(a, &u, 0, 0, &entry, &why), ERR_INVAL, "empty host");
	T_EQ_INT(
	    ssrf_check_url(a, NULL, 0, 0, &entry, &why), ERR_INVAL, "NULL url");
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_urls(&a);
	test_url_lengths(&a);
	test_addrs(&a);
	test_check(&a);
	test_check_handmade(&a);
	arena_free(&a);
	return t_done();
}
