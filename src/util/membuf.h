/*
 * Bytes in memory as a sink and a source: what a stage writes into when the
 * name of the object depends on what it holds (a chunk, encrypted, is named
 * and sized only once it is whole), and what reads it back.
 */
#ifndef TIERDUMP_MEMBUF_H
#define TIERDUMP_MEMBUF_H

#include <stddef.h>

#include "util/stream.h"

struct membuf {
	unsigned char *data;
	size_t len, cap;
};

/* Makes room for extra more bytes after b->len. Returns 0, or -1 after fail(). */
int membuf_reserve(struct membuf *b, size_t extra);

/* Appends len bytes. Returns 0, or -1 after fail(). */
int membuf_put(struct membuf *b, const void *data, size_t len);

/*
 * A sink that appends to b (b's, not the sink's: it outlives it); commit
 * keeps what was written, abort drops it (b->len back to what it was).
 */
struct sink *membuf_sink(struct membuf *b);

/* A source giving out len bytes at data, which must outlive it. NULL after fail(). */
struct source *membuf_source(const void *data, size_t len);

/*
 * Appends all of src (closing it) to b, failing (EXIT_CORRUPT, naming
 * label) once b would hold more than limit bytes. Returns 0, or -1 after fail().
 */
int membuf_read(struct membuf *b, struct source *src, size_t limit, const char *label);

/* Frees what b holds, wiping it first (it may be a secret); b itself is the caller's. */
void membuf_free(struct membuf *b);

#endif
