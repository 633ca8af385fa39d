/*
 * Compression codecs: gzip (parallel blocks with libdeflate, read back with
 * zlib), zstd (libzstd's own worker threads) and none. Each exports one const
 * codec, found by name in a NULL-terminated registry.
 */
#ifndef TIERDUMP_CODEC_H
#define TIERDUMP_CODEC_H

#include "util/stream.h"

struct codec {
	const char *name;   /* as in BACKUP_COMPRESSION and the manifest */
	const char *suffix; /* appended to the dump's file name */
	int default_level, min_level, max_level;
	/*
	 * A sink that compresses into inner, which it owns, with up to threads
	 * worker threads. Returns NULL after fail(), having aborted inner.
	 */
	struct sink *(*sink)(struct sink *inner, int level, int threads, const char *label);
	/*
	 * A source that decompresses inner, which it owns, failing with a
	 * message naming label on a truncated or corrupt stream.
	 * Returns NULL after fail(), having closed inner.
	 */
	struct source *(*source)(struct source *inner, const char *label);
};

/* The codec called name, or NULL after fail(). */
const struct codec *codec_find(const char *name);

/*
 * The level to compress at: requested (BACKUP_COMPRESSION_LEVEL), or the
 * codec's default when requested is negative (not set). Returns it, or -1
 * after fail() when requested is out of the codec's range.
 */
int codec_level(const struct codec *codec, long requested);

extern const struct codec codec_gzip, codec_zstd, codec_none;

#endif
