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

#include "backup/catalog.h"
#include "backup/keys.h"
#include "engine/engine.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "backup/manifest.h"
#include "backup/rowcounts.h"
#include "backup/writer.h"
#include "cmd/jobs.h"
#include "engine/engine.h"
#include "pipeline/age.h"
#include "report.h"
#include "util/log.h"
#include "util/version.h"
#include "util/signals.h"
#include "util/strlist.h"

/*
 * A timestamp no backup of the tier has yet: waits out a second taken
 * already. The names are enough; the prune reads the manifests later.
 */
static int pick_timestamp(struct store *s, const char *tier, char *stamp)
{
	time_t now = time(NULL), newest;

	if (catalog_newest_time(s, tier, &newest) < 0)
		return -1;
	if (newest >= now) {
		now = newest + 1;
		while (time(NULL) < now)
			usleep(50 * 1000);
	}
	ts_format(now, stamp);
	return 0;
}

/* zstd's level for chunks unless BACKUP_COMPRESSION_LEVEL sets one: stored once, worth more effort.
 */
#define CHUNKED_LEVEL 3

/*
 * The codec and level the settings ask for, recorded in the manifest. The
 * chunked format compresses each chunk with zstd, whatever BACKUP_COMPRESSION says.
 */
static const struct codec *choose_codec(const struct config *c, struct manifest *m)
{
	const struct codec *codec = codec_find(conf_chunked(c) ? "zstd" : c->compression);
	long asked = c->compression_level;
	int level;

	if (conf_chunked(c) && asked == CONF_UNSET)
		asked = CHUNKED_LEVEL;
	if (codec == NULL || (level = codec_level(codec, asked)) < 0)
		return NULL;
	m->compression = strdup(codec->name);
	m->compression_level = level;
	return codec;
}

/* Records in the manifest which target a file holds and what is in it. */
static int describe_file(struct manifest_file *f, const struct engine *e)
{
	if (*e->target->name != '\0' && (f->target = strdup(e->target->name)) == NULL)
		return -1;
	if ((f->engine = strdup(e->ops->name)) == NULL)
		return -1;
	/* Each target's own: a backup of several servers may span versions. */
	if ((f->server_version = strdup(e->server_version)) == NULL ||
	    (e->client[0] != '\0' && (f->client = strdup(e->client)) == NULL))
		return -1;
	for (size_t i = 0; i < e->ndatabases; i++)
		if (strlist_add(&f->databases, &f->ndatabases, e->databases[i]) < 0)
			return -1;
	return 0;
}

static int dump_into(const struct config *c, const struct codec *codec, struct engine *e,
		     struct backup_writer *w, struct manifest *m, struct rowcounts *counts,
		     struct report *r)
{
	struct backup_added added;
	struct sink *sink;
	char name[256], key[KEY_MAX];

	/* Listed targets have a file each, named after them. */
	e->ops->file_name(e, name, sizeof(name) - 8);
	if (*e->target->name != '\0') {
		char kind[64];

		snprintf(kind, sizeof(kind), "%s",
			 strrchr(name, '.') ? strrchr(name, '.') : ".sql");
		snprintf(name, sizeof(name) - 8, "%s%s", e->target->name, kind);
	}
	/* Chunked, a file is its chunk list: the plain dump's name, no suffix of a stored file. */
	if (!conf_chunked(c))
		strcat(name, codec->suffix);
	if (conf_encrypts(c) && !conf_chunked(c))
		strcat(name, ".age");
	sink = backup_add(w, name, codec, m->compression_level, (int)c->threads,
			  conf_encrypts(c) ? c->age : NULL, &added);
	/* Rows are counted in the plain dump, before compression. */
	if (sink != NULL && e->ops->row_counter != NULL)
		sink = e->ops->row_counter(sink, counts, name);
	if (sink == NULL)
		return -1;
	log_info("dumping into %s", backup_staged_key(w, name, key));
	if (e->ops->dump(e, sink) < 0) {
		sink_abort(sink);
		return -1;
	}
	if (sink_commit(sink) < 0 || describe_file(added.file, e) < 0)
		return -1;
	if (e->ops->describe != NULL && e->ops->describe(e, m) < 0)
		return -1;
	if (*e->target->name != '\0')
		report_target(r, e->target->name, added.stats.stored_bytes);
	log_info("%s: %.1f MiB dumped, %.1f MiB stored (%s %d, %.2f:1) in %.1fs, %.1f MiB/s", name,
		 added.stats.raw_bytes / 1048576.0, added.stats.stored_bytes / 1048576.0,
		 codec->name, m->compression_level,
		 added.stats.stored_bytes ? (double)added.stats.raw_bytes / added.stats.stored_bytes
					  : 0.0,
		 pipeline_elapsed(&added.stats),
		 added.stats.raw_bytes / 1048576.0 / pipeline_elapsed(&added.stats));
	return 0;
}

