#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/digest.h"
#include "util/log.h"

enum { READ_CHUNK = 256 * 1024 };

double pipeline_elapsed(const struct pipeline_stats *stats)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - stats->began.tv_sec) +
	       (double)(now.tv_nsec - stats->began.tv_nsec) / 1e9;
}

/* ----------------------------------------------------------------- hash sink */

/* Hashes and counts what reaches the store, on the writer's thread. */
struct hash_sink {
	struct sink base;
	struct sink *inner;
	struct digest md;
	struct pipeline_stats *stats;
};

static int hash_write(struct sink *s, const void *buf, size_t len)
{
	struct hash_sink *h = (struct hash_sink *)s;

	digest_add(&h->md, buf, len);
	h->stats->stored_bytes += len;
	return sink_write(h->inner, buf, len);
}

static int hash_commit(struct sink *s)
{
	struct hash_sink *h = (struct hash_sink *)s;
	struct sink *inner = h->inner;

	digest_end(&h->md, h->stats->sha256);
	free(h);
	return sink_commit(inner);
}

static void hash_abort(struct sink *s)
{
	struct hash_sink *h = (struct hash_sink *)s;

	sink_abort(h->inner);
	digest_discard(&h->md);
	free(h);
}

static struct sink *hash_sink(struct sink *inner, struct pipeline_stats *stats)
{
	struct hash_sink *h = calloc(1, sizeof(*h));

	if (h == NULL || digest_begin(&h->md) < 0) {
		free(h);
		sink_abort(inner);
		return NULL;
	}
	h->base.write = hash_write;
	h->base.commit = hash_commit;
	h->base.abort = hash_abort;
	h->inner = inner;
	h->stats = stats;
	return &h->base;
}

/* ---------------------------------------------------------------- meter sink */

/* Counts what the engine writes and reports progress on long dumps. */
struct meter_sink {
	struct sink base;
	struct sink *inner;
	struct pipeline_stats *stats;
	char label[128];
	int tty;
	double last_log, last_tty;
	uint64_t next_check;
};

enum { PROGRESS_LOG_SECONDS = 10, PROGRESS_CHECK_BYTES = 4 * 1024 * 1024 };

static void report_progress(struct meter_sink *m)
{
	const struct pipeline_stats *st = m->stats;
	double t = pipeline_elapsed(st);
	char line[200];

	snprintf(line, sizeof(line), "%s: %.0f MiB in, %.0f MiB out, %.1f MiB/s, %.0fs", m->label,
		 st->raw_bytes / 1048576.0, st->stored_bytes / 1048576.0,
		 t > 0 ? st->raw_bytes / 1048576.0 / t : 0.0, t);
	if (m->tty && t - m->last_tty >= 0.5) {
		/* A live line on a terminal, overwritten in place. */
		fprintf(stderr, "\r%s\033[K", line);
		m->last_tty = t;
	}
	if (t - m->last_log >= PROGRESS_LOG_SECONDS) {
		if (m->tty)
			fputc('\r', stderr);
		log_info("%s", line);
		m->last_log = t;
	}
}

static int meter_write(struct sink *s, const void *buf, size_t len)
{
	struct meter_sink *m = (struct meter_sink *)s;

	m->stats->raw_bytes += len;
	if (m->stats->raw_bytes >= m->next_check) {
		m->next_check = m->stats->raw_bytes + PROGRESS_CHECK_BYTES;
		report_progress(m);
	}
	return sink_write(m->inner, buf, len);
}

static int meter_commit(struct sink *s)
{
	struct meter_sink *m = (struct meter_sink *)s;
	struct sink *inner = m->inner;

	if (m->tty && m->last_tty > 0)
		fputs("\r\033[K", stderr);
	free(m);
	return sink_commit(inner);
}

static void meter_abort(struct sink *s)
{
	struct meter_sink *m = (struct meter_sink *)s;

	if (m->tty && m->last_tty > 0)
		fputs("\n", stderr);
	sink_abort(m->inner);
	free(m);
}

