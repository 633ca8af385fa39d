/*
 * A daily, weekly or monthly run: no database, only the store. It takes the
 * prior tier's newest complete backup, links (or copies) its files into a
 * staged backup of its own tier, writes a manifest saying where it came
 * from, publishes it and prunes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/catalog.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "backup/manifest.h"
#include "report.h"
#include "util/log.h"
#include "util/signals.h"

static int copy_backup(const struct config *c, struct store *s, const struct backup_ref *from)
{
	struct manifest *m = from->manifest;
	char staging[512], final[512], src[768], dst[768], err[256], *text = NULL;
	int rc = -1;

	store_staging_key(s, c->tier, from->stamp, staging, sizeof(staging));
	snprintf(final, sizeof(final), "%s/%s", c->tier, from->stamp);
	for (size_t i = 0; manifest_carried_file(m, i) != NULL; i++) {
		const char *name = manifest_carried_file(m, i);

		snprintf(src, sizeof(src), "%s/%s/%s", from->tier, from->name, name);
		snprintf(dst, sizeof(dst), "%s/%s", staging, name);
		if (signals_check("promoting") < 0 || s->ops->promote(s, src, dst) < 0)
			goto out;
	}
	/* The manifest is the one thing written anew: it names its tier and origin. */
	free(m->tier);
	free(m->promoted_from);
	m->tier = strdup(c->tier);
	m->promoted_from = strdup(from->tier);
	text = manifest_render(m, err, sizeof(err));
	if (text == NULL) {
		fail(EXIT_STORE, "cannot write the manifest of %s: %s", final, err);
		goto out;
	}
	snprintf(dst, sizeof(dst), "%s/" MANIFEST_NAME, staging);
	if (store_write_small(s, dst, text) < 0)
		goto out;
	if (store_publish(s, staging, final) < 0)
		goto out;
	log_info("promoted %s/%s to %s", from->tier, from->stamp, final);
	report_backup(from->stamp, manifest_size(m));
	rc = 0;
out:
	if (rc < 0)
		s->ops->remove(s, staging);
	free(text);
	return rc;
}

int job_promote(const struct config *c, struct store *s, char *stamp)
{
	struct catalog prior = {0}, own = {0};
	void *lock = NULL;
	long pick;
	int rc = -1;

	stamp[0] = '\0';
	if (job_lock_tier(c, s, c->tier, &lock) < 0)
		return -1;
	if (catalog_scan_tier(s, c->prior_tier, 0, &prior) < 0 ||
	    catalog_scan_tier(s, c->tier, 0, &own) < 0)
		goto out;
	pick = tier_pick_promotion(prior.refs, prior.n, c->prior_count);
	if (pick < 0) {
		log_info("nothing to promote: the %s tier holds %zu complete backup(s), %ld needed",
			 c->prior_tier, tier_count_complete(prior.refs, prior.n),
			 c->prior_count > 0 ? c->prior_count : 1);
		rc = 0;
		goto out;
	}
	if (tier_has(own.refs, own.n, prior.refs[pick].ts)) {
		log_info("the %s tier already holds %s: nothing to promote", c->tier,
			 prior.refs[pick].stamp);
	} else if (copy_backup(c, s, &prior.refs[pick]) < 0) {
		goto out;
	}
	snprintf(stamp, TS_LEN + 1, "%s", prior.refs[pick].stamp);
	rc = job_prune(s, c->tier, c->count);
out:
	catalog_free(&prior);
	catalog_free(&own);
	store_unlock(s, lock);
	return rc;
}

int cmd_promote(const struct config *c, struct store *s, char *const *operands)
{
	char stamp[TS_LEN + 1];

	(void)operands;
	log_info("%s run, store %s, keeping %ld", c->tier, store_location(c), c->count);
	if (job_promote(c, s, stamp) < 0)
		return -1;
	return job_mirror(c, s, stamp);
}
