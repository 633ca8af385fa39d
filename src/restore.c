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

int restore_verify(struct store *s, const struct backup_ref *r)
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

		file_key(r, f->name, key, sizeof(key));
		if (store_get(s, key, &src) < 0 || pipeline_verify(src, f, key) < 0)
			return -1;
	}
	log_info("%s/%s: every file matches its SHA-256", r->tier, r->stamp);
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

int restore_backup(const struct config *c, struct store *s, const struct backup_ref *r)
{
	struct manifest synthesized = {0};
	const struct manifest *m = r->manifest;
	const struct codec *codec;
	struct engine *e = NULL;
	int rc = -1;

	if (restore_verify(s, r) < 0)
		return -1;
	if (m == NULL) {
		if (legacy_manifest(r, &synthesized) < 0)
			goto out;
		m = &synthesized;
	}
	codec = codec_find(m->compression ? m->compression : "gzip");
	e = engine_new(m->engine, c);
	if (codec == NULL || e == NULL)
		goto out;
	for (size_t i = 0; i < m->nfiles; i++) {
		struct source *src = NULL;
		char key[768];

		file_key(r, m->files[i].name, key, sizeof(key));
		log_info("restoring %s", key);
		if (store_get(s, key, &src) < 0)
			goto out;
		src = codec->source(src, key);
		if (src == NULL || e->ops->restore(e, m, src) < 0)
			goto out;
	}
	log_info("restored %s/%s", r->tier, r->stamp);
	rc = check_expected_count(c, e);
out:
	engine_free(e);
	manifest_free(&synthesized);
	return rc;
}
