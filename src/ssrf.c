/* Backend URL parsing and the outbound address policy (SSRF, DNS rebinding). */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ssrf.h"

#define SSRF_HOST_MAX 253 /* DNS name length */
#define SSRF_LABEL_MAX 63
#define SSRF_RESOLVE_MAX 32 /* addresses pinned per name */

/* A refused IPv4 range. */
struct v4_range {
	uint32_t net;
	int bits;
	int always; /* refused even without deny_private */
	const char *why;
};

/* First match wins, so single metadata hosts come before their ranges. */
static const struct v4_range v4_ranges[] = {
	{ 0x00000000, 8, 1, "address is unspecified (0.0.0.0/8)" },
	{ 0xa9fe0000, 16, 1,
	    "address is link-local (169.254.0.0/16, cloud metadata)" },
	{ 0xe0000000, 4, 1, "address is multicast" },
	{ 0xf0000000, 4, 1, "address is reserved or broadcast" },
	{ 0x646464c8, 32, 1, "address is a cloud metadata service" },
	{ 0xa83f8110, 32, 1, "address is a cloud metadata service" },
	{ 0xc00000c0, 32, 1, "address is a cloud metadata service" },
	{ 0x7f000000, 8, 0,
	    "address is loopback (refused: "
	    "ssrf_deny_private is on)" },
	{ 0x0a000000, 8, 0,
	    "address is private (refused: "
	    "ssrf_deny_private is on)" },
	{ 0xac100000, 12, 0,
	    "address is private (refused: "
	    "ssrf_deny_private is on)" },
	{ 0xc0a80000, 16, 0,
	    "address is private (refused: "
	    "ssrf_deny_private is on)" },
	{ 0x64400000, 10, 0,
	    "address is shared, 100.64.0.0/10 "
	    "(refused: ssrf_deny_private is on)" },
	{ 0xc0000000, 24, 0,
	    "address is special-purpose "
	    "(refused: ssrf_deny_private is on)" },
	{ 0xc6120000, 15, 0,
	    "address is special-purpose "
	    "(refused: ssrf_deny_private is on)" },
	{ 0xc0000200, 24, 0,
	    "address is for documentation "
	    "(refused: ssrf_deny_private is on)" },
	{ 0xc6336400, 24, 0,
	    "address is for documentation "
	    "(refused: ssrf_deny_private is on)" },
	{ 0xcb007100, 24, 0,
	    "address is for documentation "
	    "(refused: ssrf_deny_private is on)" },
};

/* Names of metadata services, compared without case and trailing dot. */
static const char *const metadata_names[] = { "metadata.google.internal",
	"metadata.goog", "metadata", "instance-data",
	"instance-data.ec2.internal", "metadata.tencentyun.com", NULL };

static unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void
lower_in_place(char *s)
{
	for (; *s != '\0'; s++)
		*s = to_lower(*s);
}

static int
v4_allowed(uint32_t v4, int deny_private, const char **why)
{
	const struct v4_range *r;
	uint32_t mask;
	size_t i;

	for (i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
		r = &v4_ranges[i];
		mask = r->bits == 32 ? 0xffffffffu : ~(0xffffffffu >> r->bits);
		if ((v4 & mask) != r->net)
			continue;
		if (r->always || deny_private) {
			*why = r->why;
			return 0;
		}
		return 1;
	}
	return 1;
}

