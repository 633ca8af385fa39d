/*
 * The stages between an engine and a store: gzip compression with a SHA-256
 * of the bytes stored on the way in; checksum verification and gunzip on the
 * way out.
 */
#ifndef TIERDUMP_PIPELINE_H
#define TIERDUMP_PIPELINE_H

#include <stdint.h>

#include "manifest.h"
#include "stream.h"

struct pipeline_stats {
	uint64_t raw_bytes;    /* what the engine wrote */
	uint64_t stored_bytes; /* what reached the store */
	char sha256[SHA256_HEX_LEN + 1];
};

/*
 * A sink that gzips into inner and hashes what it stores. On commit it fills
 * *stats and commits inner; on abort it aborts inner. It owns inner.
 * name labels log lines. Returns NULL after fail().
 */
struct sink *pipeline_gzip_sink(struct sink *inner, int level, const char *name,
				struct pipeline_stats *stats);

/*
 * Reads all of source and checks its size and SHA-256 against f.
 * Returns 0, or -1 after fail() naming label. Closes source.
 */
int pipeline_verify(struct source *source, const struct manifest_file *f, const char *label);

/*
 * A source that gunzips inner (one or more gzip members), failing on a
 * truncated or corrupt stream with a message naming label. Owns inner.
 */
struct source *pipeline_gunzip_source(struct source *inner, const char *label);

/* Reads source to the end, discarding it. Returns 0 or -1. Closes source. */
int pipeline_drain(struct source *source);

#endif
