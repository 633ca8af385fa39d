#include "pipeline.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/log.h"

enum { OUT_CHUNK = 256 * 1024, IN_CHUNK = 256 * 1024 };

static void hex_digest(EVP_MD_CTX *md, char *hex)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(md, digest, &len);
	for (unsigned int i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
}

/* ---------------------------------------------------------------- gzip sink */

struct gzip_sink {
	struct sink base;
	struct sink *inner;
	z_stream z;
	EVP_MD_CTX *md;
	struct pipeline_stats *stats;
	char name[256];
	unsigned char out[OUT_CHUNK];
};

/* Runs deflate with flush and passes what it produced on, hashed. */
static int gzip_pump(struct gzip_sink *g, int flush)
{
	int zrc;

	do {
		size_t produced;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		zrc = deflate(&g->z, flush);
		if (zrc == Z_STREAM_ERROR) {
			fail(EXIT_INTERNAL, "compressing %s failed", g->name);
			return -1;
		}
		produced = sizeof(g->out) - g->z.avail_out;
		if (produced == 0)
			continue;
		EVP_DigestUpdate(g->md, g->out, produced);
		g->stats->stored_bytes += produced;
		if (sink_write(g->inner, g->out, produced) < 0)
			return -1;
	} while (g->z.avail_out == 0);
	return flush == Z_FINISH && zrc != Z_STREAM_END ? gzip_pump(g, flush) : 0;
}

static int gzip_write(struct sink *s, const void *buf, size_t len)
{
	struct gzip_sink *g = (struct gzip_sink *)s;

	g->stats->raw_bytes += len;
	while (len > 0) {
		uInt step = len > (1u << 30) ? (1u << 30) : (uInt)len;

		g->z.next_in = (Bytef *)buf;
		g->z.avail_in = step;
		if (gzip_pump(g, Z_NO_FLUSH) < 0)
			return -1;
		buf = (const char *)buf + step;
		len -= step;
	}
	return 0;
}

static void gzip_free(struct gzip_sink *g)
{
	deflateEnd(&g->z);
	EVP_MD_CTX_free(g->md);
	free(g);
}

static int gzip_commit(struct sink *s)
{
	struct gzip_sink *g = (struct gzip_sink *)s;
	struct sink *inner = g->inner;

	g->z.next_in = NULL;
	g->z.avail_in = 0;
	if (gzip_pump(g, Z_FINISH) < 0) {
		sink_abort(inner);
		gzip_free(g);
		return -1;
	}
	hex_digest(g->md, g->stats->sha256);
	gzip_free(g);
	return sink_commit(inner);
}

static void gzip_abort(struct sink *s)
{
	struct gzip_sink *g = (struct gzip_sink *)s;

	sink_abort(g->inner);
	gzip_free(g);
}

struct sink *pipeline_gzip_sink(struct sink *inner, int level, const char *name,
				struct pipeline_stats *stats)
{
	struct gzip_sink *g = calloc(1, sizeof(*g));

	if (g == NULL)
		goto fail;
	g->base.write = gzip_write;
	g->base.commit = gzip_commit;
	g->base.abort = gzip_abort;
	g->inner = inner;
	g->stats = stats;
	memset(stats, 0, sizeof(*stats));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->md = EVP_MD_CTX_new();
	/* windowBits 15 + 16: a gzip header and trailer, readable by gunzip. */
	if (g->md == NULL || EVP_DigestInit_ex(g->md, EVP_sha256(), NULL) != 1 ||
	    deflateInit2(&g->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		EVP_MD_CTX_free(g->md);
		free(g);
		goto fail;
	}
	return &g->base;
fail:
	fail(EXIT_INTERNAL, "cannot set up compression for %s", name);
	sink_abort(inner);
	return NULL;
}

/* ------------------------------------------------------------- verification */

int pipeline_verify(struct source *source, const struct manifest_file *f, const char *label)
{
	static unsigned char buf[IN_CHUNK];
	char hex[SHA256_HEX_LEN + 1];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint64_t size = 0;
	ssize_t n;
	int rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		fail(EXIT_INTERNAL, "cannot set up SHA-256");
		goto out;
	}
	while ((n = source_read(source, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)n);
		size += (uint64_t)n;
	}
	if (n < 0)
		goto out;
	hex_digest(md, hex);
	if (size != f->size) {
		fail(EXIT_CORRUPT, "%s is %llu bytes, the manifest says %llu: the backup is truncated or damaged",
		     label, (unsigned long long)size, (unsigned long long)f->size);
		goto out;
	}
	if (strcmp(hex, f->sha256) != 0) {
		fail(EXIT_CORRUPT, "%s does not match its SHA-256 in the manifest: the backup is damaged",
		     label);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	source_close(source);
	return rc;
}

/* ------------------------------------------------------------ gunzip source */

struct gunzip_source {
	struct source base;
	struct source *inner;
	z_stream z;
	int inner_done;
	int member_done; /* the last member ended exactly at the input's end */
	char label[256];
	unsigned char in[IN_CHUNK];
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
			fail(EXIT_CORRUPT, "%s ends in the middle of its gzip stream: the backup is truncated",
			     g->label);
			return -1;
		}
		if (g->member_done) {
			/* Another gzip member follows: a concatenated stream is valid gzip. */
			inflateReset(&g->z);
			g->member_done = 0;
		}
		zrc = inflate(&g->z, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END) {
			g->member_done = 1;
		} else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			fail(EXIT_CORRUPT, "%s is not valid gzip (%s): the backup is damaged", g->label,
			     g->z.msg ? g->z.msg : "corrupt data");
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

struct source *pipeline_gunzip_source(struct source *inner, const char *label)
{
	struct gunzip_source *g = calloc(1, sizeof(*g));

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

int pipeline_drain(struct source *source)
{
	static char buf[IN_CHUNK];
	ssize_t n;

	while ((n = source_read(source, buf, sizeof(buf))) > 0)
		;
	source_close(source);
	return n < 0 ? -1 : 0;
}