static uint32_t
be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static int
all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static int
v6_allowed(const unsigned char *b, int deny_private, const char **why)
{
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const unsigned char ec2[16] = { 0xfd, 0x00, 0x0e,
		0xc2, [14] = 0x02, [15] = 0x54 };
	static const char *priv = "address is private (refused: "
				  "ssrf_deny_private is on)";

	if (all_zero(b, 16)) {
		*why = "address is unspecified (::)";
		return 0;
	}
	if (all_zero(b, 15) && b[15] == 1) {
		*why = "address is loopback (refused: ssrf_deny_private "
		       "is on)";
		return !deny_private;
	}
	/* ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated). */
	if (all_zero(b, 10) && b[10] == 0xff && b[11] == 0xff)
		return v4_allowed(be32(b + 12), deny_private, why);
	if (all_zero(b, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 &&
	    b[11] == 0)
		return v4_allowed(be32(b + 12), deny_private, why);
	/* ::a.b.c.d (compatible, deprecated but still routed by some). */
	if (all_zero(b, 12))
		return v4_allowed(be32(b + 12), deny_private, why);
	if (memcmp(b, nat64, 12) == 0)
		return v4_allowed(be32(b + 12), deny_private, why);
	/* 64:ff9b:1::/48 local-use NAT64: embedding depends on the prefix. */
	if (memcmp(b, nat64, 4) == 0 && b[4] == 0 && b[5] == 1) {
		if (!v4_allowed(be32(b + 12), deny_private, why))
			return 0;
		*why = priv;
		return !deny_private;
	}
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_allowed(be32(b + 2), deny_private, why);
	/* Teredo carries the client's IPv4 address inverted. */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
		return v4_allowed(~be32(b + 12), deny_private, why);
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
		*why = "address is link-local (fe80::/10)";
		return 0;
	}
	if (b[0] == 0xff) {
		*why = "address is multicast";
		return 0;
	}
	if (memcmp(b, ec2, 16) == 0) {
		*why = "address is a cloud metadata service";
		return 0;
	}
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)) {
		*why = priv;
		return !deny_private;
	}
	if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
	    (b[0] == 0x01 && all_zero(b + 1, 7))) {
		*why = "address is for documentation or discard "
		       "(refused: ssrf_deny_private is on)";
		return !deny_private;
	}
	return 1;
}

int
ssrf_addr_allowed(const struct sockaddr *sa, int deny_private, const char **why)
{
	const struct sockaddr_in *in4;
	const struct sockaddr_in6 *in6;

	if (sa == NULL) {
		*why = "no address";
		return 0;
	}
	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)sa;
		return v4_allowed(
		    ntohl(in4->sin_addr.s_addr), deny_private, why);
	}
	if (sa->sa_family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return v6_allowed(in6->sin6_addr.s6_addr, deny_private, why);
	}
	*why = "address is neither IPv4 nor IPv6";
	return 0;
}

/* 1 when label[0..n) is a number by the WHATWG URL rules (dec or 0x hex). */
static int
label_is_number(const char *label, size_t n)
{
	size_t i;

	if (n >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) {
		for (i = 2; i < n; i++)
			if (!is_hex(label[i]))
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (!is_digit(label[i]))
			return 0;
	return n > 0;
}

/* 1 when h[0..n) is exactly four decimal octets without leading zeros. */
static int
is_dotted_quad(const char *h, size_t n)
{
	size_t i = 0, start;
	unsigned v;
	int parts;

	for (parts = 0; parts < 4; parts++) {
		if (parts > 0) {
			if (i >= n || h[i] != '.')
				return 0;
			i++;
		}
		start = i;
		v = 0;
		while (i < n && is_digit(h[i]) && i - start < 3)
			v = v * 10 + (unsigned)(h[i++] - '0');
		if (i == start || v > 255 || (h[start] == '0' && i - start > 1))
			return 0;
	}
	return i == n;
}

/* Checks a host name h[0..n); sets *is_ip for a dotted-quad literal. */
static enum err
host_name_check(const char *h, size_t n, int *is_ip, const char **why)
{
	size_t i, label = 0;
	unsigned char c;

	*is_ip = 0;
	if (n > SSRF_HOST_MAX) {
		*why = "URL host is longer than 253 bytes";
		return ERR_INVAL;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)h[i];
		if (c == '%') {
			*why = "URL host must not be percent-encoded";
			return ERR_INVAL;
		}
		if (c == '.') {
			if (i == label) {
				*why = i + 1 == n
				    ? "URL host must not end with a dot"
				    : "URL host has an empty label";
				return ERR_INVAL;
			}
			label = i + 1;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_') {
			*why = "URL host may contain only letters, digits, "
			       "'.', '-' and '_'";
			return ERR_INVAL;
		}
		if (i - label + 1 > SSRF_LABEL_MAX) {
			*why = "URL host has a label longer than 63 bytes";
			return ERR_INVAL;
		}
	}
	if (label == n) {
		*why = "URL host must not end with a dot";
		return ERR_INVAL;
	}
	/* A numeric last label makes resolvers read it as IPv4. */
	if (label_is_number(h + label, n - label)) {
		if (!is_dotted_quad(h, n)) {
			*why = "URL host IPv4 address must be four decimal "
			       "numbers, as in 10.0.0.1";
			return ERR_INVAL;
		}
		*is_ip = 1;
	}
	return ERR_OK;
}

