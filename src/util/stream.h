/*
 * The two stream interfaces every stage speaks: a sink takes bytes, a source
 * gives them. Stores, compressors and checksums are sinks and sources that
 * wrap one another, so one dump loop writes to a file, S3 or FTPS alike.
 */
#ifndef TIERDUMP_STREAM_H
#define TIERDUMP_STREAM_H

#include <stddef.h>
#include <sys/types.h>

struct sink {
	/* Returns 0 or -1 (logged). */
	int (*write)(struct sink *, const void *buf, size_t len);
	/* Makes everything written durable and visible, then frees the sink. */
	int (*commit)(struct sink *);
	/* Discards everything written, then frees the sink. */
	void (*abort)(struct sink *);
};

struct source {
	/* Returns the number of bytes read, 0 at the end, or -1 (logged). */
	ssize_t (*read)(struct source *, void *buf, size_t len);
	/* Frees the source; accepts NULL through source_close(). */
	void (*close)(struct source *);
};

static inline int sink_write(struct sink *s, const void *buf, size_t len)
{
	return s->write(s, buf, len);
}

static inline int sink_commit(struct sink *s)
{
	return s->commit(s);
}

static inline void sink_abort(struct sink *s)
{
	if (s != NULL)
		s->abort(s);
}

static inline ssize_t source_read(struct source *s, void *buf, size_t len)
{
	return s->read(s, buf, len);
}

static inline void source_close(struct source *s)
{
	if (s != NULL)
		s->close(s);
}

/*
 * Reads a small source (a manifest, row counts: at most 16 MiB) to its end
 * into a new NUL-terminated string the caller frees, and closes it.
 * Returns NULL after fail() naming label.
 */
char *source_read_text(struct source *src, const char *label);

#endif
