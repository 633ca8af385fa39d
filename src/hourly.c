/*
 * The hourly run: the only one that talks to a database. The dump streams
 * from the engine through gzip and SHA-256 into a staged backup; the manifest
 * is written last, and the backup becomes visible only once complete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "engine/engine.h"
#include "jobs.h"
#include "manifest.h"
#include "pipeline.h"
#include "util/log.h"

#ifndef TIERDUMP_VERSION
#define TIERDUMP_VERSION "unknown"
#endif

/* A timestamp no backup of the tier has yet: waits out a second taken already. */
static int pick_timestamp(struct store *s, const char *tier, char *stamp)
{
	struct catalog cat;
	time_t now = time(NULL);
	int taken;

	if (catalog_scan_tier(s, tier, 0, &cat) < 0)
		return -1;
	taken = cat.n > 0 && cat.refs[0].ts >= now;
	if (taken) {
		now = cat.refs[0].ts + 1;
		while (time(NULL) < now)
			usleep(50 * 1000);
	}
	catalog_free(&cat);
	ts_format(now, stamp);
	return 0;
}

/* The codec and level the settings ask for, recorded in the manifest. */
static const struct codec *choose_codec(const struct config *c, struct manifest *m)
{
	const struct codec *codec = codec_find(c->compression);
	long level;

	if (codec == NULL)
		return NULL;
	level = c->compression_level == CONF_UNSET ? codec->default_level : c->compression_level;
	if (level < codec->min_level || level > codec->max_level) {
		fail(EXIT_CONFIG, "BACKUP_COMPRESSION_LEVEL=%ld is out of range for %s (%d to %d)",
		     level, codec->name, codec->min_level, codec->max_level);
		return NULL;
	}
	m->compression = strdup(codec->name);
	m->compression_level = (int)level;
	return codec;
}

static int dump_into(const struct config *c, struct engine *e, struct store *s,
		     const char *staging, struct manifest *m)
{
	const struct codec *codec = choose_codec(c, m);
	struct pipeline_stats stats;
	struct manifest_file *f;
	struct sink *sink = NULL;
	char name[256], key[768];

	if (codec == NULL)
		return -1;
	e->ops->file_name(e, name, sizeof(name) - 8);
	strcat(name, codec->suffix);
	snprintf(key, sizeof(key), "%s/%s", staging, name);
	if (s->ops->put(s, key, &sink) < 0)
		return -1;
	sink = pipeline_sink(sink, codec, m->compression_level, (int)c->threads, name, &stats);
	if (sink == NULL)
		return -1;
	log_info("dumping into %s", key);
	if (e->ops->dump(e, sink) < 0) {
		sink_abort(sink);
		return -1;
	}
	if (sink_commit(sink) < 0)
		return -1;
	f = manifest_add_file(m, name);
	if (f == NULL)
		return -1;
	f->size = stats.stored_bytes;
	f->raw_size = stats.raw_bytes;
	strcpy(f->sha256, stats.sha256);
	log_info("%s: %.1f MiB dumped, %.1f MiB stored (%s %d, %.2f:1) in %.1fs, %.1f MiB/s", name,
		 stats.raw_bytes / 1048576.0, stats.stored_bytes / 1048576.0, codec->name,
		 m->compression_level,
		 stats.stored_bytes ? (double)stats.raw_bytes / stats.stored_bytes : 0.0,
		 pipeline_elapsed(&stats), stats.raw_bytes / 1048576.0 / pipeline_elapsed(&stats));
	return 0;
}

/* Dumps, writes the manifest and publishes; on failure removes the staging. */
static int make_backup(const struct config *c, struct engine *e, struct store *s,
		       const char *stamp)
{
	struct manifest m = {0};
	char staging[512], final[512], key[600], *text = NULL;
	int rc = -1;

	store_staging_key(s, c->tier, stamp, staging, sizeof(staging));
	snprintf(final, sizeof(final), "%s/%s", c->tier, stamp);
	m.format = 1;
	m.tool_version = strdup("tierdump " TIERDUMP_VERSION);
	m.engine = strdup(e->ops->name);
	m.server_version = strdup(e->server_version);
	m.tier = strdup(c->tier);
	m.started = time(NULL);
	for (size_t i = 0; i < e->ndatabases; i++)
		if (manifest_add_database(&m, e->databases[i]) < 0)
			goto out;
	if (dump_into(c, e, s, staging, &m) < 0)
		goto out;
	m.finished = time(NULL);
	text = manifest_render(&m);
	snprintf(key, sizeof(key), "%s/" MANIFEST_NAME, staging);
	if (text == NULL || store_write_small(s, key, text) < 0)
		goto out;
	if (store_publish(s, staging, final) < 0)
		goto out;
	log_info("backup %s complete", final);
	rc = 0;
out:
	if (rc < 0) {
		log_info("removing the incomplete backup %s", staging);
		s->ops->remove(s, staging);
	}
	free(text);
	manifest_free(&m);
	return rc;
}

int job_hourly(const struct config *c, struct store *s)
{
	struct engine *e = engine_new(c->engine, c);
	char stamp[TS_LEN + 1];
	void *lock = NULL;
	int rc = -1;

	if (e == NULL || e->ops->check(e) < 0)
		goto out;
	if (job_lock_tier(c, s, c->tier, &lock) < 0)
		goto out;
	if (pick_timestamp(s, c->tier, stamp) == 0 && make_backup(c, e, s, stamp) == 0)
		rc = job_prune(s, c->tier, c->count);
	s->ops->unlock(s, lock);
out:
	engine_free(e);
	return rc;
}
