/* Unit tests for the incremental SSE parser (src/sse.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "sse.h"
#include "t.h"

#define DATA "tests/data/sse/"
#define MAXREC 65536

/* A string literal and its length, NULs included. */
#define S(x) x, sizeof(x) - 1

/*
 * What the callback saw, one record per event:
 * "<type>|<id>|<retry>|<data>;" with '\n' in data written as "\n" (two
 * characters) so expectations fit on one line.
 */
struct rec {
	char buf[MAXREC];
	size_t len;
	int events;
	int stop_after; /* return ERR_INVAL from this event on (0: never) */
};

static void
rec_add(struct rec *r, const char *s, size_t n)
{
	if (r->len + n >= sizeof(r->buf))
		n = sizeof(r->buf) - r->len - 1;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

static enum err
on_event(void *user, const struct sse_event *ev)
{
	struct rec *r = user;
	char num[32];
	size_t i;

	r->events++;
	rec_add(r, ev->type, strlen(ev->type));
	rec_add(r, "|", 1);
	rec_add(r, ev->id, strlen(ev->id));
	snprintf(num, sizeof(num), "|%ld|", ev->retry_ms);
	rec_add(r, num, strlen(num));
	for (i = 0; i < ev->data_len; i++) {
		if (ev->data[i] == '\n')
			rec_add(r, "\\n", 2);
		else if (ev->data[i] == '\0')
			rec_add(r, "\\0", 2);
		else
			rec_add(r, &ev->data[i], 1);
	}
	if (ev->data[ev->data_len] != '\0')
		rec_add(r, "<unterminated>", 14);
	rec_add(r, ";", 1);
	if (r->stop_after > 0 && r->events >= r->stop_after)
		return ERR_INVAL;
	return ERR_OK;
}

struct scase {
	const char *desc;
	const char *in;
	size_t len;
	size_t max; /* max_event_bytes; 0 means 1024 */
	enum err want_err;
	const char *want; /* records, see struct rec */
	const char *want_last_id;
};

static const struct scase cases[] = {
	/* Line ends. */
	{ "LF", S("data: a\n\n"), 0, ERR_OK, "message||-1|a;", "" },
	{ "CRLF", S("data: a\r\n\r\n"), 0, ERR_OK, "message||-1|a;", "" },
	{ "CR", S("data: a\r\r"), 0, ERR_OK, "message||-1|a;", "" },
	{ "mixed line ends", S("data: a\rdata: b\r\ndata: c\n\r\n"), 0, ERR_OK,
	    "message||-1|a\\nb\\nc;", "" },
	{ "LF CR is two line ends", S("data: a\n\rdata: b\n\n"), 0, ERR_OK,
	    "message||-1|a;message||-1|b;", "" },
	{ "CR CR LF is two line ends", S("data: a\r\r\ndata: b\n\n"), 0, ERR_OK,
	    "message||-1|a;message||-1|b;", "" },
	/* Fields. */
	{ "multi-line data joined with LF", S("data: one\ndata: two\n\n"), 0,
	    ERR_OK, "message||-1|one\\ntwo;", "" },
	{ "one leading space removed, no more",
	    S("data:  two spaces\ndata:none\n\n"), 0, ERR_OK,
	    "message||-1| two spaces\\nnone;", "" },
	{ "tab after colon kept", S("data:\tx\n\n"), 0, ERR_OK,
	    "message||-1|\tx;", "" },
	{ "colon in value kept", S("data: a: b:c\n\n"), 0, ERR_OK,
	    "message||-1|a: b:c;", "" },
	{ "event field", S("event: endpoint\ndata: /m?s=1\n\n"), 0, ERR_OK,
	    "endpoint||-1|/m?s=1;", "" },
	{ "event type reset after dispatch",
	    S("event: x\ndata: 1\n\ndata: 2\n\n"), 0, ERR_OK,
	    "x||-1|1;message||-1|2;", "" },
	{ "empty event field means message", S("event:\ndata: 1\n\n"), 0,
	    ERR_OK, "message||-1|1;", "" },
	{ "last event field wins", S("event: a\nevent: b\ndata: 1\n\n"), 0,
	    ERR_OK, "b||-1|1;", "" },
	{ "id persists across events",
	    S("id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n"), 0, ERR_OK,
	    "message|7|-1|a;message|7|-1|b;message|8|-1|c;", "8" },
	{ "empty id resets it", S("id: 7\ndata: a\n\nid\ndata: b\n\n"), 0,
	    ERR_OK, "message|7|-1|a;message||-1|b;", "" },
	{ "id with NUL ignored", S("id: 1\n\nid: a\0b\ndata: x\n\n"), 0, ERR_OK,
	    "message|1|-1|x;", "1" },
	{ "retry", S("retry: 3000\ndata: a\n\n"), 0, ERR_OK, "message||3000|a;",
	    "" },
	{ "retry not all digits ignored",
	    S("retry: 10\nretry: 5s\nretry: -1\nretry:\nretry: 1 \n"
	      "data: a\n\n"),
	    0, ERR_OK, "message||10|a;", "" },
	{ "retry overflow ignored",
	    S("retry: 99999999999999999999999\ndata: a\n\n"), 0, ERR_OK,
	    "message||-1|a;", "" },
	{ "retry persists", S("retry: 5\n\ndata: a\n\n"), 0, ERR_OK,
	    "message||5|a;", "" },
	{ "field without colon", S("data\ndata\n\n"), 0, ERR_OK,
	    "message||-1|\\n;", "" },
	{ "unknown fields ignored", S("foo: bar\nDATA: x\ndata: y\n\n"), 0,
	    ERR_OK, "message||-1|y;", "" },
	{ "space before colon is part of the name", S("data : x\ndata: y\n\n"),
	    0, ERR_OK, "message||-1|y;", "" },
	/* Comments, blank lines, dispatch rules. */
	{ "comments ignored", S(": keepalive\n\n:\ndata: a\n: mid\n\n"), 0,
	    ERR_OK, "message||-1|a;", "" },
	{ "blank lines without data dispatch nothing", S("\n\n\r\n\r"), 0,
	    ERR_OK, "", "" },
	{ "event without data not dispatched", S("event: x\n\ndata: a\n\n"), 0,
	    ERR_OK, "message||-1|a;", "" },
	{ "priming event (id only) sets the id", S("id: p0\n\ndata: {}\n\n"), 0,
	    ERR_OK, "message|p0|-1|{};", "p0" },
	{ "priming event with empty data dispatches empty data",
	    S("id: p1\nretry: 500\ndata: \n\nevent: message\nid: p2\n"
	      "data: {\"id\":1}\n\n"),
	    0, ERR_OK, "message|p1|500|;message|p2|500|{\"id\":1};", "p2" },
	{ "empty data line", S("data:\n\n"), 0, ERR_OK, "message||-1|;", "" },
	{ "incomplete event at end not dispatched", S("data: a\n\ndata: b\n"),
	    0, ERR_OK, "message||-1|a;", "" },
	{ "incomplete line at end not dispatched", S("data: a\n\ndata: b"), 0,
	    ERR_OK, "message||-1|a;", "" },
	{ "last id committed only by the blank line", S("id: 1\n\nid: 2\n"), 0,
	    ERR_OK, "", "1" },
	/* BOM. */
	{ "BOM at start dropped",
	    S("\xef\xbb\xbf"
	      "data: a\n\n"),
	    0, ERR_OK, "message||-1|a;", "" },
	{ "BOM before a field name only at the start",
	    S("\xef\xbb\xbf"
	      "data: a\n\n\xef\xbb\xbf"
	      "data: b\n\n"),
	    0, ERR_OK, "message||-1|a;", "" },
	{ "second BOM not dropped",
	    S("\xef\xbb\xbf\xef\xbb\xbf"
	      "data: a\n\n"),
	    0, ERR_OK, "", "" },
	{ "partial BOM is content",
	    S("\xef\xbb"
	      "data: a\n\ndata: b\n\n"),
	    0, ERR_OK, "message||-1|b;", "" },
	{ "BOM-like bytes in data kept", S("data: \xef\xbb\xbf\n\n"), 0, ERR_OK,
	    "message||-1|\xef\xbb\xbf;", "" },
	/* Bytes passed through. */
	{ "NUL in data kept", S("data: a\0b\n\n"), 0, ERR_OK,
	    "message||-1|a\\0b;", "" },
	{ "UTF-8 passed through", S("data: \xc3\xa9t\xc3\xa9\n\n"), 0, ERR_OK,
	    "message||-1|\xc3\xa9t\xc3\xa9;", "" },
	/* Caps. */
	{ "data at the cap", S("data: 123456789\n\n"), 10, ERR_OK,
	    "message||-1|123456789;", "" },
	{ "data over the cap", S("data: 1234567890\n\n"), 10, ERR_TOOBIG, "",
	    "" },
	{ "joined data over the cap", S("data: 12345\ndata: 6789\n\n"), 10,
	    ERR_TOOBIG, "", "" },
	{ "events under the cap one by one",
	    S("data: 12345678\n\ndata: 12345678\n\n"), 10, ERR_OK,
	    "message||-1|12345678;message||-1|12345678;", "" },
	{ "endless line over the cap",
	    S(":"
	      "0123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789"),
	    10, ERR_TOOBIG, "", "" },
	{ "long comment line at the line cap",
	    S(":"
	      "0123456789012345678901234567890123456789"
	      "012345678901234567890123456789012\n"
	      "data: a\n\n"),
	    10, ERR_OK, "message||-1|a;", "" },
	{ "long comment line over the line cap",
	    S(":"
	      "0123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123\n"
	      "data: a\n\n"),
	    10, ERR_TOOBIG, "", "" },
};

/*
 * Feeds in[0..len) cut at the given offsets (ascending), returning the
 * first error. The record and last id are left in r and *last.
 */
static enum err
run_cuts(const char *in, size_t len, size_t max, const size_t *cuts,
    size_t ncuts, struct rec *r, char *last, size_t lastsz)
{
	struct sse_parser p;
	size_t i, at = 0, next;
	enum err e = ERR_OK;

	memset(r, 0, sizeof(*r));
	sse_init(&p, on_event, r, max);
	for (i = 0; i <= ncuts && e == ERR_OK; i++) {
		next = i < ncuts ? cuts[i] : len;
		e = sse_feed(&p, in + at, next - at);
		at = next;
	}
	snprintf(last, lastsz, "%s", sse_last_id(&p));
	sse_free(&p);
	return e;
}

static int
same(const struct rec *got, const char *want, enum err e, enum err want_err)
{
	/* After an error the events before it may differ by split; skip. */
	if (want_err != ERR_OK)
		return e == want_err;
	return e == ERR_OK && strcmp(got->buf, want) == 0;
}

/* Runs one case whole, at every single split point, byte by byte, random. */
static void
check_case(const struct scase *c)
{
	static struct rec r;
	char last[256];
	size_t max = c->max ? c->max : 1024;
	size_t i, j, cuts[4096], n, bad;
	enum err e;

	e = run_cuts(c->in, c->len, max, NULL, 0, &r, last, sizeof(last));
	T_EQ_INT(e, c->want_err, "%s: error", c->desc);
	if (c->want_err == ERR_OK) {
		T_EQ_STR(r.buf, c->want, "%s: events", c->desc);
		T_EQ_STR(last, c->want_last_id, "%s: last id", c->desc);
	}
	bad = 0;
	for (i = 0; i <= c->len; i++) {
		cuts[0] = i;
		e = run_cuts(
		    c->in, c->len, max, cuts, 1, &r, last, sizeof(last));
		if (!same(&r, c->want, e, c->want_err))
			bad++;
	}
	T_EQ_INT(bad, 0, "%s: every split point", c->desc);
	bad = 0;
	for (i = 1; i < c->len && c->len < 200; i++)
		for (j = i; j < c->len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			e = run_cuts(c->in, c->len, max, cuts, 2, &r, last,
			    sizeof(last));
			if (!same(&r, c->want, e, c->want_err))
				bad++;
		}
	T_EQ_INT(bad, 0, "%s: every pair of split points", c->desc);
	for (i = 0; i < c->len && i < 4096; i++)
		cuts[i] = i + 1;
	n = i > 0 ? i - 1 : 0;
	e = run_cuts(c->in, c->len, max, cuts, n, &r, last, sizeof(last));
	T_OK(same(&r, c->want, e, c->want_err), "%s: byte by byte", c->desc);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n + 1)) != NULL) {
		if (fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = n;
		}
	}
	fclose(f);
	return buf;
}

