/*
 * The one backup of the run's tier that backup --keep, --unkeep or
 * --delete names, found under the tier's lock so that no run of the tier
 * prunes or publishes while it changes.
 */
#include <string.h>

#include "cmd/jobs.h"
#include "util/log.h"

const struct backup_ref *job_pick_backup(const struct config *c, struct store *s, const char *flag,
					 const char *value, struct picked *p)
{
	struct from_backup from;
	char setting[32];
	size_t first = 0;

	memset(p, 0, sizeof(*p));
	snprintf(setting, sizeof(setting), "--%s", flag);
	if (from_backup_parse(value, &from) < 0 || from.kind != FROM_TIMESTAMP) {
		fail(EXIT_USAGE,
		     "%s '%s': give a backup's timestamp like 2026-11-21T10:07:00Z, or its start",
		     setting, value);
		return NULL;
	}
	if (job_lock_tier(c, s, c->tier, &p->lock) < 0)
		return NULL;
	p->locked = 1;
	if (catalog_scan_tier(s, c->tier, 0, &p->cat) < 0)
		return NULL;
	if (tier_match(p->cat.refs, p->cat.n, &from, &first) == 0) {
		fail(EXIT_NOT_FOUND,
		     "no backup of the %s tier matches %s %s (recover lists them; --tier chooses "
		     "the tier)",
		     c->tier, setting, value);
		return NULL;
	}
	/* Several: catalog_select lists them and says to give more of the timestamp. */
	return catalog_select(&p->cat, &from, setting, value);
}

void job_picked_free(struct store *s, struct picked *p)
{
	catalog_free(&p->cat);
	if (p->locked)
		store_unlock(s, p->lock);
	p->locked = 0;
}