struct sink *pipeline_meter(struct sink *inner, const char *label, struct pipeline_stats *stats)
{
	struct meter_sink *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		sink_abort(inner);
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	m->base.write = meter_write;
	m->base.commit = meter_commit;
	m->base.abort = meter_abort;
	m->inner = inner;
	m->stats = stats;
	m->tty = isatty(2);
	snprintf(m->label, sizeof(m->label), "%s", label);
	return &m->base;
}

void pipeline_stats_start(struct pipeline_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_MONOTONIC, &stats->began);
}

struct sink *pipeline_sink(struct sink *store, const struct codec *codec, int level, int threads,
			   const struct age_keys *age, const char *label,
			   struct pipeline_stats *stats)
{
	struct sink *s;

	pipeline_stats_start(stats);
	s = hash_sink(store, stats);
	if (s == NULL)
		return NULL;
	/* Encrypted after compression (ciphertext does not compress), hashed as stored. */
	if (age != NULL && (s = age_sink(s, age)) == NULL)
		return NULL;
	s = codec->sink(s, level, threads, label);
	if (s == NULL)
		return NULL;
	return pipeline_meter(s, label, stats);
}

/* ------------------------------------------------------------- verification */

int pipeline_verify(struct source *source, uint64_t want_size, const char *want_sha256,
		    const char *label)
{
	static unsigned char buf[READ_CHUNK];
	char hex[DIGEST_HEX_LEN + 1];
	struct digest md = {NULL};
	uint64_t size = 0;
	ssize_t n;
	int rc = -1;

	if (digest_begin(&md) < 0)
		goto out;
	while ((n = source_read(source, buf, sizeof(buf))) > 0) {
		digest_add(&md, buf, (size_t)n);
		size += (uint64_t)n;
	}
	if (n < 0)
		goto out;
	digest_end(&md, hex);
	if (size != want_size) {
		fail(EXIT_CORRUPT,
		     "%s is %llu bytes, the manifest says %llu: the backup is truncated or damaged",
		     label, (unsigned long long)size, (unsigned long long)want_size);
		goto out;
	}
	if (strcmp(hex, want_sha256) != 0) {
		fail(EXIT_CORRUPT,
		     "%s does not match its SHA-256 in the manifest: the backup is damaged", label);
		goto out;
	}
	rc = 0;
out:
	digest_discard(&md);
	source_close(source);
	return rc;
}

/* ------------------------------------------------------------- hash source */

/* Hashes and counts what is read from the store; settles *stats when closed. */
struct hash_source {
	struct source base;
	struct source *inner;
	struct digest md;
	struct pipeline_stats *stats;
};

static ssize_t hash_read(struct source *s, void *buf, size_t len)
{
	struct hash_source *h = (struct hash_source *)s;
	ssize_t n = source_read(h->inner, buf, len);

	if (n > 0) {
		digest_add(&h->md, buf, (size_t)n);
		h->stats->stored_bytes += (uint64_t)n;
	}
	return n;
}

static void hash_close(struct source *s)
{
	struct hash_source *h = (struct hash_source *)s;

	digest_end(&h->md, h->stats->sha256);
	source_close(h->inner);
	free(h);
}

struct source *pipeline_hash_source(struct source *inner, struct pipeline_stats *stats)
{
	struct hash_source *h = calloc(1, sizeof(*h));

	memset(stats, 0, sizeof(*stats));
	if (h == NULL || digest_begin(&h->md) < 0) {
		free(h);
		source_close(inner);
		return NULL;
	}
	h->base.read = hash_read;
	h->base.close = hash_close;
	h->inner = inner;
	h->stats = stats;
	return &h->base;
}

int pipeline_drain(struct source *source)
{
	static char buf[READ_CHUNK];
	ssize_t n;

	while ((n = source_read(source, buf, sizeof(buf))) > 0)
		;
	source_close(source);
	return n < 0 ? -1 : 0;
}
