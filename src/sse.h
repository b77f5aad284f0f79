/* Incremental text/event-stream (SSE) parser, per the WHATWG HTML spec. */
#ifndef MCPGW_SSE_H
#define MCPGW_SSE_H

#include <stddef.h>

#include "err.h"

/* Extra bytes a line may hold beyond max_event_bytes (field name, colon). */
#define SSE_LINE_SLACK 64

/*
 * One dispatched event. Every pointer is borrowed from the parser and is
 * valid during the callback only.
 */
struct sse_event {
	const char *type; /* the event field, "message" when absent */
	const char *data; /* data lines joined with '\n', NUL-terminated */
	size_t data_len; /* may be 0: "data:\n\n" dispatches empty data */
	const char *id; /* the last event id so far, "" when none */
	long retry_ms; /* the last valid retry field so far, -1 when none */
};

/*
 * Called once per dispatched event. A value other than ERR_OK stops the
 * parser: sse_feed() returns it, now and on every later call.
 */
typedef enum err (*sse_cb)(void *user, const struct sse_event *ev);

/* Parser state. Opaque to callers: use the functions below. */
struct sse_buf {
	char *p;
	size_t len, cap;
};

struct sse_parser {
	sse_cb cb;
	void *user;
	size_t max_event; /* cap on an event's data and, plus slack, a line */
	struct sse_buf line; /* the current incomplete line */
	struct sse_buf data; /* data buffer of the event being built */
	struct sse_buf type; /* event type buffer */
	struct sse_buf id; /* last event id buffer (persists across events) */
	struct sse_buf last_id; /* the id buffer as of the last blank line */
	long retry_ms;
	int bom; /* bytes of a leading BOM matched; 3 once decided */
	int after_cr; /* the last byte was CR: skip one following LF */
	enum err failed; /* sticky error, ERR_OK while healthy */
};

/*
 * Prepares p. Nothing is allocated until data arrives. max_event_bytes
 * bounds the data of one event; a line longer than max_event_bytes +
 * SSE_LINE_SLACK or an event with more data gives ERR_TOOBIG.
 */
void
sse_init(struct sse_parser *p, sse_cb cb, void *user, size_t max_event_bytes);

/*
 * Feeds the next len bytes of the stream, split anywhere. Lines end in LF,
 * CR or CRLF (a CRLF may straddle two calls); a UTF-8 BOM at the very start
 * is dropped; lines starting with ':' are comments; a blank line dispatches
 * the event unless its data buffer is empty (so a block of only "id:" sets
 * the last event id without dispatching). Bytes are passed through as they
 * are (no UTF-8 decoding). Returns ERR_OK, ERR_TOOBIG, ERR_NOMEM or the
 * callback's error; after an error every later call returns it again.
 * An incomplete event at the end of the stream is simply never dispatched.
 */
enum err sse_feed(struct sse_parser *p, const void *buf, size_t len) MUST_CHECK;

/*
 * The last event id string: the id buffer as of the last blank line (so a
 * priming "id: X" block counts once its blank line arrives), "" when none.
 * Valid until the next sse_feed() or sse_free().
 */
const char *sse_last_id(const struct sse_parser *p);

/* Frees the parser's buffers (p itself belongs to the caller). */
void sse_free(struct sse_parser *p);

#endif
