#include <stdio.h>

#include "catalog.h"
#include "jobs.h"
#include "util/log.h"
#include "util/signals.h"

int job_prune(struct store *s, const char *tier, long keep)
{
	struct catalog cat;
	size_t doomed;
	int rc = 0;

	if (catalog_scan_tier(s, tier, 0, &cat) < 0)
		return -1;
	doomed = tier_prune_count(cat.n, keep);
	/* Oldest first, so an interrupted prune still keeps the newest ones. */
	for (size_t i = cat.n; i > cat.n - doomed; i--) {
		char key[512];

		snprintf(key, sizeof(key), "%s/%s", tier, cat.refs[i - 1].name);
		if (signals_check("pruning") < 0 || s->ops->remove(s, key) < 0) {
			rc = -1;
			break;
		}
		log_info("pruned %s (the %s tier keeps %ld)", key, tier, keep);
	}
	if (rc == 0)
		log_info("%s tier holds %zu backup(s)", tier, cat.n - doomed);
	catalog_free(&cat);
	return rc;
}

int job_lock_tier(const struct config *c, struct store *s, const char *tier, void **lock)
{
	if (s->ops->lock(s, tier, c->lock_timeout, lock) < 0)
		return -1;
	if (s->ops->clean(s, tier) < 0) {
		s->ops->unlock(s, *lock);
		return -1;
	}
	return 0;
}
