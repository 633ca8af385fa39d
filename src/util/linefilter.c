#include "util/linefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/membuf.h"

struct line_out {
	struct membuf b;
	size_t off; /* how much of b the reader has taken */
};

struct line_filter {
	struct source base;
	struct source *inner;
	const struct line_filter_ops *ops;
	void *state;
	struct line_out line;	 /* input not yet split into lines */
	struct line_out pending; /* output the reader has not taken */
	int rest_as_is, inner_done, ended;
};

int line_emit(struct line_out *out, const char *data, size_t len)
{
	return membuf_put(&out->b, data, len);
}

/* Hands every whole line buffered to the callback; keeps an unfinished one. */
static int split_lines(struct line_filter *f)
{
	char *data = (char *)f->line.b.data;
	size_t start = 0, have = f->line.b.len;

	while (!f->rest_as_is && start < have) {
		char *nl = memchr(data + start, '\n', have - start);
		size_t len = nl ? (size_t)(nl - (data + start)) + 1 : have - start;

		if (nl == NULL && !f->inner_done)
			break;
		if (f->ops->line(f->state, data + start, len, &f->pending, &f->rest_as_is) < 0)
			return -1;
		start += len;
	}
	if (f->rest_as_is && line_emit(&f->pending, data + start, have - start) < 0)
		return -1;
	if (f->rest_as_is)
		start = have;
	memmove(data, data + start, have - start);
	f->line.b.len -= start;
	return 0;
}

static ssize_t take_pending(struct line_filter *f, void *buf, size_t len)
{
	size_t n = f->pending.b.len - f->pending.off;

	if (n > len)
		n = len;
	memcpy(buf, f->pending.b.data + f->pending.off, n);
	f->pending.off += n;
	if (f->pending.off == f->pending.b.len)
		f->pending.b.len = f->pending.off = 0;
	return (ssize_t)n;
}

static ssize_t filter_read(struct source *s, void *buf, size_t len)
{
	struct line_filter *f = (struct line_filter *)s;

	for (;;) {
		ssize_t n;

		if (f->pending.b.len > f->pending.off)
			return take_pending(f, buf, len);
		if (f->inner_done) {
			if (f->ended)
				return 0;
			f->ended = 1;
			if (f->ops->end != NULL && f->ops->end(f->state, &f->pending) < 0)
				return -1;
			continue;
		}
		if (f->rest_as_is && f->line.b.len == 0) {
			/* Past the lines of interest: straight through, no copy. */
			n = source_read(f->inner, buf, len);
			if (n == 0)
				f->inner_done = 1;
			if (n != 0)
				return n;
			continue;
		}
		if (membuf_reserve(&f->line.b, 65536) < 0)
			return -1;
		n = source_read(f->inner, f->line.b.data + f->line.b.len,
				f->line.b.cap - f->line.b.len);
		if (n < 0)
			return -1;
		f->inner_done = n == 0;
		f->line.b.len += (size_t)n;
		if (split_lines(f) < 0)
			return -1;
	}
}

static void filter_close(struct source *s)
{
	struct line_filter *f = (struct line_filter *)s;

	source_close(f->inner);
	f->ops->free(f->state);
	membuf_free(&f->line.b);
	membuf_free(&f->pending.b);
	free(f);
}

struct source *line_filter_source(struct source *inner, const struct line_filter_ops *ops,
				  void *state)
{
	struct line_filter *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		source_close(inner);
		ops->free(state);
		return NULL;
	}
	f->base.read = filter_read;
	f->base.close = filter_close;
	f->inner = inner;
	f->ops = ops;
	f->state = state;
	return &f->base;
}
