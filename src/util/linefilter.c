#include "util/linefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct line_out {
	char *data;
	size_t len, cap, off; /* off: how much the reader has taken */
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

static int reserve(struct line_out *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 65536;
	char *grown;

	if (b->len + extra <= b->cap)
		return 0;
	while (cap < b->len + extra)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (grown == NULL) {
		fail(EXIT_INTERNAL, "out of memory while reading the dump");
		return -1;
	}
	b->data = grown;
	b->cap = cap;
	return 0;
}

int line_emit(struct line_out *out, const char *data, size_t len)
{
	if (reserve(out, len) < 0)
		return -1;
	memcpy(out->data + out->len, data, len);
	out->len += len;
	return 0;
}

/* Hands every whole line buffered to the callback; keeps an unfinished one. */
static int split_lines(struct line_filter *f)
{
	size_t start = 0;

	while (!f->rest_as_is && start < f->line.len) {
		char *nl = memchr(f->line.data + start, '\n', f->line.len - start);
		size_t len = nl ? (size_t)(nl - (f->line.data + start)) + 1 : f->line.len - start;

		if (nl == NULL && !f->inner_done)
			break;
		if (f->ops->line(f->state, f->line.data + start, len, &f->pending, &f->rest_as_is) <
		    0)
			return -1;
		start += len;
	}
	if (f->rest_as_is && line_emit(&f->pending, f->line.data + start, f->line.len - start) < 0)
		return -1;
	if (f->rest_as_is)
		start = f->line.len;
	memmove(f->line.data, f->line.data + start, f->line.len - start);
	f->line.len -= start;
	return 0;
}

static ssize_t take_pending(struct line_filter *f, void *buf, size_t len)
{
	size_t n = f->pending.len - f->pending.off;

	if (n > len)
		n = len;
	memcpy(buf, f->pending.data + f->pending.off, n);
	f->pending.off += n;
	if (f->pending.off == f->pending.len)
		f->pending.len = f->pending.off = 0;
	return (ssize_t)n;
}

static ssize_t filter_read(struct source *s, void *buf, size_t len)
{
	struct line_filter *f = (struct line_filter *)s;

	for (;;) {
		ssize_t n;

		if (f->pending.len > f->pending.off)
			return take_pending(f, buf, len);
		if (f->inner_done) {
			if (f->ended)
				return 0;
			f->ended = 1;
			if (f->ops->end != NULL && f->ops->end(f->state, &f->pending) < 0)
				return -1;
			continue;
		}
		if (f->rest_as_is && f->line.len == 0) {
			/* Past the lines of interest: straight through, no copy. */
			n = source_read(f->inner, buf, len);
			if (n == 0)
				f->inner_done = 1;
			if (n != 0)
				return n;
			continue;
		}
		if (reserve(&f->line, 65536) < 0)
			return -1;
		n = source_read(f->inner, f->line.data + f->line.len, f->line.cap - f->line.len);
		if (n < 0)
			return -1;
		f->inner_done = n == 0;
		f->line.len += (size_t)n;
		if (split_lines(f) < 0)
			return -1;
	}
}

static void filter_close(struct source *s)
{
	struct line_filter *f = (struct line_filter *)s;

	source_close(f->inner);
	f->ops->free(f->state);
	free(f->line.data);
	free(f->pending.data);
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
