/* Backend URL parsing and the outbound address policy (SSRF, DNS rebinding). */
#ifndef MCPGW_SSRF_H
#define MCPGW_SSRF_H

#include <sys/socket.h>

#include "arena.h"
#include "err.h"

#define SSRF_URL_MAX 2048

/* A parsed backend URL. Every string lives in the arena given to the parser. */
struct url {
	char *scheme; /* "http" or "https" */
	char *host; /* lower case; an IPv6 literal without
					 * brackets, in inet_ntop() form */
	unsigned port; /* the explicit port, else 80 or 443 */
	char *path; /* path and query, starts with '/' */
	int host_is_ip; /* 1 for an IPv4 or IPv6 literal */
};

/*
 * Parses an absolute http or https URL of at most 2048 bytes (ERR_TOOBIG
 * above). Refused with ERR_INVAL: other schemes, relative URLs, userinfo
 * ('@' in the authority), a fragment ('#' anywhere), whitespace, control
 * or non-ASCII bytes, backslashes, an empty host, a percent-encoded host,
 * a host name ending in '.', ports outside 1..65535 or empty, and IPv6
 * zone ids. A host whose last label is numeric must be a canonical
 * dotted-decimal IPv4 address: "2130706433", "0x7f.1", "127.1" and
 * "0177.0.0.1" are refused rather than reinterpreted, so no resolver can
 * read them differently from this check. On error *why is a static
 * sentence and *out is zeroed.
 */
enum err ssrf_parse_url(struct arena *a, const char *s, struct url *out,
    const char **why) MUST_CHECK;

/*
 * Returns 1 when the gateway may connect to sa, else 0 with *why set to a
 * static sentence. Never allowed: unspecified (0.0.0.0/8, ::), link-local
 * (169.254.0.0/16, fe80::/10, which covers most cloud metadata services),
 * other known metadata endpoints (fd00:ec2::254, 100.100.100.200,
 * 168.63.129.16, 192.0.0.192), multicast (224.0.0.0/4, ff00::/8) and
 * 240.0.0.0/4 including broadcast 255.255.255.255. Refused only when
 * deny_private is set: loopback (127.0.0.0/8, ::1), private and shared
 * (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10) and other
 * special-purpose, non-routable ranges (192.0.0.0/24, 198.18.0.0/15, the
 * documentation ranges, 100::/64, 2001:db8::/32). IPv6 forms carrying an
 * IPv4 address (mapped ::ffff:0:0/96, translated ::ffff:0:0:0/96,
 * compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16,
 * Teredo 2001::/32) get the policy of the IPv4 address inside.
 */
int ssrf_addr_allowed(
    const struct sockaddr *sa, int deny_private, const char **why);

/*
 * Applies the policy to a parsed URL. Host names of metadata services
 * (metadata.google.internal, metadata.goog, metadata, instance-data, ...)
 * are refused in any case and with a trailing dot; with deny_private,
 * "localhost" and "*.localhost" are refused by name too. An IP literal is
 * checked as it is. A name is resolved with getaddrinfo() and EVERY
 * address must pass: one refused address refuses the URL.
 *
 * Returns ERR_OK, ERR_INVAL (policy refusal, *why says why), ERR_NET (the
 * name does not resolve and must_resolve is 1) or ERR_NOMEM. When the
 * name does not resolve and must_resolve is 0 (registration of a backend
 * this host cannot see yet), the result is ERR_OK with *resolve_entry NULL.
 *
 * On ERR_OK for a resolved name, *resolve_entry is a CURLOPT_RESOLVE line
 * "host:port:addr[,addr...]" (IPv6 addresses in brackets, at most 32)
 * naming exactly the checked addresses, allocated in a: give it to libcurl
 * so the request connects only to them (DNS rebinding). For an IP literal
 * it is NULL, as libcurl does not resolve literals. The outbound code must
 * call this with must_resolve 1 before every request and must not follow
 * redirects to hosts it has not checked.
 */
enum err ssrf_check_url(struct arena *a, const struct url *u, int deny_private,
    int must_resolve, char **resolve_entry, const char **why) MUST_CHECK;

#endif