/*
 * The manifest's backup-wide fields; the files come as they are dumped, the
 * tier from the writer.
 */
static int start_manifest(struct engine **engines, size_t n, struct manifest *m)
{
	m->format = 1;
	m->tool_version = strdup("tierdump " TIERDUMP_VERSION);
	m->started = time(NULL);
	for (size_t i = 0; i < n; i++) {
		if (engines[i] == NULL)
			continue;
		/* The first target's engine and version stand for the backup in listings. */
		if (m->engine == NULL) {
			m->engine = strdup(engines[i]->ops->name);
			m->server_version = strdup(engines[i]->server_version);
			if (engines[i]->client[0] != '\0')
				m->client = strdup(engines[i]->client);
		}
		for (size_t d = 0; d < engines[i]->ndatabases; d++)
			if (!strlist_has(m->databases, m->ndatabases, engines[i]->databases[d]) &&
			    manifest_add_database(m, engines[i]->databases[d]) < 0)
				return -1;
	}
	return m->tool_version && m->engine ? 0 : -1;
}

/* Whom the files are encrypted to: public keys only, never the passphrase. */
static int describe_encryption(const struct config *c, struct manifest *m)
{
	if (!conf_encrypts(c))
		return 0;
	if ((m->encryption = strdup("age")) == NULL)
		return -1;
	return age_keys_recipient_list(c->age, &m->recipients, &m->nrecipients);
}