enum err
ssrf_parse_url(
    struct arena *a, const char *s, struct url *out, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a6;
	const char *auth, *end, *hb, *he, *colon;
	size_t len, i, slen;
	unsigned long port;
	unsigned char c;

	memset(out, 0, sizeof(*out));
	if (s == NULL || s[0] == '\0') {
		*why = "URL is empty";
		return ERR_INVAL;
	}
	len = strnlen(s, SSRF_URL_MAX + 1);
	if (len > SSRF_URL_MAX) {
		*why = "URL is longer than 2048 bytes";
		return ERR_TOOBIG;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f) {
			*why = "URL must not contain spaces, control "
			       "characters or non-ASCII bytes";
			return ERR_INVAL;
		}
		if (c == '#') {
			*why = "URL must not contain a fragment";
			return ERR_INVAL;
		}
		/* Browsers read '\' as '/': parsers would disagree. */
		if (c == '\\') {
			*why = "URL must not contain backslashes";
			return ERR_INVAL;
		}
	}

	for (slen = 0; slen < len &&
	     (is_alpha(s[slen]) ||
		 (slen > 0 &&
		     (is_digit(s[slen]) || s[slen] == '+' || s[slen] == '-' ||
			 s[slen] == '.')));
	     slen++)
		;
	if (slen == 0 || strncmp(s + slen, "://", 3) != 0) {
		*why = "URL must be absolute, starting with http:// or "
		       "https://";
		return ERR_INVAL;
	}
	if (!(slen == 4 && strncasecmp(s, "http", 4) == 0) &&
	    !(slen == 5 && strncasecmp(s, "https", 5) == 0)) {
		*why = "URL scheme must be http or https";
		return ERR_INVAL;
	}

	auth = s + slen + 3;
	end = auth + strcspn(auth, "/?");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL) {
		*why = "URL must not contain a user name or password";
		return ERR_INVAL;
	}
	if (auth == end) {
		*why = "URL host is empty";
		return ERR_INVAL;
	}
	if (auth[0] == '[') {
		hb = auth + 1;
		he = memchr(hb, ']', (size_t)(end - hb));
		if (he == NULL) {
			*why = "URL IPv6 address lacks its closing ']'";
			goto fail;
		}
		if ((size_t)(he - hb) >= sizeof(buf)) {
			*why = "URL IPv6 address is not valid";
			goto fail;
		}
		memcpy(buf, hb, (size_t)(he - hb));
		buf[he - hb] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1) {
			*why = "URL IPv6 address is not valid";
			goto fail;
		}
		if (he + 1 < end && he[1] != ':') {
			*why = "URL has text after the IPv6 address";
			goto fail;
		}
		colon = he + 1 < end ? he + 1 : NULL;
		if (inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) == NULL) {
			*why = "URL IPv6 address is not valid";
			goto fail;
		}
		out->host = arena_strdup(a, buf);
		out->host_is_ip = 1;
	} else {
		colon = memchr(auth, ':', (size_t)(end - auth));
		he = colon != NULL ? colon : end;
		if (he == auth) {
			*why = "URL host is empty";
			goto fail;
		}
		if (host_name_check(auth, (size_t)(he - auth), &out->host_is_ip,
			why) != ERR_OK)
			goto fail;
		out->host = arena_strndup(a, auth, (size_t)(he - auth));
	}

	if (colon != NULL) {
		port = 0;
		for (i = 1; colon + i < end; i++) {
			if (!is_digit(colon[i]) || i > 5) {
				port = 0;
				break;
			}
			port = port * 10 + (unsigned long)(colon[i] - '0');
		}
		if (port < 1 || port > 65535) {
			*why = "URL port must be a number from 1 to 65535";
			goto fail;
		}
		out->port = (unsigned)port;
	} else
		out->port = slen == 5 ? 443 : 80;

	out->scheme = arena_strndup(a, s, slen);
	lower_in_place(out->scheme);
	lower_in_place(out->host);
	if (*end == '\0')
		out->path = arena_strdup(a, "/");
	else if (*end == '?')
		out->path = arena_printf(a, "/%s", end);
	else
		out->path = arena_strdup(a, end);
	return ERR_OK;
fail:
	memset(out, 0, sizeof(*out));
	return ERR_INVAL;
}

/* 1 when host equals name, ignoring ASCII case and one trailing dot. */
static int
host_is(const char *host, const char *name)
{
	size_t n = strlen(host), i;

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n != strlen(name))
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower(host[i]) != (unsigned char)name[i])
			return 0;
	return 1;
}

