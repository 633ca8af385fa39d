/*
 * backup --unkeep TIMESTAMP: releases a backup --keep pinned; the tier's
 * next prune treats it like any other. The pin is rewritten as released
 * rather than removed: every store writes a small object the same way,
 * while removing one object is not what their remove does (a backup's
 * whole prefix), and the object then says when it was released.
 */
#include <stdio.h>
#include <time.h>

#include "backup/keys.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "util/log.h"

int cmd_unkeep(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	const struct backup_ref *b;
	char key[KEY_MAX], now[TS_LEN + 1], text[256];
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
	ts_format(time(NULL), now);
	snprintf(text, sizeof(text), "kept = no\nreleased_at = %s\n", now);
	key_backup_file(key, b->tier, b->name, KEY_KEPT);
	if (store_write_small(s, key, text) < 0)
		goto out;
	log_info("%s/%s is no longer kept: the next prune of the %s tier may remove it", b->tier,
		 b->stamp, b->tier);
	rc = 0;
out:
	job_picked_free(s, &p);
	return rc;
}