/* Collects up to 8 events of a captured stream for inspection. */
struct cap {
	int n;
	char type[8][32];
	char id[8][64];
	char *data[8];
};

static enum err
on_cap(void *user, const struct sse_event *ev)
{
	struct cap *c = user;

	if (c->n >= 8)
		return ERR_TOOBIG;
	snprintf(c->type[c->n], sizeof(c->type[0]), "%s", ev->type);
	snprintf(c->id[c->n], sizeof(c->id[0]), "%s", ev->id);
	c->data[c->n] = strdup(ev->data);
	if (c->data[c->n] == NULL)
		return ERR_NOMEM;
	c->n++;
	return ERR_OK;
}

static void
cap_free(struct cap *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->data[i]);
	memset(c, 0, sizeof(*c));
}

static enum err
feed_chunks(const char *in, size_t len, size_t chunk, struct cap *c)
{
	struct sse_parser p;
	size_t at, n;
	enum err e = ERR_OK;

	sse_init(&p, on_cap, c, 1 << 20);
	for (at = 0; at < len && e == ERR_OK; at += n) {
		n = chunk == 0 ? (size_t)(rand() % 97) + 1 : chunk;
		if (n > len - at)
			n = len - at;
		e = sse_feed(&p, in + at, n);
	}
	sse_free(&p);
	return e;
}

