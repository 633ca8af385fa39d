/*
 * gzip: written as independent gzip members, one per block, compressed in
 * parallel with libdeflate; a concatenation of members is one valid gzip
 * stream that gunzip and zlib read. Read back with zlib's streaming inflate.
 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "util/log.h"
#include "compress/blockpool.h"
#include "compress/codec.h"

/* Large enough that member boundaries cost little ratio (under 0.5%). */
enum { GZIP_BLOCK = 1024 * 1024, READ_CHUNK = 256 * 1024 };

static void *deflate_state_new(int level)
{
	return libdeflate_alloc_compressor(level);
}

static void deflate_state_free(void *state)
{
	libdeflate_free_compressor(state);
}

static size_t deflate_block(void *state, const void *in, size_t in_len, void *out, size_t cap)
{
	return libdeflate_gzip_compress(state, in, in_len, out, cap);
}

static size_t deflate_bound(int level, size_t block_size)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
	size_t bound = c ? libdeflate_gzip_compress_bound(c, block_size) : 0;

	libdeflate_free_compressor(c);
	return bound;
}

static const struct block_codec gzip_blocks = {
    .block_size = GZIP_BLOCK,
    .bound = deflate_bound,
    .state_new = deflate_state_new,
    .state_free = deflate_state_free,
    .compress = deflate_block,
};

static struct sink *gzip_sink(struct sink *inner, int level, int threads, const char *label)
{
	return blockpool_sink(&gzip_blocks, inner, level, threads, label);
}

struct gunzip_source {
	struct source base;
	struct source *inner;
	z_stream z;
	int inner_done;
	int member_done; /* the last member ended where the input may end */
	char label[256];
	unsigned char in[READ_CHUNK];
};

static int gunzip_refill(struct gunzip_source *g)
{
	ssize_t n = source_read(g->inner, g->in, sizeof(g->in));

	if (n < 0)
		return -1;
	if (n == 0)
		g->inner_done = 1;
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)n;
	return 0;
}

static ssize_t gunzip_read(struct source *s, void *buf, size_t len)
{
	struct gunzip_source *g = (struct gunzip_source *)s;

	g->z.next_out = buf;
	g->z.avail_out = (uInt)(len > (1u << 30) ? (1u << 30) : len);
	while (g->z.next_out == (Bytef *)buf) {
		int zrc;

		if (g->z.avail_in == 0 && !g->inner_done && gunzip_refill(g) < 0)
			return -1;
		if (g->z.avail_in == 0 && g->inner_done) {
			if (g->member_done)
				return 0;
			fail(EXIT_CORRUPT,
			     "%s ends in the middle of its gzip stream: the backup is truncated",
			     g->label);
			return -1;
		}
		if (g->member_done) {
			/* Another member follows: concatenated members are one gzip stream. */
			inflateReset(&g->z);
			g->member_done = 0;
		}
		zrc = inflate(&g->z, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END) {
			g->member_done = 1;
		} else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			fail(EXIT_CORRUPT, "%s is not valid gzip (%s): the backup is damaged",
			     g->label, g->z.msg ? g->z.msg : "corrupt data");
			return -1;
		}
	}
	return (ssize_t)((Bytef *)g->z.next_out - (Bytef *)buf);
}

static void gunzip_close(struct source *s)
{
	struct gunzip_source *g = (struct gunzip_source *)s;

	inflateEnd(&g->z);
	source_close(g->inner);
	free(g);
}

static struct source *gzip_source(struct source *inner, const char *label)
{
	struct gunzip_source *g = calloc(1, sizeof(*g));

	/* windowBits 15 + 16: gzip headers only. */
	if (g == NULL || inflateInit2(&g->z, 15 + 16) != Z_OK) {
		free(g);
		source_close(inner);
		fail(EXIT_INTERNAL, "cannot set up decompression for %s", label);
		return NULL;
	}
	g->base.read = gunzip_read;
	g->base.close = gunzip_close;
	g->inner = inner;
	snprintf(g->label, sizeof(g->label), "%s", label);
	return &g->base;
}

const struct codec codec_gzip = {
    .name = "gzip",
    .suffix = ".gz",
    /* libdeflate's level 1 compresses about as well as gzip -6, several times faster. */
    .default_level = 1,
    .min_level = 1,
    .max_level = 12,
    .sink = gzip_sink,
    .source = gzip_source,
};
