/* Bytes in memory as a sink and a source (see membuf.h). */
#include "util/membuf.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

int membuf_reserve(struct membuf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 4096;
	unsigned char *grown;

	if (extra <= b->cap - b->len)
		return 0;
	while (cap - b->len < extra)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (grown == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	b->data = grown;
	b->cap = cap;
	return 0;
}

int membuf_put(struct membuf *b, const void *data, size_t len)
{
	if (membuf_reserve(b, len) < 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int membuf_read(struct membuf *b, struct source *src, size_t limit, const char *label)
{
	unsigned char buf[16384];
	ssize_t n;

	while ((n = source_read(src, buf, sizeof(buf))) > 0) {
		if (b->len > limit || (size_t)n > limit - b->len) {
			fail(EXIT_CORRUPT, "%s is larger than expected", label);
			n = -1;
			break;
		}
		if (membuf_put(b, buf, (size_t)n) < 0) {
			n = -1;
			break;
		}
	}
	source_close(src);
	return n < 0 ? -1 : 0;
}

void membuf_free(struct membuf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------ the sink */

struct membuf_sink {
	struct sink base;
	struct membuf *b;
	size_t began; /* b->len when the sink was made: what abort goes back to */
};

static int sink_put(struct sink *base, const void *data, size_t len)
{
	return membuf_put(((struct membuf_sink *)base)->b, data, len);
}

static int sink_keep(struct sink *base)
{
	free(base);
	return 0;
}

static void sink_drop(struct sink *base)
{
	struct membuf_sink *m = (struct membuf_sink *)base;

	m->b->len = m->began;
	free(m);
}

struct sink *membuf_sink(struct membuf *b)
{
	struct membuf_sink *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	m->base = (struct sink){sink_put, sink_keep, sink_drop};
	m->b = b;
	m->began = b->len;
	return &m->base;
}

/* ------------------------------------------------------------ the source */

struct membuf_source {
	struct source base;
	const unsigned char *data;
	size_t len, pos;
};

static ssize_t source_give(struct source *base, void *buf, size_t len)
{
	struct membuf_source *m = (struct membuf_source *)base;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void source_done(struct source *base)
{
	free(base);
}

struct source *membuf_source(const void *data, size_t len)
{
	struct membuf_source *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	m->base = (struct source){source_give, source_done};
	m->data = data;
	m->len = len;
	return &m->base;
}
