/* Base64 (RFC 4648): strict base64url for JWTs and tokens, padded base64. */
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "b64.h"
#include "err.h"

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Returns the 6-bit value of c in the alphabet, or -1. */
static int
b64_val(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

static void
b64_enc(const char *alpha, int pad, const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	uint32_t v;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = alpha[v >> 18 & 63];
		*out++ = alpha[v >> 12 & 63];
		*out++ = alpha[v >> 6 & 63];
		*out++ = alpha[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		*out++ = alpha[v >> 18 & 63];
		*out++ = alpha[v >> 12 & 63];
		if (pad) {
			*out++ = '=';
			*out++ = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*out++ = alpha[v >> 18 & 63];
		*out++ = alpha[v >> 12 & 63];
		*out++ = alpha[v >> 6 & 63];
		if (pad)
			*out++ = '=';
	}
	*out = '\0';
}

/*
 * Decodes n characters with no padding (the caller strips and checks it).
 * Refuses a length of 1 mod 4 and non-zero bits after the last byte.
 */
static enum err
b64_dec(struct arena *a, int url, const char *in, size_t n, unsigned char **out,
    size_t *out_len)
{
	unsigned char *buf;
	uint32_t v = 0;
	size_t i, o = 0, len;
	int d;

	if (n % 4 == 1)
		return ERR_INVAL;
	len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	buf = arena_alloc(a, len + 1);
	for (i = 0; i < n; i++) {
		d = b64_val((unsigned char)in[i], url);
		if (d < 0)
			return ERR_INVAL;
		v = v << 6 | (uint32_t)d;
		if (i % 4 == 3) {
			buf[o++] = (unsigned char)(v >> 16);
			buf[o++] = (unsigned char)(v >> 8);
			buf[o++] = (unsigned char)v;
			v = 0;
		}
	}
	switch (n % 4) {
	case 2:
		/* 12 bits carry one byte; the low 4 must be zero. */
		if (v & 0xf)
			return ERR_INVAL;
		buf[o++] = (unsigned char)(v >> 4);
		break;
	case 3:
		/* 18 bits carry two bytes; the low 2 must be zero. */
		if (v & 0x3)
			return ERR_INVAL;
		buf[o++] = (unsigned char)(v >> 10);
		buf[o++] = (unsigned char)(v >> 2);
		break;
	}
	*out = buf;
	*out_len = o;
	return ERR_OK;
}

size_t
b64url_encoded_len(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void
b64url_encode(const void *in, size_t n, char *out)
{
	b64_enc(b64_url, 0, in, n, out);
}

enum err
b64url_decode(struct arena *a, const char *in, size_t n, unsigned char **out,
    size_t *out_len)
{
	return b64_dec(a, 1, in, n, out, out_len);
}

size_t
b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void
b64_encode(const void *in, size_t n, char *out)
{
	b64_enc(b64_std, 1, in, n, out);
}

enum err
b64_decode(struct arena *a, const char *in, size_t n, unsigned char **out,
    size_t *out_len)
{
	size_t pad = 0;

	if (n % 4 != 0)
		return ERR_INVAL;
	if (n > 0 && in[n - 1] == '=') {
		pad = 1;
		if (in[n - 2] == '=')
			pad = 2;
	}
	return b64_dec(a, 0, in, n - pad, out, out_len);
}