/* The row counts file beside the manifest, which records its checksum. */
static int write_rowcounts(const struct config *c, struct backup_writer *w,
			   const struct rowcounts *counts, struct manifest *m)
{
	char *text;
	int rc;

	if (counts->n == 0)
		return 0;
	text = rowcounts_render(counts);
	if (text == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	/*
	 * Table names and sizes are the data's too: encrypted like the dumps,
	 * and then checksummed as stored, like them.
	 */
	if (conf_encrypts(c)) {
		rc =
		    backup_write_small_age(w, KEY_ROWCOUNTS_AGE, text, c->age, m->rowcounts_sha256);
	} else {
		rc = backup_write_small(w, KEY_ROWCOUNTS, text);
		if (rc == 0)
			rowcounts_sha256(text, m->rowcounts_sha256);
	}
	free(text);
	return rc;
}

/*
 * Dumps every target that passed its check, writes the manifest and
 * publishes. With some targets failed the backup is published as partial
 * (and the run still fails); with none dumped it is removed.
 */
static int make_backup(const struct config *c, struct engine **engines, struct store *s,
		       const char *stamp, struct manifest *m, struct report *r)
{
	const struct codec *codec = choose_codec(c, m);
	struct backup_writer *w = NULL;
	struct rowcounts counts = {0};
	char final[KEY_MAX];
	int rc = -1;

	key_backup(final, c->tier, stamp);
	if (codec == NULL || start_manifest(engines, c->ntargets, m) < 0 ||
	    describe_encryption(c, m) < 0)
		goto out;
	w = backup_begin(s, c->tier, stamp, m);
	if (w == NULL)
		goto out;
	if (conf_chunked(c) &&
	    (backup_use_chunks(w, m->compression_level, c->lock_timeout) < 0 ||
	     (conf_encrypts(c) && backup_encrypt_chunks(w, c->age, c->chunk_key_file) < 0)))
		goto out;
	for (size_t i = 0; i < c->ntargets; i++) {
		if (engines[i] != NULL && dump_into(c, codec, engines[i], w, m, &counts, r) < 0) {
			if (signals_stop_requested() || !c->targets_listed)
				goto out;
			strlist_add(&m->failed, &m->nfailed, c->targets[i].name);
		}
	}
	m->partial = m->nfailed > 0;
	if (m->nfiles == 0)
		goto out;
	if (write_rowcounts(c, w, &counts, m) < 0)
		goto out;
	m->finished = time(NULL);
	rc = backup_commit(w);
	w = NULL; /* committed or, on failure, removed */
	if (rc < 0)
		goto out;
	log_info("backup %s %s", final, m->partial ? "published as PARTIAL" : "complete");
	if (conf_chunked(c))
		log_info("backup %s added %.1f MiB of new chunks to the store", final,
			 manifest_new_size(m) / 1048576.0);
	report_backup(r, stamp, manifest_size(m));
out:
	backup_abort(w);
	rowcounts_free(&counts);
	return rc;
}

/*
 * Sets up and checks every target before anything is written. A target
 * that fails is left out (NULL); returns how many passed.
 */
static size_t check_targets(const struct config *c, struct engine **engines, struct manifest *m)
{
	struct engine_options o;
	size_t ok = 0;

	engine_options_from(c, &o);
	for (size_t i = 0; i < c->ntargets; i++) {
		const struct target *t = &c->targets[i];

		if (*t->name != '\0')
			log_info("target %s (%s)", t->name, t->engine);
		engines[i] = engine_new(t->engine, t, &o);
		if (engines[i] != NULL && engines[i]->ops->check(engines[i]) == 0) {
			ok++;
			continue;
		}
		engine_free(engines[i]);
		engines[i] = NULL;
		strlist_add(&m->failed, &m->nfailed, t->name);
	}
	return ok;
}

/* Settings no target can honour fail the run before any server is contacted. */
static int check_settings(const struct config *c)
{
	struct engine_options o;

	engine_options_from(c, &o);
	for (size_t i = 0; i < c->ntargets; i++)
		if (engine_check_settings(c->targets[i].engine, &o) < 0)
			return -1;
	return 0;
}

int job_hourly(const struct config *c, struct store *s, char *stamp, struct report *r)
{
	struct engine **engines = calloc(c->ntargets, sizeof(*engines));
	struct manifest m = {0};
	void *lock = NULL;
	int rc = -1;

	stamp[0] = '\0';
	if (engines == NULL || check_settings(c) < 0 || check_targets(c, engines, &m) == 0)
		goto out;
	if (job_lock_tier(c, s, c->tier, &lock) < 0)
		goto out;
	if (pick_timestamp(s, c->tier, stamp) == 0 &&
	    make_backup(c, engines, s, stamp, &m, r) == 0) {
		/*
		 * A run that failed never removes a complete backup; a partial
		 * one prunes partial ones only, so that a target failing for
		 * days does not fill the store with them.
		 */
		if (m.partial) {
			char failed[1024] = "";

			for (size_t i = 0; i < m.nfailed; i++)
				snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
					 "%s%s", i ? ", " : "", m.failed[i]);
			fail(EXIT_DUMP, "backup %s/%s is partial: target(s) %s failed", c->tier,
			     stamp, failed);
			/* After fail(): the run's reason stays the failed target. */
			job_prune(c, s, 1, NULL);
		} else
			rc = job_prune(c, s, 0, r);
	}
	store_unlock(s, lock);
out:
	for (size_t i = 0; engines != NULL && i < c->ntargets; i++)
		engine_free(engines[i]);
	free(engines);
	manifest_free(&m);
	return rc;
}

int cmd_hourly(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	(void)operands;
	if (conf_encryption_ready(c) < 0)
		return -1;
	return job_with_mirrors(c, s, r, job_hourly);
}
