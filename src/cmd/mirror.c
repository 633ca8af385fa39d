/*
 * Mirrors: after the primary store succeeded, each BACKUP_MIRROR store gets
 * a copy of the backup (its files, then its manifest, published the way the
 * mirror publishes) and the same pruning. The primary is only read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/catalog.h"
#include "backup/keys.h"
#include "backup/manifest.h"
#include "backup/writer.h"
#include "cmd/jobs.h"
#include "util/log.h"

/* Copies tier/stamp into the mirror unless it holds it already. */
static int copy_backup(const struct config *c, struct store *primary, struct store *mirror,
		       const char *stamp)
{
	struct backup_writer *w = NULL;
	struct catalog have = {0};
	struct manifest m = {0};
	char key[KEY_MAX], err[256], *text;
	time_t ts;
	int rc = -1;

	if (ts_parse(stamp, &ts) < 0 || catalog_scan_tier(mirror, c->tier, 0, &have) < 0)
		return -1;
	if (tier_has(have.refs, have.n, ts)) {
		log_info("mirror %s already holds %s/%s", store_name(mirror), c->tier, stamp);
		catalog_free(&have);
		return 0;
	}
	catalog_free(&have);
	key_backup_file(key, c->tier, stamp, KEY_MANIFEST);
	text = store_read_small(primary, key, NULL);
	if (text == NULL)
		return -1;
	if (manifest_parse(text, &m, err, sizeof(err)) < 0) {
		fail(EXIT_CORRUPT, "%s is damaged: %s", key, err);
		goto out;
	}
	w = backup_begin(mirror, c->tier, stamp, &m);
	if (w == NULL)
		goto out;
	if (backup_copy_files(w, primary, c->tier, stamp, &m, c->lock_timeout) < 0)
		goto out;
	rc = backup_commit_text(w, text);
	w = NULL;
	if (rc == 0)
		log_info("mirrored %s to %s", key_backup(key, c->tier, stamp), store_name(mirror));
out:
	backup_abort(w);
	manifest_free(&m);
	free(text);
	return rc;
}

int job_mirror(const struct config *c, struct store *primary, const char *stamp)
{
	char *list, *save = NULL;
	struct store_options opts;
	int failed = 0;

	/* Mirrors follow only a primary that made or holds a backup, and never touch it. */
	if (c->mirrors == NULL || stamp[0] == '\0')
		return 0;
	list = strdup(c->mirrors);
	if (list == NULL)
		return -1;
	store_options_from(c, &opts);
	for (char *url = strtok_r(list, " ,", &save); url != NULL;
	     url = strtok_r(NULL, " ,", &save)) {
		struct store *mirror = store_open(url, &opts);
		void *lock = NULL;
		int rc = -1;

		if (mirror != NULL && job_lock_tier(c, mirror, c->tier, &lock) == 0) {
			/* No report: the run's kept count is the primary's, not a mirror's. */
			rc = copy_backup(c, primary, mirror, stamp);
			if (rc == 0)
				rc = job_prune(c, mirror, 0, NULL);
			store_unlock(mirror, lock);
		}
		if (rc < 0) {
			/* The primary is complete: say so, in the class of its own. */
			fail_summary(
			    EXIT_MIRROR,
			    "mirror %s did not receive %s/%s; the primary backup is complete", url,
			    c->tier, stamp);
			failed = 1;
		}
		store_close(mirror);
	}
	free(list);
	return failed ? -1 : 0;
}

/*
 * A chunked run refuses, before anything is dumped, a mirror that cannot
 * hold chunks (FTPS), rather than fail it once the primary is written.
 */
static int mirrors_take_format(const struct config *c)
{
	char *list, *save = NULL;
	int rc = 0;

	if (c->mirrors == NULL || !conf_chunked(c))
		return 0;
	list = strdup(c->mirrors);
	if (list == NULL)
		return -1;
	for (char *url = strtok_r(list, " ,", &save); url != NULL && rc == 0;
	     url = strtok_r(NULL, " ,", &save)) {
		if (!store_location_holds_chunks(url)) {
			fail(EXIT_CONFIG,
			     "BACKUP_MIRROR %s cannot hold BACKUP_FORMAT=chunked (chunks need a "
			     "local or S3 store): mirror to a directory or S3, or use "
			     "BACKUP_FORMAT=file",
			     url);
			rc = -1;
		}
	}
	free(list);
	return rc;
}

int job_with_mirrors(const struct config *c, struct store *s, struct report *r,
		     int (*job)(const struct config *, struct store *, char *stamp,
				struct report *))
{
	char stamp[TS_LEN + 1];

	if (mirrors_take_format(c) < 0)
		return -1;
	log_info("%s run, store %s, keeping %ld", c->tier, store_location(c), c->count);
	if (job(c, s, stamp, r) < 0)
		return -1;
	return job_mirror(c, s, stamp);
}
