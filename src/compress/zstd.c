/*
 * zstd: one frame, compressed by libzstd's own worker threads; the .zst file
 * that `zstd -d` reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

#include "util/log.h"
#include "compress/codec.h"

struct zstd_sink {
	struct sink base;
	struct sink *inner;
	ZSTD_CCtx *cctx;
	char label[128];
	size_t out_cap;
	unsigned char *out;
};

/* Compresses what in holds (possibly nothing) with mode and writes the output. */
static int zstd_pump(struct zstd_sink *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer out = {z->out, z->out_cap, 0};
		size_t left = ZSTD_compressStream2(z->cctx, &out, in, mode);

		if (ZSTD_isError(left)) {
			fail(EXIT_INTERNAL, "compressing %s failed: %s", z->label,
			     ZSTD_getErrorName(left));
			return -1;
		}
		if (out.pos > 0 && sink_write(z->inner, z->out, out.pos) < 0)
			return -1;
		if (mode == ZSTD_e_continue ? in->pos == in->size : left == 0)
			return 0;
	}
}

static int zstd_write(struct sink *s, const void *buf, size_t len)
{
	struct zstd_sink *z = (struct zstd_sink *)s;
	ZSTD_inBuffer in = {buf, len, 0};

	return zstd_pump(z, &in, ZSTD_e_continue);
}

static void zstd_free(struct zstd_sink *z)
{
	ZSTD_freeCCtx(z->cctx);
	free(z->out);
	free(z);
}

static int zstd_commit(struct sink *s)
{
	struct zstd_sink *z = (struct zstd_sink *)s;
	struct sink *inner = z->inner;
	ZSTD_inBuffer none = {NULL, 0, 0};
	int rc = zstd_pump(z, &none, ZSTD_e_end);

	zstd_free(z);
	if (rc < 0) {
		sink_abort(inner);
		return -1;
	}
	return sink_commit(inner);
}

static void zstd_abort(struct sink *s)
{
	struct zstd_sink *z = (struct zstd_sink *)s;

	sink_abort(z->inner);
	zstd_free(z);
}

static struct sink *zstd_sink_new(struct sink *inner, int level, int threads, const char *label)
{
	struct zstd_sink *z = calloc(1, sizeof(*z));

	if (z == NULL)
		goto fail;
	z->base.write = zstd_write;
	z->base.commit = zstd_commit;
	z->base.abort = zstd_abort;
	z->inner = inner;
	snprintf(z->label, sizeof(z->label), "%s", label);
	z->out_cap = ZSTD_CStreamOutSize();
	z->out = malloc(z->out_cap);
	z->cctx = ZSTD_createCCtx();
	if (z->out == NULL || z->cctx == NULL ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1))) {
		zstd_free(z);
		goto fail;
	}
	/* Workers compress while we read the dump; a build without threads still works. */
	if (threads > 1 && ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, threads)))
		log_warn("this libzstd has no worker threads: compressing %s on one thread", label);
	return &z->base;
fail:
	fail(EXIT_INTERNAL, "cannot set up zstd compression for %s", label);
	sink_abort(inner);
	return NULL;
}

struct unzstd_source {
	struct source base;
	struct source *inner;
	ZSTD_DCtx *dctx;
	ZSTD_inBuffer in;
	size_t in_cap;
	unsigned char *in_buf;
	size_t frame_left; /* what the last call said it still needs; 0 at a frame's end */
	int inner_done;
	char label[256];
};

static ssize_t unzstd_read(struct source *s, void *buf, size_t len)
{
	struct unzstd_source *u = (struct unzstd_source *)s;
	ZSTD_outBuffer out = {buf, len, 0};

	while (out.pos == 0) {
		if (u->in.pos == u->in.size && !u->inner_done) {
			ssize_t n = source_read(u->inner, u->in_buf, u->in_cap);

			if (n < 0)
				return -1;
			u->inner_done = n == 0;
			u->in.src = u->in_buf;
			u->in.size = (size_t)n;
			u->in.pos = 0;
		}
		if (u->in.pos == u->in.size && u->inner_done) {
			if (u->frame_left == 0)
				return 0;
			fail(EXIT_CORRUPT,
			     "%s ends in the middle of its zstd frame: the backup is truncated",
			     u->label);
			return -1;
		}
		u->frame_left = ZSTD_decompressStream(u->dctx, &out, &u->in);
		if (ZSTD_isError(u->frame_left)) {
			fail(EXIT_CORRUPT, "%s is not valid zstd (%s): the backup is damaged",
			     u->label, ZSTD_getErrorName(u->frame_left));
			return -1;
		}
	}
	return (ssize_t)out.pos;
}

static void unzstd_close(struct source *s)
{
	struct unzstd_source *u = (struct unzstd_source *)s;

	ZSTD_freeDCtx(u->dctx);
	source_close(u->inner);
	free(u->in_buf);
	free(u);
}

static struct source *zstd_source_new(struct source *inner, const char *label)
{
	struct unzstd_source *u = calloc(1, sizeof(*u));

	if (u != NULL) {
		u->in_cap = ZSTD_DStreamInSize();
		u->in_buf = malloc(u->in_cap);
		u->dctx = ZSTD_createDCtx();
	}
	if (u == NULL || u->in_buf == NULL || u->dctx == NULL) {
		if (u != NULL) {
			ZSTD_freeDCtx(u->dctx);
			free(u->in_buf);
			free(u);
		}
		source_close(inner);
		fail(EXIT_INTERNAL, "cannot set up zstd decompression for %s", label);
		return NULL;
	}
	u->base.read = unzstd_read;
	u->base.close = unzstd_close;
	u->inner = inner;
	u->frame_left = 1; /* nothing read yet: an empty file is truncated */
	snprintf(u->label, sizeof(u->label), "%s", label);
	return &u->base;
}

const struct codec codec_zstd = {
    .name = "zstd",
    .suffix = ".zst",
    /* Level 1 with worker threads: measured smaller and faster than 3 on dumps. */
    .default_level = 1,
    .min_level = 1,
    .max_level = 19,
    .sink = zstd_sink_new,
    .source = zstd_source_new,
};
