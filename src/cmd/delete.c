/*
 * backup --delete TIMESTAMP [--force]: removes one backup of the run's
 * tier, such as one taken just before a mistake was dumped into it. A kept
 * backup is removed only with --force.
 */
#include "backup/keys.h"
#include "backup/manifest.h"
#include "cmd/cmd.h"
#include "cmd/jobs.h"
#include "engine/engine.h"
#include "util/log.h"

int cmd_delete(const struct config *c, struct store *s, struct report *r, char *const *operands)
{
	const struct backup_ref *b;
	char key[KEY_MAX];
	struct picked p;
	int rc = -1;

	(void)r;
	(void)operands;
	b = job_pick_backup(c, s, "delete", c->delete_backup, &p);
	if (b == NULL)
		goto out;
	if (b->kept && !c->force) {
		fail(EXIT_USAGE,
		     "%s/%s is kept%s%s: give --force to delete it, or --unkeep it first", b->tier,
		     b->stamp, b->kept_reason[0] ? " for " : "", b->kept_reason);
		goto out;
	}
	key_backup(key, b->tier, b->name);
	if (store_remove(s, key) < 0)
		goto out;
	log_info("deleted %s%s", key, b->kept ? " (it was kept: --force)" : "");
	if (b->manifest != NULL && b->manifest->format == MANIFEST_CHUNKED && job_collect(s) < 0)
		goto out;
	/* A deleted base backup may have been the last one needing some archived WAL. */
	rc = engine_archive_retain(s);
out:
	job_picked_free(s, &p);
	return rc;
}