/* 1 when host is "localhost" or ends in ".localhost" (RFC 6761). */
static int
host_is_localhost(const char *host)
{
	static const char suffix[] = ".localhost";
	size_t n = strlen(host), k = sizeof(suffix) - 1, i;

	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == k - 1)
		return host_is(host, "localhost");
	if (n <= k)
		return 0;
	for (i = 0; i < k; i++)
		if (to_lower(host[n - k + i]) != (unsigned char)suffix[i])
			return 0;
	return 1;
}

/* Formats one address for a CURLOPT_RESOLVE list (IPv6 in brackets). */
static int
addr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	const void *src;
	int af = sa->sa_family;

	if (af == AF_INET)
		src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else
		src =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (af == AF_INET6) {
		buf[0] = '[';
		if (inet_ntop(af, src, buf + 1, (socklen_t)(size - 2)) == NULL)
			return -1;
		strcat(buf, "]");
		return 0;
	}
	return inet_ntop(af, src, buf, (socklen_t)size) == NULL ? -1 : 0;
}

/* 1 when addr is one of the comma-separated entries of list[0..len). */
static int
addr_listed(const char *list, size_t len, const char *addr)
{
	const char *p = list, *end = list + len, *comma;
	size_t n = strlen(addr);

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if ((size_t)(comma - p) == n && memcmp(p, addr, n) == 0)
			return 1;
		p = comma + 1;
	}
	return 0;
}

static enum err
check_literal(const struct url *u, int deny_private, const char **why)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	const struct sockaddr *sa;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, u->host, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		sa = (const struct sockaddr *)&s4;
	} else if (inet_pton(AF_INET6, u->host, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		sa = (const struct sockaddr *)&s6;
	} else {
		*why = "URL host is not a valid IP address";
		return ERR_INVAL;
	}
	return ssrf_addr_allowed(sa, deny_private, why) ? ERR_OK : ERR_INVAL;
}

enum err
ssrf_check_url(struct arena *a, const struct url *u, int deny_private,
    int must_resolve, char **resolve_entry, const char **why)
{
	char addr[INET6_ADDRSTRLEN + 3];
	struct addrinfo hints, *res = NULL, *ai;
	size_t cap, used, start, n, naddr = 0;
	enum err e;
	char *line;
	int rc;

	*resolve_entry = NULL;
	if (u == NULL || u->host == NULL || u->host[0] == '\0') {
		*why = "URL host is empty";
		return ERR_INVAL;
	}
	for (n = 0; metadata_names[n] != NULL; n++) {
		if (host_is(u->host, metadata_names[n])) {
			*why = "URL host is a cloud metadata service";
			return ERR_INVAL;
		}
	}
	if (deny_private && host_is_localhost(u->host)) {
		*why = "URL host is loopback (refused: "
		       "ssrf_deny_private is on)";
		return ERR_INVAL;
	}
	if (u->host_is_ip)
		return check_literal(u, deny_private, why);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(u->host, NULL, &hints, &res);
	if (rc == EAI_MEMORY)
		return ERR_NOMEM;
	if (rc != 0 || res == NULL) {
		if (res != NULL)
			freeaddrinfo(res);
		if (!must_resolve)
			return ERR_OK;
		*why = "URL host name does not resolve";
		return ERR_NET;
	}

	/* Every address is checked, even those not pinned. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (!ssrf_addr_allowed(ai->ai_addr, deny_private, why)) {
			e = ERR_INVAL;
			goto fail;
		}
	}

	cap = strlen(u->host) + 8 + SSRF_RESOLVE_MAX * sizeof(addr);
	line = arena_alloc(a, cap);
	used = (size_t)snprintf(line, cap, "%s:%u:", u->host, u->port);
	start = used;
	for (ai = res; ai != NULL && naddr < SSRF_RESOLVE_MAX;
	     ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (addr_format(ai->ai_addr, addr, sizeof(addr)) != 0) {
			*why = "resolved address cannot be formatted";
			e = ERR_NET;
			goto fail;
		}
		if (addr_listed(line + start, used - start, addr))
			continue;
		used += (size_t)snprintf(line + used, cap - used, "%s%s",
		    naddr > 0 ? "," : "", addr);
		naddr++;
	}
	freeaddrinfo(res);
	*resolve_entry = line;
	return ERR_OK;
fail:
	freeaddrinfo(res);
	return e;
}
