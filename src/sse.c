/* Incremental text/event-stream (SSE) parser, per the WHATWG HTML spec. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

static const unsigned char sse_bom[3] = { 0xef, 0xbb, 0xbf };

void
sse_init(struct sse_parser *p, sse_cb cb, void *user, size_t max_event_bytes)
{
	memset(p, 0, sizeof(*p));
	p->cb = cb;
	p->user = user;
	p->max_event = max_event_bytes;
	p->retry_ms = -1;
}

/* Appends n bytes and keeps the buffer NUL-terminated. */
static enum err
buf_add(struct sse_buf *b, const char *s, size_t n)
{
	size_t cap;
	char *np;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? 64 : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return ERR_NOMEM;
		b->p = np;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return ERR_OK;
}

static enum err
buf_set(struct sse_buf *b, const char *s, size_t n)
{
	b->len = 0;
	return buf_add(b, s, n);
}

static const char *
buf_str(const struct sse_buf *b)
{
	return b->len > 0 ? b->p : "";
}

/* Parses a retry value: ASCII digits only, at least one, no overflow. */
static int
parse_retry(const char *s, size_t n, long *out)
{
	long v = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (v > (LONG_MAX - (s[i] - '0')) / 10)
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static enum err
dispatch(struct sse_parser *p)
{
	struct sse_event ev;
	enum err e;

	if (buf_set(&p->last_id, buf_str(&p->id), p->id.len) != ERR_OK)
		return ERR_NOMEM;
	/* An event without any data line is not dispatched. */
	if (p->data.len == 0) {
		p->type.len = 0;
		return ERR_OK;
	}
	/* Drop the LF that followed the last data line. */
	p->data.len--;
	p->data.p[p->data.len] = '\0';
	ev.type = p->type.len > 0 ? p->type.p : "message";
	ev.data = p->data.p;
	ev.data_len = p->data.len;
	ev.id = buf_str(&p->last_id);
	ev.retry_ms = p->retry_ms;
	e = p->cb(p->user, &ev);
	p->data.len = 0;
	p->type.len = 0;
	return e;
}

/* Interprets one complete line (without its terminator). */
static enum err
process_line(struct sse_parser *p, const char *s, size_t n)
{
	const char *colon, *val;
	size_t flen, vlen;
	long retry;

	if (n == 0)
		return dispatch(p);
	if (s[0] == ':')
		return ERR_OK;
	if ((colon = memchr(s, ':', n)) != NULL) {
		flen = colon - s;
		val = colon + 1;
		vlen = n - flen - 1;
		if (vlen > 0 && val[0] == ' ') {
			val++;
			vlen--;
		}
	} else {
		flen = n;
		val = s + n;
		vlen = 0;
	}
	if (flen == 4 && memcmp(s, "data", 4) == 0) {
		if (p->data.len + vlen + 1 > p->max_event)
			return ERR_TOOBIG;
		if (buf_add(&p->data, val, vlen) != ERR_OK ||
		    buf_add(&p->data, "\n", 1) != ERR_OK)
			return ERR_NOMEM;
	} else if (flen == 5 && memcmp(s, "event", 5) == 0) {
		if (buf_set(&p->type, val, vlen) != ERR_OK)
			return ERR_NOMEM;
	} else if (flen == 2 && memcmp(s, "id", 2) == 0) {
		/* An id containing NUL is ignored, as the spec says. */
		if (memchr(val, '\0', vlen) == NULL &&
		    buf_set(&p->id, val, vlen) != ERR_OK)
			return ERR_NOMEM;
	} else if (flen == 5 && memcmp(s, "retry", 5) == 0) {
		if (parse_retry(val, vlen, &retry))
			p->retry_ms = retry;
	}
	/* Any other field is ignored. */
	return ERR_OK;
}

/* Consumes the bytes of a leading BOM; returns how many were used. */
static size_t
skip_bom(struct sse_parser *p, const unsigned char *s, size_t len)
{
	size_t used = 0;

	while (p->bom < 3 && used < len) {
		if (s[used] != sse_bom[p->bom]) {
			/* Not a BOM: what matched so far is line content. */
			if (buf_add(&p->line, (const char *)sse_bom, p->bom) !=
			    ERR_OK)
				p->failed = ERR_NOMEM;
			p->bom = 3;
			return used;
		}
		p->bom++;
		used++;
	}
	return used;
}

enum err
sse_feed(struct sse_parser *p, const void *buf, size_t len)
{
	const char *s = buf, *end, *eol;
	size_t seg, max_line;
	enum err e;

	if (p->failed != ERR_OK)
		return p->failed;
	if (p->bom < 3) {
		seg = skip_bom(p, buf, len);
		s += seg;
		len -= seg;
		if (p->failed != ERR_OK)
			return p->failed;
	}
	end = s + len;
	max_line = p->max_event + SSE_LINE_SLACK;
	while (s < end) {
		if (p->after_cr) {
			p->after_cr = 0;
			if (*s == '\n') {
				s++;
				continue;
			}
		}
		for (eol = s; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		seg = eol - s;
		if (p->line.len + seg > max_line) {
			e = ERR_TOOBIG;
			goto fail;
		}
		if (eol == end) {
			/* No terminator yet: keep the partial line. */
			if (buf_add(&p->line, s, seg) != ERR_OK) {
				e = ERR_NOMEM;
				goto fail;
			}
			break;
		}
		if (p->line.len == 0) {
			e = process_line(p, s, seg);
		} else {
			if (buf_add(&p->line, s, seg) != ERR_OK) {
				e = ERR_NOMEM;
				goto fail;
			}
			e = process_line(p, p->line.p, p->line.len);
			p->line.len = 0;
		}
		if (e != ERR_OK)
			goto fail;
		if (*eol == '\r')
			p->after_cr = 1;
		s = eol + 1;
	}
	return ERR_OK;
fail:
	p->failed = e;
	return e;
}

const char *
sse_last_id(const struct sse_parser *p)
{
	return buf_str(&p->last_id);
}

void
sse_free(struct sse_parser *p)
{
	free(p->line.p);
	free(p->data.p);
	free(p->type.p);
	free(p->id.p);
	free(p->last_id.p);
	memset(p, 0, sizeof(*p));
	p->failed = ERR_INVAL;
}
