/*
 * Pruning a tier to its count, in whichever store: the primary (whose
 * count the run reports) or a mirror (whose count it does not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "backup/catalog.h"
#include "backup/keys.h"
#include "backup/manifest.h"
#include "cmd/jobs.h"
#include "engine/engine.h"
#include "report.h"
#include "util/log.h"
#include "util/signals.h"

int job_prune(const struct config *c, struct store *s, int partials_only, struct report *r)
{
	struct prune_policy policy = {c->count, c->max_age_seconds, c->min_count, time(NULL),
				      partials_only};
	const char *tier = c->tier;
	unsigned char *doomed;
	struct catalog cat;
	size_t ndoomed;
	int rc = 0, chunked = 0;

	if (catalog_scan_tier(s, tier, 0, &cat) < 0)
		return -1;
	doomed = calloc(cat.n + 1, 1);
	if (doomed == NULL) {
		catalog_free(&cat);
		return -1;
	}
	ndoomed = tier_prune_plan(cat.refs, cat.n, &policy, doomed);
	/* Oldest first, so an interrupted prune still keeps the newest ones. */
	for (size_t i = cat.n; i > 0; i--) {
		char key[KEY_MAX];

		if (!doomed[i - 1])
			continue;
		key_backup(key, tier, cat.refs[i - 1].name);
		chunked |= cat.refs[i - 1].manifest != NULL &&
			   cat.refs[i - 1].manifest->format == MANIFEST_CHUNKED;
		if (signals_check("pruning") < 0 || store_remove(s, key) < 0) {
			rc = -1;
			break;
		}
		log_info("pruned %s%s (the %s tier keeps %ld%s%s)", key,
			 cat.refs[i - 1].partial ? ", partial" : "", tier, c->count,
			 c->max_age ? ", none older than " : "", c->max_age ? c->max_age : "");
	}
	if (rc == 0) {
		log_info("%s tier holds %zu backup(s)", tier, cat.n - ndoomed);
		report_kept(r, (long)(cat.n - ndoomed));
	}
	free(doomed);
	catalog_free(&cat);
	/* The chunks only the pruned backups referenced go too. */
	if (rc == 0 && chunked)
		rc = job_collect(s);
	return rc == 0 ? engine_archive_retain(s) : rc;
}

int job_lock_tier(const struct config *c, struct store *s, const char *tier, void **lock)
{
	return store_lock(s, tier, c->lock_timeout, lock);
}
