/* Fuzz target: the incremental SSE parser, fed in input-chosen chunks. */
#include "fuzz.h"
#include "sse.h"

static enum err
on_event(void *user, const struct sse_event *ev)
{
	size_t *n = user;

	*n += ev->data_len;
	return ERR_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sse_parser p;
	size_t n = 0, off = 1, chunk;

	log_set_level(LOG_LVL_ERROR);
	if (size == 0)
		return 0;
	/* The first byte sets the chunk size, so splits land everywhere. */
	chunk = (size_t)(data[0] % 17) + 1;
	sse_init(&p, on_event, &n, 4096);
	while (off < size) {
		size_t k = size - off < chunk ? size - off : chunk;

		if (sse_feed(&p, data + off, k) != ERR_OK)
			break;
		off += k;
	}
	sse_free(&p);
	return 0;
}