/* Converts LF line ends to CRLF (crlf=1) or CR (crlf=0); caller frees. */
static char *
convert(const char *in, size_t len, int crlf, size_t *outlen)
{
	char *out;
	size_t i, o = 0;

	if ((out = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (in[i] == '\n') {
			out[o++] = '\r';
			if (crlf)
				out[o++] = '\n';
		} else
			out[o++] = in[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The exact bytes server-everything sent (captured with curl). */
static void
check_captures(void)
{
	static const char *files[] = { DATA "everything_initialize.sse",
		DATA "everything_tools_list.sse",
		DATA "everything_legacy_stream.sse" };
	char *buf[3], *all, *conv;
	size_t len[3], total = 0, clen, i, chunk;
	struct cap c = { 0 };
	cJSON *j, *tools;
	int ok, variant, round;

	for (i = 0; i < 3; i++) {
		buf[i] = slurp(files[i], &len[i]);
		if (!T_OK(buf[i] != NULL, "read %s", files[i]))
			return;
		total += len[i];
	}

	T_EQ_INT(feed_chunks(buf[0], len[0], len[0], &c), ERR_OK,
	    "initialize capture parses");
	T_EQ_INT(c.n, 1, "initialize capture: one event");
	T_EQ_STR(c.type[0], "message", "initialize capture: type message");
	T_EQ_INT(strlen(c.id[0]), 36, "initialize capture: uuid event id");
	j = cJSON_Parse(c.data[0]);
	T_OK(j != NULL &&
		cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id")) == 1 &&
		cJSON_IsString(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(j, "result"), "protocolVersion")),
	    "initialize capture: JSON-RPC response to id 1");
	cJSON_Delete(j);
	cap_free(&c);

	T_EQ_INT(feed_chunks(buf[1], len[1], 1, &c), ERR_OK,
	    "tools/list capture parses byte by byte");
	T_EQ_INT(c.n, 1, "tools/list capture: one event");
	j = c.n == 1 ? cJSON_Parse(c.data[0]) : NULL;
	tools = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "result"), "tools");
	T_EQ_INT(cJSON_GetArraySize(tools), 13, "tools/list capture: 13 tools");
	cJSON_Delete(j);
	cap_free(&c);

	T_EQ_INT(feed_chunks(buf[2], len[2], 7, &c), ERR_OK,
	    "legacy stream capture parses");
	T_EQ_INT(c.n, 2, "legacy stream: two events");
	T_EQ_STR(c.type[0], "endpoint", "legacy stream: endpoint first");
	T_OK(c.n > 0 && strncmp(c.data[0], "/message?sessionId=", 19) == 0,
	    "legacy stream: endpoint data is the message path");
	T_EQ_STR(c.type[1], "message", "legacy stream: then a message");
	cap_free(&c);

	/* All three back to back, as LF, CRLF and CR, in many chunkings. */
	if ((all = malloc(total)) == NULL)
		return;
	memcpy(all, buf[0], len[0]);
	memcpy(all + len[0], buf[1], len[1]);
	memcpy(all + len[0] + len[1], buf[2], len[2]);
	for (variant = 0; variant < 3; variant++) {
		if (variant == 0) {
			conv = all;
			clen = total;
		} else if ((conv = convert(all, total, variant == 1, &clen)) ==
		    NULL)
			break;
		ok = 1;
		for (round = 0; round < 40 && ok; round++) {
			chunk = round == 0 ? 1 : round < 20 ? (size_t)round : 0;
			if (feed_chunks(conv, clen, chunk, &c) != ERR_OK ||
			    c.n != 4 || strcmp(c.type[2], "endpoint") != 0 ||
			    strncmp(c.data[1], "{\"result\":{\"tools\":[",
				20) != 0 ||
			    !ends_with(c.data[0], "\"id\":1}"))
				ok = 0;
			cap_free(&c);
		}
		T_OK(ok, "captures back to back (%s), 40 chunkings",
		    variant == 0       ? "LF"
			: variant == 1 ? "CRLF"
				       : "CR");
		if (conv != all)
			free(conv);
	}
	free(all);
	for (i = 0; i < 3; i++)
		free(buf[i]);
}

/* A callback error stops the parser and sticks. */
static void
check_sticky(void)
{
	static struct rec r;
	struct sse_parser p;
	enum err e1, e2;

	memset(&r, 0, sizeof(r));
	r.stop_after = 1;
	sse_init(&p, on_event, &r, 1024);
	e1 = sse_feed(&p, S("data: a\n\ndata: b\n\n"));
	e2 = sse_feed(&p, S("data: c\n\n"));
	T_EQ_INT(e1, ERR_INVAL, "callback error returned");
	T_EQ_INT(e2, ERR_INVAL, "callback error sticks");
	T_EQ_INT(r.events, 1, "no event after the callback error");
	sse_free(&p);

	memset(&r, 0, sizeof(r));
	sse_init(&p, on_event, &r, 4);
	e1 = sse_feed(&p, S("data: 12345\n\n"));
	e2 = sse_feed(&p, S("data: 1\n\n"));
	T_EQ_INT(e1, ERR_TOOBIG, "cap error returned");
	T_EQ_INT(e2, ERR_TOOBIG, "cap error sticks");
	T_EQ_INT(r.events, 0, "nothing dispatched after the cap error");
	sse_free(&p);

	/* An empty feed and a NULL-free parser are harmless. */
	memset(&r, 0, sizeof(r));
	sse_init(&p, on_event, &r, 16);
	T_EQ_INT(sse_feed(&p, "", 0), ERR_OK, "empty feed");
	sse_free(&p);
}

int
main(void)
{
	size_t i;

	srand(12345);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_sticky();
	check_captures();
	return t_done();
}
