/*
 * backup --unkeep TIMESTAMP: releases a backup --keep pinned; the tier's
 * next prune treats it like any other.
 */
#include "backup/keys.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "util/log.h"

int cmd_unkeep(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	const struct backup_ref *b;
	char key[KEY_MAX];
	struct picked p;
	int rc = -1;

	(void)r;
	(void)operands;
	b = job_pick_backup(c, s, "unkeep", c->unkeep, &p);
	if (b == NULL)
		goto out;
	if (!b->kept) {
		/* Already what was asked: a retried job succeeds. */
		log_info("%s/%s is not kept: nothing to release", b->tier, b->stamp);
		rc = 0;
		goto out;
	}
	key_backup_file(key, b->tier, b->name, KEY_KEPT);
	if (store_remove(s, key) < 0)
		goto out;
	log_info("%s/%s is no longer kept: the next prune of the %s tier may remove it", b->tier,
		 b->stamp, b->tier);
	rc = 0;
out:
	job_picked_free(s, &p);
	return rc;
}
