#include "restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "manifest.h"
#include "pipeline.h"
#include "util/log.h"

static void file_key(const struct backup_ref *r, const char *file, char *buf, size_t len)
{
	if (r->legacy)
		snprintf(buf, len, "%s/%s", r->tier, r->name);
	else
		snprintf(buf, len, "%s/%s/%s", r->tier, r->name, file);
}

/* The target a file holds: "" for the environment's single target. */
static const char *file_target(const struct manifest_file *f)
{
	return f->target != NULL ? f->target : "";
}

/* Whether a file is one recover was asked for (all, or --target's). */
static int wanted(const struct config *c, const struct manifest_file *f)
{
	return c->restore_target == NULL || strcmp(file_target(f), c->restore_target) == 0;
}

int restore_verify(const struct config *c, struct store *s, const struct backup_ref *r)
{
	struct source *src = NULL;
	char key[768];

	if (r->legacy) {
		/* No checksum to compare: at least the whole gzip stream must inflate. */
		file_key(r, NULL, key, sizeof(key));
		if (store_get(s, key, &src) < 0)
			return -1;
		src = codec_gzip.source(src, key);
		return src != NULL && pipeline_drain(src) == 0 ? 0 : -1;
	}
	for (size_t i = 0; i < r->manifest->nfiles; i++) {
		const struct manifest_file *f = &r->manifest->files[i];

		if (!wanted(c, f))
			continue;
		file_key(r, f->name, key, sizeof(key));
		if (store_get(s, key, &src) < 0 || pipeline_verify(src, f, key) < 0)
			return -1;
	}
	log_info("%s/%s: the files to restore match their SHA-256", r->tier, r->stamp);
	return 0;
}

/* bandr's files have no manifest: describe one as a plain pg_dumpall. */
static int legacy_manifest(const struct backup_ref *r, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->format = 1;
	m->engine = strdup("postgres");
	return m->engine != NULL && manifest_add_file(m, r->name) != NULL ? 0 : -1;
}

static int check_expected_count(const struct config *c, struct engine *e)
{
	long count = 0;

	if (c->expected_count == CONF_UNSET)
		return 0;
	if (e->ops->count_databases(e, &count) < 0)
		return -1;
	if (count < c->expected_count) {
		fail(EXIT_CHECK,
		     "the restored server has %ld database(s), DATABASE_EXPECTED_COUNT wants at least %ld",
		     count, c->expected_count);
		return -1;
	}
	log_info("the restored server has %ld database(s) (DATABASE_EXPECTED_COUNT=%ld)", count,
		 c->expected_count);
	return 0;
}

/* The settings of the target a file holds: listed by name, or the environment's. */
static const struct target *target_for(const struct config *c, const struct manifest_file *f)
{
	const struct target *t = c->targets_listed ? target_find(c, file_target(f)) : &c->targets[0];

	if (t == NULL)
		fail(EXIT_CONFIG,
		     "the backup holds target %s, which the configuration does not list: add it, or restore another with --target",
		     file_target(f));
	return t;
}

/* Restores one file of the backup into its target's server. */
static int restore_file(const struct config *c, struct store *s, const struct backup_ref *r,
			const struct manifest *m, const struct manifest_file *f)
{
	const struct codec *codec = codec_find(m->compression ? m->compression : "gzip");
	const struct target *t = target_for(c, f);
	struct engine *e = NULL;
	struct source *src = NULL;
	char key[768];
	int rc = -1;

	if (codec == NULL || t == NULL)
		return -1;
	e = engine_new(f->engine ? f->engine : m->engine, t, c);
	if (e == NULL)
		return -1;
	file_key(r, f->name, key, sizeof(key));
	log_info("restoring %s%s%s", key, *file_target(f) ? " into target " : "", file_target(f));
	if (store_get(s, key, &src) == 0 && (src = codec->source(src, key)) != NULL &&
	    e->ops->restore(e, f->databases ? f->databases : m->databases,
			    f->databases ? f->ndatabases : m->ndatabases, src) == 0)
		rc = check_expected_count(c, e);
	engine_free(e);
	return rc;
}

int restore_backup(const struct config *c, struct store *s, const struct backup_ref *r)
{
	struct manifest synthesized = {0};
	const struct manifest *m = r->manifest;
	size_t restored = 0;
	int rc = -1;

	if (m == NULL) {
		if (legacy_manifest(r, &synthesized) < 0)
			goto out;
		m = &synthesized;
	}
	for (size_t i = 0; i < m->nfiles; i++)
		restored += wanted(c, &m->files[i]);
	if (restored == 0) {
		fail(EXIT_NOT_FOUND, "backup %s/%s holds no target %s", r->tier, r->stamp,
		     c->restore_target);
		goto out;
	}
	if (m->partial)
		log_warn("backup %s/%s is partial: %zu target(s) failed when it was made; restoring what it holds",
			 r->tier, r->stamp, m->nfailed);
	if (restore_verify(c, s, r) < 0)
		goto out;
	for (size_t i = 0; i < m->nfiles; i++)
		if (wanted(c, &m->files[i]) && restore_file(c, s, r, m, &m->files[i]) < 0)
			goto out;
	log_info("restored %s/%s", r->tier, r->stamp);
	rc = 0;
out:
	manifest_free(&synthesized);
	return rc;
}
