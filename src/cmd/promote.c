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
#include "backup/keys.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "backup/manifest.h"
#include "backup/writer.h"
#include "cmd/jobs.h"
#include "report.h"
#include "util/log.h"
#include "util/signals.h"

static int copy_backup(const struct config *c, struct store *s, const struct backup_ref *from,
		       struct report *r)
{
	struct manifest *m = from->manifest;
	struct backup_writer *w;
	char final[KEY_MAX];

	/* The manifest is the one thing written anew: it names its tier and origin. */
	if (m->format == MANIFEST_CHUNKED)
		for (size_t i = 0; i < m->nfiles; i++)
			m->files[i].new_size = 0; /* it adds no chunk: the prior tier's did */
	free(m->promoted_from);
	m->promoted_from = strdup(from->tier);
	if (m->promoted_from == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	w = backup_begin(s, c->tier, from->stamp, m);
	if (w == NULL)
		return -1;
	if (backup_copy_files(w, s, from->tier, from->name, m, c->lock_timeout) < 0) {
		backup_abort(w);
		return -1;
	}
	snprintf(final, sizeof(final), "%s", backup_final_key(w));
	if (backup_commit(w) < 0)
		return -1;
	log_info("promoted %s/%s to %s", from->tier, from->stamp, final);
	report_backup(r, from->stamp, manifest_size(m));
	return 0;
}

int job_promote(const struct config *c, struct store *s, char *stamp, struct report *r)
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
	} else if (copy_backup(c, s, &prior.refs[pick], r) < 0) {
		goto out;
	}
	snprintf(stamp, TS_LEN + 1, "%s", prior.refs[pick].stamp);
	rc = job_prune(c, s, 0, r);
out:
	catalog_free(&prior);
	catalog_free(&own);
	store_unlock(s, lock);
	return rc;
}

int cmd_promote(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	(void)operands;
	return job_with_mirrors(c, s, r, job_promote);
}
