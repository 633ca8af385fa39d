/*
 * The stages between an engine and a store. On the way in: a meter (bytes in,
 * progress), the codec (compression), a hash (SHA-256 and size of the bytes
 * stored), the store. On the way out: checksum verification, then the codec's
 * decompression.
 */
#ifndef TIERDUMP_PIPELINE_H
#define TIERDUMP_PIPELINE_H

#include <stdint.h>
#include <time.h>

#include "compress/codec.h"
#include "pipeline/age.h"
#include "util/digest.h"
#include "util/stream.h"

struct pipeline_stats {
	uint64_t raw_bytes;    /* what the engine wrote */
	uint64_t stored_bytes; /* what reached the store */
	char sha256[DIGEST_HEX_LEN + 1];
	struct timespec began;
};

/*
 * A sink that compresses with codec at level on up to threads threads,
 * encrypts to age's recipients when age is not NULL, into store, hashing
 * what it stores (the encrypted bytes) and logging progress. On commit it fills
 * *stats (which must outlive the sink) and commits store; on abort it aborts
 * store. Owns store. Returns NULL after fail().
 */
struct sink *pipeline_sink(struct sink *store, const struct codec *codec, int level, int threads,
			   const struct age_keys *age, const char *label,
			   struct pipeline_stats *stats);

/* Zeroes stats and starts its clock. */
void pipeline_stats_start(struct pipeline_stats *stats);

/*
 * The first stage of every way in: counts what the engine writes into
 * stats->raw_bytes and logs progress (with stats->stored_bytes, which the
 * later stages keep) on long dumps. Owns inner.
 */
struct sink *pipeline_meter(struct sink *inner, const char *label, struct pipeline_stats *stats);

/* Seconds since stats->began. */
double pipeline_elapsed(const struct pipeline_stats *stats);

/*
 * Reads all of source and checks its size and SHA-256 (hex) against what
 * the manifest says. Returns 0, or -1 after fail() naming label. Closes source.
 */
int pipeline_verify(struct source *source, uint64_t want_size, const char *want_sha256,
		    const char *label);

/*
 * A source that hashes and counts what it reads from inner (which it owns):
 * when closed, stats->stored_bytes and stats->sha256 describe what was read.
 * Returns NULL after fail(), having closed inner.
 */
struct source *pipeline_hash_source(struct source *inner, struct pipeline_stats *stats);

/* Reads source to the end, discarding it. Returns 0 or -1. Closes source. */
int pipeline_drain(struct source *source);

#endif
