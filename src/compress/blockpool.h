/*
 * Parallel block compression with bounded memory: the stream is cut into
 * blocks, worker threads compress them independently, and the caller's
 * thread writes the results in order. A fixed number of blocks is in flight,
 * so memory stays the same whatever the size of the dump.
 */
#ifndef TIERDUMP_BLOCKPOOL_H
#define TIERDUMP_BLOCKPOOL_H

#include <stddef.h>

#include "util/stream.h"

/*
 * Compresses in[0..in_len) into out (out_cap bytes) with the worker's own
 * state; returns the compressed length, or 0 on failure.
 */
typedef size_t (*block_compress_fn)(void *state, const void *in, size_t in_len, void *out,
				    size_t out_cap);

struct block_codec {
	size_t block_size;
	/* The most compress can write for block_size bytes at level. */
	size_t (*bound)(int level, size_t block_size);
	/* Per-worker state, e.g. a libdeflate compressor; NULL means failure. */
	void *(*state_new)(int level);
	void (*state_free)(void *);
	block_compress_fn compress;
};

/*
 * A sink that compresses with threads workers and writes each block's output
 * to inner, in order. Owns inner. Returns NULL after fail().
 */
struct sink *blockpool_sink(const struct block_codec *bc, struct sink *inner, int level,
			    int threads, const char *label);

#endif
