/* Unit tests for b64: RFC 4648 vectors and the strictness of the decoders. */
#include <string.h>

#include "arena.h"
#include "b64.h"
#include "err.h"
#include "t.h"

/* RFC 4648 section 10, for both alphabets (no '+' or '/' in them). */
static const struct {
	const char *plain, *std, *url;
} vec[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

/* Bytes that exercise the two alphabets' differing characters. */
static const unsigned char alpha_bytes[] = { 0xfb, 0xff, 0xbf, 0xfe };

/* Inputs each decoder must refuse with ERR_INVAL. */
static const struct {
	const char *in;
	const char *why;
} url_bad[] = {
	{ "Zg==", "padding" },
	{ "Zg=", "partial padding" },
	{ "Zm9v=", "padding after a full group" },
	{ "Z", "length 1 mod 4" },
	{ "Zm9vY", "length 5 (1 mod 4)" },
	{ "Zh", "non-zero trailing bits (1 byte)" },
	{ "Zm9", "non-zero trailing bits (2 bytes)" },
	{ "Zm+v", "'+' is not base64url" },
	{ "Zm/v", "'/' is not base64url" },
	{ "Zm9 v", "space" },
	{ "Zm9\nv", "newline" },
	{ "Zm9v\t", "tab" },
	{ "Zm.v", "dot" },
	{ "Zm9\xc3\xa9", "non-ASCII" },
	{ "Zm*v", "asterisk" },
}, std_bad[] = {
	{ "Zg", "missing padding" },
	{ "Zg=", "short padding" },
	{ "Zm8", "missing single pad" },
	{ "Z===", "three pads" },
	{ "====", "only padding" },
	{ "Zg=A", "padding in the middle" },
	{ "Zg==Zg==", "padding then more data" },
	{ "Zh==", "non-zero trailing bits (1 byte)" },
	{ "Zm9=", "non-zero trailing bits (2 bytes)" },
	{ "Zm-v", "'-' is not standard base64" },
	{ "Zm_v", "'_' is not standard base64" },
	{ "Zm9v\n", "newline" },
	{ "Zm 9", "space" },
};

static void
test_vectors(struct arena *a)
{
	char buf[64];
	unsigned char *out;
	size_t i, n, len;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		n = strlen(vec[i].plain);
		T_EQ_INT(b64_encoded_len(n), strlen(vec[i].std),
		    "std length of \"%s\"", vec[i].plain);
		b64_encode(vec[i].plain, n, buf);
		T_EQ_STR(buf, vec[i].std, "std encode \"%s\"", vec[i].plain);
		T_EQ_INT(b64url_encoded_len(n), strlen(vec[i].url),
		    "url length of \"%s\"", vec[i].plain);
		b64url_encode(vec[i].plain, n, buf);
		T_EQ_STR(buf, vec[i].url, "url encode \"%s\"", vec[i].plain);

		out = NULL;
		T_EQ_INT(
		    b64_decode(a, vec[i].std, strlen(vec[i].std), &out, &len),
		    ERR_OK, "std decode %s", vec[i].std);
		T_OK(out != NULL && len == n &&
			memcmp(out, vec[i].plain, n) == 0 && out[n] == '\0',
		    "std decode %s value", vec[i].std);
		out = NULL;
		T_EQ_INT(b64url_decode(
			     a, vec[i].url, strlen(vec[i].url), &out, &len),
		    ERR_OK, "url decode %s", vec[i].url);
		T_OK(out != NULL && len == n &&
			memcmp(out, vec[i].plain, n) == 0 && out[n] == '\0',
		    "url decode %s value", vec[i].url);
	}

	b64_encode(alpha_bytes, sizeof(alpha_bytes), buf);
	T_EQ_STR(buf, "+/+//g==", "std alphabet uses + and /");
	b64url_encode(alpha_bytes, sizeof(alpha_bytes), buf);
	T_EQ_STR(buf, "-_-__g", "url alphabet uses - and _");
	T_EQ_INT(b64url_decode(a, "-_-__g", 6, &out, &len), ERR_OK,
	    "url decode - and _");
	T_OK(len == sizeof(alpha_bytes) && memcmp(out, alpha_bytes, len) == 0,
	    "url decode - and _ value");
}

/* Every byte string of lengths 0..40 survives both round trips. */
static void
test_round_trip(struct arena *a)
{
	unsigned char in[40], *out;
	char enc[64];
	size_t n, len;
	int ok_url = 1, ok_std = 1;

	for (n = 0; n < sizeof(in); n++)
		in[n] = (unsigned char)(n * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		b64url_encode(in, n, enc);
		if (strlen(enc) != b64url_encoded_len(n) ||
		    b64url_decode(a, enc, strlen(enc), &out, &len) != ERR_OK ||
		    len != n || memcmp(out, in, n) != 0)
			ok_url = 0;
		b64_encode(in, n, enc);
		if (strlen(enc) != b64_encoded_len(n) ||
		    b64_decode(a, enc, strlen(enc), &out, &len) != ERR_OK ||
		    len != n || memcmp(out, in, n) != 0)
			ok_std = 0;
	}
	T_OK(ok_url, "base64url round trip, lengths 0..40");
	T_OK(ok_std, "base64 round trip, lengths 0..40");
}

static void
test_strict(struct arena *a)
{
	unsigned char *out = NULL;
	size_t i, len = 12345;

	for (i = 0; i < sizeof(url_bad) / sizeof(url_bad[0]); i++)
		T_EQ_INT(b64url_decode(a, url_bad[i].in, strlen(url_bad[i].in),
			     &out, &len),
		    ERR_INVAL, "url refuses %s", url_bad[i].why);
	for (i = 0; i < sizeof(std_bad) / sizeof(std_bad[0]); i++)
		T_EQ_INT(b64_decode(a, std_bad[i].in, strlen(std_bad[i].in),
			     &out, &len),
		    ERR_INVAL, "std refuses %s", std_bad[i].why);
	T_OK(out == NULL && len == 12345, "outputs untouched on failure");

	/* An embedded NUL inside the counted length is not base64. */
	T_EQ_INT(b64url_decode(a, "Zm\0v", 4, &out, &len), ERR_INVAL,
	    "url refuses an embedded NUL");
	/* Only n bytes are read: a valid prefix of a longer string. */
	T_EQ_INT(b64url_decode(a, "Zm9v.rest", 4, &out, &len), ERR_OK,
	    "url decodes only the counted bytes");
	T_OK(len == 3 && memcmp(out, "foo", 3) == 0, "counted prefix value");
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_vectors(&a);
	test_round_trip(&a);
	test_strict(&a);
	arena_free(&a);
	return t_done();
}
